//! A stored chat message as the store reads it and every client sees it: the customer's and
//! agents' texts, the bot's answers and the system's notices of one conversation, in order.

use serde::{Deserialize, Serialize};

use crate::domain::{Answer, Author, Clarify, Notice};

/// One stored message as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Conversation id.
    pub conversation_id: i64,
    /// Sequence number in the conversation.
    pub seq: i64,
    /// The sender's id for it, if a client sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Who wrote it.
    pub author: Author,
    /// The agent's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The agent's id (agent frames only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<i64>,
    /// Plain text.
    pub text: String,
    /// Unix ms.
    pub at: i64,
    /// What a system or bot message announces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Notice>,
    /// A bot answer from the help center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// The customer's "Did this help?" on an answer; on a choice, whether an option was
    /// chosen (false: "none of these").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<bool>,
    /// «Вы об этом?»: sections to choose from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clarify: Option<Clarify>,
    /// The option chosen (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<usize>,
    /// A file it carries (an image or PDF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<crate::domain::attachment::Attachment>,
    /// A private note (agents only; never sent to customers).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub private: bool,
}
