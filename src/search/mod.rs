//! Search over the knowledge base: a Tantivy index in RAM with one document per article and one
//! per section, per-language analyzers, typo/layout/synonym-tolerant queries, snippets that
//! highlight the corrected words, and a confidence per hit the bot compares with a threshold.
//!
//! The index follows the articles folder: [`SearchEngine::reload`] re-reads changed files and
//! swaps in a new snapshot atomically, so a search never sees a half-built index.
//!
//! By stage, one file each:
//! - `engine.rs`: the engine, opening it, attaching semantic search;
//! - `schema.rs`: the index fields and the documents an article becomes;
//! - `terms.rs`: analyzed article terms and the term statistics of a snapshot;
//! - `snapshot.rs`: the snapshot searches read and the reload that builds it;
//! - `execute.rs`: running a search, from the query to the hits;
//! - `ranking.rs`: the signals, the ranking score and the confidence;
//! - `snippet.rs`: the highlighted snippets;
//! - `request.rs`: the request and result types;
//! - [`query`], [`analyzer`], [`layout`]: how a query is read; [`hybrid`]: the semantic side;
//!   [`content`]: article parts for the bot. The HTTP API is `web::api::search`.

pub mod analyzer;
pub mod bank;
pub mod content;
mod engine;
mod execute;
pub mod hybrid;
pub mod layout;
pub mod query;
mod ranking;
mod request;
mod schema;
mod snapshot;
mod snippet;
mod terms;

pub use content::{ArticlePart, PartContent};
pub use engine::SearchEngine;
pub use ranking::Signals;
pub use request::{Hit, SearchRequest, SearchResults, SectionRef};
pub use snapshot::{ReloadReport, Snapshot};
pub use snippet::html_escape;

/// Default confidence threshold: hits below it are not offered as answers.
pub const DEFAULT_THRESHOLD: f32 = 0.4;
/// Largest `limit` accepted by a search.
pub const MAX_LIMIT: usize = 50;
