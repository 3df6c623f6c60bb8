//! What becomes of a mail read from the support mailbox: a reply joins its conversation (found
//! by the signed reply address, or by `In-Reply-To`/`References`); a new mail becomes a
//! conversation that the bot answers from the knowledge base when it is confident, and that
//! otherwise goes to the agents' queue with the autoreply. Robots (autoreplies, lists,
//! bounces, our own mail) are never answered, and one sender gets at most
//! [`MailConfig::per_sender_per_hour`](super::MailConfig) mails read an hour.

use super::parse::{Inbound, parse};
use super::{Mail, links};
use crate::bot::{self, Reply};
use crate::chat::service::{
    ChatResult, Sender, attach, mail_bot_answer, mail_conversation, mail_hand_over, mail_message,
    note_for_agents, queue_mail, reopen_by_customer,
};
use crate::domain::mail::{MailKind, MailStatus};
use crate::domain::{ConversationStatus, EscalationReason, Lang, now_ms};
use crate::store::chat::{Appended, ConversationRow};
use crate::store::mail::NewMail;

/// What became of a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Not a mail otvet can read (no sender).
    Unreadable,
    /// Read before (by this node or another).
    Duplicate,
    /// Sent by otvet itself.
    Own,
    /// A delivery report about otvet's mail: the mail is marked failed, agents told.
    Bounce,
    /// From a robot: kept out of the conversations.
    Automatic,
    /// Over the per-sender limit.
    Limited,
    /// A new conversation, answered by the bot.
    Answered,
    /// A new conversation, queued for agents.
    Queued,
    /// Joined an existing conversation.
    Reply,
}

impl Received {
    /// The outcome's name in `mail_inbound`.
    pub fn as_str(self) -> &'static str {
        match self {
            Received::Unreadable => "unreadable",
            Received::Duplicate => "duplicate",
            Received::Own => "own",
            Received::Bounce => "bounce",
            Received::Automatic => "automatic",
            Received::Limited => "limited",
            Received::Answered => "answered",
            Received::Queued => "queued",
            Received::Reply => "reply",
        }
    }
}

/// Most of a mail searched for an answer: the subject and the start of the text.
const MAX_QUESTION_CHARS: usize = 500;

/// Words that, alone in a reply to the bot's answer, ask for a person.
const NO_WORDS: &[&str] = &[
    "no",
    "nope",
    "нет",
    "не",
    "неа",
    "nein",
    "человек",
    "оператор",
    "person",
    "agent",
    "mitarbeiter",
];

/// Handles one raw mail from the support mailbox.
pub async fn receive(mail: &Mail, raw: &[u8]) -> anyhow::Result<Received> {
    let Some(m) = parse(raw) else {
        return Ok(Received::Unreadable);
    };
    let store = &mail.chat.store;
    if is_ours(mail, &m.from) {
        return Ok(Received::Own);
    }
    let now = now_ms();
    if !store.register_inbound(&m.message_id, &m.from, now).await? {
        return Ok(Received::Duplicate);
    }
    let (outcome, conv) = route(mail, &m, now).await?;
    store
        .set_inbound_outcome(&m.message_id, conv, outcome.as_str())
        .await?;
    tracing::info!(outcome = outcome.as_str(), conversation = ?conv, "mail received");
    Ok(outcome)
}

/// Whether `address` is otvet's own (the sender, the support mailbox or one of its
/// sub-addresses).
fn is_ours(mail: &Mail, address: &str) -> bool {
    let base = |a: &str| -> String {
        let (user, domain) = a.rsplit_once('@').unwrap_or((a, ""));
        let user = user.split('+').next().unwrap_or(user);
        format!("{user}@{domain}").to_lowercase()
    };
    let a = base(address);
    a == base(mail.config.from.email.as_ref()) || a == base(mail.config.support_address.as_ref())
}

async fn route(mail: &Mail, m: &Inbound, now: i64) -> anyhow::Result<(Received, Option<i64>)> {
    let store = &mail.chat.store;
    if let Some(ids) = &m.bounce_of {
        let conv = bounced(mail, ids, m).await?;
        return Ok((Received::Bounce, conv));
    }
    if m.automatic {
        return Ok((Received::Automatic, None));
    }
    let count = store.inbound_count_since(&m.from, now - 3_600_000).await?;
    if count > mail.config.per_sender_per_hour {
        tracing::warn!(
            count,
            "a sender is over the hourly mail limit; not answered"
        );
        return Ok((Received::Limited, None));
    }
    let by_address = m.recipients.iter().find_map(|r| {
        links::conversation_of_address(&mail.config.support_address, &mail.chat.visitor_secret, r)
    });
    let existing = match by_address {
        Some(id) => Some(id),
        None => store.conversation_of_mail(&m.refers_to).await?,
    };
    if let Some(id) = existing
        && let Some(conv) = store.conversation(id).await?
    {
        reply(mail, conv, m).await.map_err(frame_error)?;
        return Ok((Received::Reply, Some(id)));
    }
    let text = mail_text(m);
    if text.trim().is_empty() {
        return Ok((Received::Automatic, None));
    }
    let lang = guess_lang(&format!("{} {text}", m.subject.as_deref().unwrap_or("")));
    let state = &mail.chat;
    let conv = mail_conversation(
        state,
        &m.from,
        m.name.as_deref(),
        m.subject.as_deref(),
        lang,
    )
    .await
    .map_err(frame_error)?;
    mail_message(state, &conv, &m.message_id, &text)
        .await
        .map_err(frame_error)?;
    take_files(mail, conv.id, m).await;
    let answered = if m.files.is_empty() {
        bot_turn(mail, &conv, m, &text, lang).await?
    } else {
        // A photo of the broken item is for a person to look at.
        hand_over_with_autoreply(mail, conv.id, &m.from, EscalationReason::HumanRequest)
            .await
            .map_err(frame_error)?;
        false
    };
    Ok((
        if answered {
            Received::Answered
        } else {
            Received::Queued
        },
        Some(conv.id),
    ))
}

/// A reply in an existing conversation: stored; with the bot, answered again or handed over;
/// closed, opened again for agents.
async fn reply(mail: &Mail, conv: ConversationRow, m: &Inbound) -> ChatResult<()> {
    let state = &mail.chat;
    let text = mail_text(m);
    if text.trim().is_empty() {
        return Ok(());
    }
    let a = mail_message(state, &conv, &m.message_id, &text).await?;
    if !matches!(a, Appended::New(_)) {
        return Ok(());
    }
    take_files(mail, conv.id, m).await;
    let lang = conv.lang.parse().unwrap_or(Lang::Ru);
    match conv.status {
        ConversationStatus::Queued | ConversationStatus::Assigned => Ok(()),
        ConversationStatus::Resolved => {
            reopen_by_customer(state, conv.id).await?;
            let conv = crate::chat::service::conversation_row(state, conv.id).await?;
            mail_hand_over(state, conv.clone(), &m.from, EscalationReason::HumanRequest).await?;
            queue_mail(state, &conv, MailKind::Autoreply, now_ms()).await;
            Ok(())
        }
        ConversationStatus::Bot => {
            if asks_for_person(&text) {
                mail_hand_over(state, conv.clone(), &m.from, EscalationReason::NotHelpful).await?;
                queue_mail(state, &conv, MailKind::Autoreply, now_ms()).await;
                return Ok(());
            }
            bot_turn(mail, &conv, m, &text, lang)
                .await
                .map_err(crate::chat::service::internal)?;
            Ok(())
        }
    }
}

/// What a mail says: its new words, else its subject, else that it brings files.
fn mail_text(m: &Inbound) -> String {
    if !m.text.trim().is_empty() {
        return m.text.clone();
    }
    if let Some(s) = m.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        return s.to_string();
    }
    if m.files.is_empty() {
        String::new()
    } else {
        "📎".to_string()
    }
}

/// Stores the files of a mail in its conversation, each as the customer's message; one that is
/// not an image or a PDF is refused, and the agents are told.
async fn take_files(mail: &Mail, conv_id: i64, m: &Inbound) {
    let state = &mail.chat;
    for (i, (name, bytes)) in m.files.iter().enumerate() {
        let client_id =
            crate::domain::token::token_hash(&format!("{}#{i}", m.message_id))[..32].to_string();
        if let Err(e) = attach(state, conv_id, Sender::Customer, &client_id, name, bytes).await {
            tracing::info!(name, error = %e.message, "a mail's file was not accepted");
            let lang: Lang = state
                .store
                .conversation(conv_id)
                .await
                .ok()
                .flatten()
                .and_then(|c| c.lang.parse().ok())
                .unwrap_or(Lang::Ru);
            let text = lang.pick([
                format!("Файл «{name}» из письма не принят: {}", e.message),
                format!(
                    "The file “{name}” in the mail was not accepted: {}",
                    e.message
                ),
                format!(
                    "Die Datei „{name}“ aus der E-Mail wurde nicht angenommen: {}",
                    e.message
                ),
            ]);
            let _ = note_for_agents(state, conv_id, text, crate::domain::Notice::MailFailed).await;
        }
    }
}

/// Hands a mail conversation to people and queues the autoreply.
async fn hand_over_with_autoreply(
    mail: &Mail,
    conv_id: i64,
    sender: &str,
    reason: EscalationReason,
) -> ChatResult<()> {
    let state = &mail.chat;
    let conv = crate::chat::service::conversation_row(state, conv_id).await?;
    mail_hand_over(state, conv.clone(), sender, reason).await?;
    queue_mail(state, &conv, MailKind::Autoreply, now_ms()).await;
    Ok(())
}

/// Whether a reply says "no" or asks for a person.
fn asks_for_person(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    (words.len() <= 3 && words.iter().any(|w| NO_WORDS.contains(&w.as_str())))
        || bot::intent::classify(text) == bot::intent::Intent::Human
}

/// The bot's turn on a mail: a confident answer is mailed (true); anything else hands the
/// conversation to people, with the autoreply (false).
async fn bot_turn(
    mail: &Mail,
    conv: &ConversationRow,
    m: &Inbound,
    text: &str,
    lang: Lang,
) -> anyhow::Result<bool> {
    let state = &mail.chat;
    let mut question = match m.subject.as_deref() {
        Some(s) if !s.to_ascii_lowercase().starts_with("re:") => format!("{s}\n{text}"),
        _ => text.to_string(),
    };
    if question.chars().count() > MAX_QUESTION_CHARS {
        question = question.chars().take(MAX_QUESTION_CHARS).collect();
    }
    let search = state.search.clone();
    let reply =
        tokio::task::spawn_blocking(move || bot::answer(&search, &question, &[], lang)).await?;
    if let Reply::Answer { text, answer, .. } = reply {
        let (title, url) = (
            answer.title.clone(),
            absolute(&mail.public_url, &answer.url),
        );
        let a = mail_bot_answer(state, conv.id, text.clone(), answer)
            .await
            .map_err(frame_error)?;
        if matches!(a, Appended::New(_)) {
            let cfg = state.config.mail.as_ref();
            let body = [
                super::texts::hello(lang, m.name.as_deref()),
                text,
                super::texts::bot_answer_footer(lang, &title, &url),
                super::texts::signature(lang, mail.config.from.name.as_deref()),
            ]
            .join("\n\n");
            let new = NewMail {
                conversation_id: Some(conv.id),
                kind: MailKind::BotAnswer,
                to: m.from.clone(),
                lang: lang.code().to_string(),
                message_id: crate::chat::service::new_message_id(
                    cfg.map_or("otvet.invalid", |c| c.domain.as_str()),
                ),
                in_reply_to: Some(m.message_id.clone()),
                subject: Some(super::texts::subject(lang, conv.id, m.subject.as_deref())),
                body: Some(body),
                not_before: now_ms(),
            };
            state.store.enqueue_mail(&new, now_ms()).await?;
        }
        return Ok(true);
    }
    let reason = match reply {
        Reply::Human => EscalationReason::HumanRequest,
        _ => EscalationReason::NoAnswer,
    };
    let conv = crate::chat::service::conversation_row(state, conv.id)
        .await
        .map_err(frame_error)?;
    mail_hand_over(state, conv.clone(), &m.from, reason)
        .await
        .map_err(frame_error)?;
    queue_mail(state, &conv, MailKind::Autoreply, now_ms()).await;
    Ok(false)
}

/// A delivery report: the mail it returns is failed, and its conversation's agents told.
async fn bounced(mail: &Mail, ids: &[String], m: &Inbound) -> anyhow::Result<Option<i64>> {
    let store = &mail.chat.store;
    let mut conv = None;
    for id in ids {
        let Some(row) = store.outbox_by_message_id(id).await? else {
            continue;
        };
        if row.status == MailStatus::Failed {
            continue;
        }
        let why = m
            .text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("returned by the recipient's mail server")
            .chars()
            .take(300)
            .collect::<String>();
        super::outbox::failed(mail, &row, &format!("bounced: {why}")).await?;
        conv = conv.or(row.conversation_id);
    }
    Ok(conv)
}

/// An article link as sent in mail (the help center's links are relative).
fn absolute(public_url: &str, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        url.to_string()
    } else {
        format!("{}{url}", public_url.trim_end_matches('/'))
    }
}

/// The language of a mail: Russian when it has Cyrillic letters, German when it reads German,
/// else English.
pub fn guess_lang(text: &str) -> Lang {
    let cyrillic = text
        .chars()
        .filter(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
        .count();
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    if cyrillic > 0 && cyrillic * 2 >= latin / 2 {
        return Lang::Ru;
    }
    let lower = text.to_lowercase();
    let german = lower.chars().any(|c| matches!(c, 'ä' | 'ö' | 'ü' | 'ß'))
        || lower
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| {
                matches!(
                    *w,
                    "ich"
                        | "und"
                        | "nicht"
                        | "meine"
                        | "mein"
                        | "bitte"
                        | "ist"
                        | "wie"
                        | "wo"
                        | "die"
                        | "der"
                        | "das"
                        | "sie"
                        | "kann"
                        | "bestellung"
                        | "danke"
                )
            })
            .count()
            >= 2;
    if german { Lang::De } else { Lang::En }
}

fn frame_error(e: crate::chat::protocol::ErrorFrame) -> anyhow::Error {
    anyhow::anyhow!("{:?}: {}", e.code, e.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_guessed() {
        assert_eq!(guess_lang("Где мой заказ?"), Lang::Ru);
        assert_eq!(
            guess_lang("Wo ist meine Bestellung? Bitte helfen"),
            Lang::De
        );
        assert_eq!(guess_lang("Rückgabe"), Lang::De);
        assert_eq!(guess_lang("Where is my order?"), Lang::En);
        assert_eq!(guess_lang("Order 123: где он?"), Lang::Ru);
    }

    #[test]
    fn no_means_a_person() {
        for t in ["NO", "нет", "Нет.", "nein danke", "Позовите оператора"] {
            assert!(asks_for_person(t), "{t}");
        }
        for t in [
            "No idea why, but the parcel did not come",
            "спасибо, помогло",
        ] {
            assert!(!asks_for_person(t), "{t}");
        }
    }
}
