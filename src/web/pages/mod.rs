//! The server-rendered help center: every page works without JavaScript.
//!
//! Pages are built with maud (every interpolated value is escaped; the only `PreEscaped` are the
//! article's sanitized HTML and search snippets, which the search engine escapes itself).

pub mod article;
pub mod conversation;
pub mod demo;
pub mod home;
pub mod search;
pub mod sitemap;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::i18n::{Key, lang_name};
use crate::articles::Catalog;
use crate::domain::Lang;
use crate::web::state::AppState;

/// What every page needs to know about the site.
pub struct Site {
    /// Absolute URL without a trailing slash.
    pub base: String,
    /// Languages that have published articles (the default language always).
    pub langs: Vec<Lang>,
    name: Option<String>,
}

impl Site {
    /// The site for this request: `--public-url`, else `http://` + the request's `Host`.
    pub fn of(state: &AppState, headers: &HeaderMap, catalog: &Catalog) -> Site {
        let base = match &state.config.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => {
                let host = headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .filter(|h| {
                        !h.is_empty()
                            && h.bytes().all(|b| {
                                b.is_ascii_alphanumeric()
                                    || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                            })
                    })
                    .unwrap_or("localhost");
                format!("http://{host}")
            }
        };
        Site {
            base,
            langs: available_langs(catalog, state.config.default_lang),
            name: state.config.site_name.clone(),
        }
    }

    /// The site name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        self.name
            .as_deref()
            .unwrap_or_else(|| Key::SiteName.in_lang(lang))
    }

    /// `path` as an absolute URL.
    pub fn abs(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// Languages with at least one published article, plus the default language, in priority order.
pub fn available_langs(catalog: &Catalog, default: Lang) -> Vec<Lang> {
    Lang::ALL
        .into_iter()
        .filter(|l| *l == default || catalog.articles.keys().any(|(al, _)| al == l))
        .collect()
}

/// The `<head>` of a page.
pub struct Head {
    /// Page title (the site name is appended).
    pub title: String,
    /// Meta description.
    pub description: String,
    /// Path of the canonical URL (`/ru/articles/x`), made absolute.
    pub canonical: String,
    /// `hreflang` alternates: every language version including this one, as paths.
    pub alternates: Vec<(Lang, String)>,
    /// Keep search engines from indexing this page (search results, 404).
    pub noindex: bool,
    /// Show the search box in the header (the home page has its own).
    pub header_search: bool,
    /// The help center's chat widget is left out: the page puts its own on itself (the demo
    /// page, with a look to preview) or is not a place to chat (agents' pages; the mailed
    /// conversation page, which takes replies itself).
    pub without_chat: bool,
}

/// Path of the stylesheet with its version, so it can be cached for a long time.
pub fn css_href(state: &AppState) -> String {
    format!("/assets/site.css?v={}", super::css_version(state))
}

/// A whole HTML page around `main`.
pub fn layout(
    state: &AppState,
    site: &Site,
    lang: Lang,
    head: Head,
    q: &str,
    main: Markup,
) -> Markup {
    let name = site.name(lang);
    let title = if head.title.is_empty() || head.title == name {
        name.to_string()
    } else {
        format!("{} — {name}", head.title)
    };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                meta name="description" content=(head.description);
                @if head.noindex { meta name="robots" content="noindex"; }
                link rel="canonical" href=(site.abs(&head.canonical));
                @for (l, path) in &head.alternates {
                    link rel="alternate" hreflang=(l.code()) href=(site.abs(path));
                }
                link rel="stylesheet" href=(css_href(state));
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                script src=(format!("/assets/search.js?v={}", super::js_version())) defer {}
                @if state.config.help_center_chat && !head.without_chat {
                    script src="/widget.js" defer {}
                }
            }
            body {
                a.skip href="#main" { (Key::SkipToContent.in_lang(lang)) }
                header.site-header {
                    div.wrap {
                        a.site-name href=(format!("/{lang}/")) {
                            @if let Some(logo) = &state.config.logo {
                                img.site-logo src=(format!("/assets/logo?v={}", logo.version)) alt="" height="32";
                            }
                            (name)
                        }
                        @if head.header_search { (search_form(lang, q, "header-search")) }
                    }
                }
                main #main.wrap tabindex="-1" { (main) }
                footer.site-footer {
                    div.wrap {
                        @if site.langs.len() > 1 {
                            nav aria-label=(Key::Language.in_lang(lang)) {
                                ul.langs {
                                    @for l in &site.langs {
                                        li {
                                            @if *l == lang {
                                                span aria-current="true" lang=(l.code()) { (lang_name(*l)) }
                                            } @else {
                                                a href=(format!("/{l}/")) lang=(l.code()) hreflang=(l.code()) { (lang_name(*l)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        p {
                            (name)
                            " · "
                            a.contact-entry href=(contact_url(state, lang)) data-otvet-chat="" {
                                (if state.config.help_center_chat { Key::ChatLink } else { Key::ContactLink }.in_lang(lang))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The slug of the article about contacting support, linked where a visitor may need a person.
pub const CONTACT_SLUG: &str = "contact-support";

/// Where a visitor who needs a person goes without the chat: the contact article in `lang`, or
/// the home page.
pub fn contact_url(state: &AppState, lang: Lang) -> String {
    let snap = state.search.snapshot();
    crate::domain::Slug::parse(CONTACT_SLUG)
        .ok()
        .and_then(|s| snap.catalog.get(lang, &s).map(|a| a.url(None)))
        .unwrap_or_else(|| format!("/{lang}/"))
}

/// Breadcrumbs: home, then `trail` (link, label) pairs, then the current page's name.
pub fn breadcrumbs(lang: Lang, trail: &[(String, &str)], current: &str) -> Markup {
    html! {
        nav.breadcrumbs aria-label=(Key::Breadcrumbs.in_lang(lang)) {
            ol {
                li { a href=(format!("/{lang}/")) { (Key::Home.in_lang(lang)) } }
                @for (href, label) in trail {
                    li { a href=(href) { (label) } }
                }
                li { span aria-current="page" { (current) } }
            }
        }
    }
}

/// The search form (`GET /{lang}/search?q=`), with a visible label.
pub fn search_form(lang: Lang, q: &str, id: &str) -> Markup {
    let input_id = format!("{id}-q");
    html! {
        form.search role="search" method="get" action=(format!("/{lang}/search")) {
            label for=(input_id) { (Key::SearchLabel.in_lang(lang)) }
            div.search-row {
                input #(input_id) type="search" name="q" value=(q) maxlength="1000"
                    placeholder=(Key::SearchPlaceholder.in_lang(lang)) autocomplete="off";
                button type="submit" { (Key::SearchButton.in_lang(lang)) }
            }
        }
    }
}

/// An HTML response with `status`.
pub fn respond(status: StatusCode, page: Markup) -> Response {
    (status, Html(page.into_string())).into_response()
}

/// The 404 page in `lang`, with a search box.
pub fn not_found_page(state: &AppState, headers: &HeaderMap, lang: Lang, path: &str) -> Response {
    let snap = state.search.snapshot();
    let site = Site::of(state, headers, &snap.catalog);
    let head = Head {
        title: Key::NotFoundTitle.in_lang(lang).to_string(),
        description: Key::NotFoundText.in_lang(lang).to_string(),
        canonical: path.to_string(),
        alternates: Vec::new(),
        noindex: true,
        header_search: false,
        without_chat: false,
    };
    let main = html! {
        h1 { (Key::NotFoundTitle.in_lang(lang)) }
        p { (Key::NotFoundText.in_lang(lang)) }
        (search_form(lang, "", "notfound-search"))
        p { a href=(format!("/{lang}/")) { (Key::Home.in_lang(lang)) } }
    };
    respond(
        StatusCode::NOT_FOUND,
        layout(state, &site, lang, head, "", main),
    )
}

/// A short error page (a form that could not be read).
pub fn bad_request_page(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    message: &str,
) -> Response {
    error_page(
        state,
        headers,
        lang,
        StatusCode::BAD_REQUEST,
        Key::BadRequest,
        message,
    )
}

/// The error page of a request that failed with `status` (an [`crate::error::AppError`] a page
/// request got, see `web::error::as_html`), titled after the status.
pub fn status_page(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    message: &str,
) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => Key::NotFoundTitle,
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => Key::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => Key::TooManyRequests,
        s if s.is_server_error() => Key::ServerError,
        _ => Key::BadRequest,
    };
    error_page(state, headers, lang, status, title, message)
}

/// A short error page with `status`, the title `title` and a message.
pub fn error_page(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    title: Key,
    message: &str,
) -> Response {
    let snap = state.search.snapshot();
    let site = Site::of(state, headers, &snap.catalog);
    let head = Head {
        title: title.in_lang(lang).to_string(),
        description: message.to_string(),
        canonical: format!("/{lang}/"),
        alternates: Vec::new(),
        noindex: true,
        header_search: true,
        without_chat: false,
    };
    let main = html! {
        h1 { (title.in_lang(lang)) }
        p { (message) }
        p { a href=(format!("/{lang}/")) { (Key::Home.in_lang(lang)) } }
    };
    respond(status, layout(state, &site, lang, head, "", main))
}

/// At most `max` characters of `text`, cut at a word boundary with `…`.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

pub use crate::domain::url_encode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("short text", 50), "short text");
        assert_eq!(excerpt("one two three four", 12), "one two…");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(url_encode("a b&c"), "a%20b%26c");
        assert_eq!(url_encode("ё"), "%D1%91");
    }
}
