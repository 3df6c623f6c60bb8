//! Storage of the conversations' numbered messages, and of the [`Patch`] applied to a
//! conversation in the same transaction as a message (or alone).
//!
//! A message gets its sequence number from `conversations.last_seq`, bumped by the first
//! statement of the transaction that inserts it: that statement takes the conversation's write
//! lock (a row lock on PostgreSQL, the database lock on SQLite), so numbers have no gaps and a
//! resent `client_id` is found by whoever comes second.

use anyhow::Context;

use super::Store;
use crate::domain::message::Message;
use crate::domain::{Answer, Clarify};
use crate::domain::{Author, ConversationStatus, Notice};

#[derive(sqlx::FromRow)]
struct MessageRow {
    conversation_id: i64,
    seq: i64,
    client_id: Option<String>,
    author: Author,
    agent_id: Option<i64>,
    author_name: Option<String>,
    private: bool,
    body: String,
    event: Option<Notice>,
    answer: Option<String>,
    feedback: Option<bool>,
    created_at: i64,
    clarify: Option<String>,
    choice: Option<i64>,
    attachment: Option<String>,
}

const MESSAGE_COLUMNS: &str = "conversation_id, seq, client_id, author, agent_id, author_name, \
     private, body, event, answer, feedback, created_at, clarify, choice, attachment";

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
            attachment: r
                .attachment
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok()),
            private: r.private,
        }
    }
}

/// A message to store.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    /// The sending client's id (deduplicates resends).
    pub client_id: Option<String>,
    /// Who wrote it.
    pub author: Author,
    /// The agent who wrote it.
    pub agent_id: Option<i64>,
    /// The agent's name at the time.
    pub author_name: Option<String>,
    /// A private note.
    pub private: bool,
    /// Plain text.
    pub text: String,
    /// What a system or bot message announces.
    pub event: Option<Notice>,
    /// Bot answer.
    pub answer: Option<Answer>,
    /// «Вы об этом?» options.
    pub clarify: Option<Clarify>,
    /// A file it carries.
    pub attachment: Option<crate::domain::attachment::Attachment>,
    /// What conversation search matches (`search::analyzer::search_text`), for the customer's
    /// and agents' texts.
    pub search_text: Option<String>,
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
    pub only_if_status: Vec<ConversationStatus>,
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

    /// Sets the status.
    pub fn status(self, status: ConversationStatus) -> Self {
        self.set("status", Val::Text(status.as_str().into()))
    }

    /// Requires one of these statuses.
    pub fn when_status(mut self, statuses: &[ConversationStatus]) -> Self {
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
            "INSERT INTO messages ({MESSAGE_COLUMNS}, search_text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12, NULL, $14, $13) RETURNING {MESSAGE_COLUMNS}"
        );
        let answer = m.answer.as_ref().map(serde_json::to_string).transpose()?;
        let clarify = m.clarify.as_ref().map(serde_json::to_string).transpose()?;
        let attachment = m
            .attachment
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
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
                            .bind(m.search_text.as_deref())
                            .bind(attachment.as_deref())
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

    /// The message a client stored under `client_id` (as `author`), if any.
    pub async fn message_by_client_id(
        &self,
        conversation_id: i64,
        author: Author,
        client_id: &str,
    ) -> anyhow::Result<Option<Message>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND author = $2 \
             AND client_id = $3"
        );
        let row: Option<MessageRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(conversation_id)
            .bind(author)
            .bind(client_id)
            .fetch_optional(p)
            .await?);
        Ok(row.map(Message::from))
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
}
