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
    /// The chat's event bus, presence and assignment state.
    pub hub: crate::chat::hub::Hub,
    /// The business hours in force: `--hours`/`--timezone`, or the override an admin set on
    /// `/agent/settings` (kept in `settings`, loaded at start-up, swapped in live). Read this,
    /// not `config.chat.hours`.
    pub hours: Arc<arc_swap::ArcSwap<crate::domain::hours::BusinessHours>>,
    /// This node's per-client rate limits (in memory: see [`crate::limits`]).
    pub limits: Arc<crate::limits::Limits>,
}
