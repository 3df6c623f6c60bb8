//! The agent's side of a conversation: replies and private notes, transfer and resolve.

use crate::bot::replies;
use crate::chat::Chat;
use crate::chat::hub::Event;
use crate::chat::protocol::ErrorCode;
use crate::chat::protocol::{ErrorFrame, Message};
use crate::domain::mail::MailKind;
use crate::domain::now_ms;
use crate::domain::{Author, Channel, ConversationStatus, Notice};
use crate::store::chat::{Appended, NewMessage, Patch, Val};
use crate::store::cluster::OnlineAgent;

use super::*;
use crate::search::analyzer::search_text;

/// An agent's message (or private note) to a conversation.
pub async fn agent_send(
    state: &Chat,
    agent: &AgentRef,
    conv_id: i64,
    client_id: String,
    text: &str,
    private: bool,
) -> ChatResult<(Message, bool)> {
    let text = check_text(text, Some(&client_id)).map_err(|e| e.with_conversation(conv_id))?;
    let conv = conversation(state, conv_id).await?;
    let m = NewMessage {
        client_id: Some(client_id.clone()),
        author: Author::Agent,
        agent_id: Some(agent.id),
        author_name: Some(agent.name.clone()),
        private,
        search_text: Some(search_text(lang_of(&conv), &text)),
        text,
        ..Default::default()
    };
    let patch = if private {
        Patch::default()
    } else {
        if conv.status == ConversationStatus::Bot || conv.status == ConversationStatus::Queued {
            match claim(state, agent, conv_id).await {
                Ok(()) => {}
                // A resend after the claim went through.
                Err(e) if e.code == ErrorCode::AlreadyTaken => {}
                Err(e) => return Err(e),
            }
        }
        let p = Patch::default()
            .when_status(&[ConversationStatus::Assigned])
            .first_reply(now_ms());
        if agent.admin {
            p
        } else {
            p.when_agent(agent.id)
        }
    };
    let a = state
        .store
        .append_message(conv_id, &m, &patch, now_ms())
        .await
        .or_internal()?;
    publish_new(state, &a);
    if !private && matches!(a, Appended::New(_)) {
        reply_by_mail(state, &conv).await;
    }
    match a {
        Appended::New(m) => Ok((m, true)),
        Appended::Duplicate(m) => Ok((m, false)),
        Appended::Refused => Err(ErrorFrame::new(
            ErrorCode::BadState,
            "this conversation is not yours or is closed",
        )
        .about(Some(client_id))
        .with_conversation(conv_id)),
    }
}

/// Hands a conversation to another online agent.
pub async fn transfer(state: &Chat, agent: &AgentRef, conv_id: i64, to: i64) -> ChatResult<()> {
    let online = state
        .store
        .online_agents(now_ms(), default_cap(state))
        .await
        .or_internal()?;
    let Some(OnlineAgent {
        name: to_name,
        max_chats: to_cap,
        ..
    }) = online.into_iter().find(|a| a.id == to && !a.away)
    else {
        return Err(
            ErrorFrame::new(ErrorCode::BadState, "that agent is not online (or away)")
                .with_conversation(conv_id),
        );
    };
    let conv = conversation(state, conv_id).await?;
    let mut patch = Patch::default()
        .when_status(&[ConversationStatus::Assigned])
        .when_below_cap(to, to_cap)
        .set("agent_id", Val::Int(to))
        .set("agent_name", Val::Text(to_name.clone()));
    if !agent.admin {
        patch = patch.when_agent(agent.id);
    }
    system_change(
        state,
        conv_id,
        replies::transferred(lang_of(&conv), &to_name),
        Notice::Transferred,
        &patch,
        "cannot transfer: the conversation is not yours, or the other agent is at their cap",
    )
    .await?;
    assigned(state, conv_id, to, &to_name).await
}

/// Opens a resolved conversation again, with this agent (under their cap): a system message
/// tells the customer, and it is with the agent as if claimed.
pub async fn reopen(state: &Chat, agent: &AgentRef, conv_id: i64) -> ChatResult<()> {
    let conv = conversation(state, conv_id).await?;
    let patch = Patch::default()
        .when_status(&[ConversationStatus::Resolved])
        .when_below_cap(agent.id, agent.max_chats)
        .status(ConversationStatus::Assigned)
        .set("agent_id", Val::Int(agent.id))
        .set("agent_name", Val::Text(agent.name.clone()))
        .set("assigned_at", Val::Int(now_ms()))
        .set("resolved_at", Val::NullInt);
    system_change(
        state,
        conv_id,
        replies::reopened(lang_of(&conv), &agent.name),
        Notice::Reopened,
        &patch,
        "only a resolved conversation can be reopened, by an agent under their cap",
    )
    .await?;
    assigned(state, conv_id, agent.id, &agent.name).await
}

/// Closes a conversation; the customer is asked to rate it.
pub async fn resolve(state: &Chat, agent: &AgentRef, conv_id: i64) -> ChatResult<()> {
    let conv = conversation(state, conv_id).await?;
    let mut patch = Patch::default()
        .status(ConversationStatus::Resolved)
        .set("resolved_at", Val::Int(now_ms()));
    if conv.status == ConversationStatus::Assigned && !agent.admin {
        patch = patch
            .when_status(&[ConversationStatus::Assigned])
            .when_agent(agent.id);
    } else {
        patch = patch.when_status(&[
            ConversationStatus::Bot,
            ConversationStatus::Queued,
            ConversationStatus::Assigned,
        ]);
    }
    system_change(
        state,
        conv_id,
        replies::resolved(lang_of(&conv)).into(),
        Notice::Resolved,
        &patch,
        "this conversation is closed already or with another agent",
    )
    .await?;
    state.hub.publish(Event::Resolved {
        conversation_id: conv_id,
    });
    if let Some(conv) = state.store.conversation(conv_id).await.or_internal()? {
        if conv.wants_transcript {
            queue_mail(state, &conv, MailKind::Transcript, now_ms()).await;
        }
        if conv.channel == Channel::Email {
            queue_mail(state, &conv, MailKind::Rating, now_ms()).await;
        }
        let status = status_of(state, &conv).await?;
        state.hub.publish(Event::Status {
            conversation_id: conv_id,
            status,
        });
    }
    queue_changed(state).await;
    auto_assign(state).await;
    Ok(())
}
