//! The customer websocket (`GET /api/chat`): one task per widget connection that reads frames,
//! runs them through [`super::service`], and forwards the conversation's events.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::{self, CloseFrame, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use hmac::{KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::chat::hub::Event;
use crate::chat::protocol::ErrorCode;
use crate::chat::protocol::{
    ConversationInfo, CustomerIn, CustomerInfo, CustomerOut, ErrorFrame, HARD_FRAME_BYTES,
    Identity, MAX_FRAME_BYTES, MAX_URL_CHARS, VERSION,
};
use crate::chat::service::{self, ChatResult, Customer};
use crate::domain::message::Message;
use crate::domain::token::{hex, new_token, token_hash, unhex};
use crate::domain::{Author, ConversationStatus, EscalationReason};
use crate::domain::{Lang, now_ms};
use crate::limits::{self, Bucket};
use crate::web::extract::ClientAddr;
use crate::web::state::AppState;

/// Time a new connection has to say `hello`.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection that sends nothing for this long is closed (the widget pings every 50 s).
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Typing notices forwarded at most this often.
const TYPING_EVERY: Duration = Duration::from_millis(1000);
/// Per-connection websocket buffers: small, since most customers are idle.
pub const READ_BUFFER: usize = 4 * 1024;
/// See [`READ_BUFFER`].
pub const WRITE_BUFFER: usize = 4 * 1024;

/// Upgrades to the customer protocol.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    addr: ClientAddr,
) -> Response {
    let addr = addr.key();
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(4 * HARD_FRAME_BYTES)
        .max_message_size(HARD_FRAME_BYTES)
        .max_frame_size(HARD_FRAME_BYTES)
        .on_upgrade(move |socket| async move {
            let _counted = state.chat.hub.socket_opened();
            let mut conn = Connection {
                state,
                socket,
                addr,
                sub: None,
                last_sent: 0,
            };
            if let Err(e) = conn.run().await {
                tracing::debug!(error = %e, "customer socket ended");
            }
            conn.unsubscribe();
        })
}

/// Whether reading failed because a frame was over [`HARD_FRAME_BYTES`] (the socket is then
/// closed with 1009, as the protocol says, instead of dropped).
pub fn too_large(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(tungstenite::Error::Capacity(_)) = err.downcast_ref::<tungstenite::Error>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// A frame read off the socket.
pub enum Incoming<T> {
    /// A well-formed frame.
    Frame(T),
    /// A frame to answer with an error.
    Bad(ErrorFrame),
    /// Control frames: nothing to do.
    Skip,
    /// The client closed.
    Closed,
}

/// Decodes a websocket message into a protocol frame.
pub fn decode<T: serde::de::DeserializeOwned>(msg: ws::Message) -> Incoming<T> {
    match msg {
        ws::Message::Text(t) => {
            if t.len() > MAX_FRAME_BYTES {
                return Incoming::Bad(ErrorFrame::new(
                    ErrorCode::TooLarge,
                    format!("a frame may have at most {MAX_FRAME_BYTES} bytes"),
                ));
            }
            match serde_json::from_str::<T>(t.as_str()) {
                Ok(f) => Incoming::Frame(f),
                Err(e) => {
                    let client_id = serde_json::from_str::<serde_json::Value>(t.as_str())
                        .ok()
                        .and_then(|v| v.get("client_id")?.as_str().map(str::to_string));
                    Incoming::Bad(
                        ErrorFrame::new(ErrorCode::BadFrame, format!("cannot read the frame: {e}"))
                            .about(client_id),
                    )
                }
            }
        }
        ws::Message::Binary(_) => Incoming::Bad(ErrorFrame::new(
            ErrorCode::BinaryFrame,
            "only JSON text frames are spoken here",
        )),
        ws::Message::Close(_) => Incoming::Closed,
        ws::Message::Ping(_) | ws::Message::Pong(_) => Incoming::Skip,
    }
}

/// Whether `hash` is the hex HMAC-SHA256 of the lower-cased `email` under `secret`.
pub fn identity_hash_ok(secret: &str, email: &str, hash: &str) -> bool {
    let Some(bytes) = Some(hash.trim()).filter(|h| h.len() <= 128).and_then(unhex) else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(email.trim().to_lowercase().as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

/// The identity hash a host page's server computes (for tests and documentation).
pub fn identity_hash(secret: &str, email: &str) -> String {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(email.trim().to_lowercase().as_bytes());
    hex(&mac.finalize().into_bytes())
}

struct Connection {
    state: AppState,
    socket: WebSocket,
    /// The client's address, as the per-address limits key it.
    addr: IpAddr,
    sub: Option<(i64, broadcast::Receiver<Arc<Event>>)>,
    last_sent: i64,
}

async fn next_event(
    sub: &mut Option<(i64, broadcast::Receiver<Arc<Event>>)>,
) -> Result<Arc<Event>, RecvError> {
    match sub {
        Some((_, rx)) => rx.recv().await,
        None => std::future::pending().await,
    }
}

impl Connection {
    async fn send(&mut self, frame: &CustomerOut) -> Result<(), axum::Error> {
        let text = serde_json::to_string(frame).unwrap_or_default();
        self.socket.send(ws::Message::Text(text.into())).await
    }

    async fn error(&mut self, e: ErrorFrame) -> Result<(), axum::Error> {
        self.send(&CustomerOut::Error(e)).await
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let _ = self
            .socket
            .send(ws::Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }

    fn unsubscribe(&mut self) {
        if let Some((id, rx)) = self.sub.take() {
            drop(rx);
            self.state.chat.hub.release(id);
        }
    }

    async fn run(&mut self) -> Result<(), axum::Error> {
        // Only `hello` is understood until it came.
        let deadline = tokio::time::Instant::now() + HELLO_TIMEOUT;
        let mut customer = loop {
            let msg = match tokio::time::timeout_at(deadline, self.socket.recv()).await {
                Err(_) => {
                    self.close(1008, "hello expected").await;
                    return Ok(());
                }
                Ok(None) => return Ok(()),
                Ok(Some(Err(e))) if too_large(&e) => {
                    self.close(1009, "frame too large").await;
                    return Ok(());
                }
                Ok(Some(m)) => m?,
            };
            match decode::<CustomerIn>(msg) {
                Incoming::Frame(CustomerIn::Hello {
                    v: _,
                    token,
                    conversation_id,
                    last_seq,
                    lang,
                    page_url,
                    identity,
                }) => {
                    match Box::pin(self.hello(
                        token,
                        conversation_id,
                        last_seq,
                        lang,
                        page_url,
                        identity,
                    ))
                    .await
                    {
                        Ok(c) => break c,
                        Err(e) => {
                            self.error(e).await?;
                            continue;
                        }
                    }
                }
                Incoming::Frame(_) => {
                    self.error(ErrorFrame::new(ErrorCode::HelloFirst, "send hello first"))
                        .await?
                }
                Incoming::Bad(e) => self.error(e).await?,
                Incoming::Skip => {}
                Incoming::Closed => return Ok(()),
            }
        };
        let mut typing = Bucket::full(limits::TYPING, Instant::now());
        let mut last_typing = Instant::now() - TYPING_EVERY;
        let closing = self.state.chat.hub.closing();
        tokio::pin!(closing);
        loop {
            tokio::select! {
                () = &mut closing => {
                    // The widget reconnects (to another node, or to this one once it is back).
                    self.close(1012, "server restarting").await;
                    return Ok(());
                }
                msg = tokio::time::timeout(IDLE_TIMEOUT, self.socket.recv()) => {
                    let msg = match msg {
                        Err(_) => {
                            self.close(1000, "idle").await;
                            return Ok(());
                        }
                        Ok(None) => return Ok(()),
                        Ok(Some(Err(e))) if too_large(&e) => {
                            self.close(1009, "frame too large").await;
                            return Ok(());
                        }
                        Ok(Some(m)) => m?,
                    };
                    let frame = match decode::<CustomerIn>(msg) {
                        Incoming::Frame(f) => f,
                        Incoming::Bad(e) => {
                            self.error(e).await?;
                            continue;
                        }
                        Incoming::Skip => continue,
                        Incoming::Closed => return Ok(()),
                    };
                    let limited = matches!(
                        frame,
                        CustomerIn::Send { .. }
                            | CustomerIn::Feedback { .. }
                            | CustomerIn::Choose { .. }
                            | CustomerIn::Human {}
                            | CustomerIn::Contact { .. }
                            | CustomerIn::Identify(_)
                            | CustomerIn::Rate { .. }
                            | CustomerIn::Transcript {}
                    );
                    // Per customer, not per socket: reconnecting does not earn a new bucket.
                    if limited
                        && let Err(retry) = self.state.limits.messages.take(&customer.row.id)
                    {
                        let client_id = match &frame {
                            CustomerIn::Send { client_id, .. } => Some(client_id.clone()),
                            _ => None,
                        };
                        let e = ErrorFrame::rate_limited("too many messages; at most 30 a minute", retry)
                            .about(client_id);
                        self.error(e).await?;
                        continue;
                    }
                    if let CustomerIn::Typing { on } = frame {
                        if typing.take(limits::TYPING, Instant::now()).is_err() {
                            continue;
                        }
                        if last_typing.elapsed() >= TYPING_EVERY || !on {
                            last_typing = Instant::now();
                            if let Some(id) = customer.conversation {
                                self.state.chat.hub.publish(Event::Typing {
                                    conversation_id: id,
                                    author: Author::Customer,
                                    name: None,
                                    agent_id: None,
                                    on,
                                });
                            }
                        }
                        continue;
                    }
                    // Boxed: the work behind a frame (database, search) would otherwise be part of
                    // every idle connection's task.
                    if let Err(e) = Box::pin(self.handle(&mut customer, frame)).await {
                        self.error(e).await?;
                    }
                }
                ev = next_event(&mut self.sub) => {
                    match ev {
                        Ok(ev) if matches!(*ev, Event::Resync) => Box::pin(self.resync()).await?,
                        Ok(ev) => Box::pin(self.forward(&ev)).await?,
                        Err(RecvError::Lagged(_)) => Box::pin(self.backfill()).await?,
                        Err(RecvError::Closed) => self.sub = None,
                    }
                }
            }
        }
    }

    async fn hello(
        &mut self,
        token: Option<String>,
        conversation_id: Option<i64>,
        last_seq: Option<i64>,
        lang: Option<String>,
        page_url: Option<String>,
        identity: Option<Identity>,
    ) -> ChatResult<Customer> {
        let store = self.state.store.clone();
        let now = now_ms();
        let known = match token.as_deref().filter(|t| !t.is_empty() && t.len() <= 128) {
            Some(t) => store
                .customer_by_token(&token_hash(t))
                .await
                .map_err(service::internal)?
                .map(|row| (t.to_string(), row)),
            None => None,
        };
        let (token, row) = match known {
            Some(k) => k,
            None => {
                if token.is_some() {
                    let _ = self
                        .error(ErrorFrame::new(
                            ErrorCode::BadToken,
                            "unknown token; starting a new conversation",
                        ))
                        .await;
                }
                if let Err(retry) = self.state.limits.new_customers.take(&self.addr) {
                    return Err(ErrorFrame::rate_limited(
                        "too many new customers from this address; at most 20 per 10 minutes",
                        retry,
                    ));
                }
                let t = new_token();
                let row = store
                    .create_customer(&token_hash(&t), now)
                    .await
                    .map_err(service::internal)?;
                (t, row)
            }
        };
        let lang = lang
            .and_then(|l| l.parse::<Lang>().ok())
            .unwrap_or(self.state.config.default_lang);
        let page_url = page_url
            .map(|u| u.chars().take(MAX_URL_CHARS).collect::<String>())
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
        let mut customer = Customer {
            row,
            lang,
            page_url,
            conversation: None,
            addr: self.addr,
        };
        if let Some(identity) = identity
            && let Err(e) = self.identify(&mut customer, identity).await
        {
            let _ = self.error(e).await;
        }
        let conv = store
            .current_conversation(customer.row.id, now, service::KEEP_RESOLVED_MS)
            .await
            .map_err(service::internal)?;
        customer.conversation = conv.as_ref().map(|c| c.id);
        let info = conv.as_ref().map(|c| ConversationInfo {
            id: c.id,
            status: c.status,
            agent: c
                .agent_name
                .clone()
                .map(|name| crate::chat::protocol::AgentName { name }),
            last_seq: c.last_seq,
            rating: c.rating,
        });
        self.send(&CustomerOut::Welcome {
            v: VERSION,
            token,
            customer: CustomerInfo {
                name: customer.row.name.clone(),
                email: customer.row.email.clone(),
                verified: customer.row.verified,
            },
            conversation: info,
            mail: self.state.chat.config.mail.is_some(),
        })
        .await
        .map_err(|e| service::internal(e.into()))?;
        if let Some(c) = conv {
            let from = if conversation_id == Some(c.id) {
                last_seq.unwrap_or(0).max(0)
            } else {
                0
            };
            self.follow(c.id, from).await?;
            if c.status == ConversationStatus::Queued || c.status == ConversationStatus::Assigned {
                let status = service::status_of(&self.state.chat, &c).await?;
                self.send(&CustomerOut::Status(status))
                    .await
                    .map_err(|e| service::internal(e.into()))?;
            }
        }
        Ok(customer)
    }

    async fn identify(&mut self, c: &mut Customer, id: Identity) -> ChatResult<()> {
        let email = id
            .email
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty());
        let name = id
            .name
            .map(|n| n.trim().chars().take(100).collect::<String>())
            .filter(|n| !n.is_empty());
        let verified = match (&id.hash, &email, &self.state.config.chat.identity_secret) {
            (Some(h), Some(e), Some(secret)) => {
                if !identity_hash_ok(secret, e, h) {
                    return Err(ErrorFrame::new(
                        ErrorCode::BadIdentity,
                        "the identity hash does not match the email",
                    ));
                }
                true
            }
            (Some(_), _, None) => {
                return Err(ErrorFrame::new(
                    ErrorCode::BadIdentity,
                    "this server does not verify identities",
                ));
            }
            _ => false,
        };
        if email
            .as_deref()
            .is_some_and(|e| !service::plausible_email(e))
        {
            return Err(ErrorFrame::new(
                ErrorCode::BadIdentity,
                "that is not an email address",
            ));
        }
        if name.is_none() && email.is_none() {
            return Ok(());
        }
        if c.row.verified && !verified {
            // A proven identity is not replaced by an unproven claim.
            return Ok(());
        }
        c.row = self
            .state
            .store
            .set_customer_identity(c.row.id, name.as_deref(), email.as_deref(), verified)
            .await
            .map_err(service::internal)?;
        Ok(())
    }

    /// Follows a conversation and sends what the client has not seen after `from`.
    async fn follow(&mut self, conv_id: i64, from: i64) -> ChatResult<()> {
        if self.sub.as_ref().map(|s| s.0) != Some(conv_id) {
            self.unsubscribe();
            // Subscribe before reading the backlog so nothing falls in between.
            self.sub = Some((conv_id, self.state.chat.hub.subscribe(conv_id)));
            self.last_sent = from;
        }
        self.backfill()
            .await
            .map_err(|e| service::internal(e.into()))
    }

    async fn backfill(&mut self) -> Result<(), axum::Error> {
        let Some((conv_id, _)) = &self.sub else {
            return Ok(());
        };
        let missed = match self
            .state
            .store
            .messages_after(*conv_id, self.last_sent, false)
            .await
        {
            Ok(m) => m,
            Err(e) => {
                let _ = service::internal(e);
                return Ok(());
            }
        };
        let conv_id = *conv_id;
        let mut agent_seq = None;
        for m in missed {
            self.last_sent = self.last_sent.max(m.seq);
            if m.author == Author::Agent {
                agent_seq = Some(m.seq);
            }
            self.send(&CustomerOut::Message(Box::new(m))).await?;
        }
        if let Some(seq) = agent_seq {
            seen(&self.state, conv_id, seq).await;
        }
        Ok(())
    }

    /// After the node's bus was down: the messages missed, and where the conversation stands.
    async fn resync(&mut self) -> Result<(), axum::Error> {
        self.backfill().await?;
        let Some((conv_id, _)) = &self.sub else {
            return Ok(());
        };
        if let Ok(Some(conv)) = self.state.store.conversation(*conv_id).await
            && (conv.status == ConversationStatus::Queued
                || conv.status == ConversationStatus::Assigned)
            && let Ok(status) = service::status_of(&self.state.chat, &conv).await
        {
            self.send(&CustomerOut::Status(status)).await?;
        }
        Ok(())
    }

    async fn forward(&mut self, ev: &Event) -> Result<(), axum::Error> {
        let Some((conv_id, _)) = &self.sub else {
            return Ok(());
        };
        if ev.conversation_id() != Some(*conv_id) {
            return Ok(());
        }
        match ev {
            Event::Message(m) if !m.private => {
                if m.seq <= self.last_sent {
                    return Ok(());
                }
                if m.seq > self.last_sent + 1 {
                    return self.backfill().await;
                }
                self.last_sent = m.seq;
                self.send(&CustomerOut::Message(Box::new(m.clone())))
                    .await?;
                if m.author == Author::Agent {
                    seen(&self.state, m.conversation_id, m.seq).await;
                }
                Ok(())
            }
            Event::Updated(m) if !m.private => {
                self.send(&CustomerOut::Message(Box::new(m.clone()))).await
            }
            Event::Typing {
                author: Author::Agent,
                name,
                on,
                ..
            } => {
                self.send(&CustomerOut::Typing {
                    author: Author::Agent,
                    name: name.clone(),
                    on: *on,
                })
                .await
            }
            Event::Status { status, .. } => self.send(&CustomerOut::Status(status.clone())).await,
            _ => Ok(()),
        }
    }

    async fn handle(&mut self, c: &mut Customer, frame: CustomerIn) -> ChatResult<()> {
        let state = self.state.clone();
        match frame {
            CustomerIn::Hello { .. } => Err(ErrorFrame::new(
                ErrorCode::BadState,
                "hello was sent already",
            )),
            CustomerIn::Send { client_id, text } => {
                let ack = async |msg: &Message, moved: bool| -> ChatResult<()> {
                    if moved || self.sub.is_none() {
                        self.follow(msg.conversation_id, 0).await?;
                    }
                    self.send(&CustomerOut::Ack {
                        client_id: client_id.clone(),
                        conversation_id: msg.conversation_id,
                        seq: msg.seq,
                    })
                    .await
                    .map_err(|e| service::internal(e.into()))
                };
                service::customer_message(&state.chat, c, client_id.clone(), &text, ack).await
            }
            CustomerIn::Feedback { seq, helpful } => {
                service::feedback(&state.chat, c, seq, helpful).await
            }
            CustomerIn::Choose { seq, option } => {
                service::choose(&state.chat, c, seq, option).await
            }
            CustomerIn::Human {} => {
                let conv = service::open_conversation(&state.chat, c).await?;
                self.follow(conv.id, self.last_sent_for(conv.id)).await?;
                service::escalate(&state.chat, c, conv.id, EscalationReason::HumanRequest).await
            }
            CustomerIn::Typing { .. } => Ok(()),
            CustomerIn::Ping {} => self
                .send(&CustomerOut::Pong {})
                .await
                .map_err(|e| service::internal(e.into())),
            CustomerIn::Contact {
                client_id,
                email,
                name,
            } => service::contact(&state.chat, c, client_id, &email, name).await,
            CustomerIn::Identify(id) => self.identify(c, id).await,
            CustomerIn::Rate { score, comment } => {
                service::rate(&state.chat, c, score, comment).await
            }
            CustomerIn::Transcript {} => service::want_transcript(&state.chat, c).await,
        }
    }

    fn last_sent_for(&self, conv_id: i64) -> i64 {
        match &self.sub {
            Some((id, _)) if *id == conv_id => self.last_sent,
            _ => 0,
        }
    }
}

/// Notes that the customer has the agents' messages up to `seq`: they are not mailed.
async fn seen(state: &AppState, conv_id: i64, seq: i64) {
    if state.chat.config.mail.is_some()
        && let Err(e) = state.store.mark_seen(conv_id, seq).await
    {
        tracing::warn!(error = ?e, "cannot note the replies a customer saw");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_hashes_verify() {
        let h = identity_hash("s3cret", "Anna@Example.com");
        assert!(identity_hash_ok("s3cret", "anna@example.com", &h));
        assert!(!identity_hash_ok("other", "anna@example.com", &h));
        assert!(!identity_hash_ok("s3cret", "bob@example.com", &h));
        assert!(!identity_hash_ok("s3cret", "anna@example.com", "zz"));
        assert!(!identity_hash_ok("s3cret", "anna@example.com", ""));
    }

    #[test]
    fn refusals_say_when_to_retry() {
        let e = ErrorFrame::rate_limited("slow down", Duration::from_millis(1500));
        assert_eq!((e.code, e.retry_ms), (ErrorCode::RateLimited, Some(1500)));
    }

    #[test]
    fn frames_decode_with_clear_errors() {
        let bad = decode::<CustomerIn>(ws::Message::Text(
            r#"{"type":"send","client_id":"x"}"#.into(),
        ));
        match bad {
            Incoming::Bad(e) => {
                assert_eq!(e.code, ErrorCode::BadFrame);
                assert_eq!(e.client_id.as_deref(), Some("x"));
            }
            _ => panic!("expected an error"),
        }
        let big = "x".repeat(MAX_FRAME_BYTES + 1);
        assert!(matches!(
            decode::<CustomerIn>(ws::Message::Text(big.into())),
            Incoming::Bad(ErrorFrame {
                code: ErrorCode::TooLarge,
                ..
            })
        ));
    }
}
