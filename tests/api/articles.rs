//! The HTTP contract: article JSON, sections and anchors, translations, 400s and 404s, healthz,
//! and how the server treats a folder with broken articles and symbolic links.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{
    CliOutput, TestApp, article_md, copy_fixture, run_otvet, sample_app, sample_articles,
    spawn_app, write_file,
};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .expect("a JSON object")
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

fn sorted(xs: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = xs.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn assert_error(status: u16, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(keys(body), sorted(&["code", "message"]), "{body}");
    assert_eq!(body["code"], want_code, "{body}");
    assert!(!body["message"].as_str().unwrap_or("").is_empty(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_rejects_bad_parameters() {
    let app = sample_app().await;
    let long = "д".repeat(10_001);
    let bad: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("lang", "ru")],
        vec![("q", "доставка"), ("lang", "fr")],
        vec![("q", "доставка"), ("lang", "russian")],
        vec![("q", "доставка"), ("limit", "0")],
        vec![("q", "доставка"), ("limit", "51")],
        vec![("q", "доставка"), ("limit", "-1")],
        vec![("q", "доставка"), ("limit", "abc")],
        vec![("q", "доставка"), ("limit", "2.5")],
        vec![("q", "доставка"), ("limit", "99999999999999999999999")],
        vec![("q", long.as_str())],
    ];
    for params in bad {
        let (status, body) = app.search_params(&params).await;
        assert_error(status, &body, 400, "bad_request");
    }
    for params in [
        vec![("q", "доставка"), ("limit", "1")],
        vec![("q", "доставка"), ("limit", "50")],
        vec![("q", "доставка"), ("lang", "en")],
        vec![("q", "доставка"), ("lang", "de")],
        vec![("q", "доставка"), ("lang", "EN")],
        vec![("q", "")],
    ] {
        let (status, body) = app.search_params(&params).await;
        assert_eq!(status, 200, "{params:?}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_response_shape() {
    let app = sample_app().await;
    let (status, body) = app
        .search_params(&[("q", "сколько стоит доставка"), ("lang", "ru")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        keys(&body),
        sorted(&["query", "lang", "answered", "threshold", "hits"]),
        "{body}"
    );
    assert_eq!(body["query"], "сколько стоит доставка");
    assert_eq!(body["lang"], "ru");
    assert!(body["answered"].is_boolean());
    assert!(
        (body["threshold"].as_f64().unwrap() - f64::from(otvet::search::DEFAULT_THRESHOLD)).abs()
            < 1e-6,
        "default threshold"
    );
    let hits = body["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    let mut saw_section = false;
    for h in hits {
        assert_eq!(
            keys(h),
            sorted(&[
                "slug",
                "lang",
                "title",
                "section",
                "url",
                "snippet",
                "confidence",
                "score"
            ]),
            "{h}"
        );
        assert!(h["confidence"].is_number() && h["score"].is_number(), "{h}");
        match &h["section"] {
            Value::Null => {}
            s => {
                saw_section = true;
                assert_eq!(keys(s), sorted(&["title", "anchor"]), "{h}");
            }
        }
        // Every hit agrees with its article.
        let slug = h["slug"].as_str().unwrap();
        let lang = h["lang"].as_str().unwrap();
        let (st, article) = app.article(slug, Some(lang)).await;
        assert_eq!(st, 200, "{article}");
        assert_eq!(article["title"], h["title"]);
        if let Some(anchor) = h["section"]["anchor"].as_str() {
            let anchors: Vec<&str> = article["sections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["anchor"].as_str().unwrap())
                .collect();
            assert!(
                anchors.contains(&anchor),
                "hit anchor {anchor} not among {anchors:?}"
            );
            assert_eq!(
                h["url"].as_str().unwrap(),
                format!("{}#{anchor}", article["url"].as_str().unwrap())
            );
        }
    }
    assert!(
        saw_section,
        "a multi-section article should point at a section: {body}"
    );
    // lang omitted is echoed as null.
    let (_, body) = app.search_params(&[("q", "доставка")]).await;
    assert_eq!(body["lang"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_json_with_sections_anchors_and_translations() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;

    let (status, a) = app.article("kettle-descaling", Some("ru")).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(
        keys(&a),
        sorted(&[
            "slug",
            "lang",
            "title",
            "category",
            "tags",
            "updated",
            "url",
            "html",
            "sections",
            "related",
            "translations"
        ]),
        "{a}"
    );
    assert_eq!(a["slug"], "kettle-descaling");
    assert_eq!(a["lang"], "ru");
    assert_eq!(a["title"], "Как удалить накипь в чайнике");
    assert_eq!(a["category"], "Чайники");
    assert_eq!(a["tags"], serde_json::json!(["накипь", "чайник"]));
    assert_eq!(a["updated"], "2026-03-01");
    assert_eq!(a["url"], "/ru/articles/kettle-descaling");
    assert_eq!(a["related"], serde_json::json!(["bike-tyre-repair"]));
    let sections: Vec<(String, String, u64)> = a["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(keys(s), sorted(&["anchor", "title", "level"]), "{s}");
            (
                s["anchor"].as_str().unwrap().to_string(),
                s["title"].as_str().unwrap().to_string(),
                s["level"].as_u64().unwrap(),
            )
        })
        .collect();
    let expect = [
        ("что-понадобится", "Что понадобится", 2),
        ("citric-acid", "Чистка лимонной кислотой", 2), // explicit {#id}
        ("как-часто-чистить", "Как часто чистить", 3),
        ("как-оформить-возврат", "Как оформить возврат", 2), // Cyrillic kept
    ];
    let expect: Vec<(String, String, u64)> = expect
        .iter()
        .map(|(a, t, l)| (a.to_string(), t.to_string(), *l))
        .collect();
    assert_eq!(sections, expect);
    let html = a["html"].as_str().unwrap();
    for (anchor, _, level) in &expect {
        assert!(
            html.contains(&format!("<h{level} id=\"{anchor}\">")),
            "no heading with id {anchor}: {html}"
        );
    }
    assert!(
        !html.contains("{#citric-acid}"),
        "the {{#id}} attribute is not shown: {html}"
    );
    assert!(
        !html.contains("чем почистить чайник"),
        "questions are searched, not shown"
    );
    assert_eq!(
        a["translations"],
        serde_json::json!([{"lang": "en", "url": "/en/articles/kettle-descaling"}])
    );

    let (status, en) = app.article("kettle-descaling", Some("en")).await;
    assert_eq!(status, 200, "{en}");
    assert_eq!(en["lang"], "en");
    assert_eq!(en["title"], "How to descale a kettle");
    assert_eq!(en["category"], "Kettles");
    assert_eq!(en["updated"], "2026-03-01");
    assert_eq!(en["related"], serde_json::json!([]));
    assert_eq!(
        en["translations"],
        serde_json::json!([{"lang": "ru", "url": "/ru/articles/kettle-descaling"}])
    );

    // Without lang: the default language (ru).
    let (status, d) = app.article("kettle-descaling", None).await;
    assert_eq!(status, 200);
    assert_eq!(d["lang"], "ru");
    // An article only in Russian: no translations, 404 in English, found without lang.
    let (status, bike) = app.article("bike-tyre-repair", None).await;
    assert_eq!(status, 200);
    assert_eq!(bike["translations"], serde_json::json!([]));
    let (status, body) = app.article("bike-tyre-repair", Some("en")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_kb_translations_and_anchors() {
    let app = sample_app().await;
    let (status, ru) = app.article("sms-code-not-arriving", Some("ru")).await;
    assert_eq!(status, 200);
    assert_eq!(
        ru["translations"],
        serde_json::json!([
            {"lang": "en", "url": "/en/articles/sms-code-not-arriving"},
            {"lang": "de", "url": "/de/articles/sms-code-not-arriving"}
        ])
    );
    let anchors: Vec<&str> = ru["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["anchor"].as_str().unwrap())
        .collect();
    assert!(
        anchors.contains(&"zvonok"),
        "explicit anchor {{#zvonok}}: {anchors:?}"
    );
    assert!(
        anchors.contains(&"проверьте-в-первую-очередь"),
        "{anchors:?}"
    );
    let (status, en) = app.article("sms-code-not-arriving", Some("en")).await;
    assert_eq!(status, 200);
    assert_eq!(
        en["translations"],
        serde_json::json!([
            {"lang": "ru", "url": "/ru/articles/sms-code-not-arriving"},
            {"lang": "de", "url": "/de/articles/sms-code-not-arriving"}
        ])
    );
    let (status, r) = app.article("return-goods", Some("ru")).await;
    assert_eq!(status, 200);
    let anchors: Vec<&str> = r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["anchor"].as_str().unwrap())
        .collect();
    assert!(anchors.contains(&"oformit-vozvrat"), "{anchors:?}");
    assert!(
        anchors.contains(&"если-товар-крупногабаритный"),
        "{anchors:?}"
    );
    let (status, d) = app.article("return-defective-goods", None).await;
    assert_eq!(status, 200);
    let anchors: Vec<&str> = d["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["anchor"].as_str().unwrap())
        .collect();
    assert!(anchors.contains(&"как-оформить-возврат"), "{anchors:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_and_bad_requests() {
    let app = sample_app().await;
    for path in [
        "/api/articles/no-such-article",
        "/api/articles/installation-services?lang=en",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_error(status, &body, 404, "not_found");
    }
    for path in [
        "/api/articles/Delivery-Options",
        "/api/articles/with%20space",
        "/api/articles/%D0%B4%D0%BE%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0",
        "/api/articles/-lead",
        "/api/articles/delivery-options?lang=fr",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_error(status, &body, 400, "bad_request");
    }
    let long = format!("/api/articles/{}", "a".repeat(101));
    let (status, body) = app.get_json(&long).await;
    assert_error(status, &body, 400, "bad_request");
    for path in [
        "/nope",
        "/api/nope",
        "/api/search/extra",
        "/api/articles",
        "/api/articles/a/b",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_error(status, &body, 404, "not_found");
    }
}

/// Counts the articles of a folder that should be served: every `.md` file that is not a draft.
fn published_count(dir: &std::path::Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            n += published_count(&p);
        } else if p.extension().is_some_and(|x| x == "md") {
            let text = std::fs::read_to_string(&p).unwrap();
            let front = text.split("\n---").next().unwrap_or("");
            if !front.lines().any(|l| l.trim() == "draft: true") {
                n += 1;
            }
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_counts_articles() {
    let app = sample_app().await;
    let h = app.healthz().await;
    assert_eq!(
        keys(&h),
        sorted(&["status", "articles", "article_errors"]),
        "{h}"
    );
    assert_eq!(h["status"], "ok");
    let expected = published_count(&sample_articles());
    assert!(expected > 40, "the sample KB has dozens of articles");
    assert_eq!(h["articles"].as_u64(), Some(expected as u64), "{h}");
    assert_eq!(h["article_errors"].as_u64(), Some(0), "{h}");

    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let h = app.healthz().await;
    assert_eq!(
        h["articles"].as_u64(),
        Some(published_count(dir.path()) as u64),
        "{h}"
    );
    assert_eq!(h["article_errors"].as_u64(), Some(0), "{h}");
}

/// The broken-articles fixture plus a non-UTF-8 file (written here so no tool re-encodes it).
pub fn broken_kb() -> tempfile::TempDir {
    let dir = copy_fixture("broken");
    let mut bytes = b"---\ntitle: \xcf\xf0\xe8\xe2\xe5\xf2 cp1251\n---\n\n".to_vec();
    bytes.extend_from_slice(b"\xd2\xe5\xea\xf1\xf2 \xff\xfe\n");
    write_file(dir.path(), "ru/broken/not-utf8.md", bytes);
    dir
}

/// (file relative to the folder, line) of every error the broken fixture must report.
pub const BROKEN_ERRORS: &[(&str, usize)] = &[
    ("ru/broken/Bad Name.md", 1), // invalid file name
    ("ru/broken/bad-date.md", 3), // `updated: 14.10.2026` on line 3
    ("ru/broken/bad-yaml.md", 4), // `tags: [мультиварка, кухня]]` on line 4
    ("ru/broken/no-front-matter.md", 1),
    ("ru/broken/no-title.md", 2), // front matter starts on line 2 and has no title
    ("ru/broken/not-utf8.md", 1),
    ("ru/broken/unknown-lang.md", 3), // `lang: fr` on line 3
    ("ru/dup-b/iron-care.md", 1),     // same slug as ru/dup-a/iron-care.md
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_articles_are_skipped_and_counted() {
    let dir = broken_kb();
    let app = spawn_app(dir.path()).await;
    let h = app.healthz().await;
    assert_eq!(
        h["article_errors"].as_u64(),
        Some(BROKEN_ERRORS.len() as u64),
        "{h}"
    );
    // Served: two good Russian articles, one English, and the first of the duplicate pair.
    assert_eq!(h["articles"].as_u64(), Some(4), "{h}");

    for (slug, lang, title) in [
        ("kettle-warranty", "ru", "Гарантия на электрочайники"),
        ("kettle-warranty", "en", "Electric kettle warranty"),
        ("scooter-delivery", "ru", "Доставка самокатов"),
        ("iron-care", "ru", "Уход за утюгом"),
    ] {
        let (status, a) = app.article(slug, Some(lang)).await;
        assert_eq!(status, 200, "{slug}/{lang}: {a}");
        assert_eq!(a["title"], title);
    }
    assert_eq!(
        app.search("самокаты", Some("ru"))
            .await
            .top()
            .map(|h| h.slug.clone())
            .as_deref(),
        Some("scooter-delivery")
    );
    assert_eq!(
        app.search("электрочайник", Some("ru"))
            .await
            .top()
            .map(|h| h.slug.clone())
            .as_deref(),
        Some("kettle-warranty")
    );

    // Nothing of the broken ones, nor of the draft, is served or searchable.
    for slug in [
        "bad-date",
        "bad-yaml",
        "no-front-matter",
        "no-title",
        "not-utf8",
        "unknown-lang",
        "draft-telescopes",
    ] {
        let (status, body) = app.article(slug, None).await;
        assert_eq!(status, 404, "{slug} must not be served: {body}");
    }
    for word in [
        "кофемолки",
        "мультиварки",
        "соковыжималки",
        "блендеры",
        "тостеры",
        "гироскутеры",
        "телескопы",
        "отпариватель",
    ] {
        let res = app.search(word, None).await;
        assert!(
            res.hits.is_empty(),
            "{word:?} comes from a broken or draft article\n{}",
            res.describe()
        );
    }
}

/// A draft fixture by itself: validated, not published, and not an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_are_not_served() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "ru/a/published.md",
        "---\ntitle: Опубликованная статья про арбузы\n---\n\nАрбузы.\n",
    );
    write_file(
        dir.path(),
        "ru/a/secret.md",
        "---\ntitle: Черновик про дыни\ndraft: true\n---\n\nДыни.\n",
    );
    let app = spawn_app(dir.path()).await;
    let h = app.healthz().await;
    assert_eq!(h["articles"].as_u64(), Some(1), "{h}");
    assert_eq!(h["article_errors"].as_u64(), Some(0), "{h}");
    assert_eq!(app.article("secret", None).await.0, 404);
    assert!(app.search("дыни", None).await.hits.is_empty());
    assert_eq!(app.search("арбузы", None).await.hits.len(), 1);
}

/// An editor preparing a new version as a draft (same slug, another folder) must not take the
/// live article off the site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_with_the_same_slug_does_not_unpublish_the_live_article() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "ru/_drafts/delivery-options.md",
        "---\ntitle: Доставка, новая версия\ndraft: true\n---\n\nЧерновик.\n",
    );
    write_file(
        dir.path(),
        "ru/delivery/delivery-options.md",
        "---\ntitle: Доставка\n---\n\nОпубликованная статья о доставке.\n",
    );
    let app = spawn_app(dir.path()).await;
    let (status, a) = app.article("delivery-options", Some("ru")).await;
    assert_eq!(
        status,
        200,
        "the live article is gone: {a}; healthz {}",
        app.healthz().await
    );
    assert_eq!(a["title"], "Доставка");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_on_every_response() {
    let app = sample_app().await;
    for path in [
        "/healthz",
        "/api/search?q=%D0%B4%D0%BE%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0",
        "/api/search",
        "/api/articles/return-goods",
        "/no-such-page",
    ] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .expect("request");
        let h = resp.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{path}: no Content-Security-Policy"));
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
        assert!(
            !csp.split(';')
                .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")),
            "{path}: inline scripts must stay forbidden: {csp}"
        );
        assert_eq!(
            h.get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            h.get("referrer-policy").and_then(|v| v.to_str().ok()),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Symbolic links
// ---------------------------------------------------------------------------------------------

/// Reading a folder, links and all, takes well under this; a walk that loops runs into it.
const LINK_TIMEOUT: Duration = Duration::from_secs(30);

/// `otvet check` over `dir`, run off the async threads and bounded by [`LINK_TIMEOUT`].
async fn check(dir: &Path) -> CliOutput {
    let dir = dir.to_str().expect("UTF-8 path").to_string();
    tokio::task::spawn_blocking(move || run_otvet(&["check", "--articles", &dir], LINK_TIMEOUT))
        .await
        .expect("check ran")
}

/// The app over `dir`, failing the test when it does not start within [`LINK_TIMEOUT`].
async fn spawn_bounded(dir: &Path) -> TestApp {
    tokio::time::timeout(LINK_TIMEOUT, spawn_app(dir))
        .await
        .unwrap_or_else(|_| panic!("the app did not start within {LINK_TIMEOUT:?}"))
}

/// The message `otvet check` printed for `rel`, asserting that it is the only error line for it.
fn error_for(out: &CliOutput, root: &Path, rel: &str) -> String {
    let prefix = format!("{}:1: ", root.join(rel).display());
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .collect();
    assert_eq!(lines.len(), 1, "one error for {rel}\n{out:#?}");
    assert!(!lines[0].contains("warning:"), "{out:#?}");
    lines[0][prefix.len()..].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_outside_the_folder_are_not_published() {
    let outside = tempfile::tempdir().unwrap();
    write_file(
        outside.path(),
        "secret.md",
        article_md("Тайные марципаны", "Рецепт марципанов."),
    );
    write_file(
        outside.path(),
        "more/hidden.md",
        article_md("Тайные пастилы", "Рецепт пастилы."),
    );
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(root, "ru/a/good.md", article_md("Арбузы", "Про арбузы."));
    symlink(outside.path().join("secret.md"), root.join("ru/a/leak.md")).unwrap();
    symlink(outside.path().join("more"), root.join("ru/more")).unwrap();

    let app = spawn_bounded(root).await;
    let h = app.healthz().await;
    assert_eq!(h["articles"].as_u64(), Some(1), "{h}");
    assert_eq!(h["article_errors"].as_u64(), Some(2), "{h}");
    assert_eq!(app.article("good", Some("ru")).await.0, 200);
    for slug in ["leak", "secret", "hidden"] {
        let (status, body) = app.article(slug, None).await;
        assert_eq!(status, 404, "{slug} comes from outside the folder: {body}");
    }
    for word in ["марципаны", "пастила"] {
        let res = app.search(word, None).await;
        assert!(res.hits.is_empty(), "{word:?}\n{}", res.describe());
    }

    let out = check(root).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    for rel in ["ru/a/leak.md", "ru/more"] {
        assert!(error_for(&out, root, rel).contains("outside"), "{out:#?}");
    }
    assert!(!out.stdout.contains("secret") && !out.stdout.contains("hidden"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_loops_are_reported_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(root, "ru/a/good.md", article_md("Арбузы", "Про арбузы."));
    write_file(
        root,
        "en/b/melons.md",
        article_md("Melons", "About melons."),
    );
    symlink("..", root.join("ru/loop")).unwrap();
    symlink(".", root.join("ru/a/self")).unwrap();
    // Not a loop, but a second way into a folder already read.
    symlink("../en/b", root.join("ru/again")).unwrap();

    let out = check(root).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(error_for(&out, root, "ru/loop").contains("loop"));
    assert!(error_for(&out, root, "ru/a/self").contains("loop"));
    assert!(error_for(&out, root, "ru/again").contains("already read"));
    let errors = out.stdout.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(errors, 3, "nothing else, nothing twice\n{out:#?}");

    let app = spawn_bounded(root).await;
    let h = app.healthz().await;
    assert_eq!(h["articles"].as_u64(), Some(2), "{h}");
    assert_eq!(h["article_errors"].as_u64(), Some(3), "{h}");
    assert_eq!(app.article("good", Some("ru")).await.0, 200);
    assert_eq!(app.article("melons", Some("en")).await.0, 200);
    let (status, a) = app.article("melons", Some("ru")).await;
    assert_eq!(status, 404, "read under its real path only: {a}");
    assert_eq!(app.search("арбузы", Some("ru")).await.hits.len(), 1);
}

/// A link to a file inside the folder is read as that file placed where the link is: its
/// name is the slug, its folder the language. A dangling link is reported, nothing else fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_to_a_file_inside_is_read_where_the_link_is() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(
        root,
        "ru/a/original.md",
        article_md("Уход за кактусами", "Кактусы поливают редко."),
    );
    std::fs::create_dir_all(root.join("ru/b")).unwrap();
    symlink("../a/original.md", root.join("ru/b/alias.md")).unwrap();

    let out = check(root).await;
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(out.stdout.trim().is_empty(), "{out:#?}");

    symlink("../a/gone.md", root.join("ru/b/dangling.md")).unwrap();
    let out = check(root).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(error_for(&out, root, "ru/b/dangling.md").contains("broken symbolic link"));

    let app = spawn_bounded(root).await;
    let h = app.healthz().await;
    assert_eq!(h["articles"].as_u64(), Some(2), "{h}");
    assert_eq!(h["article_errors"].as_u64(), Some(1), "{h}");
    for slug in ["original", "alias"] {
        let (status, a) = app.article(slug, Some("ru")).await;
        assert_eq!(status, 200, "{slug}: {a}");
        assert_eq!(a["title"], "Уход за кактусами");
        assert_eq!(a["url"], format!("/ru/articles/{slug}"));
    }
}
