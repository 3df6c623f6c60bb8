//! The chat over HTTP: the customer and agent websockets, `GET /api/chat/info` and the widget
//! script. The use cases they run are in `crate::chat`; the wire format is in
//! `docs/protocol.md`.

pub mod agent_ws;
pub mod customer_ws;
pub mod files;
pub mod info;

use axum::http::header;
use axum::response::IntoResponse;

/// The widget script, embedded in the binary.
const WIDGET_JS: &str = include_str!("../../../widget/widget.js");

/// `GET /widget.js`.
pub async fn widget_js() -> impl IntoResponse {
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
