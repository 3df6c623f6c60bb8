//! The queue and its agents: the frames consoles get, presence, round-robin assignment and
//! claims.

use crate::bot::replies;
use crate::chat::Chat;
use crate::chat::hub::{AgentPresence, Event};
use crate::chat::protocol::AgentOut;
use crate::chat::protocol::ErrorCode;
use crate::chat::protocol::ErrorFrame;
use crate::domain::now_ms;
use crate::domain::{Author, ConversationStatus, Notice};
use crate::store::chat::{Appended, Patch, Val};
use crate::store::cluster::OnlineAgent;

use super::*;

/// The queue or presence changed: every console, on every node, gets the fresh ones soon.
pub async fn queue_changed(state: &Chat) {
    state.hub.queue_changed();
}

/// Reads the queue and the team and publishes them to this node's consoles.
pub async fn send_queue_to_consoles(state: &Chat) {
    match queue_frames(state).await {
        Ok((queue, agents)) => {
            state.hub.publish_local(Event::Queue(queue.into()));
            state.hub.publish_local(Event::Agents(agents.into()));
        }
        Err(e) => tracing::error!(error = ?e, "cannot read the queue"),
    }
}

/// Waiting conversations a console is sent at most: the first ones in the queue's order. The
/// `queue` frame says how many wait in all; the rest come up as the first are taken.
pub const QUEUE_SHOWN: i64 = 200;

/// The `queue` and `agents` frames, serialized (once per refresh rather than by each console:
/// with many open conversations the queue frame is the biggest thing consoles get).
pub async fn queue_frames(state: &Chat) -> anyhow::Result<(String, String)> {
    let (items, waiting, team) = tokio::try_join!(
        state.store.queue(QUEUE_SHOWN),
        state.store.waiting_count(),
        team(state)
    )?;
    let queue = AgentOut::Queue {
        items: &items,
        waiting,
    }
    .to_json();
    let agents = AgentOut::Agents { agents: &team }.to_json();
    Ok((queue, agents))
}

/// The queue source of a client address group: a keyed hash of it (the installation's
/// secret), so the stored value says nothing about the address (see `0009_queue_source`).
pub fn queue_source(secret: &str, addr: std::net::IpAddr) -> String {
    let mut id = crate::domain::token::visitor_id(secret, &addr.to_string(), "queue");
    id.truncate(16);
    id
}

/// The server's default cap of open conversations per agent.
pub fn default_cap(state: &Chat) -> i64 {
    i64::from(state.config.max_chats).max(1)
}

/// The agents online on any node, with their open conversations.
pub async fn team(state: &Chat) -> anyhow::Result<Vec<AgentPresence>> {
    let online = state
        .store
        .online_agents(now_ms(), default_cap(state))
        .await?;
    let open = state.store.open_counts().await?;
    Ok(online
        .into_iter()
        .map(|a| AgentPresence {
            open: open.get(&a.id).copied().unwrap_or(0),
            status: if a.away { "away" } else { "online" },
            id: a.id,
            name: a.name,
            max_chats: a.max_chats,
        })
        .collect())
}

/// Round-robin order: agents after `last` (the last one assigned) first, by id.
pub fn round_robin(mut candidates: Vec<OnlineAgent>, last: Option<i64>) -> Vec<OnlineAgent> {
    candidates.sort_by_key(|c| c.id);
    if let Some(last) = last {
        let split = candidates.partition_point(|c| c.id <= last);
        candidates.rotate_left(split);
    }
    candidates
}

/// Asks for waiting conversations to be handed to online agents: this node's assigner
/// ([`crate::chat::bus`]) runs [`assign_now`] soon, once for a burst of requests.
pub async fn auto_assign(state: &Chat) {
    state.hub.want_assignment();
}

/// Hands waiting conversations to online agents under their cap, round-robin. One node at a
/// time assigns (a lock in the database), so the order holds across nodes; caps and "one agent
/// per conversation" hold anyway, by the conditional updates of [`claim`].
pub async fn assign_now(state: &Chat) {
    // Outside business hours customers were told when support is back; agents who happen to
    // be online may still claim conversations themselves.
    if !state.config.auto_assign || !state.hours.load().is_open(now_ms()) {
        return;
    }
    let _this_node = state.hub.assignment_lock().await;
    let all_nodes = match state.store.assignment_lock().await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = ?e, "cannot take the assignment lock");
            return;
        }
    };
    assign_waiting(state).await;
    all_nodes.release().await;
}

pub(super) async fn assign_waiting(state: &Chat) {
    let (waiting, mut last, online, mut open) = match (
        state.store.waiting().await,
        state.store.last_assigned().await,
        state
            .store
            .online_agents(now_ms(), default_cap(state))
            .await,
        state.store.open_counts().await,
    ) {
        (Ok(w), Ok(l), Ok(a), Ok(o)) => (w, l, a, o),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
            tracing::error!(error = ?e, "cannot read the queue or who is online");
            return;
        }
    };
    let online: Vec<OnlineAgent> = online.into_iter().filter(|a| !a.away).collect();
    for conv_id in waiting {
        // Counts kept here as claims succeed; a claim checks the cap in the database anyway
        // (an agent who claimed by hand meanwhile is refused, and skipped from then on).
        let Some(pick) = round_robin(online.clone(), last)
            .into_iter()
            .find(|a| open.get(&a.id).copied().unwrap_or(0) < a.max_chats)
        else {
            return;
        };
        let agent = AgentRef {
            id: pick.id,
            name: pick.name,
            max_chats: pick.max_chats,
            admin: false,
        };
        match claim(state, &agent, conv_id).await {
            Ok(()) => {
                last = Some(agent.id);
                *open.entry(agent.id).or_default() += 1;
                if let Err(e) = state.store.set_last_assigned(agent.id).await {
                    tracing::warn!(error = ?e, "cannot store the round-robin position");
                }
            }
            Err(e) if e.code == ErrorCode::OverCapacity => {
                open.insert(agent.id, agent.max_chats);
            }
            Err(e) => tracing::debug!(code = e.code.as_str(), conv_id, "auto-assignment skipped"),
        }
    }
}

/// An agent takes a waiting conversation (or one still with the bot).
pub async fn claim(state: &Chat, agent: &AgentRef, conv_id: i64) -> ChatResult<()> {
    let conv = conversation(state, conv_id).await?;
    let lang = lang_of(&conv);
    let now = now_ms();
    let patch = Patch::default()
        .when_status(&[ConversationStatus::Bot, ConversationStatus::Queued])
        .when_below_cap(agent.id, agent.max_chats)
        .status(ConversationStatus::Assigned)
        .set("agent_id", Val::Int(agent.id))
        .set("agent_name", Val::Text(agent.name.clone()))
        .set("assigned_at", Val::Int(now))
        .set("offline", Val::Bool(false));
    let a = say(
        state,
        conv_id,
        Author::System,
        replies::joined(lang, &agent.name),
        Some(Notice::Joined),
        None,
        &patch,
    )
    .await?;
    if !matches!(a, Appended::New(_)) {
        let now = state.store.conversation(conv_id).await.or_internal()?;
        return Err(match now {
            Some(c)
                if c.status == ConversationStatus::Assigned
                    || c.status == ConversationStatus::Resolved =>
            {
                ErrorFrame::new(
                    ErrorCode::AlreadyTaken,
                    "another agent took this conversation first",
                )
            }
            _ => ErrorFrame::new(
                ErrorCode::OverCapacity,
                format!("you already have {} open conversations", agent.max_chats),
            ),
        }
        .with_conversation(conv_id));
    }
    assigned(state, conv_id, agent.id, &agent.name).await
}

pub(super) async fn assigned(
    state: &Chat,
    conv_id: i64,
    agent_id: i64,
    name: &str,
) -> ChatResult<()> {
    state.hub.publish(Event::Assigned {
        conversation_id: conv_id,
        agent_id,
        agent_name: name.to_string(),
    });
    if let Some(conv) = state.store.conversation(conv_id).await.or_internal()? {
        let status = status_of(state, &conv).await?;
        state.hub.publish(Event::Status {
            conversation_id: conv_id,
            status,
        });
    }
    queue_changed(state).await;
    Ok(())
}
