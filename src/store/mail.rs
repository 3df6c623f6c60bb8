//! Storage of the email channel: the outbox that the mail worker sends from (claimed by one node
//! at a time, retried with backoff), and the register of mail read from the support mailbox
//! (each Message-ID once, whichever node reads it).

use super::Store;
use crate::domain::mail::{MailKind, MailStatus};

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// The conversation it belongs to.
    pub conversation_id: Option<i64>,
    /// What it is for.
    pub kind: MailKind,
    /// The recipient.
    pub to: String,
    /// The language it is written in (`ru`, `en`, `de`).
    pub lang: String,
    /// Our Message-ID (`<…@…>`), the same on every retry.
    pub message_id: String,
    /// The customer's mail this answers, for their mail client's threading.
    pub in_reply_to: Option<String>,
    /// Composed now, or `None`: composed by the worker on its first attempt.
    pub subject: Option<String>,
    /// The text, with `subject`.
    pub body: Option<String>,
    /// Not sent before this time (ms): replies wait so that a burst is one mail.
    pub not_before: i64,
}

/// A mail of the outbox, as the worker claimed it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    /// Id.
    pub id: i64,
    /// The conversation it belongs to.
    pub conversation_id: Option<i64>,
    /// What it is for.
    pub kind: MailKind,
    /// The recipient.
    pub to_addr: String,
    /// Language code.
    pub lang: String,
    /// Our Message-ID.
    pub message_id: String,
    /// The customer's mail it answers.
    pub in_reply_to: Option<String>,
    /// Subject, once composed.
    pub subject: Option<String>,
    /// Text, once composed.
    pub body: Option<String>,
    /// The last message it carries (replies and transcripts).
    pub upto_seq: Option<i64>,
    /// Where it stands.
    pub status: MailStatus,
    /// Attempts so far (this one included once claimed).
    pub attempts: i64,
    /// The last error.
    pub last_error: Option<String>,
    /// Queued (ms).
    pub created_at: i64,
    /// Accepted by the SMTP server (ms).
    pub sent_at: Option<i64>,
}

const OUTBOX_COLUMNS: &str = "id, conversation_id, kind, to_addr, lang, message_id, in_reply_to, \
     subject, body, upto_seq, status, attempts, last_error, created_at, sent_at";

impl Store {
    /// Queues a mail; true when queued. A reply joins a reply of the conversation already
    /// waiting to be composed instead (that one will carry it too): false.
    pub async fn enqueue_mail(&self, m: &NewMail, now: i64) -> anyhow::Result<bool> {
        const SQL: &str = "INSERT INTO mail_outbox (conversation_id, kind, to_addr, lang, \
             message_id, in_reply_to, subject, body, not_before, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE $2 <> 'reply' OR NOT EXISTS \
             (SELECT 1 FROM mail_outbox WHERE conversation_id = $1 AND kind = $2 \
             AND status = 'pending' AND body IS NULL)";
        let _turn = self.write_turn().await;
        let n = on_pool!(self, p => sqlx::query(SQL)
            .bind(m.conversation_id)
            .bind(m.kind)
            .bind(&m.to)
            .bind(&m.lang)
            .bind(&m.message_id)
            .bind(m.in_reply_to.as_deref())
            .bind(m.subject.as_deref())
            .bind(m.body.as_deref())
            .bind(m.not_before)
            .bind(now)
            .execute(p)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    /// Claims the oldest mail that is due and not claimed by another node, for `lease_ms`; its
    /// attempt is counted. The condition is repeated outside the sub-select so that, on
    /// PostgreSQL, a node that waited for another's claim of the same row gets nothing.
    pub async fn claim_mail(&self, now: i64, lease_ms: i64) -> anyhow::Result<Option<OutboxRow>> {
        // Every node asks twice a second: a read first, so an idle outbox takes no write lock.
        const DUE: &str = "SELECT id FROM mail_outbox WHERE status = 'pending' AND not_before <= $1 \
             AND (locked_until IS NULL OR locked_until <= $1) LIMIT 1";
        let due: Option<i64> =
            on_pool!(self, p => sqlx::query_scalar(DUE).bind(now).fetch_optional(p).await?);
        if due.is_none() {
            return Ok(None);
        }
        let sql = format!(
            "UPDATE mail_outbox SET locked_until = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM mail_outbox WHERE status = 'pending' AND not_before <= $1 \
             AND (locked_until IS NULL OR locked_until <= $1) ORDER BY not_before, id LIMIT 1) \
             AND status = 'pending' AND (locked_until IS NULL OR locked_until <= $1) \
             RETURNING {OUTBOX_COLUMNS}"
        );
        let _turn = self.write_turn().await;
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(now)
            .bind(now + lease_ms)
            .fetch_optional(p)
            .await?),
        )
    }

    /// Keeps what the worker composed for a mail, so that a retry sends the same text.
    pub async fn set_mail_content(
        &self,
        id: i64,
        subject: &str,
        body: &str,
        upto_seq: Option<i64>,
    ) -> anyhow::Result<()> {
        const SQL: &str =
            "UPDATE mail_outbox SET subject = $2, body = $3, upto_seq = $4 WHERE id = $1";
        let _turn = self.write_turn().await;
        on_pool!(self, p => sqlx::query(SQL).bind(id).bind(subject).bind(body).bind(upto_seq).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Ends a mail's attempts: sent, failed for good or skipped (with the error, if any).
    pub async fn finish_mail(
        &self,
        id: i64,
        status: MailStatus,
        error: Option<&str>,
        now: i64,
    ) -> anyhow::Result<()> {
        const SQL: &str = "UPDATE mail_outbox SET status = $2, last_error = $3, \
             sent_at = CASE WHEN $2 = 'sent' THEN $4 ELSE NULL END, locked_until = NULL \
             WHERE id = $1";
        let _turn = self.write_turn().await;
        on_pool!(self, p => sqlx::query(SQL).bind(id).bind(status).bind(error).bind(now).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Puts a mail back for another attempt at `next_at` (ms), with the error that stopped it.
    pub async fn retry_mail(&self, id: i64, next_at: i64, error: &str) -> anyhow::Result<()> {
        const SQL: &str = "UPDATE mail_outbox SET not_before = $2, last_error = $3, \
             locked_until = NULL WHERE id = $1 AND status = 'pending'";
        let _turn = self.write_turn().await;
        on_pool!(self, p => sqlx::query(SQL).bind(id).bind(next_at).bind(error).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Whether mail of `kind` about the conversation was queued since `since` (ms).
    pub async fn mail_queued_since(
        &self,
        conversation_id: i64,
        kind: MailKind,
        since: i64,
    ) -> anyhow::Result<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM mail_outbox WHERE conversation_id = $1 \
             AND kind = $2 AND created_at >= $3";
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(conversation_id).bind(kind).bind(since).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// The outbox row of one of our Message-IDs.
    pub async fn outbox_by_message_id(
        &self,
        message_id: &str,
    ) -> anyhow::Result<Option<OutboxRow>> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM mail_outbox WHERE message_id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(message_id).fetch_optional(p).await?),
        )
    }

    /// Notes that agent messages up to `seq` reached the customer.
    pub async fn mark_seen(&self, conversation_id: i64, seq: i64) -> anyhow::Result<()> {
        const SQL: &str = "UPDATE conversations SET customer_seen_seq = $2 \
             WHERE id = $1 AND customer_seen_seq < $2";
        let _turn = self.write_turn().await;
        on_pool!(self, p => sqlx::query(SQL).bind(conversation_id).bind(seq).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Registers a received mail by its Message-ID; false when some node read it before.
    pub async fn register_inbound(
        &self,
        message_id: &str,
        sender: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        const SQL: &str = "INSERT INTO mail_inbound (message_id, sender, outcome, received_at) \
             VALUES ($1, $2, 'received', $3) ON CONFLICT (message_id) DO NOTHING";
        let _turn = self.write_turn().await;
        let n = on_pool!(self, p => sqlx::query(SQL).bind(message_id).bind(sender).bind(now).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Records what became of a received mail.
    pub async fn set_inbound_outcome(
        &self,
        message_id: &str,
        conversation_id: Option<i64>,
        outcome: &str,
    ) -> anyhow::Result<()> {
        const SQL: &str =
            "UPDATE mail_inbound SET conversation_id = $2, outcome = $3 WHERE message_id = $1";
        let _turn = self.write_turn().await;
        on_pool!(self, p => sqlx::query(SQL).bind(message_id).bind(conversation_id).bind(outcome).execute(p).await?.rows_affected());
        Ok(())
    }

    /// The latest mail received in a conversation (its Message-ID), which otvet's next mail
    /// answers.
    pub async fn last_inbound_mail(&self, conversation_id: i64) -> anyhow::Result<Option<String>> {
        const SQL: &str = "SELECT message_id FROM mail_inbound WHERE conversation_id = $1 \
             ORDER BY received_at DESC LIMIT 1";
        Ok(
            on_pool!(self, p => sqlx::query_scalar(SQL).bind(conversation_id).fetch_optional(p).await?),
        )
    }

    /// Mails from `sender` registered since `since` (ms): the per-sender limit's count.
    pub async fn inbound_count_since(&self, sender: &str, since: i64) -> anyhow::Result<i64> {
        const SQL: &str =
            "SELECT COUNT(*) FROM mail_inbound WHERE sender = $1 AND received_at >= $2";
        Ok(
            on_pool!(self, p => sqlx::query_scalar(SQL).bind(sender).bind(since).fetch_one(p).await?),
        )
    }

    /// The conversation one of these Message-IDs belongs to (a mail we sent, or one we
    /// received), the latest first.
    pub async fn conversation_of_mail(&self, ids: &[String]) -> anyhow::Result<Option<i64>> {
        const SQL: &str = "SELECT conversation_id FROM mail_outbox WHERE message_id = $1 \
             AND conversation_id IS NOT NULL UNION ALL \
             SELECT conversation_id FROM mail_inbound WHERE message_id = $1 \
             AND conversation_id IS NOT NULL";
        for id in ids.iter().rev() {
            let found: Option<i64> =
                on_pool!(self, p => sqlx::query_scalar(SQL).bind(id).fetch_optional(p).await?);
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// The customer whose email is `email` (any case) with the latest conversation, if any.
    pub async fn customer_by_email(
        &self,
        email: &str,
    ) -> anyhow::Result<Option<super::chat::CustomerRow>> {
        const SQL: &str = "SELECT id, name, email, phone, verified FROM customers \
             WHERE lower(email) = lower($1) ORDER BY id DESC LIMIT 1";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(email).fetch_optional(p).await?))
    }

    /// Creates a customer known by email only (their token is random and never given out).
    pub async fn create_email_customer(
        &self,
        token_hash: &str,
        name: Option<&str>,
        email: &str,
        now: i64,
    ) -> anyhow::Result<super::chat::CustomerRow> {
        const SQL: &str = "INSERT INTO customers (token_hash, name, email, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id, name, email, phone, verified";
        let _turn = self.write_turn().await;
        Ok(
            on_pool!(self, p => sqlx::query_as(SQL).bind(token_hash).bind(name).bind(email).bind(now).fetch_one(p).await?),
        )
    }
}
