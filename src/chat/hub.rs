//! The event hub of one node: fan-out of conversation events to this node's customer and
//! agent sockets, the count of open sockets, and the shutdown signal. [`super::bus`] connects
//! the hubs of several nodes; presence lives in the store, shared by all nodes.
//!
//! Events carry what sockets need to forward; the store stays the source of truth, so a socket
//! that falls behind (a lagged channel, a gap in sequence numbers, a lost bus connection)
//! back-fills from it.

use crate::domain::Author;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::broadcast;

use super::protocol::{Message, Status};

/// Something that happened in the chat.
#[derive(Debug, Clone)]
pub enum Event {
    /// A message was stored.
    Message(Message),
    /// A stored message changed (the customer's "Did this help?").
    Updated(Message),
    /// Someone types in a conversation.
    Typing {
        /// Conversation.
        conversation_id: i64,
        /// The customer or an agent.
        author: Author,
        /// The agent's name.
        name: Option<String>,
        /// The agent's id.
        agent_id: Option<i64>,
        /// On or off.
        on: bool,
    },
    /// Where a conversation stands, for its customer.
    Status {
        /// Conversation.
        conversation_id: i64,
        /// The state.
        status: Status,
    },
    /// The queue changed: the `queue` frame, serialized once for every console.
    Queue(Arc<str>),
    /// Presence changed: the `agents` frame, serialized once.
    Agents(Arc<str>),
    /// A conversation got an agent.
    Assigned {
        /// Conversation.
        conversation_id: i64,
        /// The agent.
        agent_id: i64,
        /// Their name.
        agent_name: String,
    },
    /// This node may have missed events (its bus connection was lost): sockets back-fill
    /// from the store.
    Resync,
    /// A conversation was resolved.
    Resolved {
        /// Conversation.
        conversation_id: i64,
    },
    /// The customer rated a conversation.
    Rating {
        /// Conversation.
        conversation_id: i64,
        /// 1–5.
        score: i64,
        /// Comment.
        comment: Option<String>,
    },
}

impl Event {
    /// The conversation the event belongs to, if one.
    pub fn conversation_id(&self) -> Option<i64> {
        match self {
            Event::Message(m) | Event::Updated(m) => Some(m.conversation_id),
            Event::Typing {
                conversation_id, ..
            }
            | Event::Status {
                conversation_id, ..
            }
            | Event::Assigned {
                conversation_id, ..
            }
            | Event::Resolved { conversation_id }
            | Event::Rating {
                conversation_id, ..
            } => Some(*conversation_id),
            Event::Queue(_) | Event::Agents(_) | Event::Resync => None,
        }
    }
}

/// An agent's presence as the team sees it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AgentPresence {
    /// Account id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `online`, `away` or `offline`.
    pub status: &'static str,
    /// Open conversations.
    pub open: i64,
    /// Cap of open conversations.
    pub max_chats: i64,
}

/// The bus; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    /// This node's name (see [`crate::chat::bus`]).
    node: String,
    conversations: Mutex<HashMap<i64, broadcast::Sender<Arc<Event>>>>,
    agents: broadcast::Sender<Arc<Event>>,
    /// Conversations open in this node's consoles, with how many consoles have each.
    watched: Mutex<HashMap<i64, usize>>,
    /// Notifications for the other nodes, sent in order by the bus (PostgreSQL only).
    outbox: Option<tokio::sync::mpsc::UnboundedSender<String>>,
    /// Wakes the task that sends consoles the fresh queue and presence (coalesced).
    queue_dirty: tokio::sync::Notify,
    /// The queue changed here: the other nodes are to be told (once per refresh).
    queue_told: std::sync::atomic::AtomicBool,
    /// Wakes this node's assigner (coalesced: a burst of escalations makes one pass).
    assign_dirty: tokio::sync::Notify,
    /// One assignment pass at a time on this node.
    pub(super) assigning: tokio::sync::Mutex<()>,
    /// Turns true when the server shuts down: sockets say goodbye (code 1012) and end.
    closing: tokio::sync::watch::Sender<bool>,
    /// Open sockets (customers and agents): counted so a shutdown can wait for their goodbyes.
    sockets: tokio::sync::watch::Sender<usize>,
}

/// Counts one open socket while it lives.
pub struct SocketGuard(Hub);

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.0
            .inner
            .sockets
            .send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// Events a customer socket may miss before it must back-fill from the store.
const CONVERSATION_CAPACITY: usize = 32;
/// Events an agent socket may miss before it must refresh.
const AGENTS_CAPACITY: usize = 1024;

impl Default for Hub {
    /// A hub for one process alone.
    fn default() -> Self {
        Hub::new("otvet".into(), None)
    }
}

impl Hub {
    /// A hub for node `node`; `outbox` takes notifications for the other nodes.
    pub fn new(node: String, outbox: Option<tokio::sync::mpsc::UnboundedSender<String>>) -> Self {
        Hub {
            inner: Arc::new(Inner {
                node,
                conversations: Mutex::new(HashMap::new()),
                agents: broadcast::channel(AGENTS_CAPACITY).0,
                watched: Mutex::new(HashMap::new()),
                outbox,
                queue_dirty: tokio::sync::Notify::new(),
                queue_told: std::sync::atomic::AtomicBool::new(false),
                assign_dirty: tokio::sync::Notify::new(),
                assigning: tokio::sync::Mutex::new(()),
                closing: tokio::sync::watch::channel(false).0,
                sockets: tokio::sync::watch::channel(0).0,
            }),
        }
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    /// Follows one conversation (customer sockets).
    pub fn subscribe(&self, conversation_id: i64) -> broadcast::Receiver<Arc<Event>> {
        let mut map = lock(&self.inner.conversations);
        map.entry(conversation_id)
            .or_insert_with(|| broadcast::channel(CONVERSATION_CAPACITY).0)
            .subscribe()
    }

    /// Drops a conversation's channel once nobody follows it (call after dropping a receiver).
    pub fn release(&self, conversation_id: i64) {
        let mut map = lock(&self.inner.conversations);
        if map
            .get(&conversation_id)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            map.remove(&conversation_id);
        }
    }

    /// Follows everything agents see.
    pub fn subscribe_agents(&self) -> broadcast::Receiver<Arc<Event>> {
        self.inner.agents.subscribe()
    }

    /// Publishes an event on this node and tells the other nodes (messages are told by the
    /// database itself, in the transaction that stores them).
    pub fn publish(&self, event: Event) {
        if let Some(payload) = super::bus::notice_of(&event, self.node()) {
            self.tell_others(payload);
        }
        self.publish_local(event);
    }

    /// Hands a notification to the bus for the other nodes (nothing without one).
    pub fn tell_others(&self, payload: String) {
        if let Some(tx) = &self.inner.outbox {
            let _ = tx.send(payload);
        }
    }

    /// Whether other nodes may be listening.
    pub fn clustered(&self) -> bool {
        self.inner.outbox.is_some()
    }

    /// Publishes an event to this node's sockets: the conversation's customers (unless
    /// private) and the agents.
    pub fn publish_local(&self, event: Event) {
        let event = Arc::new(event);
        if matches!(&*event, Event::Resync) {
            for tx in lock(&self.inner.conversations).values() {
                let _ = tx.send(event.clone());
            }
            let _ = self.inner.agents.send(event);
            return;
        }
        let private = matches!(&*event, Event::Message(m) | Event::Updated(m) if m.private);
        let to_customer = !private
            && !matches!(
                &*event,
                Event::Typing {
                    author: Author::Customer,
                    ..
                } | Event::Rating { .. }
                    | Event::Assigned { .. }
            );
        if to_customer && let Some(id) = event.conversation_id() {
            let map = lock(&self.inner.conversations);
            if let Some(tx) = map.get(&id) {
                let _ = tx.send(event.clone());
            }
        }
        if !matches!(&*event, Event::Status { .. }) {
            let _ = self.inner.agents.send(event);
        }
    }

    /// A console on this node shows the conversation (its messages are wanted from the bus).
    pub fn watch(&self, conversation_id: i64) {
        *lock(&self.inner.watched)
            .entry(conversation_id)
            .or_default() += 1;
    }

    /// A console stopped showing the conversation.
    pub fn unwatch(&self, conversation_id: i64) {
        let mut w = lock(&self.inner.watched);
        if let Some(n) = w.get_mut(&conversation_id) {
            *n -= 1;
            if *n == 0 {
                w.remove(&conversation_id);
            }
        }
    }

    /// Whether a console on this node shows the conversation.
    pub fn watched(&self, conversation_id: i64) -> bool {
        lock(&self.inner.watched).contains_key(&conversation_id)
    }

    /// Whether a customer socket on this node follows the conversation.
    pub fn follows(&self, conversation_id: i64) -> bool {
        lock(&self.inner.conversations).contains_key(&conversation_id)
    }

    /// Asks for the queue and presence to be sent to this node's consoles soon (coalesced).
    pub fn refresh_queue(&self) {
        self.inner.queue_dirty.notify_one();
    }

    /// The queue or presence changed on this node: consoles here and on the other nodes are
    /// sent the fresh ones soon (coalesced).
    pub fn queue_changed(&self) {
        self.inner
            .queue_told
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.refresh_queue();
    }

    /// Asks this node's assigner for a pass soon (coalesced).
    pub fn want_assignment(&self) {
        self.inner.assign_dirty.notify_one();
    }

    /// Resolves when [`Hub::want_assignment`] was called since the last time.
    pub async fn assignment_wanted(&self) {
        self.inner.assign_dirty.notified().await;
    }

    /// Whether [`Hub::queue_changed`] was called since the last time this was asked.
    pub fn take_queue_told(&self) -> bool {
        self.inner
            .queue_told
            .swap(false, std::sync::atomic::Ordering::Relaxed)
    }

    /// Resolves when [`Hub::refresh_queue`] was called since the last time.
    pub async fn queue_refresh_wanted(&self) {
        self.inner.queue_dirty.notified().await;
    }

    /// Agent consoles listening now.
    pub fn agent_listeners(&self) -> usize {
        self.inner.agents.receiver_count()
    }

    /// Number of customer conversations followed now (for metrics and tests).
    pub fn followed_conversations(&self) -> usize {
        lock(&self.inner.conversations).len()
    }

    /// Tells every socket that the server is going away.
    pub fn close_all(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Resolves once [`Hub::close_all`] was called.
    pub fn closing(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.inner.closing.subscribe();
        async move {
            let _ = rx.wait_for(|c| *c).await;
        }
    }

    /// Counts a socket until the guard is dropped.
    pub fn socket_opened(&self) -> SocketGuard {
        self.inner.sockets.send_modify(|n| *n += 1);
        SocketGuard(self.clone())
    }

    /// Open sockets now.
    pub fn open_sockets(&self) -> usize {
        *self.inner.sockets.borrow()
    }

    /// Waits until every socket has ended, or `limit` passed; returns how many are left.
    pub async fn sockets_closed(&self, limit: std::time::Duration) -> usize {
        let mut rx = self.inner.sockets.subscribe();
        let _ = tokio::time::timeout(limit, rx.wait_for(|n| *n == 0)).await;
        self.open_sockets()
    }

    pub(super) async fn assignment_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.assigning.lock().await
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these short locks leaves consistent data; keep serving.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consoles_watch_conversations_until_the_last_one_stops() {
        let hub = Hub::default();
        hub.watch(3);
        hub.watch(3);
        hub.unwatch(3);
        assert!(hub.watched(3));
        hub.unwatch(3);
        assert!(!hub.watched(3));
        hub.unwatch(4);
        assert!(!hub.watched(4));
    }

    #[tokio::test]
    async fn private_messages_never_reach_customers() {
        let hub = Hub::default();
        let mut customer = hub.subscribe(7);
        let mut agents = hub.subscribe_agents();
        let m = |private| Message {
            conversation_id: 7,
            seq: 1,
            client_id: None,
            author: Author::Agent,
            name: None,
            agent_id: Some(1),
            text: "x".into(),
            at: 0,
            event: None,
            answer: None,
            feedback: None,
            clarify: None,
            choice: None,
            attachment: None,
            private,
        };
        hub.publish(Event::Message(m(true)));
        hub.publish(Event::Message(m(false)));
        let got = customer.recv().await.unwrap();
        assert!(matches!(&*got, Event::Message(m) if !m.private));
        assert!(customer.try_recv().is_err());
        assert!(matches!(&*agents.recv().await.unwrap(), Event::Message(m) if m.private));
        drop(customer);
        hub.release(7);
        assert_eq!(hub.followed_conversations(), 0);
    }
}
