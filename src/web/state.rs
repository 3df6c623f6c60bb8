//! The state every handler shares.

use std::sync::Arc;

use crate::config::Config;
use crate::search::SearchEngine;
use crate::store::Store;

/// Cloneable application state.
#[derive(Clone)]
pub struct AppState {
    /// Search over the knowledge base (also holds the current articles).
    pub search: SearchEngine,
    /// The configuration the server runs with.
    pub config: Arc<Config>,
    /// The database.
    pub store: Store,
    /// The per-installation secret mixed into visitor hashes (`--secret` or generated once and
    /// kept in the database).
    pub visitor_secret: Arc<str>,
    /// This node's per-client rate limits (in memory: see [`crate::limits`]).
    pub limits: Arc<crate::limits::Limits>,
    /// The live chat's parts (its store, hub, hours…), which its use cases take.
    pub chat: crate::chat::Chat,
}

impl axum::extract::FromRef<AppState> for crate::chat::Chat {
    fn from_ref(state: &AppState) -> Self {
        state.chat.clone()
    }
}
