//! The help center in a real browser: `tests/browser/help-center.mjs` drives the system
//! Chromium (through `playwright-core`) over the sample knowledge base — instant search with a
//! typo, picking the suggestion with the keyboard, landing on the section's anchor, then
//! answering "No" with a comment in the no-JS feedback form.
//!
//! Skips (with a message) when Chromium, `node` or `tests/browser/node_modules` is missing,
//! unless `OTVET_REQUIRE_BROWSER=1`. Chromium is `$OTVET_CHROMIUM` or `/usr/bin/chromium`;
//! install the script's dependencies with `npm ci --prefix tests/browser`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::helpers::{run_with_timeout, sample_articles, spawn_app_with, sqlite_url};

/// Upper bound of the whole browser script (it has its own 60 s limit).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(90);

pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

pub fn chromium() -> PathBuf {
    std::env::var_os("OTVET_CHROMIUM")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Why the browser test cannot run here, if it cannot.
pub fn missing_prerequisite() -> Option<String> {
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
    if !node_available() {
        return Some("`node` is not on PATH".into());
    }
    None
}

struct ScriptOutput {
    success: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

/// Runs `node tests/browser/help-center.mjs <base_url>`, killing it after `timeout`.
fn run_script(base_url: &str, timeout: Duration) -> ScriptOutput {
    let mut cmd = Command::new("node");
    cmd.arg(browser_dir().join("help-center.mjs"))
        .arg(base_url)
        .current_dir(browser_dir())
        .env("OTVET_CHROMIUM", chromium());
    let run = run_with_timeout(cmd, timeout);
    ScriptOutput {
        success: run.status.success() && !run.timed_out,
        code: run.status.code(),
        stdout: run.stdout,
        stderr: run.stderr,
        timed_out: run.timed_out,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_center_search_keyboard_and_feedback_in_chromium() {
    if let Some(why) = missing_prerequisite() {
        if std::env::var("OTVET_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("browser test required (OTVET_REQUIRE_BROWSER=1) but cannot run: {why}");
        }
        eprintln!("browser test skipped: {why}");
        return;
    }

    let db_dir = tempfile::Builder::new()
        .prefix("otvet-browser-db-")
        .tempdir()
        .expect("create temp dir");
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.database_url = sqlite_url(&db_dir.path().join("otvet.db"));
    let app = spawn_app_with(config).await;

    let base_url = app.base_url.clone();
    let out = tokio::task::spawn_blocking(move || run_script(&base_url, SCRIPT_TIMEOUT))
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
        out.success,
        "the browser script failed (exit code {:?})\nstdout:\n{}\nstderr:\n{}",
        out.code, out.stdout, out.stderr
    );

    // The vote the browser sent is in this app's database.
    let (status, body) = app
        .get_json("/api/articles/large-appliances-delivery/feedback?lang=ru")
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["no"].as_i64().unwrap_or(0) >= 1, "{body}");
    app.stop().await;
}

/// The console's alerts in Chromium (`tests/browser/console-notify.mjs`): a sound, a desktop
/// notification and the tab title for a conversation entering the queue while the agent looks
/// elsewhere; the sound switch kept for the agent across a reload; then the contact card edited
/// from the details column, a conversation resolved, found in the "Resolved" view and reopened,
/// and the "mine" and "waiting" views.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_alerts_the_agent_and_keeps_the_contact_card_in_chromium() {
    run_agent_script("console-notify.mjs").await;
}

/// Runs `tests/browser/<script> <base_url>` with one signed-in agent (`OTVET_AGENT_COOKIE`) on
/// a fresh app over the sample articles without auto-assignment; fails when the script fails.
async fn run_agent_script(script: &'static str) {
    run_script_as(script, otvet::agents::Role::Agent).await;
}

/// [`run_agent_script`] with an account of `role`.
async fn run_script_as(script: &'static str, role: otvet::agents::Role) {
    run_script_with(
        script,
        &[("olga@example.com", "Ольга", role, "OTVET_AGENT_COOKIE")],
    )
    .await;
}

/// Runs `tests/browser/<script> <base_url>` on a fresh app over the sample articles without
/// auto-assignment, with a session of each account (email, name, role) in its variable.
async fn run_script_with(
    script: &'static str,
    accounts: &[(&str, &str, otvet::agents::Role, &'static str)],
) {
    if let Some(why) = missing_prerequisite() {
        if std::env::var("OTVET_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("browser test required (OTVET_REQUIRE_BROWSER=1) but cannot run: {why}");
        }
        eprintln!("browser test skipped: {why}");
        return;
    }
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.auto_assign = false;
    config.starter_canned = true;
    config.help_center_chat = true;
    let app = spawn_app_with(config).await;
    let mut cookies = Vec::new();
    for &(email, name, role, var) in accounts {
        let (cookie, _) = crate::ws::account_cookie(&app, email, name, role, None).await;
        cookies.push((var, cookie));
    }
    let base_url = app.base_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new("node");
        cmd.arg(browser_dir().join(script))
            .arg(&base_url)
            .current_dir(browser_dir())
            .env("OTVET_CHROMIUM", chromium())
            .envs(cookies);
        run_with_timeout(cmd, SCRIPT_TIMEOUT)
    })
    .await
    .expect("the browser script runner panicked");
    println!("{}", out.stdout);
    assert!(
        out.status.success() && !out.timed_out,
        "{script} failed (exit code {:?}, timed out: {})\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        out.timed_out,
        out.stdout,
        out.stderr
    );
    app.stop().await;
}

/// Files in Chromium (`tests/browser/files.mjs`): the customer's photo from the widget on a shop
/// page of another origin reaches the console, the channel filter keeps the chat conversation out
/// of "email", and the agent's image from the composer shows in the customer's widget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_reach_both_sides_in_chromium() {
    run_agent_script("files.mjs").await;
}

/// The chat in the help center in Chromium (`tests/browser/help-center-chat.mjs`): "No" under an
/// article opens the widget on the page, the agent's handoff names the article, and a search
/// that found nothing opens the chat with the question typed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_center_offers_the_chat_in_chromium() {
    run_agent_script("help-center-chat.mjs").await;
}

/// The widget's look on the settings page in Chromium (`tests/browser/widget-settings.mjs`): the
/// preview follows what the admin types, and after saving every page with the tag shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widgets_look_is_previewed_and_saved_in_chromium() {
    run_script_as("widget-settings.mjs", otvet::agents::Role::Admin).await;
}

/// The agents' navigation in Chromium (`tests/browser/agent-nav.mjs`): an admin in a Russian
/// browser goes from the console through every agent page by clicking the navigation's links,
/// each page showing the same navigation with itself marked `aria-current="page"`, all in
/// Russian; an agent sees fewer links and is refused the admins' and editors' pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_navigation_on_every_agent_page_in_chromium() {
    use otvet::agents::Role;
    run_script_with(
        "agent-nav.mjs",
        &[
            (
                "anna@example.com",
                "Анна",
                Role::Admin,
                "OTVET_ADMIN_COOKIE",
            ),
            (
                "olga@example.com",
                "Ольга",
                Role::Agent,
                "OTVET_AGENT_COOKIE",
            ),
        ],
    )
    .await;
}
