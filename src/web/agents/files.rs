//! An agent's file in a conversation: `POST /agent/api/conversations/{id}/attachments?name=…&client_id=…`
//! with the file as the body (CSRF-checked like every agent API) → `{"message": …}`; the
//! customer sees it in the widget, or gets it by mail with the agent's replies.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};

use super::json::path_id;
use super::session::CurrentAgent;
use crate::chat::service::{self, AgentRef, Sender};
use crate::error::AppError;
use crate::web::chat::files::{UploadQuery, file_body, file_error};
use crate::web::state::AppState;

/// `POST /agent/api/conversations/{id}/attachments`.
pub(crate) async fn upload(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    id: Result<Path<i64>, PathRejection>,
    query: Result<Query<UploadQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let conv = path_id(id)?;
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let body = file_body(body)?;
    let me = AgentRef::of(&agent, state.config.chat.max_chats);
    let (message, _) = service::attach(
        &state.chat,
        conv,
        Sender::Agent(&me),
        &q.client_id,
        &q.name,
        &body,
    )
    .await
    .map_err(file_error)?;
    Ok(Json(serde_json::json!({ "message": message })))
}
