//! Canned replies: the page listing them (admins also get forms to create, change and delete
//! them) and their JSON API, used by the console.
//!
//! Pages (HTML, `noindex`, `Cache-Control: no-store`):
//! - `GET /agent/canned` — the list; admins also get forms: `POST /agent/canned` (create),
//!   `POST /agent/canned/{id}` (change), `POST /agent/canned/{id}/delete`.
//!
//! JSON API (errors are `{code, message}`; state-changing requests need `X-CSRF-Token`):
//! - `GET /agent/api/canned` → `{"items": [CannedReply]}`;
//!   `GET /agent/api/canned/{id}/fill?customer_name=&lang=` → `{"id", "shortcut", "text"}`.
//! - admins: `POST /agent/api/canned` `{shortcut, title, body}` → 201 CannedReply (409 when the
//!   shortcut is taken); `PUT /agent/api/canned/{id}` (same body) → CannedReply;
//!   `DELETE /agent/api/canned/{id}` → 204.

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::json::{Items, bad, json_body, path_id};
use super::layout::{
    DoneParams, FIELD, FormTexts, agent_layout, bad_request_page, done_notice, form_error, lang_of,
    page,
};
use super::session::{AgentPage, AgentSession, CSRF_FIELD, CurrentAgent};
use super::text::T;
use crate::domain::Lang;
use crate::domain::agent::{Agent, Role};
use crate::domain::canned::{CannedInput, CannedReply, fill_placeholders};
use crate::domain::now_ms;
use crate::error::AppError;
use crate::store::agents::Saved;
use crate::web::state::AppState;

// ---------------------------------------------------------------------------------------------
// Shared logic of the API and the forms
// ---------------------------------------------------------------------------------------------

async fn create_canned_as(
    state: &AppState,
    agent: &Agent,
    input: &CannedInput,
) -> Result<CannedReply, AppError> {
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
    id: i64,
    input: &CannedInput,
) -> Result<CannedReply, AppError> {
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

async fn delete_canned_as(state: &AppState, id: i64) -> Result<(), AppError> {
    if state.store.delete_canned(id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("no canned reply {id}")))
    }
}

// ---------------------------------------------------------------------------------------------
// JSON API
// ---------------------------------------------------------------------------------------------

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
    let input = json_body(body)?;
    let c = create_canned_as(&state, &agent, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

pub(crate) async fn update_canned(
    State(state): State<AppState>,
    CurrentAgent(_agent): CurrentAgent,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<CannedInput>, JsonRejection>,
) -> Result<Json<CannedReply>, AppError> {
    let id = path_id(id)?;
    let input = json_body(body)?;
    Ok(Json(update_canned_as(&state, id, &input).await?))
}

pub(crate) async fn delete_canned(
    State(state): State<AppState>,
    CurrentAgent(_agent): CurrentAgent,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, AppError> {
    delete_canned_as(&state, path_id(id)?).await?;
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

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

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
            label for=(format!("{prefix}-shortcut")) { (T::Shortcut.in_lang(lang)) }
            input #(format!("{prefix}-shortcut")) style=(FIELD) name="shortcut" value=(shortcut)
                required maxlength="32" pattern="/?[A-Za-z0-9][A-Za-z0-9_\\-]*" autocomplete="off";
            label for=(format!("{prefix}-title")) { (T::Title.in_lang(lang)) }
            input #(format!("{prefix}-title")) style=(FIELD) name="title" value=(title) required maxlength="120";
            label for=(format!("{prefix}-body")) { (T::Text.in_lang(lang)) }
            textarea #(format!("{prefix}-body")) style=(FIELD) name="body" rows="4" required maxlength="4000" { (body) }
        }
    };
    let main = html! {
        h1 { (T::Canned.in_lang(lang)) }
        @if let Some(m) = &view.message { (m) }
        p.meta { (T::PlaceholdersHint.in_lang(lang)) }
        @if items.is_empty() { p { (T::NoCanned.in_lang(lang)) } }
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
                        button type="submit" { (T::Save.in_lang(lang)) }
                    }
                    form method="post" action=(format!("/agent/canned/{}/delete", c.id)) style="margin-top:0.5rem" {
                        input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                        button type="submit" { (T::Delete.in_lang(lang)) }
                    }
                } @else {
                    p style="white-space:pre-wrap" { (c.body) }
                }
            }
        }
        @if admin {
            section style="border-top:1px solid var(--border);padding:0.5rem 0" {
                h2 { (T::NewCanned.in_lang(lang)) }
                @let d = draft_for(None);
                form method="post" action="/agent/canned" {
                    input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                    (fields("new",
                        d.map_or("", |d| d.shortcut.as_str()),
                        d.map_or("", |d| d.title.as_str()),
                        d.map_or("", |d| d.body.as_str())))
                    button type="submit" { (T::Create.in_lang(lang)) }
                }
            }
        }
    };
    page(
        status,
        agent_layout(
            state,
            headers,
            T::Canned.in_lang(lang),
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

async fn canned_form_result(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    result: Result<&'static str, AppError>,
    draft: Option<(Option<i64>, &CannedInput)>,
) -> Response {
    match result {
        Ok(done) => Redirect::to(&format!("/agent/canned?done={done}")).into_response(),
        Err(e) => match form_error(lang_of(state, headers), CANNED_FORM, e) {
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

/// What the canned-reply forms' errors say.
const CANNED_FORM: FormTexts = FormTexts {
    invalid: T::CannedInvalid,
    conflict: T::ShortcutTaken,
};

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
    let (Ok(Path(id)), Ok(Form(form))) = (id, form) else {
        return bad_request_page(&state, &headers, "the form is incomplete");
    };
    let input = form.input();
    let result = update_canned_as(&state, id, &input).await.map(|_| "saved");
    canned_form_result(&state, &headers, session, result, Some((Some(id), &input))).await
}

pub(crate) async fn canned_delete_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    let session = &page_session.0;
    let Ok(Path(id)) = id else {
        return bad_request_page(&state, &headers, "no such canned reply");
    };
    let result = delete_canned_as(&state, id).await.map(|_| "deleted");
    canned_form_result(&state, &headers, session, result, None).await
}
