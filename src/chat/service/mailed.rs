//! Conversations that live in mail: a customer's mail stored as their message, the bot's answer
//! to it, and a reply that comes back to a closed conversation. The mail module reads the
//! mailbox and decides; these store and publish, as the sockets' use cases do.

use crate::chat::Chat;
use crate::domain::{Answer, Author, ConversationStatus, EscalationReason, Lang, Notice, now_ms};
use crate::search::analyzer::search_text;
use crate::store::chat::{Appended, ConversationRow, NewMessage, Patch, Val};

use super::*;
use crate::chat::protocol::ErrorFrame;

/// Stores a mail's text as the customer's message (once per Message-ID) and publishes it.
pub async fn mail_message(
    state: &Chat,
    conv: &ConversationRow,
    message_id: &str,
    text: &str,
) -> ChatResult<Appended> {
    let lang = lang_of(conv);
    let m = NewMessage {
        // The Message-ID deduplicates like a widget's client id (its tail, within the limit).
        client_id: Some(crate::domain::token::token_hash(message_id)[..32].to_string()),
        author: Author::Customer,
        search_text: Some(search_text(lang, text)),
        text: text.to_string(),
        ..Default::default()
    };
    let a = say_message(state, conv.id, &m, &Patch::default()).await?;
    queue_changed(state).await;
    Ok(a)
}

/// Stores the bot's answer to a mail (what the console shows; the mail itself is queued by
/// the caller).
pub async fn mail_bot_answer(
    state: &Chat,
    conv_id: i64,
    text: String,
    answer: Answer,
) -> ChatResult<Appended> {
    say(
        state,
        conv_id,
        Author::Bot,
        text,
        None,
        Some(answer),
        &Patch::default().when_status(&[ConversationStatus::Bot]),
    )
    .await
}

/// The customer writes on the conversation's page (the link in a mail): stored, and a
/// conversation with the bot or closed goes to people. `client_id` deduplicates a resent form.
pub async fn page_message(
    state: &Chat,
    conv_id: i64,
    client_id: &str,
    text: &str,
) -> ChatResult<()> {
    let text = check_text(text, Some(client_id))?;
    let conv = conversation(state, conv_id).await?;
    if let Err(retry) = state.limits.messages.take(&conv.customer_id) {
        return Err(ErrorFrame::rate_limited(
            "too many messages; at most 30 a minute",
            retry,
        ));
    }
    let lang = lang_of(&conv);
    let m = NewMessage {
        client_id: Some(client_id.to_string()),
        author: Author::Customer,
        search_text: Some(search_text(lang, &text)),
        text,
        ..Default::default()
    };
    let a = say_message(state, conv_id, &m, &Patch::default()).await?;
    if !matches!(a, Appended::New(_)) {
        return Ok(());
    }
    queue_changed(state).await;
    let mut source =
        crate::domain::token::visitor_id(&state.visitor_secret, &conv_id.to_string(), "page");
    source.truncate(16);
    match conv.status {
        ConversationStatus::Queued | ConversationStatus::Assigned => Ok(()),
        ConversationStatus::Resolved => {
            reopen_by_customer(state, conv_id).await?;
            let conv = conversation(state, conv_id).await?;
            hand_over(state, conv, EscalationReason::HumanRequest, source, None).await
        }
        ConversationStatus::Bot => {
            hand_over(state, conv, EscalationReason::HumanRequest, source, None).await
        }
    }
}

/// Hands a mail conversation to people: the queue, keyed for fairness by the sender's address.
pub async fn mail_hand_over(
    state: &Chat,
    conv: ConversationRow,
    sender: &str,
    reason: EscalationReason,
) -> ChatResult<()> {
    let mut source = crate::domain::token::visitor_id(&state.visitor_secret, sender, "mail");
    source.truncate(16);
    hand_over(state, conv, reason, source, None).await
}

/// A customer writes again in a resolved conversation: it goes back to the bot's side, to be
/// handed over again (the caller decides); `false` when it was not resolved.
pub async fn reopen_by_customer(state: &Chat, conv_id: i64) -> ChatResult<bool> {
    let patch = Patch::default()
        .when_status(&[ConversationStatus::Resolved])
        .status(ConversationStatus::Bot)
        .set("resolved_at", Val::NullInt)
        .set("agent_id", Val::NullInt)
        .set("agent_name", Val::NullText);
    let conv = conversation(state, conv_id).await?;
    let a = say(
        state,
        conv_id,
        Author::System,
        crate::bot::replies::customer_returned(lang_of(&conv)).to_string(),
        Some(Notice::Reopened),
        None,
        &patch,
    )
    .await?;
    Ok(matches!(a, Appended::New(_)))
}

/// Starts a conversation for a mail: the customer known by the address (or a new one), the
/// channel `email`, the mail's subject.
pub async fn mail_conversation(
    state: &Chat,
    from: &str,
    name: Option<&str>,
    subject: Option<&str>,
    lang: Lang,
) -> ChatResult<ConversationRow> {
    let now = now_ms();
    let customer = match state.store.customer_by_email(from).await.or_internal()? {
        Some(c) => c,
        None => state
            .store
            .create_email_customer(
                &crate::domain::token::token_hash(&crate::domain::token::new_token()),
                name,
                from,
                now,
            )
            .await
            .or_internal()?,
    };
    let conv = state
        .store
        .create_conversation(
            customer.id,
            lang.code(),
            None,
            crate::domain::Channel::Email,
            now,
        )
        .await
        .or_internal()?;
    if let Some(s) = subject {
        let subject: String = s.chars().take(200).collect();
        let patch = Patch::default().set("subject", Val::Text(subject));
        state
            .store
            .update_conversation(conv.id, &patch)
            .await
            .or_internal()?;
    }
    conversation(state, conv.id).await
}
