//! otvet: a self-hosted customer-support chatbot and help center.
//!
//! The binary is thin; this crate exposes [`app`] (the router) and [`run`], which serves it on
//! a listener until a shutdown future resolves. Tests call [`run`] with a `127.0.0.1:0` listener.

pub mod articles;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod search;
pub mod state;
pub mod web;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;
use search::SearchEngine;
pub use state::AppState;

/// The whole HTTP application: every feature's routes merged in one place.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(search::routes::routes())
        .merge(articles::routes::routes())
        .merge(web::routes())
        .fallback(web::not_found)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Loads the knowledge base, then serves on `listener` until `shutdown` resolves.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let cfg = config.clone();
    let search = tokio::task::spawn_blocking(move || {
        SearchEngine::open(&cfg.articles_dir, cfg.default_lang, cfg.threshold)
    })
    .await??;
    log_problems(&search);
    let _watch = config.watch.then(|| {
        let engine = search.clone();
        articles::watch::spawn(&config.articles_dir, move || match engine.reload() {
            Ok(r) if r.changed => {
                tracing::info!(articles = r.articles, errors = r.errors, ms = r.millis as u64, "articles reloaded");
                log_problems(&engine);
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = ?e, "reloading articles failed; still serving the previous set"),
        })
    });
    let state = AppState {
        search,
        config: Arc::new(config),
    };
    tracing::info!(addr = %listener.local_addr()?, "serving");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

fn log_problems(search: &SearchEngine) {
    let snap = search.snapshot();
    for p in &snap.catalog.problems {
        if p.is_error() {
            tracing::error!("{p}");
        } else {
            tracing::warn!("{p}");
        }
    }
    tracing::info!(
        articles = snap.catalog.articles.len(),
        "knowledge base loaded"
    );
}
