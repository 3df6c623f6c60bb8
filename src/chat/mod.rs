//! Live chat: the customer and agent websockets, the bot's part in a conversation, escalation
//! to the agent queue, and the widget script. The wire format is in `docs/protocol.md`.

pub mod agent_ws;
pub mod bus;
pub mod customer_ws;

pub mod hub;
pub mod info;
pub mod protocol;
pub mod service;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

/// The widget script, embedded in the binary.
const WIDGET_JS: &str = include_str!("../../widget/widget.js");

/// Routes of the chat.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/widget.js", get(widget_js))
        .route("/api/chat", get(customer_ws::upgrade))
        .route("/agent/ws", get(agent_ws::upgrade))
}

async fn widget_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            // The script runs on other sites' pages.
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        WIDGET_JS,
    )
}
