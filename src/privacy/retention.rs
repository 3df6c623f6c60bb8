//! The retention setting: with `--retention-days N` [`OTVET_RETENTION_DAYS`] conversation texts
//! older than N days are removed at start-up and then every hour (see
//! [`crate::Store::apply_retention`] for exactly what goes and what stays). Without it nothing is
//! ever removed.

use std::time::Duration;

use crate::store::Store;
use crate::store::privacy::RetentionReport;

/// How often the sweep runs after the first one at start-up.
pub const EVERY: Duration = Duration::from_secs(3600);

/// One day in milliseconds.
const DAY_MS: i64 = 24 * 3_600_000;

/// The moment before which texts are removed: `now` minus `days` days (Unix ms).
pub fn cutoff(now_ms: i64, days: u32) -> i64 {
    now_ms.saturating_sub(i64::from(days) * DAY_MS)
}

/// Runs one sweep for `days` days of retention at `now_ms` and logs what it removed.
pub async fn sweep(store: &Store, days: u32, now_ms: i64) -> anyhow::Result<RetentionReport> {
    let report = store.apply_retention(cutoff(now_ms, days)).await?;
    if !report.is_empty() {
        tracing::info!(
            days,
            messages = report.messages,
            unresolved_questions = report.unresolved_questions,
            conversations = report.conversations,
            rating_comments = report.rating_comments,
            customers = report.customers,
            mails = report.mails,
            files = report.files,
            "retention: old conversation texts removed"
        );
    }
    Ok(report)
}

/// Starts the sweep: now, then every [`EVERY`]. A failed sweep is logged and tried again at the
/// next hour. Abort the handle before closing the store.
pub fn spawn(store: Store, days: u32) -> tokio::task::JoinHandle<()> {
    tracing::info!(days, "retention: conversation texts are kept {days} day(s)");
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sweep(&store, days, crate::domain::now_ms()).await {
                tracing::error!(error = %format!("{e:#}"), "retention sweep failed");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_days_before_now() {
        assert_eq!(cutoff(10 * DAY_MS, 3), 7 * DAY_MS);
        assert_eq!(cutoff(0, 1), -DAY_MS);
        assert_eq!(cutoff(i64::MIN + 1, u32::MAX), i64::MIN);
    }
}
