//! Cluster delivery benchmark: `cargo bench --bench cluster`.
//!
//! Two `otvet` processes (nodes A and B, the release binary) on one fresh PostgreSQL database
//! form one service. All agent consoles connect to one node; customers are split evenly between
//! the two. So in one run, under the same load, half the customer→agent messages cross nodes
//! (stored and NOTIFYed by the customer's node, delivered by the console's node after its
//! LISTEN connection hears about it) and half stay on the console's node. Their delivery
//! latencies are reported side by side, with the ratio.
//!
//! Per scenario (`OTVET_BENCH_AGENTS_ON`, default `B,A`: consoles on B, then a second run with
//! the roles swapped, each on a database of its own):
//!
//! 1. create database `otvet_bench_cluster_<pid>_<x>`, start node A then node B on free
//!    127.0.0.1 ports, create the agents with `otvet agent add`;
//! 2. each agent signs in on the console node (`POST /agent/login`) and opens `/agent/ws` there;
//! 3. the customers (even numbers on A, odd on B) connect and say `hello`; once all have, each
//!    asks for a person (`{"type":"human"}`, spread over `OTVET_BENCH_RAMP_MS`) and waits until
//!    an agent is assigned (auto-assignment, round-robin); the consoles open the conversations
//!    assigned to them on their own;
//! 4. once every customer is assigned, each sends a message every `OTVET_BENCH_THINK_MS`
//!    (±50 % random jitter, first one at a random point of the first period) for
//!    `OTVET_BENCH_SECONDS`; every text carries a unique id;
//! 5. the consoles timestamp the `message` frame of each id; delivery latency = console receive
//!    time − customer send time (one process, one monotonic clock). A message acknowledged to
//!    the customer but never seen by a console within `OTVET_BENCH_DRAIN_SECS` is lost.
//!
//! Also reported: the customers' `ack` latency (stored and committed on their own node), the
//! CPU time of each node and of all PostgreSQL processes over the messaging phase (from /proc),
//! and each node's `otvet_bus_notifications_total`.
//!
//! Knobs: `OTVET_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`; the
//! bench is skipped when it is not reachable), `OTVET_BENCH_CUSTOMERS` (1000),
//! `OTVET_BENCH_AGENTS` (enough for the customers at `OTVET_BENCH_MAX_CHATS` each, at least 10),
//! `OTVET_BENCH_MAX_CHATS` (100), `OTVET_BENCH_THINK_MS` (5000), `OTVET_BENCH_SECONDS` (30),
//! `OTVET_BENCH_RAMP_MS` (10000), `OTVET_BENCH_ASSIGN_SECS` (300), `OTVET_BENCH_DRAIN_SECS` (30),
//! `OTVET_BENCH_AGENTS_ON` (`B,A`).
//!
//! Prints Markdown tables. All traffic goes to 127.0.0.1; every loop and wait is bounded; the
//! nodes are killed and the database dropped at the end, also on failure.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::Message as WsMessage;

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const FRAME_TIMEOUT: Duration = Duration::from_secs(30);
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Customers are closed by the server after 120 s without a frame; consoles after 90 s.
const PING_EVERY: Duration = Duration::from_secs(30);
const PASSWORD: &str = "bench-cluster-correct-horse-battery";
/// Message ids: customer number × this + the message's number.
const PER_CUSTOMER: u64 = 100_000;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

type Res<T> = Result<T, String>;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[derive(Debug)]
struct Knobs {
    customers: usize,
    agents: usize,
    max_chats: u64,
    think: Duration,
    seconds: Duration,
    ramp: Duration,
    assign_timeout: Duration,
    drain: Duration,
    /// Node index (0 = A, 1 = B) of the consoles, one scenario each.
    scenarios: Vec<usize>,
}

impl Knobs {
    fn from_env() -> Knobs {
        let customers = env_num("OTVET_BENCH_CUSTOMERS", 1000).max(2) as usize;
        let max_chats = env_num("OTVET_BENCH_MAX_CHATS", 100).clamp(1, 100);
        let needed = customers.div_ceil(max_chats as usize).max(10);
        let agents = env_num("OTVET_BENCH_AGENTS", needed as u64).max(1) as usize;
        let scenarios: Vec<usize> = std::env::var("OTVET_BENCH_AGENTS_ON")
            .unwrap_or_else(|_| "B,A".into())
            .split(',')
            .filter_map(|s| match s.trim() {
                "A" | "a" => Some(0),
                "B" | "b" => Some(1),
                _ => None,
            })
            .collect();
        Knobs {
            customers,
            agents,
            max_chats,
            think: Duration::from_millis(env_num("OTVET_BENCH_THINK_MS", 5000).max(100)),
            seconds: Duration::from_secs(env_num("OTVET_BENCH_SECONDS", 30).max(1)),
            ramp: Duration::from_millis(env_num("OTVET_BENCH_RAMP_MS", 10_000)),
            assign_timeout: Duration::from_secs(env_num("OTVET_BENCH_ASSIGN_SECS", 300).max(1)),
            drain: Duration::from_secs(env_num("OTVET_BENCH_DRAIN_SECS", 30).max(1)),
            scenarios: if scenarios.is_empty() {
                vec![1]
            } else {
                scenarios
            },
        }
    }
}

const LABELS: [&str; 2] = ["A", "B"];

// ---------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------

/// CPU time of every process named `postgres` (the server and all its backends), from /proc.
fn postgres_cpu() -> Duration {
    let mut total = Duration::ZERO;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return total;
    };
    for e in dir.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat.contains("(postgres)") {
            total += common::cpu_of_stat(&stat);
        }
    }
    total
}

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

struct Node {
    label: &'static str,
    child: Child,
    addr: String,
    name: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_otvet")
}

async fn start_node(label: &'static str, db: &str, http: &reqwest::Client) -> Res<Node> {
    let mut child = Command::new(bin())
        .args(["serve", "--addr", "127.0.0.1:0", "--database", db])
        .args(["--watch", "false", "--model", "off"])
        .arg("--articles")
        .arg(repo().join("articles"))
        .env("OTVET_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("start the otvet binary: {e}"))?;
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    // Reads the node's stderr to its end (so the pipe never fills): the address once, then
    // warnings and errors are passed on, prefixed with the node.
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(addr) = line
                .split_once("otvet: help center on http://")
                .map(|(_, a)| a.trim().to_string())
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(addr);
                continue;
            }
            eprintln!("[node {label}] {line}");
        }
    });
    let mut node = Node {
        label,
        child,
        addr: String::new(),
        name: String::new(),
    };
    node.addr = tokio::task::spawn_blocking(move || rx.recv_timeout(START_TIMEOUT))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|_| format!("node {label} printed no address within {START_TIMEOUT:?}"))?;
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(r) = http
            .get(format!("http://{}/readyz", node.addr))
            .send()
            .await
            && r.status().is_success()
        {
            let v: Value = r.json().await.unwrap_or_default();
            node.name = v["node"].as_str().unwrap_or("?").to_string();
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("node {label} not ready within {START_TIMEOUT:?}"));
        }
        if let Ok(Some(status)) = node.child.try_wait() {
            return Err(format!("node {label} exited: {status}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(node)
}

/// One counter of a node's `/metrics`, if it has it.
async fn metric(http: &reqwest::Client, addr: &str, name: &str) -> Option<f64> {
    let text = http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().last())
        .and_then(|v| v.parse().ok())
}

fn add_agent(db: &str, i: usize, max_chats: u64) -> Res<()> {
    common::add_agent(
        db,
        &agent_email(i),
        &format!("Agent {i}"),
        "agent",
        Some(max_chats),
        PASSWORD,
    )
}

fn agent_email(i: usize) -> String {
    format!("bench-agent-{i}@example.com")
}

// ---------------------------------------------------------------------------------------------
// Sockets
// ---------------------------------------------------------------------------------------------

async fn next_text(ws: &mut Socket, within: Duration) -> Res<String> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(WsMessage::Text(t)))) => return Ok(t.as_str().to_string()),
            Ok(Some(Ok(WsMessage::Close(c)))) => return Err(format!("socket closed: {c:?}")),
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => return Err(format!("socket error: {e}")),
            Ok(None) => return Err("socket ended".into()),
            Err(_) => return Err(format!("no frame within {within:?}")),
        }
    }
}

async fn send_json(ws: &mut Socket, v: Value) -> Res<()> {
    ws.send(WsMessage::Text(v.to_string().into()))
        .await
        .map_err(|e| format!("send: {e}"))
}

async fn open_console(addr: &str, cookie: &str) -> Res<(Socket, i64)> {
    let mut req = format!("ws://{addr}/agent/ws")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let h = req.headers_mut();
    h.insert("Cookie", cookie.parse().map_err(|_| "cookie header")?);
    h.insert(
        "Origin",
        format!("http://{addr}")
            .parse()
            .map_err(|_| "origin header")?,
    );
    let (mut ws, _) = tokio::time::timeout(FRAME_TIMEOUT, tokio_tungstenite::connect_async(req))
        .await
        .map_err(|_| "console connect timed out".to_string())?
        .map_err(|e| format!("console connect: {e}"))?;
    let deadline = Instant::now() + FRAME_TIMEOUT;
    while Instant::now() < deadline {
        let t = next_text(&mut ws, FRAME_TIMEOUT).await?;
        if is_bulk(&t) {
            continue;
        }
        let v: Value = serde_json::from_str(&t).map_err(|e| e.to_string())?;
        if v["type"] == "hello" {
            return Ok((ws, v["agent"]["id"].as_i64().unwrap_or(0)));
        }
    }
    Err("no console hello".into())
}

/// The queue and presence frames, which every console gets on every change: recognised without
/// parsing (keys may be sorted or in insertion order).
fn is_bulk(t: &str) -> bool {
    t.starts_with("{\"items\"")
        || t.starts_with("{\"agents\"")
        || t.starts_with("{\"type\":\"queue\"")
        || t.starts_with("{\"type\":\"agents\"")
}

fn bench_id(text: &str) -> Option<u64> {
    text.strip_prefix("bench-")?.parse().ok()
}

#[derive(Default)]
struct ConsoleOut {
    /// Message id → when it arrived, and whether in a `conversation` frame (on open) rather
    /// than a `message` frame.
    got: HashMap<u64, (Instant, bool)>,
    duplicates: usize,
    opened: usize,
    assigned_me: usize,
    errors: Vec<String>,
    ended: Option<String>,
}

/// Counted by every console as frames arrive.
#[derive(Default)]
struct Counters {
    /// Distinct bench messages seen.
    received: AtomicUsize,
    /// Queue and presence frames, and their bytes.
    bulk_frames: AtomicUsize,
    bulk_bytes: AtomicUsize,
}

async fn console(
    mut ws: Socket,
    me: i64,
    mut stop: watch::Receiver<bool>,
    counters: Arc<Counters>,
) -> ConsoleOut {
    let mut out = ConsoleOut::default();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let record = |out: &mut ConsoleOut, id: u64, at: Instant, on_open: bool| {
        if let std::collections::hash_map::Entry::Vacant(e) = out.got.entry(id) {
            e.insert((at, on_open));
            counters.received.fetch_add(1, Ordering::Relaxed);
        } else {
            out.duplicates += 1;
        }
    };
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = ping.tick() => {
                if let Err(e) = send_json(&mut ws, json!({"type": "ping"})).await {
                    out.ended = Some(e);
                    break;
                }
            }
            m = ws.next() => {
                let now = Instant::now();
                let t = match m {
                    Some(Ok(WsMessage::Text(t))) => t,
                    Some(Ok(WsMessage::Close(c))) => {
                        out.ended = Some(format!("closed: {c:?}"));
                        break;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => {
                        out.ended = Some(format!("socket error: {e}"));
                        break;
                    }
                    None => {
                        out.ended = Some("socket ended".into());
                        break;
                    }
                };
                let t = t.as_str();
                if is_bulk(t) {
                    counters.bulk_frames.fetch_add(1, Ordering::Relaxed);
                    counters.bulk_bytes.fetch_add(t.len(), Ordering::Relaxed);
                    continue;
                }
                let Ok(v) = serde_json::from_str::<Value>(t) else {
                    out.errors.push(format!("not JSON: {t:.80}"));
                    continue;
                };
                match v["type"].as_str() {
                    Some("message") => {
                        if v["author"] == "customer"
                            && let Some(id) = v["text"].as_str().and_then(bench_id)
                        {
                            record(&mut out, id, now, false);
                        }
                    }
                    Some("conversation") => {
                        out.opened += 1;
                        for m in v["messages"].as_array().into_iter().flatten() {
                            if m["author"] == "customer"
                                && let Some(id) = m["text"].as_str().and_then(bench_id)
                            {
                                record(&mut out, id, now, true);
                            }
                        }
                    }
                    Some("assigned") if v["agent_id"].as_i64() == Some(me) => out.assigned_me += 1,
                    Some("error") if out.errors.len() < 20 => out.errors.push(v.to_string()),
                    _ => {}
                }
            }
        }
    }
    let _ = ws.close(None).await;
    out
}

// ---------------------------------------------------------------------------------------------
// Customers
// ---------------------------------------------------------------------------------------------

struct Sent {
    id: u64,
    at: Instant,
    ack: Option<Duration>,
}

#[derive(Default)]
struct CustomerOut {
    node: usize,
    assigned: Option<Duration>,
    sent: Vec<Sent>,
    rate_limited: usize,
    error: Option<String>,
}

/// A small deterministic PRNG (SplitMix64) for think-time jitter.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Phases {
    arrived: AtomicUsize,
    assigned_or_gave_up: AtomicUsize,
}

/// Waits for `go` (reading and dropping frames meanwhile, pinging now and then); the instant
/// it carries.
async fn wait_go(
    ws: &mut Socket,
    go: &mut watch::Receiver<Option<Instant>>,
    within: Duration,
) -> Res<Instant> {
    let deadline = tokio::time::Instant::now() + within;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        if let Some(t) = *go.borrow_and_update() {
            return Ok(t);
        }
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => return Err("no go signal".into()),
            r = go.changed() => r.map_err(|_| "the bench stopped".to_string())?,
            _ = ping.tick() => send_json(ws, json!({"type": "ping"})).await?,
            m = ws.next() => match m {
                Some(Ok(WsMessage::Close(c))) => return Err(format!("closed: {c:?}")),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("socket error: {e}")),
                None => return Err("socket ended".into()),
            },
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn customer(
    i: usize,
    node: usize,
    addr: Arc<str>,
    k: Arc<Knobs>,
    phases: Arc<Phases>,
    mut go_escalate: watch::Receiver<Option<Instant>>,
    mut go_send: watch::Receiver<Option<Instant>>,
) -> CustomerOut {
    let mut out = CustomerOut {
        node,
        ..Default::default()
    };
    let mut counted_assigned = false;
    let r = customer_run(
        i,
        &addr,
        &k,
        &phases,
        &mut go_escalate,
        &mut go_send,
        &mut out,
        &mut counted_assigned,
    )
    .await;
    if let Err(e) = r {
        out.error = Some(e);
    }
    if !counted_assigned {
        phases.assigned_or_gave_up.fetch_add(1, Ordering::SeqCst);
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn customer_run(
    i: usize,
    addr: &str,
    k: &Knobs,
    phases: &Phases,
    go_escalate: &mut watch::Receiver<Option<Instant>>,
    go_send: &mut watch::Receiver<Option<Instant>>,
    out: &mut CustomerOut,
    counted_assigned: &mut bool,
) -> Res<()> {
    let hello = async {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = format!("ws://{addr}/api/chat")
            .into_client_request()
            .map_err(|e| e.to_string())?;
        // Every customer from an address of its own (the server limits escalations per address).
        req.headers_mut().insert(
            "x-forwarded-for",
            common::forwarded()
                .parse()
                .map_err(|_| "header".to_string())?,
        );
        let (mut ws, _) =
            tokio::time::timeout(FRAME_TIMEOUT, tokio_tungstenite::connect_async(req))
                .await
                .map_err(|_| "connect timed out".to_string())?
                .map_err(|e| format!("connect: {e}"))?;
        send_json(&mut ws, json!({"type": "hello", "v": 1, "lang": "ru"})).await?;
        loop {
            let t = next_text(&mut ws, FRAME_TIMEOUT).await?;
            if t.contains("\"welcome\"") {
                break;
            }
        }
        Ok::<_, String>(ws)
    }
    .await;
    phases.arrived.fetch_add(1, Ordering::SeqCst);
    let mut ws = hello?;

    // Escalate, spread over the ramp, and wait for an agent.
    let t_esc = wait_go(&mut ws, go_escalate, Duration::from_secs(600)).await?;
    let offset = k.ramp.mul_f64(i as f64 / k.customers as f64);
    tokio::time::sleep_until((t_esc + offset).into()).await;
    let asked = Instant::now();
    send_json(&mut ws, json!({"type": "human"})).await?;
    let deadline = asked + k.assign_timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let t = match next_text(&mut ws, left.min(FRAME_TIMEOUT)).await {
            Ok(t) => t,
            Err(e) if e.starts_with("no frame") => {
                // Nothing for a while: keep the connection alive and wait on.
                send_json(&mut ws, json!({"type": "ping"})).await?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let v: Value = serde_json::from_str(&t).unwrap_or_default();
        if (v["type"] == "status" && v["status"] == "assigned")
            || (v["type"] == "message" && v["event"] == "joined")
        {
            out.assigned = Some(asked.elapsed());
            break;
        }
    }
    phases.assigned_or_gave_up.fetch_add(1, Ordering::SeqCst);
    *counted_assigned = true;

    // Messages, every think time with jitter, until the end of the phase.
    let t0 = wait_go(
        &mut ws,
        go_send,
        k.ramp + k.assign_timeout + Duration::from_secs(120),
    )
    .await?;
    let end = t0 + k.seconds;
    let mut rng = Rng(0x5EED ^ (i as u64).wrapping_mul(0x9E37_79B9));
    let mut next = t0 + k.think.mul_f64(rng.next_f64());
    let mut pending: HashMap<u64, usize> = HashMap::new();
    let mut n = 0u64;
    let mut ping_at = Instant::now() + PING_EVERY;
    // After the last send, acknowledgements are awaited this long at most.
    let ack_deadline = end + FRAME_TIMEOUT;
    loop {
        let now = Instant::now();
        let sending = next < end;
        if !sending && (pending.is_empty() || now >= ack_deadline) {
            break;
        }
        let wake = if sending { next } else { ack_deadline }.min(ping_at);
        tokio::select! {
            () = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if now >= ping_at {
                    send_json(&mut ws, json!({"type": "ping"})).await?;
                    ping_at = now + PING_EVERY;
                }
                if sending && now >= next {
                    let id = i as u64 * PER_CUSTOMER + n;
                    n += 1;
                    let frame = json!({"type": "send", "client_id": format!("b{id}"), "text": format!("bench-{id}")});
                    let at = Instant::now();
                    send_json(&mut ws, frame).await?;
                    pending.insert(id, out.sent.len());
                    out.sent.push(Sent { id, at, ack: None });
                    ping_at = Instant::now() + PING_EVERY;
                    next += k.think.mul_f64(0.5 + rng.next_f64());
                }
            }
            m = ws.next() => {
                let now = Instant::now();
                let t = match m {
                    Some(Ok(WsMessage::Text(t))) => t,
                    Some(Ok(WsMessage::Close(c))) => return Err(format!("closed: {c:?}")),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return Err(format!("socket error: {e}")),
                    None => return Err("socket ended".into()),
                };
                let t = t.as_str();
                if !t.contains("\"ack\"") && !t.contains("\"error\"") {
                    continue;
                }
                let v: Value = serde_json::from_str(t).unwrap_or_default();
                let id = v["client_id"]
                    .as_str()
                    .and_then(|c| c.strip_prefix('b'))
                    .and_then(|c| c.parse::<u64>().ok());
                match (v["type"].as_str(), id) {
                    (Some("ack"), Some(id)) => {
                        if let Some(j) = pending.remove(&id) {
                            out.sent[j].ack = Some(now - out.sent[j].at);
                        }
                    }
                    (Some("error"), id) => {
                        if v["code"] == "rate_limited" {
                            out.rate_limited += 1;
                        }
                        if let Some(j) = id.and_then(|id| pending.remove(&id)) {
                            // Refused: not counted as sent.
                            out.sent[j].ack = None;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let _ = ws.close(None).await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A scenario
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Group {
    /// Delivery latencies of acknowledged messages that reached a console.
    lat: Vec<Duration>,
    acks: Vec<Duration>,
    /// Console receive time − the customer's ack, in ms (negative when the console had it
    /// first): the delivery after the message was stored.
    after_ack: Vec<f64>,
    acked: usize,
    lost: usize,
    unacked: usize,
    on_open: usize,
}

struct NodeStats {
    label: &'static str,
    name: String,
    cpu: Duration,
    notifications: Option<f64>,
}

struct Report {
    consoles_on: usize,
    /// Index 0: customers on the consoles' node's peer (cross-node); 1: same node.
    groups: [Group; 2],
    nodes: Vec<NodeStats>,
    postgres_cpu: Duration,
    bench_cpu: Duration,
    phase: Duration,
    connect: Duration,
    assign_all: Duration,
    assign_waits: Vec<Duration>,
    not_assigned: usize,
    customer_errors: Vec<String>,
    rate_limited: usize,
    console_notes: Vec<String>,
    opened: usize,
    /// Queue and presence frames to all consoles from their connection to the end.
    bulk_frames: usize,
    bulk_bytes: usize,
    /// The same over the messaging phase only.
    bulk_phase: (usize, usize),
    duplicates: usize,
}

async fn wait_count(c: &AtomicUsize, n: usize, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while c.load(Ordering::SeqCst) < n {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

async fn scenario(k: Arc<Knobs>, consoles_on: usize, db: &str) -> Res<Report> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    // One after the other: the first one runs the migrations.
    let a = start_node("A", db, &http).await?;
    let b = start_node("B", db, &http).await?;
    let nodes = [a, b];
    for n in &nodes {
        eprintln!(
            "cluster: node {} is {} on {} (pid {})",
            n.label,
            n.name,
            n.addr,
            n.pid()
        );
    }
    let t = Instant::now();
    {
        let (db, agents, max_chats) = (db.to_string(), k.agents, k.max_chats);
        tokio::task::spawn_blocking(move || {
            (0..agents).try_for_each(|i| add_agent(&db, i, max_chats))
        })
        .await
        .map_err(|e| e.to_string())??;
    }
    eprintln!(
        "cluster: {} agents (max_chats {}) created in {:.1} s",
        k.agents,
        k.max_chats,
        t.elapsed().as_secs_f64()
    );

    // Consoles, all on one node, before any customer escalates.
    let console_addr = nodes[consoles_on].addr.clone();
    let (stop_tx, stop_rx) = watch::channel(false);
    let counters = Arc::new(Counters::default());
    let mut consoles = Vec::with_capacity(k.agents);
    for i in 0..k.agents {
        let cookie = common::login(&http, &console_addr, &agent_email(i), PASSWORD).await?;
        let (ws, me) = open_console(&console_addr, &cookie).await?;
        consoles.push(tokio::spawn(console(
            ws,
            me,
            stop_rx.clone(),
            counters.clone(),
        )));
    }
    eprintln!(
        "cluster: {} consoles open on node {}",
        k.agents, LABELS[consoles_on]
    );
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Customers: even numbers on A, odd on B.
    let phases = Arc::new(Phases {
        arrived: AtomicUsize::new(0),
        assigned_or_gave_up: AtomicUsize::new(0),
    });
    let (esc_tx, esc_rx) = watch::channel(None);
    let (send_tx, send_rx) = watch::channel(None);
    let addrs: [Arc<str>; 2] = [nodes[0].addr.clone().into(), nodes[1].addr.clone().into()];
    let t_connect = Instant::now();
    let mut customers = Vec::with_capacity(k.customers);
    for i in 0..k.customers {
        let node = i % 2;
        customers.push(tokio::spawn(customer(
            i,
            node,
            addrs[node].clone(),
            k.clone(),
            phases.clone(),
            esc_rx.clone(),
            send_rx.clone(),
        )));
    }
    if !wait_count(&phases.arrived, k.customers, Duration::from_secs(180)).await {
        return Err("customers did not connect within 180 s".into());
    }
    let connect = t_connect.elapsed();
    eprintln!(
        "cluster: {} customers connected in {:.1} s; asking for a person over {:.1} s",
        k.customers,
        connect.as_secs_f64(),
        k.ramp.as_secs_f64()
    );
    let t_esc = Instant::now();
    let _ = esc_tx.send(Some(t_esc));
    let all_assigned = wait_count(
        &phases.assigned_or_gave_up,
        k.customers,
        k.ramp + k.assign_timeout + Duration::from_secs(60),
    )
    .await;
    let assign_all = t_esc.elapsed();
    eprintln!(
        "cluster: assignment phase over in {:.1} s{}; messages for {:.0} s",
        assign_all.as_secs_f64(),
        if all_assigned { "" } else { " (timed out)" },
        k.seconds.as_secs_f64()
    );

    // The measured phase.
    let pids: Vec<String> = nodes.iter().map(|n| n.pid().to_string()).collect();
    let cpu0: Vec<Duration> = pids.iter().map(|p| common::cpu_time(p)).collect();
    let pg0 = postgres_cpu();
    let me0 = common::cpu_time("self");
    let mut notes0 = Vec::new();
    for n in &nodes {
        notes0.push(metric(&http, &n.addr, "otvet_bus_notifications_total").await);
    }
    let bulk0 = (
        counters.bulk_frames.load(Ordering::SeqCst),
        counters.bulk_bytes.load(Ordering::SeqCst),
    );
    let t0 = Instant::now();
    let _ = send_tx.send(Some(t0));
    let mut outs = Vec::with_capacity(k.customers);
    let customers_deadline = k.seconds + FRAME_TIMEOUT + Duration::from_secs(60);
    for c in customers {
        let left = customers_deadline.saturating_sub(t0.elapsed());
        match tokio::time::timeout(left, c).await {
            Ok(Ok(o)) => outs.push(o),
            Ok(Err(e)) => outs.push(CustomerOut {
                error: Some(format!("customer task: {e}")),
                ..Default::default()
            }),
            Err(_) => return Err("customers did not finish in time".into()),
        }
    }
    let acked: usize = outs
        .iter()
        .map(|o| o.sent.iter().filter(|s| s.ack.is_some()).count())
        .sum();
    let drain_start = Instant::now();
    while counters.received.load(Ordering::SeqCst) < acked && drain_start.elapsed() < k.drain {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let phase = t0.elapsed();
    let bulk_frames = counters.bulk_frames.load(Ordering::SeqCst);
    let bulk_bytes = counters.bulk_bytes.load(Ordering::SeqCst);
    let bulk_phase = (bulk_frames - bulk0.0, bulk_bytes - bulk0.1);
    let cpu1: Vec<Duration> = pids.iter().map(|p| common::cpu_time(p)).collect();
    let pg1 = postgres_cpu();
    let me1 = common::cpu_time("self");
    let mut node_stats = Vec::new();
    for (j, n) in nodes.iter().enumerate() {
        let after = metric(&http, &n.addr, "otvet_bus_notifications_total").await;
        node_stats.push(NodeStats {
            label: n.label,
            name: n.name.clone(),
            cpu: cpu1[j].saturating_sub(cpu0[j]),
            notifications: after.zip(notes0[j]).map(|(a, b)| a - b),
        });
    }
    let _ = stop_tx.send(true);
    let mut got: HashMap<u64, (Instant, bool)> = HashMap::new();
    let mut console_notes = Vec::new();
    let (mut opened, mut duplicates) = (0, 0);
    for (i, c) in consoles.into_iter().enumerate() {
        match tokio::time::timeout(Duration::from_secs(10), c).await {
            Ok(Ok(o)) => {
                opened += o.opened;
                duplicates += o.duplicates;
                if let Some(e) = o.ended {
                    console_notes.push(format!("console {i} ended early: {e}"));
                }
                for e in o.errors {
                    console_notes.push(format!("console {i}: {e}"));
                }
                for (id, v) in o.got {
                    if got.insert(id, v).is_some() {
                        duplicates += 1;
                    }
                }
            }
            Ok(Err(e)) => console_notes.push(format!("console {i}: task {e}")),
            Err(_) => console_notes.push(format!("console {i}: did not stop")),
        }
    }
    drop(nodes);

    let mut groups: [Group; 2] = Default::default();
    let mut assign_waits = Vec::new();
    let mut not_assigned = 0;
    let mut customer_errors = Vec::new();
    let mut rate_limited = 0;
    for o in &outs {
        match o.assigned {
            Some(w) => assign_waits.push(w),
            None => not_assigned += 1,
        }
        if let Some(e) = &o.error
            && customer_errors.len() < 10
        {
            customer_errors.push(e.clone());
        }
        rate_limited += o.rate_limited;
        let g = &mut groups[usize::from(o.node == consoles_on)];
        for s in &o.sent {
            let Some(ack) = s.ack else {
                g.unacked += 1;
                continue;
            };
            g.acked += 1;
            g.acks.push(ack);
            match got.get(&s.id) {
                Some(&(at, on_open)) => {
                    let recv = at.saturating_duration_since(s.at);
                    g.lat.push(recv);
                    g.after_ack
                        .push((recv.as_secs_f64() - ack.as_secs_f64()) * 1000.0);
                    g.on_open += usize::from(on_open);
                }
                None => g.lost += 1,
            }
        }
    }
    for g in &mut groups {
        g.lat.sort_unstable();
        g.acks.sort_unstable();
        g.after_ack.sort_unstable_by(f64::total_cmp);
    }
    assign_waits.sort_unstable();
    Ok(Report {
        consoles_on,
        groups,
        nodes: node_stats,
        postgres_cpu: pg1.saturating_sub(pg0),
        bench_cpu: me1.saturating_sub(me0),
        phase,
        connect,
        assign_all,
        assign_waits,
        not_assigned,
        customer_errors,
        rate_limited,
        console_notes,
        opened,
        bulk_frames,
        bulk_bytes,
        bulk_phase,
        duplicates,
    })
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn pct_f(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1000.0;
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.2} ms")
    }
}

fn ratio(a: Duration, b: Duration) -> String {
    if b.is_zero() {
        "–".into()
    } else {
        format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64())
    }
}

fn print_report(k: &Knobs, r: &Report) {
    let on = LABELS[r.consoles_on];
    let other = LABELS[1 - r.consoles_on];
    println!();
    println!(
        "### Consoles on node {on}: {} customers ({} on each node), {} agents × max_chats {}, \
         think {} ms ±50 %, {} s",
        k.customers,
        k.customers / 2,
        k.agents,
        k.max_chats,
        k.think.as_millis(),
        k.seconds.as_secs()
    );
    println!();
    println!(
        "| delivery | messages | p50 | p90 | p99 | max | lost | customer ack p50 / p99 | \
         console − ack p50 / p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let names = [
        format!("cross-node: customer on {other} → console on {on}"),
        format!("same node: customer on {on} → console on {on}"),
    ];
    for (g, name) in r.groups.iter().zip(&names) {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} / {} | {:.2} / {:.2} ms |",
            g.lat.len(),
            ms(pct(&g.lat, 0.5)),
            ms(pct(&g.lat, 0.9)),
            ms(pct(&g.lat, 0.99)),
            ms(*g.lat.last().unwrap_or(&Duration::ZERO)),
            g.lost,
            ms(pct(&g.acks, 0.5)),
            ms(pct(&g.acks, 0.99)),
            pct_f(&g.after_ack, 0.5),
            pct_f(&g.after_ack, 0.99),
        );
    }
    let (c, s) = (&r.groups[0], &r.groups[1]);
    println!(
        "| **ratio cross / same** | | **{}** | **{}** | **{}** | {} | | {} / {} | \
         difference {:+.2} / {:+.2} ms |",
        ratio(pct(&c.lat, 0.5), pct(&s.lat, 0.5)),
        ratio(pct(&c.lat, 0.9), pct(&s.lat, 0.9)),
        ratio(pct(&c.lat, 0.99), pct(&s.lat, 0.99)),
        ratio(
            *c.lat.last().unwrap_or(&Duration::ZERO),
            *s.lat.last().unwrap_or(&Duration::ZERO)
        ),
        ratio(pct(&c.acks, 0.5), pct(&s.acks, 0.5)),
        ratio(pct(&c.acks, 0.99), pct(&s.acks, 0.99)),
        pct_f(&c.after_ack, 0.5) - pct_f(&s.after_ack, 0.5),
        pct_f(&c.after_ack, 0.99) - pct_f(&s.after_ack, 0.99),
    );
    let total: usize = r.groups.iter().map(|g| g.lat.len() + g.lost).sum();
    let secs = r.phase.as_secs_f64();
    println!();
    println!(
        "| process | CPU over the phase | cores busy | CPU per message | bus notifications received |"
    );
    println!("|---|---|---|---|---|");
    for n in &r.nodes {
        let role = if n.label == on {
            "half the customers + all consoles"
        } else {
            "half the customers"
        };
        println!(
            "| node {} ({}: {role}) | {:.2} s | {:.2} | {:.2} ms | {} |",
            n.label,
            n.name,
            n.cpu.as_secs_f64(),
            n.cpu.as_secs_f64() / secs,
            n.cpu.as_secs_f64() * 1000.0 / total.max(1) as f64,
            n.notifications
                .map(|v| format!("{v:.0}"))
                .unwrap_or_else(|| "–".into())
        );
    }
    println!(
        "| PostgreSQL (all `postgres` processes) | {:.2} s | {:.2} | {:.2} ms | |",
        r.postgres_cpu.as_secs_f64(),
        r.postgres_cpu.as_secs_f64() / secs,
        r.postgres_cpu.as_secs_f64() * 1000.0 / total.max(1) as f64
    );
    println!(
        "| bench clients (this process) | {:.2} s | {:.2} | {:.2} ms | |",
        r.bench_cpu.as_secs_f64(),
        r.bench_cpu.as_secs_f64() / secs,
        r.bench_cpu.as_secs_f64() * 1000.0 / total.max(1) as f64
    );
    println!();
    println!(
        "Phase {:.1} s (sending + drain); {} messages acknowledged ({:.0}/s), {} not \
         acknowledged; {} delivered in a `conversation` frame on open rather than a `message` \
         frame; {} duplicates; {} rate-limited.",
        secs,
        c.acked + s.acked,
        (c.acked + s.acked) as f64 / k.seconds.as_secs_f64(),
        c.unacked + s.unacked,
        c.on_open + s.on_open,
        r.duplicates,
        r.rate_limited
    );
    println!(
        "Set-up: customers connected in {:.1} s; all assigned {:.1} s after the first asked \
         (ramp {:.1} s), wait per customer p50 {} / p99 {} / max {}; {} never assigned; \
         {} conversations opened by consoles. Queue/presence frames to all consoles: {} \
         ({:.1} MB) during the messaging phase, {} ({:.1} MB) in all.",
        r.connect.as_secs_f64(),
        r.assign_all.as_secs_f64(),
        k.ramp.as_secs_f64(),
        ms(pct(&r.assign_waits, 0.5)),
        ms(pct(&r.assign_waits, 0.99)),
        ms(*r.assign_waits.last().unwrap_or(&Duration::ZERO)),
        r.not_assigned,
        r.opened,
        r.bulk_phase.0,
        r.bulk_phase.1 as f64 / 1e6,
        r.bulk_frames,
        r.bulk_bytes as f64 / 1e6
    );
    for e in &r.customer_errors {
        println!("- customer error: {e}");
    }
    for n in r.console_notes.iter().take(10) {
        println!("- {n}");
    }
}

fn main() {
    let k = Arc::new(Knobs::from_env());
    let admin = std::env::var("OTVET_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES.into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Err(e) = rt.block_on(common::admin_sql(&admin, "SELECT 1".into())) {
        eprintln!(
            "cluster bench skipped: PostgreSQL is not reachable at {admin} \
             (set OTVET_BENCH_POSTGRES_URL): {e}"
        );
        println!("cluster bench skipped: no PostgreSQL at {admin}");
        return;
    }
    if k.customers > k.agents * k.max_chats as usize {
        eprintln!(
            "cluster: warning: {} agents × {} chats cannot take {} customers",
            k.agents, k.max_chats, k.customers
        );
    }
    if k.think < Duration::from_millis(2500) {
        eprintln!(
            "cluster: warning: a think time under 2.5 s runs into the customers' rate limit \
             (a message every 2 s after a burst of 10)"
        );
    }
    eprintln!("cluster: {k:?}");
    let mut failed = false;
    let mut reports = Vec::new();
    for &on in &k.scenarios {
        let name = format!(
            "otvet_bench_cluster_{}_{}",
            std::process::id(),
            LABELS[on].to_lowercase()
        );
        if let Err(e) = rt.block_on(common::admin_sql(&admin, format!("CREATE DATABASE {name}"))) {
            eprintln!("cluster: {e}");
            std::process::exit(1);
        }
        let url = otvet::store::with_database(&admin, &name);
        eprintln!(
            "cluster: scenario: consoles on node {}, database {name}",
            LABELS[on]
        );
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(scenario(k.clone(), on, &url))
        }));
        // The nodes are gone (killed when the scenario ended); FORCE drops any leftover session.
        if let Err(e) = rt.block_on(common::admin_sql(
            &admin,
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )) {
            eprintln!("cluster: {e}");
        }
        match result {
            Ok(Ok(r)) => {
                print_report(&k, &r);
                let _ = std::io::stdout().flush();
                if r.groups.iter().any(|g| g.lost > 0) || r.not_assigned > 0 {
                    failed = true;
                }
                reports.push(r);
            }
            Ok(Err(e)) => {
                eprintln!(
                    "cluster: scenario with consoles on {} failed: {e}",
                    LABELS[on]
                );
                failed = true;
            }
            Err(_) => {
                eprintln!("cluster: scenario with consoles on {} panicked", LABELS[on]);
                failed = true;
            }
        }
    }
    rt.shutdown_timeout(Duration::from_secs(5));
    if failed {
        eprintln!("cluster: FAILED: lost messages, unassigned customers or a failed scenario");
        std::process::exit(1);
    }
}
