//! Every agent page in the page's language (issue 15, item 5): an admin (and an agent, for the
//! refusals) fetches each page under `/agent` — the console, sign-in, canned replies, the gap
//! report, the support figures, the team, the settings, the error pages and forms sent back
//! with an error — with `Accept-Language: ru`, `en` and `de`, over data that makes the
//! conditional parts render (a conversation, a canned reply, a gap, a search without results,
//! a "No" vote, a second team member). What a person reads — the text without scripts, styles
//! and code, and the `title`, `placeholder`, `aria-label` and `alt` attributes and the values
//! of buttons and text fields — has no Latin word on a Russian page and no Cyrillic on an
//! English or German one, except a short allow-list (the product's name, e-mail addresses,
//! URLs, placeholders like `{customer_name}`, command-line flags, time-zone names) and the data
//! the test created. The console's script has its own table of texts: every key of its Russian
//! table is in the English and German ones.

use std::collections::BTreeSet;

use otvet::Store;
use otvet::agents::Role;
use otvet::domain::now_ms;
use serde_json::{Value, json};

use crate::helpers::{TestApp, no_redirect_client, sample_articles, spawn_app_with};

const LANGS: [&str; 3] = ["ru", "en", "de"];

/// Latin words a Russian page may show: the product's name, the names of languages in their
/// own language (the help center's language switch), names and acronyms every reader knows.
const LATIN_ALLOWED: &[&str] = &[
    "otvet",
    "English",
    "Deutsch",
    "JavaScript",
    "IANA",
    "UTC",
    "CSAT",
    "CSV",
];

/// Cyrillic an English or German page may show: Russian's name in Russian (the language
/// switch).
const CYRILLIC_ALLOWED: &[&str] = &["Русский"];

/// Code inside a sentence (the widget's tag goes before `</body>`; its `data-*` attributes).
const CODE_IN_TEXT: &[&str] = &["</body>", "data-*"];

/// A request with the admin's (or nobody's) session, as a browser asks for a page.
async fn fetch(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    lang: &str,
    cookie: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> (u16, String) {
    let mut req = no_redirect_client()
        .request(method, format!("{}{path}", app.base_url))
        .header("accept", "text/html")
        .header("accept-language", lang);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    if let Some(f) = form {
        req = req.form(f);
    }
    let res = req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

/// The part of `html` from `open` (a tag's start, like `<script`) to the end of that element
/// removed, every time.
fn drop_elements(html: &str, name: &str) -> String {
    let (open, close) = (format!("<{name}"), format!("</{name}>"));
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        // `<s` must not match `<select`: the tag name ends there.
        let after = rest[i + open.len()..].chars().next();
        if !matches!(after, Some(' ' | '>' | '/' | '\n')) {
            out.push_str(&rest[..i + open.len()]);
            rest = &rest[i + open.len()..];
            continue;
        }
        out.push_str(&rest[..i]);
        rest = match rest[i..].find(&close) {
            Some(j) => &rest[i + j + close.len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in a tag's text (`<input type="text" value="x">`).
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(&tag[i..i + j])
}

/// What a person reads on the page: its text without scripts, styles and code, then the
/// labels and values the page shows in attributes.
fn readable(html: &str) -> String {
    let mut html = html.to_string();
    for name in ["script", "style", "code", "pre"] {
        html = drop_elements(&html, name);
    }
    let mut text = String::new();
    let mut shown = Vec::new();
    let mut rest = html.as_str();
    while let Some(i) = rest.find('<') {
        text.push_str(&rest[..i]);
        text.push(' ');
        let Some(j) = rest[i..].find('>') else { break };
        let tag = &rest[i..i + j + 1];
        for a in ["title", "placeholder", "aria-label", "alt"] {
            shown.extend(attr(tag, a));
        }
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or("text");
            if matches!(kind, "text" | "search" | "submit" | "button" | "reset") {
                shown.extend(attr(tag, "value"));
            }
        }
        rest = &rest[i + j + 1..];
    }
    text.push_str(rest);
    for s in shown {
        text.push('\n');
        text.push_str(s);
    }
    decode(&text)
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{400}'..='\u{4ff}')
}

/// Whether a word (punctuation around it already trimmed) is one the allow-list lets through
/// on a page of another script: an e-mail address, a URL, a placeholder, a flag, a time zone,
/// a colour.
fn is_code_like(w: &str) -> bool {
    w.contains('@')
        || w.starts_with("http://")
        || w.starts_with("https://")
        || (w.starts_with('{') && w.ends_with('}'))
        || w.starts_with("--")
        || (w.starts_with('#') && w.len() == 7 && w[1..].chars().all(|c| c.is_ascii_hexdigit()))
        || w.split_once('/')
            .is_some_and(|(a, b)| a.starts_with(|c: char| c.is_ascii_uppercase()) && !b.is_empty())
}

/// The words of `text` in the wrong script for `lang`, once the data strings are taken out.
fn foreign_words(lang: &str, text: &str, data: &[String]) -> BTreeSet<String> {
    let mut text = text.to_string();
    for d in data
        .iter()
        .map(String::as_str)
        .chain(CODE_IN_TEXT.iter().copied())
    {
        text = text.replace(d, " ");
    }
    let mut bad = BTreeSet::new();
    for raw in text.split_whitespace() {
        let w = raw.trim_matches(|c: char| {
            !(c.is_alphanumeric() || matches!(c, '{' | '}' | '#' | '@' | '/' | '-' | '_'))
        });
        let w = w.trim_end_matches(['-', '/']);
        if w.is_empty() || is_code_like(w) {
            continue;
        }
        let wrong = if lang == "ru" {
            w.chars().any(|c| c.is_ascii_alphabetic()) && !LATIN_ALLOWED.contains(&w)
        } else {
            w.chars().any(is_cyrillic) && !CYRILLIC_ALLOWED.contains(&w)
        };
        if wrong {
            bad.insert(w.to_string());
        }
    }
    bad
}

/// Every string of a JSON value that has Cyrillic letters: what the gap report made of the
/// data this test created.
fn cyrillic_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.chars().any(is_cyrillic) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| cyrillic_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| cyrillic_strings(x, out)),
        _ => {}
    }
}

/// An app with business hours (so the settings page writes days), an admin, an agent, a
/// canned reply, conversations with questions the bot could not answer, a search without
/// results and a "No" vote with a comment. Returns the app, the admin's and the agent's
/// cookies, and the data strings.
async fn seeded() -> (TestApp, String, String, Vec<String>) {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.auto_assign = false;
    config.chat.hours = otvet::domain::hours::BusinessHours::new(
        otvet::domain::hours::WeeklyHours::parse("mon-fri 09:00-18:00; sat 10:00-14:00").unwrap(),
        jiff::tz::TimeZone::get("Europe/Moscow").unwrap(),
    );
    let app = spawn_app_with(config).await;
    let (admin, _) =
        crate::ws::account_cookie(&app, "anna@example.com", "Анна", Role::Admin, None).await;
    let (agent, _) =
        crate::ws::account_cookie(&app, "boris@example.com", "Борис", Role::Agent, Some(3)).await;

    let canned = [
        ("csrf", "csrf-for-tests"),
        ("shortcut", "privet"),
        ("title", "Приветствие"),
        ("body", "Здравствуйте, {customer_name}!"),
    ];
    let (status, _) = fetch(
        &app,
        reqwest::Method::POST,
        "/agent/canned",
        "ru",
        Some(&admin),
        Some(&canned),
    )
    .await;
    assert_eq!(status, 303, "the canned reply is created");

    let store = Store::connect(&app.database_url).await.unwrap();
    let now = now_ms();
    let questions = ["можно ли оплатить криптовалютой", "оплата криптовалютой"];
    for (i, q) in questions.iter().enumerate() {
        let customer = store
            .create_customer(&format!("ui-language-{i}"), now - 3_600_000)
            .await
            .unwrap();
        let conv = store
            .create_conversation(
                customer.id,
                "ru",
                Some("https://shop.example/cart"),
                otvet::domain::Channel::Chat,
                now - 3_600_000,
            )
            .await
            .unwrap();
        store
            .record_unresolved(&conv, 2, q, "no_answer", "[]", now - 3_600_000)
            .await
            .unwrap();
    }
    store
        .record_search_miss("криптовалюта", "ru", Some("visitor-1"), now - 3_600_000)
        .await
        .unwrap();
    store.close().await;
    let (status, body) = app
        .post_json(
            "/api/articles/large-appliances-delivery/feedback",
            &json!({"lang": "ru", "helpful": false, "comment": "Ничего не понятно"}),
            "ui-language-test",
        )
        .await;
    assert!(status < 300, "{status} {body}");

    // The data, as the pages may show it: names, what was typed, what the report made of it.
    let mut data: Vec<String> = [
        "Анна",
        "Борис",
        "Приветствие",
        "Здравствуйте, {customer_name}!",
        "Ничего не понятно",
        "криптовалюта",
        "привет!",
        "Т",
        "privet",
        "пн 25:00-26:00",
    ]
    .map(String::from)
    .to_vec();
    data.extend(questions.map(String::from));
    let (status, report) = fetch(
        &app,
        reqwest::Method::GET,
        "/agent/api/gaps?since=7d",
        "ru",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let report: Value = serde_json::from_str(&report).unwrap();
    cyrillic_strings(&report, &mut data);
    // Longest first, so that a name inside a longer text does not leave half of it.
    data.sort_by_key(|d| std::cmp::Reverse(d.chars().count()));
    (app, admin, agent, data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_agent_page_speaks_the_pages_language() {
    let (app, admin, agent, data) = seeded().await;
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    // (what, method, path, whose session, form, expected status)
    type Case<'a> = (
        &'a str,
        reqwest::Method,
        &'a str,
        Option<&'a str>,
        Option<Vec<(&'a str, &'a str)>>,
        u16,
    );
    let csrf = ("csrf", "csrf-for-tests");
    let cases: Vec<Case> = vec![
        ("console", get.clone(), "/agent", Some(&admin), None, 200),
        ("sign-in", get.clone(), "/agent/login", None, None, 200),
        (
            "canned",
            get.clone(),
            "/agent/canned",
            Some(&admin),
            None,
            200,
        ),
        (
            "canned, saved",
            get.clone(),
            "/agent/canned?done=saved",
            Some(&admin),
            None,
            200,
        ),
        (
            "canned, as an agent",
            get.clone(),
            "/agent/canned",
            Some(&agent),
            None,
            200,
        ),
        (
            "gaps",
            get.clone(),
            "/agent/gaps?since=7d",
            Some(&admin),
            None,
            200,
        ),
        (
            "gaps, wrong period",
            get.clone(),
            "/agent/gaps?since=banana",
            Some(&admin),
            None,
            400,
        ),
        (
            "reports",
            get.clone(),
            "/agent/reports",
            Some(&admin),
            None,
            200,
        ),
        (
            "reports, wrong period",
            get.clone(),
            "/agent/reports?from=07.03.2026",
            Some(&admin),
            None,
            400,
        ),
        ("team", get.clone(), "/agent/team", Some(&admin), None, 200),
        (
            "settings",
            get.clone(),
            "/agent/settings",
            Some(&admin),
            None,
            200,
        ),
        (
            "not found",
            get.clone(),
            "/agent/nothing-here",
            Some(&admin),
            None,
            404,
        ),
        (
            "team, as an agent",
            get.clone(),
            "/agent/team",
            Some(&agent),
            None,
            403,
        ),
        (
            "gaps, as an agent",
            get.clone(),
            "/agent/gaps",
            Some(&agent),
            None,
            403,
        ),
        (
            "canned form, wrong shortcut",
            post.clone(),
            "/agent/canned",
            Some(&admin),
            Some(vec![
                csrf,
                ("shortcut", "привет!"),
                ("title", "Т"),
                ("body", "Т"),
            ]),
            400,
        ),
        (
            "canned form, shortcut taken",
            post.clone(),
            "/agent/canned",
            Some(&admin),
            Some(vec![
                csrf,
                ("shortcut", "privet"),
                ("title", "Т"),
                ("body", "Т"),
            ]),
            409,
        ),
        (
            "team form, email taken",
            post.clone(),
            "/agent/team",
            Some(&admin),
            Some(vec![
                csrf,
                ("email", "boris@example.com"),
                ("name", "Борис"),
                ("role", "agent"),
            ]),
            409,
        ),
        (
            "team form, wrong cap",
            post.clone(),
            "/agent/team",
            Some(&admin),
            Some(vec![
                csrf,
                ("email", "vera@example.com"),
                ("name", "Борис"),
                ("role", "agent"),
                ("max_chats", "1000"),
            ]),
            400,
        ),
        (
            "settings form, wrong hours",
            post.clone(),
            "/agent/settings",
            Some(&admin),
            Some(vec![
                csrf,
                ("hours", "пн 25:00-26:00"),
                ("timezone", "Europe/Moscow"),
            ]),
            400,
        ),
        (
            "form without its token",
            post.clone(),
            "/agent/settings",
            Some(&admin),
            Some(vec![("hours", "24/7"), ("timezone", "UTC")]),
            403,
        ),
    ];
    let mut failures = Vec::new();
    for lang in LANGS {
        for (what, method, path, cookie, form, status) in &cases {
            let (got, html) =
                fetch(&app, method.clone(), path, lang, *cookie, form.as_deref()).await;
            assert_eq!(got, *status, "{lang} {what} ({path}): {html}");
            assert!(
                html.contains(&format!("<html lang=\"{lang}\"")),
                "{lang} {what}: the page's language: {html:.300}"
            );
            let text = readable(&html);
            let bad = foreign_words(lang, &text, &data);
            if !bad.is_empty() {
                failures.push(format!("{lang} {what} ({path}): {bad:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "words not in the page's language:\n{}",
        failures.join("\n")
    );

    // The conditional parts were there to be read.
    for (path, parts) in [
        (
            "/agent/gaps?since=7d",
            &["class=\"gap\"", "class=\"article-votes\"", "/draft.md"][..],
        ),
        (
            "/agent/team",
            &["boris@example.com", "name=\"max_chats\""][..],
        ),
        ("/agent/canned", &["id=\"canned-", "name=\"shortcut\""][..]),
    ] {
        let (_, html) = fetch(&app, get.clone(), path, "ru", Some(&admin), None).await;
        for part in parts {
            assert!(html.contains(part), "{path}: no {part}: {html}");
        }
    }

    // The settings page writes the server's days in the page's language.
    for (lang, days) in [
        ("ru", "пн-пт 09:00-18:00"),
        ("de", "Mo-Fr 09:00-18:00"),
        ("en", "mon-fri 09:00-18:00"),
    ] {
        let (_, html) = fetch(
            &app,
            get.clone(),
            "/agent/settings",
            lang,
            Some(&admin),
            None,
        )
        .await;
        assert!(html.contains(&format!("value=\"{days}")), "{lang}: {html}");
    }
    app.stop().await;
}

#[test]
fn the_checks_find_words_in_the_wrong_language() {
    let html = r#"<html><head><title>Консоль</title></head><body><nav aria-label="Sections">
        <script>var x = "Hello";</script><p>Привет, <code>otvet agent add</code> мир 7d</p>
        <button title="Разделы">Взять</button><input type="submit" value="Send">
        <input type="hidden" value="secret"><p>anna@example.com Europe/Moscow {customer_name}</p>
        </nav></body></html>"#;
    let text = readable(html);
    let bad = foreign_words("ru", &text, &[]);
    assert_eq!(
        bad,
        ["7d", "Send", "Sections"].map(String::from).into(),
        "{text}"
    );
    let bad = foreign_words("en", "Hello Мир, data: Анна", &["Анна".to_string()]);
    assert_eq!(bad, ["Мир".to_string()].into());
}

/// The keys of each language's table in the console's `TEXTS`, with nested tables as
/// `errors.too_long`.
fn console_text_keys(js: &str) -> Vec<(String, BTreeSet<String>)> {
    let start = js.find("const TEXTS = {").expect("the console's TEXTS") + "const TEXTS = ".len();
    let bytes: Vec<char> = js[start..].chars().collect();
    let mut langs: Vec<(String, BTreeSet<String>)> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut expect_key = false;
    let mut pending: Option<String> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            '\'' | '"' | '`' => {
                // Skip a string (escapes included).
                i += 1;
                while i < bytes.len() && bytes[i] != c {
                    if bytes[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                expect_key = false;
            }
            '{' => {
                depth += 1;
                if let Some(k) = pending.take() {
                    path.push(k);
                }
                expect_key = true;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                // The `}` of a key's nested table closes it; others (functions) are not ours.
                if path.len() >= depth {
                    path.pop();
                }
                expect_key = false;
            }
            ',' => expect_key = true,
            c if expect_key && (c.is_ascii_alphabetic() || c == '_') => {
                let mut k = String::new();
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == '_') {
                    k.push(bytes[i]);
                    i += 1;
                }
                while i < bytes.len() && bytes[i].is_whitespace() {
                    i += 1;
                }
                expect_key = false;
                if bytes.get(i) == Some(&':') {
                    if depth == 1 {
                        langs.push((k.clone(), BTreeSet::new()));
                    } else if let Some((_, keys)) = langs.last_mut() {
                        let mut full = path[1..].to_vec();
                        full.push(k.clone());
                        keys.insert(full.join("."));
                    }
                    // A nested table opens right after the colon.
                    let mut j = i + 1;
                    while j < bytes.len() && bytes[j].is_whitespace() {
                        j += 1;
                    }
                    if bytes.get(j) == Some(&'{') {
                        pending = Some(k);
                    }
                }
                continue;
            }
            c if !c.is_whitespace() => expect_key = false,
            _ => {}
        }
        i += 1;
    }
    langs
}

#[test]
fn the_consoles_script_has_every_text_in_every_language() {
    let js = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/agents/assets/console.js"),
    )
    .unwrap();
    let tables = console_text_keys(&js);
    let langs: Vec<&str> = tables.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(langs, LANGS, "one table per language");
    let (_, ru) = &tables[0];
    assert!(ru.len() > 60, "the Russian table was read: {ru:?}");
    for nested in [
        "status.queued",
        "errors.too_long",
        "langName.de",
        "reason.no_answer",
    ] {
        assert!(ru.contains(nested), "{nested} in {ru:?}");
    }
    for (lang, keys) in &tables[1..] {
        let missing: Vec<_> = ru.difference(keys).collect();
        let extra: Vec<_> = keys.difference(ru).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{lang}: missing {missing:?}, not in Russian {extra:?}"
        );
    }
    // And no text is left in English outside the tables: every toast and hint comes from T.
    for line in js.lines().filter(|l| l.contains("toast(")) {
        assert!(
            !line.contains("toast('") && !line.contains("toast(`"),
            "a toast with its own words: {line}"
        );
    }
}
