//! The chat over HTTP: the customer and agent websockets, `GET /api/chat/info` and the widget
//! script. The use cases they run are in `crate::chat`; the wire format is in
//! `docs/protocol.md`.

pub mod agent_ws;
pub mod customer_ws;
pub mod files;
pub mod info;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

/// The widget script, embedded in the binary.
const WIDGET_JS: &str = include_str!("../../../widget/widget.js");

/// `GET /widget.js`: minified and compressed once; its address has no version (it is in every
/// customer's page), so browsers keep it five minutes and then ask with `If-None-Match`.
pub async fn widget_js(headers: HeaderMap) -> Response {
    let mut r = crate::web::bytes::widget(WIDGET_JS)
        .respond(&headers, HeaderValue::from_static("public, max-age=300"));
    // The script runs on other sites' pages.
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}
