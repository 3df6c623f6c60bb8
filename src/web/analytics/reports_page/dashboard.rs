//! The dashboard of a computed report (200): the cards with their charts, the ratings, the top
//! articles, the table per day with the period's total, and the definitions.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};

use super::cards::cards;
use super::charts::{bar_chart, ratings_chart};
use super::format::{decimal, duration, or_dash, pct, weekday};
use super::frame::{page, period_form};
use super::texts::{K, definitions};
use crate::analytics::reports::{Figures, Report};
use crate::domain::{Lang, Slug};
use crate::web::agents::session::AgentSession;
use crate::web::pages::respond;
use crate::web::state::AppState;

/// The figures of one day (or the whole period) as table cells.
fn row_cells(lang: Lang, f: &Figures) -> Markup {
    let d = |ms: Option<i64>| or_dash(ms.map(|ms| duration(lang, ms)));
    let p = |r: Option<f64>| or_dash(r.map(|r| pct(lang, r)));
    html! {
        td.n { (f.conversations) }
        td.n { (f.with_question) }
        td.n { (p(f.self_service_rate())) " (" (f.self_served) ")" }
        td.n { (p(f.escalation_rate())) " (" (f.escalated) ")" }
        td.n { (d(f.first_reply_median())) }
        td.n { (d(f.first_reply_p90())) }
        td.n { (d(f.resolve_median())) }
        td.n { (or_dash(f.csat_average().map(|a| decimal(lang, a, 2)))) " (" (f.rating_count()) ")" }
        td.n { (f.views) }
        td.n { (f.votes_yes) " / " (f.votes_no) }
        td.n { (f.chat_answers) " (" (f.chat_yes) " / " (f.chat_no) ")" }
        td.n { (f.searches_without_results) }
        td.n { (f.bot_no_answers) }
    }
}

/// The dashboard of a computed report (200).
pub(in crate::web::analytics) fn render(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    r: &Report,
) -> Response {
    let lang = crate::web::agents::layout::lang_of(state, headers);
    let days = r.period.days();
    let (from, to) = (r.period.from().to_string(), r.period.to().to_string());
    let csv_href = format!("/agent/reports.csv?from={from}&to={to}");
    let tz = r.period.tz().iana_name().unwrap_or("UTC");
    let note = lang.pick([
        format!("{from} – {to}; дни по часовому поясу {tz}."),
        format!("{from} – {to}; days in the {tz} time zone."),
        format!("{from} – {to}; Tage in der Zeitzone {tz}."),
    ]);
    let snap = state.search.snapshot();
    let title_of = |lang_code: &str, slug: &str| -> Option<(String, String)> {
        let l: Lang = lang_code.parse().ok()?;
        let s = Slug::parse(slug).ok()?;
        let a = snap.catalog.get(l, &s)?;
        Some((a.title.clone(), format!("/{l}/articles/{slug}")))
    };
    let yes_no_head = lang.pick(["«Да» / «Нет»", "Yes / No", "Ja / Nein"]);
    let head_cells = html! {
        th.n scope="col" { (K::Conversations.in_lang(lang)) }
        th.n scope="col" { (lang.pick(["С вопросом", "With a question", "Mit Frage"])) }
        th.n scope="col" { (K::SelfService.in_lang(lang)) }
        th.n scope="col" { (K::Escalation.in_lang(lang)) }
        th.n scope="col" { (K::FirstReply.in_lang(lang)) ", " (K::Median.in_lang(lang)) }
        th.n scope="col" { (K::FirstReply.in_lang(lang)) ", " (K::P90.in_lang(lang)) }
        th.n scope="col" { (K::Resolve.in_lang(lang)) ", " (K::Median.in_lang(lang)) }
        th.n scope="col" { (K::Csat.in_lang(lang)) }
        th.n scope="col" { (K::Views.in_lang(lang)) }
        th.n scope="col" { (K::Helpful.in_lang(lang)) " " (yes_no_head) }
        th.n scope="col" { (K::ChatAnswers.in_lang(lang)) " (" (yes_no_head) ")" }
        th.n scope="col" { (K::NoResults.in_lang(lang)) }
        th.n scope="col" { (K::BotNoAnswers.in_lang(lang)) }
    };
    let main = html! {
        h1 { (K::Title.in_lang(lang)) }
        (period_form(lang, &from, &to, Some(&csv_href), crate::analytics::reports::today(crate::domain::now_ms(), r.period.tz())))
        p.rp-note { (note) }
        ul.rp-cards {
            @for c in cards(lang, r) {
                li.rp-card {
                    h2 #(format!("{}-h", c.id)) { (c.name.in_lang(lang)) }
                    p.rp-value { (c.value) }
                    p.rp-sub { (c.sub) }
                    @let title = lang.pick([
                        format!("{} по дням", c.name.in_lang(lang)),
                        format!("{} per day", c.name.in_lang(lang)),
                        format!("{} pro Tag", c.name.in_lang(lang)),
                    ]);
                    (bar_chart(lang, c.id, &title, &days, &c.values, c.max, &*c.label))
                }
            }
        }
        div.rp-two {
            section aria-labelledby="rp-ratings-h" {
                h2 #rp-ratings-h { (K::Ratings.in_lang(lang)) }
                (ratings_chart(lang, &r.total))
                div.rp-scroll { table aria-labelledby="rp-ratings-h" {
                    thead { tr { th scope="col" { (K::Score.in_lang(lang)) } th.n scope="col" { (K::Count.in_lang(lang)) } } }
                    tbody {
                        @for score in (1..=5usize).rev() {
                            tr { th scope="row" { (score) } td.n { (r.total.ratings[score - 1]) } }
                        }
                    }
                } }
            }
            section aria-labelledby="rp-articles-h" {
                h2 #rp-articles-h { (K::Articles.in_lang(lang)) }
                @if r.articles.is_empty() {
                    p { (K::NoArticles.in_lang(lang)) }
                } @else {
                    div.rp-scroll { table aria-labelledby="rp-articles-h" {
                        thead {
                            tr {
                                th scope="col" { (K::Article.in_lang(lang)) }
                                th.n scope="col" { (K::Views.in_lang(lang)) }
                                th.n scope="col" { (K::Helpful.in_lang(lang)) " " (yes_no_head) }
                                th.n scope="col" { (K::ChatAnswers.in_lang(lang)) " (" (yes_no_head) ")" }
                            }
                        }
                        tbody {
                            @for a in r.articles.iter().take(10) {
                                tr {
                                    th scope="row" {
                                        @if let Some((title, href)) = title_of(&a.lang, &a.slug) {
                                            a href=(href) { (title) }
                                        } @else {
                                            (a.slug)
                                        }
                                        " " span.meta { "(" (crate::web::agents::layout::lang_label(lang, &a.lang)) ")" }
                                    }
                                    td.n { (a.views) }
                                    td.n { (a.yes) " / " (a.no) }
                                    td.n { (a.chat_answers) " (" (a.chat_yes) " / " (a.chat_no) ")" }
                                }
                            }
                        }
                    } }
                }
            }
        }
        section aria-labelledby="rp-days-h" {
            h2 #rp-days-h { (K::PerDay.in_lang(lang)) }
            p.rp-note { (K::TableNote.in_lang(lang)) }
            div.rp-scroll { table.rp-days aria-labelledby="rp-days-h" {
                thead { tr { th scope="col" { (K::Day.in_lang(lang)) } (head_cells) } }
                tbody {
                    @for (day, f) in days.iter().zip(&r.days) {
                        tr { th.rp-day scope="row" { (day) " " span.meta { (weekday(lang, *day)) } } (row_cells(lang, f)) }
                    }
                }
                tfoot { tr { th scope="row" { (K::Total.in_lang(lang)) } (row_cells(lang, &r.total)) } }
            } }
        }
        section aria-labelledby="rp-defs-h" {
            h2 #rp-defs-h { (K::Definitions.in_lang(lang)) }
            dl.rp-defs {
                @for (k, text) in definitions(lang) {
                    dt { (k.in_lang(lang)) }
                    dd { (text) }
                }
            }
        }
    };
    let mut res = respond(StatusCode::OK, page(state, headers, session, lang, main));
    res.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    res
}
