//! Settings admins change while the server runs: the business hours of the live chat.
//!
//! The server starts with `--hours`/`--timezone`; an admin may replace them on
//! `GET /agent/settings` (a plain form posting to `POST /agent/settings`, CSRF-checked like every
//! agent form). The override is kept in the `settings` table under [`HOURS_KEY`] as
//! `spec|timezone` (`mon-fri 09:00-18:00|Europe/Moscow`), loaded at start-up over the command
//! line, and swapped into [`AppState::hours`] at once, so the next customer who asks for a person
//! is answered with the new hours. "Go back to the server's hours" deletes the override.
//!
//! A server only learns of an override it did not save itself when it starts: several servers
//! sharing one database each apply a change on their next restart.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::routes::{
    DoneParams, FIELD, agent_layout, bad_request_page, done_notice, form_error, lang_of, page,
};
use super::session::{AgentPage, AgentSession, CSRF_FIELD};
use super::text::{T, tr};
use super::{Agent, Role};
use crate::config::ChatConfig;
use crate::domain::hours::{BusinessHours, WeeklyHours, parse_timezone};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Store;

/// The `settings` key of the business-hours override.
pub const HOURS_KEY: &str = "business_hours";

/// Longest schedule accepted from the form, in bytes.
const MAX_SPEC_BYTES: usize = 500;

/// Time zones offered in the form (any IANA name is accepted).
const ZONES: [&str; 12] = [
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Vladivostok",
    "Europe/Berlin",
    "Europe/London",
    "UTC",
];

/// Checks a schedule and a time zone as typed by an admin.
pub fn parse_hours(spec: &str, timezone: &str) -> Result<BusinessHours, String> {
    let spec = spec.trim();
    if spec.len() > MAX_SPEC_BYTES {
        return Err(format!(
            "the business hours are longer than {MAX_SPEC_BYTES} characters"
        ));
    }
    if spec.contains('|') {
        return Err("the business hours may not contain '|'".into());
    }
    let weekly = WeeklyHours::parse(spec)?;
    let tz = parse_timezone(timezone.trim())?;
    Ok(BusinessHours::new(weekly, tz))
}

/// The stored form of an override: `spec|timezone`.
pub fn encode(spec: &str, timezone: &str) -> String {
    format!("{}|{}", spec.trim(), timezone.trim())
}

/// Reads a stored override back: the hours, the spec and the time zone as the admin wrote them.
pub fn decode(value: &str) -> Result<(BusinessHours, String, String), String> {
    let (spec, tz) = value
        .rsplit_once('|')
        .ok_or_else(|| format!("'{value}' is not `hours|timezone`"))?;
    Ok((parse_hours(spec, tz)?, spec.to_string(), tz.to_string()))
}

/// The hours to start with: the stored override when there is a valid one, else the command
/// line's. An override that no longer parses (a time zone gone from the database) is logged and
/// ignored.
pub async fn startup_hours(store: &Store, chat: &ChatConfig) -> BusinessHours {
    match store.setting(HOURS_KEY).await {
        Ok(Some(value)) => match decode(&value) {
            Ok((hours, spec, tz)) => {
                tracing::info!(hours = %spec, timezone = %tz, "business hours set by an admin");
                hours
            }
            Err(e) => {
                tracing::warn!(error = %e, "ignoring the stored business hours; using --hours");
                chat.hours.clone()
            }
        },
        Ok(None) => chat.hours.clone(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the stored business hours; using --hours");
            chat.hours.clone()
        }
    }
}

/// A schedule written back as rules `parse` accepts: consecutive days with the same hours
/// share a rule (`mon-fri 09:00-18:00; sat 10:00-14:00; sun closed`); overnight hours show as
/// the part of each day (`fri 22:00-24:00; sat 00:00-02:00`).
pub fn format_weekly(w: &WeeklyHours) -> String {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    if w.is_always() {
        return "24/7".into();
    }
    if w.is_empty() {
        return "closed".into();
    }
    let time = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    let mut rules = Vec::new();
    let mut start = 0;
    while start < 7 {
        let mut end = start;
        while end + 1 < 7 && w.day(end + 1) == w.day(start) {
            end += 1;
        }
        let days = if start == end {
            DAYS[start].to_string()
        } else {
            format!("{}-{}", DAYS[start], DAYS[end])
        };
        let hours = if w.day(start).is_empty() {
            "closed".to_string()
        } else {
            w.day(start)
                .iter()
                .map(|&(s, e)| format!("{}-{}", time(s), time(e)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        rules.push(format!("{days} {hours}"));
        start = end + 1;
    }
    rules.join("; ")
}

/// The IANA name of the hours' time zone (`UTC` for a zone without one).
pub fn zone_name(hours: &BusinessHours) -> String {
    hours.timezone().iana_name().unwrap_or("UTC").to_string()
}

/// Replaces the business hours (admins only): stored, then in force at once.
pub async fn set_hours(
    state: &AppState,
    admin: &Agent,
    spec: &str,
    timezone: &str,
) -> Result<(), AppError> {
    admin.require(Role::Admin)?;
    let hours = parse_hours(spec, timezone).map_err(AppError::BadRequest)?;
    state
        .store
        .put_setting(HOURS_KEY, &encode(spec, timezone))
        .await?;
    state.chat.hours.store(std::sync::Arc::new(hours));
    state
        .chat
        .hub
        .tell_others(crate::chat::bus::hours_notice(state.chat.hub.node()));
    tracing::info!(by = admin.id, hours = %spec.trim(), timezone = %timezone.trim(), "business hours changed");
    Ok(())
}

/// Goes back to `--hours`/`--timezone` (admins only).
pub async fn reset_hours(state: &AppState, admin: &Agent) -> Result<(), AppError> {
    admin.require(Role::Admin)?;
    state.store.delete_setting(HOURS_KEY).await?;
    state
        .chat
        .hours
        .store(std::sync::Arc::new(state.config.chat.hours.clone()));
    state
        .chat
        .hub
        .tell_others(crate::chat::bus::hours_notice(state.chat.hub.node()));
    tracing::info!(by = admin.id, "business hours back to the server's");
    Ok(())
}

/// What the form shows besides the current state: a message and what was typed.
#[derive(Default)]
struct View<'a> {
    message: Option<Markup>,
    typed: Option<(&'a str, &'a str)>,
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    status: StatusCode,
    view: View<'_>,
) -> Response {
    let lang = lang_of(state, headers);
    let stored = match state.store.setting(HOURS_KEY).await {
        Ok(v) => v.and_then(|v| decode(&v).ok()),
        Err(e) => return AppError::Internal(e).into_response(),
    };
    let hours = state.chat.hours.load_full();
    let (spec, zone) = match &stored {
        Some((_, spec, tz)) => (spec.clone(), tz.clone()),
        None => (format_weekly(hours.weekly()), zone_name(&hours)),
    };
    let (spec, zone) = match view.typed {
        Some((s, z)) => (s.to_string(), z.to_string()),
        None => (spec, zone),
    };
    let now = crate::domain::now_ms();
    let opens = (!hours.is_open(now))
        .then(|| hours.next_open(now))
        .flatten()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| {
            t.to_zoned_datetime(hours.timezone().clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        });
    let main = html! {
        h1 { (tr(lang, T::Settings)) }
        @if let Some(m) = &view.message { (m) }
        section #business-hours {
            h2 { (tr(lang, T::BusinessHours)) }
            p.hours-state {
                @if hours.is_open(now) {
                    (tr(lang, T::OpenNow))
                } @else {
                    (tr(lang, T::ClosedNow))
                    @if let Some(o) = &opens { " " (tr(lang, T::ClosedUntil)) " " (o) " (" (zone_name(&hours)) ")." }
                }
            }
            p.meta {
                @if stored.is_some() { (tr(lang, T::HoursFromAdmin)) } @else { (tr(lang, T::HoursFromServer)) }
            }
            form method="post" action="/agent/settings" {
                input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                label for="hours" { (tr(lang, T::BusinessHours)) " (" (tr(lang, T::HoursHint)) ")" }
                input #hours style=(FIELD) name="hours" value=(spec) required maxlength="500";
                label for="timezone" { (tr(lang, T::TimeZone)) " (" (tr(lang, T::TimeZoneHint)) ")" }
                input #timezone style=(FIELD) name="timezone" value=(zone) required list="zones" autocomplete="off";
                datalist #zones {
                    @for z in ZONES { option value=(z) {} }
                }
                button type="submit" { (tr(lang, T::Save)) }
            }
            @if stored.is_some() {
                form method="post" action="/agent/settings" style="margin-top:0.5rem" {
                    input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                    input type="hidden" name="reset" value="1";
                    button type="submit" { (tr(lang, T::ResetHours)) }
                }
            }
        }
    };
    page(
        status,
        agent_layout(
            state,
            headers,
            tr(lang, T::Settings),
            "/agent/settings",
            Some(session),
            main,
        ),
    )
}

/// `GET /agent/settings` (admins): the business hours in force and the form to change them.
pub(super) async fn settings_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    params: Result<Query<DoneParams>, QueryRejection>,
) -> Response {
    if let Err(res) = page_session.require(&state, &headers, Role::Admin) {
        return *res;
    }
    let Query(p) = params.unwrap_or_default();
    let view = View {
        message: done_notice(lang_of(&state, &headers), p.done.as_deref()),
        typed: None,
    };
    render(&state, &headers, &page_session.0, StatusCode::OK, view).await
}

/// The settings form: `hours` and `timezone`, or `reset` to go back to the server's hours.
#[derive(Deserialize)]
pub(super) struct SettingsForm {
    #[serde(default)]
    hours: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    reset: Option<String>,
}

/// `POST /agent/settings` (admins): saves the hours (303 back to the page) or shows the form
/// again with what is wrong (400).
pub(super) async fn settings_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    form: Result<Form<SettingsForm>, FormRejection>,
) -> Response {
    let session = &page_session.0;
    if let Err(res) = page_session.require(&state, &headers, Role::Admin) {
        return *res;
    }
    let Ok(Form(form)) = form else {
        return bad_request_page(&state, &headers, "the form is incomplete");
    };
    let result = if form.reset.is_some() {
        reset_hours(&state, &session.agent).await
    } else {
        set_hours(&state, &session.agent, &form.hours, &form.timezone).await
    };
    match result {
        Ok(()) => Redirect::to("/agent/settings?done=saved").into_response(),
        Err(e) => match form_error(e) {
            Ok((status, message)) => {
                let view = View {
                    message: Some(message),
                    typed: Some((&form.hours, &form.timezone)),
                };
                render(&state, &headers, session, status, view).await
            }
            Err(e) => e.into_response(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_written_back_as_they_parse() {
        for spec in [
            "24/7",
            "closed",
            "mon-fri 09:00-18:00; sat 10:00-14:00",
            "пн-пт 9-13 14-18; вс закрыто",
            "fri 22:00-02:00",
            "mon,wed,fri 10:00-19:00",
            "daily 00:00-24:00; sun closed",
        ] {
            let w = WeeklyHours::parse(spec).unwrap();
            let written = format_weekly(&w);
            assert_eq!(
                WeeklyHours::parse(&written).unwrap(),
                w,
                "{spec} → {written}"
            );
        }
        assert_eq!(
            format_weekly(&WeeklyHours::parse("mon-fri 09:00-18:00").unwrap()),
            "mon-fri 09:00-18:00; sat-sun closed"
        );
    }

    #[test]
    fn overrides_are_stored_and_read_back() {
        let v = encode(" mon-fri 09:00-18:00 ", "Europe/Moscow");
        assert_eq!(v, "mon-fri 09:00-18:00|Europe/Moscow");
        let (hours, spec, tz) = decode(&v).unwrap();
        assert_eq!(spec, "mon-fri 09:00-18:00");
        assert_eq!(tz, "Europe/Moscow");
        assert_eq!(zone_name(&hours), "Europe/Moscow");
        assert!(decode("mon-fri 09:00-18:00").is_err());
        assert!(parse_hours("mon-fri 09:00-18:00", "Mars/Olympus").is_err());
        assert!(parse_hours("someday 9-18", "UTC").is_err());
        assert!(parse_hours("mon 9-18 | x", "UTC").is_err());
    }
}
