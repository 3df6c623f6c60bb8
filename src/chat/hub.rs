//! The in-process event bus of the chat: who is connected, who is online, and fan-out of
//! conversation events to customer and agent sockets.
//!
//! Events carry what sockets need to forward; the store stays the source of truth, so a socket
//! that falls behind (a lagged channel, a gap in sequence numbers) back-fills from it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::broadcast;

use super::protocol::{Message, Status};
use crate::store::chat::QueueRow;

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
        /// `customer` or `agent`.
        author: &'static str,
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
    /// The queue changed: the new list.
    Queue(Arc<Vec<QueueRow>>),
    /// Presence changed: the team.
    Agents(Arc<Vec<AgentPresence>>),
    /// A conversation got an agent.
    Assigned {
        /// Conversation.
        conversation_id: i64,
        /// The agent.
        agent_id: i64,
        /// Their name.
        agent_name: String,
    },
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
            Event::Queue(_) | Event::Agents(_) => None,
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

#[derive(Debug, Clone)]
struct Present {
    name: String,
    sockets: usize,
    away: bool,
    max_chats: i64,
}

/// The bus; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    conversations: Mutex<HashMap<i64, broadcast::Sender<Arc<Event>>>>,
    agents: broadcast::Sender<Arc<Event>>,
    present: Mutex<HashMap<i64, Present>>,
    /// The agent who got the last auto-assigned conversation (round-robin).
    last_assigned: Mutex<Option<i64>>,
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
    fn default() -> Self {
        Hub {
            inner: Arc::new(Inner {
                conversations: Mutex::new(HashMap::new()),
                agents: broadcast::channel(AGENTS_CAPACITY).0,
                present: Mutex::new(HashMap::new()),
                last_assigned: Mutex::new(None),
                assigning: tokio::sync::Mutex::new(()),
                closing: tokio::sync::watch::channel(false).0,
                sockets: tokio::sync::watch::channel(0).0,
            }),
        }
    }
}

impl Hub {
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

    /// Publishes an event: to the conversation's customers (unless private) and to agents.
    pub fn publish(&self, event: Event) {
        let event = Arc::new(event);
        let private = matches!(&*event, Event::Message(m) | Event::Updated(m) if m.private);
        let to_customer = !private
            && !matches!(
                &*event,
                Event::Typing {
                    author: "customer",
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

    /// Agent consoles listening now.
    pub fn agent_listeners(&self) -> usize {
        self.inner.agents.receiver_count()
    }

    /// Number of customer conversations followed now (for metrics and tests).
    pub fn followed_conversations(&self) -> usize {
        lock(&self.inner.conversations).len()
    }

    /// An agent socket connected; returns whether the agent just came online.
    pub fn agent_connected(&self, id: i64, name: &str, max_chats: i64) -> bool {
        let mut p = lock(&self.inner.present);
        let e = p.entry(id).or_insert_with(|| Present {
            name: name.to_string(),
            sockets: 0,
            away: false,
            max_chats,
        });
        e.sockets += 1;
        e.name = name.to_string();
        e.max_chats = max_chats;
        e.sockets == 1
    }

    /// An agent socket closed; the agent is offline when it was the last.
    pub fn agent_disconnected(&self, id: i64) {
        let mut p = lock(&self.inner.present);
        if let Some(e) = p.get_mut(&id) {
            e.sockets = e.sockets.saturating_sub(1);
            if e.sockets == 0 {
                p.remove(&id);
            }
        }
    }

    /// Sets an agent away or back online (while connected).
    pub fn set_away(&self, id: i64, away: bool) {
        if let Some(e) = lock(&self.inner.present).get_mut(&id) {
            e.away = away;
        }
    }

    /// Agents connected and not away: (id, name, cap).
    pub fn online_agents(&self) -> Vec<(i64, String, i64)> {
        let p = lock(&self.inner.present);
        let mut v: Vec<_> = p
            .iter()
            .filter(|(_, e)| !e.away)
            .map(|(id, e)| (*id, e.name.clone(), e.max_chats))
            .collect();
        v.sort_by_key(|a| a.0);
        v
    }

    /// The team's presence with open-conversation counts.
    pub fn presence(&self, open: &HashMap<i64, i64>) -> Vec<AgentPresence> {
        let p = lock(&self.inner.present);
        let mut v: Vec<_> = p
            .iter()
            .map(|(id, e)| AgentPresence {
                id: *id,
                name: e.name.clone(),
                status: if e.away { "away" } else { "online" },
                open: open.get(id).copied().unwrap_or(0),
                max_chats: e.max_chats,
            })
            .collect();
        v.sort_by_key(|a| a.id);
        v
    }

    /// Round-robin order: agents after the last one assigned first.
    pub fn round_robin(&self, mut candidates: Vec<(i64, String, i64)>) -> Vec<(i64, String, i64)> {
        let last = *lock(&self.inner.last_assigned);
        candidates.sort_by_key(|c| c.0);
        if let Some(last) = last {
            let split = candidates.partition_point(|c| c.0 <= last);
            candidates.rotate_left(split);
        }
        candidates
    }

    /// Remembers who got the last auto-assigned conversation.
    pub fn assigned_to(&self, id: i64) {
        *lock(&self.inner.last_assigned) = Some(id);
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
    fn round_robin_starts_after_the_last() {
        let hub = Hub::default();
        let c = |ids: &[i64]| {
            ids.iter()
                .map(|i| (*i, String::new(), 5))
                .collect::<Vec<_>>()
        };
        let order = |v: Vec<(i64, String, i64)>| v.into_iter().map(|a| a.0).collect::<Vec<_>>();
        assert_eq!(order(hub.round_robin(c(&[3, 1, 2]))), [1, 2, 3]);
        hub.assigned_to(2);
        assert_eq!(order(hub.round_robin(c(&[3, 1, 2]))), [3, 1, 2]);
        hub.assigned_to(3);
        assert_eq!(order(hub.round_robin(c(&[3, 1, 2]))), [1, 2, 3]);
    }

    #[test]
    fn presence_counts_tabs() {
        let hub = Hub::default();
        assert!(hub.agent_connected(1, "Ольга", 5));
        assert!(!hub.agent_connected(1, "Ольга", 5));
        hub.agent_disconnected(1);
        assert_eq!(hub.online_agents().len(), 1);
        hub.set_away(1, true);
        assert!(hub.online_agents().is_empty());
        assert_eq!(hub.presence(&HashMap::new())[0].status, "away");
        hub.agent_disconnected(1);
        assert!(hub.presence(&HashMap::new()).is_empty());
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
            author: "agent".into(),
            name: None,
            agent_id: Some(1),
            text: "x".into(),
            at: 0,
            event: None,
            answer: None,
            feedback: None,
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
