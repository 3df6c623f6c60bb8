//! What happens in a conversation, whichever socket asked: customer messages and the bot's
//! turn, "Did this help?", escalation to the queue, claims, agent replies, notes, transfers,
//! resolving and rating. Every change is stored first, then published on the [`Hub`].

use crate::chat::Chat;
use crate::chat::hub::Event;
use crate::chat::protocol::ErrorCode;
use crate::chat::protocol::ErrorFrame;
use crate::domain::Lang;
use crate::domain::now_ms;
use crate::domain::{Author, ConversationStatus, Notice};
use crate::store::chat::{Appended, ConversationRow, CustomerRow, NewMessage, Patch};

mod agent;
mod attach;
mod contact;
mod customer;
mod escalation;
mod mailed;
mod outgoing;
mod queue;

pub use agent::*;
pub use attach::*;
pub use contact::*;
pub use customer::*;
pub use escalation::*;
pub use mailed::*;
pub use outgoing::*;
pub use queue::*;

/// A result whose error is an error frame for the client.
pub type ChatResult<T> = Result<T, ErrorFrame>;

/// How long a resolved conversation is still shown when the customer comes back.
pub const KEEP_RESOLVED_MS: i64 = 24 * 3_600_000;

/// Logs an internal error and turns it into a frame that says nothing about it.
pub fn internal(e: anyhow::Error) -> ErrorFrame {
    tracing::error!(error = ?e, "chat operation failed");
    ErrorFrame::new(
        ErrorCode::Internal,
        "something went wrong on our side; please retry",
    )
}

trait OrInternal<T> {
    fn or_internal(self) -> ChatResult<T>;
}

impl AgentRef {
    /// The chat's view of an account: its own cap, or the server's (`default_cap`).
    pub fn of(agent: &crate::domain::agent::Agent, default_cap: u32) -> AgentRef {
        AgentRef {
            id: agent.id,
            name: agent.name.clone(),
            max_chats: agent.max_chats.unwrap_or(i64::from(default_cap)).max(1),
            admin: agent.role == crate::domain::agent::Role::Admin,
        }
    }
}

impl<T> OrInternal<T> for anyhow::Result<T> {
    fn or_internal(self) -> ChatResult<T> {
        self.map_err(internal)
    }
}

/// A connected customer.
#[derive(Debug, Clone)]
pub struct Customer {
    /// Their record.
    pub row: CustomerRow,
    /// The widget's language.
    pub lang: Lang,
    /// The page the widget is on.
    pub page_url: Option<String>,
    /// Their current conversation.
    pub conversation: Option<i64>,
    /// Their client address, as the per-address limits key it ([`crate::limits::address_key`]).
    pub addr: std::net::IpAddr,
}

/// A signed-in agent as the chat needs them.
#[derive(Debug, Clone)]
pub struct AgentRef {
    /// Account id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Cap of open conversations.
    pub max_chats: i64,
    /// Admins may act on any conversation.
    pub admin: bool,
}

pub(super) fn lang_of(conv: &ConversationRow) -> Lang {
    conv.lang.parse().unwrap_or(Lang::Ru)
}

/// Checks a message text.
pub fn check_text(text: &str, client_id: Option<&str>) -> ChatResult<String> {
    let cid = client_id.map(str::to_string);
    if let Some(c) = client_id
        && (c.is_empty() || c.chars().count() > super::protocol::MAX_CLIENT_ID_CHARS)
    {
        return Err(
            ErrorFrame::new(ErrorCode::TooLong, "client_id must have 1 to 64 characters")
                .about(cid),
        );
    }
    let t = text.trim();
    if t.chars().all(invisible) {
        return Err(ErrorFrame::new(ErrorCode::TooLong, "the message is empty").about(cid));
    }
    if t.chars().count() > super::protocol::MAX_TEXT_CHARS {
        return Err(ErrorFrame::new(
            ErrorCode::TooLong,
            "a message may have at most 4000 characters",
        )
        .about(cid));
    }
    Ok(t.to_string())
}

/// Whitespace and the characters that show nothing (zero-width space, non-joiner and joiner,
/// word joiner, byte order mark, soft hyphen): a text of only these is an empty message.
pub(super) fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
        )
}

/// Publishes a stored message (and nothing for a duplicate).
pub(super) fn publish_new(state: &Chat, a: &Appended) {
    if let Appended::New(m) = a {
        crate::metrics::message_stored();
        state.hub.publish(Event::Message(m.clone()));
    }
}

/// The customer's open conversation, or a new one (which the customer then follows).
pub async fn open_conversation(state: &Chat, c: &mut Customer) -> ChatResult<ConversationRow> {
    if let Some(id) = c.conversation
        && let Some(conv) = state.store.conversation(id).await.or_internal()?
        && conv.status != ConversationStatus::Resolved
    {
        return Ok(conv);
    }
    let conv = state
        .store
        .create_conversation(
            c.row.id,
            c.lang.code(),
            c.page_url.as_deref(),
            crate::domain::Channel::Chat,
            now_ms(),
        )
        .await
        .or_internal()?;
    c.conversation = Some(conv.id);
    Ok(conv)
}

/// Stores a bot or system message in a conversation and publishes it.
pub(super) async fn say(
    state: &Chat,
    conv_id: i64,
    author: Author,
    text: String,
    event: Option<Notice>,
    answer: Option<crate::domain::Answer>,
    patch: &Patch,
) -> ChatResult<Appended> {
    let m = NewMessage {
        author,
        text,
        event,
        answer,
        ..Default::default()
    };
    say_message(state, conv_id, &m, patch).await
}

/// Stores a message in a conversation and publishes it.
pub(super) async fn say_message(
    state: &Chat,
    conv_id: i64,
    m: &NewMessage,
    patch: &Patch,
) -> ChatResult<Appended> {
    let a = state
        .store
        .append_message(conv_id, m, patch, now_ms())
        .await
        .or_internal()?;
    publish_new(state, &a);
    Ok(a)
}

/// The conversation as stored now, or a `no_conversation` error frame.
pub async fn conversation_row(state: &Chat, conv_id: i64) -> ChatResult<ConversationRow> {
    conversation(state, conv_id).await
}

/// The conversation, or a `no_conversation` error frame.
pub(super) async fn conversation(state: &Chat, conv_id: i64) -> ChatResult<ConversationRow> {
    state
        .store
        .conversation(conv_id)
        .await
        .or_internal()?
        .ok_or_else(|| no_conversation(conv_id))
}

/// Stores a system message together with `patch`; `bad_state` with `refused` when the patch's
/// conditions did not hold.
pub(super) async fn system_change(
    state: &Chat,
    conv_id: i64,
    text: String,
    event: Notice,
    patch: &Patch,
    refused: &str,
) -> ChatResult<()> {
    let a = say(
        state,
        conv_id,
        Author::System,
        text,
        Some(event),
        None,
        patch,
    )
    .await?;
    if matches!(a, Appended::New(_)) {
        Ok(())
    } else {
        Err(ErrorFrame::new(ErrorCode::BadState, refused).with_conversation(conv_id))
    }
}

pub(super) fn no_conversation(conv_id: i64) -> ErrorFrame {
    ErrorFrame::new(ErrorCode::NoConversation, "no such conversation").with_conversation(conv_id)
}

impl ErrorFrame {
    /// The same, about this conversation.
    pub fn with_conversation(mut self, id: i64) -> Self {
        self.conversation_id = Some(id);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cluster::OnlineAgent;

    #[test]
    fn round_robin_starts_after_the_last() {
        let c = |ids: &[i64]| {
            ids.iter()
                .map(|i| OnlineAgent {
                    id: *i,
                    name: String::new(),
                    max_chats: 5,
                    away: false,
                })
                .collect::<Vec<_>>()
        };
        let order = |v: Vec<OnlineAgent>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
        assert_eq!(order(round_robin(c(&[3, 1, 2]), None)), [1, 2, 3]);
        assert_eq!(order(round_robin(c(&[3, 1, 2]), Some(2))), [3, 1, 2]);
        assert_eq!(order(round_robin(c(&[3, 1, 2]), Some(3))), [1, 2, 3]);
        // The last one went offline: the next after them still comes first.
        assert_eq!(order(round_robin(c(&[1, 3]), Some(2))), [3, 1]);
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(plausible_email("anna@example.com"));
        assert!(!plausible_email("anna@example"));
        assert!(!plausible_email("anna example@x.com"));
    }

    #[test]
    fn invisible_texts_are_empty() {
        for t in [
            "",
            " \n\t",
            "\u{200B}",
            " \u{200C}\u{200D} \u{2060}",
            "\u{FEFF}\u{00AD}\u{3000}",
        ] {
            assert_eq!(
                check_text(t, None).unwrap_err().code,
                ErrorCode::TooLong,
                "{t:?}"
            );
        }
        assert_eq!(
            check_text(" \u{200B}да\u{200B} ", None).unwrap(),
            "\u{200B}да\u{200B}"
        );
    }
}
