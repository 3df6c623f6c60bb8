//! `GET /api/chat/info`: whether a person can answer now, and how fast support usually
//! replies — for the widget to say "we usually reply in N minutes" before the customer writes.
//!
//! Public and cookie-less, like the widget script: any site may read it.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::chat::Chat;
use crate::chat::info::chat_info;
use crate::domain::now_ms;
use crate::error::AppError;

/// `GET /api/chat/info`.
pub async fn info(State(chat): State<Chat>) -> Response {
    match chat_info(&chat, now_ms()).await {
        Ok(info) => {
            let mut res = axum::Json(info).into_response();
            let h = res.headers_mut();
            // Read by the widget on other sites' pages; never with credentials.
            h.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            // Presence changes from one minute to the next.
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=30"),
            );
            res
        }
        Err(e) => AppError::Internal(e).into_response(),
    }
}
