//! HTTP routes of agent accounts: signing in and out, canned replies and the team, as
//! server-rendered pages (plain HTML forms, no scripts) and as a JSON API for the console.
//!
//! Pages (HTML, `noindex`, `Cache-Control: no-store`):
//! - `GET /agent/login?next=` — the sign-in form; `POST /agent/login` (form: `email`,
//!   `password`, `next`) → 303 to `next` (a local path, else `/agent`) with the session cookie;
//!   401 with the form again on a wrong email or password (one message for both); 429 when
//!   throttled.
//! - `POST /agent/logout` (form field `csrf`) → 303 to `/agent/login`, the session deleted.
//! - `GET /agent/canned` — the list; admins also get forms: `POST /agent/canned` (create),
//!   `POST /agent/canned/{id}` (change), `POST /agent/canned/{id}/delete`.
//! - `GET /agent/team` (admins) — accounts with forms: `POST /agent/team` (create),
//!   `POST /agent/team/{id}` (change).
//! - `GET /agent/settings` (admins) — the business hours; `POST /agent/settings` (see
//!   [`super::settings`]).
//!
//! JSON API (errors are `{code, message}`; state-changing requests need `X-CSRF-Token`):
//! - `GET /agent/api/me` → `{"agent": Agent, "csrf": "…", "expires_at": ms}` (renews the cookie).
//! - `GET /agent/api/canned` → `{"items": [CannedReply]}`;
//!   `GET /agent/api/canned/{id}/fill?customer_name=&lang=` → `{"id", "shortcut", "text"}`.
//! - admins: `POST /agent/api/canned` `{shortcut, title, body}` → 201 CannedReply (409 when the
//!   shortcut is taken); `PUT /agent/api/canned/{id}` (same body) → CannedReply;
//!   `DELETE /agent/api/canned/{id}` → 204.
//! - admins: `GET /agent/api/agents` → `{"items": [Agent]}`; `POST /agent/api/agents`
//!   `{email, name, role?, max_chats?, password?}` → 201 `{"agent": Agent, "password": "…"|null}`
//!   (a generated password is returned once); `PUT /agent/api/agents/{id}`
//!   `{name?, role?, max_chats?: n|null, disabled?, password?}` → Agent. The last enabled admin
//!   cannot be demoted or disabled (409).

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use maud::{Markup, html};
use serde::{Deserialize, Deserializer, Serialize};

use super::session::{
    AgentPage, AgentSession, CSRF_FIELD, CurrentAgent, check_origin, clear_cookie, local_next,
    session_cookie, session_from_headers,
};
use super::text::{T, tr};
use crate::agents::password::{
    LoginThrottle, generate_password, hash_password_async, validate_new_password,
    verify_password_async,
};
use crate::domain::Lang;
use crate::domain::agent::{
    Agent, AgentUpdate, NewAgent, Role, normalize_email, validate_email, validate_max_chats,
    validate_name,
};
use crate::domain::canned::{CannedInput, CannedReply, fill_placeholders};
use crate::domain::now_ms;
use crate::domain::token::{new_token, token_hash};
use crate::error::AppError;
use crate::limits::{address_key, retry_after_secs};
use crate::store::agents::Saved;
use crate::web::extract::ClientAddr;
use crate::web::pages::{Head, Site, layout, respond, url_encode};
use crate::web::state::AppState;

/// Largest request body of these routes.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Shared logic of the API and the forms
// ---------------------------------------------------------------------------------------------

/// An account as created by an admin.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAgentInput {
    email: String,
    name: String,
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    max_chats: Option<i64>,
    /// `None` or empty: a generated password, returned once.
    #[serde(default)]
    password: Option<String>,
}

/// A change to an account by an admin: absent fields stay.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgentPatch {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    role: Option<Role>,
    /// Absent: unchanged; `null`: the server's default; a number: that cap.
    #[serde(default, deserialize_with = "present")]
    max_chats: Option<Option<i64>>,
    #[serde(default)]
    disabled: Option<bool>,
    #[serde(default)]
    password: Option<String>,
}

/// `Some(value)` for a field that is present, even when it is `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

fn bad(e: String) -> AppError {
    AppError::BadRequest(e)
}

async fn create_agent_as(
    state: &AppState,
    admin: &Agent,
    input: NewAgentInput,
) -> Result<(Agent, Option<String>), AppError> {
    admin.require(Role::Admin)?;
    let email = normalize_email(&input.email);
    validate_email(&email).map_err(bad)?;
    let name = input.name.trim().to_string();
    validate_name(&name).map_err(bad)?;
    if let Some(m) = input.max_chats {
        validate_max_chats(m).map_err(bad)?;
    }
    let (password, generated) = match input.password.filter(|p| !p.is_empty()) {
        Some(p) => {
            validate_new_password(&p).map_err(bad)?;
            (p, None)
        }
        None => {
            let p = generate_password();
            (p.clone(), Some(p))
        }
    };
    let password_hash = hash_password_async(password).await?;
    let new = NewAgent {
        email,
        name,
        password_hash,
        role: input.role.unwrap_or(Role::Agent),
        max_chats: input.max_chats,
    };
    match state.store.create_agent(&new, now_ms()).await? {
        Some(agent) => {
            tracing::info!(by = admin.id, agent = agent.id, role = %agent.role, "agent account created");
            Ok((agent, generated))
        }
        None => Err(AppError::Conflict(format!(
            "there is already an account with the email {}",
            new.email
        ))),
    }
}

async fn update_agent_as(
    state: &AppState,
    admin: &Agent,
    id: i64,
    patch: AgentPatch,
) -> Result<Agent, AppError> {
    admin.require(Role::Admin)?;
    let name = match patch.name {
        Some(n) => {
            let n = n.trim().to_string();
            validate_name(&n).map_err(bad)?;
            Some(n)
        }
        None => None,
    };
    if let Some(Some(m)) = patch.max_chats {
        validate_max_chats(m).map_err(bad)?;
    }
    let password = patch.password.filter(|p| !p.is_empty());
    if let Some(p) = &password {
        validate_new_password(p).map_err(bad)?;
    }
    let target = state
        .store
        .agent_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no account {id}")))?;
    let loses_admin = target.role == Role::Admin
        && !target.disabled
        && (patch.role.is_some_and(|r| r != Role::Admin) || patch.disabled == Some(true));
    if loses_admin && state.store.count_active_admins().await? <= 1 {
        return Err(AppError::Conflict(
            "this is the only enabled admin: make another account admin first".into(),
        ));
    }
    let password_hash = match password {
        Some(p) => Some(hash_password_async(p).await?),
        None => None,
    };
    let update = AgentUpdate {
        name,
        role: patch.role,
        max_chats: patch.max_chats,
        disabled: patch.disabled,
        password_hash,
    };
    let agent = state
        .store
        .update_agent(id, &update)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no account {id}")))?;
    tracing::info!(
        by = admin.id,
        agent = id,
        password_reset = update.password_hash.is_some(),
        "agent account changed"
    );
    Ok(agent)
}

async fn create_canned_as(
    state: &AppState,
    agent: &Agent,
    input: &CannedInput,
) -> Result<CannedReply, AppError> {
    agent.require(Role::Admin)?;
    let input = input.validated().map_err(bad)?;
    state
        .store
        .create_canned(&input, Some(agent.id), now_ms())
        .await?
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "the shortcut '{}' is taken by another canned reply",
                input.shortcut
            ))
        })
}

async fn update_canned_as(
    state: &AppState,
    agent: &Agent,
    id: i64,
    input: &CannedInput,
) -> Result<CannedReply, AppError> {
    agent.require(Role::Admin)?;
    let input = input.validated().map_err(bad)?;
    match state.store.update_canned(id, &input, now_ms()).await? {
        Saved::Done(c) => Ok(c),
        Saved::NotFound => Err(AppError::NotFound(format!("no canned reply {id}"))),
        Saved::Taken => Err(AppError::Conflict(format!(
            "the shortcut '{}' is taken by another canned reply",
            input.shortcut
        ))),
    }
}

async fn delete_canned_as(state: &AppState, agent: &Agent, id: i64) -> Result<(), AppError> {
    agent.require(Role::Admin)?;
    if state.store.delete_canned(id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("no canned reply {id}")))
    }
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    body.map(|Json(v)| v)
        .map_err(|e| AppError::BadRequest(e.body_text()))
}

fn path_id(id: Result<Path<i64>, PathRejection>) -> Result<i64, AppError> {
    id.map(|Path(id)| id)
        .map_err(|_| AppError::NotFound("no such id".into()))
}

// ---------------------------------------------------------------------------------------------
// JSON API
// ---------------------------------------------------------------------------------------------

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

#[derive(Serialize)]
pub(crate) struct Items<T> {
    items: Vec<T>,
}

pub(crate) async fn list_canned(
    State(state): State<AppState>,
    _agent: CurrentAgent,
) -> Result<Json<Items<CannedReply>>, AppError> {
    Ok(Json(Items {
        items: state.store.list_canned().await?,
    }))
}

pub(crate) async fn create_canned(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    body: Result<Json<CannedInput>, JsonRejection>,
) -> Result<(StatusCode, Json<CannedReply>), AppError> {
    agent.require(Role::Admin)?;
    let input = json_body(body)?;
    let c = create_canned_as(&state, &agent, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

pub(crate) async fn update_canned(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<CannedInput>, JsonRejection>,
) -> Result<Json<CannedReply>, AppError> {
    agent.require(Role::Admin)?;
    let id = path_id(id)?;
    let input = json_body(body)?;
    Ok(Json(update_canned_as(&state, &agent, id, &input).await?))
}

pub(crate) async fn delete_canned(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, AppError> {
    agent.require(Role::Admin)?;
    delete_canned_as(&state, &agent, path_id(id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(crate) struct FillParams {
    customer_name: Option<String>,
    lang: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Filled {
    id: i64,
    shortcut: String,
    text: String,
}

pub(crate) async fn fill_canned(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    id: Result<Path<i64>, PathRejection>,
    params: Result<Query<FillParams>, QueryRejection>,
) -> Result<Json<Filled>, AppError> {
    let id = path_id(id)?;
    let Query(p) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let lang = match p.lang.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => l
            .parse::<Lang>()
            .map_err(|e| AppError::BadRequest(format!("'lang': {e}")))?,
        None => state.config.default_lang,
    };
    let c = state
        .store
        .canned_reply(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no canned reply {id}")))?;
    let text = fill_placeholders(&c.body, p.customer_name.as_deref(), &agent.name, lang);
    Ok(Json(Filled {
        id: c.id,
        shortcut: c.shortcut,
        text,
    }))
}

pub(crate) async fn list_agents(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
) -> Result<Json<Items<Agent>>, AppError> {
    agent.require(Role::Admin)?;
    Ok(Json(Items {
        items: state.store.list_agents().await?,
    }))
}

#[derive(Serialize)]
pub(crate) struct CreatedAgent {
    agent: Agent,
    password: Option<String>,
}

pub(crate) async fn create_agent(
    State(state): State<AppState>,
    CurrentAgent(admin): CurrentAgent,
    body: Result<Json<NewAgentInput>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedAgent>), AppError> {
    admin.require(Role::Admin)?;
    let input = json_body(body)?;
    let (agent, password) = create_agent_as(&state, &admin, input).await?;
    Ok((StatusCode::CREATED, Json(CreatedAgent { agent, password })))
}

pub(crate) async fn update_agent(
    State(state): State<AppState>,
    CurrentAgent(admin): CurrentAgent,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<AgentPatch>, JsonRejection>,
) -> Result<Json<Agent>, AppError> {
    admin.require(Role::Admin)?;
    let id = path_id(id)?;
    let patch = json_body(body)?;
    Ok(Json(update_agent_as(&state, &admin, id, patch).await?))
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

/// The language of the agent pages: the agent's browser's (`Accept-Language`), else the
/// server's default language.
pub(crate) fn lang_of(state: &AppState, headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|a| crate::web::choose_lang(a, &Lang::ALL))
        .unwrap_or(state.config.default_lang)
}

/// A whole agent page: the help center's layout, never indexed, with the console navigation
/// and the sign-out button when signed in.
pub(super) fn agent_layout(
    state: &AppState,
    headers: &HeaderMap,
    title: &str,
    path: &str,
    session: Option<&AgentSession>,
    main: Markup,
) -> Markup {
    let lang = lang_of(state, headers);
    let snap = state.search.snapshot();
    let site = Site::of(state, headers, &snap.catalog);
    let head = Head {
        title: title.to_string(),
        description: tr(lang, T::Console).to_string(),
        canonical: path.to_string(),
        alternates: Vec::new(),
        noindex: true,
        header_search: false,
    };
    let main = html! {
        @if let Some(s) = session {
            nav.agent-nav aria-label=(tr(lang, T::AgentsNav)) {
                ul style="list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:0.5rem 1.25rem;align-items:center" {
                    li { a href="/agent" { (tr(lang, T::Console)) } }
                    li { a href="/agent/canned" aria-current=[(path == "/agent/canned").then_some("page")] { (tr(lang, T::Canned)) } }
                    @if s.agent.has_role(Role::Admin) {
                        li { a href="/agent/team" aria-current=[(path == "/agent/team").then_some("page")] { (tr(lang, T::Team)) } }
                        li { a href="/agent/settings" aria-current=[(path == "/agent/settings").then_some("page")] { (tr(lang, T::Settings)) } }
                    }
                    li.meta { (tr(lang, T::SignedInAs)) " " strong { (s.agent.name) } " (" (s.agent.role.name(lang)) ")" }
                    li {
                        form method="post" action="/agent/logout" style="margin:0" {
                            input type="hidden" name=(CSRF_FIELD) value=(s.csrf);
                            button type="submit" { (tr(lang, T::SignOut)) }
                        }
                    }
                }
            }
        }
        (main)
    };
    layout(state, &site, lang, head, "", main)
}

/// An HTML response for an agent page.
pub(super) fn page(status: StatusCode, markup: Markup) -> Response {
    respond(status, markup)
}

/// The HTML 403 page (a role the agent lacks, a missing CSRF token, a foreign origin).
pub(crate) fn forbidden_page(state: &AppState, headers: &HeaderMap, message: &str) -> Response {
    let lang = lang_of(state, headers);
    let main = html! {
        h1 { (tr(lang, T::Forbidden)) }
        p { (message) }
        p { a href="/agent" { (tr(lang, T::Console)) } }
    };
    page(
        StatusCode::FORBIDDEN,
        agent_layout(state, headers, tr(lang, T::Forbidden), "/agent", None, main),
    )
}

pub(super) fn bad_request_page(state: &AppState, headers: &HeaderMap, message: &str) -> Response {
    let lang = lang_of(state, headers);
    let main = html! {
        h1 { (tr(lang, T::BadRequest)) }
        p { (message) }
        p { a href="/agent" { (tr(lang, T::Console)) } }
    };
    page(
        StatusCode::BAD_REQUEST,
        agent_layout(
            state,
            headers,
            tr(lang, T::BadRequest),
            "/agent",
            None,
            main,
        ),
    )
}

pub(super) fn notice(message: &str, error: bool) -> Markup {
    let style = if error {
        "border:2px solid #b00020;padding:0.5rem 1rem;border-radius:6px"
    } else {
        "border:2px solid var(--brand-color);padding:0.5rem 1rem;border-radius:6px"
    };
    html! {
        p role=(if error { "alert" } else { "status" }) style=(style) { (message) }
    }
}

pub(super) const FIELD: &str =
    "display:block;width:100%;max-width:40rem;margin:0.2rem 0 0.8rem;padding:0.4rem;font:inherit";

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
) -> Response {
    let lang = lang_of(state, headers);
    let main = html! {
        h1 { (tr(lang, T::SignInTitle)) }
        @if let Some(e) = error { (notice(e, true)) }
        form method="post" action="/agent/login" {
            input type="hidden" name="next" value=(next);
            label for="login-email" { (tr(lang, T::Email)) }
            input #login-email style=(FIELD) type="email" name="email" value=(email)
                autocomplete="username" required autofocus[email.is_empty()];
            label for="login-password" { (tr(lang, T::Password)) }
            input #login-password style=(FIELD) type="password" name="password"
                autocomplete="current-password" required autofocus[!email.is_empty()];
            button type="submit" { (tr(lang, T::SignIn)) }
        }
    };
    page(
        status,
        agent_layout(
            state,
            headers,
            tr(lang, T::SignInTitle),
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
    login_form(&state, &headers, StatusCode::OK, "", &next, None)
}

pub(crate) async fn login(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let lang = lang_of(&state, &headers);
    if let Err(e) = check_origin(&state, &headers, false) {
        return forbidden_page(&state, &headers, &e.to_string());
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
            Some(tr(lang, T::TooManyAttempts)),
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
            Some(tr(lang, T::WrongCredentials)),
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

#[derive(Deserialize, Default)]
pub(crate) struct DoneParams {
    pub(super) done: Option<String>,
}

pub(super) fn done_notice(lang: Lang, done: Option<&str>) -> Option<Markup> {
    let text = match done? {
        "created" => tr(lang, T::Created),
        "saved" => tr(lang, T::Saved),
        "deleted" => tr(lang, T::Deleted),
        _ => return None,
    };
    Some(notice(text, false))
}

/// What the canned page shows besides the list: a message, and the values a failed form had.
#[derive(Default)]
struct CannedView<'a> {
    message: Option<Markup>,
    /// The form that failed (`None`: the create form) and what was typed in it.
    draft: Option<(Option<i64>, &'a CannedInput)>,
}

async fn render_canned(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    status: StatusCode,
    view: CannedView<'_>,
) -> Response {
    let lang = lang_of(state, headers);
    let items = match state.store.list_canned().await {
        Ok(items) => items,
        Err(e) => return AppError::Internal(e).into_response(),
    };
    let admin = session.agent.has_role(Role::Admin);
    let draft_for = |id: Option<i64>| match view.draft {
        Some((d, input)) if d == id => Some(input),
        _ => None,
    };
    let fields = |prefix: &str, shortcut: &str, title: &str, body: &str| {
        html! {
            label for=(format!("{prefix}-shortcut")) { (tr(lang, T::Shortcut)) }
            input #(format!("{prefix}-shortcut")) style=(FIELD) name="shortcut" value=(shortcut)
                required maxlength="32" pattern="/?[A-Za-z0-9][A-Za-z0-9_\\-]*" autocomplete="off";
            label for=(format!("{prefix}-title")) { (tr(lang, T::Title)) }
            input #(format!("{prefix}-title")) style=(FIELD) name="title" value=(title) required maxlength="120";
            label for=(format!("{prefix}-body")) { (tr(lang, T::Text)) }
            textarea #(format!("{prefix}-body")) style=(FIELD) name="body" rows="4" required maxlength="4000" { (body) }
        }
    };
    let main = html! {
        h1 { (tr(lang, T::Canned)) }
        @if let Some(m) = &view.message { (m) }
        p.meta { (tr(lang, T::PlaceholdersHint)) }
        @if items.is_empty() { p { (tr(lang, T::NoCanned)) } }
        @for c in &items {
            section.canned id=(format!("canned-{}", c.id)) style="border-top:1px solid var(--border);padding:0.5rem 0" {
                h2 style="font-size:1.1rem" { code { "/" (c.shortcut) } " " (c.title) }
                @if admin {
                    @let d = draft_for(Some(c.id));
                    form method="post" action=(format!("/agent/canned/{}", c.id)) {
                        input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                        (fields(&format!("c{}", c.id),
                            d.map_or(c.shortcut.as_str(), |d| d.shortcut.as_str()),
                            d.map_or(c.title.as_str(), |d| d.title.as_str()),
                            d.map_or(c.body.as_str(), |d| d.body.as_str())))
                        button type="submit" { (tr(lang, T::Save)) }
                    }
                    form method="post" action=(format!("/agent/canned/{}/delete", c.id)) style="margin-top:0.5rem" {
                        input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                        button type="submit" { (tr(lang, T::Delete)) }
                    }
                } @else {
                    p style="white-space:pre-wrap" { (c.body) }
                }
            }
        }
        @if admin {
            section style="border-top:1px solid var(--border);padding:0.5rem 0" {
                h2 { (tr(lang, T::NewCanned)) }
                @let d = draft_for(None);
                form method="post" action="/agent/canned" {
                    input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                    (fields("new",
                        d.map_or("", |d| d.shortcut.as_str()),
                        d.map_or("", |d| d.title.as_str()),
                        d.map_or("", |d| d.body.as_str())))
                    button type="submit" { (tr(lang, T::Create)) }
                }
            }
        }
    };
    page(
        status,
        agent_layout(
            state,
            headers,
            tr(lang, T::Canned),
            "/agent/canned",
            Some(session),
            main,
        ),
    )
}

pub(crate) async fn canned_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    AgentPage(session): AgentPage,
    params: Result<Query<DoneParams>, QueryRejection>,
) -> Response {
    let Query(p) = params.unwrap_or_default();
    let view = CannedView {
        message: done_notice(lang_of(&state, &headers), p.done.as_deref()),
        draft: None,
    };
    render_canned(&state, &headers, &session, StatusCode::OK, view).await
}

/// The status and HTML notice of an error met by a form; internal errors stay errors.
pub(super) fn form_error(e: AppError) -> Result<(StatusCode, Markup), AppError> {
    let (status, m) = match e {
        AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
        AppError::Conflict(m) => (StatusCode::CONFLICT, m),
        AppError::NotFound(m) => (StatusCode::NOT_FOUND, m),
        AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m),
        other => return Err(other),
    };
    Ok((status, notice(&m, true)))
}

async fn canned_form_result(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    result: Result<&'static str, AppError>,
    draft: Option<(Option<i64>, &CannedInput)>,
) -> Response {
    match result {
        Ok(done) => Redirect::to(&format!("/agent/canned?done={done}")).into_response(),
        Err(e) => match form_error(e) {
            Ok((status, message)) => {
                let view = CannedView {
                    message: Some(message),
                    draft,
                };
                render_canned(state, headers, session, status, view).await
            }
            Err(e) => e.into_response(),
        },
    }
}

/// The canned-reply forms (they also carry `csrf`, which the JSON API would refuse as unknown).
#[derive(Deserialize)]
pub(crate) struct CannedForm {
    #[serde(default)]
    shortcut: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

impl CannedForm {
    fn input(self) -> CannedInput {
        CannedInput {
            shortcut: self.shortcut,
            title: self.title,
            body: self.body,
        }
    }
}

pub(crate) async fn canned_create_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    form: Result<Form<CannedForm>, FormRejection>,
) -> Response {
    let session = &page_session.0;
    if let Err(res) = page_session.require(&state, &headers, Role::Admin) {
        return *res;
    }
    let Ok(Form(form)) = form else {
        return bad_request_page(&state, &headers, "the form is incomplete");
    };
    let input = form.input();
    let result = create_canned_as(&state, &session.agent, &input)
        .await
        .map(|_| "created");
    canned_form_result(&state, &headers, session, result, Some((None, &input))).await
}

pub(crate) async fn canned_update_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<CannedForm>, FormRejection>,
) -> Response {
    let session = &page_session.0;
    if let Err(res) = page_session.require(&state, &headers, Role::Admin) {
        return *res;
    }
    let (Ok(Path(id)), Ok(Form(form))) = (id, form) else {
        return bad_request_page(&state, &headers, "the form is incomplete");
    };
    let input = form.input();
    let result = update_canned_as(&state, &session.agent, id, &input)
        .await
        .map(|_| "saved");
    canned_form_result(&state, &headers, session, result, Some((Some(id), &input))).await
}

pub(crate) async fn canned_delete_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    let session = &page_session.0;
    if let Err(res) = page_session.require(&state, &headers, Role::Admin) {
        return *res;
    }
    let Ok(Path(id)) = id else {
        return bad_request_page(&state, &headers, "no such canned reply");
    };
    let result = delete_canned_as(&state, &session.agent, id)
        .await
        .map(|_| "deleted");
    canned_form_result(&state, &headers, session, result, None).await
}

async fn render_team(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    status: StatusCode,
    message: Option<Markup>,
) -> Response {
    let lang = lang_of(state, headers);
    let agents = match state.store.list_agents().await {
        Ok(a) => a,
        Err(e) => return AppError::Internal(e).into_response(),
    };
    let default_cap = state.config.chat.max_chats;
    let role_select = |id: &str, current: Role| {
        html! {
            select #(id) style=(FIELD) name="role" {
                @for r in Role::ALL {
                    option value=(r.as_str()) selected[r == current] { (r.name(lang)) }
                }
            }
        }
    };
    let main = html! {
        h1 { (tr(lang, T::Team)) }
        @if let Some(m) = &message { (m) }
        @for a in &agents {
            section.agent id=(format!("agent-{}", a.id)) style="border-top:1px solid var(--border);padding:0.5rem 0" {
                h2 style="font-size:1.1rem" {
                    (a.name) " "
                    span.meta { "<" (a.email) "> · " (a.role.name(lang))
                        @if a.disabled { " · " (tr(lang, T::Disabled)) }
                        @if a.id == session.agent.id { " · " (tr(lang, T::You)) }
                    }
                }
                form method="post" action=(format!("/agent/team/{}", a.id)) {
                    input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                    label for=(format!("a{}-name", a.id)) { (tr(lang, T::Name)) }
                    input #(format!("a{}-name", a.id)) style=(FIELD) name="name" value=(a.name) required maxlength="80";
                    label for=(format!("a{}-role", a.id)) { (tr(lang, T::Role)) }
                    (role_select(&format!("a{}-role", a.id), a.role))
                    label for=(format!("a{}-max", a.id)) { (tr(lang, T::MaxChats)) " (" (tr(lang, T::MaxChatsHint)) ": " (default_cap) ")" }
                    input #(format!("a{}-max", a.id)) style=(FIELD) type="number" min="1" max="100" name="max_chats"
                        value=[a.max_chats.map(|m| m.to_string())];
                    label for=(format!("a{}-password", a.id)) { (tr(lang, T::NewPassword)) " (" (tr(lang, T::NewPasswordHint)) ")" }
                    input #(format!("a{}-password", a.id)) style=(FIELD) type="password" name="password"
                        autocomplete="new-password" minlength="8";
                    p {
                        label {
                            input type="checkbox" name="disabled" value="on" checked[a.disabled];
                            " " (tr(lang, T::Disabled))
                        }
                    }
                    button type="submit" { (tr(lang, T::Save)) }
                }
            }
        }
        section style="border-top:1px solid var(--border);padding:0.5rem 0" {
            h2 { (tr(lang, T::NewAgent)) }
            form method="post" action="/agent/team" {
                input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                label for="new-email" { (tr(lang, T::Email)) }
                input #new-email style=(FIELD) type="email" name="email" required autocomplete="off";
                label for="new-name" { (tr(lang, T::Name)) }
                input #new-name style=(FIELD) name="name" required maxlength="80" autocomplete="off";
                label for="new-role" { (tr(lang, T::Role)) }
                (role_select("new-role", Role::Agent))
                label for="new-max" { (tr(lang, T::MaxChats)) " (" (tr(lang, T::MaxChatsHint)) ": " (default_cap) ")" }
                input #new-max style=(FIELD) type="number" min="1" max="100" name="max_chats";
                label for="new-password" { (tr(lang, T::Password)) " (" (tr(lang, T::InitialPasswordHint)) ")" }
                input #new-password style=(FIELD) type="password" name="password" autocomplete="new-password" minlength="8";
                button type="submit" { (tr(lang, T::Create)) }
            }
        }
    };
    page(
        status,
        agent_layout(
            state,
            headers,
            tr(lang, T::Team),
            "/agent/team",
            Some(session),
            main,
        ),
    )
}

pub(crate) async fn team_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    params: Result<Query<DoneParams>, QueryRejection>,
) -> Response {
    if let Err(res) = page_session.require(&state, &headers, Role::Admin) {
        return *res;
    }
    let Query(p) = params.unwrap_or_default();
    let message = done_notice(lang_of(&state, &headers), p.done.as_deref());
    render_team(&state, &headers, &page_session.0, StatusCode::OK, message).await
}

/// The account forms: every field is text; empty means "not given".
#[derive(Deserialize)]
pub(crate) struct TeamForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    max_chats: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    disabled: Option<String>,
}

impl TeamForm {
    fn role(&self) -> Result<Role, AppError> {
        self.role.parse::<Role>().map_err(AppError::BadRequest)
    }

    fn max_chats(&self) -> Result<Option<i64>, AppError> {
        match self.max_chats.trim() {
            "" => Ok(None),
            s => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| AppError::BadRequest(format!("'{s}' is not a number"))),
        }
    }
}

async fn team_form_result(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    result: Result<Response, AppError>,
) -> Response {
    match result {
        Ok(res) => res,
        Err(e) => match form_error(e) {
            Ok((status, message)) => {
                render_team(state, headers, session, status, Some(message)).await
            }
            Err(e) => e.into_response(),
        },
    }
}

pub(crate) async fn team_create_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    form: Result<Form<TeamForm>, FormRejection>,
) -> Response {
    let session = &page_session.0;
    if let Err(res) = page_session.require(&state, &headers, Role::Admin) {
        return *res;
    }
    let Ok(Form(form)) = form else {
        return bad_request_page(&state, &headers, "the form is incomplete");
    };
    let result = async {
        let input = NewAgentInput {
            role: Some(form.role()?),
            max_chats: form.max_chats()?,
            email: form.email,
            name: form.name,
            password: Some(form.password),
        };
        let (_, generated) = create_agent_as(&state, &session.agent, input).await?;
        Ok(match generated {
            // Shown once, on this page: not in a URL, not stored.
            Some(p) => {
                let lang = lang_of(&state, &headers);
                let message = html! {
                    div role="status" style="border:2px solid var(--brand-color);padding:0.5rem 1rem;border-radius:6px" {
                        p { (tr(lang, T::CreatedWithPassword)) }
                        p { code.generated-password { (p) } }
                    }
                };
                render_team(&state, &headers, session, StatusCode::CREATED, Some(message)).await
            }
            None => Redirect::to("/agent/team?done=created").into_response(),
        })
    }
    .await;
    team_form_result(&state, &headers, session, result).await
}

pub(crate) async fn team_update_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<TeamForm>, FormRejection>,
) -> Response {
    let session = &page_session.0;
    if let Err(res) = page_session.require(&state, &headers, Role::Admin) {
        return *res;
    }
    let (Ok(Path(id)), Ok(Form(form))) = (id, form) else {
        return bad_request_page(&state, &headers, "the form is incomplete");
    };
    let result = async {
        let patch = AgentPatch {
            name: Some(form.name.clone()),
            role: Some(form.role()?),
            max_chats: Some(form.max_chats()?),
            disabled: Some(form.disabled.is_some()),
            password: Some(form.password.clone()),
        };
        update_agent_as(&state, &session.agent, id, patch).await?;
        Ok(Redirect::to("/agent/team?done=saved").into_response())
    }
    .await;
    team_form_result(&state, &headers, session, result).await
}

/// `next` as a query string for a login link (used by the console page's own sign-in link).
pub fn login_url(next: &str) -> String {
    format!("/agent/login?next={}", url_encode(next))
}
