//! `/{lang}/articles/{slug}`: the article with its table of contents, breadcrumbs, related
//! articles, translations and the "Was this helpful?" form, which works without JavaScript
//! (`POST /{lang}/articles/{slug}/feedback`, form-encoded, answered with a 303 back).

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::home::{category_path, page_lang};
use super::{
    Head, Site, bad_request_page, breadcrumbs, error_page, excerpt, layout, not_found_page, respond,
};
use crate::articles::{Article, Catalog};
use crate::domain::{Lang, Slug, category_slug};
use crate::error::AppError;
use crate::limits::retry_after_secs;
use crate::web::api::feedback::{MAX_COMMENT_CHARS, vote_allowed};
use crate::web::extract::{ClientAddr, Visitor};
use crate::web::i18n::{Key, format_date, lang_name};
use crate::web::state::AppState;

/// The slug of the article the "No" answer links to until the chat widget exists.

#[derive(Deserialize)]
pub struct ArticleParams {
    thanks: Option<String>,
    helpful: Option<String>,
}

fn find<'a>(catalog: &'a Catalog, lang: Lang, slug: &str) -> Option<&'a std::sync::Arc<Article>> {
    let slug = Slug::parse(slug).ok()?;
    catalog.get(lang, &slug)
}

/// Whether the request comes from a crawler (its views are not counted).
fn is_robot(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .is_some_and(|ua| {
            ["bot", "crawler", "spider", "slurp"]
                .iter()
                .any(|w| ua.contains(w))
        })
}

/// The article page (counts a view: once per visitor, article and day; crawlers not counted).
pub async fn show(
    State(state): State<AppState>,
    Path((lang, slug)): Path<(String, String)>,
    params: Result<Query<ArticleParams>, QueryRejection>,
    addr: ClientAddr,
    Visitor(visitor): Visitor,
    headers: HeaderMap,
) -> Response {
    let snap = state.search.snapshot();
    let catalog = &snap.catalog;
    let site = Site::of(&state, &headers, catalog);
    let path = format!("/{lang}/articles/{slug}");
    let Some(lang) = page_lang(&site, &lang) else {
        return not_found_page(&state, &headers, state.config.default_lang, &path);
    };
    let Some(a) = find(catalog, lang, &slug) else {
        return not_found_page(&state, &headers, lang, &path);
    };
    // Views beyond the address's allowance are not counted (rotating the `User-Agent` makes
    // new visitors, not new readers); the page is shown all the same.
    if !is_robot(&headers)
        && state.limits.views.take(&addr.key()).is_ok()
        && let Err(e) = state.store.record_view(lang, &a.slug, &visitor).await
    {
        tracing::warn!(error = ?e, "counting an article view");
    }
    let params = params.ok().map(|Query(p)| p);
    let thanks = params.as_ref().is_some_and(|p| p.thanks.is_some());
    let said_no = params
        .as_ref()
        .is_some_and(|p| p.helpful.as_deref() == Some("no"));
    let translations = catalog.translations(lang, &a.slug);
    let mut alternates = vec![(lang, a.url(None))];
    for l in &translations {
        alternates.push((*l, format!("/{l}/articles/{}", a.slug)));
    }
    alternates.sort_by_key(|(l, _)| *l);
    let related: Vec<_> = a
        .related
        .iter()
        .filter_map(|r| catalog.get(lang, r))
        .collect();
    let category = a
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !category_slug(c).is_empty());
    let description = if a.intro.trim().is_empty() {
        a.title.clone()
    } else {
        excerpt(&a.intro, 160)
    };
    let contact = super::contact_url(&state, lang);
    let chat = state.config.help_center_chat;
    let head = Head {
        title: a.title.clone(),
        description,
        canonical: a.url(None),
        alternates: if translations.is_empty() {
            Vec::new()
        } else {
            alternates
        },
        noindex: false,
        header_search: true,
        without_chat: false,
    };
    let trail: Vec<(String, &str)> = category
        .iter()
        .map(|c| (category_path(lang, &category_slug(c)), &**c))
        .collect();
    let main = html! {
        (breadcrumbs(lang, &trail, &a.title))
        article.article {
            h1 { (a.title) }
            p.meta {
                @if let Some(u) = &a.updated {
                    (Key::Updated.in_lang(lang)) " " time datetime=(u) { (format_date(lang, u)) }
                }
            }
            @if !translations.is_empty() {
                p.translations {
                    (Key::AlsoIn.in_lang(lang)) " "
                    @for (i, l) in translations.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href=(format!("/{l}/articles/{}", a.slug)) hreflang=(l.code()) lang=(l.code()) rel="alternate" { (lang_name(*l)) }
                    }
                }
            }
            @if !a.sections.is_empty() {
                nav.toc aria-labelledby="toc-heading" {
                    h2 #toc-heading { (Key::Contents.in_lang(lang)) }
                    ul {
                        @for s in &a.sections {
                            li class=(if s.level >= 3 { "toc-sub" } else { "toc-top" }) {
                                a href=(format!("#{}", s.anchor)) { (s.title) }
                            }
                        }
                    }
                }
            }
            div.content { (PreEscaped(&a.html)) }
        }
        (feedback_form(lang, a, thanks, said_no, &contact, chat))
        @if !related.is_empty() {
            section.related aria-labelledby="related-heading" {
                h2 #related-heading { (Key::Related.in_lang(lang)) }
                ul.article-list {
                    @for r in &related { li { a href=(r.url(None)) { (r.title) } } }
                }
            }
        }
    };
    respond(StatusCode::OK, layout(&state, &site, lang, head, "", main))
}

fn feedback_form(
    lang: Lang,
    a: &Article,
    thanks: bool,
    said_no: bool,
    contact: &str,
    chat: bool,
) -> Markup {
    html! {
        section.feedback #feedback aria-labelledby="feedback-heading" {
            @if thanks {
                p.thanks role="status" { (Key::Thanks.in_lang(lang)) }
                @if said_no {
                    p.contact {
                        (Key::ContactOffer.in_lang(lang)) " "
                        // With the widget on the page the link opens the chat (search.js); the
                        // agent sees this article in the handoff.
                        @if chat {
                            a.chat-offer href=(contact) data-otvet-chat="" { (Key::ChatLink.in_lang(lang)) }
                        } @else {
                            a href=(contact) { (Key::ContactLink.in_lang(lang)) }
                        }
                    }
                }
            } @else {
                form method="post" action=(format!("{}/feedback", a.url(None))) {
                    h2 #feedback-heading { (Key::WasHelpful.in_lang(lang)) }
                    div.buttons {
                        button type="submit" name="helpful" value="yes" { (Key::Yes.in_lang(lang)) }
                        button type="submit" name="helpful" value="no" { (Key::No.in_lang(lang)) }
                    }
                    label for="feedback-comment" { (Key::CommentLabel.in_lang(lang)) }
                    textarea #feedback-comment name="comment" rows="3" maxlength=(MAX_COMMENT_CHARS) {}
                }
            }
        }
    }
}

/// The form of the feedback `POST`.
#[derive(Deserialize)]
pub struct FeedbackForm {
    helpful: String,
    #[serde(default)]
    comment: Option<String>,
}

/// Records a vote from the no-JS form and sends the visitor back to the article.
pub async fn record(
    State(state): State<AppState>,
    Path((lang, slug)): Path<(String, String)>,
    addr: ClientAddr,
    Visitor(visitor): Visitor,
    headers: HeaderMap,
    form: Result<Form<FeedbackForm>, FormRejection>,
) -> Response {
    let snap = state.search.snapshot();
    let site = Site::of(&state, &headers, &snap.catalog);
    let path = format!("/{lang}/articles/{slug}");
    let Some(lang) = page_lang(&site, &lang) else {
        return not_found_page(&state, &headers, state.config.default_lang, &path);
    };
    let Some(a) = find(&snap.catalog, lang, &slug) else {
        return not_found_page(&state, &headers, lang, &path);
    };
    // Another site's page must not vote in our visitors' names (browsers say where a form
    // was sent from).
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return (StatusCode::FORBIDDEN, "cross-site form").into_response();
    }
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return bad_request_page(&state, &headers, lang, &e.body_text());
        }
        Err(e) => return bad_request_page(&state, &headers, lang, &e.body_text()),
    };
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return bad_request_page(&state, &headers, lang, "helpful: yes or no"),
    };
    // The textarea has `maxlength`; a longer comment (no browser limit) is cut, not refused,
    // so the vote is never lost.
    let comment: Option<String> = form
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| c.chars().take(MAX_COMMENT_CHARS).collect());
    if let Err(AppError::TooManyRequests { retry_after, .. }) = vote_allowed(&state, &addr) {
        let text = Key::TooManyVotesText.in_lang(lang);
        let status = StatusCode::TOO_MANY_REQUESTS;
        let mut res = error_page(&state, &headers, lang, status, Key::TooManyVotes, text);
        res.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(retry_after_secs(retry_after)),
        );
        return res;
    }
    if let Err(e) = state
        .store
        .record_feedback(lang, &a.slug, &visitor, helpful, comment.as_deref())
        .await
    {
        tracing::error!(error = ?e, "recording feedback from the article page");
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    }
    let to = if helpful {
        format!("{}?thanks=1#feedback", a.url(None))
    } else {
        format!("{}?thanks=1&helpful=no#feedback", a.url(None))
    };
    let mut res = Redirect::to(&to).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}
