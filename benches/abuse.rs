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
//! * a symbolic-link loop under `articles/`: `otvet check` reports it instead of hanging.
//!
//! All traffic goes to 127.0.0.0/8; every loop is bounded in count and time.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;

const IDLE_CONNECTIONS: usize = 5_000;
const LOGINS: usize = 1_000;

struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn start_server() -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("otvet.db").display());
    let child = Command::new(env!("CARGO_BIN_EXE_otvet"))
        .args([
            "serve",
            "--addr",
            &addr,
            "--database",
            &db,
            "--watch",
            "false",
        ])
        .args(["--model", "off", "--trusted-proxies", "none"])
        .arg("--articles")
        .arg(repo().join("articles"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the otvet binary");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Server {
        child,
        addr,
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
    let server = start_server();
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
    let answered = match answered {
        Ok(d) => format!("{} ms", d.as_millis()),
        Err(e) => format!("not answered: {e}"),
    };
    println!(
        "| attack | result | goal |\n|---|---|---|\n\
         | {IDLE_CONNECTIONS} idle / half-sent connections from one address | {open} kept open (the cap), {} closed or refused{}; a customer from another address answered in {answered} | answered within 1 s |\n\
         | {LOGINS} concurrent sign-ins, unknown emails, 8 addresses | {unauthorized} × 401, {busy} × 429, {other} other, in {:.1} s; server peak RSS {rss} (at start {base_rss}, after the connection flood {idle_rss}) | peak RSS < 300 MB |\n\
         | a symbolic-link loop under `articles/` | `otvet check` exit {} in {} ms | reported, not hung |\n\
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
