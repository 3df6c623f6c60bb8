//! Storage of the live chat: customers, conversations, their numbered messages, and the
//! questions the bot did not resolve.
//!
//! A message gets its sequence number from `conversations.last_seq`, bumped by the first
//! statement of the transaction that inserts it: that statement takes the conversation's write
//! lock (a row lock on PostgreSQL, the database lock on SQLite), so numbers have no gaps and a
//! resent `client_id` is found by whoever comes second.

use anyhow::Context;

use super::Store;
use crate::chat::protocol::Message;
use crate::domain::{Answer, Clarify};

/// A customer record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerRow {
    /// Id.
    pub id: i64,
    /// Name, if known.
    pub name: Option<String>,
    /// Email, if known.
    pub email: Option<String>,
    /// Whether name/email were proven by the host page's HMAC.
    pub verified: bool,
}

/// A conversation record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    /// Id.
    pub id: i64,
    /// Its customer.
    pub customer_id: i64,
    /// `bot`, `queued`, `assigned` or `resolved`.
    pub status: String,
    /// Language code.
    pub lang: String,
    /// Page the chat started on.
    pub page_url: Option<String>,
    /// The agent with it.
    pub agent_id: Option<i64>,
    /// Queued while nobody could answer.
    pub offline: bool,
    /// Email left for an answer.
    pub contact_email: Option<String>,
    /// The name of the agent with it.
    pub agent_name: Option<String>,
    /// Highest seq.
    pub last_seq: i64,
    /// The handoff packet (JSON).
    pub handoff: Option<String>,
    /// Why it was escalated: `not_helpful`, `human_request`, `no_answer`.
    pub escalation: Option<String>,
    /// Started (ms).
    pub created_at: i64,
    /// Entered the queue (ms).
    pub queued_at: Option<i64>,
    /// Taken by an agent (ms).
    pub assigned_at: Option<i64>,
    /// The first agent reply (ms).
    pub first_reply_at: Option<i64>,
    /// Resolved (ms).
    pub resolved_at: Option<i64>,
    /// Customer's rating 1–5.
    pub rating: Option<i64>,
    /// Customer's comment on the rating.
    pub rating_comment: Option<String>,
}

const CONVERSATION_COLUMNS: &str = "id, customer_id, status, lang, page_url, agent_id, offline, \
     contact_email, agent_name, last_seq, handoff, escalation, created_at, queued_at, assigned_at, \
     first_reply_at, resolved_at, rating, rating_comment";

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

#[derive(sqlx::FromRow)]
struct MessageRow {
    conversation_id: i64,
    seq: i64,
    client_id: Option<String>,
    author: String,
    agent_id: Option<i64>,
    author_name: Option<String>,
    private: bool,
    body: String,
    event: Option<String>,
    answer: Option<String>,
    feedback: Option<bool>,
    created_at: i64,
    clarify: Option<String>,
    choice: Option<i64>,
}

const MESSAGE_COLUMNS: &str = "conversation_id, seq, client_id, author, agent_id, author_name, \
     private, body, event, answer, feedback, created_at, clarify, choice";

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Message {
        Message {
            conversation_id: r.conversation_id,
            seq: r.seq,
            client_id: r.client_id,
            author: r.author,
            name: r.author_name,
            agent_id: r.agent_id,
            text: r.body,
            at: r.created_at,
            event: r.event,
            answer: r
                .answer
                .as_deref()
                .and_then(|a| serde_json::from_str::<Answer>(a).ok()),
            feedback: r.feedback,
            clarify: r
                .clarify
                .as_deref()
                .and_then(|c| serde_json::from_str::<Clarify>(c).ok()),
            choice: r.choice.and_then(|c| usize::try_from(c).ok()),
            private: r.private,
        }
    }
}

/// A message to store.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    /// The sending client's id (deduplicates resends).
    pub client_id: Option<String>,
    /// `customer`, `bot`, `agent` or `system`.
    pub author: &'static str,
    /// The agent who wrote it.
    pub agent_id: Option<i64>,
    /// The agent's name at the time.
    pub author_name: Option<String>,
    /// A private note.
    pub private: bool,
    /// Plain text.
    pub text: String,
    /// System event name.
    pub event: Option<&'static str>,
    /// Bot answer.
    pub answer: Option<Answer>,
    /// «Вы об этом?» options.
    pub clarify: Option<Clarify>,
}

/// A value bound into a conversation update.
#[derive(Debug, Clone)]
pub enum Val {
    /// An integer.
    Int(i64),
    /// A text.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// NULL in an integer column.
    NullInt,
    /// NULL in a text column.
    NullText,
}

/// Columns to set on a conversation together with a message (in the same transaction).
#[derive(Debug, Clone, Default)]
pub struct Patch {
    sets: Vec<(&'static str, Val)>,
    /// Only apply (and store the message) when the conversation is in one of these states.
    pub only_if_status: Vec<&'static str>,
    /// Only when `agent_id` equals this.
    pub only_if_agent: Option<i64>,
    /// Only when this agent has fewer than this many open conversations: (agent, cap).
    pub only_if_below_cap: Option<(i64, i64)>,
}

impl Patch {
    /// Sets a column (names are fixed by the code, never from input).
    pub fn set(mut self, column: &'static str, v: Val) -> Self {
        self.sets.push((column, v));
        self
    }

    /// Sets `first_reply_at` unless it is set already.
    pub fn first_reply(self, now: i64) -> Self {
        self.set(
            "first_reply_at = COALESCE(first_reply_at, {})",
            Val::Int(now),
        )
    }

    /// Requires one of these statuses.
    pub fn when_status(mut self, statuses: &[&'static str]) -> Self {
        self.only_if_status = statuses.to_vec();
        self
    }

    /// Requires this agent.
    pub fn when_agent(mut self, agent: i64) -> Self {
        self.only_if_agent = Some(agent);
        self
    }

    /// Requires the agent to be under their cap of open conversations.
    pub fn when_below_cap(mut self, agent: i64, cap: i64) -> Self {
        self.only_if_below_cap = Some((agent, cap));
        self
    }

    /// `SET …` and `WHERE …` of the update, binds numbered from `$2` (`$1` is the id).
    fn sql(&self, bump_seq: bool) -> (String, Vec<Val>) {
        let mut sets = Vec::new();
        let mut binds = Vec::new();
        if bump_seq {
            sets.push("last_seq = last_seq + 1".to_string());
        }
        for (col, v) in &self.sets {
            binds.push(v.clone());
            let ph = format!("${}", binds.len() + 1);
            if col.contains("{}") {
                sets.push(col.replace("{}", &ph));
            } else {
                sets.push(format!("{col} = {ph}"));
            }
        }
        if sets.is_empty() {
            sets.push("id = id".into());
        }
        let mut sql = format!("UPDATE conversations SET {} WHERE id = $1", sets.join(", "));
        if !self.only_if_status.is_empty() {
            let list: Vec<String> = self
                .only_if_status
                .iter()
                .map(|s| format!("'{s}'"))
                .collect();
            sql.push_str(&format!(" AND status IN ({})", list.join(", ")));
        }
        if let Some(a) = self.only_if_agent {
            binds.push(Val::Int(a));
            sql.push_str(&format!(" AND agent_id = ${}", binds.len() + 1));
        }
        if let Some((agent, cap)) = self.only_if_below_cap {
            binds.push(Val::Int(agent));
            binds.push(Val::Int(cap));
            sql.push_str(&format!(
                " AND (SELECT COUNT(*) FROM conversations o WHERE o.agent_id = ${} \
                 AND o.status = 'assigned') < ${}",
                binds.len(),
                binds.len() + 1
            ));
        }
        sql.push_str(" RETURNING last_seq");
        (sql, binds)
    }
}

/// What storing a message did.
#[derive(Debug, Clone)]
pub enum Appended {
    /// Stored now.
    New(Message),
    /// The same client id was stored before: that message.
    Duplicate(Message),
    /// The patch's conditions did not hold; nothing was stored.
    Refused,
}

/// A line of the agents' queue.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct QueueRow {
    /// Conversation.
    pub conversation_id: i64,
    /// `queued` or `assigned`.
    pub status: String,
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
}

/// One of a customer's earlier conversations.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct HistoryRow {
    /// Conversation.
    pub id: i64,
    /// Status.
    pub status: String,
    /// Started (ms).
    pub created_at: i64,
    /// First customer message.
    pub first_message: Option<String>,
    /// Rating given.
    pub rating: Option<i64>,
}

macro_rules! bind_vals {
    ($q:expr, $vals:expr) => {{
        let mut q = $q;
        for v in $vals {
            q = match v {
                Val::Int(i) => q.bind(*i),
                Val::Text(s) => q.bind(s.clone()),
                Val::Bool(b) => q.bind(*b),
                Val::NullInt => q.bind(None::<i64>),
                Val::NullText => q.bind(None::<String>),
            };
        }
        q
    }};
}

impl Store {
    /// Creates a customer known by the SHA-256 of their token.
    pub async fn create_customer(&self, token_hash: &str, now: i64) -> anyhow::Result<CustomerRow> {
        let _turn = self.write_turn().await;
        const SQL: &str = "INSERT INTO customers (token_hash, created_at) VALUES ($1, $2) \
             RETURNING id, name, email, verified";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(token_hash).bind(now).fetch_one(p).await?))
    }

    /// The customer with this token hash.
    pub async fn customer_by_token(&self, token_hash: &str) -> anyhow::Result<Option<CustomerRow>> {
        const SQL: &str = "SELECT id, name, email, verified FROM customers WHERE token_hash = $1";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(token_hash).fetch_optional(p).await?))
    }

    /// Records who the customer is. A verified identity is never replaced by an unverified one.
    pub async fn set_customer_identity(
        &self,
        id: i64,
        name: Option<&str>,
        email: Option<&str>,
        verified: bool,
    ) -> anyhow::Result<CustomerRow> {
        let _turn = self.write_turn().await;
        const SQL: &str = "UPDATE customers SET \
             name = CASE WHEN verified AND NOT $4 THEN name ELSE COALESCE($2, name) END, \
             email = CASE WHEN verified AND NOT $4 THEN email ELSE COALESCE($3, email) END, \
             verified = verified OR $4 \
             WHERE id = $1 RETURNING id, name, email, verified";
        Ok(on_pool!(self, p => sqlx::query_as(SQL)
            .bind(id)
            .bind(name)
            .bind(email)
            .bind(verified)
            .fetch_one(p)
            .await?))
    }

    /// The customer's latest conversation: the open one, or one resolved less than `keep_ms` ago.
    pub async fn current_conversation(
        &self,
        customer_id: i64,
        now: i64,
        keep_ms: i64,
    ) -> anyhow::Result<Option<ConversationRow>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE customer_id = $1 \
             AND (status <> 'resolved' OR resolved_at > $2) ORDER BY id DESC LIMIT 1"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(customer_id)
            .bind(now - keep_ms)
            .fetch_optional(p)
            .await?),
        )
    }

    /// Starts a conversation with the bot.
    pub async fn create_conversation(
        &self,
        customer_id: i64,
        lang: &str,
        page_url: Option<&str>,
        now: i64,
    ) -> anyhow::Result<ConversationRow> {
        let _turn = self.write_turn().await;
        let sql = format!(
            "INSERT INTO conversations (customer_id, status, lang, page_url, created_at) \
             VALUES ($1, 'bot', $2, $3, $4) RETURNING {CONVERSATION_COLUMNS}"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(customer_id)
            .bind(lang)
            .bind(page_url)
            .bind(now)
            .fetch_one(p)
            .await?),
        )
    }

    /// A conversation by id.
    pub async fn conversation(&self, id: i64) -> anyhow::Result<Option<ConversationRow>> {
        let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await?),
        )
    }

    /// Stores a message (and applies `patch` to its conversation in the same transaction).
    /// A message whose `client_id` was stored before is not stored again.
    pub async fn append_message(
        &self,
        conversation_id: i64,
        m: &NewMessage,
        patch: &Patch,
        now: i64,
    ) -> anyhow::Result<Appended> {
        let (update, binds) = patch.sql(true);
        let select_dup = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND author = $2 \
             AND client_id = $3"
        );
        let insert = format!(
            "INSERT INTO messages ({MESSAGE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12, NULL) RETURNING {MESSAGE_COLUMNS}"
        );
        let answer = m.answer.as_ref().map(serde_json::to_string).transpose()?;
        let clarify = m.clarify.as_ref().map(serde_json::to_string).transpose()?;
        // PostgreSQL checks the cap under READ COMMITTED: two claims by one agent at once would
        // each count the other's conversation as not yet assigned. A transaction lock per agent
        // makes them take turns (SQLite already writes one transaction at a time).
        let cap_lock = match (self, patch.only_if_below_cap) {
            (Store::Postgres(_), Some((agent, _))) => Some(agent),
            _ => None,
        };
        let _turn = self.write_turn().await;
        let out: Appended = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            if let Some(agent) = cap_lock {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext('otvet.agent_cap'), $1::int4)")
                    .bind(agent as i32)
                    .execute(&mut *tx)
                    .await
                    .context("locking the agent's cap")?;
            }
            let seq: Option<i64> = bind_vals!(sqlx::query_scalar(sqlx::AssertSqlSafe(update.as_str())).bind(conversation_id), &binds)
                .fetch_optional(&mut *tx)
                .await
                .context("bumping the sequence")?;
            match seq {
                None => {
                    tx.rollback().await?;
                    // Maybe a resend of a message stored before the state changed.
                    match &m.client_id {
                        Some(cid) => match sqlx::query_as::<_, MessageRow>(sqlx::AssertSqlSafe(select_dup.as_str()))
                            .bind(conversation_id).bind(m.author).bind(cid)
                            .fetch_optional(p).await? {
                            Some(row) => Appended::Duplicate(row.into()),
                            None => Appended::Refused,
                        },
                        None => Appended::Refused,
                    }
                }
                Some(seq) => {
                    let dup: Option<MessageRow> = match &m.client_id {
                        Some(cid) => sqlx::query_as(sqlx::AssertSqlSafe(select_dup.as_str()))
                            .bind(conversation_id).bind(m.author).bind(cid)
                            .fetch_optional(&mut *tx).await?,
                        None => None,
                    };
                    if let Some(row) = dup {
                        tx.rollback().await?;
                        Appended::Duplicate(row.into())
                    } else {
                        let row: MessageRow = sqlx::query_as(sqlx::AssertSqlSafe(insert.as_str()))
                            .bind(conversation_id)
                            .bind(seq)
                            .bind(m.client_id.as_deref())
                            .bind(m.author)
                            .bind(m.agent_id)
                            .bind(m.author_name.as_deref())
                            .bind(m.private)
                            .bind(&m.text)
                            .bind(m.event)
                            .bind(answer.as_deref())
                            .bind(now)
                            .bind(clarify.as_deref())
                            .fetch_one(&mut *tx)
                            .await
                            .context("inserting the message")?;
                        // Nobody is told about a message the next start would not find.
                        self.ensure_file()?;
                        tx.commit().await?;
                        Appended::New(row.into())
                    }
                }
            }
        });
        Ok(out)
    }

    /// Applies `patch` without a message; false when its conditions did not hold.
    pub async fn update_conversation(&self, id: i64, patch: &Patch) -> anyhow::Result<bool> {
        let (sql, binds) = patch.sql(false);
        let _turn = self.write_turn().await;
        let r: Option<i64> = on_pool!(self, p => bind_vals!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str())).bind(id), &binds)
            .fetch_optional(p)
            .await?);
        Ok(r.is_some())
    }

    /// Messages of a conversation after `after_seq`, in order; private notes only when asked.
    pub async fn messages_after(
        &self,
        conversation_id: i64,
        after_seq: i64,
        with_private: bool,
    ) -> anyhow::Result<Vec<Message>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 \
             AND (private = $3 OR private = FALSE) ORDER BY seq"
        );
        let rows: Vec<MessageRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(conversation_id)
            .bind(after_seq)
            .bind(with_private)
            .fetch_all(p)
            .await?);
        Ok(rows.into_iter().map(Message::from).collect())
    }

    /// One message.
    pub async fn message(&self, conversation_id: i64, seq: i64) -> anyhow::Result<Option<Message>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq = $2"
        );
        let row: Option<MessageRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(conversation_id)
            .bind(seq)
            .fetch_optional(p)
            .await?);
        Ok(row.map(Message::from))
    }

    /// Several messages by (conversation, seq), in one query on PostgreSQL; missing ones are
    /// left out.
    pub async fn messages_by_key(&self, keys: &[(i64, i64)]) -> anyhow::Result<Vec<Message>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            Store::Postgres(p) => {
                let sql = format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages WHERE (conversation_id, seq) IN \
                     (SELECT * FROM unnest($1::bigint[], $2::bigint[]))"
                );
                let (convs, seqs): (Vec<i64>, Vec<i64>) = keys.iter().copied().unzip();
                let rows: Vec<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(convs)
                    .bind(seqs)
                    .fetch_all(p)
                    .await?;
                Ok(rows.into_iter().map(Message::from).collect())
            }
            Store::Sqlite(_) => {
                let mut out = Vec::with_capacity(keys.len());
                for (c, s) in keys {
                    out.extend(self.message(*c, *s).await?);
                }
                Ok(out)
            }
        }
    }

    /// Records the customer's choice on a «Вы об этом?» message, once: an option (0-based) or
    /// `None` for "none of these"; the updated message, or `None` when there is no such
    /// choice or it was made already.
    pub async fn set_choice(
        &self,
        conversation_id: i64,
        seq: i64,
        choice: Option<usize>,
    ) -> anyhow::Result<Option<Message>> {
        let _turn = self.write_turn().await;
        let sql = format!(
            "UPDATE messages SET feedback = $3, choice = $4 WHERE conversation_id = $1 \
             AND seq = $2 AND clarify IS NOT NULL AND feedback IS NULL RETURNING {MESSAGE_COLUMNS}"
        );
        let choice = choice.map(|c| c as i64);
        let row: Option<MessageRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(conversation_id)
            .bind(seq)
            .bind(choice.is_some())
            .bind(choice)
            .fetch_optional(p)
            .await?);
        Ok(row.map(Message::from))
    }

    /// Records "Did this help?" on a bot answer, once; the updated message, or `None` when
    /// there is no such answer or it was rated already.
    pub async fn set_answer_feedback(
        &self,
        conversation_id: i64,
        seq: i64,
        helpful: bool,
    ) -> anyhow::Result<Option<Message>> {
        let _turn = self.write_turn().await;
        let sql = format!(
            "UPDATE messages SET feedback = $3 WHERE conversation_id = $1 AND seq = $2 \
             AND answer IS NOT NULL AND feedback IS NULL RETURNING {MESSAGE_COLUMNS}"
        );
        let row: Option<MessageRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(conversation_id)
            .bind(seq)
            .bind(helpful)
            .fetch_optional(p)
            .await?);
        Ok(row.map(Message::from))
    }

    /// Conversations with an agent, and the first `max_waiting` of those waiting in the
    /// queue's fair order (see `queue_order!`), each waiting one with its `position`.
    pub async fn queue(&self, max_waiting: i64) -> anyhow::Result<Vec<QueueRow>> {
        const SQL: &str = concat!(
            queue_order!(),
            "SELECT c.id AS conversation_id, c.status, cu.name AS customer, \
             (SELECT m.body FROM messages m WHERE m.conversation_id = c.id AND m.author = 'customer' \
              ORDER BY m.seq DESC LIMIT 1) AS preview, \
             c.lang, c.queued_at AS since, c.offline, c.agent_id, w.place AS position \
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

    /// Records a question the bot did not resolve (text already masked). A later reason for
    /// the same message replaces the earlier one.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_unresolved(
        &self,
        conv: &ConversationRow,
        seq: i64,
        text: &str,
        reason: &str,
        shown_json: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        let _turn = self.write_turn().await;
        const SQL: &str = "INSERT INTO unresolved_questions \
             (conversation_id, customer_id, seq, text, lang, page_url, reason, shown, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (conversation_id, seq) DO UPDATE SET reason = excluded.reason, \
             shown = excluded.shown";
        on_pool!(self, p => {
            sqlx::query(SQL)
                .bind(conv.id)
                .bind(conv.customer_id)
                .bind(seq)
                .bind(text)
                .bind(&conv.lang)
                .bind(conv.page_url.as_deref())
                .bind(reason)
                .bind(shown_json)
                .bind(now)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Unresolved questions since `since`: (text, lang, reason, shown JSON, created_at).
    pub async fn unresolved_since(
        &self,
        since: i64,
    ) -> anyhow::Result<Vec<(String, String, String, String, i64)>> {
        const SQL: &str = "SELECT text, lang, reason, shown, created_at FROM unresolved_questions \
             WHERE created_at >= $1 ORDER BY created_at";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(since).fetch_all(p).await?))
    }

    /// A customer's other conversations (and, for a verified email, those of the same email),
    /// newest first.
    pub async fn customer_history(
        &self,
        customer_id: i64,
        verified_email: Option<&str>,
        except: i64,
    ) -> anyhow::Result<Vec<HistoryRow>> {
        const SQL: &str = "SELECT c.id, c.status, c.created_at, \
             (SELECT m.body FROM messages m WHERE m.conversation_id = c.id AND m.author = 'customer' \
              ORDER BY m.seq LIMIT 1) AS first_message, c.rating \
             FROM conversations c JOIN customers cu ON cu.id = c.customer_id \
             WHERE c.id <> $1 AND (c.customer_id = $2 OR (cu.verified AND cu.email = $3)) \
             ORDER BY c.id DESC LIMIT 20";
        Ok(on_pool!(self, p => sqlx::query_as(SQL)
            .bind(except)
            .bind(customer_id)
            .bind(verified_email)
            .fetch_all(p)
            .await?))
    }

    /// A customer by id.
    pub async fn customer(&self, id: i64) -> anyhow::Result<Option<CustomerRow>> {
        const SQL: &str = "SELECT id, name, email, verified FROM customers WHERE id = $1";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(id).fetch_optional(p).await?))
    }
}
