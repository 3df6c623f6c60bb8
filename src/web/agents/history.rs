//! The agents' conversation lists:
//! - `GET /agent/api/conversations/resolved?before=ID` → `{"items": [{conversation_id, status,
//!   customer, email, preview, lang, created_at, resolved_at, agent_name, rating}], "next":
//!   id|null}`: the resolved ones, newest first, 50 at a time (`next` is the `before` of the
//!   following page). The console opens one read-only and can reopen it (the `reopen` frame).
//! - `GET /agent/api/conversations/search?q=…` → `{"items": […]}`: conversations whose
//!   customer's name or email contains `q`, or with a message holding every word of `q` in any
//!   form — read the way the help-center search reads (word forms, `ё`/`е`, case) in each
//!   language; newest first, at most 50. `q` has 2 to 200 characters, else 400.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use super::session::CurrentAgent;
use crate::domain::Lang;
use crate::error::AppError;
use crate::search::analyzer::search_text;
use crate::store::chat::ListedConversation;
use crate::web::state::AppState;

/// Conversations on one page of the list.
const PAGE: i64 = 50;

/// `?before=ID`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Params {
    before: Option<i64>,
}

/// One page of the list.
#[derive(Debug, Serialize)]
pub(crate) struct Page {
    items: Vec<ListedConversation>,
    next: Option<i64>,
}

/// `GET /agent/api/conversations/resolved`.
pub(crate) async fn resolved(
    State(state): State<AppState>,
    _agent: CurrentAgent,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Page>, AppError> {
    let Query(params) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let items = state
        .store
        .resolved_conversations(params.before, PAGE)
        .await?;
    let next = (items.len() as i64 == PAGE)
        .then(|| items.last().map(|r| r.conversation_id))
        .flatten();
    Ok(Json(Page { items, next }))
}

/// Longest search, in characters.
const MAX_Q_CHARS: usize = 200;

/// `?q=…`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchParams {
    #[serde(default)]
    q: String,
}

/// `GET /agent/api/conversations/search`.
pub(crate) async fn search(
    State(state): State<AppState>,
    _agent: CurrentAgent,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<Page>, AppError> {
    let Query(params) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let q = params.q.trim();
    let chars = q.chars().count();
    if !(2..=MAX_Q_CHARS).contains(&chars) {
        return Err(AppError::BadRequest(format!(
            "q must have 2 to {MAX_Q_CHARS} characters"
        )));
    }
    let mut sets: Vec<Vec<String>> = Vec::new();
    for lang in Lang::ALL {
        let set: Vec<String> = search_text(lang, q)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if !set.is_empty() && !sets.contains(&set) {
            sets.push(set);
        }
    }
    let items = state.store.search_conversations(q, &sets, PAGE).await?;
    Ok(Json(Page { items, next: None }))
}
