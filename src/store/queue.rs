//! Storage side of the agents' queue: the queued conversations in a fair order between client
//! addresses (`queue_order!`), the waiting ones, and the open conversations per agent.

use super::Store;
use crate::domain::ConversationStatus;

/// The queue's fair order, as two SQL views for the query that follows. `t` gives each queued
/// conversation its `turn_at`: when it entered the queue, plus ten minutes for each conversation
/// of the same source (the customer's address group, see the `0009_queue_source` migration;
/// one without a source is a source of its own) that entered before it and still waits. `w`
/// gives its 1-based `place`, by `turn_at`, then by time in the queue. So the second of a burst
/// from one address waits behind everyone who comes in the next ten minutes, the tenth behind
/// the next ninety: a flood from one address cannot push real customers down the queue, and
/// two colleagues behind one office address lose ten minutes' place at most.
macro_rules! queue_order {
    () => {
        "WITH t AS (SELECT id, queued_at, queued_at + 600000 * (ROW_NUMBER() OVER (\
         PARTITION BY COALESCE(source, 'c' || CAST(id AS TEXT)) ORDER BY queued_at, id) - 1) \
         AS turn_at FROM conversations WHERE status = 'queued'), \
         w AS (SELECT id, ROW_NUMBER() OVER (ORDER BY turn_at, queued_at, id) AS place FROM t) "
    };
}
/// A line of the agents' queue.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct QueueRow {
    /// Conversation.
    pub conversation_id: i64,
    /// `queued` or `assigned`.
    pub status: ConversationStatus,
    /// Customer's name, if known.
    pub customer: Option<String>,
    /// The last customer message.
    pub preview: Option<String>,
    /// Language.
    pub lang: String,
    /// In the queue since (ms).
    pub since: Option<i64>,
    /// Queued while nobody could answer.
    pub offline: bool,
    /// The agent with it.
    pub agent_id: Option<i64>,
    /// Place in the queue's fair order, for a waiting one.
    pub position: Option<i64>,
    /// Where it came from: `chat` or `email`.
    pub channel: crate::domain::Channel,
}
impl Store {
    /// Conversations with an agent, and the first `max_waiting` of those waiting in the
    /// queue's fair order (see `queue_order!`), each waiting one with its `position`.
    pub async fn queue(&self, max_waiting: i64) -> anyhow::Result<Vec<QueueRow>> {
        const SQL: &str = concat!(
            queue_order!(),
            "SELECT c.id AS conversation_id, c.status, cu.name AS customer, \
             (SELECT m.body FROM messages m WHERE m.conversation_id = c.id AND m.author = 'customer' \
              ORDER BY m.seq DESC LIMIT 1) AS preview, \
             c.lang, c.queued_at AS since, c.offline, c.agent_id, w.place AS position, c.channel \
             FROM conversations c JOIN customers cu ON cu.id = c.customer_id \
             LEFT JOIN w ON w.id = c.id \
             WHERE c.status = 'assigned' OR (c.status = 'queued' AND w.place <= $1) \
             ORDER BY COALESCE(w.place, 0), c.queued_at, c.id"
        );
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(max_waiting).fetch_all(p).await?))
    }

    /// 1-based place of a queued conversation in the queue's fair order (see `queue_order!`).
    pub async fn queue_position(&self, conversation_id: i64) -> anyhow::Result<Option<i64>> {
        const SQL: &str = concat!(queue_order!(), "SELECT place FROM w WHERE id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_scalar(SQL).bind(conversation_id).fetch_optional(p).await?),
        )
    }

    /// The place a conversation from `source` entering the queue at `now` would take.
    pub async fn queue_position_of_new(&self, source: &str, now: i64) -> anyhow::Result<i64> {
        const SQL: &str = concat!(
            queue_order!(),
            "SELECT COUNT(*) FROM t WHERE turn_at <= $2 + 600000 * \
             (SELECT COUNT(*) FROM conversations WHERE status = 'queued' AND source = $1)"
        );
        let ahead: i64 = on_pool!(self, p => sqlx::query_scalar(SQL)
            .bind(source)
            .bind(now)
            .fetch_one(p)
            .await?);
        Ok(ahead + 1)
    }

    /// Queued conversations in the queue's fair order (see `queue_order!`).
    pub async fn waiting(&self) -> anyhow::Result<Vec<i64>> {
        const SQL: &str = concat!(queue_order!(), "SELECT id FROM w ORDER BY place");
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).fetch_all(p).await?))
    }

    /// How many conversations are queued.
    pub async fn waiting_count(&self) -> anyhow::Result<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM conversations WHERE status = 'queued'";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).fetch_one(p).await?))
    }

    /// Open conversations per agent.
    pub async fn open_counts(&self) -> anyhow::Result<std::collections::HashMap<i64, i64>> {
        const SQL: &str = "SELECT agent_id, COUNT(*) FROM conversations \
             WHERE status = 'assigned' AND agent_id IS NOT NULL GROUP BY agent_id";
        let rows: Vec<(i64, i64)> = on_pool!(self, p => sqlx::query_as(SQL).fetch_all(p).await?);
        Ok(rows.into_iter().collect())
    }
}
