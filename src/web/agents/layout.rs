//! What every agent page shares: the language it is shown in, the layout (the help center's,
//! with the agents' navigation and the sign-out button), the 400 and 403 pages, notices, the
//! style of form fields and what a form's error or success shows.
//!
//! The sign-in, canned-reply, team and settings pages are server-rendered: plain HTML forms, no
//! scripts (the console, `console.rs`, is a page of its own). The editors' pages of
//! `web::analytics` take their language from [`lang_of`] too.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::session::{AgentSession, CSRF_FIELD};
use super::text::T;
use crate::domain::Lang;
use crate::domain::agent::Role;
use crate::error::AppError;
use crate::web::pages::{Head, Site, layout, respond};
use crate::web::state::AppState;

/// The language of the agent pages: the agent's browser's (`Accept-Language`), else the
/// server's default language.
pub(crate) fn lang_of(state: &AppState, headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|a| crate::web::choose_lang(a, &Lang::ALL))
        .unwrap_or(state.config.default_lang)
}

/// The one navigation of the agent pages: every page the agent's role opens, the current one
/// marked, who is signed in (the role in the page's language) and the sign-out button.
pub(crate) fn agent_nav(lang: Lang, s: &AgentSession, path: &str) -> Markup {
    agent_nav_with(lang, s, path, html! {})
}

/// [`agent_nav`] with `after_name` right after the agent's name (the console puts the agent's
/// load there).
pub(crate) fn agent_nav_with(
    lang: Lang,
    s: &AgentSession,
    path: &str,
    after_name: Markup,
) -> Markup {
    let role = s.agent.role;
    let mut links = vec![("/agent", T::Console), ("/agent/canned", T::Canned)];
    if role >= Role::Editor {
        links.push(("/agent/gaps", T::GapsNav));
        links.push(("/agent/reports", T::ReportsNav));
    }
    if role >= Role::Admin {
        links.push(("/agent/team", T::Team));
        links.push(("/agent/settings", T::Settings));
    }
    html! {
        nav.agent-nav aria-label=(T::AgentsNav.in_lang(lang)) {
            ul {
                @for (href, text) in &links {
                    li { a href=(href) aria-current=[(path == *href).then_some("page")] { (text.in_lang(lang)) } }
                }
                li.meta { (T::SignedInAs.in_lang(lang)) " " strong { (s.agent.name) } (after_name) }
                li.meta.role { "(" (role.name(lang)) ")" }
                li {
                    form.logout method="post" action="/agent/logout" {
                        input type="hidden" name=(CSRF_FIELD) value=(s.csrf);
                        button type="submit" { (T::SignOut.in_lang(lang)) }
                    }
                }
            }
        }
    }
}

/// A language's code (`ru`: a conversation's, an article's) as the page's language names it
/// («русский»); an unknown code as it is.
pub(crate) fn lang_label(lang: Lang, code: &str) -> String {
    match code.parse::<Lang>() {
        Ok(of) => of
            .pick(lang.pick([
                ["русский", "английский", "немецкий"],
                ["Russian", "English", "German"],
                ["Russisch", "Englisch", "Deutsch"],
            ]))
            .to_string(),
        Err(_) => code.to_string(),
    }
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
        description: T::Console.in_lang(lang).to_string(),
        canonical: path.to_string(),
        alternates: Vec::new(),
        noindex: true,
        header_search: false,
        without_chat: true,
    };
    let main = html! {
        @if let Some(s) = session { (agent_nav(lang, s, path)) }
        (main)
    };
    layout(state, &site, lang, head, "", main)
}

/// An HTML response for an agent page.
pub(super) fn page(status: StatusCode, markup: Markup) -> Response {
    respond(status, markup)
}

/// The HTML 403 page (a role the agent lacks, a missing CSRF token, a foreign origin), saying
/// `message` (in the page's language: see [`needs_role`] and [`T::FormRefused`]).
pub(crate) fn forbidden_page(state: &AppState, headers: &HeaderMap, message: &str) -> Response {
    let lang = lang_of(state, headers);
    let main = html! {
        h1 { (T::Forbidden.in_lang(lang)) }
        p { (message) }
        p { a href="/agent" { (T::Console.in_lang(lang)) } }
    };
    page(
        StatusCode::FORBIDDEN,
        agent_layout(
            state,
            headers,
            T::Forbidden.in_lang(lang),
            "/agent",
            None,
            main,
        ),
    )
}

/// Why a page needs another role: «Эта страница — для роли «администратор»; у вас роль
/// «оператор».», the roles named in `lang`.
pub(crate) fn needs_role(lang: Lang, needed: Role, have: Role) -> String {
    let (needed, have) = (needed.name(lang), have.name(lang));
    lang.pick([
        format!("Эта страница — для роли «{needed}» и выше; у вас роль «{have}»."),
        format!("This page needs the {needed} role or above; yours is {have}."),
        format!("Diese Seite braucht die Rolle „{needed}“ oder höher; Ihre ist „{have}“."),
    ])
}

/// The HTML 400 page (a form or a path that cannot be read). `detail` is what the server
/// found wrong, in English: shown on English pages only.
pub(super) fn bad_request_page(state: &AppState, headers: &HeaderMap, detail: &str) -> Response {
    error_page(state, headers, StatusCode::BAD_REQUEST, detail)
}

/// The agents' error page of a request that failed with `status`, titled after it and saying
/// what to do in the page's language (also what an [`crate::error::AppError`] of an agent
/// page becomes, see `web::error::as_html`). `detail` is the error's own message, in English:
/// shown on English pages only.
pub(crate) fn error_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    detail: &str,
) -> Response {
    let lang = lang_of(state, headers);
    let (title, hint) = match status {
        StatusCode::NOT_FOUND => (T::NotFound, Some(T::NotFoundHint)),
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => (T::Forbidden, None),
        StatusCode::TOO_MANY_REQUESTS => (T::TooManyRequests, Some(T::TooManyHint)),
        s if s.is_server_error() => (T::ServerError, Some(T::ServerErrorHint)),
        _ => (T::BadRequest, Some(T::BadRequestHint)),
    };
    let title = title.in_lang(lang);
    let main = html! {
        h1 { (title) }
        @if let Some(h) = hint { p { (h.in_lang(lang)) } }
        @if lang == Lang::En && !detail.is_empty() { p.detail { (detail) } }
        p { a href="/agent" { (T::Console.in_lang(lang)) } }
    };
    page(
        status,
        agent_layout(state, headers, title, "/agent", None, main),
    )
}

/// A notice at the top of a page: an error (`role="alert"`) or a success (`role="status"`).
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

/// The style of an input of the agent forms.
pub(super) const FIELD: &str =
    "display:block;width:100%;max-width:40rem;margin:0.2rem 0 0.8rem;padding:0.4rem;font:inherit";

/// `?done=` of a page a form redirected to after it succeeded.
#[derive(Deserialize, Default)]
pub(crate) struct DoneParams {
    pub(super) done: Option<String>,
}

/// The success notice for `?done=created|saved|deleted`; none for anything else.
pub(super) fn done_notice(lang: Lang, done: Option<&str>) -> Option<Markup> {
    let text = match done? {
        "created" => T::Created.in_lang(lang),
        "saved" => T::Saved.in_lang(lang),
        "deleted" => T::Deleted.in_lang(lang),
        _ => return None,
    };
    Some(notice(text, false))
}

/// What a form's errors say, in the page's language: what to check when the input is wrong
/// (400) and what a conflict means (409).
#[derive(Clone, Copy)]
pub(crate) struct FormTexts {
    /// The input was refused (400).
    pub(crate) invalid: T,
    /// It conflicts with what is stored (409).
    pub(crate) conflict: T,
}

/// The status and HTML notice of an error met by a form, in `lang` (on English pages with the
/// server's own message too); internal errors stay errors.
pub(super) fn form_error(
    lang: Lang,
    texts: FormTexts,
    e: AppError,
) -> Result<(StatusCode, Markup), AppError> {
    let (status, text, detail) = match e {
        AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, texts.invalid, m),
        AppError::Conflict(m) => (StatusCode::CONFLICT, texts.conflict, m),
        AppError::NotFound(m) => (StatusCode::NOT_FOUND, T::NotFoundHint, m),
        AppError::Forbidden(m) => (StatusCode::FORBIDDEN, T::Forbidden, m),
        other => return Err(other),
    };
    let text = text.in_lang(lang);
    // The server's messages start with what was wrong, quoted: `'someday' in '…' is …`.
    let what = detail
        .strip_prefix('\'')
        .and_then(|d| d.split_once('\''))
        .map(|(w, _)| w)
        .filter(|w| !w.is_empty());
    let message = match (lang, what) {
        (Lang::En, _) => format!("{text} ({detail})"),
        (Lang::Ru, Some(w)) => format!("{text} Не так: «{w}»."),
        (Lang::De, Some(w)) => format!("{text} Falsch: „{w}“."),
        _ => text.to_string(),
    };
    Ok((status, notice(&message, true)))
}
