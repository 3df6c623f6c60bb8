//! The resolved conversations, for every agent: `GET /agent/api/conversations/resolved?before=ID`
//! → `{"items": [{conversation_id, customer, email, preview, lang, created_at, resolved_at,
//! agent_name, rating}], "next": id|null}`, newest first, 50 at a time (`next` is the `before`
//! of the following page). The console opens one read-only and can reopen it (the `reopen`
//! frame of `docs/protocol.md`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use super::session::CurrentAgent;
use crate::error::AppError;
use crate::store::chat::ResolvedRow;
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
    items: Vec<ResolvedRow>,
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
