//! otvet: a self-hosted customer-support chatbot and help center.
//!
//! The binary is thin; this crate exposes [`app`] (the router) and [`run`], which serves it on
//! a listener until a shutdown future resolves. Tests call [`run`] with a `127.0.0.1:0` listener.

pub mod agents;
pub mod analytics;
pub mod articles;
pub mod bot;
pub mod chat;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod privacy;
pub mod search;
pub mod semantic;
pub mod server;
pub mod store;
pub mod web;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;
use search::SearchEngine;
pub use store::Store;
pub use web::state::AppState;

pub use web::router::{BODY_TIMEOUT, REQUEST_TIMEOUT};

/// How long HTTP requests in flight may take once a shutdown began.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);
/// How long websockets get to say goodbye (and the database to finish) at shutdown.
const SOCKETS_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// The whole HTTP application (the router table is `web::router`).
pub fn app(state: AppState) -> Router {
    web::router::app(state)
}

/// Opens the database, loads the knowledge base, then serves on `listener` until `shutdown` resolves.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let node = chat::bus::node_name();
    let store = Store::connect_as(&config.database_url, &node).await?;
    let visitor_secret: Arc<str> = match &config.secret {
        Some(s) => s.as_str().into(),
        None => store.visitor_secret().await?.into(),
    };
    tracing::info!(database = %store::redact_url(&config.database_url), "database ready");
    let cfg = config.clone();
    let search = tokio::task::spawn_blocking(move || {
        SearchEngine::open(&cfg.articles_dir, cfg.default_lang, cfg.threshold)
    })
    .await??;
    log_problems(&search);
    {
        // The model loads in the background: the help center serves lexically meanwhile.
        let engine = search.clone();
        let (choice, cache) = (config.model.clone(), config.embedding_cache.clone());
        tokio::task::spawn_blocking(move || engine.start_semantic(&choice, cache));
    }
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
    if config.starter_canned {
        let n = store
            .seed_canned_once(&domain::canned::starter(), domain::now_ms())
            .await?;
        if n > 0 {
            tracing::info!(
                replies = n,
                "starter canned replies created (edit them on /agent/canned)"
            );
        }
    }
    let hours = chat::hours::startup_hours(&store, &config.chat).await;
    // Old conversation texts go at start-up and every hour (`--retention-days`).
    let retention = config
        .retention_days
        .map(|days| privacy::retention::spawn(store.clone(), days));
    let (hub, outbox) = chat::bus::hub(&node, &store);
    let mut config = config;
    config.chat.mail = config.mail.as_ref().map(|m| chat::ChatMail {
        domain: m.from.email.domain().to_string(),
        batch_ms: i64::try_from(m.batch.as_millis()).unwrap_or(i64::MAX),
    });
    let config = Arc::new(config);
    let limits = Arc::new(limits::Limits::default());
    let chat = chat::Chat {
        store: store.clone(),
        hub,
        hours: Arc::new(arc_swap::ArcSwap::from_pointee(hours)),
        limits: limits.clone(),
        search: search.clone(),
        config: Arc::new(config.chat.clone()),
        visitor_secret: visitor_secret.clone(),
    };
    let state = AppState {
        search,
        config,
        store: store.clone(),
        visitor_secret,
        limits,
        chat,
    };
    let bus = chat::workers::Workers::start(state.chat.clone(), outbox).await?;
    let mail = match &state.config.mail {
        Some(m) => {
            let public_url = state.config.public_url.clone().unwrap_or_else(|| {
                tracing::warn!("mail links need --public-url; using the listening address");
                format!(
                    "http://{}",
                    listener
                        .local_addr()
                        .map_or_else(|_| "localhost".into(), |a| a.to_string())
                )
            });
            tracing::info!(smtp = %store::redact_url(&m.smtp_url), from = %m.from, imap = m.imap_url.is_some(), "answering by email");
            Some(mail::MailWorkers::start(mail::Mail {
                chat: state.chat.clone(),
                config: Arc::new(m.clone()),
                public_url,
            })?)
        }
        None => None,
    };
    web::api::metrics::warn_if_public(&state.config);
    tracing::info!(addr = %listener.local_addr()?, node = %node, backend = store.backend(), "serving");
    let stopping = state.chat.clone();
    let hub = state.chat.hub.clone();
    let closing = hub.clone();
    let limits = server::ConnectionLimits {
        header_timeout: state.config.header_timeout,
        per_address: state.config.max_connections_per_address,
        total: state.config.max_connections,
        trusted_proxies: state.config.trusted_proxies.clone(),
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections; websockets are told to reconnect");
        // Upgraded websockets are not waited for by the HTTP server: close them ourselves.
        closing.close_all();
        let _ = stop_tx.send(true);
    });
    let serve = server::serve(listener, app(state), limits, stop_rx);
    // Requests in flight get this long once the shutdown began; then the node goes anyway.
    let deadline = async {
        hub.closing().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        () = serve => {}
        () = deadline => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "HTTP requests still open at shutdown; closing anyway");
        }
    };
    let left = hub.sockets_closed(SOCKETS_GRACE).await;
    if left > 0 {
        tracing::warn!(sockets = left, "closing with websockets still open");
    }
    if let Some(m) = mail {
        m.stop();
    }
    bus.stop(&stopping).await;
    if let Some(r) = retention {
        r.abort();
    }
    if tokio::time::timeout(SOCKETS_GRACE, store.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still busy at shutdown");
    }
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
