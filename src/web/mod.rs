//! The HTTP surface that is not a feature's own: the help-center pages, their assets, sitemap
//! and robots.txt, health checks and the fallback (an HTML 404 page under `/{lang}/`, JSON
//! elsewhere).

pub mod agents;
pub mod analytics;
pub mod api;
pub mod bytes;
pub mod chat;
pub mod error;
pub mod extract;
pub mod headers;
pub mod i18n;
pub mod pages;
pub mod router;
pub mod state;

use std::hash::{Hash, Hasher};

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use crate::domain::Lang;
use crate::error::AppError;
use crate::web::state::AppState;

/// The stylesheet of every page; the brand colour is put in front of it when served.
const SITE_CSS: &str = include_str!("assets/site.css");
/// Instant search: suggestions under the search boxes (the pages work without it).
const SEARCH_JS: &str = include_str!("assets/search.js");

/// Liveness: the process serves HTTP (with the articles it holds in memory). It never touches
/// the database, so a database outage does not make a load balancer restart every node;
/// readiness is `/readyz`.
pub(crate) async fn healthz(State(state): State<AppState>) -> Json<serde_json::Value> {
    let snap = state.search.snapshot();
    Json(json!({
        "status": "ok",
        "articles": snap.catalog.articles.len(),
        "article_errors": snap.catalog.error_count(),
    }))
}

/// `/`: a 303 to the home page in the visitor's language (`Accept-Language`, among the
/// languages that have articles; else the default language).
pub(crate) async fn root(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let snap = state.search.snapshot();
    let available = pages::available_langs(&snap.catalog, state.config.default_lang);
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let lang = choose_lang(accept, &available).unwrap_or(state.config.default_lang);
    let mut res = Redirect::to(&format!("/{lang}/")).into_response();
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    res
}

/// `/ru` → `/ru/`; anything else is not found.
pub(crate) async fn lang_root(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let snap = state.search.snapshot();
    let available = pages::available_langs(&snap.catalog, state.config.default_lang);
    match available.iter().find(|l| l.code() == segment) {
        Some(l) => Redirect::permanent(&format!("/{l}/")).into_response(),
        None => not_found(State(state), uri, headers).await,
    }
}

/// The best of `available` for an `Accept-Language` header: highest `q` first, then the
/// header's order; `q=0`, `*` and languages we don't have are skipped.
pub fn choose_lang(accept: &str, available: &[Lang]) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        let Some(lang) = Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
        else {
            continue;
        };
        let mut q = 1.0f32;
        for p in parts {
            if let Some(v) = p
                .trim()
                .strip_prefix("q=")
                .or_else(|| p.trim().strip_prefix("Q="))
            {
                q = v
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| q.is_finite())
                    .unwrap_or(0.0);
            }
        }
        if q <= 0.0 || !available.contains(&lang) {
            continue;
        }
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// A version of the stylesheet (content and brand colour), for cache-busting links.
pub(crate) fn css_version(state: &AppState) -> String {
    let mut h = rustc_hash::FxHasher::default();
    SITE_CSS.hash(&mut h);
    state.config.brand_color.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// A version of the instant-search script, for cache-busting links.
pub(crate) fn js_version() -> String {
    let mut h = rustc_hash::FxHasher::default();
    SEARCH_JS.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// `Cache-Control` of an asset: a year when the link's `?v=` is the current version.
pub(crate) fn asset_cache(
    params: Result<Query<AssetParams>, QueryRejection>,
    version: &str,
) -> HeaderValue {
    let versioned = params
        .ok()
        .and_then(|Query(p)| p.v)
        .is_some_and(|v| v == version);
    HeaderValue::from_static(if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    })
}

/// `/assets/search.js`.
pub(crate) async fn search_js(
    params: Result<Query<AssetParams>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    static SCRIPT: std::sync::OnceLock<bytes::Precompressed> = std::sync::OnceLock::new();
    let asset = SCRIPT
        .get_or_init(|| bytes::Precompressed::new(SEARCH_JS, "text/javascript; charset=utf-8"));
    script(params, &headers, &js_version(), asset)
}

/// A script, compressed ahead of time, served with the cache time its `?v=` earns.
pub(crate) fn script(
    params: Result<Query<AssetParams>, QueryRejection>,
    headers: &HeaderMap,
    version: &str,
    asset: &bytes::Precompressed,
) -> Response {
    asset.respond(headers, asset_cache(params, version))
}

/// `/assets/logo`: the configured logo (404 when there is none).
pub(crate) async fn logo(
    State(state): State<AppState>,
    params: Result<Query<AssetParams>, QueryRejection>,
) -> Response {
    let Some(logo) = &state.config.logo else {
        return AppError::NotFound("no logo configured".into()).into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(logo.content_type),
            ),
            (
                header::CACHE_CONTROL,
                asset_cache(params, &logo.version.to_string()),
            ),
        ],
        logo.bytes.to_vec(),
    )
        .into_response()
}

/// `/favicon.svg`: a speech bubble on the brand colour (and `/favicon.ico` redirects here).
pub(crate) async fn favicon(State(state): State<AppState>) -> Response {
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">\
         <rect width=\"32\" height=\"32\" rx=\"7\" fill=\"{}\"/>\
         <path d=\"M9 9h14a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-8l-5 4v-4H9a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2z\" \
         fill=\"#fff\"/></svg>",
        state.config.brand_color
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        svg,
    )
        .into_response()
}

/// `/favicon.ico`, which browsers ask for on their own.
pub(crate) async fn favicon_ico() -> axum::response::Redirect {
    axum::response::Redirect::permanent("/favicon.svg")
}

/// The `?v=` of an asset link.
#[derive(Deserialize)]
pub(crate) struct AssetParams {
    v: Option<String>,
}

/// `/assets/site.css`: the stylesheet with the brand colour as a custom property. Links carry
/// `?v=` of the current version, which may be cached for a year; other requests for a while.
pub(crate) async fn site_css(
    State(state): State<AppState>,
    params: Result<Query<AssetParams>, QueryRejection>,
) -> Response {
    let cache = asset_cache(params, &css_version(&state));
    let body = format!(
        ":root{{--brand-color:{}}}\n{SITE_CSS}",
        state.config.brand_color
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

/// Answer for unknown paths: the HTML 404 page under `/{lang}/…` (and for browsers asking for
/// HTML anywhere but `/api/`), the JSON error otherwise.
pub async fn not_found(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    // Under /agent the agents' error page (`error::as_html`), in the agent's language.
    if path == "/api" || path.starts_with("/api/") || path.starts_with("/agent/") {
        return AppError::NotFound("nothing here".into()).into_response();
    }
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let lang = Lang::ALL.into_iter().find(|l| l.code() == first);
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    match lang {
        Some(l) => pages::not_found_page(&state, &headers, l, path),
        None if wants_html => {
            pages::not_found_page(&state, &headers, state.config.default_lang, path)
        }
        None => AppError::NotFound("nothing here".into()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_honours_q_values() {
        let both = [Lang::Ru, Lang::En];
        assert_eq!(
            choose_lang("ru-RU,ru;q=0.9,en;q=0.8", &both),
            Some(Lang::Ru)
        );
        assert_eq!(
            choose_lang("en-US,en;q=0.9,ru;q=0.5", &both),
            Some(Lang::En)
        );
        assert_eq!(choose_lang("ru;q=0.3, en;q=0.7", &both), Some(Lang::En));
        assert_eq!(choose_lang("de-DE, en;q=0.5", &both), Some(Lang::En));
        assert_eq!(choose_lang("de-DE", &both), None);
        assert_eq!(choose_lang("de-DE", &Lang::ALL), Some(Lang::De));
        assert_eq!(choose_lang("en;q=0, ru;q=0.1", &both), Some(Lang::Ru));
        assert_eq!(choose_lang("*", &both), None);
        assert_eq!(choose_lang("%%%garbage;;q=x", &both), None);
        assert_eq!(choose_lang("", &both), None);
        assert_eq!(choose_lang("EN", &both), Some(Lang::En));
    }
}
