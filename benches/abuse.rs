//! Abuse suite: `cargo bench --bench abuse`.
//!
//! Starts the release `otvet` binary on a free 127.0.0.1 port (sample articles, fresh SQLite,
//! lexical search, `--trusted-proxies none` so that the attacker's loopback address is capped
//! like any client's), plays one hostile client at a time and checks that a real client is
//! still served, then prints one Markdown table:
//!
//! * 5,000 connections from one address, idle or with half-sent headers, while a real customer
//!   from another address opens the chat and asks a question: how long the answer takes;
//! * 1,000 concurrent sign-ins with unknown emails (from eight addresses): the server's peak
//!   memory (VmHWM) and how many were answered 401 or 429;
//! * a symbolic-link loop under `articles/`: `otvet check` reports it instead of hanging;
//! * 2,000 attempts from one address to open a conversation and ask for a person, while a real
//!   customer waits in the queue and an agent's console is open: the real customer's place
//!   after the flood, and how long a console takes to get the queue;
//! * the same from 2,000 addresses, one attempt each, which no per-address limit stops: the
//!   place and the console again (the console is sent the first 200 waiting and the count);
//! * with PostgreSQL (`OTVET_BENCH_POSTGRES_URL`, default the local server; the row is skipped
//!   when it is not reachable): two nodes on one database, an admin disables an agent on node A
//!   while the agent's console is open on node B: how long until B closes it.
//!
//! All traffic goes to 127.0.0.0/8; every loop is bounded in count and time.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::client_async;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderName;

const IDLE_CONNECTIONS: usize = 5_000;
const LOGINS: usize = 1_000;
const FLOOD_ATTEMPTS: usize = 2_000;
const FLOOD_CONCURRENCY: usize = 64;
const PASSWORD: &str = "bench-abuse-correct-horse-battery";
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

type Socket = tokio_tungstenite::WebSocketStream<TcpStream>;

struct Server {
    child: Child,
    addr: String,
    database: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release binary on a free port, on `database` (a fresh SQLite file when `None`).
fn start_server(database: Option<&str>) -> Server {
    let addr = common::free_addr();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = database.map_or_else(
        || format!("sqlite://{}", dir.path().join("otvet.db").display()),
        str::to_string,
    );
    // Agents claim by hand (no auto-assignment): the queue stays as the flood left it.
    let child = common::spawn_otvet(
        &addr,
        &db,
        [
            "--model",
            "off",
            "--trusted-proxies",
            "none",
            "--auto-assign",
            "false",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Server {
        child,
        addr,
        database: db,
        _dir: dir,
    }
}

/// A connection to the server from `from` (an address of 127.0.0.0/8).
async fn connect_from(server: &str, from: &str) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("{from}:0").parse().expect("address"))?;
    socket.connect(server.parse().expect("address")).await
}

/// A real customer from 127.0.0.2: opens the chat, says hello, asks; the time to the answer.
async fn customer_answered(server: &str) -> Result<Duration, String> {
    let started = Instant::now();
    let stream = connect_from(server, "127.0.0.2")
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let url = format!("ws://{server}/api/chat");
    let (mut ws, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .map_err(|e| format!("upgrade: {e}"))?;
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(json!({"type": "hello", "v": 1, "lang": "ru"})))
        .await
        .map_err(|e| e.to_string())?;
    ws.send(send(
        json!({"type": "send", "client_id": "q-1", "text": "как вернуть товар"}),
    ))
    .await
    .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Ok(Some(Ok(Message::Text(t)))) =
            tokio::time::timeout(Duration::from_secs(30), ws.next()).await
        else {
            return Err("the socket ended".into());
        };
        let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
        if v["type"] == "message" && v["author"] == "bot" {
            return Ok(started.elapsed());
        }
    }
    Err("no answer within 30 s".into())
}

/// 5,000 idle and half-sent connections from 127.0.0.1 while a customer asks.
async fn idle_flood(server: &str) -> (usize, usize, Result<Duration, String>) {
    let mut held = Vec::with_capacity(IDLE_CONNECTIONS);
    let mut refused = 0;
    for i in 0..IDLE_CONNECTIONS {
        match connect_from(server, "127.0.0.1").await {
            Ok(mut s) => {
                if i % 2 == 1 {
                    let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await;
                }
                held.push(s);
            }
            Err(_) => refused += 1,
        }
    }
    let answered = customer_answered(server).await;
    // How many of the flood's connections the server kept open.
    let mut open = 0;
    for s in &mut held {
        let mut b = [0u8; 1];
        if tokio::time::timeout(Duration::from_millis(1), s.read(&mut b))
            .await
            .is_err()
        {
            open += 1;
        }
    }
    drop(held);
    (refused, open, answered)
}

/// 1,000 concurrent sign-ins with unknown emails from eight addresses; (401s, 429s, others).
async fn login_flood(server: &str) -> (usize, usize, usize) {
    let tasks: Vec<_> = (0..LOGINS)
        .map(|i| {
            let server = server.to_string();
            tokio::spawn(async move {
                let from = format!("127.0.0.{}", 3 + i % 8);
                let Ok(mut s) = connect_from(&server, &from).await else {
                    return 0;
                };
                let body = format!("email=nobody-{i}%40example.com&password=guess-guess-guess");
                let req = format!(
                    "POST /agent/login HTTP/1.1\r\nHost: {server}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                if s.write_all(req.as_bytes()).await.is_err() {
                    return 0;
                }
                let mut out = Vec::new();
                let _ = tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut out)).await;
                let head = String::from_utf8_lossy(&out[..out.len().min(12)]).to_string();
                head.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0)
            })
        })
        .collect();
    let (mut unauthorized, mut busy, mut other) = (0, 0, 0);
    for t in tasks {
        match t.await.unwrap_or(0) {
            401 => unauthorized += 1,
            429 => busy += 1,
            _ => other += 1,
        }
    }
    (unauthorized, busy, other)
}

/// `otvet check` on a folder with a link back to its parent: (exit code, time).
fn symlink_loop() -> (Option<i32>, Duration) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ru = dir.path().join("ru");
    std::fs::create_dir_all(&ru).expect("folder");
    std::fs::write(
        ru.join("a.md"),
        "---\ntitle: Доставка\n---\n\nКурьер привозит заказ.\n",
    )
    .expect("article");
    std::os::unix::fs::symlink("..", ru.join("loop")).expect("symlink");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_otvet"))
        .args(["check", "--articles"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("otvet check");
    let deadline = started + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return (status.code(), started.elapsed());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return (None, started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A websocket from `from` to `path` on the server, with `headers`.
async fn ws_from(
    server: &str,
    from: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<Socket, String> {
    let stream = connect_from(server, from)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut req = format!("ws://{server}{path}")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    for (k, v) in headers {
        req.headers_mut().insert(
            HeaderName::from_bytes(k.as_bytes()).map_err(|e| e.to_string())?,
            v.parse().map_err(|_| format!("header {k}"))?,
        );
    }
    let (ws, _) = tokio::time::timeout(Duration::from_secs(10), client_async(req, stream))
        .await
        .map_err(|_| "upgrade timed out".to_string())?
        .map_err(|e| format!("upgrade: {e}"))?;
    Ok(ws)
}

async fn send(ws: &mut Socket, v: Value) -> Result<(), String> {
    ws.send(Message::Text(v.to_string().into()))
        .await
        .map_err(|e| e.to_string())
}

/// The next frame with a `type` among `types`, within 10 s, with its size in bytes; or how
/// the socket ended (`closed <code>`).
async fn frame(ws: &mut Socket, types: &[&str]) -> Result<(Value, usize), String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
                if types.iter().any(|ty| v["type"] == *ty) {
                    return Ok((v, t.len()));
                }
            }
            Ok(Some(Ok(Message::Close(c)))) => {
                return Err(format!("closed {}", c.map_or(0, |c| u16::from(c.code))));
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => return Err(e.to_string()),
            Ok(None) => return Err("ended".into()),
            Err(_) => return Err(format!("no {types:?} within 10 s")),
        }
    }
}

/// One flood attempt from `from`: a new customer who asks for a person at once. What came of
/// it: `welcome` refused, the escalation refused, or queued.
#[derive(Clone, Copy, PartialEq)]
enum Attempt {
    CustomerRefused,
    EscalationRefused,
    Queued,
    Failed,
}

async fn flood_attempt(server: &str, from: &str) -> Attempt {
    let Ok(mut ws) = ws_from(server, from, "/api/chat", &[]).await else {
        return Attempt::Failed;
    };
    let result = async {
        send(&mut ws, json!({"type": "hello", "v": 1, "lang": "ru"})).await?;
        let (f, _) = frame(&mut ws, &["welcome", "error"]).await?;
        if f["type"] == "error" {
            return Ok(Attempt::CustomerRefused);
        }
        send(&mut ws, json!({"type": "human"})).await?;
        let (f, _) = frame(&mut ws, &["status", "error"]).await?;
        Ok::<_, String>(if f["type"] == "error" {
            Attempt::EscalationRefused
        } else {
            Attempt::Queued
        })
    }
    .await;
    let _ = ws.close(None).await;
    result.unwrap_or(Attempt::Failed)
}

/// Where a conversation stands, asked again by its customer: the `status` frame's position.
async fn position(ws: &mut Socket) -> Result<i64, String> {
    send(ws, json!({"type": "human"})).await?;
    let (f, _) = frame(ws, &["status"]).await?;
    f["position"]
        .as_i64()
        .ok_or_else(|| format!("no position in {f}"))
}

/// An agent's console from `from`: the time to its `queue` frame, the frame's waiting count,
/// items and bytes.
async fn console_queue(
    server: &str,
    from: &str,
    cookie: &str,
) -> Result<(Duration, i64, usize, usize), String> {
    let started = Instant::now();
    let origin = format!("http://{server}");
    let mut ws = ws_from(
        server,
        from,
        "/agent/ws",
        &[("Cookie", cookie), ("Origin", &origin)],
    )
    .await?;
    let (q, bytes) = frame(&mut ws, &["queue"]).await?;
    let took = started.elapsed();
    let _ = ws.close(None).await;
    Ok((
        took,
        q["waiting"].as_i64().unwrap_or(-1),
        q["items"].as_array().map_or(0, Vec::len),
        bytes,
    ))
}

/// What the conversation flood left: (customers refused, escalations refused, queued, failed,
/// the flood's duration, the real customer's place before and after, the console's queue).
struct QueueFlood {
    outcomes: [usize; 4],
    took: Duration,
    before: i64,
    after: Result<i64, String>,
    console: Result<(Duration, i64, usize, usize), String>,
}

/// A real customer from 127.0.0.2 (127.0.0.30 when `spread`) waits in the queue; 127.0.0.5 (or, `spread`, a new address
/// of 127.1.0.0/16 each time) tries 2,000 times to open a conversation and ask for a person;
/// then the customer's place and a console's queue.
async fn queue_flood(server: &Server, spread: bool) -> Result<QueueFlood, String> {
    let addr = server.addr.as_str();
    if !spread {
        common::add_agent(
            &server.database,
            "olga@example.com",
            "Ольга",
            "agent",
            None,
            PASSWORD,
        )?;
    }
    let http = reqwest::Client::builder()
        .local_address("127.0.0.20".parse::<std::net::IpAddr>().ok())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let cookie = common::login(&http, addr, "olga@example.com", PASSWORD).await?;
    // The second run's real customer from an address of its own: the first one still waits.
    let real_from = if spread { "127.0.0.30" } else { "127.0.0.2" };
    let mut real = ws_from(addr, real_from, "/api/chat", &[]).await?;
    send(&mut real, json!({"type": "hello", "v": 1, "lang": "ru"})).await?;
    frame(&mut real, &["welcome"]).await?;
    let before = position(&mut real).await?;
    let started = Instant::now();
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(FLOOD_CONCURRENCY));
    let tasks: Vec<_> = (0..FLOOD_ATTEMPTS)
        .map(|i| {
            let server = addr.to_string();
            let sem = sem.clone();
            let from = if spread {
                format!("127.1.{}.{}", i / 250, 1 + i % 250)
            } else {
                "127.0.0.5".to_string()
            };
            tokio::spawn(async move {
                let _permit = sem.acquire_owned().await;
                flood_attempt(&server, &from).await
            })
        })
        .collect();
    let mut outcomes = [0; 4];
    for t in tasks {
        let i = match t.await.unwrap_or(Attempt::Failed) {
            Attempt::CustomerRefused => 0,
            Attempt::EscalationRefused => 1,
            Attempt::Queued => 2,
            Attempt::Failed => 3,
        };
        outcomes[i] += 1;
    }
    let took = started.elapsed();
    let after = position(&mut real).await;
    let console = console_queue(addr, "127.0.0.20", &cookie).await;
    Ok(QueueFlood {
        outcomes,
        took,
        before,
        after,
        console,
    })
}

/// `GET path` on `addr` with a session cookie, as JSON.
async fn get_json(
    http: &reqwest::Client,
    addr: &str,
    path: &str,
    cookie: &str,
) -> Result<Value, String> {
    http.get(format!("http://{addr}{path}"))
        .header("Cookie", cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())
}

/// Two nodes on a fresh PostgreSQL database; an admin on node A disables an agent whose
/// console is open on node B: the time until B closes it, and the close code.
async fn revocation(admin_url: &str) -> Result<(Duration, String), String> {
    let name = format!("otvet_abuse_{}", std::process::id());
    common::admin_sql(
        admin_url,
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await?;
    common::admin_sql(admin_url, format!("CREATE DATABASE {name}")).await?;
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => return Err(format!("cannot read the database URL {admin_url}")),
    };
    let result = async {
        common::add_agent(&url, "admin@example.com", "Админ", "admin", None, PASSWORD)?;
        common::add_agent(
            &url,
            "fired@example.com",
            "Уволенный",
            "agent",
            None,
            PASSWORD,
        )?;
        let a = start_server(Some(&url));
        let b = start_server(Some(&url));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let admin = common::login(&http, &a.addr, "admin@example.com", PASSWORD).await?;
        let fired = common::login(&http, &a.addr, "fired@example.com", PASSWORD).await?;
        let me = get_json(&http, &a.addr, "/agent/api/me", &admin).await?;
        let csrf = me["csrf"].as_str().unwrap_or_default().to_string();
        let team = get_json(&http, &a.addr, "/agent/api/agents", &admin).await?;
        let id = team["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["email"] == "fired@example.com"))
            .and_then(|i| i["id"].as_i64())
            .ok_or_else(|| format!("no such agent in {team}"))?;
        let origin_b = format!("http://{}", b.addr);
        let mut console = ws_from(
            &b.addr,
            "127.0.0.1",
            "/agent/ws",
            &[("Cookie", &fired), ("Origin", &origin_b)],
        )
        .await?;
        frame(&mut console, &["queue"]).await?;
        let started = Instant::now();
        let r = http
            .put(format!("http://{}/agent/api/agents/{id}", a.addr))
            .header("Cookie", &admin)
            .header("X-CSRF-Token", &csrf)
            .header("Origin", format!("http://{}", a.addr))
            .json(&json!({"disabled": true}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !r.status().is_success() {
            return Err(format!("disabling: {}", r.status()));
        }
        let end = loop {
            match frame(&mut console, &[]).await {
                Err(e) if e.starts_with("no ") => {}
                Err(e) => break e,
                Ok(_) => {}
            }
            if started.elapsed() > Duration::from_secs(10) {
                break "still open after 10 s".into();
            }
        };
        Ok((started.elapsed(), end))
    }
    .await;
    let _ = common::admin_sql(
        admin_url,
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
    result
}

fn peak_rss(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| "?".into())
}

fn main() {
    if cfg!(debug_assertions) {
        eprintln!("warning: built with debug assertions; run `cargo bench --bench abuse`");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = start_server(None);
    let pid = server.child.id();
    let base_rss = peak_rss(pid);
    eprintln!("{IDLE_CONNECTIONS} idle and half-sent connections from one address…");
    let (refused, open, answered) = rt.block_on(idle_flood(&server.addr));
    let idle_rss = peak_rss(pid);
    eprintln!("{LOGINS} concurrent sign-ins with unknown emails…");
    let logins_started = Instant::now();
    let (unauthorized, busy, other) = rt.block_on(login_flood(&server.addr));
    let logins_took = logins_started.elapsed();
    let rss = peak_rss(pid);
    let cpu = common::cpu_time(&pid.to_string());
    eprintln!("a symbolic-link loop under articles/…");
    let (code, took) = symlink_loop();
    eprintln!("{FLOOD_ATTEMPTS} conversations and escalations from one address…");
    let flood = rt.block_on(queue_flood(&server, false));
    eprintln!("{FLOOD_ATTEMPTS} conversations and escalations, each from an address of its own…");
    let spread = rt.block_on(queue_flood(&server, true));
    let admin_url = std::env::var("OTVET_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES.into());
    let revoked = match rt.block_on(common::admin_sql(&admin_url, "SELECT 1".into())) {
        Ok(()) => {
            eprintln!("an agent disabled on node A, its console on node B…");
            Some(rt.block_on(revocation(&admin_url)))
        }
        Err(e) => {
            eprintln!("revocation row skipped: no PostgreSQL at {admin_url}: {e}");
            None
        }
    };
    let answered = match answered {
        Ok(d) => format!("{} ms", d.as_millis()),
        Err(e) => format!("not answered: {e}"),
    };
    let flood_row = |flood: Result<QueueFlood, String>| match flood {
        Ok(f) => {
            let [customers, escalations, queued, failed] = f.outcomes;
            format!(
                "{customers} new customers and {escalations} escalations refused, {queued} queued, {failed} failed, in {:.1} s; the real customer's place {} before, {} after; a console got the queue ({}) in {}",
                f.took.as_secs_f64(),
                f.before,
                f.after
                    .map_or_else(|e| format!("unknown ({e})"), |p| p.to_string()),
                f.console.as_ref().map_or_else(
                    |e| format!("not at all: {e}"),
                    |(_, waiting, items, bytes)| format!(
                        "{waiting} waiting, {items} items, {bytes} bytes"
                    ),
                ),
                f.console.as_ref().map_or_else(
                    |_| "-".to_string(),
                    |(t, ..)| format!("{} ms", t.as_millis())
                ),
            )
        }
        Err(e) => format!("could not run: {e}"),
    };
    let (flood_row, spread_row) = (flood_row(flood), flood_row(spread));
    let revoked_row = match revoked {
        Some(Ok((t, end))) => format!(
            "the console on node B {end} {} ms after the admin's request",
            t.as_millis()
        ),
        Some(Err(e)) => format!("could not run: {e}"),
        None => "skipped: no PostgreSQL".into(),
    };
    println!(
        "| attack | result | goal |\n|---|---|---|\n\
         | {IDLE_CONNECTIONS} idle / half-sent connections from one address | {open} kept open (the cap), {} closed or refused{}; a customer from another address answered in {answered} | answered within 1 s |\n\
         | {LOGINS} concurrent sign-ins, unknown emails, 8 addresses | {unauthorized} × 401, {busy} × 429, {other} other, in {:.1} s; server peak RSS {rss} (at start {base_rss}, after the connection flood {idle_rss}) | peak RSS < 300 MB |\n\
         | a symbolic-link loop under `articles/` | `otvet check` exit {} in {} ms | reported, not hung |\n\
         | {FLOOD_ATTEMPTS} new conversations asking for a person from one address ({FLOOD_CONCURRENCY} at a time), a real customer waiting | {flood_row} | the place kept; queue within 1 s |\n\
         | the same from {FLOOD_ATTEMPTS} addresses, one each (not stopped by per-address limits) | {spread_row} | the place kept; queue within 1 s |\n\
         | an agent disabled on node A (PostgreSQL), console open on node B | {revoked_row} | closed within 1 s |\n\
         \nserver CPU time over the run: {:.1} s",
        IDLE_CONNECTIONS - open,
        if refused > 0 {
            format!(" ({refused} refused before accept)")
        } else {
            String::new()
        },
        logins_took.as_secs_f64(),
        code.map_or("none (killed after 30 s)".to_string(), |c| c.to_string()),
        took.as_millis(),
        cpu.as_secs_f64(),
    );
}
