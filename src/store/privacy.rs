//! Storage side of privacy: the retention sweep that removes old conversation texts, and the
//! export and deletion of everything stored about one customer (by email).
//!
//! A customer is found by email two ways: the `customers.email` the widget was told (by
//! `identify` or the contact form), and the `contact_email` left in a conversation for an
//! answer by mail. Emails are compared trimmed and case-insensitively (ASCII case on SQLite).

use serde::Serialize;
use serde_json::Value;

use super::Store;

/// What one retention sweep removed or blanked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// Messages deleted (older than the cutoff).
    pub messages: u64,
    /// Unresolved questions deleted (older than the cutoff).
    pub unresolved_questions: u64,
    /// Conversations whose handoff packet and contact email were blanked (started before the
    /// cutoff, no message left).
    pub conversations: u64,
    /// Rating comments blanked (given before the cutoff).
    pub rating_comments: u64,
    /// Customers whose name and email were blanked (no recent conversation).
    pub customers: u64,
    /// Mails deleted from the outbox and the register of received mail (older than the
    /// cutoff, and no longer waiting to be sent).
    pub mails: u64,
    /// Files deleted (sent before the cutoff).
    pub files: u64,
}

impl RetentionReport {
    /// Whether the sweep changed anything.
    pub fn is_empty(&self) -> bool {
        *self == RetentionReport::default()
    }
}

/// Everything stored about the customers with one email.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CustomerExport {
    /// The email asked about, as normalized.
    pub email: String,
    /// When the export was made (Unix ms).
    pub exported_at: i64,
    /// Each customer record with that email or with a conversation where it was left.
    pub customers: Vec<ExportedCustomer>,
    /// The conversations in which this email was left as a contact address.
    pub contact_emails: Vec<ContactEmail>,
}

impl CustomerExport {
    /// Whether nothing is stored about the email.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }
}

/// A customer record and its conversations.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedCustomer {
    /// Id.
    pub id: i64,
    /// Name, if known.
    pub name: Option<String>,
    /// Email, if known.
    pub email: Option<String>,
    /// Phone, if an agent wrote one down.
    pub phone: Option<String>,
    /// Whether the identity was proven by the site.
    pub verified: bool,
    /// First seen (Unix ms).
    pub created_at: i64,
    /// The customer's conversations, oldest first.
    #[sqlx(skip)]
    pub conversations: Vec<ExportedConversation>,
}

/// One conversation with its messages, rating and unresolved questions.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedConversation {
    /// Id.
    pub id: i64,
    /// `bot`, `queued`, `assigned` or `resolved`.
    pub status: String,
    /// Language.
    pub lang: String,
    /// Page the chat started on.
    pub page_url: Option<String>,
    /// Email left for an answer.
    pub contact_email: Option<String>,
    /// Name of the agent who had it.
    pub agent_name: Option<String>,
    /// Why it went to people.
    pub escalation: Option<String>,
    /// The handoff packet given to agents (the questions, the identity), as stored.
    #[sqlx(rename = "handoff")]
    #[serde(skip)]
    pub handoff_text: Option<String>,
    /// The handoff packet, parsed.
    #[sqlx(skip)]
    pub handoff: Option<Value>,
    /// Started (Unix ms).
    pub created_at: i64,
    /// Queued for a person (ms).
    pub queued_at: Option<i64>,
    /// Taken by an agent (ms).
    pub assigned_at: Option<i64>,
    /// First agent reply (ms).
    pub first_reply_at: Option<i64>,
    /// Resolved (ms).
    pub resolved_at: Option<i64>,
    /// Rating 1–5.
    pub rating: Option<i64>,
    /// Comment on the rating.
    pub rating_comment: Option<String>,
    /// When rated (ms).
    pub rated_at: Option<i64>,
    /// Every message, agents' private notes included, in order.
    #[sqlx(skip)]
    pub messages: Vec<ExportedMessage>,
    /// Questions of this conversation kept for the editors' reports.
    #[sqlx(skip)]
    pub unresolved_questions: Vec<ExportedQuestion>,
}

/// One message.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedMessage {
    /// Number in the conversation.
    pub seq: i64,
    /// `customer`, `bot`, `agent` or `system`.
    pub author: String,
    /// The agent's name, for agent messages.
    pub author_name: Option<String>,
    /// An agents' note the customer never saw.
    pub private: bool,
    /// The text.
    pub text: String,
    /// System event name.
    pub event: Option<String>,
    /// The customer's "helpful?" answer to a bot answer.
    pub feedback: Option<bool>,
    /// Sent (Unix ms).
    pub created_at: i64,
}

/// A question kept for the editors' gap report.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedQuestion {
    /// The message it came from.
    pub seq: i64,
    /// The text as kept (personal data masked).
    pub text: String,
    /// Language.
    pub lang: String,
    /// `no_answer`, `escalated`, …
    pub reason: String,
    /// Kept since (Unix ms).
    pub created_at: i64,
}

/// A conversation where the email was left for an answer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ContactEmail {
    /// The conversation.
    pub conversation_id: i64,
    /// Its customer record.
    pub customer_id: i64,
    /// The email as left.
    pub email: String,
    /// When the conversation started (Unix ms).
    pub created_at: i64,
}

/// What deleting a customer's data removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeletedCustomerData {
    /// The customer records deleted: (id, name, email).
    pub customers: Vec<(i64, Option<String>, Option<String>)>,
    /// Conversations deleted.
    pub conversations: u64,
    /// Messages deleted.
    pub messages: u64,
    /// Unresolved questions deleted.
    pub unresolved_questions: u64,
    /// Mails to or from the address deleted (outbox and received register).
    pub mails: u64,
    /// Files of their conversations deleted.
    pub files: u64,
}

impl DeletedCustomerData {
    /// Whether there was nothing to delete.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty() && self.mails == 0 && self.files == 0
    }
}

/// An email as compared: trimmed and lower-cased.
pub fn normalize(email: &str) -> String {
    email.trim().to_lowercase()
}

const MATCHING_CUSTOMERS: &str = "SELECT id, name, email, phone, verified, created_at FROM customers \
     WHERE lower(trim(email)) = $1 \
     OR id IN (SELECT customer_id FROM conversations WHERE lower(trim(contact_email)) = $1) \
     ORDER BY id";

impl Store {
    /// Removes conversation texts older than `cutoff` (Unix ms): messages and unresolved
    /// questions are deleted; conversations that started before it and have no message left lose
    /// their handoff packet and contact email; rating comments given before it are blanked;
    /// customers first seen before it with no conversation that started after it or still has
    /// messages lose their name and email. Conversation rows (times, status, rating) stay, so
    /// counts and timings in reports still add up.
    pub async fn apply_retention(&self, cutoff: i64) -> anyhow::Result<RetentionReport> {
        const MESSAGES: &str = "DELETE FROM messages WHERE created_at < $1";
        const QUESTIONS: &str = "DELETE FROM unresolved_questions WHERE created_at < $1";
        const CONVERSATIONS: &str = "UPDATE conversations SET handoff = NULL, contact_email = NULL \
             WHERE created_at < $1 AND (handoff IS NOT NULL OR contact_email IS NOT NULL) \
             AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id)";
        const COMMENTS: &str = "UPDATE conversations SET rating_comment = NULL \
             WHERE rating_comment IS NOT NULL AND COALESCE(rated_at, resolved_at, created_at) < $1";
        const CUSTOMERS: &str = "UPDATE customers SET name = NULL, email = NULL, phone = NULL, verified = $2 \
             WHERE created_at < $1 AND (name IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL) \
             AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.customer_id = customers.id \
               AND (c.created_at >= $1 \
                 OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)))";
        const OUTBOX: &str =
            "DELETE FROM mail_outbox WHERE created_at < $1 AND status <> 'pending'";
        const INBOUND: &str = "DELETE FROM mail_inbound WHERE received_at < $1";
        const FILES: &str = "DELETE FROM attachments WHERE created_at < $1";
        let report = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let files = sqlx::query(FILES).bind(cutoff).execute(&mut *tx).await?.rows_affected();
            let mails = sqlx::query(OUTBOX).bind(cutoff).execute(&mut *tx).await?.rows_affected()
                + sqlx::query(INBOUND).bind(cutoff).execute(&mut *tx).await?.rows_affected();
            let messages = sqlx::query(MESSAGES).bind(cutoff).execute(&mut *tx).await?.rows_affected();
            let unresolved_questions =
                sqlx::query(QUESTIONS).bind(cutoff).execute(&mut *tx).await?.rows_affected();
            let conversations =
                sqlx::query(CONVERSATIONS).bind(cutoff).execute(&mut *tx).await?.rows_affected();
            let rating_comments =
                sqlx::query(COMMENTS).bind(cutoff).execute(&mut *tx).await?.rows_affected();
            let customers = sqlx::query(CUSTOMERS)
                .bind(cutoff)
                .bind(false)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            RetentionReport { messages, unresolved_questions, conversations, rating_comments, customers, mails, files }
        });
        Ok(report)
    }

    /// Everything stored about the customers with this email (see the module docs).
    pub async fn customer_export(&self, email: &str, now: i64) -> anyhow::Result<CustomerExport> {
        const CONVERSATIONS: &str = "SELECT id, status, lang, page_url, contact_email, agent_name, \
             escalation, handoff, created_at, queued_at, assigned_at, first_reply_at, resolved_at, \
             rating, rating_comment, rated_at FROM conversations WHERE customer_id = $1 ORDER BY id";
        const MESSAGES: &str = "SELECT seq, author, author_name, private, body AS text, event, \
             feedback, created_at FROM messages WHERE conversation_id = $1 ORDER BY seq";
        const QUESTIONS: &str = "SELECT seq, text, lang, reason, created_at \
             FROM unresolved_questions WHERE conversation_id = $1 ORDER BY seq";
        const CONTACTS: &str = "SELECT id AS conversation_id, customer_id, contact_email AS email, \
             created_at FROM conversations WHERE lower(trim(contact_email)) = $1 ORDER BY id";
        let email = normalize(email);
        let mut customers: Vec<ExportedCustomer> = on_pool!(self, p =>
            sqlx::query_as(MATCHING_CUSTOMERS).bind(&email).fetch_all(p).await?);
        for c in &mut customers {
            let mut conversations: Vec<ExportedConversation> = on_pool!(self, p =>
                sqlx::query_as(CONVERSATIONS).bind(c.id).fetch_all(p).await?);
            for conv in &mut conversations {
                conv.handoff = conv
                    .handoff_text
                    .as_deref()
                    .map(|h| serde_json::from_str(h).unwrap_or_else(|_| Value::String(h.into())));
                conv.messages = on_pool!(self, p =>
                    sqlx::query_as(MESSAGES).bind(conv.id).fetch_all(p).await?);
                conv.unresolved_questions = on_pool!(self, p =>
                    sqlx::query_as(QUESTIONS).bind(conv.id).fetch_all(p).await?);
            }
            c.conversations = conversations;
        }
        let contact_emails: Vec<ContactEmail> =
            on_pool!(self, p => sqlx::query_as(CONTACTS).bind(&email).fetch_all(p).await?);
        Ok(CustomerExport {
            email,
            exported_at: now,
            customers,
            contact_emails,
        })
    }

    /// Deletes everything stored about the customers with this email: their records,
    /// conversations, messages and unresolved questions, in one transaction. Deleting again
    /// finds nothing.
    pub async fn delete_customer_data(&self, email: &str) -> anyhow::Result<DeletedCustomerData> {
        const QUESTIONS: &str = "DELETE FROM unresolved_questions WHERE customer_id = $1 \
             OR conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)";
        const MESSAGES: &str = "DELETE FROM messages \
             WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)";
        const CONVERSATIONS: &str = "DELETE FROM conversations WHERE customer_id = $1";
        const FILES: &str = "DELETE FROM attachments \
             WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)";
        const CUSTOMER: &str = "DELETE FROM customers WHERE id = $1";
        const OUTBOX: &str = "DELETE FROM mail_outbox WHERE lower(to_addr) = $1 \
             OR conversation_id IN (SELECT c.id FROM conversations c JOIN customers cu \
               ON cu.id = c.customer_id WHERE lower(trim(cu.email)) = $1 \
               OR lower(trim(c.contact_email)) = $1)";
        const INBOUND: &str = "DELETE FROM mail_inbound WHERE sender = $1";
        let email = normalize(email);
        let out = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let mails = sqlx::query(OUTBOX).bind(&email).execute(&mut *tx).await?.rows_affected()
                + sqlx::query(INBOUND).bind(&email).execute(&mut *tx).await?.rows_affected();
            let found: Vec<ExportedCustomer> =
                sqlx::query_as(MATCHING_CUSTOMERS).bind(&email).fetch_all(&mut *tx).await?;
            let mut out = DeletedCustomerData { mails, ..Default::default() };
            for c in found {
                out.unresolved_questions +=
                    sqlx::query(QUESTIONS).bind(c.id).execute(&mut *tx).await?.rows_affected();
                out.messages += sqlx::query(MESSAGES).bind(c.id).execute(&mut *tx).await?.rows_affected();
                out.files += sqlx::query(FILES).bind(c.id).execute(&mut *tx).await?.rows_affected();
                out.conversations +=
                    sqlx::query(CONVERSATIONS).bind(c.id).execute(&mut *tx).await?.rows_affected();
                sqlx::query(CUSTOMER).bind(c.id).execute(&mut *tx).await?;
                out.customers.push((c.id, c.name, c.email));
            }
            tx.commit().await?;
            out
        });
        Ok(out)
    }

    /// Clears the space that deleted rows leave, so an erased customer's texts are gone from the
    /// database's files too, not only from its tables. Idempotent; `otvet customer delete` runs
    /// it after every deletion (a run that failed is completed by running the command again).
    ///
    /// SQLite connections overwrite deleted rows with zeros (`secure_delete`, see
    /// [`Store::connect`]), but the write-ahead log still holds the pages as they were before:
    /// a `TRUNCATE` checkpoint copies the zeroed pages into the database file and empties the
    /// log (it waits up to the busy timeout for readers of older snapshots, then retries).
    /// PostgreSQL keeps deleted tuples until `VACUUM`, which cannot run in a transaction: the
    /// tables the deletion touched are vacuumed (tuples still visible to a running transaction
    /// stay until a later vacuum).
    pub async fn scrub_deleted(&self) -> anyhow::Result<()> {
        match self {
            Store::Sqlite(p) => {
                let mut attempts = 0;
                loop {
                    let (busy, _log, _moved): (i64, i64, i64) =
                        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                            .fetch_one(p)
                            .await?;
                    if busy == 0 {
                        return Ok(());
                    }
                    attempts += 1;
                    anyhow::ensure!(
                        attempts < 5,
                        "the write-ahead log still holds deleted data: other connections kept \
                         reading; run the command again"
                    );
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
            Store::Postgres(p) => {
                // The simple protocol: VACUUM cannot be prepared or run in a transaction block.
                sqlx::raw_sql("VACUUM unresolved_questions, messages, conversations, customers, mail_outbox, mail_inbound, attachments")
                    .execute(p)
                    .await?;
                Ok(())
            }
        }
    }
}
