//! Files in a conversation: a customer's or an agent's image or PDF, checked from its bytes,
//! stored, and posted as a message that carries it (an agent's is mailed like a reply).

use crate::chat::Chat;
use crate::chat::protocol::{ErrorCode, ErrorFrame, Message};
use crate::domain::attachment::{Attachment, FileKind, MAX_ATTACHMENT_BYTES, clean_name};
use crate::domain::{Author, ConversationStatus, now_ms};
use crate::store::chat::{Appended, NewMessage, Patch};

use super::*;

/// Who sends a file.
#[derive(Debug, Clone)]
pub enum Sender<'a> {
    /// The customer of the conversation.
    Customer,
    /// An agent (it must be theirs, or they are an admin).
    Agent(&'a AgentRef),
}

/// Checks a file: its kind from the bytes and its size; the error says what is accepted.
pub fn check_file(bytes: &[u8]) -> ChatResult<FileKind> {
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(ErrorFrame::new(
            ErrorCode::TooLarge,
            "a file may have at most 10 MiB",
        ));
    }
    FileKind::sniff(bytes).ok_or_else(|| {
        ErrorFrame::new(
            ErrorCode::BadFile,
            "only PNG, JPEG, GIF and WebP images and PDF documents are accepted",
        )
    })
}

/// Stores a file in conversation `conv_id` and posts the message that carries it; `client_id`
/// makes a resent upload one message. Returns the message and whether it is new.
pub async fn attach(
    state: &Chat,
    conv_id: i64,
    sender: Sender<'_>,
    client_id: &str,
    name: &str,
    bytes: &[u8],
) -> ChatResult<(Message, bool)> {
    let kind = check_file(bytes)?;
    if client_id.is_empty()
        || client_id.chars().count() > super::super::protocol::MAX_CLIENT_ID_CHARS
    {
        return Err(ErrorFrame::new(
            ErrorCode::TooLong,
            "client_id must have 1 to 64 characters",
        ));
    }
    let conv = conversation(state, conv_id).await?;
    let name = clean_name(name, kind);
    let token = crate::domain::token::new_token()[..32].to_string();
    let attachment = Attachment {
        url: format!("/attachments/{token}/{}", crate::domain::url_encode(&name)),
        name: name.clone(),
        content_type: kind.content_type().to_string(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
    };
    let (author, agent_id, author_name, patch) = match &sender {
        Sender::Customer => (Author::Customer, None, None, Patch::default()),
        Sender::Agent(agent) => {
            let p = Patch::default()
                .when_status(&[ConversationStatus::Assigned, ConversationStatus::Resolved])
                .first_reply(now_ms());
            let p = if agent.admin {
                p
            } else {
                p.when_agent(agent.id)
            };
            (Author::Agent, Some(agent.id), Some(agent.name.clone()), p)
        }
    };
    // A resend of a stored upload is answered with the stored message, nothing stored again.
    let m = NewMessage {
        client_id: Some(client_id.to_string()),
        author,
        agent_id,
        author_name,
        text: name.clone(),
        attachment: Some(attachment),
        ..Default::default()
    };
    if let Some(dup) = state
        .store
        .message_by_client_id(conv_id, author, client_id)
        .await
        .or_internal()?
    {
        return Ok((dup, false));
    }
    state
        .store
        .add_attachment(conv_id, &token, &name, kind.content_type(), bytes, now_ms())
        .await
        .or_internal()?;
    let a = state
        .store
        .append_message(conv_id, &m, &patch, now_ms())
        .await
        .or_internal()?;
    publish_new(state, &a);
    match a {
        Appended::New(m) => {
            if author == Author::Agent {
                reply_by_mail(state, &conv).await;
            } else {
                queue_changed(state).await;
            }
            Ok((m, true))
        }
        Appended::Duplicate(m) => Ok((m, false)),
        Appended::Refused => Err(ErrorFrame::new(
            ErrorCode::BadState,
            "this conversation is not yours",
        )
        .with_conversation(conv_id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_checked() {
        assert_eq!(check_file(b"%PDF-1.4").unwrap(), FileKind::Pdf);
        assert_eq!(check_file(b"<html>").unwrap_err().code, ErrorCode::BadFile);
        let big = vec![0u8; MAX_ATTACHMENT_BYTES + 1];
        assert_eq!(check_file(&big).unwrap_err().code, ErrorCode::TooLarge);
    }
}
