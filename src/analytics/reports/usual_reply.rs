//! The usual reply time ("we usually reply in N minutes"): its window and the median first reply
//! of the conversations started in it, the same figure as the dashboard's.

use jiff::tz::TimeZone;

use super::period::Period;
use super::stats::median;
use crate::store::Store;

/// Days of the window behind "we usually reply in N minutes" (today and the 13 before).
pub const USUAL_REPLY_DAYS: i64 = 14;
/// With fewer first replies than this in the window, no usual reply time is promised.
pub const MIN_REPLY_SAMPLES: usize = 3;

/// The start (Unix ms) of the window behind "we usually reply in N minutes" at `now`: the
/// beginning of the day [`USUAL_REPLY_DAYS`] − 1 days before today in `tz`. So the widget's
/// figure is the dashboard's median first reply for the last 14 days (`?from=` 13 days ago).
pub fn usual_reply_since(now: i64, tz: &TimeZone) -> i64 {
    Period::last_days(USUAL_REPLY_DAYS, now, tz)
        .map(|p| p.start_ms())
        .unwrap_or(now - USUAL_REPLY_DAYS * 24 * 3_600_000)
}

/// The median time (ms) to an agent's first reply of the conversations started since `since`:
/// the dashboard's figure ([`first_reply_ms`](super::first_reply_ms), [`median`]) for a period
/// starting then. `None` with fewer than [`MIN_REPLY_SAMPLES`] replies, when no honest estimate
/// can be given. The chat's expected wait and `GET /api/chat/info` use it.
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
