//! `sitemap.xml` (homes, categories and articles, with `lastmod` and translation alternates)
//! and `robots.txt`.

use std::fmt::Write;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::Site;
use super::home::{categories, category_path};
use crate::domain::Lang;
use crate::search::html_escape;
use crate::web::state::AppState;

/// `GET /sitemap.xml`.
pub async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let snap = state.search.snapshot();
    let catalog = &snap.catalog;
    let site = Site::of(&state, &headers, catalog);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let latest = |lang: Option<Lang>| {
        catalog
            .articles
            .values()
            .filter(|a| lang.is_none_or(|l| a.lang == l))
            .filter_map(|a| a.updated.clone())
            .max()
    };
    let homes: Vec<(Lang, String)> = site.langs.iter().map(|l| (*l, format!("/{l}/"))).collect();
    for (lang, path) in &homes {
        let alts = if homes.len() > 1 {
            homes.as_slice()
        } else {
            &[]
        };
        url(&mut xml, &site, path, latest(Some(*lang)).as_deref(), alts);
    }
    for lang in &site.langs {
        for c in categories(catalog, *lang) {
            let lastmod = c.articles.iter().filter_map(|a| a.updated.clone()).max();
            url(
                &mut xml,
                &site,
                &category_path(*lang, &c.slug),
                lastmod.as_deref(),
                &[],
            );
        }
    }
    for a in catalog.articles.values() {
        let others = catalog.translations(a.lang, &a.slug);
        let mut alts: Vec<(Lang, String)> = Vec::new();
        if !others.is_empty() {
            alts.push((a.lang, a.url(None)));
            alts.extend(
                others
                    .iter()
                    .map(|l| (*l, format!("/{l}/articles/{}", a.slug))),
            );
            alts.sort_by_key(|(l, _)| *l);
        }
        url(&mut xml, &site, &a.url(None), a.updated.as_deref(), &alts);
    }
    xml.push_str("</urlset>\n");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        xml,
    )
        .into_response()
}

fn url(xml: &mut String, site: &Site, path: &str, lastmod: Option<&str>, alts: &[(Lang, String)]) {
    let _ = writeln!(
        xml,
        "  <url>\n    <loc>{}</loc>",
        html_escape(&site.abs(path))
    );
    if let Some(d) = lastmod.filter(|d| is_date(d)) {
        let _ = writeln!(xml, "    <lastmod>{d}</lastmod>");
    }
    for (l, p) in alts {
        let _ = writeln!(
            xml,
            "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
            l.code(),
            html_escape(&site.abs(p))
        );
    }
    xml.push_str("  </url>\n");
}

/// `YYYY-MM-DD` (the W3C date form sitemaps accept).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// `GET /robots.txt`: everything may be crawled; where the sitemap is.
pub async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let snap = state.search.snapshot();
    let site = Site::of(&state, &headers, &snap.catalog);
    let body = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        site.abs("/sitemap.xml")
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}
