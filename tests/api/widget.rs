//! The chat widget (`widget/widget.js`): how it is served to other sites, a few promises checked
//! on its source (text only, no cookie, one storage key, size), and the customer's whole journey
//! in Chromium (`tests/browser/widget.mjs`): a shop page on another origin, nothing stored or
//! connected before opening, the question, the bot's answer, "No", the queue, an agent's reply
//! (the script signs in as the agent created here), the unread badge, a reload without
//! duplicates.
//!
//! The browser part skips (with a message) when Chromium, `node` or `tests/browser/node_modules`
//! is missing, unless `OTVET_REQUIRE_BROWSER=1` (as `tests/api/browser.rs`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{run_with_timeout, sample_app, sample_articles, spawn_app_with, sqlite_url};

/// The script as the server embeds it.
const WIDGET: &str = include_str!("../../widget/widget.js");

/// Size goal of the script, gzipped.
const GZIP_BUDGET: usize = 20 * 1024;

/// Upper bound of the whole browser script (it has its own 60 s limit).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(90);

const AGENT_EMAIL: &str = "olga@example.com";
const AGENT_NAME: &str = "Ольга";
const AGENT_PASSWORD: &str = "widget-test-password-7";

#[tokio::test]
async fn widget_script_is_served_to_other_sites() {
    let app = sample_app().await;
    let res = app
        .client
        .get(format!("{}/widget.js", app.base_url))
        .header("Origin", "https://shop.example")
        .send()
        .await
        .expect("GET /widget.js");
    assert_eq!(res.status(), 200);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        header("content-type").starts_with("text/javascript"),
        "{}",
        header("content-type")
    );
    assert_eq!(header("access-control-allow-origin"), "*");
    assert!(header("cache-control").contains("max-age"));
    let body = res.text().await.expect("body");
    // As sent: the source without its comment lines, indentation and blank lines.
    let minified: String = WIDGET
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        // With no look saved: every language, this installation's own first.
        .replacen(
            "const DEFAULTS = {};",
            r#"const DEFAULTS = {"languages":["ru","en","de"]};"#,
            1,
        );
    assert_eq!(body, minified);
}

#[test]
fn widget_source_keeps_its_promises() {
    // Everything from the server is rendered as text.
    assert!(!WIDGET.contains("innerHTML"), "no innerHTML in the widget");
    assert!(!WIDGET.contains("outerHTML") && !WIDGET.contains("insertAdjacentHTML"));
    assert!(!WIDGET.contains("eval(") && !WIDGET.contains("new Function"));
    // No cookie, one storage key, written in one place.
    assert!(!WIDGET.contains("document.cookie"));
    assert!(!WIDGET.contains("sessionStorage"));
    assert_eq!(WIDGET.matches("localStorage.setItem").count(), 1);
    // Inside a shadow root; the only global is window.Otvet.
    assert!(WIDGET.contains("attachShadow"));
    assert!(WIDGET.contains(":host{all:initial"));
    // Every language has every string.
    for lang in ["ru", "en", "de"] {
        assert!(
            WIDGET.contains(&format!("    {lang}: {{")),
            "no {lang} strings"
        );
    }
}

#[test]
fn widget_is_small() {
    let gzip = Command::new("gzip")
        .arg("-9c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut gzip) = gzip else {
        eprintln!("gzip not found: checking the plain size only");
        assert!(WIDGET.len() < 4 * GZIP_BUDGET, "{} bytes", WIDGET.len());
        return;
    };
    gzip.stdin
        .take()
        .expect("stdin")
        .write_all(WIDGET.as_bytes())
        .expect("write to gzip");
    let out = gzip.wait_with_output().expect("gzip");
    assert!(out.status.success());
    let size = out.stdout.len();
    println!("widget.js: {} bytes, {size} gzipped", WIDGET.len());
    assert!(
        size < GZIP_BUDGET,
        "widget.js is {size} bytes gzipped, over {GZIP_BUDGET}"
    );
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn chromium() -> PathBuf {
    std::env::var_os("OTVET_CHROMIUM")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Why the browser test cannot run here, if it cannot.
fn missing_prerequisite() -> Option<String> {
    let chromium = chromium();
    if !chromium.is_file() {
        return Some(format!(
            "Chromium not found at {} (set OTVET_CHROMIUM or install chromium)",
            chromium.display()
        ));
    }
    let playwright = browser_dir().join("node_modules/playwright-core");
    if !playwright.is_dir() {
        return Some(format!(
            "{} is missing (run `npm ci --prefix tests/browser`)",
            playwright.display()
        ));
    }
    let node = Command::new("node")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        return Some("`node` is not on PATH".into());
    }
    None
}

/// Creates the agent account with `otvet agent add --password-stdin` on the test's database.
fn add_agent(database_url: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_otvet"))
        .args(["agent", "add", "--database", database_url])
        .args([
            "--email",
            AGENT_EMAIL,
            "--name",
            AGENT_NAME,
            "--password-stdin",
        ])
        .env("OTVET_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start otvet agent add");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(AGENT_PASSWORD.as_bytes())
        .expect("write the password");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("otvet agent add did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    assert!(
        out.status.success(),
        "otvet agent add failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `tests/browser/widget.mjs` against a fresh app over the sample knowledge base; with
/// `with_agent`, an agent account is created first and the script plays the agent too.
async fn run_widget_script(with_agent: bool) {
    if let Some(why) = missing_prerequisite() {
        if std::env::var("OTVET_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("browser test required (OTVET_REQUIRE_BROWSER=1) but cannot run: {why}");
        }
        eprintln!("browser test skipped: {why}");
        return;
    }

    let db_dir = tempfile::Builder::new()
        .prefix("otvet-widget-db-")
        .tempdir()
        .expect("create temp dir");
    let database_url = sqlite_url(&db_dir.path().join("otvet.db"));
    if with_agent {
        let url = database_url.clone();
        tokio::task::spawn_blocking(move || add_agent(&url))
            .await
            .expect("agent add panicked");
    }
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.database_url = database_url;
    let app = spawn_app_with(config).await;

    let base_url = app.base_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new("node");
        cmd.arg(browser_dir().join("widget.mjs"))
            .arg(&base_url)
            .current_dir(browser_dir())
            .env("OTVET_CHROMIUM", chromium())
            .env_remove("OTVET_AGENT_COOKIE")
            .env_remove("OTVET_SCREENSHOTS");
        if with_agent {
            cmd.env("OTVET_AGENT_EMAIL", AGENT_EMAIL)
                .env("OTVET_AGENT_PASSWORD", AGENT_PASSWORD)
                .env("OTVET_REQUIRE_AGENT", "1");
        } else {
            cmd.env_remove("OTVET_AGENT_EMAIL")
                .env_remove("OTVET_AGENT_PASSWORD")
                .env_remove("OTVET_REQUIRE_AGENT");
        }
        run_with_timeout(cmd, SCRIPT_TIMEOUT)
    })
    .await
    .expect("the browser script runner panicked");
    println!("{}", out.stdout);
    eprintln!("{}", out.stderr);
    assert!(
        !out.timed_out,
        "the browser script did not finish within {SCRIPT_TIMEOUT:?} and was killed\n\
         stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.status.success(),
        "the browser script failed (exit code {:?})\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        out.stdout,
        out.stderr
    );
    app.stop().await;
}

/// The customer's half: nothing before opening, the answer, "No", the queue notice, Escape, a
/// reload without duplicates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_customer_journey_in_chromium() {
    run_widget_script(false).await;
}

/// The whole journey with an agent: the reply with the agent's name, the unread badge while
/// closed, the badge and the conversation restored after a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_agent_reply_in_chromium() {
    run_widget_script(true).await;
}

#[test]
fn the_widget_renders_every_block_type_and_sends_choices() {
    use otvet::domain::{Block, Span};
    // Every block type the server can send (src/domain/answer.rs) has a renderer.
    let p = Block::Paragraph {
        spans: vec![Span::text("x")],
    };
    for block in [
        p.clone(),
        Block::Heading {
            spans: vec![Span::text("h")],
        },
        Block::List {
            ordered: true,
            start: None,
            items: vec![vec![p.clone()]],
        },
        Block::Table {
            header: vec![],
            rows: vec![],
        },
        Block::Quote {
            blocks: vec![p.clone()],
        },
        Block::Code { text: "c".into() },
    ] {
        let ty = serde_json::to_value(&block).unwrap()["type"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            WIDGET.contains(&format!("bl.type === '{ty}'")),
            "the widget does not render '{ty}' blocks"
        );
    }
    // Span styles and the choice frame.
    for field in ["sp.strong", "sp.em", "sp.code", "sp.href"] {
        assert!(WIDGET.contains(field), "{field}");
    }
    assert!(WIDGET.contains("type: 'choose'"));
}
