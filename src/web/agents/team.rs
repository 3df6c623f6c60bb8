//! The team: agent accounts, which admins create and change (role, chat cap, password,
//! disabled), as a page with forms and as a JSON API.
//!
//! Pages (HTML, `noindex`, `Cache-Control: no-store`):
//! - `GET /agent/team` (admins) — accounts with forms: `POST /agent/team` (create),
//!   `POST /agent/team/{id}` (change).
//!
//! JSON API (errors are `{code, message}`; state-changing requests need `X-CSRF-Token`):
//! - admins: `GET /agent/api/agents` → `{"items": [Agent]}`; `POST /agent/api/agents`
//!   `{email, name, role?, max_chats?, password?}` → 201 `{"agent": Agent, "password": "…"|null}`
//!   (a generated password is returned once); `PUT /agent/api/agents/{id}`
//!   `{name?, role?, max_chats?: n|null, disabled?, password?}` → Agent. The last enabled admin
//!   cannot be demoted or disabled (409).

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use maud::{Markup, html};
use serde::{Deserialize, Deserializer, Serialize};

use super::json::{Items, bad, json_body, path_id};
use super::layout::{
    DoneParams, FIELD, FormTexts, agent_layout, bad_request_page, done_notice, form_error, lang_of,
    page,
};
use super::session::{AgentPage, AgentSession, CSRF_FIELD, CurrentAgent};
use super::text::T;
use crate::agents::password::{generate_password, hash_password_async, validate_new_password};
use crate::domain::agent::{
    Agent, AgentUpdate, NewAgent, Role, normalize_email, validate_email, validate_max_chats,
    validate_name,
};
use crate::domain::now_ms;
use crate::error::AppError;
use crate::web::state::AppState;

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

async fn create_agent_as(
    state: &AppState,
    admin: &Agent,
    input: NewAgentInput,
) -> Result<(Agent, Option<String>), AppError> {
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

// ---------------------------------------------------------------------------------------------
// JSON API
// ---------------------------------------------------------------------------------------------

pub(crate) async fn list_agents(
    State(state): State<AppState>,
    CurrentAgent(_agent): CurrentAgent,
) -> Result<Json<Items<Agent>>, AppError> {
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
    let id = path_id(id)?;
    let patch = json_body(body)?;
    Ok(Json(update_agent_as(&state, &admin, id, patch).await?))
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

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
        h1 { (T::Team.in_lang(lang)) }
        @if let Some(m) = &message { (m) }
        @for a in &agents {
            section.agent id=(format!("agent-{}", a.id)) style="border-top:1px solid var(--border);padding:0.5rem 0" {
                h2 style="font-size:1.1rem" {
                    (a.name) " "
                    span.meta { "<" (a.email) "> · " (a.role.name(lang))
                        @if a.disabled { " · " (T::Disabled.in_lang(lang)) }
                        @if a.id == session.agent.id { " · " (T::You.in_lang(lang)) }
                    }
                }
                form method="post" action=(format!("/agent/team/{}", a.id)) {
                    input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                    label for=(format!("a{}-name", a.id)) { (T::Name.in_lang(lang)) }
                    input #(format!("a{}-name", a.id)) style=(FIELD) name="name" value=(a.name) required maxlength="80";
                    label for=(format!("a{}-role", a.id)) { (T::Role.in_lang(lang)) }
                    (role_select(&format!("a{}-role", a.id), a.role))
                    label for=(format!("a{}-max", a.id)) { (T::MaxChats.in_lang(lang)) " (" (T::MaxChatsHint.in_lang(lang)) ": " (default_cap) ")" }
                    input #(format!("a{}-max", a.id)) style=(FIELD) type="number" min="1" max="100" name="max_chats"
                        value=[a.max_chats.map(|m| m.to_string())];
                    label for=(format!("a{}-password", a.id)) { (T::NewPassword.in_lang(lang)) " (" (T::NewPasswordHint.in_lang(lang)) ")" }
                    input #(format!("a{}-password", a.id)) style=(FIELD) type="password" name="password"
                        autocomplete="new-password" minlength="8";
                    p {
                        label {
                            input type="checkbox" name="disabled" value="on" checked[a.disabled];
                            " " (T::Disabled.in_lang(lang))
                        }
                    }
                    button type="submit" { (T::Save.in_lang(lang)) }
                }
            }
        }
        section style="border-top:1px solid var(--border);padding:0.5rem 0" {
            h2 { (T::NewAgent.in_lang(lang)) }
            form method="post" action="/agent/team" {
                input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                label for="new-email" { (T::Email.in_lang(lang)) }
                input #new-email style=(FIELD) type="email" name="email" required autocomplete="off";
                label for="new-name" { (T::Name.in_lang(lang)) }
                input #new-name style=(FIELD) name="name" required maxlength="80" autocomplete="off";
                label for="new-role" { (T::Role.in_lang(lang)) }
                (role_select("new-role", Role::Agent))
                label for="new-max" { (T::MaxChats.in_lang(lang)) " (" (T::MaxChatsHint.in_lang(lang)) ": " (default_cap) ")" }
                input #new-max style=(FIELD) type="number" min="1" max="100" name="max_chats";
                label for="new-password" { (T::Password.in_lang(lang)) " (" (T::InitialPasswordHint.in_lang(lang)) ")" }
                input #new-password style=(FIELD) type="password" name="password" autocomplete="new-password" minlength="8";
                button type="submit" { (T::Create.in_lang(lang)) }
            }
        }
    };
    page(
        status,
        agent_layout(
            state,
            headers,
            T::Team.in_lang(lang),
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
    texts: FormTexts,
    result: Result<Response, AppError>,
) -> Response {
    match result {
        Ok(res) => res,
        Err(e) => match form_error(lang_of(state, headers), texts, e) {
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
                        p { (T::CreatedWithPassword.in_lang(lang)) }
                        p { code.generated-password { (p) } }
                    }
                };
                render_team(&state, &headers, session, StatusCode::CREATED, Some(message)).await
            }
            None => Redirect::to("/agent/team?done=created").into_response(),
        })
    }
    .await;
    let texts = FormTexts {
        invalid: T::AgentInvalid,
        conflict: T::EmailTaken,
    };
    team_form_result(&state, &headers, session, texts, result).await
}

pub(crate) async fn team_update_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<TeamForm>, FormRejection>,
) -> Response {
    let session = &page_session.0;
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
    let texts = FormTexts {
        invalid: T::AgentInvalid,
        conflict: T::LastAdmin,
    };
    team_form_result(&state, &headers, session, texts, result).await
}
