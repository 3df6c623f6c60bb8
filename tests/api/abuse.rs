//! A hostile client gets a limit, not the server; a revoked agent loses its rights at once:
//! which proxies may name the client, the bounded password hashing, and agent sockets that end
//! with their session.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, fixture, no_redirect_client, run_otvet, run_otvet_with_stdin, spawn_app,
    spawn_app_with,
};
use crate::ws::{WsEnd, account_cookie, agent_socket};

const CLI_TIMEOUT: Duration = Duration::from_secs(60);

/// Votes "yes" with a forwarded address (none: no header); the counts after it.
async fn vote(app: &TestApp, forwarded: Option<&str>) -> Value {
    let body = json!({"lang": "ru", "helpful": true}).to_string();
    let mut headers = vec![
        ("content-type", "application/json"),
        ("user-agent", "the same browser"),
    ];
    if let Some(f) = forwarded {
        headers.push(("x-forwarded-for", f));
    }
    let (status, counts) = app
        .post_raw("/api/articles/kettle-descaling/feedback", body, &headers)
        .await;
    assert_eq!(status, 200, "{counts}");
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_trusted_proxies_name_the_client() {
    // The default trusts this machine: the test client is on loopback, like a local proxy.
    let app = spawn_app(fixture("small-kb")).await;
    assert_eq!(vote(&app, Some("203.0.113.1")).await["yes"], 1);
    assert_eq!(vote(&app, Some("203.0.113.2")).await["yes"], 2);
    // Not an address: the proxy stands for the client, as without the header; and only the
    // entry our proxy appended counts, not what the client wrote before it.
    assert_eq!(vote(&app, Some("not-an-address")).await["yes"], 3);
    assert_eq!(vote(&app, None).await["yes"], 3);
    assert_eq!(
        vote(&app, Some("198.51.100.9, 203.0.113.2")).await["yes"],
        3
    );

    // Trusting no proxy: whatever the header says, one client.
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.trusted_proxies = "none".parse().unwrap();
    let app = spawn_app_with(config).await;
    for f in [Some("203.0.113.1"), Some("203.0.113.2"), None] {
        assert_eq!(vote(&app, f).await["yes"], 1);
    }
    // A proxy on another address is not trusted by default.
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.trusted_proxies = "10.0.0.0/8".parse().unwrap();
    let app = spawn_app_with(config).await;
    assert_eq!(vote(&app, Some("203.0.113.1")).await["yes"], 1);
    assert_eq!(vote(&app, Some("203.0.113.2")).await["yes"], 1);
    // An invalid list is refused by the command line.
    let out = run_otvet(
        &[
            "serve",
            "--trusted-proxies",
            "10.0.0.0/33",
            "--addr",
            "127.0.0.1:0",
        ],
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(out.stderr.contains("10.0.0.0/33"), "{out:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_is_queued_or_refused_not_hashed_all_at_once() {
    let app = spawn_app(fixture("small-kb")).await;
    let client = no_redirect_client();
    let n = 120;
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (client, url) = (client.clone(), format!("{}/agent/login", app.base_url));
            tokio::spawn(async move {
                let email = format!("nobody-{i}@example.com");
                // Each from its own address: the per-address limit (tests/api/limits.rs) is
                // not what this test is about.
                let res = client
                    .post(url)
                    .header("x-forwarded-for", format!("198.18.0.{i}"))
                    .form(&[("email", email.as_str()), ("password", "guess-guess")])
                    .send()
                    .await
                    .unwrap();
                let retry = res.headers().get("retry-after").is_some();
                (res.status().as_u16(), retry)
            })
        })
        .collect();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            (401, _) => {}
            (429, true) => refused += 1,
            other => panic!("a login answered {other:?}"),
        }
    }
    // Four are hashed at once and 32 more wait: the rest of a burst of 120 is refused.
    assert!(refused > 0, "nothing was refused");
    assert!(refused < n, "everything was refused");
    // Once the burst is over, logins work again.
    let res = client
        .post(format!("{}/agent/login", app.base_url))
        .header("x-forwarded-for", "198.18.1.1")
        .form(&[("email", "late@example.com"), ("password", "guess-guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

/// Waits for the socket to be closed by the server; the close code and how long it took.
async fn closed(ws: &mut crate::ws::Ws) -> (Option<u16>, Duration) {
    let t = Instant::now();
    loop {
        match ws.next_within(Duration::from_secs(5)).await {
            Ok(_) => continue,
            Err(WsEnd::Closed(code)) => return (code, t.elapsed()),
            Err(WsEnd::Timeout) => panic!("the socket is still open after 5 s"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_socket_ends_with_its_session_or_rights() {
    let app = spawn_app(fixture("small-kb")).await;
    let db = app.database_url.clone();
    let store = otvet::Store::connect(&db).await.unwrap();
    let role = otvet::agents::Role::Agent;

    // Signing out.
    let (cookie, _) = account_cookie(&app, "a@example.com", "A", role, None).await;
    let mut ws = agent_socket(&app, &cookie).await;
    let res = no_redirect_client()
        .post(format!("{}/agent/logout", app.base_url))
        .header("cookie", &cookie)
        .header("origin", &app.base_url)
        .form(&[("csrf", "csrf-for-tests")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let (code, took) = closed(&mut ws).await;
    assert_eq!(code, Some(4001));
    assert!(took < Duration::from_millis(2500), "{took:?}");

    // A new password (from the command line, as an admin would).
    let (cookie, _) = account_cookie(&app, "b@example.com", "B", role, None).await;
    let mut ws = agent_socket(&app, &cookie).await;
    let out = run_otvet_with_stdin(
        &[
            "agent",
            "passwd",
            "--email",
            "b@example.com",
            "--database",
            &db,
            "--password-stdin",
        ],
        "a-new-password-1\n",
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(0), "{out:#?}");
    let (code, took) = closed(&mut ws).await;
    assert_eq!(code, Some(4001));
    assert!(took < Duration::from_millis(2500), "{took:?}");

    // The account disabled.
    let (cookie, _) = account_cookie(&app, "c@example.com", "C", role, None).await;
    let mut ws = agent_socket(&app, &cookie).await;
    let out = run_otvet(
        &[
            "agent",
            "remove",
            "--database",
            &db,
            "--email",
            "c@example.com",
        ],
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(closed(&mut ws).await.0, Some(4001));

    // An admin made an agent: the console starts over with the new rights.
    let (cookie, id) =
        account_cookie(&app, "d@example.com", "D", otvet::agents::Role::Admin, None).await;
    let mut ws = agent_socket(&app, &cookie).await;
    let update = otvet::agents::AgentUpdate {
        role: Some(role),
        ..Default::default()
    };
    store.update_agent(id, &update).await.unwrap().unwrap();
    assert_eq!(closed(&mut ws).await.0, Some(4002));
    // …and is let in again as an agent.
    let mut ws = agent_socket(&app, &cookie).await;
    let hello = ws
        .log
        .iter()
        .find(|f| f["type"] == "hello")
        .unwrap()
        .clone();
    assert_eq!(hello["agent"]["role"], "agent", "{hello}");
    // A frame after a revocation is not acted on: the socket closes instead. (The periodic
    // check may close it first; the frame then meets a closed socket and the close frame can
    // be lost to the reset, so no code is also an end.)
    store.delete_session(&session_hash(&cookie)).await.unwrap();
    ws.send(json!({"type": "presence", "status": "online"}))
        .await;
    let code = closed(&mut ws).await.0;
    assert!(matches!(code, Some(4001) | None), "{code:?}");
    store.close().await;
}

fn session_hash(cookie: &str) -> String {
    let token = cookie.strip_prefix("otvet_session=").unwrap();
    otvet::domain::token::token_hash(token)
}

/// Whether the server closes `stream` within `within` (reads until the end; what it sent is
/// ignored).
async fn closed_within(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// `GET /healthz` over a fresh connection from `from` (an address of the loopback range).
async fn healthz_from(app: &TestApp, from: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let mut s = socket.connect(app.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: otvet\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut out)).await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_connections_are_closed_and_one_address_is_capped() {
    use tokio::io::AsyncWriteExt;
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.header_timeout = Duration::from_secs(1);
    config.max_connections_per_address = 5;
    // The test client is on loopback: not a trusted proxy here, so it is capped.
    config.trusted_proxies = "none".parse().unwrap();
    let app = spawn_app_with(config).await;
    let connect = || tokio::net::TcpStream::connect(app.addr);

    // Connected and silent; half a request's headers; kept alive after a response.
    let mut silent = connect().await.unwrap();
    let mut half = connect().await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: otvet\r\n")
        .await
        .unwrap();
    let mut kept = connect().await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: otvet\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    for (what, s) in [
        ("silent", &mut silent),
        ("half-sent", &mut half),
        ("kept alive", &mut kept),
    ] {
        assert!(
            closed_within(s, Duration::from_secs(4)).await,
            "{what} still open"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // Five connections from one address (websockets count too) take its cap…
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(crate::ws::Ws::customer(&app).await);
    }
    let mut raw = vec![connect().await.unwrap(), connect().await.unwrap()];
    // …so the sixth is closed at once, while another address is served.
    let mut sixth = connect().await.unwrap();
    assert!(
        closed_within(&mut sixth, Duration::from_millis(500)).await,
        "the sixth was kept"
    );
    let other = healthz_from(&app, "127.0.0.2").await;
    assert!(other.starts_with("HTTP/1.1 200"), "{other}");
    // When they go, the address is served again.
    drop(held);
    raw.clear();
    let mut again = String::new();
    for _ in 0..50 {
        again = healthz_from(&app, "127.0.0.1").await;
        if again.starts_with("HTTP/1.1 200") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_over_64_kib_closes_the_socket_with_1009() {
    let app = spawn_app(fixture("small-kb")).await;
    let big = format!(
        "{{\"type\":\"ping\",\"pad\":\"{}\"}}",
        "x".repeat(70 * 1024)
    );
    // Before and after `hello`, and on the agents' socket.
    let mut ws = crate::ws::Ws::customer(&app).await;
    ws.send_raw(&big).await;
    assert_eq!(closed(&mut ws).await.0, Some(1009));
    let (mut ws, _) = crate::ws::new_customer(&app, "ru").await;
    ws.send_raw(&big).await;
    assert_eq!(closed(&mut ws).await.0, Some(1009));
    let (cookie, _) =
        account_cookie(&app, "e@example.com", "E", otvet::agents::Role::Agent, None).await;
    let mut ws = agent_socket(&app, &cookie).await;
    ws.send_raw(&big).await;
    assert_eq!(closed(&mut ws).await.0, Some(1009));
}
