//! Chat load benchmark: `cargo bench --bench chat`.
//!
//! Starts the release `otvet` binary as a child process on a free 127.0.0.1 port with the
//! sample articles and a fresh SQLite file, then, with tokio-tungstenite clients in this
//! process:
//!
//! * **load**: N customers connect at once, say `hello`, and each asks `QUESTIONS` questions
//!   from `eval/domoteka.jsonl` with a think time between an answer and the next question; the
//!   latency is from sending a question to receiving the bot's reply (an answer or "no
//!   answer"), both stored in the database before they are sent. Run for each N in
//!   `OTVET_BENCH_CUSTOMERS` (default `100,1000`).
//! * **idle memory**: the server's resident memory (VmRSS) before and after `OTVET_BENCH_IDLE`
//!   (default 10,000) customers opened the widget (connected and said `hello`) and then sit
//!   idle; the difference divided by their number.
//!
//! The server runs with the semantic model of `OTVET_BENCH_MODEL` (`builtin`, or `off` for the
//! lexical engine), and the load starts once its embeddings are ready (`/readyz`).
//!
//! Prints a Markdown table. All traffic goes to 127.0.0.1; every loop is bounded.

mod common;

use std::io::{BufRead, Read, Write};
use std::net::TcpStream as StdTcpStream;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::protocol::Message as WsMessage;

const QUESTIONS: usize = 5;
const FRAME_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_BATCH: usize = 250;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Server {
    child: Option<Child>,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn start_server() -> Server {
    // A server started by hand (e.g. under a profiler): `OTVET_BENCH_ADDR=127.0.0.1:8080`.
    if let Ok(addr) = std::env::var("OTVET_BENCH_ADDR") {
        return Server {
            child: None,
            addr,
            _dir: tempfile::tempdir().expect("temp dir"),
        };
    }
    let addr = common::free_addr();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("otvet.db").display());
    let cache = dir.path().join("embeddings.bin");
    let child = common::spawn_otvet(
        &addr,
        &db,
        [
            std::ffi::OsStr::new("--model"),
            std::ffi::OsStr::new(&model()),
            std::ffi::OsStr::new("--embedding-cache"),
            cache.as_os_str(),
        ],
    );
    wait_for(&addr, "/healthz", Duration::from_secs(60), |out| {
        out.starts_with("HTTP/1.1 200") || out.starts_with("HTTP/1.0 200")
    });
    // Answers are lexical until the embeddings are ready: measure the engine in its mode.
    wait_for(&addr, "/readyz", Duration::from_secs(300), |out| {
        out.contains("\"state\":\"ready\"") || out.contains("\"state\":\"off\"")
    });
    Server {
        child: Some(child),
        addr,
        _dir: dir,
    }
}

/// Polls `GET path` on `addr` until `done` accepts the raw response; panics after `limit`.
fn wait_for(addr: &str, path: &str, limit: Duration, done: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + limit;
    loop {
        assert!(
            Instant::now() < deadline,
            "{path} did not say ready in time"
        );
        if let Ok(mut s) = StdTcpStream::connect(addr) {
            let _ = write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            if done(&out) {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `OTVET_BENCH_MODEL`: the server's `--model` (`builtin`).
fn model() -> String {
    std::env::var("OTVET_BENCH_MODEL").unwrap_or_else(|_| "builtin".into())
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn questions(path: &Path) -> Vec<String> {
    let f = std::fs::File::open(path).expect("eval set");
    std::io::BufReader::new(f)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Value>(&l).ok())
        .filter(|v| v["lang"] == "ru")
        .filter_map(|v| v["query"].as_str().map(str::to_string))
        .filter(|q| q.chars().count() < 300)
        .collect()
}

async fn connect(addr: &str) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{addr}/api/chat")
        .into_client_request()
        .expect("request");
    // Every customer from an address of its own, as the loopback proxy would say: the server's
    // per-address limits (new customers, escalations) are for one client, not for the bench.
    req.headers_mut().insert(
        "x-forwarded-for",
        common::forwarded().parse().expect("header"),
    );
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    ws
}

async fn next_json(ws: &mut Socket) -> Value {
    loop {
        match tokio::time::timeout(FRAME_TIMEOUT, ws.next()).await {
            Ok(Some(Ok(WsMessage::Text(t)))) => {
                return serde_json::from_str(t.as_str()).expect("JSON frame");
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("socket ended or timed out: {other:?}"),
        }
    }
}

async fn hello(ws: &mut Socket) {
    ws.send(WsMessage::Text(
        json!({"type":"hello","v":1,"lang":"ru"}).to_string().into(),
    ))
    .await
    .expect("send hello");
    loop {
        if next_json(ws).await["type"] == "welcome" {
            return;
        }
    }
}

/// Time between an answer and the customer's next question (`OTVET_BENCH_THINK_MS`, 1000).
fn think() -> Duration {
    Duration::from_millis(env_list("OTVET_BENCH_THINK_MS", &[1000])[0] as u64)
}

/// One customer: `QUESTIONS` questions, returning each one's latency.
async fn customer(
    addr: Arc<str>,
    qs: Arc<Vec<String>>,
    id: usize,
    all_connected: Arc<tokio::sync::Barrier>,
) -> Vec<Duration> {
    let think = think();
    let mut ws = connect(&addr).await;
    hello(&mut ws).await;
    // Questions start once every customer is connected: the latencies are of N customers
    // chatting, not of N customers arriving at once.
    all_connected.wait().await;
    // Spread the first questions over one think time.
    tokio::time::sleep(think.mul_f64((id % 97) as f64 / 97.0)).await;
    let mut out = Vec::with_capacity(QUESTIONS);
    for k in 0..QUESTIONS {
        let q = &qs[(id * 7 + k * 13) % qs.len()];
        let t0 = Instant::now();
        ws.send(WsMessage::Text(
            json!({"type":"send","client_id":format!("{id}-{k}"),"text":q})
                .to_string()
                .into(),
        ))
        .await
        .expect("send question");
        loop {
            let v = next_json(&mut ws).await;
            if v["type"] == "message" && (v["author"] == "bot" || v["author"] == "system") {
                break;
            }
            if v["type"] == "error" {
                panic!("error frame: {v}");
            }
        }
        out.push(t0.elapsed());
        tokio::time::sleep(think).await;
    }
    let _ = ws.close(None).await;
    out
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let qs = Arc::new(questions(&repo().join("eval/domoteka.jsonl")));
    let mut rows = Vec::new();
    for n in env_list("OTVET_BENCH_CUSTOMERS", &[100, 1000]) {
        if n == 0 {
            continue;
        }
        let server = start_server();
        let addr: Arc<str> = server.addr.clone().into();
        let cpu0 = common::cpu_time(&server.pid().to_string());
        let t0 = Instant::now();
        let mut lat: Vec<Duration> = rt.block_on(async {
            let mut tasks = Vec::with_capacity(n);
            let barrier = Arc::new(tokio::sync::Barrier::new(n));
            for id in 0..n {
                tasks.push(tokio::spawn(customer(
                    addr.clone(),
                    qs.clone(),
                    id,
                    barrier.clone(),
                )));
            }
            let mut all = Vec::new();
            for t in tasks {
                all.extend(t.await.expect("customer task"));
            }
            all
        });
        let wall = t0.elapsed();
        let cpu = common::cpu_time(&server.pid().to_string()).saturating_sub(cpu0);
        lat.sort_unstable();
        let rate = lat.len() as f64 / wall.as_secs_f64();
        rows.push(format!(
            "| {n} customers, {QUESTIONS} questions each, {:.0} ms think time | {} | {} | {} | {} | {:.0}/s | {:.2} ms |",
            think().as_millis(),
            lat.len(),
            ms(pct(&lat, 0.5)),
            ms(pct(&lat, 0.99)),
            ms(*lat.last().unwrap_or(&Duration::ZERO)),
            rate,
            cpu.as_secs_f64() * 1000.0 / lat.len().max(1) as f64
        ));
        eprintln!("{}", rows.last().map(String::as_str).unwrap_or(""));
    }
    println!("| load | questions | p50 | p99 | max | answers | server CPU per question |");
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        println!("{r}");
    }

    let idle = env_list("OTVET_BENCH_IDLE", &[10_000])[0];
    if idle > 0 {
        let server = start_server();
        let pid = server.pid();
        let addr = server.addr.clone();
        // One connection and hello first, so one-off allocations are not counted per socket.
        let (before, after, elapsed) = rt.block_on(async {
            let mut warm = connect(&addr).await;
            hello(&mut warm).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            let before = rss_kib(pid);
            let t0 = Instant::now();
            let mut sockets = Vec::with_capacity(idle);
            let mut started = 0;
            while started < idle {
                let batch = CONNECT_BATCH.min(idle - started);
                let mut tasks = Vec::with_capacity(batch);
                for _ in 0..batch {
                    let addr = addr.clone();
                    tasks.push(tokio::spawn(async move {
                        let mut ws = connect(&addr).await;
                        hello(&mut ws).await;
                        ws
                    }));
                }
                for t in tasks {
                    sockets.push(t.await.expect("idle customer"));
                }
                started += batch;
            }
            let elapsed = t0.elapsed();
            tokio::time::sleep(Duration::from_secs(2)).await;
            let after = rss_kib(pid);
            drop(sockets);
            drop(warm);
            (before, after, elapsed)
        });
        let per = (after.saturating_sub(before)) as f64 * 1024.0 / idle as f64;
        println!();
        println!(
            "| idle customers | server RSS before | after | per connection | time to open all |"
        );
        println!("|---|---|---|---|---|");
        println!(
            "| {idle} | {:.1} MiB | {:.1} MiB | {:.1} KiB | {:.1} s |",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            per / 1024.0,
            elapsed.as_secs_f64()
        );
    }
}
