//! The page around the figures: the help center's layout with the console's navigation, the
//! period form with its quick periods, and the page for a wrong period (400).

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::civil::Date;
use maud::{Markup, html};

use super::style::css_version;
use super::texts::K;
use crate::domain::Lang;
use crate::web::agents::session::AgentSession;
use crate::web::analytics::reports::PeriodParams;
use crate::web::pages::{Head, Site, layout, respond};
use crate::web::state::AppState;

/// The whole page around `main`: the help center's layout with the console's navigation.
pub(super) fn page(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    lang: Lang,
    main: Markup,
) -> Markup {
    let snap = state.search.snapshot();
    let site = Site::of(state, headers, &snap.catalog);
    let head = Head {
        title: K::Title.in_lang(lang).to_string(),
        description: K::Description.in_lang(lang).to_string(),
        canonical: "/agent/reports".to_string(),
        alternates: Vec::new(),
        noindex: true,
        header_search: false,
        without_chat: false,
    };
    let main = html! {
        link rel="stylesheet" href=(format!("/agent/reports.css?v={}", css_version()));
        div.rp {
            (crate::web::agents::layout::agent_nav(lang, session, "/agent/reports"))
            (main)
        }
    };
    layout(state, &site, lang, head, "", main)
}

/// The period form, the CSV link, and links to the last 7, 30 and 90 days up to `today`.
pub(super) fn period_form(
    lang: Lang,
    from: &str,
    to: &str,
    csv_href: Option<&str>,
    today: Date,
) -> Markup {
    let quick: Vec<(i64, String)> = [7i64, 30, 90]
        .into_iter()
        .filter_map(|n| {
            let start = today.checked_sub(jiff::Span::new().days(n - 1)).ok()?;
            Some((n, format!("/agent/reports?from={start}&to={today}")))
        })
        .collect();
    html! {
        form.rp-period method="get" action="/agent/reports" {
            label { (K::From.in_lang(lang)) input type="date" name="from" value=(from) required; }
            label { (K::To.in_lang(lang)) input type="date" name="to" value=(to) required; }
            button type="submit" { (K::Show.in_lang(lang)) }
            @if let Some(href) = csv_href {
                a href=(href) download { (K::Download.in_lang(lang)) }
            }
        }
        nav aria-label=(K::QuickPeriods.in_lang(lang)) {
            ul.rp-quick {
                @for (n, href) in &quick {
                    li { a href=(href) { (quick_label(lang, *n)) } }
                }
            }
        }
    }
}

fn quick_label(lang: Lang, n: i64) -> String {
    lang.pick([
        format!("Последние {n} дней"),
        format!("Last {n} days"),
        format!("Letzte {n} Tage"),
    ])
}

/// The page for a period that could not be read, with the form to fix it (400).
pub(in crate::web::analytics) fn render_error(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    params: &PeriodParams,
    message: &str,
) -> Response {
    let lang = crate::web::agents::layout::lang_of(state, headers);
    let main = html! {
        h1 { (K::Title.in_lang(lang)) }
        // The server's message is in English: other pages say what a period must be.
        p.rp-error role="alert" {
            strong { (K::WrongPeriod.in_lang(lang)) ": " }
            @if lang == Lang::En { (message) } @else { (K::PeriodRules.in_lang(lang)) }
        }
        (period_form(
            lang,
            params.from.as_deref().unwrap_or(""),
            params.to.as_deref().unwrap_or(""),
            None,
            crate::analytics::reports::today(crate::domain::now_ms(), &crate::web::analytics::reports::business_tz(state)),
        ))
    };
    respond(
        StatusCode::BAD_REQUEST,
        page(state, headers, session, lang, main),
    )
}
