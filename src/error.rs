//! The one error type of the HTTP layer: stable JSON `{code, message}`; internal details are
//! logged, never shown.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing at this address.
    #[error("{0}")]
    NotFound(String),
    /// The request needs a signed-in agent.
    #[error("{0}")]
    Unauthorized(String),
    /// The signed-in agent may not do this (role), or the CSRF token is missing or wrong.
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with the current state (e.g. an email already taken).
    #[error("{0}")]
    Conflict(String),
    /// Too many requests from this client; try again after `retry_after`.
    #[error("{message}")]
    TooManyRequests {
        /// What was refused and what the limit is.
        message: String,
        /// How long until the client may try again (sent as `Retry-After`, whole seconds).
        retry_after: std::time::Duration,
    },
    /// A failure on our side; logged, answered with a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m),
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m),
            AppError::TooManyRequests {
                message,
                retry_after,
            } => {
                let secs = crate::limits::retry_after_secs(retry_after);
                let body = ErrorBody {
                    code: "too_many_requests",
                    message,
                };
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, secs.to_string())],
                    Json(body),
                )
                    .into_response();
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".to_string(),
                )
            }
        };
        (status, Json(ErrorBody { code, message })).into_response()
    }
}
