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
    // The admin's look (an unreadable or missing one: the widget's defaults), with every
    // language in it when none was chosen, this installation's own first (the fallback).
    let mut look = match state.store.setting(crate::domain::widget::WIDGET_KEY).await {
        Ok(v) => v
            .and_then(|v| serde_json::from_str::<crate::domain::widget::WidgetLook>(&v).ok())
            .unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = ?e, "cannot read the widget's look; serving the defaults");
            crate::domain::widget::WidgetLook::default()
        }
    };
    if look.languages.is_empty() {
        let first = state.config.default_lang;
        look.languages = std::iter::once(first)
            .chain(crate::domain::Lang::ALL.into_iter().filter(|l| *l != first))
            .collect();
    }
    let defaults = serde_json::to_string(&look).unwrap_or_else(|_| "{}".into());
    let mut r = crate::web::bytes::widget(WIDGET_JS, &defaults)
        .respond(&headers, HeaderValue::from_static("public, max-age=300"));
    // The script runs on other sites' pages.
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}
