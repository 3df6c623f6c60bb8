//! What the JSON APIs of canned replies and of the team share: the `{"items": […]}` list, the
//! request body and path id read as `{code, message}` errors, and the 400 a validation error
//! becomes (for the forms too).

use axum::Json;
use axum::extract::Path;
use axum::extract::rejection::{JsonRejection, PathRejection};
use serde::Serialize;

use crate::error::AppError;

/// A validation message as a 400 (a form shows it as its error, the API as `{code, message}`).
pub(super) fn bad(e: String) -> AppError {
    AppError::BadRequest(e)
}

/// The JSON body of a request, or a 400 saying what is wrong with it.
pub(super) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    body.map(|Json(v)| v)
        .map_err(|e| AppError::BadRequest(e.body_text()))
}

/// The `{id}` of a path, or a 404 when it cannot be read.
pub(super) fn path_id(id: Result<Path<i64>, PathRejection>) -> Result<i64, AppError> {
    id.map(|Path(id)| id)
        .map_err(|_| AppError::NotFound("no such id".into()))
}

/// A list answered as `{"items": […]}`.
#[derive(Serialize)]
pub(crate) struct Items<T> {
    pub(super) items: Vec<T>,
}
