//! `GET /api/chat/info`: whether a person can answer now, and how fast support usually
//! replies — for the widget to say "we usually reply in N minutes" before the customer writes.
//!
//! Public and cookie-less, like the widget script: any site may read it.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use super::service::{Availability, availability};
use crate::analytics::reports::{median_first_reply, usual_reply_since};
use crate::domain::now_ms;
use crate::error::AppError;
use crate::state::AppState;

/// The answer of `GET /api/chat/info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatInfo {
    /// A person can answer now: business hours and at least one agent online (not away).
    pub online: bool,
    /// It is business hours now (whether or not an agent is online).
    pub open_now: bool,
    /// Outside business hours, when they start again (Unix ms); otherwise null.
    pub back_at: Option<i64>,
    /// The usual time to an agent's first reply in seconds (rounded up): the median of the
    /// conversations started in the last 14 days, the dashboard's figure. Null with fewer than
    /// three replies.
    pub usual_reply_secs: Option<i64>,
}

/// Routes: `GET /api/chat/info`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/chat/info", get(info))
}

/// What a customer would be told now.
pub async fn chat_info(state: &AppState, now: i64) -> anyhow::Result<ChatInfo> {
    let hours = state.chat.hours.load();
    let open_now = hours.is_open(now);
    let since = usual_reply_since(now, hours.timezone());
    let usual = median_first_reply(&state.store, since).await?;
    Ok(ChatInfo {
        online: matches!(
            availability(&state.chat, now).await,
            Availability::Open { .. }
        ),
        open_now,
        back_at: if open_now { None } else { hours.next_open(now) },
        usual_reply_secs: usual.map(|ms| (ms + 999) / 1000),
    })
}

async fn info(State(state): State<AppState>) -> Response {
    match chat_info(&state, now_ms()).await {
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
