//! The one router table: every route of the application, its handler, and the layers of each
//! group (body limits, CSRF, caching), then the layers every response gets (timeouts, security
//! headers, tracing). Handlers live beside their pages and APIs in the modules of `web`.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{delete, get, post, put};

use super::agents::files as agent_files;
use super::agents::{
    canned, console, customers, history, login, session, settings, team, widget_look,
};
use super::analytics::{gap_actions, reports, routes as gaps};
use super::api::{articles, feedback, metrics, search};
use super::chat::{agent_ws, customer_ws, files, info, widget_js};
use super::pages;
use super::state::AppState;

/// Longest time a request may take (websockets only take it to be upgraded).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Longest pause in a request body.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let help_center = Router::new()
        .route("/healthz", get(super::healthz))
        .route("/", get(super::root))
        .route("/sitemap.xml", get(pages::sitemap::sitemap))
        .route("/robots.txt", get(pages::sitemap::robots))
        .route("/demo", get(pages::demo::demo))
        .route("/favicon.svg", get(super::favicon))
        .route("/favicon.ico", get(super::favicon_ico))
        .route("/assets/site.css", get(super::site_css))
        .route("/assets/search.js", get(super::search_js))
        .route("/assets/logo", get(super::logo))
        .route("/{lang}", get(super::lang_root))
        .route("/{lang}/", get(pages::home::home))
        .route("/{lang}/search", get(pages::search::search))
        .route("/{lang}/categories/{category}", get(pages::home::category))
        .route("/{lang}/articles/{slug}", get(pages::article::show))
        .merge(
            Router::new()
                .route(
                    "/{lang}/articles/{slug}/feedback",
                    post(pages::article::record),
                )
                .layer(DefaultBodyLimit::max(feedback::MAX_BODY_BYTES)),
        )
        .merge(
            Router::new()
                .route(
                    "/conversation/{token}",
                    get(pages::conversation::show).post(pages::conversation::write),
                )
                .route(
                    "/conversation/{token}/rate",
                    post(pages::conversation::rate),
                )
                .layer(DefaultBodyLimit::max(pages::conversation::MAX_BODY_BYTES)),
        );
    let public_api = Router::new()
        .route("/api/search", get(search::search))
        .route("/api/articles/{slug}", get(articles::article))
        .route("/api/chat/info", get(info::info))
        .route("/readyz", get(metrics::readyz))
        .route("/metrics", get(metrics::metrics))
        .merge(
            Router::new()
                .route(
                    "/api/articles/{slug}/feedback",
                    get(feedback::counts).post(feedback::record),
                )
                .layer(DefaultBodyLimit::max(feedback::MAX_BODY_BYTES)),
        );
    let chat = Router::new()
        .route("/widget.js", get(widget_js))
        .route("/api/chat", get(customer_ws::upgrade))
        .route("/agent/ws", get(agent_ws::upgrade))
        .route("/attachments/{token}/{name}", get(files::serve))
        .merge(
            Router::new()
                .route(
                    "/api/chat/attachments",
                    post(files::upload).options(files::upload_preflight),
                )
                .layer(DefaultBodyLimit::max(files::MAX_UPLOAD_BYTES)),
        );
    let no_store = tower_http::set_header::SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    // Each group's role guard is applied once, here: a handler below runs only for a
    // signed-in agent of that role (pages redirect to sign in; the API answers 401/403).
    let admin = || axum::middleware::from_fn_with_state(state.clone(), session::admins_only);
    let admins = Router::new()
        .route(
            "/agent/team",
            get(team::team_page).post(team::team_create_form),
        )
        .route("/agent/team/{id}", post(team::team_update_form))
        .route(
            "/agent/settings",
            get(settings::settings_page).post(settings::settings_form),
        )
        .route(
            "/agent/api/agents",
            get(team::list_agents).post(team::create_agent),
        )
        .route("/agent/api/agents/{id}", put(team::update_agent))
        .route("/agent/settings/widget", post(widget_look::save))
        .route("/agent/canned/{id}", post(canned::canned_update_form))
        .route(
            "/agent/canned/{id}/delete",
            post(canned::canned_delete_form),
        )
        .route(
            "/agent/api/canned/{id}",
            put(canned::update_canned).delete(canned::delete_canned),
        )
        .route_layer(admin());
    // Every agent reads canned replies; admins change them (the same paths, by method).
    let agents = Router::new()
        .route("/agent/login", get(login::login_page).post(login::login))
        .route("/agent/logout", post(login::logout))
        .route(
            "/agent/canned",
            get(canned::canned_page).merge(post(canned::canned_create_form).route_layer(admin())),
        )
        .route("/agent/api/me", get(login::me))
        .route(
            "/agent/api/canned",
            get(canned::list_canned).merge(post(canned::create_canned).route_layer(admin())),
        )
        .route("/agent/api/canned/{id}/fill", get(canned::fill_canned))
        .route("/agent/api/customers/{id}", put(customers::update_contact))
        .route("/agent/api/conversations/resolved", get(history::resolved))
        .route("/agent/api/conversations/search", get(history::search))
        .merge(admins)
        // Agents' pages and API: CSRF-checked forms, small bodies, never cached.
        .layer(axum::middleware::from_fn(session::form_csrf))
        .layer(DefaultBodyLimit::max(super::agents::MAX_BODY_BYTES))
        .layer(no_store.clone());
    // Files are the one large body agents send.
    let agent_files = Router::new()
        .route(
            "/agent/api/conversations/{id}/attachments",
            post(agent_files::upload),
        )
        .layer(axum::middleware::from_fn(session::form_csrf))
        .layer(DefaultBodyLimit::max(files::MAX_UPLOAD_BYTES))
        .layer(no_store);
    let console = Router::new()
        .route("/agent", get(console::console_page))
        .route("/agent/assets/console.js", get(console::console_js))
        .route("/agent/assets/console.css", get(console::console_css))
        .route("/agent/assets/settings.js", get(widget_look::settings_js));
    let editors = Router::new()
        .route("/agent/gaps", get(gaps::page))
        .route("/agent/gaps/{cluster}/draft.md", get(gaps::draft))
        .route("/agent/api/gaps", get(gaps::api))
        .route(
            "/agent/gaps/{cluster}/dismiss",
            post(gap_actions::dismiss_form),
        )
        .route(
            "/agent/gaps/dismissed/{id}/undo",
            post(gap_actions::undo_form),
        )
        .route(
            "/agent/api/gaps/{cluster}/dismiss",
            post(gap_actions::dismiss_api),
        )
        .route(
            "/agent/api/gaps/dismissed/{id}",
            delete(gap_actions::undo_api),
        )
        .route("/agent/reports", get(reports::report_page))
        .route("/agent/reports.csv", get(reports::report_csv))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::editors_only,
        ))
        .route("/agent/reports.css", get(reports::stylesheet))
        // The dismiss and snooze forms carry the CSRF token.
        .layer(axum::middleware::from_fn(session::form_csrf));
    let router = Router::new()
        .merge(public_api)
        .merge(chat)
        .merge(agents)
        .merge(agent_files)
        .merge(console)
        .merge(editors)
        .merge(help_center)
        .fallback(super::not_found)
        // Inside the header layers, so that an error page gets the security headers too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::error::as_html,
        ))
        // ETags of the bytes as the handlers made them, then compression of what is sent.
        .layer(axum::middleware::from_fn(super::bytes::etags))
        .layer(tower_http::compression::CompressionLayer::new());
    let [csp, nosniff, referrer] = super::headers::layers();
    let router = match super::headers::hsts(state.config.public_url.as_deref()) {
        Some(hsts) => router.layer(hsts),
        None => router,
    };
    router
        // A request that takes longer is answered 408; a body that sends nothing for this
        // long is cut (bodies are small: the largest accepted is 64 KiB).
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            BODY_TIMEOUT,
        ))
        .layer(csp)
        .layer(nosniff)
        .layer(referrer)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
