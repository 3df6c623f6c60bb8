//! Live chat: the customer and agent websockets, the bot's part in a conversation, escalation
//! to the agent queue, and the widget script. The wire format is in `docs/protocol.md`.

pub mod bus;

pub mod hours;
pub mod hub;
pub mod info;
pub mod protocol;
pub mod service;
pub mod workers;

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::domain::hours::BusinessHours;
use crate::limits::Limits;
use crate::search::SearchEngine;
use crate::store::Store;

/// What the chat's use cases work with: the parts of the application's state they read
/// (the HTTP layer hands them over, see `web::state`).
#[derive(Clone)]
pub struct Chat {
    /// The database.
    pub store: Store,
    /// The event bus, presence and assignment state of this node.
    pub hub: hub::Hub,
    /// The business hours in force: `--hours`/`--timezone`, or the override an admin set on
    /// `/agent/settings` (kept in `settings`, loaded at start-up, swapped in live). Read this,
    /// not `config.hours`.
    pub hours: Arc<ArcSwap<BusinessHours>>,
    /// This node's per-client rate limits.
    pub limits: Arc<Limits>,
    /// Search over the knowledge base, for the bot's answers.
    pub search: SearchEngine,
    /// How the chat is staffed.
    pub config: Arc<ChatConfig>,
    /// The per-installation secret of keyed hashes (queue sources).
    pub visitor_secret: Arc<str>,
}

/// How the live chat is staffed: the part of the configuration the chat reads.
#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// When agents work.
    pub hours: crate::domain::hours::BusinessHours,
    /// The time zone of the hours (for telling customers when support is back).
    pub timezone: jiff::tz::TimeZone,
    /// Open conversations per agent.
    pub max_chats: u32,
    /// Round-robin assignment to online agents.
    pub auto_assign: bool,
    /// Secret of identity hashes; `None`: identities are never verified.
    pub identity_secret: Option<String>,
    /// How mail is queued when support answers by email (`--smtp-url`); `None`: no mail, and
    /// the widget does not offer the email form.
    pub mail: Option<ChatMail>,
}

/// How the chat queues mail for the mail worker (the `mail` module) to send.
#[derive(Debug, Clone)]
pub struct ChatMail {
    /// The domain of otvet's Message-IDs (the sender's).
    pub domain: String,
    /// How long an agent's reply waits before it is mailed (ms): a burst becomes one mail.
    pub batch_ms: i64,
}

impl Default for ChatConfig {
    fn default() -> Self {
        ChatConfig {
            hours: crate::domain::hours::BusinessHours::always(),
            timezone: jiff::tz::TimeZone::UTC,
            max_chats: 5,
            auto_assign: true,
            identity_secret: None,
            mail: None,
        }
    }
}
