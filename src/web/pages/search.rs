//! `/{lang}/search?q=`: search results with highlighted snippets linking to the section.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{PreEscaped, html};
use serde::Deserialize;

use super::home::page_lang;
use super::{Head, Site, layout, not_found_page, respond, search_form, url_encode};
use crate::domain::Lang;
use crate::search::SearchRequest;
use crate::web::api::search::MAX_Q_CHARS;
use crate::web::i18n::Key;
use crate::web::state::AppState;

/// How many results the page shows.
const RESULTS: usize = 20;

#[derive(Deserialize)]
pub struct Params {
    q: Option<String>,
}

/// The results page; an empty `q` shows just the search box.
pub async fn search(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    visitor: crate::web::extract::Visitor,
    params: Result<Query<Params>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let snap = state.search.snapshot();
    let site = Site::of(&state, &headers, &snap.catalog);
    let Some(lang) = page_lang(&site, &lang) else {
        let l = state.config.default_lang;
        return not_found_page(&state, &headers, l, &format!("/{l}/search"));
    };
    let q: String = params
        .ok()
        .and_then(|Query(p)| p.q)
        .unwrap_or_default()
        .chars()
        .take(MAX_Q_CHARS)
        .collect();
    let q_trim = q.trim();
    let mut read_as = None;
    let hits = if q_trim.is_empty() {
        Vec::new()
    } else {
        let results = state.search.search(&SearchRequest {
            query: q_trim,
            lang: Some(lang),
            limit: RESULTS,
            snippets: true,
            semantic: true,
            across: false,
        });
        if !results.answered {
            crate::analytics::gaps::record_search_miss(
                &state.store,
                state.config.default_lang,
                q_trim,
                Some(lang),
                Some(visitor.0),
            );
        }
        read_as = results.read_as.clone().filter(|r| r.trim() != q_trim);
        results.hits
    };
    let title = if q_trim.is_empty() {
        Key::SearchTitle.in_lang(lang).to_string()
    } else {
        format!("{}: {q_trim}", Key::SearchTitle.in_lang(lang))
    };
    let canonical = if q_trim.is_empty() {
        format!("/{lang}/search")
    } else {
        format!("/{lang}/search?q={}", url_encode(q_trim))
    };
    let head = Head {
        title,
        description: Key::SearchLabel.in_lang(lang).to_string(),
        canonical,
        alternates: Vec::new(),
        noindex: true,
        header_search: false,
        without_chat: false,
    };
    let (open, close) = match lang {
        Lang::Ru => ("«", "»"),
        Lang::En => ("\u{201c}", "\u{201d}"),
        Lang::De => ("\u{201e}", "\u{201c}"),
    };
    let main = html! {
        h1 { (Key::SearchTitle.in_lang(lang)) }
        (search_form(lang, &q, "page-search"))
        @if !q_trim.is_empty() {
            @if hits.is_empty() {
                div.nothing role="status" {
                    h2 { (Key::NothingFound.in_lang(lang)) }
                    p { (Key::NothingFoundHint.in_lang(lang)) }
                    p {
                        a href=(format!("/{lang}/")) { (Key::Categories.in_lang(lang)) }
                        " · "
                        @if state.config.help_center_chat {
                            // Opens the chat with the question typed in (search.js).
                            a.chat-offer href=(super::contact_url(&state, lang)) data-otvet-chat="" data-otvet-draft=(q_trim) { (Key::ChatLink.in_lang(lang)) }
                        } @else {
                            a href=(super::contact_url(&state, lang)) { (Key::ContactLink.in_lang(lang)) }
                        }
                    }
                }
            } @else {
                @if let Some(r) = &read_as {
                    h2.results-for { (Key::ShowingFor.in_lang(lang)) " " (open) (r) (close) }
                    p.asked { (Key::ResultsFor.in_lang(lang)) " " (open) (q_trim) (close) }
                } @else {
                    h2.results-for { (Key::ResultsFor.in_lang(lang)) " " (open) (q_trim) (close) }
                }
                // The page lists at most RESULTS: more may match.
                p.count role="status" {
                    (Key::Found.in_lang(lang)) ": " (hits.len())
                    @if hits.len() >= RESULTS { "+" }
                }
                ol.results {
                    @for h in &hits {
                        li {
                            a.result-title href=(h.url) {
                                (h.title)
                                @if let Some(s) = &h.section { span.result-section { " › " (s.title) } }
                            }
                            // The snippet is HTML-escaped by the search engine, with <mark> added.
                            @if !h.snippet.is_empty() { p.snippet { (PreEscaped(&h.snippet)) } }
                        }
                    }
                }
            }
        }
    };
    respond(StatusCode::OK, layout(&state, &site, lang, head, &q, main))
}
