//! Signing in and out of the agents' pages, and the session as the console's script sees it.
//!
//! Pages (HTML, `noindex`, `Cache-Control: no-store`):
//! - `GET /agent/login?next=` — the sign-in form; `POST /agent/login` (form: `email`,
//!   `password`, `next`) → 303 to `next` (a local path, else `/agent`) with the session cookie;
//!   401 with the form again on a wrong email or password (one message for both); 429 when
//!   throttled.
//! - `POST /agent/logout` (form field `csrf`) → 303 to `/agent/login`, the session deleted.
//!
//! JSON API:
//! - `GET /agent/api/me` → `{"agent": Agent, "csrf": "…", "expires_at": ms}` (renews the cookie).

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use maud::html;
use serde::{Deserialize, Serialize};

use super::layout::{FIELD, agent_layout, bad_request_page, forbidden_page, lang_of, notice, page};
use super::session::{
    AgentPage, AgentSession, check_origin, clear_cookie, local_next, session_cookie,
    session_from_headers,
};
use super::text::T;
use crate::agents::password::{LoginThrottle, verify_password_async};
use crate::domain::agent::{Agent, normalize_email};
use crate::domain::now_ms;
use crate::domain::token::{new_token, token_hash};
use crate::error::AppError;
use crate::limits::{address_key, retry_after_secs};
use crate::web::extract::ClientAddr;
use crate::web::pages::url_encode;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub(crate) struct LoginParams {
    next: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    next: &str,
    error: Option<&str>,
    first_run: bool,
) -> Response {
    let lang = lang_of(state, headers);
    let main = html! {
        h1 { (T::SignInTitle.in_lang(lang)) }
        @if let Some(e) = error { (notice(e, true)) }
        @if first_run {
            div.first-run {
                p { (T::NoAccounts.in_lang(lang)) }
                pre { code { "otvet agent add --role admin --email you@example.com --name \"" (T::YourName.in_lang(lang)) "\"" } }
            }
        }
        form method="post" action="/agent/login" {
            input type="hidden" name="next" value=(next);
            label for="login-email" { (T::Email.in_lang(lang)) }
            input #login-email style=(FIELD) type="email" name="email" value=(email)
                autocomplete="username" required autofocus[email.is_empty()];
            label for="login-password" { (T::Password.in_lang(lang)) }
            input #login-password style=(FIELD) type="password" name="password"
                autocomplete="current-password" required autofocus[!email.is_empty()];
            button type="submit" { (T::SignIn.in_lang(lang)) }
        }
    };
    page(
        status,
        agent_layout(
            state,
            headers,
            T::SignInTitle.in_lang(lang),
            "/agent/login",
            None,
            main,
        ),
    )
}

pub(crate) async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<LoginParams>, QueryRejection>,
) -> Response {
    let next = local_next(params.ok().and_then(|Query(p)| p.next).as_deref());
    if session_from_headers(&state, &headers).await.is_some() {
        return Redirect::to(&next).into_response();
    }
    let first_run = !state.store.has_agents().await.unwrap_or(true);
    login_form(&state, &headers, StatusCode::OK, "", &next, None, first_run)
}

pub(crate) async fn login(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let lang = lang_of(&state, &headers);
    if check_origin(&state, &headers, false).is_err() {
        return forbidden_page(&state, &headers, T::FormRefused.in_lang(lang));
    }
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return bad_request_page(&state, &headers, &e.body_text()),
    };
    let next = local_next(form.next.as_deref());
    let email = normalize_email(&form.email);
    // The sign-in form again, answered 429 with `Retry-After`.
    let too_many = |wait: std::time::Duration| {
        let mut res = login_form(
            &state,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            &email,
            &next,
            Some(T::TooManyAttempts.in_lang(lang)),
            false,
        );
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(retry_after_secs(wait)),
        );
        res
    };
    // Per address whatever the email, in memory and before the database: the per-pair throttle
    // below does not stop one address trying many emails.
    let addr = address_key(&ip);
    if let Err(wait) = state.limits.logins.take(&addr) {
        tracing::warn!(ip = %ip, "agent logins from this address throttled");
        return too_many(wait);
    }
    let key = LoginThrottle::key(&email, &ip);
    let begun = match LoginThrottle::begin(&state.store, &key, now_ms()).await {
        Ok(b) => b,
        Err(e) => return AppError::Internal(e).into_response(),
    };
    if let Err(wait) = begun {
        tracing::warn!(ip = %ip, "agent login throttled");
        return too_many(wait);
    }
    let found = match state.store.agent_by_email(&email).await {
        Ok(found) => found,
        // The attempt stays counted: an error must not be a way around the throttle.
        Err(e) => return AppError::Internal(e).into_response(),
    };
    let (agent, hash) = match found {
        Some((agent, hash)) => (Some(agent), Some(hash)),
        None => (None, None),
    };
    let password_ok = if form.password.len() > crate::agents::password::MAX_PASSWORD_BYTES {
        false
    } else {
        match verify_password_async(form.password, hash).await {
            Ok(ok) => ok,
            Err(crate::agents::password::Busy) => {
                // The attempt stays counted (forgetting it would let a flood reset the
                // throttle).
                tracing::warn!(ip = %ip, "agent login refused: every hashing slot is busy");
                return too_many(std::time::Duration::from_secs(1));
            }
        }
    };
    let agent = agent.filter(|a| password_ok && !a.disabled);
    let Some(agent) = agent else {
        if let Err(e) = LoginThrottle::failed(&state.store, &key, now_ms()).await {
            tracing::error!(error = ?e, "cannot record a failed login");
        }
        tracing::info!(ip = %ip, "agent login failed");
        return login_form(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            &email,
            &next,
            Some(T::WrongCredentials.in_lang(lang)),
            false,
        );
    };
    // A colleague behind the same address should not pay for a sign-in that worked.
    state.limits.logins.refund(&addr);
    if let Err(e) = LoginThrottle::succeeded(&state.store, &key, now_ms()).await {
        tracing::error!(error = ?e, "cannot clear the login throttle");
    }
    let token = new_token();
    if let Err(e) = state
        .store
        .create_session(agent.id, &token_hash(&token), &new_token(), now_ms())
        .await
    {
        return AppError::Internal(e).into_response();
    }
    tracing::info!(agent = agent.id, "agent signed in");
    let mut res = Redirect::to(&next).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, &token));
    res
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    AgentPage(session): AgentPage,
) -> Response {
    if let Err(e) = state.store.delete_session(&session.token_hash()).await {
        return AppError::Internal(e).into_response();
    }
    tracing::info!(agent = session.agent.id, "agent signed out");
    let mut res = Redirect::to("/agent/login").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state));
    res
}

/// `next` as a query string for a login link (used by the console page's own sign-in link).
pub fn login_url(next: &str) -> String {
    format!("/agent/login?next={}", url_encode(next))
}

#[derive(Serialize)]
pub(crate) struct Me {
    agent: Agent,
    csrf: String,
    expires_at: i64,
}

pub(crate) async fn me(State(state): State<AppState>, session: AgentSession) -> Response {
    let cookie = session.renew_cookie(&state);
    let body = Me {
        agent: session.agent,
        csrf: session.csrf,
        expires_at: session.expires_at,
    };
    ([(header::SET_COOKIE, cookie)], Json(body)).into_response()
}
