//! Settings admins change while the server runs: the business hours of the live chat, and the
//! widget's look (`widget_look.rs`).
//!
//! The server starts with `--hours`/`--timezone`; an admin may replace them on
//! `GET /agent/settings` (a plain form posting to `POST /agent/settings`, CSRF-checked like every
//! agent form). The override is kept in the `settings` table under `chat::hours::HOURS_KEY` as
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

use super::layout::{
    DoneParams, FIELD, FormTexts, agent_layout, bad_request_page, done_notice, form_error, lang_of,
    page,
};
use super::session::{AgentPage, AgentSession, CSRF_FIELD};
use super::text::T;
use crate::chat::hours::{HOURS_KEY, decode, format_weekly, reset_hours, set_hours, zone_name};
use crate::domain::Lang;
use crate::error::AppError;
use crate::web::state::AppState;

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

/// The server's hours as `format_weekly` writes them (`mon-fri 09:00-18:00; sat closed`) with
/// the day names and `closed` in `lang` (the parser reads all three languages back).
fn spec_in(lang: Lang, spec: &str) -> String {
    const EN: [&str; 8] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "closed"];
    let words = lang.pick([
        ["пн", "вт", "ср", "чт", "пт", "сб", "вс", "закрыто"],
        EN,
        ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So", "geschlossen"],
    ]);
    // A lone `closed` is not read in the other languages: closed every day is.
    let spec = match (lang, spec) {
        (Lang::Ru | Lang::De, "closed") => "mon-sun closed",
        _ => spec,
    };
    let mut out = String::with_capacity(spec.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match EN.iter().position(|w| *w == word.as_str()) {
            Some(i) => out.push_str(words[i]),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in spec.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
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
        None => (
            spec_in(lang, &format_weekly(hours.weekly())),
            zone_name(&hours),
        ),
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
    let look = match super::widget_look::stored_look(state).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let base = {
        let snap = state.search.snapshot();
        crate::web::pages::Site::of(state, headers, &snap.catalog).base
    };
    let main = html! {
        h1 { (T::Settings.in_lang(lang)) }
        @if let Some(m) = &view.message { (m) }
        section #business-hours {
            h2 { (T::BusinessHours.in_lang(lang)) }
            p.hours-state {
                @if hours.is_open(now) {
                    (T::OpenNow.in_lang(lang))
                } @else {
                    (T::ClosedNow.in_lang(lang))
                    @if let Some(o) = &opens { " " (T::ClosedUntil.in_lang(lang)) " " (o) " (" (zone_name(&hours)) ")." }
                }
            }
            p.meta {
                @if stored.is_some() { (T::HoursFromAdmin.in_lang(lang)) } @else { (T::HoursFromServer.in_lang(lang)) }
            }
            form method="post" action="/agent/settings" {
                input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                label for="hours" { (T::BusinessHours.in_lang(lang)) " (" (T::HoursHint.in_lang(lang)) ")" }
                input #hours style=(FIELD) name="hours" value=(spec) required maxlength="500";
                label for="timezone" { (T::TimeZone.in_lang(lang)) " (" (T::TimeZoneHint.in_lang(lang)) ")" }
                input #timezone style=(FIELD) name="timezone" value=(zone) required list="zones" autocomplete="off";
                datalist #zones {
                    @for z in ZONES { option value=(z) {} }
                }
                button type="submit" { (T::Save.in_lang(lang)) }
            }
            @if stored.is_some() {
                form method="post" action="/agent/settings" style="margin-top:0.5rem" {
                    input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                    input type="hidden" name="reset" value="1";
                    button type="submit" { (T::ResetHours.in_lang(lang)) }
                }
            }
        }
        (super::widget_look::section(lang, state.config.default_lang, &base, session, &look))
    };
    page(
        status,
        agent_layout(
            state,
            headers,
            T::Settings.in_lang(lang),
            "/agent/settings",
            Some(session),
            main,
        ),
    )
}

/// `GET /agent/settings` (admins): the business hours in force and the form to change them.
pub(crate) async fn settings_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    params: Result<Query<DoneParams>, QueryRejection>,
) -> Response {
    let Query(p) = params.unwrap_or_default();
    let view = View {
        message: done_notice(lang_of(&state, &headers), p.done.as_deref()),
        typed: None,
    };
    render(&state, &headers, &page_session.0, StatusCode::OK, view).await
}

/// What the hours form's errors say.
const HOURS_FORM: FormTexts = FormTexts {
    invalid: T::HoursInvalid,
    conflict: T::HoursInvalid,
};

/// The settings form: `hours` and `timezone`, or `reset` to go back to the server's hours.
#[derive(Deserialize)]
pub(crate) struct SettingsForm {
    #[serde(default)]
    hours: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    reset: Option<String>,
}

/// `POST /agent/settings` (admins): saves the hours (303 back to the page) or shows the form
/// again with what is wrong (400).
pub(crate) async fn settings_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    form: Result<Form<SettingsForm>, FormRejection>,
) -> Response {
    let session = &page_session.0;
    let Ok(Form(form)) = form else {
        return bad_request_page(&state, &headers, "the form is incomplete");
    };
    let result = if form.reset.is_some() {
        reset_hours(&state.chat, &session.agent).await
    } else {
        set_hours(&state.chat, &session.agent, &form.hours, &form.timezone).await
    };
    match result {
        Ok(()) => Redirect::to("/agent/settings?done=saved").into_response(),
        Err(e) => match form_error(lang_of(&state, &headers), HOURS_FORM, e) {
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
    use crate::domain::hours::WeeklyHours;

    #[test]
    fn the_servers_hours_are_written_in_the_pages_language_and_read_back() {
        let spec = "mon-fri 09:00-18:00; sat 10:00-14:00; sun closed";
        assert_eq!(
            spec_in(Lang::Ru, spec),
            "пн-пт 09:00-18:00; сб 10:00-14:00; вс закрыто"
        );
        assert_eq!(
            spec_in(Lang::De, spec),
            "Mo-Fr 09:00-18:00; Sa 10:00-14:00; So geschlossen"
        );
        assert_eq!(spec_in(Lang::En, spec), spec);
        assert_eq!(spec_in(Lang::Ru, "24/7"), "24/7");
        for lang in Lang::ALL {
            for s in [spec, "closed", "24/7"] {
                let written = spec_in(lang, s);
                let read = WeeklyHours::parse(&written).expect(&written);
                assert_eq!(read, WeeklyHours::parse(s).unwrap(), "{written}");
            }
        }
    }
}
