//! The outbox worker: claims due mail (one node at a time per mail, through a lease), writes
//! it on its first attempt, sends it, and retries temporary failures with doubling waits.
//! A mail refused for good, or still failing after the last attempt, is marked failed and the
//! conversation's agents get a note.
//!
//! Delivery is at least once: a node that dies between the server's "250 OK" and marking the
//! mail sent leaves it to be sent again when the lease ends (with the same Message-ID, which
//! mail clients use to drop the copy).

use std::time::Duration;

use super::Mail;
use super::compose::{Composed, compose, linked_files, message};
use super::smtp::{Outcome, Smtp};
use crate::chat::service::note_for_agents;
use crate::domain::mail::{MailKind, MailStatus};
use crate::domain::{Lang, Notice, now_ms};
use crate::store::mail::OutboxRow;

/// How often an idle worker looks for due mail.
const TICK: Duration = Duration::from_millis(500);
/// How long a claim lasts: longer than an SMTP conversation may take.
const LEASE_MS: i64 = 120_000;
/// The longest wait between attempts.
const MAX_BACKOFF_MS: i64 = 3_600_000;

/// Sends due mail until aborted.
pub async fn run(mail: Mail, smtp: Smtp) {
    loop {
        match send_one(&mail, &smtp).await {
            // More may be due.
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(error = ?e, "the mail outbox failed; retrying"),
        }
        tokio::time::sleep(TICK).await;
    }
}

/// The wait before attempt `attempts + 1`: the base, doubled per attempt, at most an hour.
pub fn backoff_ms(base: Duration, attempts: i64) -> i64 {
    let base = i64::try_from(base.as_millis()).unwrap_or(MAX_BACKOFF_MS);
    let doublings = u32::try_from((attempts - 1).clamp(0, 20)).unwrap_or(20);
    base.saturating_mul(1 << doublings).min(MAX_BACKOFF_MS)
}

/// Claims and handles one due mail; false when none was due.
pub async fn send_one(mail: &Mail, smtp: &Smtp) -> anyhow::Result<bool> {
    let store = &mail.chat.store;
    let Some(row) = store.claim_mail(now_ms(), LEASE_MS).await? else {
        return Ok(false);
    };
    let (subject, body, upto_seq) = match (&row.subject, &row.body) {
        (Some(s), Some(b)) => (s.clone(), b.clone(), row.upto_seq),
        _ => match compose(mail, &row).await? {
            Composed::Skip => {
                store
                    .finish_mail(row.id, MailStatus::Skipped, None, now_ms())
                    .await?;
                return Ok(true);
            }
            Composed::Mail {
                subject,
                body,
                upto_seq,
            } => {
                store
                    .set_mail_content(row.id, &subject, &body, upto_seq)
                    .await?;
                (subject, body, upto_seq)
            }
        },
    };
    let files = linked_files(mail, &body).await?;
    let outcome = match message(mail, &row, &subject, &body, &files) {
        Ok(m) => smtp.send(m).await,
        Err(e) => Outcome::Refused(e.to_string()),
    };
    match outcome {
        Outcome::Sent => {
            store
                .finish_mail(row.id, MailStatus::Sent, None, now_ms())
                .await?;
            tracing::info!(id = row.id, kind = %row.kind, conversation = ?row.conversation_id, "mail sent");
            if row.kind == MailKind::Reply
                && let (Some(conv), Some(seq)) = (row.conversation_id, upto_seq)
            {
                store.mark_seen(conv, seq).await?;
            }
        }
        Outcome::Retry(e) if row.attempts < mail.config.max_attempts => {
            let next = now_ms() + backoff_ms(mail.config.retry_base, row.attempts);
            tracing::warn!(id = row.id, attempts = row.attempts, error = %e, "mail not sent; will retry");
            store.retry_mail(row.id, next, &e).await?;
        }
        Outcome::Retry(e) | Outcome::Refused(e) => failed(mail, &row, &e).await?,
    }
    Ok(true)
}

/// Gives a mail up and tells the conversation's agents.
pub async fn failed(mail: &Mail, row: &OutboxRow, error: &str) -> anyhow::Result<()> {
    tracing::warn!(id = row.id, to = %row.to_addr, error, "mail not delivered");
    let store = &mail.chat.store;
    store
        .finish_mail(row.id, MailStatus::Failed, Some(error), now_ms())
        .await?;
    if let Some(conv) = row.conversation_id {
        let lang: Lang = row.lang.parse().unwrap_or(Lang::Ru);
        let text = undelivered(lang, &row.to_addr, error);
        if let Err(e) = note_for_agents(&mail.chat, conv, text, Notice::MailFailed).await {
            tracing::error!(
                message = e.message,
                "cannot tell agents about a failed mail"
            );
        }
    }
    Ok(())
}

/// The agents' note about a mail that did not reach the customer.
pub fn undelivered(lang: Lang, to: &str, error: &str) -> String {
    lang.pick([
        format!("Письмо на {to} не доставлено: {error}"),
        format!("The mail to {to} was not delivered: {error}"),
        format!("Die E-Mail an {to} wurde nicht zugestellt: {error}"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff_ms(base, 1), 30_000);
        assert_eq!(backoff_ms(base, 2), 60_000);
        assert_eq!(backoff_ms(base, 4), 240_000);
        assert_eq!(backoff_ms(base, 40), MAX_BACKOFF_MS);
    }
}
