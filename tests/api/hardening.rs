//! Small abuse hardening: the agent socket needs an `Origin`, messages of only invisible
//! characters are empty, HSTS behind an `https://` public URL, and `/metrics` behind a token.

use otvet::domain::ConversationStatus;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, fixture, spawn_app, spawn_app_with, wait_until};
use crate::ws::{Ws, agent_cookie, agent_cookie_with_role, agent_socket, new_customer};

/// `GET path` with headers: status, headers and body.
async fn get(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = app.client.get(format!("{}{path}", app.base_url));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.expect("body"))
}

/// A websocket handshake to `/agent/ws` made as a plain HTTP request, so that the refusal's
/// body can be read.
async fn agent_handshake(app: &TestApp, extra: &[(&str, &str)]) -> (u16, String) {
    let mut headers = vec![
        ("connection", "Upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    headers.extend_from_slice(extra);
    let (status, _, body) = get(app, "/agent/ws", &headers).await;
    (status, body)
}

#[tokio::test]
async fn the_agent_socket_needs_an_origin() {
    let app = spawn_app(fixture("small-kb")).await;
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    // Without Origin: refused like a foreign one, even with a valid session.
    assert_eq!(
        Ws::open(&app, "/agent/ws", &[("Cookie", &cookie)])
            .await
            .err()
            .as_deref(),
        Some("HTTP 403")
    );
    let (status, missing) = agent_handshake(&app, &[("cookie", &cookie)]).await;
    assert_eq!(status, 403, "{missing}");
    let (status, foreign) = agent_handshake(
        &app,
        &[("cookie", &cookie), ("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(status, 403, "{foreign}");
    assert_eq!(missing, foreign);
    let body: Value = serde_json::from_str(&missing).expect("JSON error");
    assert_eq!(body["code"], "forbidden", "{body}");
    // With the app's own origin the console connects.
    let mut ws = agent_socket(&app, &cookie).await;
    ws.send(json!({"type": "ping"})).await;
    ws.until_type("pong").await;
    ws.close().await;
    // The other callers of the Origin check still let a request without Origin through (with
    // its CSRF token), and refuse a foreign one.
    let (admin, _) =
        agent_cookie_with_role(&app, "boss@example.com", "Boss", otvet::agents::Role::Admin).await;
    for (i, origin) in [None, Some("https://evil.example")].into_iter().enumerate() {
        let mut req = app
            .client
            .post(format!("{}/agent/api/canned", app.base_url))
            .header("cookie", &admin)
            .header("x-csrf-token", "csrf-for-tests")
            .json(&json!({"shortcut": format!("hi{i}"), "title": "Hi", "body": "Hello"}));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        assert_eq!(
            status,
            if origin.is_none() { 201 } else { 403 },
            "{origin:?}"
        );
    }
    app.stop().await;
}

/// Texts that show nothing: whitespace and zero-width or invisible characters.
const INVISIBLE: [&str; 7] = [
    " ",
    "\u{200B}",
    "\u{200B}\u{200C}\u{200D}",
    "\u{2060}\u{FEFF}",
    "\u{00AD}",
    " \u{200B}\n\t\u{FEFF} \u{00AD}",
    "\u{3000}\u{200B}",
];

#[tokio::test]
async fn invisible_messages_are_refused_as_empty() {
    let app = spawn_app(fixture("small-kb")).await;
    // An agent who is away: the conversation stays queued, nobody is assigned behind our back.
    let (cookie, agent_id) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    agent
        .send(json!({"type": "presence", "status": "away"}))
        .await;
    agent
        .until("away", move |v| {
            v["type"] == "agents"
                && v["agents"].as_array().is_some_and(|a| {
                    a.iter()
                        .any(|a| a["id"] == agent_id && a["status"] == "away")
                })
        })
        .await;

    let (mut customer, _) = new_customer(&app, "ru").await;
    for (i, text) in INVISIBLE.iter().enumerate() {
        let cid = format!("inv-{i}");
        customer
            .send(json!({"type": "send", "client_id": cid, "text": text}))
            .await;
        let e = customer.until_type("error").await;
        assert_eq!(e["code"], "too_long", "{text:?}: {e}");
        assert_eq!(e["client_id"], cid.as_str(), "{e}");
    }
    // Nothing was stored: the first real message starts the conversation at 1.
    let ack = customer.say("real", "позовите оператора").await;
    assert_eq!(ack["seq"], 1, "{ack}");
    let conv = ack["conversation_id"].as_i64().expect("conversation id");
    customer
        .until("queued", |v| {
            v["type"] == "message"
                && v["author"] == "system"
                && (v["event"] == "queued" || v["event"] == "offline")
        })
        .await;

    let store = otvet::Store::connect(&app.database_url)
        .await
        .expect("open the app's database");
    let before = store.messages_after(conv, 0, true).await.unwrap();
    for ty in ["send", "note"] {
        for (i, text) in INVISIBLE.iter().enumerate() {
            let cid = format!("{ty}-{i}");
            agent
                .send(json!({"type": ty, "conversation_id": conv, "client_id": cid, "text": text}))
                .await;
            let c = cid.clone();
            let e = agent
                .until("an error", move |v| {
                    v["type"] == "error" && v["client_id"] == c.as_str()
                })
                .await;
            assert_eq!(e["code"], "too_long", "{ty} {text:?}: {e}");
            assert_eq!(e["conversation_id"], conv, "{e}");
        }
    }
    let after = store.messages_after(conv, 0, true).await.unwrap();
    assert_eq!(after.len(), before.len(), "{after:?}");
    // A refused `send` did not claim the conversation either.
    let row = store
        .conversation(conv)
        .await
        .unwrap()
        .expect("conversation");
    assert_eq!(row.status, ConversationStatus::Queued, "{row:?}");
    // Visible text next to invisible characters is a message.
    agent
        .send(json!({"type": "note", "conversation_id": conv, "client_id": "ok", "text": "\u{200B}VIP\u{200B}"}))
        .await;
    let ack = agent
        .until("ack ok", |v| v["type"] == "ack" && v["client_id"] == "ok")
        .await;
    assert_eq!(
        ack["seq"].as_i64(),
        before.last().map(|m| m.seq + 1),
        "{ack}"
    );
    store.close().await;
    app.stop().await;
}

#[tokio::test]
async fn hsts_only_behind_an_https_public_url() {
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.watch = false;
    config.public_url = Some("https://help.example.com".into());
    let app = spawn_app_with(config).await;
    for path in [
        "/healthz",
        "/ru/",
        "/api/search?q=test",
        "/no/such/path",
        "/metrics",
    ] {
        let (status, headers, _) = get(&app, path, &[]).await;
        assert_eq!(
            headers
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000"),
            "{path}: {status} {headers:?}"
        );
    }
    app.stop().await;

    for public_url in [None, Some("http://help.example.com")] {
        let mut config = otvet::Config::new(fixture("small-kb"));
        config.watch = false;
        config.public_url = public_url.map(str::to_string);
        let app = spawn_app_with(config).await;
        for path in ["/healthz", "/ru/", "/no/such/path"] {
            let (_, headers, _) = get(&app, path, &[]).await;
            assert!(
                headers.get("strict-transport-security").is_none(),
                "{public_url:?} {path}: {headers:?}"
            );
            // The other security headers are still there.
            assert_eq!(headers["x-content-type-options"], "nosniff");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_set() {
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.watch = false;
    config.metrics_token = Some("m3trics-t0ken".into());
    let app = spawn_app_with(config).await;
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Bearer m3trics-t0ke"),
        Some("Basic m3trics-t0ken"),
        Some("m3trics-t0ken"),
    ] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
        let (status, h, body) = get(&app, "/metrics", &headers).await;
        assert_eq!(status, 401, "{auth:?}: {body}");
        assert_eq!(h["www-authenticate"], "Bearer");
        let body: Value = serde_json::from_str(&body).expect("JSON error");
        assert_eq!(body["code"], "unauthorized", "{body}");
        assert!(!body.to_string().contains("otvet_"), "{body}");
    }
    let (status, h, body) = get(
        &app,
        "/metrics",
        &[("authorization", "Bearer m3trics-t0ken")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(body.contains("otvet_websocket_connections"), "{body}");
    // Probes stay public.
    for path in ["/healthz", "/readyz"] {
        let (status, _, body) = get(&app, path, &[]).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    app.stop().await;

    // Without a token `/metrics` is public.
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.watch = false;
    let app = spawn_app_with(config).await;
    let (status, _, body) = get(&app, "/metrics", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("otvet_websocket_connections"), "{body}");
    app.stop().await;
}

/// Starts `otvet serve` with `extra` arguments, waits until it answers `/readyz`, stops it and
/// returns what it logged.
async fn serve_log(extra: &[&str]) -> String {
    let db = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", db.path().join("otvet.db").display());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otvet"));
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--database", &database])
        .arg("--articles")
        .arg(fixture("small-kb"))
        .args([
            "--watch",
            "false",
            "--model",
            "off",
            "--embedding-cache",
            "off",
        ])
        .args(extra);
    for (k, _) in std::env::vars() {
        if k.starts_with("OTVET_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("OTVET_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start otvet serve");
    let pipe = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(String::new()));
    let reader = {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        })
    };
    let started = Instant::now();
    let addr = loop {
        let text = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(addr) = text
            .lines()
            .find_map(|l| l.strip_prefix("otvet: help center on "))
        {
            break addr.trim().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "otvet serve did not start:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let client = reqwest::Client::new();
    let ready = wait_until(Duration::from_secs(30), || {
        let req = client.get(format!("{addr}/readyz")).send();
        async move { req.await.is_ok_and(|r| r.status() == 200) }
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();
    let text = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(ready.is_some(), "otvet serve was not ready:\n{text}");
    text
}

#[tokio::test]
async fn public_metrics_are_warned_about_at_start_up() {
    let log = serve_log(&[]).await;
    assert!(log.contains("/metrics is public"), "{log}");
    let log = serve_log(&["--metrics-token", "m3trics-t0ken"]).await;
    assert!(!log.contains("/metrics is public"), "{log}");
}

#[tokio::test]
async fn the_start_up_log_names_the_help_center_the_console_and_the_demo_page() {
    let log = serve_log(&[]).await;
    let base = log
        .lines()
        .find_map(|l| l.strip_prefix("otvet: help center on "))
        .expect("the help center line")
        .trim()
        .to_string();
    assert!(
        log.contains(&format!(
            "otvet: agent console at {base}/agent (the first admin: otvet agent add --role admin"
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!("otvet: try the chat at {base}/demo")),
        "{log}"
    );
}
