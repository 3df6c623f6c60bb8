//! The customer's contact card, for every agent:
//! - `PUT /agent/api/customers/{id}` `{name?, email?, phone?}` (empty or absent clears a field;
//!   CSRF-checked) → `{"id", "name", "email", "phone", "verified"}`; 400 `bad_request` saying
//!   which field is wrong, 404 for an unknown customer. Changing a verified email ends the
//!   verification. The consoles' queue shows the new name at once.

use super::json::{json_body, path_id};
use super::session::CurrentAgent;
use crate::chat::Chat;
use crate::chat::service::{ContactCard, edit_contact};
use crate::error::AppError;
use crate::store::chat::CustomerRow;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};

/// `PUT /agent/api/customers/{id}`.
pub(crate) async fn update_contact(
    State(chat): State<Chat>,
    CurrentAgent(agent): CurrentAgent,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<ContactCard>, JsonRejection>,
) -> Result<Json<CustomerRow>, AppError> {
    let id = path_id(id)?;
    let card = json_body(body)?;
    let row = edit_contact(&chat, id, &card).await?;
    tracing::info!(by = agent.id, customer = id, "contact card edited");
    Ok(Json(row))
}
