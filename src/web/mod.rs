//! The HTTP surface that is not a feature's own: health checks and the fallback.

pub mod headers;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::State;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let snap = state.search.snapshot();
    let (status, code, database) = match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok", "ok".to_string()),
        Err(e) => {
            tracing::error!(error = ?e, "database health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "degraded",
                format!("{e:#}"),
            )
        }
    };
    (
        status,
        Json(json!({
            "status": code,
            "articles": snap.catalog.articles.len(),
            "article_errors": snap.catalog.error_count(),
            "database": database,
        })),
    )
}

/// Answer for unknown paths.
pub async fn not_found() -> AppError {
    AppError::NotFound("nothing here".into())
}
