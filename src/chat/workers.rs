//! The node's background workers: the presence heartbeat, the assigner and the queue refresher,
//! and on PostgreSQL the bus to the other nodes ([`super::bus`]). The hub only fans events out
//! and raises the flags these workers wait on ("the queue changed", "assignment wanted").

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Chat, bus, service};
use crate::domain::now_ms;

/// How often a node refreshes its presence rows (stale after 20 s).
const HEARTBEAT: Duration = Duration::from_secs(5);
/// Consoles get the queue at most this often: previews change with every customer message.
const QUEUE_EVERY: Duration = Duration::from_millis(250);

/// The node's background tasks; [`Workers::stop`] ends them.
pub struct Workers {
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts the node's background work: the presence heartbeat, the queue refresher, the
    /// assigner and, on PostgreSQL, the bus (the outbox sender and the listener) (listening before this returns, so the
    /// node misses nothing once it serves).
    pub async fn start(
        state: Chat,
        outbox: Option<mpsc::UnboundedReceiver<String>>,
    ) -> anyhow::Result<Workers> {
        let mut tasks = vec![
            tokio::spawn(index_old_messages(state.clone())),
            tokio::spawn(heartbeat(state.clone())),
            tokio::spawn(refresh_queue(state.clone())),
            tokio::spawn(assigner(state.clone())),
        ];
        if let Some(rx) = outbox {
            tasks.push(tokio::spawn(bus::send_outbox(state.store.clone(), rx)));
        }
        if let Some(listener) = state.store.listen(state.hub.node()).await? {
            tasks.push(tokio::spawn(bus::listen(state.clone(), listener)));
        }
        Ok(Workers { tasks })
    }

    /// Ends the tasks, forgets this node's consoles and tells the other nodes.
    pub async fn stop(self, state: &Chat) {
        for t in &self.tasks {
            t.abort();
        }
        if let Err(e) = state.store.presence_leave(state.hub.node()).await {
            tracing::warn!(error = ?e, "cannot clear this node's presence");
        }
        if state.hub.clustered() {
            let _ = state
                .store
                .notify(&[bus::queue_notice(state.hub.node())])
                .await;
        }
    }
}

/// The `settings` key that says every message has its search text.
const SEARCH_FILLED_KEY: &str = "search_text_filled";

/// Fills the search text of messages stored before conversation search existed, a batch at a
/// time, then notes that it is done, so that later starts skip the scan. Several nodes may do it
/// at once: they write the same texts.
async fn index_old_messages(state: Chat) {
    if matches!(state.store.setting(SEARCH_FILLED_KEY).await, Ok(Some(_))) {
        return;
    }
    loop {
        let batch = match state.store.messages_to_index(500).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = ?e, "cannot read messages to index for search");
                return;
            }
        };
        if batch.is_empty() {
            if let Err(e) = state.store.put_setting(SEARCH_FILLED_KEY, "1").await {
                tracing::warn!(error = ?e, "cannot note that messages are indexed for search");
            }
            return;
        }
        for (conv, seq, lang, text) in batch {
            let lang = lang.parse().unwrap_or(crate::domain::Lang::Ru);
            let terms = crate::search::analyzer::search_text(lang, &text);
            if let Err(e) = state.store.set_search_text(conv, seq, &terms).await {
                tracing::warn!(error = ?e, "cannot store a message's search text");
                return;
            }
        }
    }
}

/// Renews this node's consoles' presence; agents of a node that stopped are offline.
async fn heartbeat(state: Chat) {
    let mut tick = tokio::time::interval(HEARTBEAT);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match state
            .store
            .presence_heartbeat(state.hub.node(), now_ms())
            .await
        {
            Ok(0) => {}
            Ok(gone) => {
                tracing::info!(
                    consoles = gone,
                    "agents of a node that stopped answering are offline"
                );
                service::queue_changed(&state).await;
            }
            Err(e) => tracing::warn!(error = ?e, "presence heartbeat failed"),
        }
    }
}

/// Hands waiting conversations to agents when asked (once for a burst of asks).
async fn assigner(state: Chat) {
    loop {
        state.hub.assignment_wanted().await;
        service::assign_now(&state).await;
    }
}

/// Sends consoles the queue when it changed, at most every [`QUEUE_EVERY`], and tells the other
/// nodes.
async fn refresh_queue(state: Chat) {
    loop {
        state.hub.queue_refresh_wanted().await;
        if state.hub.take_queue_told() {
            state.hub.tell_others(bus::queue_notice(state.hub.node()));
        }
        if state.hub.agent_listeners() > 0 {
            service::send_queue_to_consoles(&state).await;
        }
        tokio::time::sleep(QUEUE_EVERY).await;
    }
}
