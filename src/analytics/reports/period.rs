//! Periods of a report: whole days `from..=to` in the business time zone, with the start of
//! each day, today's date, and `YYYY-MM-DD` parsing (`?from=&to=`).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// Days of the default period (today and the 29 days before it).
pub const DEFAULT_DAYS: i64 = 30;
/// The longest period a report covers.
pub const MAX_DAYS: i64 = 366;

/// A period of whole days (`from..=to`) in a time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    from: Date,
    to: Date,
    tz: TimeZone,
    /// Start (Unix ms) of every day, then the end of the last one.
    bounds: Vec<i64>,
}

/// Today's date in `tz` at `now` (Unix ms).
pub fn today(now: i64, tz: &TimeZone) -> Date {
    Timestamp::from_millisecond(now)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(tz.clone())
        .date()
}

/// The start (Unix ms) of `day` in `tz`: local midnight, or the first moment of the day when
/// midnight falls into a daylight-saving gap.
pub fn start_of_day(day: Date, tz: &TimeZone) -> anyhow::Result<i64> {
    Ok(day
        .to_zoned_datetime(tz.clone())?
        .timestamp()
        .as_millisecond())
}

/// `day` moved by `days` (may be negative).
fn add_days(day: Date, days: i64) -> Result<Date, String> {
    day.checked_add(Span::new().days(days))
        .map_err(|e| format!("{day} ± {days} days: {e}"))
}

/// Parses a `YYYY-MM-DD` date (exactly that form).
pub fn parse_day(s: &str) -> Result<Date, String> {
    let s = s.trim();
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return Err(format!("'{s}' is not a date: use YYYY-MM-DD"));
    }
    s.parse()
        .map_err(|_| format!("'{s}' is not a date of the calendar"))
}

impl Period {
    /// The days `from..=to` in `tz`; at most [`MAX_DAYS`] days, `from` not after `to`.
    pub fn new(from: Date, to: Date, tz: TimeZone) -> Result<Period, String> {
        if from > to {
            return Err(format!("the period starts ({from}) after it ends ({to})"));
        }
        let n = (to - from).get_days() as i64 + 1;
        if n > MAX_DAYS {
            return Err(format!(
                "the period has {n} days; a report covers at most {MAX_DAYS}"
            ));
        }
        let mut bounds = Vec::with_capacity(n as usize + 1);
        let mut day = from;
        for _ in 0..=n {
            bounds.push(start_of_day(day, &tz).map_err(|e| e.to_string())?);
            day = add_days(day, 1)?;
        }
        Ok(Period {
            from,
            to,
            tz,
            bounds,
        })
    }

    /// The last `days` days up to today (at `now`, Unix ms) in `tz`.
    pub fn last_days(days: i64, now: i64, tz: &TimeZone) -> Result<Period, String> {
        let to = today(now, tz);
        Period::new(add_days(to, 1 - days.max(1))?, to, tz.clone())
    }

    /// The period of `?from=&to=` (`YYYY-MM-DD`; empty or missing: `to` is today, `from` is
    /// [`DEFAULT_DAYS`] − 1 days before `to`).
    pub fn from_query(
        from: Option<&str>,
        to: Option<&str>,
        now: i64,
        tz: &TimeZone,
    ) -> Result<Period, String> {
        fn given(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let to = match given(to) {
            Some(s) => parse_day(s)?,
            None => today(now, tz),
        };
        let from = match given(from) {
            Some(s) => parse_day(s)?,
            None => add_days(to, 1 - DEFAULT_DAYS)?,
        };
        Period::new(from, to, tz.clone())
    }

    /// The first day.
    pub fn from(&self) -> Date {
        self.from
    }

    /// The last day.
    pub fn to(&self) -> Date {
        self.to
    }

    /// The time zone of the days.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// Number of days.
    pub fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    /// Whether the period has no days (never: a period has at least one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The days, in order.
    pub fn days(&self) -> Vec<Date> {
        let mut out = Vec::with_capacity(self.len());
        let mut day = self.from;
        for _ in 0..self.len() {
            out.push(day);
            day = add_days(day, 1).unwrap_or(day);
        }
        out
    }

    /// Start of the first day (Unix ms).
    pub fn start_ms(&self) -> i64 {
        self.bounds[0]
    }

    /// End of the last day (Unix ms, exclusive).
    pub fn end_ms(&self) -> i64 {
        self.bounds[self.len()]
    }

    /// The index of the day `at` (Unix ms) falls on, if it is in the period.
    pub fn day_index(&self, at: i64) -> Option<usize> {
        if at < self.start_ms() || at >= self.end_ms() {
            return None;
        }
        Some(self.bounds.partition_point(|&b| b <= at) - 1)
    }

    /// The index of a calendar day, if it is in the period.
    pub fn index_of_date(&self, day: Date) -> Option<usize> {
        if day < self.from || day > self.to {
            return None;
        }
        Some((day - self.from).get_days() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_follow_the_business_time_zone() {
        let tz = TimeZone::get("Europe/Moscow").unwrap();
        let p = Period::new(
            parse_day("2026-03-07").unwrap(),
            parse_day("2026-03-09").unwrap(),
            tz,
        )
        .unwrap();
        assert_eq!(p.len(), 3);
        // 2026-03-07 00:00 MSK = 2026-03-06 21:00 UTC.
        assert_eq!(p.start_ms(), 1_772_830_800_000);
        assert_eq!(p.end_ms(), p.start_ms() + 3 * 86_400_000);
        assert_eq!(p.day_index(p.start_ms() - 1), None);
        assert_eq!(p.day_index(p.start_ms()), Some(0));
        assert_eq!(p.day_index(p.start_ms() + 86_400_000), Some(1));
        assert_eq!(p.day_index(p.end_ms() - 1), Some(2));
        assert_eq!(p.day_index(p.end_ms()), None);
    }

    #[test]
    fn a_daylight_saving_day_is_23_hours_long() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let p = Period::new(
            parse_day("2026-03-28").unwrap(),
            parse_day("2026-03-30").unwrap(),
            tz,
        )
        .unwrap();
        let hours: Vec<i64> = p
            .bounds
            .windows(2)
            .map(|w| (w[1] - w[0]) / 3_600_000)
            .collect();
        assert_eq!(hours, [24, 23, 24]);
        // 23:30 local on the short day is still that day.
        let late = p.bounds[2] - 30 * 60_000;
        assert_eq!(p.day_index(late), Some(1));
        assert_eq!(p.index_of_date(parse_day("2026-03-30").unwrap()), Some(2));
        assert_eq!(p.index_of_date(parse_day("2026-03-31").unwrap()), None);
    }

    #[test]
    fn periods_from_the_query() {
        let tz = TimeZone::UTC;
        // 2026-03-09 12:00 UTC.
        let now = 1_773_057_600_000;
        let p = Period::from_query(None, None, now, &tz).unwrap();
        assert_eq!(p.to().to_string(), "2026-03-09");
        assert_eq!(p.from().to_string(), "2026-02-08");
        assert_eq!(p.len(), 30);
        let p = Period::from_query(Some(""), Some("2026-01-10"), now, &tz).unwrap();
        assert_eq!(p.from().to_string(), "2025-12-12");
        assert!(Period::from_query(Some("2026-03-10"), Some("2026-03-09"), now, &tz).is_err());
        assert!(Period::from_query(Some("2026-3-1"), None, now, &tz).is_err());
        assert!(Period::from_query(Some("2026-02-30"), None, now, &tz).is_err());
        assert!(Period::from_query(Some("2024-01-01"), Some("2026-01-01"), now, &tz).is_err());
    }
}
