//! The state every handler shares.

use std::sync::Arc;

use crate::config::Config;
use crate::search::SearchEngine;

/// Cloneable application state.
#[derive(Clone)]
pub struct AppState {
    /// Search over the knowledge base (also holds the current articles).
    pub search: SearchEngine,
    /// The configuration the server runs with.
    pub config: Arc<Config>,
}
