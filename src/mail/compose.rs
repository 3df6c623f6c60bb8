//! Writing the mail of an outbox row (on its first attempt: a retry sends what was written),
//! and turning it into an RFC 5322 message with the headers that thread it in the customer's
//! mail client and keep other robots from answering it.

use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{
    Attachment as MailFile, Body, Mailbox, Message as Email, MultiPart, SinglePart,
};

use super::{Mail, links, texts};
use crate::chat::service::{Availability, availability, expected_wait};
use crate::domain::mail::MailKind;
use crate::domain::message::Message;
use crate::domain::{Author, ConversationStatus, Lang, now_ms};
use crate::store::attachments::StoredFile;
use crate::store::chat::ConversationRow;
use crate::store::mail::OutboxRow;

/// What the worker does with an outbox row.
#[derive(Debug, Clone, PartialEq)]
pub enum Composed {
    /// Send this.
    Mail {
        /// Subject.
        subject: String,
        /// Plain text.
        body: String,
        /// The last message it carries.
        upto_seq: Option<i64>,
    },
    /// Nothing to send (the customer saw the replies, or the conversation is gone).
    Skip,
}

/// Most customer words quoted back in an autoreply.
const MAX_QUOTE_CHARS: usize = 600;

/// Writes the mail of `row` from its conversation as it is now.
pub async fn compose(mail: &Mail, row: &OutboxRow) -> anyhow::Result<Composed> {
    let Some(conv_id) = row.conversation_id else {
        return Ok(Composed::Skip);
    };
    let store = &mail.chat.store;
    let Some(conv) = store.conversation(conv_id).await? else {
        return Ok(Composed::Skip);
    };
    let lang: Lang = row.lang.parse().unwrap_or(Lang::Ru);
    let customer = store.customer(conv.customer_id).await?;
    let name = customer.as_ref().and_then(|c| c.name.clone());
    let messages = store.messages_after(conv_id, 0, false).await?;
    let link = links::conversation_url(&mail.public_url, &mail.chat.visitor_secret, conv_id);
    let team = mail.config.from.name.as_deref();
    let subject = texts::subject(lang, conv_id, conv.subject.as_deref());
    let mut body = vec![texts::hello(lang, name.as_deref())];
    let upto_seq;
    match row.kind {
        MailKind::Autoreply => {
            body.push(texts::received(lang).to_string());
            body.push(quote(&customer_words(&messages)));
            body.push(wait(mail, &conv, lang).await?);
            upto_seq = None;
        }
        MailKind::Reply => {
            let unseen: Vec<&Message> = messages
                .iter()
                .filter(|m| m.author == Author::Agent && m.seq > conv.customer_seen_seq)
                .collect();
            let Some(last) = unseen.last() else {
                return Ok(Composed::Skip);
            };
            upto_seq = Some(last.seq);
            body.push(texts::replied(lang).to_string());
            for m in &unseen {
                body.push(format!(
                    "{}:\n{}",
                    texts::author(lang, m.author, m.name.as_deref()),
                    said(m, &mail.public_url)
                ));
            }
        }
        MailKind::Transcript => {
            body.push(texts::transcript(lang).to_string());
            body.push(transcript(lang, &messages, &mail.public_url));
            upto_seq = messages.last().map(|m| m.seq);
            return Ok(Composed::Mail {
                subject: texts::transcript_subject(lang, conv_id),
                body: finish(body, lang, &link, team),
                upto_seq,
            });
        }
        MailKind::Rating => {
            if conv.status != ConversationStatus::Resolved || conv.rating.is_some() {
                return Ok(Composed::Skip);
            }
            body.push(texts::rating(lang, &format!("{link}#rate")));
            body.push(texts::signature(lang, team));
            return Ok(Composed::Mail {
                subject: texts::rating_subject(lang, conv_id),
                body: body.join("\n\n"),
                upto_seq: None,
            });
        }
        // Written when it was queued; nothing else to say.
        MailKind::BotAnswer => return Ok(Composed::Skip),
    }
    Ok(Composed::Mail {
        subject,
        body: finish(body, lang, &link, team),
        upto_seq,
    })
}

fn finish(mut body: Vec<String>, lang: Lang, link: &str, team: Option<&str>) -> String {
    body.push(texts::how_to_reply(lang, link));
    body.push(texts::signature(lang, team));
    body.join("\n\n")
}

/// The customer's words before anyone answered them (what they asked).
fn customer_words(messages: &[Message]) -> String {
    let asked: Vec<&str> = messages
        .iter()
        .filter(|m| m.author == Author::Customer)
        .map(|m| m.text.as_str())
        .collect();
    let mut text = asked.join("\n");
    if text.chars().count() > MAX_QUOTE_CHARS {
        text = text.chars().take(MAX_QUOTE_CHARS).collect::<String>() + "…";
    }
    text
}

/// `text` as a quotation: each line after `> `.
fn quote(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The honest wait, as the widget tells it.
async fn wait(mail: &Mail, conv: &ConversationRow, lang: Lang) -> anyhow::Result<String> {
    let state = &mail.chat;
    let now = now_ms();
    Ok(match availability(state, now).await {
        Availability::Open { agents } => {
            let position = if conv.status == ConversationStatus::Queued {
                state.store.queue_position(conv.id).await?
            } else {
                None
            };
            let secs = expected_wait(state, position.unwrap_or(1), agents)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            texts::wait_open(lang, position, secs)
        }
        Availability::Closed { back_at } => {
            let tz = state.hours.load().timezone().clone();
            let back = back_at.and_then(|b| crate::bot::replies::when(lang, b, now, &tz));
            texts::wait_closed(lang, back.as_deref())
        }
    })
}

/// What a message says in mail: its text, or its file's name and address.
fn said(m: &Message, public_url: &str) -> String {
    match &m.attachment {
        Some(a) => format!(
            "📎 {} — {}{}",
            a.name,
            public_url.trim_end_matches('/'),
            a.url
        ),
        None => m.text.clone(),
    }
}

/// The conversation as text: who wrote what, notes left out.
fn transcript(lang: Lang, messages: &[Message], public_url: &str) -> String {
    messages
        .iter()
        .filter(|m| !m.private && !m.text.trim().is_empty())
        .map(|m| {
            let at = jiff::Timestamp::from_millisecond(m.at)
                .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default();
            format!(
                "[{at}] {}:\n{}",
                texts::author(lang, m.author, m.name.as_deref()),
                said(m, public_url)
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `Auto-Submitted` (RFC 3834): mail no robot should answer.
#[derive(Debug, Clone)]
struct AutoSubmitted(&'static str);

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted(if s.trim() == "no" {
            "no"
        } else {
            "auto-replied"
        }))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_string())
    }
}

/// The message to send for a composed row.
/// Most bytes of files attached to one mail; the rest are sent as links only.
pub const MAX_MAIL_FILES_BYTES: usize = 20 * 1024 * 1024;

/// The files a composed mail links to (`<public URL>/attachments/<token>/…`), to attach them
/// too, while they fit in [`MAX_MAIL_FILES_BYTES`].
pub async fn linked_files(mail: &Mail, body: &str) -> anyhow::Result<Vec<StoredFile>> {
    let prefix = format!("{}/attachments/", mail.public_url.trim_end_matches('/'));
    let mut files = Vec::new();
    let mut total = 0;
    for (i, _) in body.match_indices(&prefix) {
        let token: String = body[i + prefix.len()..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        if token.len() != 32 {
            continue;
        }
        if let Some(f) = mail.chat.store.attachment(&token).await? {
            total += f.data.len();
            if total > MAX_MAIL_FILES_BYTES {
                break;
            }
            files.push(f);
        }
    }
    Ok(files)
}

/// The message to send for a composed row, with `files` attached.
pub fn message(
    mail: &Mail,
    row: &OutboxRow,
    subject: &str,
    body: &str,
    files: &[StoredFile],
) -> anyhow::Result<Email> {
    let to: Mailbox = row
        .to_addr
        .parse()
        .map_err(|e| anyhow::anyhow!("'{}' is not an address: {e}", row.to_addr))?;
    let mut b = Email::builder()
        .from(mail.config.from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(row.message_id.clone()));
    if let Some(conv) = row.conversation_id
        && let Some(reply_to) = links::reply_address(
            &mail.config.support_address,
            &mail.chat.visitor_secret,
            conv,
        )
    {
        b = b.reply_to(Mailbox::new(mail.config.from.name.clone(), reply_to));
    }
    if let Some(parent) = &row.in_reply_to {
        b = b.in_reply_to(parent.clone()).references(parent.clone());
    }
    // People's replies are mail like any other; what otvet writes by itself is marked, so
    // that out-of-office robots do not answer it.
    if matches!(
        row.kind,
        MailKind::Autoreply | MailKind::BotAnswer | MailKind::Rating | MailKind::Transcript
    ) {
        b = b.header(AutoSubmitted("auto-replied"));
    }
    if files.is_empty() {
        return Ok(b.header(ContentType::TEXT_PLAIN).body(body.to_string())?);
    }
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(body.to_string()));
    for f in files {
        let ct = ContentType::parse(&f.content_type)?;
        // Base64 always: a file that happens to be ASCII must not have its line ends changed.
        let body = Body::new_with_encoding(f.data.clone(), ContentTransferEncoding::Base64)
            .map_err(|_| anyhow::anyhow!("cannot encode {}", f.name))?;
        parts = parts.singlepart(MailFile::new(f.name.clone()).body(body, ct));
    }
    Ok(b.multipart(parts)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_mark_every_line() {
        assert_eq!(quote("a\nb"), "> a\n> b");
    }
}
