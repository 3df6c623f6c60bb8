//! The frames of the chat websockets (version 1, documented in `docs/protocol.md`).

use serde::{Deserialize, Serialize};

pub use crate::domain::message::Message;
use crate::domain::{Author, ConversationStatus, EscalationReason};

pub use crate::domain::{Answer, ArticleLink, Clarify, ClarifyOption};

/// Protocol version spoken by this server.
pub const VERSION: u32 = 1;
/// Largest frame answered normally; bigger ones get a `too_large` error frame.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Largest frame read at all; bigger ones close the socket (code 1009).
pub const HARD_FRAME_BYTES: usize = 64 * 1024;
/// Longest message text, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest `client_id`.
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// Longest rating comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Longest page URL kept, in characters (longer ones are cut).
pub const MAX_URL_CHARS: usize = 2000;

/// Identity a host page passes to the widget (`Otvet.identify`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Identity {
    /// Customer's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Customer's email.
    #[serde(default)]
    pub email: Option<String>,
    /// Hex HMAC-SHA256 of the lower-cased email under the identity secret.
    #[serde(default)]
    pub hash: Option<String>,
}

/// A frame from the widget.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerIn {
    /// The first frame: who is this and what did they see already.
    Hello {
        /// Protocol version of the client.
        #[serde(default)]
        v: Option<u32>,
        /// Customer token from an earlier `welcome`.
        #[serde(default)]
        token: Option<String>,
        /// The conversation the client shows.
        #[serde(default)]
        conversation_id: Option<i64>,
        /// The highest `seq` the client has.
        #[serde(default)]
        last_seq: Option<i64>,
        /// The widget's language.
        #[serde(default)]
        lang: Option<String>,
        /// Address of the page the widget is on.
        #[serde(default)]
        page_url: Option<String>,
        /// Identity passed by the host page.
        #[serde(default)]
        identity: Option<Identity>,
    },
    /// A customer message.
    Send {
        /// The client's id of the message.
        client_id: String,
        /// The text.
        text: String,
    },
    /// A choice on a «Вы об этом?» message: an option, or none of them.
    Choose {
        /// The message's seq.
        seq: i64,
        /// The option (0-based); absent or `null` for "none of these".
        #[serde(default)]
        option: Option<usize>,
    },
    /// "Did this help?" on a bot answer.
    Feedback {
        /// The answer's seq.
        seq: i64,
        /// Yes or no.
        helpful: bool,
    },
    /// Ask for a person.
    Human {},
    /// Typing started or stopped.
    Typing {
        /// On or off.
        on: bool,
    },
    /// Leave an email for an answer when nobody is online.
    Contact {
        /// The client's id of the request.
        #[serde(default)]
        client_id: Option<String>,
        /// Where to answer.
        email: String,
        /// Customer's name.
        #[serde(default)]
        name: Option<String>,
    },
    /// Identity from the host page after connecting.
    Identify(Identity),
    /// Rate a resolved conversation.
    Rate {
        /// 1 to 5.
        score: i64,
        /// Optional comment.
        #[serde(default)]
        comment: Option<String>,
    },
    /// Mail me the transcript (when the conversation is resolved; at once if it is).
    Transcript {},
    /// Keep-alive.
    Ping {},
}

/// A frame from the agent console.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentIn {
    /// Online or away.
    Presence {
        /// `online` or `away`.
        status: String,
    },
    /// Show a conversation and follow it.
    Open {
        /// Which.
        conversation_id: i64,
        /// Highest seq the console has.
        #[serde(default)]
        last_seq: Option<i64>,
    },
    /// Take a waiting conversation.
    Claim {
        /// Which.
        conversation_id: i64,
    },
    /// A message to the customer.
    Send {
        /// Which conversation.
        conversation_id: i64,
        /// The console's id of the message.
        client_id: String,
        /// The text.
        text: String,
    },
    /// A private note for the team.
    Note {
        /// Which conversation.
        conversation_id: i64,
        /// The console's id of the note.
        client_id: String,
        /// The text.
        text: String,
    },
    /// Typing started or stopped.
    Typing {
        /// Which conversation.
        conversation_id: i64,
        /// On or off.
        on: bool,
    },
    /// Hand the conversation to another agent.
    Transfer {
        /// Which conversation.
        conversation_id: i64,
        /// To whom.
        agent_id: i64,
    },
    /// Close the conversation (the customer is asked to rate it).
    Resolve {
        /// Which conversation.
        conversation_id: i64,
    },
    /// Open a resolved conversation again, with this agent.
    Reopen {
        /// Which conversation.
        conversation_id: i64,
    },
    /// Keep-alive.
    Ping {},
}

/// Customer-facing summary of a conversation.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationInfo {
    /// Id.
    pub id: i64,
    /// Where it stands.
    pub status: ConversationStatus,
    /// The agent with it, once a person joined.
    pub agent: Option<AgentName>,
    /// Highest seq.
    pub last_seq: i64,
    /// The customer's rating, once given.
    pub rating: Option<i64>,
}

/// An agent as customers see them.
#[derive(Debug, Clone, Serialize)]
pub struct AgentName {
    /// Display name.
    pub name: String,
}

/// Customer details as the customer sees them.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerInfo {
    /// Name, if known.
    pub name: Option<String>,
    /// Email, if known.
    pub email: Option<String>,
    /// Whether the identity was proven by the host page.
    pub verified: bool,
}

/// Where a conversation stands (customer side).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Status {
    /// Where it stands.
    pub status: ConversationStatus,
    /// Place in the queue (1 = next).
    pub position: Option<i64>,
    /// Honest expected wait, when there is data for one.
    pub wait_secs: Option<i64>,
    /// Nobody can answer now.
    pub offline: bool,
    /// When support is back (Unix ms), if known.
    pub back_at: Option<i64>,
    /// The agent with it.
    pub agent: Option<String>,
}

/// A frame to the widget.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerOut {
    /// Reply to `hello`.
    Welcome {
        /// Protocol version.
        v: u32,
        /// The customer token to keep.
        token: String,
        /// Who the customer is.
        customer: CustomerInfo,
        /// Their current conversation.
        conversation: Option<ConversationInfo>,
        /// Whether support answers by email: only then does the widget offer to leave an
        /// address or to mail the transcript.
        mail: bool,
    },
    /// A stored message (boxed: it is much larger than the other frames).
    Message(Box<Message>),
    /// A client message was stored.
    Ack {
        /// The client's id.
        client_id: String,
        /// Conversation.
        conversation_id: i64,
        /// Its seq.
        seq: i64,
    },
    /// Queue/assignment state.
    Status(Status),
    /// The other side types.
    Typing {
        /// An agent.
        author: Author,
        /// The agent's name.
        name: Option<String>,
        /// On or off.
        on: bool,
    },
    /// Reply to `ping`.
    Pong {},
    /// Something was wrong with a frame; the connection goes on.
    Error(ErrorFrame),
}

/// The signed-in agent, as `hello` tells the console.
#[derive(Debug, Clone, Serialize)]
pub struct AgentHello {
    /// Account id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// `agent`, `editor` or `admin`.
    pub role: crate::domain::agent::Role,
    /// Cap of open conversations.
    pub max_chats: i64,
}

/// The customer of a conversation as the console shows them.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerCard {
    /// The name they gave, if any.
    pub name: Option<String>,
    /// Their email, if any.
    pub email: Option<String>,
    /// Their phone, if an agent wrote it down.
    pub phone: Option<String>,
    /// Whether the site vouched for the identity.
    pub verified: bool,
}

/// A conversation as the console opens it.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationView {
    /// Id.
    pub id: i64,
    /// Its customer (for the contact card).
    pub customer_id: i64,
    /// Where it stands.
    pub status: ConversationStatus,
    /// Language code.
    pub lang: String,
    /// The page the chat started on.
    pub page_url: Option<String>,
    /// The agent with it.
    pub agent_id: Option<i64>,
    /// That agent's name.
    pub agent_name: Option<String>,
    /// Queued while nobody could answer.
    pub offline: bool,
    /// The email left for an answer.
    pub contact_email: Option<String>,
    /// Where it came from (`chat`, `email`).
    pub channel: crate::domain::Channel,
    /// The subject of the mail that started it.
    pub subject: Option<String>,
    /// Started (ms).
    pub created_at: i64,
    /// Entered the queue (ms).
    pub queued_at: Option<i64>,
    /// Why it went to people.
    pub escalation: Option<EscalationReason>,
    /// The customer's rating.
    pub rating: Option<i64>,
    /// The rating's comment.
    pub rating_comment: Option<String>,
    /// The customer.
    pub customer: Option<CustomerCard>,
}

/// A frame to the agent console (the queue and presence frames, which every console gets, are
/// serialized once per refresh by `service::queue_frames` from the same variants).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentOut<'a> {
    /// First frame: protocol version and who is signed in.
    Hello {
        /// Protocol version.
        v: u32,
        /// The agent.
        agent: AgentHello,
    },
    /// Conversations with an agent and the first waiting ones.
    Queue {
        /// The list.
        items: &'a [crate::store::chat::QueueRow],
        /// How many wait in all.
        waiting: i64,
    },
    /// The team's presence on every node.
    Agents {
        /// Agents online or away.
        agents: &'a [super::hub::AgentPresence],
    },
    /// A conversation opened: its handoff packet, messages and the customer's history.
    Conversation {
        /// The conversation (boxed: much larger than the other frames).
        conversation: Box<ConversationView>,
        /// The bot's handoff packet (JSON as stored), or null.
        handoff: serde_json::Value,
        /// Its messages after the console's `last_seq`.
        messages: &'a [Message],
        /// The customer's other conversations.
        history: &'a [crate::store::chat::HistoryRow],
    },
    /// A new or updated message of a followed conversation.
    Message(&'a Message),
    /// The customer types.
    Typing {
        /// Conversation.
        conversation_id: i64,
        /// Always the customer.
        author: Author,
        /// On or off.
        on: bool,
    },
    /// A conversation was taken or handed over.
    Assigned {
        /// Conversation.
        conversation_id: i64,
        /// The agent with it now.
        agent_id: i64,
        /// Their name.
        agent_name: &'a str,
    },
    /// A conversation was closed.
    Resolved {
        /// Conversation.
        conversation_id: i64,
    },
    /// The customer rated a conversation.
    Rating {
        /// Conversation.
        conversation_id: i64,
        /// 1 to 5.
        score: i64,
        /// Their comment.
        comment: Option<&'a str>,
    },
    /// An agent's message was stored.
    Ack {
        /// The console's id for it.
        client_id: Option<&'a str>,
        /// Conversation.
        conversation_id: i64,
        /// Its seq.
        seq: i64,
    },
    /// Reply to `ping`.
    Pong {},
    /// Something was wrong with a frame.
    Error(&'a ErrorFrame),
}

impl AgentOut<'_> {
    /// The frame as sent.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

crate::domain::conversation::names! {
    /// The stable codes of error frames: one table, which `docs/protocol.md`, the widget and the
    /// console are tested against.
    ErrorCode {
        /// Not JSON, not an object, an unknown `type`, a missing or wrongly typed field.
        BadFrame = "bad_frame",
        /// A binary frame.
        BinaryFrame = "binary_frame",
        /// The frame is over the size limit.
        TooLarge = "too_large",
        /// A message text is empty or too long.
        TooLong = "too_long",
        /// Over a rate limit; `retry_ms` says when to retry.
        RateLimited = "rate_limited",
        /// A customer connection's first frame must be `hello`.
        HelloFirst = "hello_first",
        /// The customer token is unknown.
        BadToken = "bad_token",
        /// `identify` with a hash that does not match the email.
        BadIdentity = "bad_identity",
        /// The frame refers to a conversation this connection may not touch.
        NoConversation = "no_conversation",
        /// Not possible in the conversation's state.
        BadState = "bad_state",
        /// Another agent claimed the conversation first.
        AlreadyTaken = "already_taken",
        /// The agent already has as many open conversations as allowed.
        OverCapacity = "over_capacity",
        /// The agent's role does not allow it.
        Forbidden = "forbidden",
        /// A file that is not a PNG, JPEG, GIF or WebP image or a PDF (told from its bytes).
        BadFile = "bad_file",
        /// Our fault; logged; retry later.
        Internal = "internal",
    }
}

impl ErrorCode {
    /// The codes an agent's console may get, each of which it explains in its own words.
    pub const FOR_AGENTS: &'static [ErrorCode] = &[
        ErrorCode::BadFrame,
        ErrorCode::BinaryFrame,
        ErrorCode::TooLarge,
        ErrorCode::TooLong,
        ErrorCode::RateLimited,
        ErrorCode::NoConversation,
        ErrorCode::BadState,
        ErrorCode::AlreadyTaken,
        ErrorCode::OverCapacity,
        ErrorCode::Forbidden,
        ErrorCode::BadFile,
        ErrorCode::Internal,
    ];
}

/// An error frame.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorFrame {
    /// Stable code (see `docs/protocol.md`).
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// The client id of the frame at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The conversation concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<i64>,
    /// When to retry (rate limiting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_ms: Option<u64>,
}

impl ErrorFrame {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorFrame {
            code,
            message: message.into(),
            client_id: None,
            conversation_id: None,
            retry_ms: None,
        }
    }

    /// The `rate_limited` error, with when to retry.
    pub fn rate_limited(message: &'static str, retry: std::time::Duration) -> Self {
        let mut e = ErrorFrame::new(ErrorCode::RateLimited, message);
        e.retry_ms = Some(u64::try_from(retry.as_millis()).unwrap_or(u64::MAX));
        e
    }

    /// The same, about the frame with this client id.
    pub fn about(mut self, client_id: Option<String>) -> Self {
        self.client_id = client_id;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_by_type() {
        let f: CustomerIn =
            serde_json::from_str(r#"{"type":"send","client_id":"a","text":"hi","extra":1}"#)
                .unwrap();
        assert!(matches!(f, CustomerIn::Send { .. }));
        let f: CustomerIn = serde_json::from_str(r#"{"type":"human"}"#).unwrap();
        assert!(matches!(f, CustomerIn::Human {}));
        let f: CustomerIn = serde_json::from_str(r#"{"type":"hello"}"#).unwrap();
        assert!(matches!(f, CustomerIn::Hello { token: None, .. }));
        assert!(serde_json::from_str::<CustomerIn>(r#"{"type":"nope"}"#).is_err());
        assert!(serde_json::from_str::<CustomerIn>(r#"{"type":"send","text":"x"}"#).is_err());
        let f: AgentIn = serde_json::from_str(r#"{"type":"claim","conversation_id":3}"#).unwrap();
        assert!(matches!(f, AgentIn::Claim { conversation_id: 3 }));
    }

    #[test]
    fn out_frames_are_tagged() {
        let s = serde_json::to_string(&CustomerOut::Pong {}).unwrap();
        assert_eq!(s, r#"{"type":"pong"}"#);
        let e =
            CustomerOut::Error(ErrorFrame::new(ErrorCode::BadFrame, "x").about(Some("c".into())));
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "error");
        assert_eq!(v["code"], "bad_frame");
        assert_eq!(v["client_id"], "c");
    }
}
