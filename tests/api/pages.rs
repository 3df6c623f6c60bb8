//! The server-rendered help center over real HTTP: home, category, article, search and 404
//! pages in Russian and English, the language choice at `/`, the no-JS feedback form, the
//! sitemap and robots.txt, the stylesheet, and XSS attempts in a query and in an article.

use quick_xml::events::Event;
use reqwest::header::HeaderMap;

use crate::helpers::{TestApp, copy_fixture, sample_app, spawn_app, spawn_app_with, write_file};

/// A page as the browser gets it (redirects not followed).
struct Page {
    status: u16,
    headers: HeaderMap,
    body: String,
}

fn no_redirect_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .expect("client")
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Page {
    let mut req = no_redirect_client().get(format!("{}{}", app.base_url, path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.text().await.expect("body");
    Page {
        status,
        headers,
        body,
    }
}

async fn get(app: &TestApp, path: &str) -> Page {
    get_with(app, path, &[("accept", "text/html")]).await
}

/// An HTML page that must answer 200.
async fn html_ok(app: &TestApp, path: &str) -> String {
    let p = get(app, path).await;
    assert_eq!(p.status, 200, "GET {path}: {}", p.body);
    let ctype = p.headers["content-type"].to_str().unwrap();
    assert!(ctype.starts_with("text/html"), "{path}: {ctype}");
    assert!(p.body.starts_with("<!DOCTYPE html>"), "{path}");
    p.body
}

fn location(p: &Page) -> &str {
    p.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Every value of `attr="…"` in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').expect("closing quote");
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// The part of `html` between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in page"));
    let rest = &html[i..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// Common parts of every page: lang, title, description, canonical absolute URL, stylesheet.
fn assert_page_basics(app: &TestApp, html: &str, lang: &str, canonical_path: &str) {
    assert!(
        html.contains(&format!("<html lang=\"{lang}\">")),
        "lang {lang}"
    );
    assert!(html.contains("<title>") && html.contains("</title>"));
    assert!(html.contains("<meta name=\"description\" content=\""));
    let canonical = format!(
        "<link rel=\"canonical\" href=\"{}{}\">",
        app.base_url, canonical_path
    );
    assert!(html.contains(&canonical), "expected {canonical}");
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/assets/site.css?v="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_pages_list_categories_popular_articles_and_a_search_box() {
    let app = sample_app().await;
    let ru = html_ok(&app, "/ru/").await;
    assert_page_basics(&app, &ru, "ru", "/ru/");
    assert!(ru.contains("<title>Справочный центр</title>"));
    assert!(ru.contains("<h1>Чем мы можем помочь?</h1>"));
    assert!(ru.contains("action=\"/ru/search\""));
    assert!(ru.contains("name=\"q\""));
    assert!(ru.contains("<a href=\"/ru/categories/vozvrat-i-obmen\">Возврат и обмен</a>"));
    assert!(ru.contains("4 статьи"), "article counts");
    assert!(ru.contains("Популярные статьи"));
    assert!(ru.contains("href=\"/ru/articles/"));
    for l in ["ru", "en"] {
        assert!(ru.contains(&format!(
            "<link rel=\"alternate\" hreflang=\"{l}\" href=\"{}/{l}/\">",
            app.base_url
        )));
    }

    let en = html_ok(&app, "/en/").await;
    assert_page_basics(&app, &en, "en", "/en/");
    assert!(en.contains("<title>Help center</title>"));
    assert!(en.contains("<h1>How can we help?</h1>"));
    assert!(
        en.contains("<a href=\"/en/categories/returns-and-exchanges\">Returns and exchanges</a>")
    );
    assert!(en.contains("action=\"/en/search\""));
    assert!(
        !en.contains("href=\"/ru/articles/"),
        "only English articles"
    );

    // `/en` goes to `/en/`.
    let p = get(&app, "/en").await;
    assert_eq!(p.status, 308);
    assert_eq!(location(&p), "/en/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_chooses_the_language_from_accept_language() {
    let app = sample_app().await;
    for (accept, expected) in [
        ("ru-RU,ru;q=0.9,en;q=0.8", "/ru/"),
        ("en-US,en;q=0.9", "/en/"),
        ("ru;q=0.2, en;q=0.8", "/en/"),
        ("de-DE,de;q=0.9", "/de/"),
        ("de-DE,de;q=0.9,en;q=0.5", "/de/"),
        ("fr-FR,fr;q=0.9,de;q=0.5", "/de/"),
        ("%%% garbage ;;q=x", "/ru/"),
        ("", "/ru/"),
    ] {
        let p = get_with(&app, "/", &[("accept-language", accept)]).await;
        assert_eq!(p.status, 303, "{accept}");
        assert_eq!(location(&p), expected, "Accept-Language: {accept}");
        assert_eq!(p.headers["vary"], "Accept-Language");
    }
    let p = get_with(&app, "/", &[]).await;
    assert_eq!(location(&p), "/ru/");

    // With German articles, German is chosen.
    let dir = copy_fixture("small-kb");
    write_file(
        dir.path(),
        "de/kettles/kettle-descaling.md",
        "---\ntitle: Wasserkocher entkalken\ncategory: Wasserkocher\nupdated: 2026-03-02\n---\n\nKalk entsteht durch hartes Wasser.\n\n## Mit Zitronensäure {#citric-acid}\n\nZitronensäure hilft.\n",
    );
    let app = spawn_app(dir.path()).await;
    let p = get_with(
        &app,
        "/",
        &[("accept-language", "de-CH, de;q=0.9, en;q=0.5")],
    )
    .await;
    assert_eq!(location(&p), "/de/");
    let de = html_ok(&app, "/de/").await;
    assert_page_basics(&app, &de, "de", "/de/");
    assert!(de.contains("<title>Hilfe-Center</title>"));
    assert!(de.contains("<a href=\"/de/categories/wasserkocher\">Wasserkocher</a>"));
    let article = html_ok(&app, "/de/articles/kettle-descaling").await;
    assert!(article.contains("War das hilfreich?"));
    assert!(article.contains("<time datetime=\"2026-03-02\">2. März 2026</time>"));
    for l in ["ru", "en", "de"] {
        assert!(
            article.contains(&format!(
                "hreflang=\"{l}\" href=\"{}/{l}/articles/kettle-descaling\"",
                app.base_url
            )),
            "{l}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn category_pages_list_their_articles() {
    let app = sample_app().await;
    let ru = html_ok(&app, "/ru/categories/vozvrat-i-obmen").await;
    assert_page_basics(&app, &ru, "ru", "/ru/categories/vozvrat-i-obmen");
    assert!(ru.contains("<h1>Возврат и обмен</h1>"));
    assert!(ru.contains("<title>Возврат и обмен — Справочный центр</title>"));
    for slug in [
        "return-goods",
        "exchange-goods",
        "non-returnable-goods",
        "return-defective-goods",
    ] {
        assert!(
            ru.contains(&format!("href=\"/ru/articles/{slug}\"")),
            "{slug}"
        );
    }
    assert!(!ru.contains("href=\"/ru/articles/courier-delivery\""));
    assert!(ru.contains("<a href=\"/ru/\">Главная</a>"), "breadcrumbs");

    let en = html_ok(&app, "/en/categories/returns-and-exchanges").await;
    assert_page_basics(&app, &en, "en", "/en/categories/returns-and-exchanges");
    assert!(en.contains("<h1>Returns and exchanges</h1>"));
    assert!(en.contains("href=\"/en/articles/return-goods\""));
    assert!(en.contains("1 article<"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_pages_have_contents_breadcrumbs_translations_and_feedback() {
    let app = sample_app().await;
    for (lang, other, category, home) in [
        ("ru", "en", "/ru/categories/vozvrat-i-obmen", "Главная"),
        ("en", "ru", "/en/categories/returns-and-exchanges", "Home"),
    ] {
        let path = format!("/{lang}/articles/return-goods");
        let html = html_ok(&app, &path).await;
        assert_page_basics(&app, &html, lang, &path);

        // The table of contents points at every heading id of the article body, in order.
        let toc = between(&html, "<nav class=\"toc\"", "</nav>");
        let toc_anchors: Vec<&str> = attr_values(toc, "href")
            .into_iter()
            .map(|h| h.strip_prefix('#').expect("TOC links are anchors"))
            .collect();
        let content = between(
            &html,
            "<div class=\"content\">",
            "<section class=\"feedback\"",
        );
        let heading_ids: Vec<&str> = content
            .match_indices("<h")
            .filter(|(i, _)| matches!(content.as_bytes().get(i + 2), Some(b'2' | b'3')))
            .filter_map(|(i, _)| attr_values(&content[i..], "id").first().copied())
            .collect();
        assert!(toc_anchors.len() >= 3, "{toc_anchors:?}");
        assert_eq!(toc_anchors, heading_ids, "{lang}");
        assert!(
            toc.contains("class=\"toc-sub\""),
            "### sections are indented"
        );

        // The API agrees on the sections.
        let (_, api) = app.article("return-goods", Some(lang)).await;
        let api_anchors: Vec<&str> = api["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["anchor"].as_str().unwrap())
            .collect();
        assert_eq!(toc_anchors, api_anchors);
        let title = api["title"].as_str().unwrap();
        assert!(
            html.contains(&format!("<h1>{}</h1>", title.replace('\'', "&#39;")))
                || html.contains(&format!("<h1>{title}</h1>"))
        );

        // Breadcrumbs: home › category › article.
        let crumbs = between(&html, "<nav class=\"breadcrumbs\"", "</nav>");
        assert!(
            crumbs.contains(&format!("<a href=\"/{lang}/\">{home}</a>")),
            "{crumbs}"
        );
        assert!(crumbs.contains(&format!("href=\"{category}\"")), "{crumbs}");
        assert!(crumbs.contains("aria-current=\"page\""));

        // Translations and hreflang alternates, absolute.
        assert!(html.contains(&format!(
            "href=\"/{other}/articles/return-goods\" hreflang=\"{other}\""
        )));
        for l in [lang, other] {
            assert!(html.contains(&format!(
                "<link rel=\"alternate\" hreflang=\"{l}\" href=\"{}/{l}/articles/return-goods\">",
                app.base_url
            )));
        }
        assert!(html.contains("<time datetime=\"2026-10-14\">"));

        // Related articles are linked by title.
        if lang == "ru" {
            assert!(html.contains("Похожие статьи"));
            assert!(html.contains("<a href=\"/ru/articles/exchange-goods\">Обмен товара</a>"));
        }

        // The no-JS feedback form.
        assert!(html.contains(&format!(
            "<form method=\"post\" action=\"{path}/feedback\">"
        )));
        assert!(html.contains("name=\"helpful\" value=\"yes\""));
        assert!(html.contains("name=\"helpful\" value=\"no\""));
        assert!(html.contains("<textarea id=\"feedback-comment\" name=\"comment\""));
        assert!(html.contains("<label for=\"feedback-comment\">"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_highlight_and_link_to_sections() {
    let app = sample_app().await;
    for (lang, q) in [("ru", "как вернуть товар"), ("en", "return an item")] {
        let path = format!("/{lang}/search?q={}", q.replace(' ', "+"));
        let html = html_ok(&app, &path).await;
        assert!(html.contains(&format!("<html lang=\"{lang}\">")));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        assert!(
            html.contains(&format!("value=\"{q}\"")),
            "the query is echoed in the box"
        );
        let results = between(&html, "<ol class=\"results\">", "</ol>");
        assert!(results.contains("<mark>"), "{results}");
        let links = attr_values(results, "href");
        assert!(
            links
                .iter()
                .any(|l| l.starts_with(&format!("/{lang}/articles/")) && l.contains('#')),
            "{links:?}"
        );
        // Links match the JSON API's urls.
        let api = app.search(q, Some(lang)).await;
        assert_eq!(links.first().copied(), api.top().map(|h| h.url.as_str()));
    }

    // Nothing found: a hint, still 200.
    let html = html_ok(&app, "/en/search?q=zzqxj+wvvkp").await;
    assert!(html.contains("Nothing found"));
    assert!(html.contains("Try other or fewer words"));
    // No query: just the box.
    let html = html_ok(&app, "/ru/search").await;
    assert!(html.contains("action=\"/ru/search\""));
    assert!(!html.contains("class=\"results\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_are_echoed_escaped() {
    let app = sample_app().await;
    for lang in ["ru", "en"] {
        let html = html_ok(
            &app,
            &format!("/{lang}/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg+src%3Dx+onerror%3Dalert(2)%3E"),
        )
        .await;
        assert_no_active_content(&html);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_get_a_404_page_with_a_search_box() {
    let app = sample_app().await;
    for (path, lang) in [
        ("/ru/no-such-page", "ru"),
        ("/en/articles/no-such-article", "en"),
        ("/ru/articles/Not%20A%20Slug", "ru"),
        ("/en/categories/no-such-category", "en"),
        ("/en/articles/installation-services", "en"), // only in Russian
        ("/ru/a/b/c", "ru"),
        ("/de/articles/gift-cards", "de"), // only in Russian
        ("/de/categories/no-such-category", "de"),
    ] {
        let p = get(&app, path).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(
            p.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert!(
            p.body.contains(&format!("<html lang=\"{lang}\">")),
            "{path}"
        );
        assert!(
            p.body.contains(&format!("action=\"/{lang}/search\"")),
            "{path}"
        );
        assert!(p.body.contains("name=\"q\""), "{path}");
        assert!(
            p.body
                .contains("<meta name=\"robots\" content=\"noindex\">")
        );
    }
    let p = get(&app, "/ru/no-such-page").await;
    assert!(p.body.contains("Страница не найдена"));
    // The API keeps its JSON errors.
    let (status, body) = app.get_json("/api/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "not_found");
}

async fn post_form(app: &TestApp, path: &str, body: &str, headers: &[(&str, &str)]) -> Page {
    let mut req = no_redirect_client()
        .post(format!("{}{}", app.base_url, path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    Page {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: res.text().await.expect("body"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_no_js_feedback_form_stores_votes_and_thanks() {
    let app = spawn_app(copy_fixture("small-kb").path()).await;
    let counts = |lang: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app
                .get_json(&format!(
                    "/api/articles/kettle-descaling/feedback?lang={lang}"
                ))
                .await;
            assert_eq!(status, 200, "{body}");
            (body["yes"].as_i64().unwrap(), body["no"].as_i64().unwrap())
        }
    };
    assert_eq!(counts("ru").await, (0, 0));

    let p = post_form(
        &app,
        "/ru/articles/kettle-descaling/feedback",
        "helpful=no&comment=%D0%BD%D0%B5+%D0%BF%D0%BE%D0%BC%D0%BE%D0%B3%D0%BB%D0%BE",
        &[("user-agent", "pages-test-a")],
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        location(&p),
        "/ru/articles/kettle-descaling?thanks=1&helpful=no#feedback"
    );
    assert_eq!(counts("ru").await, (0, 1));

    // The page after "No": thanks and a contact link instead of the form.
    let html = html_ok(&app, "/ru/articles/kettle-descaling?thanks=1&helpful=no").await;
    assert!(html.contains("Спасибо за отзыв!"));
    assert!(html.contains("Связаться с поддержкой"));
    assert!(!html.contains("name=\"helpful\""));

    // The same visitor changing their mind replaces the vote; another visitor adds one.
    let p = post_form(
        &app,
        "/ru/articles/kettle-descaling/feedback",
        "helpful=yes",
        &[("user-agent", "pages-test-a")],
    )
    .await;
    assert_eq!(p.status, 303);
    assert_eq!(
        location(&p),
        "/ru/articles/kettle-descaling?thanks=1#feedback"
    );
    assert_eq!(counts("ru").await, (1, 0));
    post_form(
        &app,
        "/ru/articles/kettle-descaling/feedback",
        "helpful=yes&comment=",
        &[("user-agent", "pages-test-b")],
    )
    .await;
    assert_eq!(counts("ru").await, (2, 0));
    let html = html_ok(&app, "/ru/articles/kettle-descaling?thanks=1").await;
    assert!(html.contains("Спасибо за отзыв!"));
    // "Yes": no offer of a person under the article (the footer always has its contact entry).
    assert!(!html.contains("<p class=\"contact\">"), "{html}");

    // English votes are the English article's.
    let p = post_form(
        &app,
        "/en/articles/kettle-descaling/feedback",
        "helpful=no",
        &[("user-agent", "pages-test-a")],
    )
    .await;
    assert_eq!(p.status, 303);
    assert_eq!(counts("en").await, (0, 1));

    // The most helpful article leads the popular ones on the home page.
    let home = html_ok(&app, "/ru/").await;
    let popular = between(&home, "id=\"popular-heading\"", "</ul>");
    assert!(
        attr_values(popular, "href")[0] == "/ru/articles/kettle-descaling",
        "{popular}"
    );

    // Bad forms, unknown articles and other sites' forms store nothing.
    let p = post_form(
        &app,
        "/ru/articles/kettle-descaling/feedback",
        "helpful=maybe",
        &[],
    )
    .await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("<html lang=\"ru\">"));
    let p = post_form(
        &app,
        "/ru/articles/kettle-descaling/feedback",
        "comment=x",
        &[],
    )
    .await;
    assert_eq!(p.status, 400);
    let p = post_form(&app, "/ru/articles/no-such/feedback", "helpful=yes", &[]).await;
    assert_eq!(p.status, 404);
    let p = post_form(
        &app,
        "/ru/articles/kettle-descaling/feedback",
        "helpful=no",
        &[
            ("sec-fetch-site", "cross-site"),
            ("user-agent", "pages-test-c"),
        ],
    )
    .await;
    assert_eq!(p.status, 403);
    assert_eq!(counts("ru").await, (2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemap_is_valid_xml_with_absolute_urls_lastmod_and_alternates() {
    let app = sample_app().await;
    let p = get(&app, "/sitemap.xml").await;
    assert_eq!(p.status, 200);
    assert!(
        p.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let xml = &p.body;

    // Well-formed: quick-xml checks that every end tag matches its start tag.
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let (mut locs, mut lastmods, mut alternates, mut urls, mut depth) = (Vec::new(), 0, 0, 0, 0i32);
    let mut in_loc = false;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                depth += 1;
                match e.name().into_inner() {
                    "url" => urls += 1,
                    "loc" => in_loc = true,
                    "lastmod" => lastmods += 1,
                    _ => {}
                }
            }
            Ok(Event::End(e)) => {
                depth -= 1;
                if e.name().into_inner() == "loc" {
                    in_loc = false;
                }
            }
            Ok(Event::Empty(e)) => {
                if e.name().into_inner() == "xhtml:link" {
                    alternates += 1;
                    let href = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.into_inner() == "href")
                        .expect("href");
                    assert!(href.value.starts_with(&app.base_url));
                }
            }
            Ok(Event::Text(t)) if in_loc => locs.push(String::from(&*t)),
            Ok(_) => {}
            Err(e) => panic!(
                "sitemap.xml is not well-formed at {}: {e}",
                reader.error_position()
            ),
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    assert!(xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">"));
    assert_eq!(locs.len(), urls);
    assert!(
        locs.iter()
            .all(|l| l.starts_with(&format!("{}/", app.base_url))),
        "{locs:?}"
    );
    let (status, health) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    let articles = health["articles"].as_u64().unwrap() as usize;
    // Two homes, the categories, every article.
    assert!(urls > articles + 2, "{urls} urls for {articles} articles");
    for path in [
        "/ru/",
        "/en/",
        "/ru/articles/return-goods",
        "/en/articles/return-goods",
        "/ru/categories/vozvrat-i-obmen",
    ] {
        assert!(locs.contains(&format!("{}{path}", app.base_url)), "{path}");
    }
    assert!(lastmods >= articles);
    assert!(xml.contains("<lastmod>2026-10-14</lastmod>"));
    assert!(alternates > 0);
    assert!(xml.contains(&format!(
        "<xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"{}/en/articles/return-goods\"/>",
        app.base_url
    )));

    let p = get(&app, "/robots.txt").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("User-agent: *"));
    assert!(
        p.body
            .contains(&format!("Sitemap: {}/sitemap.xml", app.base_url))
    );
}

/// The attribute names of a tag's inside (`a href="x" class=y` → `href`, `class`).
fn attribute_names(tag: &str) -> Vec<&str> {
    let b = tag.as_bytes();
    let mut i = b
        .iter()
        .position(|c| c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let mut names = Vec::new();
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        if i > start {
            names.push(&tag[start..i]);
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                i += 1;
            } else {
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
            }
        }
    }
    names
}

/// No element of `html` is a script or frame, has an event handler or a `javascript:` URL
/// (escaped text like `&lt;img onerror=…&gt;` is harmless and allowed).
fn assert_no_active_content(html: &str) {
    let lower = html.to_lowercase();
    for tag in lower
        .split('<')
        .skip(1)
        .map(|t| &t[..t.find('>').unwrap_or(t.len())])
    {
        if tag.starts_with("script src=\"/assets/search.js?v=") || tag == "/script" {
            continue; // our own instant-search script
        }
        for bad in ["script", "iframe", "object", "embed"] {
            assert!(!tag.starts_with(bad), "<{tag}> reached the page");
        }
        assert!(!tag.contains("javascript:"), "<{tag}> reached the page");
        for name in attribute_names(tag) {
            let handler = name.len() > 2
                && name.starts_with("on")
                && name.bytes().all(|b| b.is_ascii_lowercase());
            assert!(!handler, "<{tag}> has an event handler");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_in_an_article_never_reach_the_page() {
    let dir = copy_fixture("small-kb");
    write_file(
        dir.path(),
        "ru/evil/evil-article.md",
        "---\ntitle: \"Чайник <script>alert('t')</script>\"\ncategory: \"Злое <img src=x onerror=alert(3)>\"\n---\n\nВступление <script>alert(1)</script> и <img src=x onerror=\"alert(2)\"> и [ссылка](javascript:alert(4)).\n\n## Раздел <script>alert(5)</script>\n\n<iframe src=\"https://evil.example\"></iframe><a href=\"#\" onclick=\"alert(6)\">клик</a>\n",
    );
    let app = spawn_app(dir.path()).await;
    let html = html_ok(&app, "/ru/articles/evil-article").await;
    assert_no_active_content(&html);
    assert!(
        html.contains("Чайник &lt;script&gt;"),
        "the title is shown as text"
    );
    // The category page and the search results are clean too.
    let home = html_ok(&app, "/ru/").await;
    assert_no_active_content(&home);
    assert!(!home.contains("<img"));
    let results = html_ok(
        &app,
        "/ru/search?q=%D1%87%D0%B0%D0%B9%D0%BD%D0%B8%D0%BA+alert",
    )
    .await;
    assert_no_active_content(&results);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stylesheet_and_branding() {
    let dir = copy_fixture("small-kb");
    let mut config = otvet::Config::new(dir.path());
    config.site_name = Some("Домотека <помощь>".into());
    config.brand_color = "#7a1f5c".into();
    config.public_url = Some("https://help.example.com".into());
    let app = spawn_app_with(config).await;
    let html = html_ok(&app, "/ru/articles/kettle-descaling").await;
    assert!(html.contains("<title>Как удалить накипь в чайнике — Домотека &lt;помощь&gt;</title>"));
    assert!(html.contains(
        "<link rel=\"canonical\" href=\"https://help.example.com/ru/articles/kettle-descaling\">"
    ));
    // Only our own script, loaded from a file (the CSP allows no inline scripts).
    let scripts: Vec<&str> = html
        .match_indices("<script")
        .map(|(i, _)| &html[i..])
        .collect();
    assert_eq!(scripts.len(), 1);
    assert!(scripts[0].starts_with("<script src=\"/assets/search.js?v="));
    assert!(scripts[0].contains("defer></script>"));
    assert!(
        !html.contains("<style") && !html.contains(" style="),
        "no inline styles"
    );
    let css_path = attr_values(&html, "href")
        .into_iter()
        .find(|h| h.starts_with("/assets/site.css"))
        .expect("stylesheet link")
        .to_string();
    let css = get(&app, &css_path).await;
    assert_eq!(css.status, 200);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        css.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(css.body.starts_with(":root{--brand-color:#7a1f5c}"));
    assert!(css.body.contains("prefers-color-scheme: dark"));
    assert!(css.body.contains(":focus-visible"));
    let plain = get(&app, "/assets/site.css").await;
    assert!(
        plain.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let sitemap = get(&app, "/sitemap.xml").await;
    assert!(
        sitemap
            .body
            .contains("<loc>https://help.example.com/ru/articles/kettle-descaling</loc>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instant_search_script_is_served() {
    let app = sample_app().await;
    let html = html_ok(&app, "/ru/").await;
    let src = attr_values(&html, "src")
        .into_iter()
        .find(|s| s.starts_with("/assets/search.js?v="))
        .expect("search.js is linked")
        .to_string();
    let js = get(&app, &src).await;
    assert_eq!(js.status, 200);
    assert!(
        js.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        js.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    for needle in [
        "/api/search?limit=6",
        "combobox",
        "listbox",
        "ArrowDown",
        "Escape",
        "150",
    ] {
        assert!(js.body.contains(needle), "{needle}");
    }
    // What the script asks for answers.
    let (status, body) = app
        .get_json("/api/search?limit=6&q=%D0%B2%D0%BE%D0%B7%D0%B2%D1%80%D1%82&lang=ru")
        .await;
    assert_eq!(status, 200);
    assert!(!body["hits"].as_array().unwrap().is_empty(), "{body}");
}

#[test]
fn the_active_content_check_catches_handlers_and_scripts() {
    for bad in [
        "<p><img src=\"x\" onerror=\"alert(1)\"></p>",
        "<a href=x onclick=go()>x</a>",
        "<script>alert(1)</script>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_active_content(bad)).is_err();
        assert!(caught, "{bad}");
    }
    assert_no_active_content("<p title=\"onerror=x\">&lt;img onerror=alert(1)&gt;</p>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logo_is_served_from_this_site() {
    let dir = copy_fixture("small-kb");
    let logo_dir = tempfile::TempDir::new().unwrap();
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n-not-really-a-picture-".to_vec();
    let path = logo_dir.path().join("logo.png");
    std::fs::write(&path, &png).unwrap();
    // Wrong kinds and sizes are refused with the file named.
    let bad = logo_dir.path().join("logo.exe");
    std::fs::write(&bad, b"x").unwrap();
    assert!(
        otvet::config::Logo::load(&bad)
            .unwrap_err()
            .contains("logo.exe")
    );
    let big = logo_dir.path().join("big.png");
    std::fs::write(&big, vec![0u8; 600 * 1024]).unwrap();
    assert!(
        otvet::config::Logo::load(&big)
            .unwrap_err()
            .contains("512 KiB")
    );

    let mut config = otvet::Config::new(dir.path());
    config.watch = false;
    config.logo = Some(otvet::config::Logo::load(&path).unwrap());
    let app = spawn_app_with(config).await;
    let html = html_ok(&app, "/ru/").await;
    let src = attr_values(&html, "src")
        .into_iter()
        .find(|s| s.starts_with("/assets/logo?v="))
        .expect("logo in the header")
        .to_string();
    let resp = app
        .client
        .get(format!("{}{src}", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), png);

    // Without a logo there is no image and no logo URL.
    let plain = sample_app().await;
    let html = html_ok(&plain, "/ru/").await;
    assert!(!html.contains("/assets/logo"));
    assert_eq!(get(&plain, "/assets/logo").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_german_help_center_has_its_pages_search_and_404() {
    let app = sample_app().await;
    let home = get(&app, "/de/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("<html lang=\"de\">"));
    assert!(home.body.contains("Wie können wir helfen?"), "German home");
    let article = get(&app, "/de/articles/refund-timing").await;
    assert_eq!(article.status, 200);
    assert!(
        article
            .body
            .contains("Rückerstattung: Wann ist das Geld da?")
    );
    // It links its Russian and English versions.
    assert!(article.body.contains("/ru/articles/refund-timing"));
    assert!(article.body.contains("/en/articles/refund-timing"));
    let search = get(&app, "/de/search?q=Geld+zur%C3%BCck+Karte").await;
    assert_eq!(search.status, 200);
    assert!(
        search.body.contains("/de/articles/refund-timing"),
        "German search"
    );
    let missing = get(&app, "/de/articles/no-such-article").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Seite nicht gefunden"));
}
