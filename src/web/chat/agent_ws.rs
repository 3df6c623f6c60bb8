//! The agent websocket (`GET /agent/ws`): presence, the live queue, conversations the agent has
//! open, and the agent's actions on them. Needs a session cookie and a same-origin `Origin` (a
//! handshake without `Origin` is refused).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::{self, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::customer_ws::{Incoming, decode};
use crate::agents::Role;
use crate::chat::hub::Event;
use crate::chat::protocol::ErrorCode;
use crate::chat::protocol::{
    AgentHello, AgentIn, AgentOut, ConversationView, CustomerCard, ErrorFrame, HARD_FRAME_BYTES,
    Message, VERSION,
};
use crate::chat::service::{self, AgentRef, ChatResult};
use crate::domain::Author;
use crate::web::state::AppState;

/// A console that sends nothing for this long is closed (the console pings every 30 s).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// Typing notices forwarded at most this often.
const TYPING_EVERY: Duration = Duration::from_millis(1000);
/// How often an open console's session is checked again (it is also checked before each frame
/// it sends): a logout, password change or disabled account anywhere ends the socket within
/// this time, on every node. Half a second keeps the promised second with the lookup's time
/// to spare, at two indexed reads a second per open console.
const REVALIDATE_EVERY: Duration = Duration::from_millis(500);
/// Close code when the session ended (logout, password change, account disabled or expired).
pub const CLOSE_SESSION_ENDED: u16 = 4001;
/// Close code when the agent's role changed: the console reconnects with the new rights.
pub const CLOSE_RIGHTS_CHANGED: u16 = 4002;

/// Upgrades a signed-in agent's console to the agent protocol.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    // Browsers always send Origin on websocket handshakes, so a foreign page cannot ride on an
    // agent's cookie. A handshake without one is not the console's: refused too, so nothing
    // depends on which headers a proxy or an old client strips.
    if crate::web::agents::session::check_origin(&state, &headers, true).is_err() {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"code": "forbidden", "message": "cross-site websocket refused"})),
        )
            .into_response();
    }
    let token_hash = crate::web::agents::session::session_token(&headers)
        .map(|t| crate::domain::token::token_hash(&t))
        .unwrap_or_default();
    let Some((agent, _csrf)) =
        crate::web::agents::session::session_from_headers(&state, &headers).await
    else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"code": "unauthorized", "message": "not signed in"})),
        )
            .into_response();
    };
    let me = AgentRef::of(&agent, state.config.chat.max_chats);
    let role = agent.role;
    ws.max_message_size(HARD_FRAME_BYTES)
        .max_frame_size(HARD_FRAME_BYTES)
        .on_upgrade(move |socket| async move {
            let _counted = state.chat.hub.socket_opened();
            let came_online = match state
                .store
                .presence_connect(me.id, state.chat.hub.node(), crate::domain::now_ms())
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = ?e, "cannot record the agent's presence");
                    false
                }
            };
            let mut conn = Console {
                state: state.clone(),
                socket,
                me: me.clone(),
                role,
                token_hash,
                watching: HashMap::new(),
                shown: std::collections::HashSet::new(),
            };
            service::queue_changed(&state.chat).await;
            if came_online {
                service::auto_assign(&state.chat).await;
            }
            if let Err(e) = conn.run().await {
                tracing::debug!(error = %e, "agent socket ended");
            }
            if let Err(e) = state
                .store
                .presence_disconnect(me.id, state.chat.hub.node())
                .await
            {
                tracing::error!(error = ?e, "cannot record that the agent left");
            }
            service::queue_changed(&state.chat).await;
        })
}

struct Console {
    state: AppState,
    socket: WebSocket,
    me: AgentRef,
    role: Role,
    /// The SHA-256 of the session token the socket was opened with.
    token_hash: String,
    /// Conversations shown in this console, with the highest seq sent.
    watching: HashMap<i64, i64>,
    /// Conversations this console registered with the hub as shown (see [`super::hub::Hub::watch`]).
    shown: std::collections::HashSet<i64>,
}

impl Drop for Console {
    fn drop(&mut self) {
        for id in self.shown.drain() {
            self.state.chat.hub.unwatch(id);
        }
    }
}

impl Console {
    /// Asks the hub for this conversation's messages from other nodes; before reading it, so
    /// that nothing falls in between.
    fn show(&mut self, conv_id: i64) {
        if self.shown.insert(conv_id) {
            self.state.chat.hub.watch(conv_id);
        }
    }

    async fn send(&mut self, frame: AgentOut<'_>) -> Result<(), axum::Error> {
        self.send_text(frame.to_json()).await
    }

    async fn send_text(&mut self, frame: String) -> Result<(), axum::Error> {
        self.socket.send(ws::Message::Text(frame.into())).await
    }

    async fn error(&mut self, e: ErrorFrame) -> Result<(), axum::Error> {
        self.send(AgentOut::Error(&e)).await
    }

    async fn run(&mut self) -> Result<(), axum::Error> {
        let mut events = self.state.chat.hub.subscribe_agents();
        let agent = AgentHello {
            id: self.me.id,
            name: self.me.name.clone(),
            role: self.role,
            max_chats: self.me.max_chats,
        };
        self.send(AgentOut::Hello { v: VERSION, agent }).await?;
        self.send_queue().await?;
        let mut last_typing = Instant::now() - TYPING_EVERY;
        let closing = self.state.chat.hub.closing();
        tokio::pin!(closing);
        let mut revalidate = tokio::time::interval(REVALIDATE_EVERY);
        revalidate.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = revalidate.tick() => {
                    if let Some((code, reason)) = self.revoked().await {
                        return self.close(code, reason).await;
                    }
                }
                () = &mut closing => {
                    let _ = self
                        .socket
                        .send(ws::Message::Close(Some(ws::CloseFrame {
                            code: 1012,
                            reason: "server restarting".into(),
                        })))
                        .await;
                    return Ok(());
                }
                msg = tokio::time::timeout(IDLE_TIMEOUT, self.socket.recv()) => {
                    let msg = match msg {
                        Err(_) | Ok(None) => return Ok(()),
                        Ok(Some(Err(e))) if super::customer_ws::too_large(&e) => {
                            return self.close(1009, "frame too large").await;
                        }
                        Ok(Some(m)) => m?,
                    };
                    let frame = match decode::<AgentIn>(msg) {
                        Incoming::Frame(f) => f,
                        Incoming::Bad(e) => {
                            self.error(e).await?;
                            continue;
                        }
                        Incoming::Skip => continue,
                        Incoming::Closed => return Ok(()),
                    };
                    if let AgentIn::Typing { conversation_id, on } = frame {
                        if (last_typing.elapsed() >= TYPING_EVERY || !on)
                            && is_mine(&self.state, conversation_id, self.me.id).await
                        {
                            last_typing = Instant::now();
                            self.state.chat.hub.publish(Event::Typing {
                                conversation_id,
                                author: Author::Agent,
                                name: Some(self.me.name.clone()),
                                agent_id: Some(self.me.id),
                                on,
                            });
                        }
                        continue;
                    }
                    // Every action is taken with the session's current rights (typing notices,
                    // which change nothing, rely on the periodic check).
                    if !matches!(frame, AgentIn::Ping { .. })
                        && let Some((code, reason)) = self.revoked().await
                    {
                        return self.close(code, reason).await;
                    }
                    if let Err(e) = Box::pin(self.handle(frame)).await {
                        self.error(e).await?;
                    }
                }
                ev = events.recv() => match ev {
                    Ok(ev) if matches!(*ev, Event::Resync) => self.resync().await?,
                    Ok(ev) => Box::pin(self.forward(&ev)).await?,
                    Err(RecvError::Lagged(_)) => self.resync().await?,
                    Err(RecvError::Closed) => return Ok(()),
                }
            }
        }
    }

    /// Why this socket may no longer act, if it may not: its session ended (logout, password
    /// change, disabled account, expiry) or its role changed. A failed lookup keeps the socket
    /// (the database may be back in a moment; the next frame checks again).
    async fn revoked(&mut self) -> Option<(u16, &'static str)> {
        let now = crate::domain::now_ms();
        match self.state.store.session_agent(&self.token_hash, now).await {
            Ok(None) => Some((CLOSE_SESSION_ENDED, "session ended")),
            Ok(Some(s)) if s.agent.role != self.role => {
                Some((CLOSE_RIGHTS_CHANGED, "rights changed"))
            }
            Ok(Some(s)) => {
                self.me.max_chats = s
                    .agent
                    .max_chats
                    .unwrap_or(i64::from(self.state.config.chat.max_chats))
                    .max(1);
                None
            }
            Err(e) => {
                tracing::error!(error = ?e, "cannot check the agent's session");
                None
            }
        }
    }

    async fn close(&mut self, code: u16, reason: &'static str) -> Result<(), axum::Error> {
        tracing::info!(
            agent = self.me.id,
            code,
            reason,
            "closing the agent's socket"
        );
        let _ = self
            .socket
            .send(ws::Message::Close(Some(ws::CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
        Ok(())
    }

    async fn send_queue(&mut self) -> Result<(), axum::Error> {
        let (queue, agents) = match service::queue_frames(&self.state.chat).await {
            Ok(f) => f,
            Err(e) => {
                let e = service::internal(e);
                return self.error(e).await;
            }
        };
        self.send_text(agents).await?;
        self.send_text(queue).await
    }

    /// After falling behind: the queue again and whatever the open conversations missed.
    async fn resync(&mut self) -> Result<(), axum::Error> {
        self.send_queue().await?;
        let ids: Vec<i64> = self.watching.keys().copied().collect();
        for id in ids {
            self.backfill(id).await?;
        }
        Ok(())
    }

    async fn backfill(&mut self, conv_id: i64) -> Result<(), axum::Error> {
        let after = self.watching.get(&conv_id).copied().unwrap_or(0);
        let missed = match self.state.store.messages_after(conv_id, after, true).await {
            Ok(m) => m,
            Err(e) => {
                let e = service::internal(e);
                return self.error(e).await;
            }
        };
        for m in missed {
            self.watching.insert(conv_id, m.seq);
            self.send(AgentOut::Message(&m)).await?;
        }
        Ok(())
    }

    async fn forward(&mut self, ev: &Event) -> Result<(), axum::Error> {
        match ev {
            Event::Message(m) => {
                let Some(&last) = self.watching.get(&m.conversation_id) else {
                    return Ok(());
                };
                if m.seq <= last {
                    return Ok(());
                }
                if m.seq > last + 1 {
                    return self.backfill(m.conversation_id).await;
                }
                self.watching.insert(m.conversation_id, m.seq);
                self.send(AgentOut::Message(m)).await
            }
            Event::Updated(m) if self.watching.contains_key(&m.conversation_id) => {
                self.send(AgentOut::Message(m)).await
            }
            Event::Typing {
                conversation_id,
                author: Author::Customer,
                on,
                ..
            } if self.watching.contains_key(conversation_id) => {
                self.send(AgentOut::Typing {
                    conversation_id: *conversation_id,
                    author: Author::Customer,
                    on: *on,
                })
                .await
            }
            Event::Queue(frame) | Event::Agents(frame) => {
                self.socket
                    .send(ws::Message::Text(frame.as_ref().into()))
                    .await
            }
            Event::Assigned {
                conversation_id,
                agent_id,
                agent_name,
            } => {
                self.send(AgentOut::Assigned {
                    conversation_id: *conversation_id,
                    agent_id: *agent_id,
                    agent_name,
                })
                .await?;
                if *agent_id == self.me.id
                    && !self.watching.contains_key(conversation_id)
                    && let Err(e) = self.open(*conversation_id, 0).await
                {
                    self.error(e).await?;
                }
                Ok(())
            }
            Event::Resolved { conversation_id } => {
                self.send(AgentOut::Resolved {
                    conversation_id: *conversation_id,
                })
                .await
            }
            Event::Rating {
                conversation_id,
                score,
                comment,
            } => {
                self.send(AgentOut::Rating {
                    conversation_id: *conversation_id,
                    score: *score,
                    comment: comment.as_deref(),
                })
                .await
            }
            _ => Ok(()),
        }
    }

    /// Sends a conversation with its handoff packet, messages and the customer's history, and
    /// follows it.
    async fn open(&mut self, conv_id: i64, last_seq: i64) -> ChatResult<()> {
        self.show(conv_id);
        let store = self.state.store.clone();
        let conv = store
            .conversation(conv_id)
            .await
            .map_err(service::internal)?
            .ok_or_else(|| {
                ErrorFrame::new(ErrorCode::NoConversation, "no such conversation")
                    .with_conversation(conv_id)
            })?;
        let customer = store
            .customer(conv.customer_id)
            .await
            .map_err(service::internal)?;
        let verified_email = customer
            .as_ref()
            .filter(|c| c.verified)
            .and_then(|c| c.email.clone());
        let history = store
            .customer_history(conv.customer_id, verified_email.as_deref(), conv.id)
            .await
            .map_err(service::internal)?;
        let messages = store
            .messages_after(conv.id, last_seq.max(0), true)
            .await
            .map_err(service::internal)?;
        let handoff: Value = conv
            .handoff
            .as_deref()
            .and_then(|h| serde_json::from_str(h).ok())
            .unwrap_or(Value::Null);
        let last = messages.last().map(|m| m.seq).unwrap_or(last_seq);
        self.watching.insert(conv.id, last);
        let conversation = ConversationView {
            id: conv.id,
            customer_id: conv.customer_id,
            status: conv.status,
            lang: conv.lang,
            page_url: conv.page_url,
            agent_id: conv.agent_id,
            agent_name: conv.agent_name,
            offline: conv.offline,
            contact_email: conv.contact_email,
            channel: conv.channel,
            subject: conv.subject,
            created_at: conv.created_at,
            queued_at: conv.queued_at,
            escalation: conv.escalation,
            rating: conv.rating,
            rating_comment: conv.rating_comment,
            customer: customer.map(|c| CustomerCard {
                name: c.name,
                email: c.email,
                phone: c.phone,
                verified: c.verified,
            }),
        };
        let frame = AgentOut::Conversation {
            conversation: Box::new(conversation),
            handoff,
            messages: &messages,
            history: &history,
        };
        self.send(frame)
            .await
            .map_err(|e| service::internal(e.into()))
    }

    async fn ack(&mut self, m: &Message) -> ChatResult<()> {
        self.send(AgentOut::Ack {
            client_id: m.client_id.as_deref(),
            conversation_id: m.conversation_id,
            seq: m.seq,
        })
        .await
        .map_err(|e| service::internal(e.into()))
    }

    async fn handle(&mut self, frame: AgentIn) -> ChatResult<()> {
        let state = self.state.clone();
        match frame {
            AgentIn::Presence { status } => {
                let away = match status.as_str() {
                    "online" => false,
                    "away" => true,
                    _ => {
                        return Err(ErrorFrame::new(
                            ErrorCode::BadFrame,
                            "presence is online or away",
                        ));
                    }
                };
                state
                    .store
                    .presence_away(self.me.id, away)
                    .await
                    .map_err(service::internal)?;
                service::queue_changed(&state.chat).await;
                if !away {
                    service::auto_assign(&state.chat).await;
                }
                Ok(())
            }
            AgentIn::Open {
                conversation_id,
                last_seq,
            } => self.open(conversation_id, last_seq.unwrap_or(0)).await,
            AgentIn::Claim { conversation_id } => {
                service::claim(&state.chat, &self.me, conversation_id).await?;
                if !self.watching.contains_key(&conversation_id) {
                    self.open(conversation_id, 0).await?;
                }
                Ok(())
            }
            AgentIn::Send {
                conversation_id,
                client_id,
                text,
            } => {
                let (m, _) = service::agent_send(
                    &state.chat,
                    &self.me,
                    conversation_id,
                    client_id,
                    &text,
                    false,
                )
                .await?;
                self.show(conversation_id);
                self.watching.entry(conversation_id).or_insert(0);
                self.ack(&m).await
            }
            AgentIn::Note {
                conversation_id,
                client_id,
                text,
            } => {
                let (m, _) = service::agent_send(
                    &state.chat,
                    &self.me,
                    conversation_id,
                    client_id,
                    &text,
                    true,
                )
                .await?;
                self.ack(&m).await
            }
            AgentIn::Typing { .. } => Ok(()),
            AgentIn::Transfer {
                conversation_id,
                agent_id,
            } => service::transfer(&state.chat, &self.me, conversation_id, agent_id).await,
            AgentIn::Resolve { conversation_id } => {
                service::resolve(&state.chat, &self.me, conversation_id).await
            }
            AgentIn::Reopen { conversation_id } => {
                service::reopen(&state.chat, &self.me, conversation_id).await?;
                if !self.watching.contains_key(&conversation_id) {
                    self.open(conversation_id, 0).await?;
                }
                Ok(())
            }
            AgentIn::Ping {} => self
                .send(AgentOut::Pong {})
                .await
                .map_err(|e| service::internal(e.into())),
        }
    }
}

async fn is_mine(state: &AppState, conv_id: i64, me: i64) -> bool {
    matches!(
        state.store.conversation(conv_id).await,
        Ok(Some(c)) if c.agent_id == Some(me)
    )
}
