//! Several nodes on one PostgreSQL database: two real `otvet serve` processes on different
//! loopback ports share one fresh database per test. A customer on one node talks to an agent
//! on the other; assignment, claims and caps hold across nodes; a SIGKILLed node loses nothing
//! that was acknowledged; a node whose LISTEN connection is dropped back-fills its sockets; a
//! SIGTERMed node closes its sockets with 1012 and exits 0; `/healthz` is liveness only.
//!
//! Like the other PostgreSQL tests these run when `OTVET_TEST_POSTGRES_URL` is set (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`) and are skipped otherwise, unless
//! `OTVET_REQUIRE_POSTGRES=1`:
//!
//! ```text
//! OTVET_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres OTVET_REQUIRE_POSTGRES=1 \
//!     cargo test --test api cluster
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::helpers::{
    TestApp, login, run_otvet, run_otvet_with_stdin, sample_articles, wait_until,
};
use crate::store::TestDb;
use crate::ws::{Ws, WsEnd, assigned, new_customer, only_the_loser_is_refused, queue_with};

/// How long a node may take from spawn to answering `/readyz` with 200.
const NODE_START: Duration = Duration::from_secs(60);
/// Upper bound of one `otvet agent add`.
const CLI_TIMEOUT: Duration = Duration::from_secs(60);
/// Every agent's password.
const PASSWORD: &str = "cluster-test-password";
/// The line a node prints on standard error once it listens.
const LISTENING: &str = "otvet: help center on http://";

// ---------------------------------------------------------------------------------------------
// A node: one `otvet serve` process
// ---------------------------------------------------------------------------------------------

/// A running `otvet serve` process on `127.0.0.1:0`; killed (SIGKILL) when dropped.
struct Node {
    /// `A`, `B`, … for messages.
    label: &'static str,
    /// What the `Ws` and `login` helpers need: the address, base URL and an HTTP client.
    app: TestApp,
    /// The node's name from `/readyz` (`otvet-1a2b3c4d`).
    name: String,
    child: Child,
    /// Everything the process printed on standard error so far.
    stderr: Arc<Mutex<String>>,
    /// The exit status once the process was reaped.
    exited: Option<ExitStatus>,
}

impl Node {
    /// Starts a node on `database_url` with extra environment variables and waits until its
    /// `/readyz` answers 200.
    async fn start(label: &'static str, database_url: &str, env: &[(&str, &str)]) -> Node {
        let articles = sample_articles();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_otvet"));
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--database", database_url])
            .arg("--articles")
            .arg(&articles)
            .args(["--watch", "false"])
            // The bus is under test, not the answers: no encoder loading and embedding.
            .args(["--model", "off"]);
        for (k, _) in std::env::vars() {
            if k.starts_with("OTVET_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("OTVET_LOG", "warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("node {label}: start {cmd:?}: {e}"));
        let pipe = child.stderr.take().expect("the node's stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
        let log = stderr.clone();
        std::thread::Builder::new()
            .name(format!("node-{label}-stderr"))
            .spawn(move || {
                let mut tx = Some(tx);
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if let Some(addr) = line.strip_prefix(LISTENING)
                        && let Ok(addr) = addr.trim().parse::<SocketAddr>()
                        && let Some(tx) = tx.take()
                    {
                        let _ = tx.send(addr);
                    }
                    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                    log.push_str(&line);
                    log.push('\n');
                }
            })
            .expect("spawn the stderr reader");
        let addr = match tokio::time::timeout(NODE_START, rx).await {
            Ok(Ok(addr)) => addr,
            outcome => {
                let _ = child.kill();
                let status = child.wait();
                // Give the reader a moment to collect the last lines.
                tokio::time::sleep(Duration::from_millis(100)).await;
                let text = stderr.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let why = if outcome.is_err() {
                    format!("did not print {LISTENING:?} within {NODE_START:?}")
                } else {
                    "exited before listening".to_string()
                };
                panic!("node {label} {why} (status {status:?})\nstderr:\n{text}");
            }
        };
        assert!(addr.ip().is_loopback(), "node {label} listens on {addr}");
        let app = TestApp {
            addr,
            base_url: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("build reqwest client"),
            shutdown: None,
            handle: None,
            _db_dir: None,
            database_url: database_url.to_string(),
        };
        let mut node = Node {
            label,
            app,
            name: String::new(),
            child,
            stderr,
            exited: None,
        };
        node.wait_ready().await;
        node
    }

    /// Polls `/readyz` until it answers 200; remembers the node's name.
    async fn wait_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.exited = Some(status);
                panic!(
                    "node {} exited ({status}) before it was ready\nstderr:\n{}",
                    self.label,
                    self.stderr()
                );
            }
            let res = self
                .app
                .client
                .get(format!("{}/readyz", self.app.base_url))
                .timeout(Duration::from_secs(5))
                .send()
                .await;
            let last = match res {
                Ok(r) if r.status() == 200 => {
                    let v: Value = r.json().await.expect("/readyz JSON");
                    self.name = v["node"].as_str().unwrap_or_default().to_string();
                    return;
                }
                Ok(r) => format!("{}: {}", r.status(), r.text().await.unwrap_or_default()),
                Err(e) => e.to_string(),
            };
            assert!(
                started.elapsed() < NODE_START,
                "node {}: /readyz not 200 within {NODE_START:?} (last: {last})\nstderr:\n{}",
                self.label,
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What the process printed on standard error so far.
    fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://127.0.0.1:PORT`, the node's own origin.
    fn origin(&self) -> &str {
        &self.app.base_url
    }

    /// SIGKILL, and reaps the process.
    fn kill(&mut self) {
        if self.exited.is_some() {
            return;
        }
        self.child.kill().expect("SIGKILL the node");
        self.exited = Some(self.child.wait().expect("reap the killed node"));
    }

    /// SIGTERM (through `kill -TERM`); does not wait.
    fn terminate(&mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill -TERM");
        assert!(status.success(), "kill -TERM {}: {status}", self.pid());
    }

    /// Waits at most `timeout` for the process to exit; its status, or `None` if it still runs.
    async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(s) = self.exited {
                return Some(s);
            }
            if let Some(s) = self.child.try_wait().expect("wait for the node") {
                self.exited = Some(s);
                return Some(s);
            }
            if started.elapsed() >= timeout {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `GET path` → status and JSON body.
    async fn get_json(&self, path: &str) -> (u16, Value) {
        self.app.get_json(path).await
    }

    /// `GET /metrics` as text.
    async fn metrics(&self) -> String {
        let r = self
            .app
            .client
            .get(format!("{}/metrics", self.app.base_url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("node {}: GET /metrics: {e}", self.label));
        assert_eq!(r.status(), 200, "node {}: /metrics", self.label);
        r.text().await.expect("/metrics body")
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if self.exited.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Two nodes on one database, started at the same time (their migrations race).
/// A fresh database and two nodes on it, or `None` (after saying so) without PostgreSQL.
async fn cluster(test: &str, env: &[(&str, &str)]) -> Option<(TestDb, String, Node, Node)> {
    let db = TestDb::postgres(test).await?;
    let url = db.url();
    let (a, b) = two_nodes(&url, env).await;
    Some((db, url, a, b))
}

async fn two_nodes(database_url: &str, env: &[(&str, &str)]) -> (Node, Node) {
    let (a, b) = tokio::join!(
        Node::start("A", database_url, env),
        Node::start("B", database_url, env)
    );
    assert!(
        is_node_name(&a.name) && is_node_name(&b.name),
        "node names {:?} and {:?}",
        a.name,
        b.name
    );
    assert_ne!(a.name, b.name, "two processes got the same node name");
    (a, b)
}

fn is_node_name(name: &str) -> bool {
    name.strip_prefix("otvet-")
        .is_some_and(|h| h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

// ---------------------------------------------------------------------------------------------
// Agents, consoles, customers
// ---------------------------------------------------------------------------------------------

/// Creates agent accounts with the real `otvet agent add --password-stdin`, concurrently.
async fn add_agents(database_url: &str, agents: &[(&str, &str, Option<u32>)]) {
    let mut tasks = Vec::new();
    for (email, name, max_chats) in agents {
        let (url, email, name, max_chats) = (
            database_url.to_string(),
            email.to_string(),
            name.to_string(),
            *max_chats,
        );
        tasks.push(tokio::task::spawn_blocking(move || {
            add_account(&url, &email, &name, max_chats, "agent")
        }));
    }
    for t in tasks {
        t.await.expect("otvet agent add panicked");
    }
}

/// Creates one account with `otvet agent add --password-stdin` (blocking).
fn add_account(url: &str, email: &str, name: &str, max_chats: Option<u32>, role: &str) {
    let cap = max_chats.map(|n| n.to_string());
    let mut args = vec![
        "agent",
        "add",
        "--database",
        url,
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
        "--password-stdin",
    ];
    if let Some(cap) = &cap {
        args.extend(["--max-chats", cap.as_str()]);
    }
    let out = run_otvet_with_stdin(&args, &format!("{PASSWORD}\n"), CLI_TIMEOUT);
    assert_eq!(out.code, Some(0), "otvet agent add {email}: {out:#?}");
}

/// A signed-in agent: id and the session cookie.
struct Agent {
    id: i64,
    cookie: String,
}

/// Signs in through `POST /agent/login` on `node`.
async fn sign_in(node: &Node, email: &str) -> Agent {
    let a = login(&node.app, email, PASSWORD).await;
    Agent {
        id: a.agent["id"].as_i64().expect("agent id"),
        cookie: a.cookie,
    }
}

/// An agent console on `node` (with that node's `Origin`), past its `hello`.
async fn console(node: &Node, cookie: &str) -> Ws {
    let mut ws = Ws::open(
        &node.app,
        "/agent/ws",
        &[("Cookie", cookie), ("Origin", node.origin())],
    )
    .await
    .unwrap_or_else(|e| {
        panic!(
            "node {}: open /agent/ws: {e}\nstderr:\n{}",
            node.label,
            node.stderr()
        )
    });
    let hello = ws.until_type("hello").await;
    assert!(hello["agent"]["id"].is_i64(), "{hello}");
    ws
}

/// The next `agents` frame in which agent `id` has `status`.
async fn presence(ws: &mut Ws, id: i64, status: &str) -> Value {
    let st = status.to_string();
    ws.until(&format!("agents frame with #{id} {status}"), move |v| {
        v["type"] == "agents"
            && v["agents"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|x| x["id"] == id && x["status"] == st.as_str())
            })
    })
    .await
}

/// The next `agents` frame in which agent `id` is offline: listed as `offline`, or not listed
/// (the team's presence lists agents with a console open).
async fn offline(ws: &mut Ws, id: i64) -> Value {
    ws.until(&format!("agents frame with #{id} offline"), move |v| {
        v["type"] == "agents"
            && v["agents"]
                .as_array()
                .is_some_and(|a| a.iter().all(|x| x["id"] != id || x["status"] == "offline"))
    })
    .await
}

async fn opened(ws: &mut Ws, conv: i64) -> Value {
    ws.until(&format!("the conversation #{conv}"), move |v| {
        v["type"] == "conversation" && v["conversation"]["id"] == conv
    })
    .await
}

/// The `message` frame with this client id (and author).
async fn message_with(ws: &mut Ws, author: &str, client_id: &str) -> Value {
    let (a, c) = (author.to_string(), client_id.to_string());
    ws.until(&format!("the {author} message {client_id}"), move |v| {
        v["type"] == "message" && v["author"] == a.as_str() && v["client_id"] == c.as_str()
    })
    .await
}

/// The system message with this event.
async fn system_event(ws: &mut Ws, event: &str) -> Value {
    let e = event.to_string();
    ws.until(&format!("the system message {event}"), move |v| {
        v["type"] == "message" && v["author"] == "system" && v["event"] == e.as_str()
    })
    .await
}

/// The `message` frame with this client id: from the log of a socket that is gone, or else the
/// next one on its replacement.
async fn message_on_either(old: &[Value], new: &mut Ws, author: &str, client_id: &str) -> Value {
    if let Some(v) = old
        .iter()
        .find(|v| v["type"] == "message" && v["author"] == author && v["client_id"] == client_id)
    {
        return v.clone();
    }
    message_with(new, author, client_id).await
}

/// A new customer on `node` who asks for a person: the socket, the token and the conversation.
async fn customer_asking_for_a_person(node: &Node) -> (Ws, String, i64) {
    let (mut ws, welcome) = new_customer(&node.app, "ru").await;
    let token = welcome["token"].as_str().expect("token").to_string();
    let ack = ws.say("h1", "позовите оператора").await;
    let conv = ack["conversation_id"].as_i64().expect("conversation id");
    (ws, token, conv)
}

/// An agent's `send` and its `ack`.
async fn agent_says(ws: &mut Ws, conv: i64, client_id: &str, text: &str) -> Value {
    ws.send(json!({"type": "send", "conversation_id": conv, "client_id": client_id, "text": text}))
        .await;
    let c = client_id.to_string();
    ws.until(&format!("ack {client_id}"), move |v| {
        v["type"] == "ack" && v["client_id"] == c.as_str()
    })
    .await
}

/// Reads frames until the server closes; the close code. Panics when it stays open `within`.
async fn close_code(ws: &mut Ws, what: &str, within: Duration) -> Option<u16> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match ws.next_within(left).await {
            Ok(_) => continue,
            Err(WsEnd::Closed(code)) => return code,
            Err(WsEnd::Timeout) => panic!(
                "{what}: the socket was not closed within {within:?}; frames:\n{}",
                dump(&ws.log)
            ),
        }
    }
}

/// The `message` frames of a conversation in a socket's log, in order.
fn messages(log: &[Value], conv: i64) -> Vec<&Value> {
    log.iter()
        .filter(|v| v["type"] == "message" && v["conversation_id"] == conv)
        .collect()
}

fn seqs(log: &[Value], conv: i64) -> Vec<i64> {
    messages(log, conv)
        .iter()
        .filter_map(|v| v["seq"].as_i64())
        .collect()
}

fn dump(log: &[Value]) -> String {
    log.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `name value` of a Prometheus text line without labels.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

// ---------------------------------------------------------------------------------------------
// The database, read directly
// ---------------------------------------------------------------------------------------------

async fn pool(url: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect to the test database: {e}"))
}

/// One stored message: seq, author, client id, private.
type Row = (i64, String, Option<String>, bool);

/// Every stored message of a conversation, by seq.
async fn transcript(pool: &PgPool, conv: i64) -> Vec<Row> {
    sqlx::query_as::<_, Row>(
        "SELECT seq, author, client_id, private FROM messages \
         WHERE conversation_id = $1 ORDER BY seq",
    )
    .bind(conv)
    .fetch_all(pool)
    .await
    .expect("read the transcript")
}

/// Every conversation: id → (status, agent).
async fn conversations(pool: &PgPool) -> BTreeMap<i64, (String, Option<i64>)> {
    sqlx::query_as::<_, (i64, String, Option<i64>)>(
        "SELECT id, status, agent_id FROM conversations ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .expect("read the conversations")
    .into_iter()
    .map(|(id, status, agent)| (id, (status, agent)))
    .collect()
}

/// `joined` system messages per conversation.
async fn joins(pool: &PgPool) -> BTreeMap<i64, i64> {
    sqlx::query_as::<_, (i64, i64)>(
        "SELECT conversation_id, count(*) FROM messages WHERE event = 'joined' \
         GROUP BY conversation_id",
    )
    .fetch_all(pool)
    .await
    .expect("count the joins")
    .into_iter()
    .collect()
}

/// Checks what a customer was sent (the seqs of its `message` frames, across its sockets): the
/// stored messages that are not private, each exactly once and in order.
fn assert_customer_saw_everything(seen: &[i64], stored: &[Row], what: &str) {
    let public: Vec<i64> = stored
        .iter()
        .filter(|(_, _, _, private)| !private)
        .map(|(seq, ..)| *seq)
        .collect();
    assert_eq!(
        seen, public,
        "{what}: the customer's seqs (left) are not the stored public ones, each once (right); \
         stored: {stored:?}"
    );
}

/// Checks a stored transcript: seqs 1..n without gaps, and no client id stored twice.
fn assert_contiguous(stored: &[Row]) {
    let seqs: Vec<i64> = stored.iter().map(|r| r.0).collect();
    let want: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, want, "stored seqs have gaps: {stored:?}");
    let mut ids = BTreeSet::new();
    for (seq, author, client_id, _) in stored {
        if let Some(c) = client_id {
            assert!(
                ids.insert((author.clone(), c.clone())),
                "client id {c} of {author} stored twice (again at seq {seq}): {stored:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 1. A customer on one node, the agent on the other
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_on_one_node_talks_to_an_agent_on_the_other() {
    let Some((_db, url, a, b)) =
        cluster("customer_on_one_node_talks_to_an_agent_on_the_other", &[]).await
    else {
        return;
    };
    let pool = pool(&url).await;
    add_agents(
        &url,
        &[
            ("olga@example.com", "Ольга", None),
            ("pavel@example.com", "Павел", None),
        ],
    )
    .await;
    // Olga signs in on A, her console is on B; Pavel the other way round.
    let olga = sign_in(&a, "olga@example.com").await;
    let pavel = sign_in(&b, "pavel@example.com").await;
    let mut olga_b = console(&b, &olga.cookie).await;
    let mut pavel_a = console(&a, &pavel.cookie).await;
    // Presence is shared: each node lists the agent connected to the other as online.
    let seen = presence(&mut pavel_a, olga.id, "online").await;
    assert!(
        seen["agents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == olga.id && x["name"] == "Ольга"),
        "{seen}"
    );
    presence(&mut olga_b, pavel.id, "online").await;
    // Pavel steps away (on A); B sees it, so the conversation can only go to Olga.
    pavel_a
        .send(json!({"type": "presence", "status": "away"}))
        .await;
    presence(&mut olga_b, pavel.id, "away").await;

    // The customer on A asks for a person: given to Olga, whose console is on B.
    let (mut customer, _token, conv) = customer_asking_for_a_person(&a).await;
    let given = assigned(&mut olga_b, conv).await;
    assert_eq!(given["agent_id"], olga.id, "{given}");
    assert_eq!(given["agent_name"], "Ольга");
    let snapshot = opened(&mut olga_b, conv).await;
    assert_eq!(snapshot["conversation"]["agent_id"], olga.id, "{snapshot}");
    assert_eq!(snapshot["handoff"]["reason"], "human_request", "{snapshot}");
    let joined = system_event(&mut customer, "joined").await;
    assert!(
        joined["text"].as_str().unwrap_or("").contains("Ольга"),
        "{joined}"
    );
    let status = customer
        .until("assigned status", |v| {
            v["type"] == "status" && v["status"] == "assigned"
        })
        .await;
    assert_eq!(status["agent"], "Ольга", "{status}");
    // Pavel's console on A sees the queue change made for B's agent.
    queue_with(&mut pavel_a, conv, "assigned", Some(olga.id)).await;

    // Agent (B) → customer (A), with the agent's name.
    let ack = agent_says(&mut olga_b, conv, "a-1", "Здравствуйте! Чем помочь?").await;
    assert_eq!(ack["conversation_id"], conv);
    let reply = message_with(&mut customer, "agent", "a-1").await;
    assert_eq!(reply["name"], "Ольга", "{reply}");
    assert_eq!(reply["text"], "Здравствуйте! Чем помочь?");
    assert_eq!(reply["seq"], ack["seq"]);
    // Customer (A) → console (B).
    let ack = customer.say("c2", "Где мой заказ 123?").await;
    let incoming = message_with(&mut olga_b, "customer", "c2").await;
    assert_eq!(incoming["text"], "Где мой заказ 123?");
    assert_eq!(incoming["seq"], ack["seq"]);

    // Typing crosses the nodes both ways.
    customer.send(json!({"type": "typing", "on": true})).await;
    let typing = olga_b
        .until("customer typing", move |v| {
            v["type"] == "typing" && v["conversation_id"] == conv
        })
        .await;
    assert_eq!(typing["author"], "customer", "{typing}");
    assert_eq!(typing["on"], true, "{typing}");
    olga_b
        .send(json!({"type": "typing", "conversation_id": conv, "on": true}))
        .await;
    let typing = customer.until_type("typing").await;
    assert_eq!(typing["author"], "agent", "{typing}");
    assert_eq!(typing["name"], "Ольга", "{typing}");
    assert_eq!(typing["on"], true, "{typing}");

    // A private note stays with the team.
    olga_b
        .send(json!({"type": "note", "conversation_id": conv, "client_id": "a-2", "text": "Постоянный клиент, VIP"}))
        .await;
    let note_ack = olga_b
        .until("ack a-2", |v| v["type"] == "ack" && v["client_id"] == "a-2")
        .await;
    let note = message_with(&mut olga_b, "agent", "a-2").await;
    assert_eq!(note["private"], true, "{note}");
    assert_eq!(note["seq"], note_ack["seq"]);
    customer
        .none_within(Duration::from_millis(700), "the private note", |v| {
            v["private"] == true || v.to_string().contains("VIP")
        })
        .await;

    // Resolved on B: the customer on A is told; the rating reaches the console on B.
    olga_b
        .send(json!({"type": "resolve", "conversation_id": conv}))
        .await;
    olga_b
        .until("resolved", move |v| {
            v["type"] == "resolved" && v["conversation_id"] == conv
        })
        .await;
    customer
        .until("resolved status", |v| {
            v["type"] == "status" && v["status"] == "resolved"
        })
        .await;
    system_event(&mut customer, "resolved").await;
    customer
        .send(json!({"type": "rate", "score": 5, "comment": "Спасибо, быстро!"}))
        .await;
    let rating = olga_b
        .until("rating", move |v| {
            v["type"] == "rating" && v["conversation_id"] == conv
        })
        .await;
    assert_eq!(rating["score"], 5, "{rating}");
    assert_eq!(rating["comment"], "Спасибо, быстро!", "{rating}");

    // The customer saw every public message exactly once and in order, and never the note.
    customer
        .none_within(Duration::from_millis(300), "-", |_| false)
        .await;
    assert!(
        !customer
            .log
            .iter()
            .any(|v| v["private"] == true || v.to_string().contains("VIP")),
        "the note reached the customer:\n{}",
        dump(&customer.log)
    );
    let stored = transcript(&pool, conv).await;
    assert_contiguous(&stored);
    assert_customer_saw_everything(&seqs(&customer.log, conv), &stored, "customer on A");
    // The console on B got no message twice.
    let live = seqs(&olga_b.log, conv);
    let distinct: BTreeSet<i64> = live.iter().copied().collect();
    assert_eq!(
        live.len(),
        distinct.len(),
        "a message reached the console twice: {live:?}"
    );
    pool.close().await;
    drop((a, b));
}

// ---------------------------------------------------------------------------------------------
// 2. Assignment and claims across nodes
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assignment_is_consistent_across_nodes() {
    let Some((_db, url, a, b)) = cluster("assignment_is_consistent_across_nodes", &[]).await else {
        return;
    };
    let pool = pool(&url).await;
    const CAP: i64 = 2;
    const CUSTOMERS: usize = 12;
    let team = [
        ("a1@example.com", "Анна"),
        ("a2@example.com", "Алексей"),
        ("b1@example.com", "Борис"),
        ("b2@example.com", "Богдан"),
    ];
    add_agents(
        &url,
        &team
            .iter()
            .map(|(e, n)| (*e, *n, Some(CAP as u32)))
            .collect::<Vec<_>>(),
    )
    .await;
    // Half of the consoles on A, half on B (each signed in on the other node).
    let mut agents = Vec::new();
    let mut consoles = Vec::new();
    for (i, (email, _)) in team.iter().enumerate() {
        let (sign_on, open_on) = if i < 2 { (&b, &a) } else { (&a, &b) };
        let agent = sign_in(sign_on, email).await;
        consoles.push(console(open_on, &agent.cookie).await);
        agents.push(agent.id);
    }
    // Every console sees the whole team online before anyone asks.
    for ws in consoles.iter_mut() {
        let ids = agents.clone();
        ws.until("the whole team online", move |v| {
            v["type"] == "agents"
                && ids.iter().all(|id| {
                    v["agents"].as_array().is_some_and(|a| {
                        a.iter().any(|x| x["id"] == *id && x["status"] == "online")
                    })
                })
        })
        .await;
    }

    // Twelve customers ask for a person at once, alternately on A and B.
    let nodes = [&a, &b];
    let mut customers: Vec<(Ws, i64)> =
        futures_util::future::join_all((0..CUSTOMERS).map(|i| async move {
            let (ws, _, conv) = customer_asking_for_a_person(nodes[i % 2]).await;
            (ws, conv)
        }))
        .await;
    let capacity = agents.len() * CAP as usize;

    // Wait until the database settles: the team at its cap, the others queued.
    let deadline = Instant::now() + Duration::from_secs(15);
    let (state, settled) = loop {
        let state = conversations(&pool).await;
        let n = |s: &str| state.values().filter(|(st, _)| st == s).count();
        if n("assigned") == capacity && n("queued") == CUSTOMERS - capacity {
            break (state, true);
        }
        if Instant::now() >= deadline {
            break (state, false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        settled,
        "after 15 s the conversations are not {capacity} assigned and {} queued: {state:?}",
        CUSTOMERS - capacity
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let again = conversations(&pool).await;
    assert_eq!(again, state, "the assignment changed after it had settled");
    assert_eq!(state.len(), CUSTOMERS, "{state:?}");
    // No agent over the cap; every assigned conversation has an agent of the team.
    let mut per_agent: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (conv, (status, agent)) in &state {
        match status.as_str() {
            "assigned" => {
                let agent = agent.unwrap_or_else(|| panic!("#{conv} assigned to nobody"));
                assert!(agents.contains(&agent), "#{conv}: agent {agent}");
                per_agent.entry(agent).or_default().push(*conv);
            }
            "queued" => assert!(agent.is_none(), "#{conv} queued with agent {agent:?}"),
            other => panic!("#{conv} is {other}: {state:?}"),
        }
    }
    for (agent, convs) in &per_agent {
        assert!(
            convs.len() as i64 <= CAP,
            "agent {agent} has {} conversations (cap {CAP}): {convs:?}",
            convs.len()
        );
    }
    eprintln!("assignment across nodes: {per_agent:?}");
    // One `joined` per assigned conversation, none for the queued.
    let joined = joins(&pool).await;
    for (conv, (status, _)) in &state {
        let n = joined.get(conv).copied().unwrap_or(0);
        let want = i64::from(status == "assigned");
        assert_eq!(n, want, "#{conv} ({status}) has {n} joined messages");
    }

    // The customers' sockets: one join for the assigned, none for the queued.
    futures_util::future::join_all(customers.iter_mut().map(|(ws, conv)| {
        let assigned = state[conv].0 == "assigned";
        async move {
            if assigned {
                system_event(ws, "joined").await;
            }
            ws.none_within(Duration::from_millis(500), "a second join", |v| {
                v["type"] == "message" && v["event"] == "joined"
            })
            .await;
        }
    }))
    .await;
    // The consoles: every agent is told about exactly their own conversations, and both
    // nodes' queue frames agree with the database.
    for (i, ws) in consoles.iter_mut().enumerate() {
        let me = agents[i];
        let mine: BTreeSet<i64> = per_agent
            .get(&me)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        for conv in &mine {
            let given = assigned(ws, *conv).await;
            assert_eq!(given["agent_id"], me, "{given}");
        }
        let want = state.clone();
        ws.until("a queue frame that agrees with the database", move |v| {
            v["type"] == "queue"
                && want.iter().all(|(conv, (status, agent))| {
                    v["items"].as_array().is_some_and(|items| {
                        items.iter().any(|i| {
                            i["conversation_id"] == *conv
                                && i["status"] == status.as_str()
                                && i["agent_id"].as_i64() == *agent
                        })
                    })
                })
        })
        .await;
        let open = agents.clone();
        ws.until("every agent at the cap in the agents frame", move |v| {
            v["type"] == "agents"
                && open.iter().all(|id| {
                    v["agents"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x["id"] == *id && x["open"] == CAP))
                })
        })
        .await;
        ws.none_within(Duration::from_millis(200), "-", |_| false)
            .await;
        // No conversation was announced as given to two agents.
        let mut given: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        for v in ws.log.iter().filter(|v| v["type"] == "assigned") {
            given
                .entry(v["conversation_id"].as_i64().unwrap())
                .or_default()
                .insert(v["agent_id"].as_i64().unwrap());
        }
        for (conv, who) in &given {
            assert_eq!(
                who.len(),
                1,
                "console {i}: #{conv} was announced as assigned to {who:?}"
            );
        }
        let opened_mine: BTreeSet<i64> = ws
            .log
            .iter()
            .filter(|v| v["type"] == "conversation" && v["conversation"]["agent_id"] == me)
            .filter_map(|v| v["conversation"]["id"].as_i64())
            .collect();
        assert!(
            opened_mine.is_subset(&mine),
            "console {i} (agent {me}) was sent conversations {opened_mine:?}, its own are {mine:?}"
        );
    }
    pool.close().await;
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_race_safely_across_nodes() {
    let auto_assign_off = [("OTVET_AUTO_ASSIGN", "false")];
    let Some((_db, url, a, b)) = cluster("claims_race_safely_across_nodes", &auto_assign_off).await
    else {
        return;
    };
    let pool = pool(&url).await;
    add_agents(
        &url,
        &[
            ("anna@example.com", "Анна", None),
            ("boris@example.com", "Борис", None),
        ],
    )
    .await;
    let anna = sign_in(&a, "anna@example.com").await;
    let boris = sign_in(&a, "boris@example.com").await;
    let mut on_a = console(&a, &anna.cookie).await;
    let mut on_b = console(&b, &boris.cookie).await;
    presence(&mut on_a, boris.id, "online").await;
    presence(&mut on_b, anna.id, "online").await;
    let mut winners = Vec::new();
    for round in 0..6 {
        let node = if round % 2 == 0 { &a } else { &b };
        let (mut customer, _, conv) = customer_asking_for_a_person(node).await;
        system_event(&mut customer, "queued").await;
        queue_with(&mut on_a, conv, "queued", None).await;
        queue_with(&mut on_b, conv, "queued", None).await;
        let claim = json!({"type": "claim", "conversation_id": conv});
        tokio::join!(on_a.send(claim.clone()), on_b.send(claim));
        let won = assigned(&mut on_a, conv).await["agent_id"]
            .as_i64()
            .expect("winner");
        assert_eq!(
            assigned(&mut on_b, conv).await["agent_id"],
            won,
            "round {round}: the nodes disagree on the winner"
        );
        assert!(
            won == anna.id || won == boris.id,
            "round {round}: won by {won}"
        );
        let (winner, loser) = if won == anna.id {
            (&mut on_a, &mut on_b)
        } else {
            (&mut on_b, &mut on_a)
        };
        only_the_loser_is_refused(winner, loser, conv, round).await;
        // The customer was joined once, and the store agrees.
        let joined = system_event(&mut customer, "joined").await;
        customer
            .none_within(Duration::from_millis(300), "a second join", |v| {
                v["type"] == "message" && v["event"] == "joined"
            })
            .await;
        let name = if won == anna.id {
            "Анна"
        } else {
            "Борис"
        };
        assert!(
            joined["text"].as_str().unwrap_or("").contains(name),
            "{joined}"
        );
        let state = conversations(&pool).await;
        assert_eq!(
            state[&conv],
            ("assigned".to_string(), Some(won)),
            "round {round}"
        );
        assert_eq!(joins(&pool).await.get(&conv), Some(&1), "round {round}");
        winners.push(won);
        // The winner closes it for the next round (the per-agent cap stays out of the way).
        winner
            .send(json!({"type": "resolve", "conversation_id": conv}))
            .await;
        winner
            .until("resolved", move |v| {
                v["type"] == "resolved" && v["conversation_id"] == conv
            })
            .await;
    }
    eprintln!(
        "claim race winners across nodes: {winners:?} (anna {}, boris {})",
        anna.id, boris.id
    );
    pool.close().await;
    drop((a, b));
}

// ---------------------------------------------------------------------------------------------
// 3. A node killed with SIGKILL
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_loses_nothing() {
    let Some((_db, url, mut a, b)) = cluster("a_killed_node_loses_nothing", &[]).await else {
        return;
    };
    let pool = pool(&url).await;
    add_agents(&url, &[("olga@example.com", "Ольга", None)]).await;
    let olga = sign_in(&b, "olga@example.com").await;
    let mut agent = console(&b, &olga.cookie).await;
    presence(&mut agent, olga.id, "online").await;

    let (mut customer, token, conv) = customer_asking_for_a_person(&a).await;
    assert_eq!(assigned(&mut agent, conv).await["agent_id"], olga.id);
    let snapshot = opened(&mut agent, conv).await;
    system_event(&mut customer, "joined").await;
    // Some messages both ways.
    for (id, text) in [("m1", "Заказ 123 не пришёл"), ("m2", "Трек не обновляется")]
    {
        let ack = customer.say(id, text).await;
        let seen = message_with(&mut agent, "customer", id).await;
        assert_eq!(seen["seq"], ack["seq"]);
    }
    for (id, text) in [("a-1", "Сейчас проверю"), ("a-2", "Посылка на складе")]
    {
        let ack = agent_says(&mut agent, conv, id, text).await;
        let seen = message_with(&mut customer, "agent", id).await;
        assert_eq!(seen["seq"], ack["seq"]);
    }
    // One more message, and node A dies right after it was sent, acknowledged or not.
    let last_text = "Когда доставят?";
    customer
        .send(json!({"type": "send", "client_id": "k1", "text": last_text}))
        .await;
    a.kill();
    let code = close_code(
        &mut customer,
        "the customer on the killed node",
        Duration::from_secs(10),
    )
    .await;
    let acked = customer
        .log
        .iter()
        .find(|v| v["type"] == "ack" && v["client_id"] == "k1")
        .cloned();
    eprintln!(
        "node A killed: the customer's socket ended with {code:?}; k1 acknowledged: {acked:?}"
    );
    let seen_before = seqs(&customer.log, conv);
    let last_seq = seen_before.iter().copied().max().expect("messages seen");

    // The customer resumes on B and resends what was not acknowledged.
    let mut resumed = Ws::customer(&b.app).await;
    let welcome = resumed
        .hello(json!({"token": token, "conversation_id": conv, "last_seq": last_seq}))
        .await;
    assert_eq!(welcome["conversation"]["id"], conv, "{welcome}");
    assert_eq!(welcome["conversation"]["status"], "assigned", "{welcome}");
    // Not acknowledged: the client resends. Acknowledged: resending is harmless too, the same
    // seq comes back.
    let ack = resumed.say("k1", last_text).await;
    assert_eq!(ack["conversation_id"], conv, "{ack}");
    if let Some(first) = &acked {
        assert_eq!(ack["seq"], first["seq"], "{ack}");
    }
    let k1 = message_on_either(&customer.log, &mut resumed, "customer", "k1").await;
    let k1_at_agent = message_with(&mut agent, "customer", "k1").await;
    assert_eq!(k1["seq"], k1_at_agent["seq"]);
    // The conversation goes on both ways through B.
    let ack = resumed.say("k2", "Вы меня слышите?").await;
    assert_eq!(
        message_with(&mut agent, "customer", "k2").await["seq"],
        ack["seq"]
    );
    let ack = agent_says(&mut agent, conv, "a-3", "Да, завтра доставят").await;
    let reply = message_with(&mut resumed, "agent", "a-3").await;
    assert_eq!(reply["seq"], ack["seq"]);
    assert_eq!(reply["name"], "Ольга");
    resumed
        .none_within(Duration::from_millis(500), "-", |_| false)
        .await;
    agent
        .none_within(Duration::from_millis(300), "-", |_| false)
        .await;

    // The store: contiguous seqs, every client id once.
    let stored = transcript(&pool, conv).await;
    assert_contiguous(&stored);
    for id in ["h1", "m1", "m2", "k1", "k2"] {
        let n = stored
            .iter()
            .filter(|r| r.1 == "customer" && r.2.as_deref() == Some(id))
            .count();
        assert_eq!(n, 1, "customer message {id} stored {n} times: {stored:?}");
    }
    // The customer's transcript across both sockets: every message once, in order.
    let mut seen = seen_before.clone();
    seen.extend(seqs(&resumed.log, conv));
    assert_customer_saw_everything(&seen, &stored, "customer on A then B");
    // The agent's view: the snapshot and the live frames, no message twice, none missing.
    let live = seqs(&agent.log, conv);
    let distinct: BTreeSet<i64> = live.iter().copied().collect();
    assert_eq!(
        live.len(),
        distinct.len(),
        "a message reached the console twice: {live:?}"
    );
    let mut all: BTreeSet<i64> = snapshot["messages"]
        .as_array()
        .expect("snapshot messages")
        .iter()
        .filter_map(|m| m["seq"].as_i64())
        .collect();
    all.extend(distinct);
    let want: BTreeSet<i64> = stored.iter().map(|r| r.0).collect();
    assert_eq!(all, want, "the agent's view (left) vs the store (right)");
    pool.close().await;
    drop((a, b));
}

// ---------------------------------------------------------------------------------------------
// 4. A dropped LISTEN connection
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_listener_is_backfilled() {
    let Some((_db, url, a, b)) = cluster("a_dropped_listener_is_backfilled", &[]).await else {
        return;
    };
    let pool = pool(&url).await;
    add_agents(&url, &[("olga@example.com", "Ольга", None)]).await;
    let olga = sign_in(&a, "olga@example.com").await;
    let mut agent = console(&b, &olga.cookie).await;
    presence(&mut agent, olga.id, "online").await;
    let (mut customer, _, conv) = customer_asking_for_a_person(&a).await;
    assert_eq!(assigned(&mut agent, conv).await["agent_id"], olga.id);
    opened(&mut agent, conv).await;
    system_event(&mut customer, "joined").await;
    let ack = customer.say("before", "Алло?").await;
    assert_eq!(
        message_with(&mut agent, "customer", "before").await["seq"],
        ack["seq"]
    );

    // B's listener, by its application_name (the node name comes from /readyz).
    let (status, ready) = b.get_json("/readyz").await;
    assert_eq!(status, 200, "{ready}");
    let node = ready["node"].as_str().expect("node name").to_string();
    assert_eq!(node, b.name);
    let listen = format!("{node}-listen");
    let listening = || {
        let (pool, listen) = (&pool, &listen);
        async move {
            sqlx::query_as::<_, (i32,)>(
                "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
            )
            .bind(listen)
            .fetch_all(pool)
            .await
            .expect("pg_stat_activity")
            .len()
                == 1
        }
    };
    assert!(
        wait_until(Duration::from_secs(10), listening)
            .await
            .is_some(),
        "no connection with application_name {listen} in pg_stat_activity"
    );
    let reconnects_before = metric(&b.metrics().await, "otvet_bus_reconnects_total")
        .expect("otvet_bus_reconnects_total in B's /metrics");
    let killed = sqlx::query_as::<_, (bool,)>(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind(&listen)
    .fetch_all(&pool)
    .await
    .expect("pg_terminate_backend");
    assert!(
        killed.iter().any(|(ok,)| *ok),
        "{listen} not terminated: {killed:?}"
    );
    let terminated = Instant::now();

    // At once, the customer on A goes on writing; B must get every message, once, in order.
    let ids: Vec<String> = (1..=5).map(|i| format!("gap-{i}")).collect();
    let mut acks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        acks.push(customer.say(id, &format!("Сообщение {}", i + 1)).await["seq"].clone());
    }
    eprintln!(
        "listener of B terminated; the customer's 5 messages were acknowledged by A within {:?} \
         (B's first reconnect is due after 0.5 s)",
        terminated.elapsed()
    );
    for (id, seq) in ids.iter().zip(&acks) {
        let seen = message_with(&mut agent, "customer", id).await;
        assert_eq!(&seen["seq"], seq, "{seen}");
    }
    agent
        .none_within(Duration::from_millis(1000), "a message twice", |v| {
            v["type"] == "message"
                && v["client_id"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("gap-"))
        })
        .await;
    let got: Vec<(String, i64)> = agent
        .log
        .iter()
        .filter(|v| {
            v["type"] == "message"
                && v["client_id"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("gap-"))
        })
        .map(|v| {
            (
                v["client_id"].as_str().unwrap().to_string(),
                v["seq"].as_i64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, i64)> = ids
        .iter()
        .cloned()
        .zip(acks.iter().map(|s| s.as_i64().unwrap()))
        .collect();
    assert_eq!(
        got, want,
        "the console on B: every message once and in order"
    );
    let live = seqs(&agent.log, conv);
    let distinct: BTreeSet<i64> = live.iter().copied().collect();
    assert_eq!(
        live.len(),
        distinct.len(),
        "a message reached the console twice: {live:?}"
    );

    // B counted the reconnect and listens again; live messages flow as before.
    let deadline = Instant::now() + Duration::from_secs(10);
    let (text, counted) = loop {
        let text = b.metrics().await;
        if metric(&text, "otvet_bus_reconnects_total").is_some_and(|n| n >= reconnects_before + 1.0)
        {
            break (text, true);
        }
        if Instant::now() >= deadline {
            break (text, false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        counted,
        "otvet_bus_reconnects_total did not grow (was {reconnects_before}):\n{}",
        text.lines()
            .filter(|l| l.contains("otvet_bus"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        wait_until(Duration::from_secs(10), listening)
            .await
            .is_some(),
        "{listen} did not come back in pg_stat_activity"
    );
    let ack = customer.say("after", "Ещё одно").await;
    assert_eq!(
        message_with(&mut agent, "customer", "after").await["seq"],
        ack["seq"]
    );
    let reply = agent_says(&mut agent, conv, "a-1", "Всё получила").await;
    assert_eq!(
        message_with(&mut customer, "agent", "a-1").await["seq"],
        reply["seq"]
    );
    let stored = transcript(&pool, conv).await;
    assert_contiguous(&stored);
    pool.close().await;
    drop((a, b));
}

// ---------------------------------------------------------------------------------------------
// 5. SIGTERM drains a node
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_a_node() {
    let Some((_db, url, mut a, b)) = cluster("sigterm_drains_a_node", &[]).await else {
        return;
    };
    let pool = pool(&url).await;
    add_agents(
        &url,
        &[
            ("olga@example.com", "Ольга", None),
            ("pavel@example.com", "Павел", None),
        ],
    )
    .await;
    let olga = sign_in(&a, "olga@example.com").await;
    let pavel = sign_in(&b, "pavel@example.com").await;
    // Olga's console and the customer are on A; Pavel watches from B, away.
    let mut agent = console(&a, &olga.cookie).await;
    let mut watcher = console(&b, &pavel.cookie).await;
    watcher
        .send(json!({"type": "presence", "status": "away"}))
        .await;
    presence(&mut agent, pavel.id, "away").await;
    presence(&mut watcher, olga.id, "online").await;
    let (mut customer, token, conv) = customer_asking_for_a_person(&a).await;
    assert_eq!(assigned(&mut agent, conv).await["agent_id"], olga.id);
    opened(&mut agent, conv).await;
    system_event(&mut customer, "joined").await;
    let ack = customer.say("m1", "Здравствуйте").await;
    assert_eq!(
        message_with(&mut agent, "customer", "m1").await["seq"],
        ack["seq"]
    );
    let ack = agent_says(&mut agent, conv, "a-1", "Добрый день!").await;
    assert_eq!(
        message_with(&mut customer, "agent", "a-1").await["seq"],
        ack["seq"]
    );

    // A message in flight, then SIGTERM.
    let last_text = "У меня вопрос по оплате";
    customer
        .send(json!({"type": "send", "client_id": "t1", "text": last_text}))
        .await;
    let signalled = Instant::now();
    a.terminate();
    let (customer_code, agent_code) = tokio::join!(
        close_code(
            &mut customer,
            "the customer on the stopping node",
            Duration::from_secs(10)
        ),
        close_code(
            &mut agent,
            "the console on the stopping node",
            Duration::from_secs(10)
        ),
    );
    let status = a
        .wait_exit(Duration::from_secs(10).saturating_sub(signalled.elapsed()))
        .await;
    let took = signalled.elapsed();
    assert_eq!(
        customer_code,
        Some(1012),
        "the customer's close code; frames:\n{}",
        dump(&customer.log)
    );
    assert_eq!(
        agent_code,
        Some(1012),
        "the console's close code; frames:\n{}",
        dump(&agent.log)
    );
    let status = status.unwrap_or_else(|| {
        panic!(
            "node A still runs {took:?} after SIGTERM\nstderr:\n{}",
            a.stderr()
        )
    });
    assert!(
        status.success(),
        "node A exited with {status}\nstderr:\n{}",
        a.stderr()
    );
    eprintln!("node A drained and exited in {took:?}");
    // A took its presence with it: nothing left in the database, and B shows Olga offline
    // without waiting for the 20 s staleness.
    let left: i64 =
        sqlx::query_as::<_, (i64,)>("SELECT count(*) FROM agent_presence WHERE node = $1")
            .bind(&a.name)
            .fetch_one(&pool)
            .await
            .expect("count presence rows")
            .0;
    assert_eq!(left, 0, "node A left {left} presence rows");
    let started = Instant::now();
    offline(&mut watcher, olga.id).await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "B saw Olga offline only after {:?}",
        started.elapsed()
    );

    // The customer resumes on B; the un-acknowledged message is resent with its client id.
    let acked = customer
        .log
        .iter()
        .find(|v| v["type"] == "ack" && v["client_id"] == "t1")
        .cloned();
    eprintln!("t1 acknowledged before the close: {acked:?}");
    let seen_before = seqs(&customer.log, conv);
    let last_seq = seen_before.iter().copied().max().expect("messages seen");
    let mut resumed = Ws::customer(&b.app).await;
    let welcome = resumed
        .hello(json!({"token": token, "conversation_id": conv, "last_seq": last_seq}))
        .await;
    assert_eq!(welcome["conversation"]["id"], conv, "{welcome}");
    if acked.is_none() {
        resumed.say("t1", last_text).await;
    }
    let t1 = message_on_either(&customer.log, &mut resumed, "customer", "t1").await;
    // Olga comes back on B with the same session and carries on.
    let mut back = console(&b, &olga.cookie).await;
    back.send(json!({"type": "open", "conversation_id": conv, "last_seq": 0}))
        .await;
    let snapshot = opened(&mut back, conv).await;
    assert_eq!(snapshot["conversation"]["agent_id"], olga.id, "{snapshot}");
    assert!(
        snapshot["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["client_id"] == "t1" && m["seq"] == t1["seq"]),
        "{snapshot}"
    );
    let ack = agent_says(&mut back, conv, "a-2", "Слушаю вас").await;
    assert_eq!(
        message_with(&mut resumed, "agent", "a-2").await["seq"],
        ack["seq"]
    );
    let ack = resumed.say("t2", "Спасибо").await;
    assert_eq!(
        message_with(&mut back, "customer", "t2").await["seq"],
        ack["seq"]
    );
    resumed
        .none_within(Duration::from_millis(400), "-", |_| false)
        .await;
    let stored = transcript(&pool, conv).await;
    assert_contiguous(&stored);
    let mut seen = seen_before;
    seen.extend(seqs(&resumed.log, conv));
    assert_customer_saw_everything(&seen, &stored, "customer on A then B");
    pool.close().await;
    drop((a, b));
}

// ---------------------------------------------------------------------------------------------
// 6. Liveness and readiness
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_liveness_only() {
    let Some(db) = TestDb::postgres("healthz_is_liveness_only").await else {
        return;
    };
    let url = db.url();
    let node = Node::start("A", &url, &[]).await;
    assert_alive(&node, "with the database").await;
    let (status, ready) = node.get_json("/readyz").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(ready["database"], "ok", "{ready}");
    assert!(ready["articles"].as_u64().is_some_and(|n| n > 0), "{ready}");
    assert!(
        ready["node"].as_str().is_some_and(is_node_name),
        "node name in {ready}"
    );

    // The database goes away under the node: liveness stays, readiness goes.
    let admin = std::env::var("OTVET_TEST_POSTGRES_URL").expect("set when the test runs");
    let name = url
        .split('?')
        .next()
        .and_then(|u| u.rsplit('/').next())
        .expect("database name")
        .to_string();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(admin.trim())
        .await
        .expect("connect to OTVET_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .unwrap_or_else(|e| panic!("DROP DATABASE {name}: {e}"));
    let _ = sqlx::Connection::close(conn).await;
    let started = Instant::now();
    assert_alive(&node, "without a database").await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "/healthz took {:?} without a database",
        started.elapsed()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let (last, unready) = loop {
        let last = node.get_json("/readyz").await;
        if last.0 == 503 {
            break (last, true);
        }
        if Instant::now() >= deadline {
            break (last, false);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        unready,
        "/readyz still {} {} without a database",
        last.0, last.1
    );
    // Still alive afterwards.
    assert_alive(&node, "after /readyz said 503").await;
    drop(node);
}

/// `/healthz` is 200 with `"status": "ok"` and says nothing about the database (it also
/// reports the article counts held in memory).
async fn assert_alive(node: &Node, when: &str) {
    let (status, body) = node.get_json("/healthz").await;
    assert_eq!(status, 200, "/healthz {when}: {body}");
    assert_eq!(body["status"], "ok", "/healthz {when}: {body}");
    assert!(
        body.get("database").is_none(),
        "/healthz {when} reports on the database: {body}"
    );
}

/// Business hours an admin changes on one node are in force on the other at once, without a
/// restart (the change travels on the bus).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_hours_changed_on_one_node_apply_on_the_other() {
    let Some((_db, url, a, b)) =
        cluster("business_hours_changed_on_one_node_apply_on_the_other", &[]).await
    else {
        return;
    };
    let admin_url = url.clone();
    tokio::task::spawn_blocking(move || {
        add_account(&admin_url, "boss@example.com", "Boss", None, "admin")
    })
    .await
    .expect("otvet agent add panicked");
    let admin = login(&a.app, "boss@example.com", PASSWORD).await;
    assert_eq!(open_now(&b).await, Some(true), "24/7 at start");
    // Closed today for sure: only the day after tomorrow, one hour.
    let day = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(2))
        .unwrap();
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let spec = format!(
        "{} 09:00-10:00",
        names[day.weekday().to_monday_zero_offset() as usize]
    );
    let (status, _, html) = admin
        .post_form(
            "/agent/settings",
            &[("csrf", &admin.csrf), ("hours", &spec), ("timezone", "UTC")],
        )
        .await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(open_now(&a).await, Some(false), "the node that stored it");
    let seen = wait_until(Duration::from_secs(5), || async {
        open_now(&b).await == Some(false)
    })
    .await;
    assert!(seen.is_some(), "node B still open 5 s after node A closed");
    let (status, _, html) = admin
        .post_form("/agent/settings", &[("csrf", &admin.csrf), ("reset", "1")])
        .await;
    assert_eq!(status, 303, "{html}");
    let seen = wait_until(Duration::from_secs(5), || async {
        open_now(&b).await == Some(true)
    })
    .await;
    assert!(
        seen.is_some(),
        "node B still closed 5 s after the reset on node A"
    );
}

async fn open_now(node: &Node) -> Option<bool> {
    node.app.get_json("/api/chat/info").await.1["open_now"].as_bool()
}

/// Failed sign-ins count on every node: five wrong passwords on node A lock the same email
/// and address on node B too, even with the right password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_on_one_node_lock_on_the_other() {
    let Some((_db, url, a, b)) = cluster("failed_logins_on_one_node_lock_on_the_other", &[]).await
    else {
        return;
    };
    add_agents(&url, &[("olga@example.com", "Ольга", None)]).await;
    let attempt = |node: &Node, password: &'static str| {
        let url = format!("{}/agent/login", node.app.base_url);
        async move {
            crate::helpers::no_redirect_client()
                .post(url)
                .form(&[("email", "olga@example.com"), ("password", password)])
                .send()
                .await
                .expect("POST /agent/login")
                .status()
                .as_u16()
        }
    };
    for i in 0..5 {
        let node = if i % 2 == 0 { &a } else { &b };
        assert_eq!(attempt(node, "guess").await, 401, "attempt {i}");
    }
    assert_eq!(
        attempt(&b, PASSWORD).await,
        429,
        "node B does not know of node A's failures"
    );
    assert_eq!(attempt(&a, PASSWORD).await, 429);
}

/// A node reads an announced message only when one of its sockets shows the conversation:
/// customers talking to the bot on node A cost node B's consoles nothing; once a console on B
/// has the conversation, its messages are read there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_nodes_read_only_the_messages_they_show() {
    let Some((_db, url, a, b)) = cluster("other_nodes_read_only_the_messages_they_show", &[]).await
    else {
        return;
    };
    add_agents(&url, &[("olga@example.com", "Ольга", None)]).await;
    let olga = sign_in(&b, "olga@example.com").await;
    let mut console_b = console(&b, &olga.cookie).await;
    let counters = |text: String| {
        (
            metric(&text, "otvet_bus_notifications_total").unwrap_or(-1.0),
            metric(&text, "otvet_bus_messages_read_total").unwrap_or(-1.0),
        )
    };
    let (heard0, read0) = counters(b.metrics().await);
    let (mut ws, _) = new_customer(&a.app, "ru").await;
    ws.say("q1", "как вернуть товар").await;
    ws.message_from("bot").await;
    // The question and the answer were announced to B, and B read neither.
    let heard = wait_until(Duration::from_secs(5), || async {
        counters(b.metrics().await).0 >= heard0 + 2.0
    })
    .await;
    assert!(
        heard.is_some(),
        "node B heard nothing: {:?}",
        counters(b.metrics().await)
    );
    assert_eq!(
        counters(b.metrics().await).1,
        read0,
        "node B read bot traffic"
    );
    // Now Olga on B gets the conversation: its messages are read on B.
    ws.send(json!({"type": "human"})).await;
    let ack = ws.say("q2", "нужен человек").await;
    let conv = ack["conversation_id"].as_i64().expect("conversation id");
    opened(&mut console_b, conv).await;
    ws.say("q3", "номер заказа 1234").await;
    message_with(&mut console_b, "customer", "q3").await;
    assert!(
        counters(b.metrics().await).1 > read0,
        "node B did not read what it shows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_disabled_on_one_node_loses_its_console_on_the_other() {
    let Some((_db, url, a, b)) = cluster("agent_revoked_across_nodes", &[]).await else {
        return;
    };
    add_agents(&url, &[("fired@example.com", "Уволенный", None)]).await;
    // Signed in on node A, the console open on node B.
    let agent = sign_in(&a, "fired@example.com").await;
    let mut ws = console(&b, &agent.cookie).await;
    let url2 = url.clone();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        run_otvet(
            &[
                "agent",
                "remove",
                "--database",
                &url2,
                "--email",
                "fired@example.com",
            ],
            CLI_TIMEOUT,
        )
    })
    .await
    .unwrap();
    assert_eq!(out.code, Some(0), "{out:#?}");
    let removed = started.elapsed();
    let code = close_code(
        &mut ws,
        "the disabled agent's console",
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(code, Some(4001));
    let closed = started.elapsed() - removed;
    assert!(
        closed < Duration::from_millis(2500),
        "closed {closed:?} after the removal"
    );
    // And the socket cannot be opened again on either node.
    for node in [&a, &b] {
        let res = Ws::open(
            &node.app,
            "/agent/ws",
            &[("Cookie", agent.cookie.as_str()), ("Origin", node.origin())],
        )
        .await;
        assert_eq!(
            res.err().as_deref(),
            Some("HTTP 401"),
            "node {}",
            node.label
        );
    }
}
