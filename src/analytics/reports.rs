//! Support analytics: the figures of `/agent/reports` (editors and admins, served by
//! `web::analytics::reports`) and its CSV export,
//! per day of a period in the business time zone and over the whole period.
//!
//! Days are those of the business time zone in force (`--timezone`, or the one
//! an admin set with the business hours). The store returns raw rows ([`crate::store::reports`]); everything else — days, rates,
//! medians, percentiles — is computed here in Rust, so SQLite and PostgreSQL give the same
//! numbers. Definitions (also in README.md, "Support analytics"):
//!
//! - **Conversations** — conversations *started* on the day (`created_at`). Every figure about
//!   conversations (self-service, escalation, reply and resolution times, CSAT) counts a
//!   conversation on the day it started, whenever the later events happened.
//! - **With a question** — conversations where the bot answered with an article or said it
//!   found nothing, or which reached a person (queued or taken by an agent). Greetings and
//!   thanks alone do not count.
//! - **Self-served** — the bot answered with an article at least once and the conversation never
//!   reached a person: the customer said "Yes", or left without asking for one. *Confirmed* are
//!   those where the customer also said "Yes" to an answer.
//! - **Escalated** — reached a person: entered the agents' queue (asked for a person, said "No",
//!   or the bot found nothing and they asked), or an agent took it straight from the bot.
//! - **Self-service rate** = self-served ÷ with a question; **escalation rate** = escalated ÷
//!   with a question. The rest of "with a question" is the bot finding nothing and the customer
//!   leaving.
//! - **Time to first reply** — `first_reply_at − queued_at`, over escalated conversations an
//!   agent answered (waiting outside business hours included). Median and p90.
//! - **Time to resolve** — `resolved_at − queued_at`, over escalated conversations that were
//!   resolved: how long the customer's problem stayed with people. Median.
//! - **CSAT** — the customers' ratings (1–5) of conversations started on the day: the average and
//!   how many of each score.
//! - **Article views** — distinct visitors per article and day as the help center counts them
//!   (stored per UTC day, so views keep the UTC day). **Helpful votes** — "Was this helpful?"
//!   votes by the time they were cast (a changed vote counts once, on the day it last changed).
//!   **Chat answers** — bot answers with an article, by the time they were sent, with the
//!   customers' Yes/No.
//! - **Searches without results** — help-center searches whose best hit did not reach the
//!   confidence threshold (the `search_log` the gap report keeps), by the time of the search.
//!   **Bot found nothing** — the chat bot's "I found nothing" replies, by the time they were sent.
//!
//! Medians are the middle value (the mean of the two middle values for an even count); the p90
//! is the nearest-rank percentile (the smallest value with at least 90 % of the values at or
//! below it). Durations below zero (clock changes) count as zero.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use crate::domain::{Answer, Clarify};
use crate::store::Store;
use crate::store::reports::{ReportBotMessage, ReportConversation, ReportViews, ReportVote};

/// Days of the default period (today and the 29 days before it).
pub const DEFAULT_DAYS: i64 = 30;
/// The longest period a report covers.
pub const MAX_DAYS: i64 = 366;
/// Days of the window behind "we usually reply in N minutes" (today and the 13 before).
pub const USUAL_REPLY_DAYS: i64 = 14;
/// With fewer first replies than this in the window, no usual reply time is promised.
pub const MIN_REPLY_SAMPLES: usize = 3;

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

/// The middle value of sorted values (the mean of the two middle ones for an even count).
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => {
            let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
            Some(a + (b - a) / 2)
        }
    }
}

/// The nearest-rank `p`-th percentile (0 < p ≤ 100) of sorted values: the smallest value with at
/// least `p` % of the values at or below it.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let p = p.clamp(1, 100) as usize;
    let rank = (p * n).div_ceil(100);
    Some(sorted[rank.max(1) - 1])
}

/// The figures of one day, or of the whole period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Conversations started.
    pub conversations: u64,
    /// Of them, with a question for the bot or a person.
    pub with_question: u64,
    /// Of them, answered by the bot and never with a person.
    pub self_served: u64,
    /// Of the self-served, those where the customer said "Yes".
    pub self_served_confirmed: u64,
    /// Of those with a question, the ones that reached a person.
    pub escalated: u64,
    /// Times to an agent's first reply (ms), sorted.
    pub first_reply_ms: Vec<i64>,
    /// Times from the queue to resolved (ms), sorted.
    pub resolve_ms: Vec<i64>,
    /// How many ratings of 1, 2, 3, 4 and 5.
    pub ratings: [u64; 5],
    /// Article views (distinct visitors per article and day).
    pub views: u64,
    /// "Was this helpful?" Yes votes.
    pub votes_yes: u64,
    /// "Was this helpful?" No votes.
    pub votes_no: u64,
    /// Bot answers with an article in the chat.
    pub chat_answers: u64,
    /// Of them, called helpful by the customer.
    pub chat_yes: u64,
    /// Of them, called unhelpful.
    pub chat_no: u64,
    /// The chat bot's "I found nothing" replies.
    pub bot_no_answers: u64,
    /// Help-center searches without a confident hit.
    pub searches_without_results: u64,
}

/// `part ÷ whole`, `None` when `whole` is zero.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Figures {
    /// Self-served ÷ with a question.
    pub fn self_service_rate(&self) -> Option<f64> {
        ratio(self.self_served, self.with_question)
    }

    /// Escalated ÷ with a question.
    pub fn escalation_rate(&self) -> Option<f64> {
        ratio(self.escalated, self.with_question)
    }

    /// Median time to an agent's first reply (ms).
    pub fn first_reply_median(&self) -> Option<i64> {
        median(&self.first_reply_ms)
    }

    /// 90th percentile of the time to an agent's first reply (ms).
    pub fn first_reply_p90(&self) -> Option<i64> {
        percentile(&self.first_reply_ms, 90)
    }

    /// Median time from the queue to resolved (ms).
    pub fn resolve_median(&self) -> Option<i64> {
        median(&self.resolve_ms)
    }

    /// Number of ratings.
    pub fn rating_count(&self) -> u64 {
        self.ratings.iter().sum()
    }

    /// The average rating (1–5).
    pub fn csat_average(&self) -> Option<f64> {
        let n = self.rating_count();
        let sum: u64 = self
            .ratings
            .iter()
            .enumerate()
            .map(|(i, c)| (i as u64 + 1) * c)
            .sum();
        ratio(sum, n)
    }

    /// Share of helpful votes among the help center's votes.
    pub fn helpful_share(&self) -> Option<f64> {
        ratio(self.votes_yes, self.votes_yes + self.votes_no)
    }

    /// Adds a conversation started on this day.
    fn add_conversation(&mut self, c: &ReportConversation) {
        self.conversations += 1;
        let person = c.queued_at.is_some() || c.assigned_at.is_some();
        if c.answers > 0 || c.no_answers > 0 || person {
            self.with_question += 1;
        }
        if person {
            self.escalated += 1;
        } else if c.answers > 0 {
            self.self_served += 1;
            if c.helpful_answers > 0 {
                self.self_served_confirmed += 1;
            }
        }
        if let Some(ms) = first_reply_ms(c) {
            self.first_reply_ms.push(ms);
        }
        if let (Some(q), Some(r)) = (c.queued_at, c.resolved_at) {
            self.resolve_ms.push((r - q).max(0));
        }
        if let Some(r) = c.rating.filter(|r| (1..=5).contains(r)) {
            self.ratings[r as usize - 1] += 1;
        }
    }

    /// Adds another day's figures (samples are merged, not their medians).
    fn add(&mut self, o: &Figures) {
        self.conversations += o.conversations;
        self.with_question += o.with_question;
        self.self_served += o.self_served;
        self.self_served_confirmed += o.self_served_confirmed;
        self.escalated += o.escalated;
        self.first_reply_ms.extend_from_slice(&o.first_reply_ms);
        self.resolve_ms.extend_from_slice(&o.resolve_ms);
        for (a, b) in self.ratings.iter_mut().zip(o.ratings) {
            *a += b;
        }
        self.views += o.views;
        self.votes_yes += o.votes_yes;
        self.votes_no += o.votes_no;
        self.chat_answers += o.chat_answers;
        self.chat_yes += o.chat_yes;
        self.chat_no += o.chat_no;
        self.bot_no_answers += o.bot_no_answers;
        self.searches_without_results += o.searches_without_results;
    }

    fn sort(&mut self) {
        self.first_reply_ms.sort_unstable();
        self.resolve_ms.sort_unstable();
    }
}

/// The time (ms) from the queue to an agent's first reply of a conversation, if it has both.
/// The dashboard and [`median_first_reply`] use this one definition.
pub fn first_reply_ms(c: &ReportConversation) -> Option<i64> {
    Some((c.first_reply_at? - c.queued_at?).max(0))
}

/// One article's figures over the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleFigures {
    /// Language code.
    pub lang: String,
    /// Slug.
    pub slug: String,
    /// Views.
    pub views: u64,
    /// "Was this helpful?" Yes votes.
    pub yes: u64,
    /// "Was this helpful?" No votes.
    pub no: u64,
    /// Times the bot answered with it in the chat.
    pub chat_answers: u64,
    /// Of them, called helpful.
    pub chat_yes: u64,
    /// Of them, called unhelpful.
    pub chat_no: u64,
}

/// A whole report: per day, the total, and the articles.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// The figures of each day of the period, in order.
    pub days: Vec<Figures>,
    /// The figures of the whole period (medians over all its samples).
    pub total: Figures,
    /// Articles with views, votes or chat answers in the period: most viewed first, then most
    /// votes and answers.
    pub articles: Vec<ArticleFigures>,
}

/// The language and slug of an answer's article (its URL is `/{lang}/articles/{slug}#…`).
fn answer_article(a: &Answer) -> (String, String) {
    let path = a.url.split(['#', '?']).next().unwrap_or("");
    let lang = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_string();
    (lang, a.slug.clone())
}

impl Report {
    /// Reads the period's rows from the store and computes the report.
    pub async fn compute(store: &Store, period: &Period) -> anyhow::Result<Report> {
        let (from, to) = (period.start_ms(), period.end_ms());
        let conversations = store.report_conversations(from, to).await?;
        let bot = store.report_bot_messages(from, to).await?;
        let views = store
            .report_views(&period.from().to_string(), &period.to().to_string())
            .await?;
        let votes = store.report_votes(from, to).await?;
        let misses = store.report_search_misses(from, to).await?;
        Ok(Report::assemble(
            period,
            &conversations,
            &bot,
            &views,
            &votes,
            &misses,
        ))
    }

    /// Computes the report from the period's rows (rows outside the period are ignored).
    pub fn assemble(
        period: &Period,
        conversations: &[ReportConversation],
        bot: &[ReportBotMessage],
        views: &[ReportViews],
        votes: &[ReportVote],
        search_misses: &[i64],
    ) -> Report {
        let mut days = vec![Figures::default(); period.len()];
        let mut articles: HashMap<(String, String), ArticleFigures> = HashMap::new();
        for c in conversations {
            if let Some(i) = period.day_index(c.created_at) {
                days[i].add_conversation(c);
            }
        }
        for m in bot {
            let Some(i) = period.day_index(m.created_at) else {
                continue;
            };
            let d = &mut days[i];
            if m.event.as_deref() == Some("no_answer") {
                d.bot_no_answers += 1;
            }
            // A choice counts like "Did this help?": an option chosen is a yes for its article
            // (whose answer follows, without asking again), "none of these" a no.
            if let Some(clarify) = m
                .clarify
                .as_deref()
                .and_then(|c| serde_json::from_str::<Clarify>(c).ok())
            {
                match (m.feedback, m.choice.and_then(|i| usize::try_from(i).ok())) {
                    (Some(true), Some(i)) => {
                        d.chat_yes += 1;
                        if let Some(o) = clarify.options.get(i) {
                            entry(&mut articles, o.lang.code(), &o.slug).chat_yes += 1;
                        }
                    }
                    (Some(false), _) => d.chat_no += 1,
                    _ => {}
                }
                continue;
            }
            let Some(answer) = m
                .answer
                .as_deref()
                .and_then(|a| serde_json::from_str::<Answer>(a).ok())
            else {
                continue;
            };
            d.chat_answers += 1;
            d.chat_yes += u64::from(m.feedback == Some(true));
            d.chat_no += u64::from(m.feedback == Some(false));
            let (lang, slug) = answer_article(&answer);
            let a = entry(&mut articles, &lang, &slug);
            a.chat_answers += 1;
            a.chat_yes += u64::from(m.feedback == Some(true));
            a.chat_no += u64::from(m.feedback == Some(false));
        }
        for v in views {
            let Some(i) = parse_day(&v.day).ok().and_then(|d| period.index_of_date(d)) else {
                continue;
            };
            let n = v.views.max(0) as u64;
            days[i].views += n;
            entry(&mut articles, &v.lang, &v.slug).views += n;
        }
        for v in votes {
            let Some(i) = period.day_index(v.at) else {
                continue;
            };
            let a = entry(&mut articles, &v.lang, &v.slug);
            if v.helpful {
                days[i].votes_yes += 1;
                a.yes += 1;
            } else {
                days[i].votes_no += 1;
                a.no += 1;
            }
        }
        for &at in search_misses {
            if let Some(i) = period.day_index(at) {
                days[i].searches_without_results += 1;
            }
        }

        let mut total = Figures::default();
        for d in &mut days {
            d.sort();
            total.add(d);
        }
        total.sort();
        let mut articles: Vec<ArticleFigures> = articles.into_values().collect();
        articles.sort_by(|a, b| {
            b.views
                .cmp(&a.views)
                .then((b.yes + b.no + b.chat_answers).cmp(&(a.yes + a.no + a.chat_answers)))
                .then(a.lang.cmp(&b.lang))
                .then(a.slug.cmp(&b.slug))
        });
        Report {
            period: period.clone(),
            days,
            total,
            articles,
        }
    }
}

fn entry<'a>(
    articles: &'a mut HashMap<(String, String), ArticleFigures>,
    lang: &str,
    slug: &str,
) -> &'a mut ArticleFigures {
    articles
        .entry((lang.to_string(), slug.to_string()))
        .or_insert_with(|| ArticleFigures {
            lang: lang.to_string(),
            slug: slug.to_string(),
            ..Default::default()
        })
}

/// The start (Unix ms) of the window behind "we usually reply in N minutes" at `now`: the
/// beginning of the day [`USUAL_REPLY_DAYS`] − 1 days before today in `tz`. So the widget's
/// figure is the dashboard's median first reply for the last 14 days (`?from=` 13 days ago).
pub fn usual_reply_since(now: i64, tz: &TimeZone) -> i64 {
    Period::last_days(USUAL_REPLY_DAYS, now, tz)
        .map(|p| p.start_ms())
        .unwrap_or(now - USUAL_REPLY_DAYS * 24 * 3_600_000)
}

/// The median time (ms) to an agent's first reply of the conversations started since `since`:
/// the dashboard's figure ([`first_reply_ms`], [`median`]) for a period starting then. `None`
/// with fewer than [`MIN_REPLY_SAMPLES`] replies, when no honest estimate can be given. The
/// chat's expected wait and `GET /api/chat/info` use it.
pub async fn median_first_reply(store: &Store, since: i64) -> anyhow::Result<Option<i64>> {
    let mut samples: Vec<i64> = store
        .first_reply_samples(since)
        .await?
        .into_iter()
        .map(|ms| ms.max(0))
        .collect();
    if samples.len() < MIN_REPLY_SAMPLES {
        return Ok(None);
    }
    samples.sort_unstable();
    Ok(median(&samples))
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 29] = [
    "day",
    "conversations",
    "with_question",
    "self_served",
    "self_served_confirmed",
    "self_service_rate",
    "escalated",
    "escalation_rate",
    "first_replies",
    "first_reply_median_secs",
    "first_reply_p90_secs",
    "resolved",
    "resolve_median_secs",
    "ratings",
    "csat_average",
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
    "article_views",
    "helpful_yes",
    "helpful_no",
    "chat_answers",
    "chat_answers_yes",
    "chat_answers_no",
    "bot_no_answers",
    "searches_without_results",
    "time_zone",
];

/// A CSV field: quoted (with `"` doubled) when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A ratio with 4 decimals, empty when undefined.
fn csv_ratio(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.4}")).unwrap_or_default()
}

/// Milliseconds as whole seconds (rounded), empty when undefined.
fn csv_secs(ms: Option<i64>) -> String {
    ms.map(|ms| ((ms + 500).div_euclid(1000)).to_string())
        .unwrap_or_default()
}

/// The report as CSV (RFC 4180: a header line, then one line per day, CRLF line ends). Rates are
/// fractions (0.6667), durations whole seconds, empty cells where a figure has no data.
pub fn csv(report: &Report) -> String {
    let tz = report.period.tz().iana_name().unwrap_or("UTC");
    let mut out = String::new();
    let header: Vec<String> = CSV_COLUMNS.iter().map(|c| csv_field(c)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for (day, f) in report.period.days().iter().zip(&report.days) {
        let mut row = vec![
            day.to_string(),
            f.conversations.to_string(),
            f.with_question.to_string(),
            f.self_served.to_string(),
            f.self_served_confirmed.to_string(),
            csv_ratio(f.self_service_rate()),
            f.escalated.to_string(),
            csv_ratio(f.escalation_rate()),
            f.first_reply_ms.len().to_string(),
            csv_secs(f.first_reply_median()),
            csv_secs(f.first_reply_p90()),
            f.resolve_ms.len().to_string(),
            csv_secs(f.resolve_median()),
            f.rating_count().to_string(),
            f.csat_average()
                .map(|a| format!("{a:.2}"))
                .unwrap_or_default(),
        ];
        row.extend(f.ratings.iter().map(u64::to_string));
        row.extend([
            f.views.to_string(),
            f.votes_yes.to_string(),
            f.votes_no.to_string(),
            f.chat_answers.to_string(),
            f.chat_yes.to_string(),
            f.chat_no.to_string(),
            f.bot_no_answers.to_string(),
            f.searches_without_results.to_string(),
            tz.to_string(),
        ]);
        let row: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_percentiles() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 3]), Some(2));
        assert_eq!(median(&[1, 2, 10]), Some(2));
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(percentile(&[7], 90), Some(7));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 90), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(percentile(&eleven, 90), Some(10));
        assert_eq!(percentile(&[1, 2, 3], 90), Some(3));
    }

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

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("abc"), "abc");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
