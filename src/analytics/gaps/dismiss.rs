//! Dismissing and snoozing clusters. A cluster's id is a hash of its most central text, which
//! can change when new texts join it (or the period moves), so a dismissal remembers the
//! cluster's texts too (normalized): a cluster is hidden while a dismissal in force has its id,
//! or holds at least half of its distinct texts in the same language.

use std::collections::HashSet;

use super::period::DAY_MS;
use super::report::Cluster;
use crate::store::Store;
use crate::store::analytics::GapDismissalRow;

/// How long "snooze" hides a cluster.
pub const SNOOZE_DAYS: i64 = 30;

/// A dismissal in force, as the report lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Dismissal {
    /// Its id (to undo it).
    pub id: i64,
    /// The cluster's id when it was dismissed.
    pub cluster: String,
    /// Its title then.
    pub title: String,
    /// Snoozed until (ms); `None`: dismissed for good.
    pub until: Option<i64>,
    /// When (ms).
    pub at: i64,
    /// The clusters of this report it hides.
    pub hides: usize,
}

/// A dismissal read for matching.
pub(super) struct Rule {
    pub(super) row: GapDismissalRow,
    texts: HashSet<String>,
}

impl Rule {
    pub(super) fn of(row: GapDismissalRow) -> Self {
        let texts = serde_json::from_str::<Vec<String>>(&row.texts)
            .unwrap_or_default()
            .into_iter()
            .collect();
        Rule { row, texts }
    }

    /// Whether it hides `c`.
    pub(super) fn hides(&self, c: &Cluster) -> bool {
        if self.row.lang != c.lang.code() {
            return false;
        }
        if self.row.cluster_id == c.id {
            return true;
        }
        let inside = c.keys.iter().filter(|k| self.texts.contains(*k)).count();
        !c.keys.is_empty() && 2 * inside >= c.keys.len()
    }
}

/// Remembers that `agent` dismissed `c` (`snooze`: for [`SNOOZE_DAYS`] only); the row's id.
pub async fn dismiss(
    store: &Store,
    c: &Cluster,
    snooze: bool,
    agent: Option<i64>,
    now: i64,
) -> anyhow::Result<i64> {
    let texts = serde_json::to_string(&c.keys)?;
    let until = snooze.then_some(now + SNOOZE_DAYS * DAY_MS);
    store
        .dismiss_gap(&c.id, c.lang.code(), &c.title, &texts, until, agent, now)
        .await
}
