//! How an [`AppError`] is answered: stable JSON `{code, message}` with its HTTP status
//! (`Retry-After` on 429); an internal error is logged and answered with a generic message.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::AppError;

#[derive(Serialize)]
pub(crate) struct ErrorBody<'a> {
    code: &'a str,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let code = self.code();
        let status = match &self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        match self {
            AppError::TooManyRequests {
                message,
                retry_after,
            } => {
                let secs = crate::limits::retry_after_secs(retry_after);
                (
                    status,
                    [(header::RETRY_AFTER, secs.to_string())],
                    Json(ErrorBody { code, message }),
                )
                    .into_response()
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                let message = "internal error".to_string();
                (status, Json(ErrorBody { code, message })).into_response()
            }
            other => {
                let message = other.to_string();
                (status, Json(ErrorBody { code, message })).into_response()
            }
        }
    }
}
