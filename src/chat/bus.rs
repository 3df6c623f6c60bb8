//! The bus between the nodes of one PostgreSQL database: every node's [`Hub`] fans events out
//! to its own sockets, and this module carries them to the other nodes with LISTEN/NOTIFY on
//! the channel `otvet_chat`.
//!
//! Notifications carry ids, never texts: `{"k":"m","c":12,"s":7,"n":"otvet-1a2b3c4d"}` says
//! message 7 of conversation 12 was stored by node `otvet-1a2b3c4d`. Messages are announced by
//! a trigger in the transaction that stores them (migrations/postgres/0006_cluster.sql), other
//! events by [`Hub::publish`] through an outbox. A receiving node reads what it needs from the
//! store and publishes it to its own sockets; a node skips its own notifications, which it
//! published locally already. A node that loses its listening connection reconnects (after
//! 0.5 s, backing off to 5 s) and tells every socket to back-fill from the store by sequence
//! number ([`Event::Resync`]), so nothing is missed.
//!
//! On SQLite there is one node: the same hub runs without outbox or listener.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Chat;
use super::hub::{Event, Hub};
use super::protocol::Message;
use super::service;
use crate::domain::Author;
use crate::store::Store;

/// First wait before reconnecting a lost listener; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Notifications sent in one statement at most.
const BATCH: usize = 64;

/// A random name for this process: `otvet-` and 8 hex digits.
pub fn node_name() -> String {
    format!("otvet-{:08x}", rand::random::<u32>())
}

/// One notification as it travels: a kind, ids, and the sending node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// `m` message, `u` updated message, `t` typing, `s` status, `a` assigned, `r` resolved,
    /// `rt` rating, `q` queue or presence changed, `h` business hours changed.
    pub k: String,
    /// Conversation.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub c: i64,
    /// Sequence number.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub s: i64,
    /// Who types: `customer` or `agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<String>,
    /// Agent id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub g: Option<i64>,
    /// Typing on or off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on: bool,
    /// The sending node.
    #[serde(default)]
    pub n: String,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

impl Notice {
    fn new(k: &str, c: i64, node: &str) -> Notice {
        Notice {
            k: k.into(),
            c,
            n: node.into(),
            ..Default::default()
        }
    }

    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The notification telling other nodes about `event`, if they need one (messages are told
/// by the database, queue and presence by [`queue_notice`]).
pub fn notice_of(event: &Event, node: &str) -> Option<String> {
    let n = match event {
        Event::Message(_)
        | Event::Updated(_)
        | Event::Queue(_)
        | Event::Agents(_)
        | Event::Resync => return None,
        Event::Typing {
            conversation_id,
            author,
            agent_id,
            on,
            ..
        } => Notice {
            a: Some(author.as_str().into()),
            g: *agent_id,
            on: *on,
            ..Notice::new("t", *conversation_id, node)
        },
        Event::Status {
            conversation_id, ..
        } => Notice::new("s", *conversation_id, node),
        Event::Assigned {
            conversation_id,
            agent_id,
            ..
        } => Notice {
            g: Some(*agent_id),
            ..Notice::new("a", *conversation_id, node)
        },
        Event::Resolved { conversation_id } => Notice::new("r", *conversation_id, node),
        Event::Rating {
            conversation_id, ..
        } => Notice::new("rt", *conversation_id, node),
    };
    Some(n.encode())
}

/// The notification that the queue or presence changed.
pub fn queue_notice(node: &str) -> String {
    Notice::new("q", 0, node).encode()
}

/// The notification that an admin changed the business hours.
pub fn hours_notice(node: &str) -> String {
    Notice::new("h", 0, node).encode()
}

/// The hub of a node on `store`, and the outbox its notifications wait in (PostgreSQL only).
pub fn hub(node: &str, store: &Store) -> (Hub, Option<mpsc::UnboundedReceiver<String>>) {
    match store {
        Store::Postgres(_) => {
            let (tx, rx) = mpsc::unbounded_channel();
            (Hub::new(node.to_string(), Some(tx)), Some(rx))
        }
        Store::Sqlite(_) => (Hub::new(node.to_string(), None), None),
    }
}

/// Sends the hub's notifications to the other nodes, in batches.
pub async fn send_outbox(store: Store, mut rx: mpsc::UnboundedReceiver<String>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(e) = store.notify(&batch).await {
            // Typing and status notices are momentary; messages do not travel this way.
            tracing::warn!(error = ?e, lost = batch.len(), "cannot notify the other nodes");
        }
        batch.clear();
    }
}

/// What the listener hands to the processor, in the order it happened.
enum Heard {
    /// A notification's payload.
    Notice(String),
    /// The listener reconnected: sockets back-fill.
    Resync,
}

/// Listens to the other nodes' notifications and publishes what they say to this node's
/// sockets, until aborted.
pub async fn listen(state: Chat, mut listener: sqlx::postgres::PgListener) {
    let node = state.hub.node().to_string();
    // Reading from the database is the processor's job, so the connection is drained at once
    // and a burst of notifications costs one query.
    let (tx, rx) = mpsc::unbounded_channel();
    let processor = tokio::spawn(process(state.clone(), rx));
    let _stop_processor = AbortOnDrop(processor);
    loop {
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => {
                    let _ = tx.send(Heard::Notice(n.payload().to_string()));
                }
                Ok(None) => {
                    tracing::warn!("lost the bus connection to the database");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the bus connection failed");
                    break;
                }
            }
        }
        drop(listener);
        let mut backoff = FIRST_BACKOFF;
        listener = loop {
            tokio::time::sleep(backoff).await;
            match state.store.listen(&node).await {
                Ok(Some(l)) => break l,
                Ok(None) => return,
                Err(e) => {
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    tracing::warn!(error = %e, retry_in = ?backoff, "cannot listen on the database");
                }
            }
        };
        crate::metrics::bus_reconnected();
        tracing::info!("bus reconnected; sockets back-fill what they missed");
        let _ = tx.send(Heard::Resync);
    }
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Most notifications handled per batch.
const PROCESS_BATCH: usize = 256;

async fn process(state: Chat, mut rx: mpsc::UnboundedReceiver<Heard>) {
    let mut batch = Vec::with_capacity(PROCESS_BATCH);
    while rx.recv_many(&mut batch, PROCESS_BATCH).await > 0 {
        let mut notices = Vec::with_capacity(batch.len());
        for heard in batch.drain(..) {
            match heard {
                Heard::Notice(payload) => {
                    if let Some(n) = parse(&state, &payload) {
                        notices.push(Some(n));
                    }
                }
                Heard::Resync => notices.push(None),
            }
        }
        // The messages the batch announces that a socket here shows, read in one query: most
        // traffic is customers and the bot, which no console follows.
        let keys: Vec<(i64, i64)> = notices
            .iter()
            .flatten()
            .filter(|n| {
                (n.k == "m" || n.k == "u") && (state.hub.follows(n.c) || state.hub.watched(n.c))
            })
            .map(|n| (n.c, n.s))
            .collect();
        crate::metrics::bus_messages_read(keys.len());
        let messages: std::collections::HashMap<(i64, i64), Message> =
            match state.store.messages_by_key(&keys).await {
                Ok(ms) => ms
                    .into_iter()
                    .map(|m| ((m.conversation_id, m.seq), m))
                    .collect(),
                Err(e) => {
                    // The sockets' own gap detection and the next resync fetch them later.
                    tracing::error!(error = ?e, "cannot read announced messages");
                    Default::default()
                }
            };
        for n in notices {
            match n {
                Some(n) => {
                    if let Err(e) = apply(&state, n, &messages).await {
                        tracing::error!(error = ?e, "cannot apply a bus notification");
                    }
                }
                None => {
                    // Anything may have happened meanwhile: messages (sockets read them by
                    // seq), the queue, presence, the business hours.
                    state.hub.publish_local(Event::Resync);
                    state.hub.refresh_queue();
                    reload_hours(&state).await;
                }
            }
        }
    }
}

async fn reload_hours(state: &Chat) {
    let hours = super::hours::startup_hours(&state.store, &state.config).await;
    state.hours.store(Arc::new(hours));
}

/// A notification from another node, or `None` (own, or unreadable).
fn parse(state: &Chat, payload: &str) -> Option<Notice> {
    let n: Notice = match serde_json::from_str(payload) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, payload, "unreadable bus notification");
            return None;
        }
    };
    if n.n == state.hub.node() {
        return None;
    }
    crate::metrics::bus_received();
    Some(n)
}

/// Publishes what another node's notification says to this node's sockets (announced
/// messages come read already in `messages`).
async fn apply(
    state: &Chat,
    n: Notice,
    messages: &std::collections::HashMap<(i64, i64), Message>,
) -> anyhow::Result<()> {
    let hub = &state.hub;
    let store = &state.store;
    let c = n.c;
    match n.k.as_str() {
        "m" | "u" => {
            if let Some(m) = messages.get(&(c, n.s)).cloned() {
                hub.publish_local(if n.k == "m" {
                    Event::Message(m)
                } else {
                    Event::Updated(m)
                });
            }
        }
        "t" => {
            // Typing goes to the conversation's customer and the consoles showing it.
            if !hub.follows(c) && !hub.watched(c) {
                return Ok(());
            }
            let agent = n.a.as_deref() == Some(Author::Agent.as_str());
            let name = match (agent, n.g) {
                (true, Some(g)) => store.agent_by_id(g).await?.map(|a| a.name),
                _ => None,
            };
            hub.publish_local(Event::Typing {
                conversation_id: c,
                author: if agent {
                    Author::Agent
                } else {
                    Author::Customer
                },
                name,
                agent_id: n.g,
                on: n.on,
            });
        }
        "s" => {
            if !hub.follows(c) {
                return Ok(());
            }
            if let Some(conv) = store.conversation(c).await?
                && let Ok(status) = service::status_of(state, &conv).await
            {
                hub.publish_local(Event::Status {
                    conversation_id: c,
                    status,
                });
            }
        }
        "a" | "rt" if hub.agent_listeners() == 0 => {}
        "a" => {
            if let Some(conv) = store.conversation(c).await? {
                hub.publish_local(Event::Assigned {
                    conversation_id: c,
                    agent_id: n.g.or(conv.agent_id).unwrap_or_default(),
                    agent_name: conv.agent_name.unwrap_or_default(),
                });
            }
        }
        "r" => hub.publish_local(Event::Resolved { conversation_id: c }),
        "rt" => {
            if let Some(conv) = store.conversation(c).await?
                && let Some(score) = conv.rating
            {
                hub.publish_local(Event::Rating {
                    conversation_id: c,
                    score,
                    comment: conv.rating_comment,
                });
            }
        }
        "q" => hub.refresh_queue(),
        "h" => reload_hours(state).await,
        other => tracing::debug!(kind = other, "unknown bus notification"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_small_and_round_trip() {
        let e = Event::Typing {
            conversation_id: 12,
            author: Author::Agent,
            name: Some("Ольга".into()),
            agent_id: Some(3),
            on: true,
        };
        let text = notice_of(&e, "otvet-00000001").unwrap();
        assert_eq!(
            text,
            r#"{"k":"t","c":12,"a":"agent","g":3,"on":true,"n":"otvet-00000001"}"#
        );
        let back: Notice = serde_json::from_str(&text).unwrap();
        assert_eq!(back.g, Some(3));
        assert!(!text.contains("Ольга"), "names stay out of notifications");
        // What the database trigger sends.
        let m: Notice =
            serde_json::from_str(r#"{"k" : "m", "c" : 5, "s" : 9, "n" : "otvet-2"}"#).unwrap();
        assert_eq!((m.k.as_str(), m.c, m.s), ("m", 5, 9));
        assert_eq!(queue_notice("x"), r#"{"k":"q","n":"x"}"#);
    }

    #[test]
    fn messages_are_not_told_twice() {
        let m = crate::chat::protocol::Message {
            conversation_id: 1,
            seq: 1,
            client_id: None,
            author: Author::Customer,
            name: None,
            agent_id: None,
            text: "секрет".into(),
            at: 0,
            event: None,
            answer: None,
            feedback: None,
            clarify: None,
            choice: None,
            attachment: None,
            private: false,
        };
        assert_eq!(notice_of(&Event::Message(m), "n"), None);
        assert_eq!(
            notice_of(&Event::Resolved { conversation_id: 4 }, "n").as_deref(),
            Some(r#"{"k":"r","c":4,"n":"n"}"#)
        );
    }

    #[test]
    fn node_names_differ() {
        let a = node_name();
        assert!(a.starts_with("otvet-") && a.len() == 14, "{a}");
        assert_ne!(a, node_name());
    }
}
