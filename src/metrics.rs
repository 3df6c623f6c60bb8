//! Operations endpoints for load balancers and monitoring: `/readyz` (the database takes writes
//! and the index is loaded) and `/metrics` (Prometheus text format: open sockets, stored messages,
//! queue length, search latency; behind a bearer token when `--metrics-token` is set).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Store;

/// Upper bounds (seconds) of the search latency histogram's buckets.
const SEARCH_BUCKETS: [f64; 9] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5];

static SEARCH_COUNTS: [AtomicU64; 10] = [const { AtomicU64::new(0) }; 10];
static SEARCH_MICROS: AtomicU64 = AtomicU64::new(0);
static MESSAGES: AtomicU64 = AtomicU64::new(0);
static BUS_RECONNECTS: AtomicU64 = AtomicU64::new(0);
static BUS_RECEIVED: AtomicU64 = AtomicU64::new(0);
static BUS_READ: AtomicU64 = AtomicU64::new(0);

/// Counts messages read from the store because another node announced them.
pub fn bus_messages_read(n: usize) {
    BUS_READ.fetch_add(n as u64, Ordering::Relaxed);
}

/// Counts a reconnection of the bus listener (see [`crate::chat::bus`]).
pub fn bus_reconnected() {
    BUS_RECONNECTS.fetch_add(1, Ordering::Relaxed);
}

/// Counts a notification received from another node.
pub fn bus_received() {
    BUS_RECEIVED.fetch_add(1, Ordering::Relaxed);
}

/// Counts one search of `took` in the latency histogram.
pub fn observe_search(took: Duration) {
    let secs = took.as_secs_f64();
    let i = SEARCH_BUCKETS
        .iter()
        .position(|b| secs <= *b)
        .unwrap_or(SEARCH_BUCKETS.len());
    SEARCH_COUNTS[i].fetch_add(1, Ordering::Relaxed);
    SEARCH_MICROS.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
}

/// Counts one stored chat message.
pub fn message_stored() {
    MESSAGES.fetch_add(1, Ordering::Relaxed);
}

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
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
    use crate::agents::session::constant_time_eq;
    use crate::domain::token::token_hash;
    given.is_some_and(|g| constant_time_eq(&token_hash(g), &token_hash(expected)))
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
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
        "# HELP otvet_bus_reconnects_total Reconnections of this node's bus listener.\n\
         # TYPE otvet_bus_reconnects_total counter\n\
         otvet_bus_reconnects_total {}\n\
         # HELP otvet_bus_notifications_total Notifications received from other nodes.\n\
         # TYPE otvet_bus_notifications_total counter\n\
         otvet_bus_notifications_total {}\n\
         # HELP otvet_bus_messages_read_total Announced messages read because a socket here shows them.\n\
         # TYPE otvet_bus_messages_read_total counter\n\
         otvet_bus_messages_read_total {}",
        BUS_RECONNECTS.load(Ordering::Relaxed),
        BUS_RECEIVED.load(Ordering::Relaxed),
        BUS_READ.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP otvet_chat_messages_total Chat messages stored by this process.\n\
         # TYPE otvet_chat_messages_total counter\n\
         otvet_chat_messages_total {}",
        MESSAGES.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP otvet_queue_length Conversations waiting for an agent.\n\
         # TYPE otvet_queue_length gauge\n\
         otvet_queue_length {waiting}"
    );
    let _ = writeln!(
        out,
        "# HELP otvet_search_duration_seconds Time of one search call.\n\
         # TYPE otvet_search_duration_seconds histogram"
    );
    let mut cumulative = 0;
    for (i, bound) in SEARCH_BUCKETS.iter().enumerate() {
        cumulative += SEARCH_COUNTS[i].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "otvet_search_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
        );
    }
    cumulative += SEARCH_COUNTS[SEARCH_BUCKETS.len()].load(Ordering::Relaxed);
    let _ = writeln!(
        out,
        "otvet_search_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n\
         otvet_search_duration_seconds_sum {}\n\
         otvet_search_duration_seconds_count {cumulative}",
        SEARCH_MICROS.load(Ordering::Relaxed) as f64 / 1e6
    );
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
    fn searches_land_in_their_bucket() {
        let before = SEARCH_COUNTS[1].load(Ordering::Relaxed);
        observe_search(Duration::from_micros(700));
        assert_eq!(SEARCH_COUNTS[1].load(Ordering::Relaxed), before + 1);
        let before = SEARCH_COUNTS[9].load(Ordering::Relaxed);
        observe_search(Duration::from_secs(2));
        assert_eq!(SEARCH_COUNTS[9].load(Ordering::Relaxed), before + 1);
    }

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
