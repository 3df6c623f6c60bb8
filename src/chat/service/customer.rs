//! The customer's side of a conversation: a message and the bot's turn, "Did this help?",
//! «Вы об этом?» choices, leaving an email, and rating the conversation.

use crate::bot::{self, Shown, intent::Intent, replies};
use crate::chat::Chat;
use crate::chat::hub::Event;
use crate::chat::protocol::ErrorCode;
use crate::chat::protocol::{ErrorFrame, MAX_COMMENT_CHARS, Message};
use crate::domain::mail::MailKind;
use crate::domain::now_ms;
use crate::domain::{Author, ConversationStatus, EscalationReason, Notice};
use crate::privacy::mask_pii;
use crate::store::chat::{Appended, ConversationRow, NewMessage, Patch, Val};

use super::*;
use crate::search::analyzer::search_text;

/// A customer message, the whole use case: stored (a resend of a stored one is recognised and
/// not answered again), acknowledged through `ack` once it is stored durably — with whether
/// it went to another conversation than the customer's current one — then the bot's turn
/// while the conversation is with the bot.
pub async fn customer_message(
    state: &Chat,
    c: &mut Customer,
    client_id: String,
    text: &str,
    ack: impl AsyncFnOnce(&Message, bool) -> ChatResult<()>,
) -> ChatResult<()> {
    let before = c.conversation;
    let (msg, new, conv) = customer_send(state, c, client_id.clone(), text)
        .await
        .map_err(|e| e.about(Some(client_id)))?;
    ack(&msg, c.conversation != before).await?;
    if new {
        bot_turn(state, c, &conv, &msg).await?;
    }
    Ok(())
}

/// A customer message: stored, acknowledged (the returned message), then the bot's turn.
/// Returns the stored message, whether it is new (a resend is not answered again), and the
/// conversation as it was just before.
pub(super) async fn customer_send(
    state: &Chat,
    c: &mut Customer,
    client_id: String,
    text: &str,
) -> ChatResult<(Message, bool, ConversationRow)> {
    let text = check_text(text, Some(&client_id))?;
    let mut conv = open_conversation(state, c).await?;
    let m = NewMessage {
        client_id: Some(client_id.clone()),
        author: Author::Customer,
        search_text: Some(search_text(lang_of(&conv), &text)),
        text: text.clone(),
        ..Default::default()
    };
    let open = Patch::default().when_status(&[
        ConversationStatus::Bot,
        ConversationStatus::Queued,
        ConversationStatus::Assigned,
    ]);
    let mut appended = state
        .store
        .append_message(conv.id, &m, &open, now_ms())
        .await
        .or_internal()?;
    if matches!(appended, Appended::Refused) {
        // Resolved a moment ago: this message starts the next conversation.
        c.conversation = None;
        conv = open_conversation(state, c).await?;
        appended = state
            .store
            .append_message(conv.id, &m, &open, now_ms())
            .await
            .or_internal()?;
    }
    publish_new(state, &appended);
    match appended {
        Appended::New(msg) => {
            // A waiting conversation's preview matters to whoever picks next; the consoles
            // that follow an assigned one update its preview from the message itself.
            if conv.status == ConversationStatus::Queued {
                queue_changed(state).await;
            }
            Ok((msg, true, conv))
        }
        Appended::Duplicate(msg) => Ok((msg, false, conv)),
        Appended::Refused => Err(internal(anyhow::anyhow!(
            "a new conversation refused a message"
        ))),
    }
}

/// The bot's turn after a new customer message in a conversation that is with the bot
/// (`conv` as it was when the message came; the bot's reply is stored only if the
/// conversation is still with the bot then).
pub(super) async fn bot_turn(
    state: &Chat,
    c: &Customer,
    conv: &ConversationRow,
    question: &Message,
) -> ChatResult<()> {
    if conv.status != ConversationStatus::Bot {
        return Ok(());
    }
    let lang = lang_of(conv);
    let only_bot = Patch::default().when_status(&[ConversationStatus::Bot]);
    match bot::intent::classify(&question.text) {
        Intent::Greeting => {
            say(
                state,
                conv.id,
                Author::Bot,
                replies::greeting(lang).into(),
                None,
                None,
                &only_bot,
            )
            .await?;
        }
        Intent::Thanks => {
            say(
                state,
                conv.id,
                Author::Bot,
                replies::thanks(lang).into(),
                None,
                None,
                &only_bot,
            )
            .await?;
        }
        Intent::Human => escalate(state, c, conv.id, EscalationReason::HumanRequest).await?,
        Intent::Question => {
            let search = state.search.clone();
            let text = question.text.clone();
            let context = follow_up_context(state, question).await;
            // Search is CPU work (a millisecond lexically, tens with the encoder): keep it
            // off the socket threads.
            let reply =
                tokio::task::spawn_blocking(move || bot::answer(&search, &text, &context, lang))
                    .await
                    .map_err(|e| internal(e.into()))?;
            match reply {
                bot::Reply::Human => {
                    escalate(state, c, conv.id, EscalationReason::HumanRequest).await?
                }
                bot::Reply::Answer { text, answer, .. } => {
                    say(
                        state,
                        conv.id,
                        Author::Bot,
                        text,
                        None,
                        Some(answer),
                        &only_bot,
                    )
                    .await?;
                }
                bot::Reply::Clarify { text, clarify, .. } => {
                    let m = NewMessage {
                        author: Author::Bot,
                        text,
                        clarify: Some(clarify),
                        ..Default::default()
                    };
                    say_message(state, conv.id, &m, &only_bot).await?;
                }
                bot::Reply::NoAnswer { considered } => {
                    record_unresolved(state, conv, question, "no_answer", &considered).await;
                    say(
                        state,
                        conv.id,
                        Author::Bot,
                        replies::no_answer(lang).into(),
                        Some(Notice::NoAnswer),
                        None,
                        &only_bot,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// The customer's messages before `question` in its conversation (a few, oldest first), when
/// `question` is short enough to be a follow-up of one of them.
pub(super) async fn follow_up_context(state: &Chat, question: &Message) -> Vec<String> {
    if question.text.split_whitespace().count() > bot::MAX_FOLLOW_UP_WORDS {
        return Vec::new();
    }
    match state
        .store
        .messages_after(question.conversation_id, (question.seq - 8).max(0), false)
        .await
    {
        Ok(ms) => ms
            .into_iter()
            .filter(|m| m.author == Author::Customer && m.seq < question.seq)
            .map(|m| m.text)
            .collect(),
        Err(e) => {
            // The question is still answered, alone.
            tracing::warn!(error = ?e, "cannot read the conversation for a follow-up");
            Vec::new()
        }
    }
}

pub(super) async fn record_unresolved(
    state: &Chat,
    conv: &ConversationRow,
    question: &Message,
    reason: &str,
    shown: &[Shown],
) {
    let shown = serde_json::to_string(shown).unwrap_or_else(|_| "[]".into());
    let text = mask_pii(&question.text);
    if let Err(e) = state
        .store
        .record_unresolved(conv, question.seq, &text, reason, &shown, now_ms())
        .await
    {
        // The conversation goes on; the report misses one line.
        tracing::error!(error = ?e, "cannot record an unresolved question");
    }
}

/// "Did this help?" on the answer `seq`.
pub async fn feedback(state: &Chat, c: &Customer, seq: i64, helpful: bool) -> ChatResult<()> {
    let conv_id = c.conversation.ok_or_else(|| {
        ErrorFrame::new(
            ErrorCode::NoConversation,
            "there is no conversation to give feedback in",
        )
    })?;
    let Some(m) = state
        .store
        .set_answer_feedback(conv_id, seq, helpful)
        .await
        .or_internal()?
    else {
        return Err(ErrorFrame::new(
            ErrorCode::BadState,
            "that message is not an answer waiting for feedback",
        ));
    };
    state.hub.publish(Event::Updated(m.clone()));
    let Some(conv) = state.store.conversation(conv_id).await.or_internal()? else {
        return Ok(());
    };
    let lang = lang_of(&conv);
    if helpful {
        if conv.status == ConversationStatus::Bot {
            let p = Patch::default().when_status(&[ConversationStatus::Bot]);
            say(
                state,
                conv_id,
                Author::Bot,
                replies::glad(lang).into(),
                None,
                None,
                &p,
            )
            .await?;
        }
        return Ok(());
    }
    // The question this answer was for: the last customer message before it.
    if let Some(q) = question_before(state, conv_id, seq).await?
        && let Some(a) = &m.answer
    {
        let mut shown = vec![Shown {
            slug: a.slug.clone(),
            title: a.title.clone(),
            url: a.url.clone(),
            confidence: a.confidence,
        }];
        shown.extend(a.alternatives.iter().map(|l| Shown {
            slug: slug_of(&l.url),
            title: l.title.clone(),
            url: l.url.clone(),
            confidence: 0.0,
        }));
        record_unresolved(state, &conv, &q, "not_helpful", &shown).await;
    }
    escalate(state, c, conv_id, EscalationReason::NotHelpful).await
}

/// A choice on the «Вы об этом?» message `seq`: the chosen section is answered (the choice
/// is its "it helped"); "none of these" (`None`) counts as "it did not help": the question is
/// logged for editors and the conversation goes to a person.
pub async fn choose(state: &Chat, c: &Customer, seq: i64, option: Option<usize>) -> ChatResult<()> {
    let conv_id = c.conversation.ok_or_else(|| {
        ErrorFrame::new(
            ErrorCode::NoConversation,
            "there is no conversation to choose in",
        )
    })?;
    let Some(conv) = state.store.conversation(conv_id).await.or_internal()? else {
        return Err(no_conversation(conv_id));
    };
    // Check the option before recording anything: a bad frame loses nothing.
    let Some(offered) = state
        .store
        .messages_after(conv_id, seq - 1, false)
        .await
        .or_internal()?
        .into_iter()
        .find(|m| m.seq == seq)
        .and_then(|m| m.clarify)
    else {
        return Err(ErrorFrame::new(
            ErrorCode::BadState,
            "that message is not a choice waiting for an answer",
        ));
    };
    if let Some(i) = option
        && i >= offered.options.len()
    {
        return Err(ErrorFrame::new(
            ErrorCode::BadFrame,
            format!(
                "option {i} is not one of the {} offered",
                offered.options.len()
            ),
        ));
    }
    let Some(m) = state
        .store
        .set_choice(conv_id, seq, option)
        .await
        .or_internal()?
    else {
        return Err(ErrorFrame::new(
            ErrorCode::BadState,
            "that message is not a choice waiting for an answer",
        ));
    };
    state.hub.publish(Event::Updated(m.clone()));
    let lang = lang_of(&conv);
    match option.and_then(|i| offered.options.get(i).cloned()) {
        Some(chosen) => {
            if conv.status != ConversationStatus::Bot {
                return Ok(());
            }
            let search = state.search.clone();
            let reply = tokio::task::spawn_blocking(move || {
                bot::answer_from(&search, &chosen, lang, false)
            })
            .await
            .map_err(|e| internal(e.into()))?;
            let only_bot = Patch::default().when_status(&[ConversationStatus::Bot]);
            match reply {
                Some((text, answer)) => {
                    say(
                        state,
                        conv_id,
                        Author::Bot,
                        text,
                        None,
                        Some(answer),
                        &only_bot,
                    )
                    .await?;
                }
                // The article went away since it was offered.
                None => {
                    say(
                        state,
                        conv_id,
                        Author::Bot,
                        replies::no_answer(lang).into(),
                        Some(Notice::NoAnswer),
                        None,
                        &only_bot,
                    )
                    .await?;
                }
            }
            Ok(())
        }
        None => {
            if let Some(q) = question_before(state, conv_id, seq).await? {
                let shown: Vec<Shown> = offered.options.iter().map(Shown::from).collect();
                record_unresolved(state, &conv, &q, "not_helpful", &shown).await;
            }
            escalate(state, c, conv_id, EscalationReason::NotHelpful).await
        }
    }
}

/// The customer's last message before `seq`: the question a bot message answered.
pub(super) async fn question_before(
    state: &Chat,
    conv_id: i64,
    seq: i64,
) -> ChatResult<Option<Message>> {
    let earlier = state
        .store
        .messages_after(conv_id, 0, false)
        .await
        .or_internal()?;
    Ok(earlier
        .into_iter()
        .rev()
        .find(|x| x.seq < seq && x.author == Author::Customer))
}

pub(super) fn slug_of(url: &str) -> String {
    let path = url.split('#').next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// The customer rates their resolved conversation (again: replaces).
pub async fn rate(
    state: &Chat,
    c: &Customer,
    score: i64,
    comment: Option<String>,
) -> ChatResult<()> {
    let conv_id = c
        .conversation
        .ok_or_else(|| ErrorFrame::new(ErrorCode::BadState, "there is no conversation to rate"))?;
    rate_conversation(state, conv_id, score, comment).await
}

/// Rates a resolved conversation (from the widget, or the conversation's page a mail links
/// to); again replaces.
pub async fn rate_conversation(
    state: &Chat,
    conv_id: i64,
    score: i64,
    comment: Option<String>,
) -> ChatResult<()> {
    if !(1..=5).contains(&score) {
        return Err(ErrorFrame::new(ErrorCode::BadFrame, "score must be 1 to 5"));
    }
    let comment = comment
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if comment
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_COMMENT_CHARS)
    {
        return Err(ErrorFrame::new(
            ErrorCode::TooLong,
            "a comment may have at most 1000 characters",
        ));
    }
    let patch = Patch::default()
        .when_status(&[ConversationStatus::Resolved])
        .set("rating", Val::Int(score))
        .set(
            "rating_comment",
            comment.clone().map(Val::Text).unwrap_or(Val::NullText),
        )
        .set("rated_at", Val::Int(now_ms()));
    if !state
        .store
        .update_conversation(conv_id, &patch)
        .await
        .or_internal()?
    {
        return Err(ErrorFrame::new(
            ErrorCode::BadState,
            "a conversation can be rated once it is resolved",
        ));
    }
    state.hub.publish(Event::Rating {
        conversation_id: conv_id,
        score,
        comment,
    });
    Ok(())
}

/// The customer leaves an email for an answer.
pub async fn contact(
    state: &Chat,
    c: &mut Customer,
    client_id: Option<String>,
    email: &str,
    name: Option<String>,
) -> ChatResult<()> {
    if state.config.mail.is_none() {
        // Nothing could ever answer there: the widget does not offer the form either.
        return Err(
            ErrorFrame::new(ErrorCode::BadState, "this support does not answer by email")
                .about(client_id),
        );
    }
    let email = email.trim().to_lowercase();
    if !plausible_email(&email) {
        return Err(ErrorFrame::new(
            ErrorCode::BadFrame,
            "that does not look like an email address",
        )
        .about(client_id));
    }
    let conv_id = c.conversation.ok_or_else(|| {
        ErrorFrame::new(
            ErrorCode::BadState,
            "there is no conversation to answer by email",
        )
    })?;
    let name = name
        .map(|n| n.trim().chars().take(100).collect::<String>())
        .filter(|n| !n.is_empty());
    if !c.row.verified {
        c.row = state
            .store
            .set_customer_identity(c.row.id, name.as_deref(), Some(&email), false)
            .await
            .or_internal()?;
    }
    let conv = conversation(state, conv_id).await?;
    let patch = Patch::default().set("contact_email", Val::Text(email.clone()));
    let m = NewMessage {
        client_id,
        author: Author::System,
        text: replies::contact_saved(lang_of(&conv), &email),
        event: Some(Notice::Contact),
        ..Default::default()
    };
    let a = state
        .store
        .append_message(conv_id, &m, &patch, now_ms())
        .await
        .or_internal()?;
    publish_new(state, &a);
    queue_changed(state).await;
    if matches!(a, Appended::New(_))
        && let Some(conv) = state.store.conversation(conv_id).await.or_internal()?
    {
        queue_mail(state, &conv, MailKind::Autoreply, now_ms()).await;
    }
    Ok(())
}

/// The customer asks for the conversation's transcript by email: sent when it is resolved
/// (now, if it is), to the address they left or gave.
pub async fn want_transcript(state: &Chat, c: &Customer) -> ChatResult<()> {
    if state.config.mail.is_none() {
        return Err(ErrorFrame::new(
            ErrorCode::BadState,
            "this support does not answer by email",
        ));
    }
    let conv_id = c
        .conversation
        .ok_or_else(|| ErrorFrame::new(ErrorCode::BadState, "there is no conversation"))?;
    let conv = conversation(state, conv_id).await?;
    if mail_recipient(state, &conv).await.or_internal()?.is_none() {
        return Err(ErrorFrame::new(
            ErrorCode::BadState,
            "leave an email first: there is nowhere to send the transcript",
        ));
    }
    if conv.status == ConversationStatus::Resolved {
        queue_mail(state, &conv, MailKind::Transcript, now_ms()).await;
    } else {
        let patch = Patch::default().set("wants_transcript", Val::Bool(true));
        state
            .store
            .update_conversation(conv_id, &patch)
            .await
            .or_internal()?;
    }
    Ok(())
}

/// Whether `s` looks like an email address.
pub fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|ch| ch.is_whitespace() || ch == '<' || ch == '>')
        && !domain.contains('@')
}
