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
pub async fn widget_js(
    axum::extract::State(state): axum::extract::State<crate::web::state::AppState>,
    headers: HeaderMap,
) -> Response {
    // The admin's look (an unreadable or missing one: the widget's defaults).
    let defaults = match state.store.setting(crate::domain::widget::WIDGET_KEY).await {
        Ok(Some(v)) => serde_json::from_str::<crate::domain::widget::WidgetLook>(&v)
            .ok()
            .and_then(|l| serde_json::to_string(&l).ok())
            .unwrap_or_else(|| "{}".into()),
        Ok(None) => "{}".into(),
        Err(e) => {
            tracing::warn!(error = ?e, "cannot read the widget's look; serving the defaults");
            "{}".into()
        }
    };
    let mut r = crate::web::bytes::widget(WIDGET_JS, &defaults)
        .respond(&headers, HeaderValue::from_static("public, max-age=300"));
    // The script runs on other sites' pages.
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}
