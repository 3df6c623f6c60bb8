//! `/{lang}/` (categories, popular articles, search) and `/{lang}/categories/{category}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;

use super::{Head, Site, breadcrumbs, excerpt, layout, not_found_page, respond, search_form};
use crate::articles::{Article, Catalog};
use crate::domain::{Lang, category_slug};
use crate::web::i18n::{Key, articles_count};
use crate::web::state::AppState;

/// How many popular articles the home page lists.
const POPULAR: usize = 6;

/// One category of a language: its name, URL slug and articles (by title).
pub struct Category {
    /// Display name.
    pub name: String,
    /// [`category_slug`] of the name.
    pub slug: String,
    /// Articles in it, sorted by title.
    pub articles: Vec<Arc<Article>>,
}

/// The categories of `lang`, sorted by name; articles without a category are left out.
pub fn categories(catalog: &Catalog, lang: Lang) -> Vec<Category> {
    let mut by_slug: BTreeMap<String, Category> = BTreeMap::new();
    for a in catalog.articles.values().filter(|a| a.lang == lang) {
        let Some(name) = a
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        else {
            continue;
        };
        let slug = category_slug(name);
        if slug.is_empty() {
            continue;
        }
        by_slug
            .entry(slug.clone())
            .or_insert_with(|| Category {
                name: name.to_string(),
                slug,
                articles: Vec::new(),
            })
            .articles
            .push(a.clone());
    }
    let mut out: Vec<Category> = by_slug.into_values().collect();
    for c in &mut out {
        c.articles.sort_by(|a, b| a.title.cmp(&b.title));
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The path of a category page.
pub fn category_path(lang: Lang, slug: &str) -> String {
    format!("/{lang}/categories/{slug}")
}

/// The home page of a language.
pub async fn home(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    headers: HeaderMap,
) -> Response {
    let snap = state.search.snapshot();
    let site = Site::of(&state, &headers, &snap.catalog);
    let Some(lang) = page_lang(&site, &lang) else {
        let fallback = state.config.default_lang;
        return not_found_page(&state, &headers, fallback, &format!("/{fallback}/"));
    };
    let cats = categories(&snap.catalog, lang);
    let popular = popular(&state, &snap.catalog, lang).await;
    let head = Head {
        title: site.name(lang).to_string(),
        description: Key::HomeDescription.in_lang(lang).to_string(),
        canonical: format!("/{lang}/"),
        alternates: site.langs.iter().map(|l| (*l, format!("/{l}/"))).collect(),
        noindex: false,
        header_search: false,
        without_chat: false,
    };
    let main = html! {
        section.hero {
            h1 { (Key::HomeHeading.in_lang(lang)) }
            (search_form(lang, "", "home-search"))
        }
        @if cats.is_empty() && popular.is_empty() {
            p { (Key::NoArticles.in_lang(lang)) }
        }
        @if !cats.is_empty() {
            section aria-labelledby="categories-heading" {
                h2 #categories-heading { (Key::Categories.in_lang(lang)) }
                ul.cards {
                    @for c in &cats {
                        li {
                            a href=(category_path(lang, &c.slug)) { (c.name) }
                            span.count { (articles_count(lang, c.articles.len())) }
                        }
                    }
                }
            }
        }
        @if !popular.is_empty() {
            section aria-labelledby="popular-heading" {
                h2 #popular-heading { (Key::PopularArticles.in_lang(lang)) }
                ul.article-list {
                    @for a in &popular {
                        li { a href=(a.url(None)) { (a.title) } }
                    }
                }
            }
        }
    };
    respond(StatusCode::OK, layout(&state, &site, lang, head, "", main))
}

/// Popular articles of `lang`: most viewed (distinct visitors per day), then most `yes` votes of
/// "Was this helpful?", then fewest `no`, then title; with no data at all, the first by title.
async fn popular(state: &AppState, catalog: &Catalog, lang: Lang) -> Vec<Arc<Article>> {
    let views = state.store.view_counts(lang).await.unwrap_or_else(|e| {
        tracing::warn!(error = ?e, "view counts for the home page");
        Default::default()
    });
    let votes = state
        .store
        .feedback_by_article(lang)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = ?e, "feedback counts for the home page");
            Default::default()
        });
    let mut scored: Vec<(i64, i64, i64, Arc<Article>)> = catalog
        .articles
        .values()
        .filter(|a| a.lang == lang)
        .map(|a| {
            let v = views.get(a.slug.as_str()).copied().unwrap_or(0);
            let c = votes.get(a.slug.as_str()).copied().unwrap_or_default();
            (v, c.yes, c.no, a.clone())
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(a.2.cmp(&b.2))
            .then_with(|| a.3.title.cmp(&b.3.title))
    });
    scored
        .into_iter()
        .take(POPULAR)
        .map(|(_, _, _, a)| a)
        .collect()
}

/// A category page: its articles with a line of each.
pub async fn category(
    State(state): State<AppState>,
    Path((lang, slug)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let snap = state.search.snapshot();
    let site = Site::of(&state, &headers, &snap.catalog);
    let path = format!("/{lang}/categories/{slug}");
    let Some(lang) = page_lang(&site, &lang) else {
        return not_found_page(&state, &headers, state.config.default_lang, &path);
    };
    let Some(cat) = categories(&snap.catalog, lang)
        .into_iter()
        .find(|c| c.slug == slug)
    else {
        return not_found_page(&state, &headers, lang, &path);
    };
    let head = Head {
        title: cat.name.clone(),
        description: format!("{}: {}", Key::CategoryDescription.in_lang(lang), cat.name),
        canonical: category_path(lang, &cat.slug),
        alternates: Vec::new(),
        noindex: false,
        header_search: true,
        without_chat: false,
    };
    let main = html! {
        (breadcrumbs(lang, &[], &cat.name))
        h1 { (cat.name) }
        p.count { (articles_count(lang, cat.articles.len())) }
        ul.article-list {
            @for a in &cat.articles {
                li {
                    a href=(a.url(None)) { (a.title) }
                    @if !a.intro.trim().is_empty() { p { (excerpt(&a.intro, 160)) } }
                }
            }
        }
    };
    respond(StatusCode::OK, layout(&state, &site, lang, head, "", main))
}

/// The language of a page path segment, when it is one the site has.
pub fn page_lang(site: &Site, segment: &str) -> Option<Lang> {
    // Only the lowercase code: `/RU/` is not a second address of `/ru/`.
    Lang::ALL
        .into_iter()
        .find(|l| l.code() == segment)
        .filter(|l| site.langs.contains(l))
}
