//! The chat's side of the email channel: what it queues for the mail worker (which composes
//! and sends it), when support answers by email. Nothing here sends mail.

use crate::chat::Chat;
use crate::domain::mail::MailKind;
use crate::domain::now_ms;
use crate::store::chat::ConversationRow;
use crate::store::mail::NewMail;

/// Mail other than replies goes out at most once an hour per conversation and kind.
pub const REPEAT_MS: i64 = 3_600_000;

/// A new Message-ID on otvet's mail domain.
pub fn new_message_id(domain: &str) -> String {
    format!(
        "<otvet.{}@{domain}>",
        &crate::domain::token::new_token()[..24]
    )
}

/// Where mail about a conversation goes: the address left in it, or the customer's.
pub async fn mail_recipient(
    state: &Chat,
    conv: &ConversationRow,
) -> anyhow::Result<Option<String>> {
    if let Some(e) = &conv.contact_email {
        return Ok(Some(e.clone()));
    }
    Ok(state
        .store
        .customer(conv.customer_id)
        .await?
        .and_then(|c| c.email))
}

/// Queues mail of `kind` about `conv` (to its recipient, if any), sent from `not_before`
/// (ms); replies join a reply already waiting. Nothing when mail is off. Errors are logged:
/// the conversation goes on without the mail.
pub async fn queue_mail(state: &Chat, conv: &ConversationRow, kind: MailKind, not_before: i64) {
    let Some(cfg) = &state.config.mail else {
        return;
    };
    let run = async {
        let Some(to) = mail_recipient(state, conv).await? else {
            return Ok(());
        };
        // Whoever can type an address could otherwise have otvet mail it again and again.
        if kind != MailKind::Reply
            && state
                .store
                .mail_queued_since(conv.id, kind, now_ms() - REPEAT_MS)
                .await?
        {
            tracing::info!(conversation = conv.id, kind = %kind, "mail of this kind was queued within the hour; not again");
            return Ok(());
        }
        let m = NewMail {
            conversation_id: Some(conv.id),
            kind,
            to,
            lang: conv.lang.clone(),
            message_id: new_message_id(&cfg.domain),
            in_reply_to: state.store.last_inbound_mail(conv.id).await?,
            subject: None,
            body: None,
            not_before,
        };
        state.store.enqueue_mail(&m, now_ms()).await?;
        anyhow::Ok(())
    };
    if let Err(e) = run.await {
        tracing::error!(error = ?e, conversation = conv.id, kind = %kind, "cannot queue mail");
    }
}

/// Queues the mail of an agent's reply: sent after the batch window unless the customer sees
/// it in the widget first.
pub async fn reply_by_mail(state: &Chat, conv: &ConversationRow) {
    if let Some(cfg) = &state.config.mail {
        queue_mail(state, conv, MailKind::Reply, now_ms() + cfg.batch_ms).await;
    }
}

/// Tells the conversation's agents something about its mail (a private system note, e.g. a
/// mail that could not be delivered).
pub async fn note_for_agents(
    state: &Chat,
    conv_id: i64,
    text: String,
    event: crate::domain::Notice,
) -> super::ChatResult<()> {
    let m = crate::store::chat::NewMessage {
        author: crate::domain::Author::System,
        private: true,
        text,
        event: Some(event),
        ..Default::default()
    };
    super::say_message(state, conv_id, &m, &crate::store::chat::Patch::default()).await?;
    Ok(())
}
