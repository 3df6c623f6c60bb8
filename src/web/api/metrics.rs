//! Operations endpoints for load balancers and monitoring: `/readyz` (the database takes writes
//! and the index is loaded) and `/metrics` (Prometheus text format: open sockets, agents online,
//! queue length, and the process's counters of [`crate::metrics`]; behind a bearer token when
//! `--metrics-token` is set).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::config::Config;
use crate::error::AppError;
use crate::store::Store;
use crate::web::state::AppState;

pub(crate) async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let database = match tokio::time::timeout(DATABASE_CHECK, database_state(&state.store)).await {
        Ok(s) => s,
        Err(_) => {
            tracing::warn!("not ready: the database check timed out");
            "timed out"
        }
    };
    let articles = state.search.snapshot().catalog.articles.len();
    let ready = database == "ok";
    (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(json!({
            "status": if ready { "ready" } else { "unavailable" },
            "database": database,
            "articles": articles,
            "node": state.chat.hub.node(),
            // Semantic search never blocks readiness: answers are lexical until it is ready.
            "semantic": state.search.semantic_status(),
        })),
    )
}

/// How long `/readyz` waits for the database before it says `timed out`.
const DATABASE_CHECK: Duration = Duration::from_secs(5);

/// `ok`, or why the database cannot take the chat's writes: `file missing` (the SQLite file
/// was deleted under the server), `unreachable` (no answer to a query) or `not writable` (a
/// committed one-row write failed). Answering is not enough: a read-only file or mount answers
/// reads while every message would fail.
async fn database_state(store: &Store) -> &'static str {
    if let Err(e) = store.ensure_file() {
        tracing::warn!(error = ?e, "not ready: the database file is gone");
        return "file missing";
    }
    if let Err(e) = store.ping().await {
        tracing::warn!(error = ?e, "not ready: the database does not answer");
        return "unreachable";
    }
    if let Err(e) = store.probe_write().await {
        tracing::warn!(error = ?e, "not ready: the database does not take writes");
        return "not writable";
    }
    "ok"
}

/// Logs at start-up that `/metrics` is open to anyone when no `--metrics-token` is set.
pub fn warn_if_public(config: &Config) {
    if config.metrics_token.is_none() {
        tracing::warn!(
            "/metrics is public: set --metrics-token (OTVET_METRICS_TOKEN) or keep the path \
             from the internet at the proxy"
        );
    }
}

/// Whether the request carries `Authorization: Bearer <token>` with the configured token (any
/// request does when none is configured).
fn authorized(config: &Config, headers: &HeaderMap) -> bool {
    let Some(expected) = config.metrics_token.as_deref() else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    // Compared as hashes, so that the time taken says nothing about the token's length either.
    use crate::domain::token::constant_time_eq;
    use crate::domain::token::token_hash;
    given.is_some_and(|g| constant_time_eq(&token_hash(g), &token_hash(expected)))
}

pub(crate) async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    use std::fmt::Write;
    if !authorized(&state.config, &headers) {
        return (
            [(header::WWW_AUTHENTICATE, "Bearer")],
            AppError::Unauthorized("/metrics needs Authorization: Bearer <token>".into()),
        )
            .into_response();
    }
    let sockets = state.chat.hub.open_sockets();
    let agents = state.chat.hub.agent_listeners().min(sockets);
    let waiting = match state.store.waiting_count().await {
        Ok(w) => w.to_string(),
        Err(_) => "NaN".into(),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP otvet_websocket_connections Open chat websockets.\n\
         # TYPE otvet_websocket_connections gauge\n\
         otvet_websocket_connections{{kind=\"customer\"}} {}\n\
         otvet_websocket_connections{{kind=\"agent\"}} {agents}",
        sockets - agents
    );
    let _ = writeln!(
        out,
        "# HELP otvet_agents_online Agents connected and not away.\n\
         # TYPE otvet_agents_online gauge\n\
         otvet_agents_online {}",
        crate::chat::service::answering_agents(&state.chat).await
    );
    let _ = writeln!(
        out,
        "# HELP otvet_queue_length Conversations waiting for an agent.\n\
         # TYPE otvet_queue_length gauge\n\
         otvet_queue_length {waiting}"
    );
    crate::metrics::write_counters(&mut out);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_a_bearer_token() {
        let mut config = Config::new(".");
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, v.parse().unwrap());
            h
        };
        assert!(authorized(&config, &HeaderMap::new()));
        config.metrics_token = Some("s3cret".into());
        assert!(authorized(&config, &with("Bearer s3cret")));
        assert!(authorized(&config, &with("bearer  s3cret ")));
        for wrong in [
            "Bearer s3cre",
            "Bearer s3cret2",
            "Basic s3cret",
            "s3cret",
            "Bearer ",
        ] {
            assert!(!authorized(&config, &with(wrong)), "{wrong}");
        }
        assert!(!authorized(&config, &HeaderMap::new()));
    }
}
