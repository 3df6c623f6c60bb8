//! Business hours of the live agents: a weekly schedule in a time zone.
//!
//! The schedule is written as rules, each a set of days followed by opening intervals or
//! `closed`: `mon-fri 09:00-18:00; sat 10:00-14:00`, `mon,wed,fri 10:00-19:00`,
//! `mon-fri 09:00-13:00 14:00-18:00`, `sun closed`, or `24/7`. Rules are separated by `;`, `,`
//! or just follow each other. Days are English (`mon`, `monday`), Russian (`пн`,
//! `понедельник`) or German (`Mo`, `Montag`), case-insensitive; a range may wrap (`fri-mon`);
//! `daily` (`ежедневно`, `täglich`) is every day. Times are `HH:MM` or `H` (`9-18`); `24:00`
//! ends a day; an interval whose end is before its start runs overnight (`fri 22:00-02:00`
//! is also open on Saturday until 02:00).
//!
//! A later rule replaces the hours an earlier rule gave the same day (`mon-sun 10:00-20:00;
//! sun closed` closes Sunday), except the overnight part spilling in from the day before,
//! which stays.
//!
//! The hours are wall-clock times in the time zone of [`BusinessHours`], so an opening at 09:00
//! is at 09:00 local time on both sides of a daylight-saving change.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

const DAY: u16 = 24 * 60;

/// A weekly schedule: open intervals per weekday (Monday first), in minutes after local
/// midnight, sorted, non-overlapping and non-adjacent (`[start, end)`, `end` ≤ 1440).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyHours {
    days: [Vec<(u16, u16)>; 7],
}

impl WeeklyHours {
    /// Open all week.
    pub fn always() -> Self {
        WeeklyHours {
            days: std::array::from_fn(|_| vec![(0, DAY)]),
        }
    }

    /// Never open.
    pub fn never() -> Self {
        WeeklyHours {
            days: std::array::from_fn(|_| Vec::new()),
        }
    }

    /// Whether it is open around the clock every day.
    pub fn is_always(&self) -> bool {
        self.days.iter().all(|d| d.as_slice() == [(0, DAY)])
    }

    /// Whether it is never open.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// The open intervals of a weekday (0 = Monday … 6 = Sunday), in minutes after midnight.
    pub fn day(&self, weekday: usize) -> &[(u16, u16)] {
        &self.days[weekday % 7]
    }

    /// Whether it is open on `weekday` (0 = Monday) at `minute` after local midnight.
    fn is_open_at(&self, weekday: usize, minute: u16) -> bool {
        self.days[weekday % 7]
            .iter()
            .any(|&(s, e)| s <= minute && minute < e)
    }

    /// Parses `mon-fri 09:00-18:00; sat 10:00-14:00`, `24/7`, `closed` (see the module docs).
    pub fn parse(s: &str) -> Result<Self, String> {
        let trimmed = s.trim();
        match trimmed.to_lowercase().as_str() {
            "" => {
                return Err(
                    "business hours are empty (use e.g. '24/7' or 'mon-fri 09:00-18:00')".into(),
                );
            }
            "24/7" | "always" => return Ok(Self::always()),
            "closed" | "never" => return Ok(Self::never()),
            _ => {}
        }
        let mut b = Builder::default();
        for (word, after_semicolon) in words(trimmed) {
            if after_semicolon {
                b.finish_rule(trimmed)?;
            }
            let lower = word.to_lowercase();
            if let Some(days) = parse_days(&lower) {
                let days = days.map_err(|e| format!("{e} in '{trimmed}'"))?;
                if !b.intervals.is_empty() || b.closed {
                    b.finish_rule(trimmed)?;
                }
                b.days.extend(days);
                if !b.days_text.is_empty() {
                    b.days_text.push(',');
                }
                b.days_text.push_str(&word);
            } else if is_closed_word(&lower) {
                if b.days.is_empty() {
                    return Err(format!("'{word}' in '{trimmed}' has no days before it"));
                }
                if !b.intervals.is_empty() {
                    let days = &b.days_text;
                    return Err(format!(
                        "'{days}' in '{trimmed}' has both hours and '{word}'"
                    ));
                }
                b.closed = true;
            } else if lower.starts_with(|c: char| c.is_ascii_digit()) {
                let interval = parse_interval(&lower).map_err(|e| format!("{e} in '{trimmed}'"))?;
                if b.days.is_empty() {
                    return Err(format!("'{word}' in '{trimmed}' has no days before it"));
                }
                if b.closed {
                    let days = &b.days_text;
                    return Err(format!(
                        "'{days}' in '{trimmed}' has both 'closed' and hours"
                    ));
                }
                b.intervals.push(interval);
            } else {
                return Err(format!(
                    "'{word}' in '{trimmed}' is neither a day (mon, пн, Mo, mon-fri, daily), \
                     a time interval (09:00-18:00) nor 'closed'"
                ));
            }
        }
        b.finish_rule(trimmed)?;
        if b.own.iter().all(Option::is_none) {
            return Err(format!("'{trimmed}' has no days"));
        }
        Ok(b.build())
    }
}

/// A schedule being parsed: the hours given so far and the rule being read.
#[derive(Default)]
struct Builder {
    /// Each day's own hours, from the last rule naming it.
    own: [Option<Vec<(u16, u16)>>; 7],
    /// The overnight hours spilling into each day from the day before.
    spill: [Vec<(u16, u16)>; 7],
    /// The rule being read: its days (and how they were written), intervals, `closed`.
    days: Vec<usize>,
    days_text: String,
    intervals: Vec<(u16, u16)>,
    closed: bool,
}

impl Builder {
    /// Applies the rule being read, if any, and starts a new one.
    fn finish_rule(&mut self, whole: &str) -> Result<(), String> {
        if self.days.is_empty() {
            return Ok(());
        }
        if self.intervals.is_empty() && !self.closed {
            let days = &self.days_text;
            return Err(format!(
                "'{days}' in '{whole}' has no hours (add e.g. '09:00-18:00' or 'closed')"
            ));
        }
        for &d in &self.days {
            let mut mine = Vec::new();
            for &(start, end) in &self.intervals {
                if end > start {
                    mine.push((start, end));
                } else {
                    // Overnight: until midnight, then into the next day.
                    mine.push((start, DAY));
                    if end > 0 {
                        self.spill[(d + 1) % 7].push((0, end));
                    }
                }
            }
            self.own[d] = Some(mine);
        }
        self.days.clear();
        self.days_text.clear();
        self.intervals.clear();
        self.closed = false;
        Ok(())
    }

    fn build(self) -> WeeklyHours {
        let Builder { own, spill, .. } = self;
        let mut own = own.into_iter();
        let mut spill = spill.into_iter();
        WeeklyHours {
            days: std::array::from_fn(|_| {
                let mut all = own.next().flatten().unwrap_or_default();
                all.extend(spill.next().unwrap_or_default());
                merge(all)
            }),
        }
    }
}

/// Sorts intervals and merges the overlapping or touching ones.
fn merge(mut v: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    v.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The words of a schedule, each with whether a `;` came before it. Dashes are glued to their
/// neighbours (`mon - fri` is `mon-fri`); `,` separates words like spaces do.
fn words(s: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = s
        .chars()
        .map(|c| match c {
            '–' | '—' | '−' => '-',
            c => c,
        })
        .collect();
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut semicolon = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ';' || c == ',' || c.is_whitespace() {
            // A space before or after a dash does not end the word.
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if c.is_whitespace() && !cur.is_empty() && (cur.ends_with('-') || next == Some(&'-')) {
                continue;
            }
            if !cur.is_empty() {
                out.push((std::mem::take(&mut cur), semicolon));
                semicolon = false;
            }
            if c == ';' {
                semicolon = true;
            }
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push((cur, semicolon));
    }
    out
}

fn is_closed_word(w: &str) -> bool {
    matches!(
        w,
        "closed" | "off" | "выходной" | "выходные" | "закрыто" | "geschlossen" | "ruhetag"
    )
}

/// A day name (0 = Monday), `None` if `w` is not one.
fn day_index(w: &str) -> Option<usize> {
    let w = w.strip_suffix('.').unwrap_or(w);
    let i = match w {
        "mon" | "monday" | "mo" | "montag" | "пн" | "пон" | "понедельник" => 0,
        "tue" | "tues" | "tuesday" | "di" | "dienstag" | "вт" | "вторник" => 1,
        "wed" | "wednesday" | "mi" | "mittwoch" | "ср" | "среда" => 2,
        "thu" | "thur" | "thurs" | "thursday" | "do" | "donnerstag" | "чт" | "четверг" => {
            3
        }
        "fri" | "friday" | "fr" | "freitag" | "пт" | "пятница" => 4,
        "sat" | "saturday" | "sa" | "samstag" | "sonnabend" | "сб" | "суббота" => 5,
        "sun" | "sunday" | "so" | "sonntag" | "вс" | "вск" | "воскресенье" => 6,
        _ => return None,
    };
    Some(i)
}

/// Parses a day word: `mon`, `mon-fri`, `fri-mon` (wrapping), `daily`, `weekdays`,
/// `weekend`. `None` when the word does not look like days at all.
fn parse_days(w: &str) -> Option<Result<Vec<usize>, String>> {
    match w {
        "daily" | "everyday" | "ежедневно" | "täglich" | "taeglich" => {
            return Some(Ok((0..7).collect()));
        }
        "weekdays" | "будни" | "werktags" => return Some(Ok((0..5).collect())),
        "weekend" | "weekends" | "wochenende" => return Some(Ok(vec![5, 6])),
        _ => {}
    }
    if !w.starts_with(|c: char| c.is_alphabetic()) || is_closed_word(w) {
        return None;
    }
    let Some((a, b)) = w.split_once('-') else {
        return Some(day_index(w).map(|d| vec![d]).ok_or_else(|| unknown_day(w)));
    };
    let (Some(from), Some(to)) = (day_index(a), day_index(b)) else {
        let bad = if day_index(a).is_none() { a } else { b };
        return Some(Err(unknown_day(bad)));
    };
    let mut out = vec![from];
    let mut d = from;
    while d != to {
        d = (d + 1) % 7;
        out.push(d);
    }
    Some(Ok(out))
}

fn unknown_day(w: &str) -> String {
    format!("'{w}' is not a day (mon … sun, пн … вс, Mo … So)")
}

/// `HH:MM`, `H:MM` or `H` → minutes after midnight (24:00 allowed; the caller checks where).
fn parse_time(t: &str) -> Result<u16, String> {
    let bad = || format!("'{t}' is not a time (HH:MM, 00:00 to 24:00)");
    let (h, m) = match t.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None => (t, "00"),
    };
    if h.is_empty()
        || h.len() > 2
        || m.len() != 2
        || !h.bytes().all(|b| b.is_ascii_digit())
        || !m.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// `09:00-18:00` → (540, 1080). The end may be before the start (overnight).
fn parse_interval(w: &str) -> Result<(u16, u16), String> {
    let Some((a, b)) = w.split_once('-') else {
        return Err(format!("'{w}' is not a time interval (like 09:00-18:00)"));
    };
    let start = parse_time(a)?;
    let end = parse_time(b)?;
    if start == DAY {
        return Err(format!("'{w}' starts at 24:00 (use 00:00 of the next day)"));
    }
    if start == end {
        return Err(format!("'{w}' is empty (use 00:00-24:00 for a whole day)"));
    }
    Ok((start, end))
}

/// Parses an IANA time zone name.
pub fn parse_timezone(s: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(s).map_err(|e| format!("'{s}' is not a time zone: {e}"))
}

/// When agents work: a weekly schedule in a time zone.
#[derive(Debug, Clone)]
pub struct BusinessHours {
    weekly: WeeklyHours,
    tz: jiff::tz::TimeZone,
}

/// How far ahead `next_open` looks: two weeks and a bit, so every weekday comes twice.
const HORIZON_DAYS: i64 = 16;

impl BusinessHours {
    /// A schedule in a time zone.
    pub fn new(weekly: WeeklyHours, tz: jiff::tz::TimeZone) -> Self {
        BusinessHours { weekly, tz }
    }

    /// Open all the time.
    pub fn always() -> Self {
        Self::new(WeeklyHours::always(), jiff::tz::TimeZone::UTC)
    }

    /// Whether support works around the clock.
    pub fn is_always(&self) -> bool {
        self.weekly.is_always()
    }

    /// The weekly schedule.
    pub fn weekly(&self) -> &WeeklyHours {
        &self.weekly
    }

    /// The time zone of the schedule.
    pub fn timezone(&self) -> &TimeZone {
        &self.tz
    }

    /// Whether support works at `at_ms` (Unix milliseconds).
    pub fn is_open(&self, at_ms: i64) -> bool {
        if self.weekly.is_always() {
            return true;
        }
        match Timestamp::from_millisecond(at_ms) {
            Ok(ts) => self.is_open_ts(ts),
            Err(_) => false,
        }
    }

    fn is_open_ts(&self, ts: Timestamp) -> bool {
        let local = self.tz.to_datetime(ts);
        let weekday = local.weekday().to_monday_zero_offset() as usize;
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        self.weekly.is_open_at(weekday, minute)
    }

    /// The next moment (Unix ms) at or after `at_ms` when support is open; `None` when never.
    ///
    /// Opening can only start when local time reaches the start of an interval or when the
    /// clock jumps (a time zone transition), so those moments of the next two weeks are the
    /// candidates; the earliest that is open wins. An interval starting in a skipped hour opens
    /// at the jump; one starting in a repeated hour opens at its first occurrence (and again at
    /// the second, if closed in between).
    pub fn next_open(&self, at_ms: i64) -> Option<i64> {
        if self.weekly.is_empty() {
            return None;
        }
        if self.is_open(at_ms) {
            return Some(at_ms);
        }
        let at = Timestamp::from_millisecond(at_ms).ok()?;
        let horizon = at
            .checked_add(SignedDuration::from_hours(24 * HORIZON_DAYS))
            .unwrap_or(Timestamp::MAX);
        let mut best: Option<Timestamp> = None;
        let mut consider = |t: Timestamp| {
            if t >= at && best.is_none_or(|b| t < b) && self.is_open_ts(t) {
                best = Some(t);
            }
        };
        let today = self.tz.to_datetime(at).date();
        for offset in -1..=HORIZON_DAYS {
            let Ok(date) = today.checked_add(jiff::Span::new().days(offset)) else {
                continue;
            };
            let weekday = date.weekday().to_monday_zero_offset() as usize;
            for &(start, _) in self.weekly.day(weekday) {
                let dt = date.at((start / 60) as i8, (start % 60) as i8, 0, 0);
                let amb = self.tz.to_ambiguous_timestamp(dt);
                if let Ok(t) = amb.earlier() {
                    consider(t);
                }
                if let Ok(t) = amb.later() {
                    consider(t);
                }
            }
        }
        for transition in self.tz.following(at) {
            let t = transition.timestamp();
            if t > horizon {
                break;
            }
            consider(t);
        }
        best.map(|t| t.as_millisecond())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> WeeklyHours {
        WeeklyHours::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn hm(h: u16, m: u16) -> u16 {
        h * 60 + m
    }

    /// Unix ms of a local wall-clock time in a zone (the earlier one if ambiguous).
    fn ms(tz: &str, local: &str) -> i64 {
        let tz = TimeZone::get(tz).unwrap();
        let dt: jiff::civil::DateTime = local.parse().unwrap();
        tz.to_ambiguous_timestamp(dt)
            .earlier()
            .unwrap()
            .as_millisecond()
    }

    fn bh(hours: &str, tz: &str) -> BusinessHours {
        BusinessHours::new(h(hours), TimeZone::get(tz).unwrap())
    }

    /// The local wall-clock time of Unix ms in a zone, as `2024-03-31T03:00:00`.
    fn local(tz: &str, at_ms: i64) -> String {
        let tz = TimeZone::get(tz).unwrap();
        tz.to_datetime(Timestamp::from_millisecond(at_ms).unwrap())
            .to_string()
    }

    #[test]
    fn always_and_never() {
        assert!(h("24/7").is_always());
        assert!(h(" 24/7 ").is_always());
        assert!(h("mon-sun 00:00-24:00").is_always());
        assert!(h("daily 00:00-12:00 12:00-24:00").is_always());
        assert!(h("mon-sun 00:00-24:00").eq(&WeeklyHours::always()));
        assert!(!h("mon-fri 00:00-24:00").is_always());
        assert!(h("closed").is_empty());
        assert!(h("mon-sun closed").is_empty());
        assert!(!h("24/7").is_empty());
        assert!(BusinessHours::always().is_always());
        assert!(BusinessHours::always().is_open(0));
        assert_eq!(BusinessHours::always().next_open(123), Some(123));
    }

    #[test]
    fn simple_rules() {
        let w = h("mon-fri 09:00-18:00; sat 10:00-14:00");
        for d in 0..5 {
            assert_eq!(w.day(d), &[(hm(9, 0), hm(18, 0))]);
        }
        assert_eq!(w.day(5), &[(hm(10, 0), hm(14, 0))]);
        assert!(w.day(6).is_empty());
    }

    #[test]
    fn day_lists_and_separators() {
        let w = h("mon,wed,fri 10:00-19:00");
        assert_eq!(w.day(0), &[(600, 1140)]);
        assert!(w.day(1).is_empty());
        assert_eq!(w.day(2), &[(600, 1140)]);
        assert_eq!(w.day(4), &[(600, 1140)]);
        assert_eq!(h("mon, wed, fri 10:00-19:00"), w);
        assert_eq!(h("MON,WED,FRI 10:00 - 19:00"), w);
        // Rules separated by commas or only by spaces.
        let two = h("mon-fri 09:00-18:00; sat 10:00-14:00");
        assert_eq!(h("mon-fri 09:00-18:00, sat 10:00-14:00"), two);
        assert_eq!(h("mon-fri 09:00-18:00 sat 10:00-14:00"), two);
        assert_eq!(h("mon - fri 9-18; sat 10-14"), two);
        assert_eq!(h("Mon–Fri 9:00–18:00; Sat 10:00–14:00"), two);
        assert_eq!(h("monday-friday 09:00-18:00;saturday 10:00-14:00;"), two);
    }

    #[test]
    fn several_intervals_per_day() {
        let w = h("mon-fri 09:00-13:00 14:00-18:00");
        assert_eq!(w.day(0), &[(540, 780), (840, 1080)]);
        assert_eq!(h("mon-fri 09:00-13:00, 14:00-18:00"), w);
        // Out of order and overlapping intervals are sorted and merged.
        assert_eq!(
            h("mon 14:00-18:00 09:00-13:00 12:00-15:00").day(0),
            &[(540, 1080)]
        );
        assert_eq!(h("mon 09:00-12:00 12:00-15:00").day(0), &[(540, 900)]);
    }

    #[test]
    fn closed_days_and_overrides() {
        let w = h("mon-sun 10:00-20:00; sun closed");
        assert_eq!(w.day(5), &[(600, 1200)]);
        assert!(w.day(6).is_empty());
        let w = h("daily 10:00-20:00; sat-sun 12:00-16:00");
        assert_eq!(w.day(0), &[(600, 1200)]);
        assert_eq!(w.day(6), &[(720, 960)]);
        assert_eq!(h("mon-fri 9-18; sat off").day(5), &[] as &[(u16, u16)]);
    }

    #[test]
    fn end_of_day_and_overnight() {
        let w = h("fri 22:00-02:00");
        assert_eq!(w.day(4), &[(1320, 1440)]);
        assert_eq!(w.day(5), &[(0, 120)]);
        assert!(w.day(6).is_empty());
        let w = h("sun 20:00-24:00");
        assert_eq!(w.day(6), &[(1200, 1440)]);
        assert!(w.day(0).is_empty());
        // Sunday night wraps to Monday.
        assert_eq!(h("sun 23:00-01:00").day(0), &[(0, 60)]);
        // Ending at midnight written as 00:00.
        let w = h("sat 18:00-00:00");
        assert_eq!(w.day(5), &[(1080, 1440)]);
        assert!(w.day(6).is_empty());
        // The spill-over stays when the next day gets its own rule, and they merge.
        let w = h("fri 22:00-02:00; sat 01:00-05:00");
        assert_eq!(w.day(5), &[(0, 300)]);
        let w = h("fri 22:00-02:00; sat closed");
        assert_eq!(w.day(5), &[(0, 120)]);
        // Every night.
        let w = h("daily 20:00-08:00");
        assert_eq!(w.day(0), &[(0, 480), (1200, 1440)]);
    }

    #[test]
    fn russian_and_german_days() {
        let en = h("mon-fri 09:00-18:00; sat 10:00-14:00");
        assert_eq!(h("пн-пт 09:00-18:00; сб 10:00-14:00"), en);
        assert_eq!(h("Пн-Пт 09:00-18:00; Сб 10:00-14:00"), en);
        assert_eq!(h("Mo-Fr 09:00-18:00; Sa 10:00-14:00"), en);
        assert_eq!(
            h("Montag-Freitag 9-18, Samstag 10-14, Sonntag geschlossen"),
            en
        );
        assert_eq!(
            h("понедельник-пятница 9:00-18:00; суббота 10:00-14:00; вс выходной"),
            en
        );
        assert_eq!(h("Mo.-Fr. 09:00-18:00; Sa. 10:00-14:00"), en);
        assert_eq!(h("ежедневно 10:00-22:00"), h("daily 10:00-22:00"));
        assert_eq!(h("täglich 10:00-22:00"), h("mon-sun 10:00-22:00"));
        assert_eq!(h("weekdays 9-18"), h("mon-fri 9-18"));
        // A wrapping range.
        assert_eq!(h("fri-mon 10:00-12:00"), h("fri,sat,sun,mon 10:00-12:00"));
    }

    #[test]
    fn errors_name_the_bad_part() {
        let err = |s: &str| WeeklyHours::parse(s).unwrap_err();
        assert!(err("").contains("empty"));
        assert!(
            err("mon-fri 25:00-18:00").contains("'25:00'"),
            "{}",
            err("mon-fri 25:00-18:00")
        );
        assert!(err("mon-fri 09:60-18:00").contains("'09:60'"));
        assert!(err("mon-fri 09:00-24:30").contains("'24:30'"));
        assert!(err("mon-fri 09:00").contains("'09:00'"));
        assert!(err("mon-fri 24:00-02:00").contains("24:00"));
        assert!(err("mon-fri 09:00-09:00").contains("empty"));
        assert!(
            err("mon-fry 09:00-18:00").contains("'fry'"),
            "{}",
            err("mon-fry 09:00-18:00")
        );
        assert!(err("funday 09:00-18:00").contains("'funday'"));
        assert!(err("mon-fri").contains("'mon-fri'"));
        assert!(err("mon-fri; sat 10-14").contains("'mon-fri'"));
        assert!(err("09:00-18:00").contains("no days"));
        assert!(err("closed mon").contains("'closed'") || err("closed mon").contains("no days"));
        assert!(err("sun closed 10:00-12:00").contains("both"));
        assert!(err("sun 10:00-12:00 closed").contains("both"));
        assert!(
            err("mon-fri 9am-6pm").contains("'9am'"),
            "{}",
            err("mon-fri 9am-6pm")
        );
        // The whole schedule is quoted too, for context.
        assert!(
            err("mon-fri 09:00-18:00; sat 10-99").contains("in 'mon-fri 09:00-18:00; sat 10-99'")
        );
    }

    #[test]
    fn timezone_names() {
        assert!(parse_timezone("Europe/Moscow").is_ok());
        assert!(parse_timezone("UTC").is_ok());
        let e = parse_timezone("Mars/Olympus").unwrap_err();
        assert!(e.contains("'Mars/Olympus'"));
    }

    #[test]
    fn open_and_next_in_moscow() {
        let tz = "Europe/Moscow";
        let b = bh("mon-fri 09:00-18:00; sat 10:00-14:00", tz);
        // 2024-05-13 is a Monday.
        assert!(!b.is_open(ms(tz, "2024-05-13T08:59:59")));
        assert!(b.is_open(ms(tz, "2024-05-13T09:00:00")));
        assert!(b.is_open(ms(tz, "2024-05-13T17:59:59")));
        assert!(!b.is_open(ms(tz, "2024-05-13T18:00:00")));
        assert!(b.is_open(ms(tz, "2024-05-18T13:00:00")));
        assert!(!b.is_open(ms(tz, "2024-05-19T13:00:00")));
        // Moscow is UTC+3 all year: 09:00 local is 06:00 UTC.
        assert_eq!(
            ms(tz, "2024-05-13T09:00:00"),
            ms("UTC", "2024-05-13T06:00:00")
        );
        let at = ms(tz, "2024-05-13T10:30:00");
        assert_eq!(b.next_open(at), Some(at));
        assert_eq!(
            b.next_open(ms(tz, "2024-05-13T07:00:00")),
            Some(ms(tz, "2024-05-13T09:00:00"))
        );
        assert_eq!(
            b.next_open(ms(tz, "2024-05-13T18:00:00")),
            Some(ms(tz, "2024-05-14T09:00:00"))
        );
        // Friday evening → Saturday 10:00; Saturday afternoon → Monday 09:00.
        assert_eq!(
            b.next_open(ms(tz, "2024-05-17T19:00:00")),
            Some(ms(tz, "2024-05-18T10:00:00"))
        );
        assert_eq!(
            b.next_open(ms(tz, "2024-05-18T14:00:00")),
            Some(ms(tz, "2024-05-20T09:00:00"))
        );
        // Milliseconds are kept.
        let at = ms(tz, "2024-05-13T08:59:59") + 999;
        assert_eq!(b.next_open(at), Some(at + 1));
    }

    #[test]
    fn overnight_is_open_after_midnight() {
        let tz = "Europe/Moscow";
        let b = bh("fri 22:00-02:00", tz);
        // 2024-05-17 is a Friday.
        assert!(!b.is_open(ms(tz, "2024-05-17T21:59:00")));
        assert!(b.is_open(ms(tz, "2024-05-17T23:30:00")));
        assert!(b.is_open(ms(tz, "2024-05-18T00:00:00")));
        assert!(b.is_open(ms(tz, "2024-05-18T01:59:59")));
        assert!(!b.is_open(ms(tz, "2024-05-18T02:00:00")));
        assert_eq!(
            b.next_open(ms(tz, "2024-05-18T02:00:00")),
            Some(ms(tz, "2024-05-24T22:00:00"))
        );
    }

    #[test]
    fn empty_schedule_never_opens() {
        let b = bh("closed", "Europe/Berlin");
        assert!(!b.is_open(0));
        assert_eq!(b.next_open(0), None);
        assert!(!b.is_always());
    }

    #[test]
    fn berlin_across_the_march_switch() {
        // 2024-03-31 (Sunday): 02:00 CET becomes 03:00 CEST.
        let tz = "Europe/Berlin";
        let b = bh("mon-fri 09:00-18:00", tz);
        // Friday 18:00 CET → Monday 09:00 CEST: 63 hours minus the lost one.
        let fri = ms(tz, "2024-03-29T18:00:00");
        let mon = b.next_open(fri).unwrap();
        assert_eq!(local(tz, mon), "2024-04-01T09:00:00");
        assert_eq!(mon, ms("UTC", "2024-04-01T07:00:00"));
        assert_eq!(mon - fri, 62 * 3_600_000);
        // Opening hours are local: 09:00 is 08:00 UTC before and 07:00 UTC after.
        assert!(b.is_open(ms("UTC", "2024-03-29T08:00:00")));
        assert!(!b.is_open(ms("UTC", "2024-03-29T07:30:00")));
        assert!(b.is_open(ms("UTC", "2024-04-01T07:00:00")));
        assert!(!b.is_open(ms("UTC", "2024-04-01T16:00:00")));

        // An interval starting in the skipped hour opens at the jump (03:00 CEST).
        let b = bh("sun 02:30-04:00", tz);
        let sat = ms(tz, "2024-03-30T12:00:00");
        let open = b.next_open(sat).unwrap();
        assert_eq!(open, ms("UTC", "2024-03-31T01:00:00"));
        assert_eq!(local(tz, open), "2024-03-31T03:00:00");
        assert!(!b.is_open(open - 1));
        assert!(b.is_open(open));
        // An interval wholly in the skipped hour does not happen that day.
        let b = bh("sun 02:10-02:50", tz);
        let open = b.next_open(sat).unwrap();
        assert_eq!(local(tz, open), "2024-04-07T02:10:00");
        // A night shift across the switch.
        let b = bh("sat 22:00-06:00", tz);
        assert!(b.is_open(ms("UTC", "2024-03-31T00:59:00"))); // 01:59 CET
        assert!(b.is_open(ms("UTC", "2024-03-31T01:00:00"))); // 03:00 CEST
        assert!(!b.is_open(ms("UTC", "2024-03-31T04:00:00"))); // 06:00 CEST
    }

    #[test]
    fn berlin_across_the_october_switch() {
        // 2024-10-27 (Sunday): 03:00 CEST becomes 02:00 CET, 02:00-03:00 happens twice.
        let tz = "Europe/Berlin";
        let b = bh("sun 02:00-02:30", tz);
        let sat = ms(tz, "2024-10-26T12:00:00");
        let first = b.next_open(sat).unwrap();
        assert_eq!(first, ms("UTC", "2024-10-27T00:00:00")); // 02:00 CEST
        // After the first half hour, it opens again at the repeated 02:00 (CET).
        let second = b.next_open(first + 30 * 60_000).unwrap();
        assert_eq!(second, ms("UTC", "2024-10-27T01:00:00"));
        // An interval straddling the repeated hour: closed from 02:30 CEST until the clock
        // goes back to 02:00, which is inside it again.
        let b = bh("sun 01:00-02:30", tz);
        let closed = ms("UTC", "2024-10-27T00:45:00"); // 02:45 CEST
        assert!(!b.is_open(closed));
        assert_eq!(b.next_open(closed), Some(ms("UTC", "2024-10-27T01:00:00")));
        // Monday 09:00 after the switch is 08:00 UTC.
        let b = bh("mon-fri 09:00-18:00", tz);
        assert_eq!(
            b.next_open(ms(tz, "2024-10-25T18:00:00")),
            Some(ms("UTC", "2024-10-28T08:00:00"))
        );
    }

    #[test]
    fn next_open_is_open_and_nothing_earlier_is() {
        // A brute-force check minute by minute over a week with a DST switch.
        let tz = "Europe/Berlin";
        let b = bh(
            "mon-fri 09:00-13:00 14:00-18:00; sat 22:00-03:00; sun 02:30-02:45 12:00-12:01",
            tz,
        );
        let start = ms("UTC", "2024-03-28T00:00:00");
        let mut expected: Option<i64> = None;
        // Walk backwards so `expected` is the first open minute at or after `t`.
        let minutes = 8 * 24 * 60;
        let mut answers = Vec::with_capacity(minutes);
        for i in (0..minutes as i64).rev() {
            let t = start + i * 60_000;
            if b.is_open(t) {
                expected = Some(t);
            }
            answers.push((t, expected));
        }
        for (t, expected) in answers {
            if let Some(e) = expected {
                assert_eq!(b.next_open(t), Some(e), "at {}", local(tz, t));
            }
        }
    }
}
