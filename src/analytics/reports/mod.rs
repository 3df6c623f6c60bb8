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

mod csv;
mod figures;
mod period;
mod report;
mod stats;
mod usual_reply;

pub use csv::{CSV_COLUMNS, csv, csv_field};
pub use figures::{Figures, first_reply_ms};
pub use period::{DEFAULT_DAYS, MAX_DAYS, Period, parse_day, start_of_day, today};
pub use report::{ArticleFigures, Report};
pub use stats::{median, percentile};
pub use usual_reply::{MIN_REPLY_SAMPLES, USUAL_REPLY_DAYS, median_first_reply, usual_reply_since};
