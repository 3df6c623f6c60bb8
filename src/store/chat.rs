//! Storage of the live chat's customers and conversations.
//!
//! The rest of the live chat's storage has files of its own: the numbered messages (and the
//! [`Patch`] applied to a conversation with them) in `messages`, the agents' queue in `queue`,
//! the questions the bot did not resolve in `unresolved`. Their public types are re-exported
//! here, so `store::chat::{Patch, Val, …}` keep working.

use super::Store;
pub use super::messages::{Appended, NewMessage, Patch, Val};
pub use super::queue::QueueRow;
use crate::domain::{Channel, ConversationStatus, EscalationReason};

/// A customer record (also the contact card the agents' API answers).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CustomerRow {
    /// Id.
    pub id: i64,
    /// Name, if known.
    pub name: Option<String>,
    /// Email, if known.
    pub email: Option<String>,
    /// Phone, as an agent wrote it.
    pub phone: Option<String>,
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
    pub status: ConversationStatus,
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
    pub escalation: Option<EscalationReason>,
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
    /// Where it came from.
    pub channel: Channel,
    /// The subject of the mail that started it.
    pub subject: Option<String>,
    /// Agent messages up to this seq reached the customer (widget or mail).
    pub customer_seen_seq: i64,
    /// The customer asked for the transcript by email at resolve.
    pub wants_transcript: bool,
}

const CONVERSATION_COLUMNS: &str = "id, customer_id, status, lang, page_url, agent_id, offline, \
     contact_email, agent_name, last_seq, handoff, escalation, created_at, queued_at, assigned_at, \
     first_reply_at, resolved_at, rating, rating_comment, channel, subject, customer_seen_seq, \
     wants_transcript";
/// One of a customer's earlier conversations.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct HistoryRow {
    /// Conversation.
    pub id: i64,
    /// Status.
    pub status: ConversationStatus,
    /// Started (ms).
    pub created_at: i64,
    /// First customer message.
    pub first_message: Option<String>,
    /// Rating given.
    pub rating: Option<i64>,
}
/// What the agents' conversation lists read (a [`ListedConversation`] each), before their
/// `WHERE`.
macro_rules! listed_select {
    () => {
        "SELECT c.id AS conversation_id, c.status, cu.name AS customer, cu.email, \
         (SELECT m.body FROM messages m WHERE m.conversation_id = c.id AND m.author = 'customer' \
          ORDER BY m.seq DESC LIMIT 1) AS preview, \
         c.lang, c.created_at, c.resolved_at, c.agent_name, c.rating, c.channel \
         FROM conversations c JOIN customers cu ON cu.id = c.customer_id "
    };
}

/// A conversation in the agents' lists (the resolved history, search results).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ListedConversation {
    /// Conversation.
    pub conversation_id: i64,
    /// Where it stands.
    pub status: ConversationStatus,
    /// Customer's name, if known.
    pub customer: Option<String>,
    /// Customer's email, if known.
    pub email: Option<String>,
    /// The last customer message.
    pub preview: Option<String>,
    /// Language.
    pub lang: String,
    /// Started (ms).
    pub created_at: i64,
    /// Closed (ms).
    pub resolved_at: Option<i64>,
    /// The agent who had it.
    pub agent_name: Option<String>,
    /// The customer's rating.
    pub rating: Option<i64>,
    /// Where it came from: `chat` or `email`.
    pub channel: Channel,
}

impl Store {
    /// Creates a customer known by the SHA-256 of their token.
    pub async fn create_customer(&self, token_hash: &str, now: i64) -> anyhow::Result<CustomerRow> {
        let _turn = self.write_turn().await;
        const SQL: &str = "INSERT INTO customers (token_hash, created_at) VALUES ($1, $2) \
             RETURNING id, name, email, phone, verified";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(token_hash).bind(now).fetch_one(p).await?))
    }

    /// Sets the contact card an agent edited: name, email and phone as given (`None` clears);
    /// the identity stays verified only while the email is the verified one. `None` when there
    /// is no such customer.
    pub async fn set_contact(
        &self,
        id: i64,
        name: Option<&str>,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> anyhow::Result<Option<CustomerRow>> {
        let _turn = self.write_turn().await;
        const SQL: &str = "UPDATE customers SET name = $2, \
             verified = verified AND email IS NOT NULL AND $3 IS NOT NULL AND lower(email) = lower($3), \
             email = $3, phone = $4 \
             WHERE id = $1 RETURNING id, name, email, phone, verified";
        Ok(on_pool!(self, p => sqlx::query_as(SQL)
            .bind(id)
            .bind(name)
            .bind(email)
            .bind(phone)
            .fetch_optional(p)
            .await?))
    }

    /// Resolved conversations, newest first: at most `limit`, with ids below `before` when given.
    pub async fn resolved_conversations(
        &self,
        before: Option<i64>,
        limit: i64,
    ) -> anyhow::Result<Vec<ListedConversation>> {
        const SQL: &str = concat!(
            listed_select!(),
            "WHERE c.status = 'resolved' AND c.id < $1 ORDER BY c.id DESC LIMIT $2"
        );
        Ok(on_pool!(self, p => sqlx::query_as(SQL)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(p)
            .await?))
    }

    /// Conversations whose customer's name or email contains `name` (as typed), or which match
    /// one of `term_sets`: every term of the set in one of their messages' search texts (the
    /// sets are the query read in each language). Newest first, at most `limit`.
    pub async fn search_conversations(
        &self,
        name: &str,
        term_sets: &[Vec<String>],
        limit: i64,
    ) -> anyhow::Result<Vec<ListedConversation>> {
        // SQLite's lower() and LIKE fold ASCII only: the name is tried as typed, in lower case
        // and capitalized (Анна, анна, АННА all find «Анна К.»).
        let lower = name.to_lowercase();
        let mut chars = lower.chars();
        let title: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let mut binds: Vec<String> = [name, lower.as_str(), title.as_str()]
            .iter()
            .map(|n| format!("%{n}%"))
            .collect();
        let mut any = Vec::new();
        for set in term_sets.iter().filter(|s| !s.is_empty()) {
            let all: Vec<String> = set
                .iter()
                .map(|t| {
                    binds.push(format!("% {t} %"));
                    format!(
                        "EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id \
                         AND m.search_text LIKE ${})",
                        binds.len()
                    )
                })
                .collect();
            any.push(format!("({})", all.join(" AND ")));
        }
        let words = if any.is_empty() {
            String::new()
        } else {
            format!(" OR {}", any.join(" OR "))
        };
        let sql = format!(
            "{} WHERE cu.name LIKE $1 OR cu.name LIKE $2 OR cu.name LIKE $3 \
             OR lower(cu.email) LIKE $2{words} \
             ORDER BY c.id DESC LIMIT {limit}",
            listed_select!()
        );
        on_pool!(self, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for b in &binds {
                q = q.bind(b.as_str());
            }
            Ok(q.fetch_all(p).await?)
        })
    }

    /// Up to `limit` stored messages without a search text: (conversation, seq, language,
    /// text), for the start-up fill.
    pub async fn messages_to_index(
        &self,
        limit: i64,
    ) -> anyhow::Result<Vec<(i64, i64, String, String)>> {
        const SQL: &str = "SELECT m.conversation_id, m.seq, c.lang, m.body FROM messages m \
             JOIN conversations c ON c.id = m.conversation_id \
             WHERE m.search_text IS NULL AND m.author IN ('customer', 'agent') LIMIT $1";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(limit).fetch_all(p).await?))
    }

    /// Stores a message's search text.
    pub async fn set_search_text(
        &self,
        conversation_id: i64,
        seq: i64,
        text: &str,
    ) -> anyhow::Result<()> {
        let _turn = self.write_turn().await;
        const SQL: &str =
            "UPDATE messages SET search_text = $3 WHERE conversation_id = $1 AND seq = $2";
        on_pool!(self, p => {
            sqlx::query(SQL).bind(conversation_id).bind(seq).bind(text).execute(p).await?;
        });
        Ok(())
    }

    /// The customer with this token hash.
    pub async fn customer_by_token(&self, token_hash: &str) -> anyhow::Result<Option<CustomerRow>> {
        const SQL: &str =
            "SELECT id, name, email, phone, verified FROM customers WHERE token_hash = $1";
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
             WHERE id = $1 RETURNING id, name, email, phone, verified";
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
        channel: Channel,
        now: i64,
    ) -> anyhow::Result<ConversationRow> {
        let _turn = self.write_turn().await;
        let sql = format!(
            "INSERT INTO conversations (customer_id, status, lang, page_url, created_at, channel) \
             VALUES ($1, 'bot', $2, $3, $4, $5) RETURNING {CONVERSATION_COLUMNS}"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(customer_id)
            .bind(lang)
            .bind(page_url)
            .bind(now)
            .bind(channel)
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
        const SQL: &str = "SELECT id, name, email, phone, verified FROM customers WHERE id = $1";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(id).fetch_optional(p).await?))
    }
}
