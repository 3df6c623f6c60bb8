//! The signed-in agent of a request (session cookie).
//!
//! PLACEHOLDER: rejects every request until sessions are implemented.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::AppError;
use crate::state::AppState;

use super::Agent;

/// The agent whose session cookie came with the request; rejects with 401 otherwise.
#[derive(Debug, Clone)]
pub struct CurrentAgent(pub Agent);

impl FromRequestParts<AppState> for CurrentAgent {
    type Rejection = AppError;

    async fn from_request_parts(_parts: &mut Parts, _state: &AppState) -> Result<Self, AppError> {
        Err(AppError::Unauthorized("not signed in".into()))
    }
}
