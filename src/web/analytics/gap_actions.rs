//! Editors' decisions on the gap report, remembered in the store (`gap_dismissals`):
//!
//! - `POST /agent/gaps/{cluster}/dismiss` (form: `csrf`, `since`, `action` = `dismiss` or
//!   `snooze`) — the cluster leaves the report for good, or for
//!   [`SNOOZE_DAYS`](gaps::SNOOZE_DAYS) days; back to the page (303).
//! - `POST /agent/gaps/dismissed/{id}/undo` (form: `csrf`, `since`) — brings it back.
//! - `POST /agent/api/gaps/{cluster}/dismiss` (`{"since":"30d","snooze":false}`) → `{"id",
//!   "until"}`; `DELETE /agent/api/gaps/dismissed/{id}` → 204.
//!
//! The cluster is looked up in the report of `since` (ids belong to a period's data); what is
//! stored is its id and its texts, so that it stays hidden when new texts join it.

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use maud::{Markup, html};
use serde::Deserialize;

use crate::analytics::gaps::{self, Cluster, Dismissal};
use crate::domain::Lang;
use crate::domain::now_ms;
use crate::error::AppError;
use crate::web::agents::session::{AgentPage, CSRF_FIELD, CurrentAgent};
use crate::web::pages::url_encode;
use crate::web::state::AppState;

/// The period of a form or request, checked: `30d` when none.
fn period(since: Option<&str>) -> Result<(i64, String), AppError> {
    let text = since
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(gaps::DEFAULT_PERIOD);
    let ms = gaps::parse_period(text).map_err(AppError::BadRequest)?;
    Ok((ms, gaps::format_period(ms)))
}

async fn dismiss_as(
    state: &AppState,
    agent: i64,
    cluster: &str,
    since: Option<&str>,
    snooze: bool,
) -> Result<(i64, Option<i64>), AppError> {
    let (ms, text) = period(since)?;
    let now = now_ms();
    let report = gaps::build_report(&state.store, &state.search, ms, now).await?;
    let c = report.cluster(cluster).ok_or_else(|| {
        AppError::NotFound(format!(
            "no cluster '{cluster}' in the gap report of the last {text}"
        ))
    })?;
    let id = gaps::dismiss(&state.store, c, snooze, Some(agent), now).await?;
    Ok((id, snooze.then_some(now + gaps::SNOOZE_DAYS * gaps::DAY_MS)))
}

/// The dismiss and snooze buttons' form.
#[derive(Deserialize)]
pub(crate) struct DismissForm {
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    action: String,
}

pub(crate) async fn dismiss_form(
    State(state): State<AppState>,
    session: AgentPage,
    cluster: Result<Path<String>, PathRejection>,
    form: Result<Form<DismissForm>, FormRejection>,
) -> Response {
    let (Ok(Path(cluster)), Ok(Form(form))) = (cluster, form) else {
        return AppError::BadRequest("the form is incomplete".into()).into_response();
    };
    let snooze = match form.action.as_str() {
        "dismiss" => false,
        "snooze" => true,
        _ => {
            return AppError::BadRequest("action must be dismiss or snooze".into()).into_response();
        }
    };
    let agent = session.0.agent.id;
    match dismiss_as(&state, agent, &cluster, form.since.as_deref(), snooze).await {
        Ok(_) => back(form.since.as_deref()),
        Err(e) => e.into_response(),
    }
}

/// The "bring back" button's form.
#[derive(Deserialize)]
pub(crate) struct UndoForm {
    #[serde(default)]
    since: Option<String>,
}

pub(crate) async fn undo_form(
    State(state): State<AppState>,
    _session: AgentPage,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<UndoForm>, FormRejection>,
) -> Response {
    let (Ok(Path(id)), Ok(Form(form))) = (id, form) else {
        return AppError::BadRequest("the form is incomplete".into()).into_response();
    };
    match state.store.undo_gap_dismissal(id).await {
        Ok(true) => back(form.since.as_deref()),
        Ok(false) => AppError::NotFound(format!("no dismissal {id}")).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// Back to the report of the same period.
fn back(since: Option<&str>) -> Response {
    let since = period(since).map_or_else(|_| gaps::DEFAULT_PERIOD.to_string(), |p| p.1);
    Redirect::to(&format!("/agent/gaps?since={}", url_encode(&since))).into_response()
}

/// `POST /agent/api/gaps/{cluster}/dismiss`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DismissRequest {
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    snooze: bool,
}

pub(crate) async fn dismiss_api(
    State(state): State<AppState>,
    agent: CurrentAgent,
    Path(cluster): Path<String>,
    body: Result<Json<DismissRequest>, JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let Json(req) = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let (id, until) = dismiss_as(
        &state,
        agent.0.id,
        &cluster,
        req.since.as_deref(),
        req.snooze,
    )
    .await?;
    Ok(Json(serde_json::json!({ "id": id, "until": until })))
}

pub(crate) async fn undo_api(
    State(state): State<AppState>,
    _agent: CurrentAgent,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    if state.store.undo_gap_dismissal(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound(format!("no dismissal {id}")))
    }
}

/// The dismiss and snooze buttons of a cluster on the page.
pub(crate) fn buttons(lang: Lang, c: &Cluster, period: &str, csrf: &str) -> Markup {
    html! {
        form.gap-dismiss method="post" action=(format!("/agent/gaps/{}/dismiss", c.id))
            style="display:inline;margin:0 0 0 0.5rem" {
            input type="hidden" name=(CSRF_FIELD) value=(csrf);
            input type="hidden" name="since" value=(period);
            button type="submit" name="action" value="snooze" { (A::Snooze.in_lang(lang)) }
            " "
            button type="submit" name="action" value="dismiss" { (A::Dismiss.in_lang(lang)) }
        }
    }
}

/// The list of dismissed and snoozed clusters, each with "bring back".
pub(crate) fn dismissed_list(lang: Lang, list: &[Dismissal], period: &str, csrf: &str) -> Markup {
    html! {
        @if !list.is_empty() {
            section #dismissed aria-labelledby="dismissed-h" {
                h2 #dismissed-h { (A::Dismissed.in_lang(lang)) }
                ul {
                    @for d in list {
                        li.dismissed-gap data-dismissal=(d.id) {
                            strong { (d.title) } " — "
                            @match d.until {
                                Some(u) => { (A::SnoozedUntil.in_lang(lang)) " " (gaps::date_of(u)) }
                                None => { (A::ForGood.in_lang(lang)) }
                            }
                            " (" (d.hides) ") "
                            form method="post" action=(format!("/agent/gaps/dismissed/{}/undo", d.id))
                                style="display:inline" {
                                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                                input type="hidden" name="since" value=(period);
                                button type="submit" { (A::Undo.in_lang(lang)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

crate::web::i18n::texts! {
    /// A text of the dismiss and snooze controls.
    enum A {
        Snooze => ["Отложить на 30 дней", "Snooze for 30 days", "30 Tage zurückstellen"],
        Dismiss => ["Скрыть", "Dismiss", "Ausblenden"],
        Dismissed => ["Скрытые и отложенные", "Dismissed and snoozed", "Ausgeblendet und zurückgestellt"],
        SnoozedUntil => ["отложено до", "snoozed until", "zurückgestellt bis"],
        ForGood => ["скрыто", "dismissed", "ausgeblendet"],
        Undo => ["Вернуть", "Bring back", "Zurückholen"],
    }
}
