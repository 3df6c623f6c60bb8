//! The shipped proxy configurations, `deploy/nginx.conf` and `deploy/haproxy.cfg`, run by the
//! real nginx and HAProxy in front of two otvet nodes (in-process, on `127.0.0.1:0`) sharing
//! one fresh PostgreSQL database: pages, the customer chat websocket, the console's `Origin`
//! check, the client address from `X-Forwarded-For`, and a node leaving the rotation (HAProxy
//! polls `/readyz`; nginx has passive health only, so it is tested with a stopped node).
//!
//! The files run as shipped except for three text replacements, each of which must match
//! exactly once: the listening port (`listen 8080;` / `bind :8080`) becomes a free port, and
//! `127.0.0.1:8081` / `127.0.0.1:8082` on the upstream `server` lines become the two nodes'
//! addresses. nginx gets `-p <temp dir> -g 'daemon off; pid …; error_log stderr;'` (the file
//! sets none of these); HAProxy runs with `-db` (foreground).
//!
//! The nodes trust only `127.0.0.1` (the proxies connect from it) and the test's clients connect
//! from `127.0.0.2` and `127.0.0.3`, so a client is not itself a trusted proxy, as on the
//! internet. Both proxies must run as root (as in CI): nginx writes its access log and temporary
//! files under `/var`.
//!
//! Skipped with a message when `nginx`/`haproxy` or `OTVET_TEST_POSTGRES_URL` is missing,
//! unless `OTVET_REQUIRE_PROXIES=1` (CI): `cargo test --test api proxies::`.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use sqlx::Connection;
use tempfile::TempDir;

use crate::helpers::{TestApp, sample_articles, spawn_app_with, wait_until};
use crate::store::TestDb;
use crate::ws::{Ws, agent_cookie, new_customer};

/// How long a proxy may take to pass its first request to a node.
const PROXY_START: Duration = Duration::from_secs(15);
/// How long HAProxy may take to mark a node down or up (`inter 2s fall 2 rise 2`).
const HEALTH_CHANGE: Duration = Duration::from_secs(20);
/// Requests made to see where the proxy sends them.
const ROUNDS: usize = 20;

/// Which shipped file.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Nginx,
    Haproxy,
}

impl Kind {
    fn binary(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Haproxy => "haproxy",
        }
    }

    fn shipped(self) -> PathBuf {
        let file = match self {
            Kind::Nginx => "nginx.conf",
            Kind::Haproxy => "haproxy.cfg",
        };
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("deploy")
            .join(file)
    }
}

/// The shipped file with the port and the two nodes' addresses substituted (see the module
/// doc); panics when a replaced text is not there exactly once.
fn substituted(kind: Kind, port: u16, a: SocketAddr, b: SocketAddr) -> String {
    let text = std::fs::read_to_string(kind.shipped()).expect("read the shipped file");
    let (listen, listen_with) = match kind {
        Kind::Nginx => ("listen 8080;".to_string(), format!("listen {port};")),
        Kind::Haproxy => ("bind :8080".to_string(), format!("bind :{port}")),
    };
    let mut counts = [0; 3];
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let mut line = line.to_string();
        if trimmed.starts_with(&listen) {
            line = line.replacen(&listen, &listen_with, 1);
            counts[0] += 1;
        } else if trimmed.starts_with("server ") {
            for (i, (from, to)) in [("127.0.0.1:8081", a), ("127.0.0.1:8082", b)]
                .into_iter()
                .enumerate()
            {
                if line.contains(from) {
                    line = line.replacen(from, &to.to_string(), 1);
                    counts[i + 1] += 1;
                }
            }
        }
        out.push_str(&line);
    }
    assert_eq!(counts, [1, 1, 1], "{kind:?}: listen, node 1, node 2 lines");
    out
}

/// Whether the proxy tests must run (CI) rather than skip.
fn required() -> bool {
    std::env::var("OTVET_REQUIRE_PROXIES").as_deref() == Ok("1")
}

/// Says why the test is skipped or, under `OTVET_REQUIRE_PROXIES=1`, panics.
fn skip(test: &str, why: &str) {
    assert!(!required(), "{test}: OTVET_REQUIRE_PROXIES=1 but {why}");
    eprintln!("{test}: skipping: {why}");
}

/// The proxy's binary on `PATH` or in `/usr/sbin`.
fn find_binary(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A proxy process; stopped (SIGTERM, then SIGKILL) when dropped.
struct Proxy {
    child: Child,
    /// Everything it printed on standard output and error so far.
    output: Arc<Mutex<String>>,
    _dir: TempDir,
}

impl Proxy {
    fn start(kind: Kind, binary: &Path, config: &str) -> Proxy {
        let dir = tempfile::Builder::new()
            .prefix("otvet-proxy-")
            .tempdir()
            .expect("temp dir");
        let conf = dir.path().join(kind.shipped().file_name().expect("name"));
        std::fs::write(&conf, config).expect("write the config");
        let mut cmd = Command::new(binary);
        match kind {
            Kind::Nginx => {
                let pid = dir.path().join("nginx.pid");
                cmd.arg("-p")
                    .arg(dir.path())
                    .arg("-c")
                    .arg(&conf)
                    .arg("-g")
                    .arg(format!(
                        "daemon off; pid {}; error_log stderr;",
                        pid.display()
                    ));
            }
            Kind::Haproxy => {
                cmd.arg("-f").arg(&conf).arg("-db");
            }
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {cmd:?}: {e}"));
        let output = Arc::new(Mutex::new(String::new()));
        let out: Box<dyn Read + Send> = Box::new(child.stdout.take().expect("stdout"));
        let err: Box<dyn Read + Send> = Box::new(child.stderr.take().expect("stderr"));
        for mut pipe in [out, err] {
            let output = output.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = pipe.read(&mut buf) {
                    let text = String::from_utf8_lossy(&buf[..n]);
                    output
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push_str(&text);
                }
            });
        }
        Proxy {
            child,
            output,
            _dir: dir,
        }
    }

    fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // SIGTERM first: a SIGKILLed nginx master would leave its workers holding the port.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two nodes on one PostgreSQL database behind a proxy. Fields drop in order: the proxy, the
/// nodes, then the database.
struct Setup {
    proxy: Proxy,
    /// The proxy's address, for the `Ws` helpers.
    front: TestApp,
    a: Option<TestApp>,
    b: Option<TestApp>,
    /// The nodes' names (`/readyz`'s `node`).
    names: [String; 2],
    db: TestDb,
}

/// Starts two nodes and `kind` in front of them, and waits until the proxy answers; `None`
/// when the test is skipped.
async fn setup(kind: Kind, test: &str) -> Option<Setup> {
    let Some(binary) = find_binary(kind.binary()) else {
        skip(test, &format!("`{}` is not installed", kind.binary()));
        return None;
    };
    if std::env::var("OTVET_TEST_POSTGRES_URL").is_err() {
        skip(test, "OTVET_TEST_POSTGRES_URL is not set");
        return None;
    }
    let db = TestDb::postgres(test).await?;
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.database_url = db.url();
    // The same visitor ids on both nodes without racing to generate the secret.
    config.secret = Some("proxies-test-secret".into());
    config.trusted_proxies = "127.0.0.1".parse().expect("trusted proxies");
    let a = spawn_app_with(config.clone()).await;
    let b = spawn_app_with(config).await;
    let mut names = [String::new(), String::new()];
    for (name, node) in names.iter_mut().zip([&a, &b]) {
        *name = node.get_json("/readyz").await.1["node"]
            .as_str()
            .expect("node name")
            .to_string();
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let proxy = Proxy::start(kind, &binary, &substituted(kind, port, a.addr, b.addr));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let front = TestApp {
        addr,
        base_url: format!("http://{addr}"),
        client: client_from(2),
        shutdown: None,
        handle: None,
        _db_dir: None,
        database_url: db.url(),
    };
    let up = wait_until(PROXY_START, || async {
        let res = front
            .client
            .get(format!("{}/healthz", front.base_url))
            .send();
        matches!(res.await, Ok(r) if r.status() == 200)
    })
    .await;
    assert!(
        up.is_some(),
        "{kind:?} did not pass /healthz within {PROXY_START:?}\n{}",
        proxy.output()
    );
    Some(Setup {
        proxy,
        front,
        a: Some(a),
        b: Some(b),
        names,
        db,
    })
}

/// An HTTP client (no redirects followed) connecting from `127.0.0.<last>`.
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .build()
        .expect("build reqwest client")
}

impl Setup {
    /// `GET /readyz` through the proxy → status and the name of the node that answered.
    async fn which_node(&self) -> (u16, String) {
        let (status, body) = self.front.get_json("/readyz").await;
        (
            status,
            body["node"].as_str().unwrap_or_default().to_string(),
        )
    }

    /// The nodes that answered [`ROUNDS`] requests through the proxy; panics on a failure.
    async fn served_by(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for _ in 0..ROUNDS {
            let (status, node) = self.which_node().await;
            assert_eq!(status, 200, "/readyz through the proxy: {node}");
            if !seen.contains(&node) {
                seen.push(node);
            }
        }
        seen.sort();
        seen
    }

    /// Waits until the proxy sends requests to both nodes.
    async fn wait_both_served(&self) {
        let mut both = self.names.to_vec();
        both.sort();
        let ok = wait_until(HEALTH_CHANGE, || async { self.served_by().await == both }).await;
        assert!(
            ok.is_some(),
            "requests did not reach both nodes\n{}",
            self.proxy.output()
        );
    }

    /// Waits until the proxy printed `text`.
    async fn wait_output(&self, text: &str) {
        let ok = wait_until(HEALTH_CHANGE, || async {
            self.proxy.output().contains(text)
        })
        .await;
        assert!(
            ok.is_some(),
            "no {text:?} from the proxy:\n{}",
            self.proxy.output()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The checks, the same for both proxies
// ---------------------------------------------------------------------------------------------

/// `/` redirects to a help-center home on the proxy's address (or serves it), `/ru/` is the HTML
/// home, `/metrics` is kept from the internet, the chat websocket gets an answer from the bot,
/// and the console websocket is accepted with the site's `Origin` and refused with another.
async fn pages_chat_and_console(kind: Kind, test: &str) {
    let Some(s) = setup(kind, test).await else {
        return;
    };
    let get = |path: &str| {
        s.front
            .client
            .get(format!("{}{path}", s.front.base_url))
            .send()
    };
    let root = get("/").await.expect("GET /");
    let status = root.status().as_u16();
    if (300..400).contains(&status) {
        let location = root.headers()["location"].to_str().expect("Location");
        assert!(
            location.starts_with('/') || location.starts_with(&s.front.base_url),
            "GET / redirects past the proxy: {location}"
        );
    } else {
        assert_eq!(status, 200, "GET /");
    }
    let home = get("/ru/").await.expect("GET /ru/");
    assert_eq!(home.status(), 200, "GET /ru/");
    let ctype = home.headers()["content-type"].to_str().unwrap_or_default();
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(home.text().await.unwrap_or_default().contains("<html"));
    assert_eq!(get("/metrics").await.expect("GET /metrics").status(), 404);

    let (mut ws, welcome) = new_customer(&s.front, "ru").await;
    assert!(welcome["token"].is_string(), "{welcome}");
    ws.say("q1", "как вернуть товар").await;
    let bot = ws.message_from("bot").await;
    assert!(bot["answer"].is_object(), "{bot}");
    ws.close().await;

    let node = s.a.as_ref().expect("node A");
    let (cookie, _) = agent_cookie(node, "agent@example.com", "Агент", None).await;
    let origin = s.front.base_url.clone();
    for _ in 0..2 {
        // Twice: with the balancing, each node's check has a chance to answer.
        let mut ws = Ws::open(
            &s.front,
            "/agent/ws",
            &[("Cookie", &cookie), ("Origin", &origin)],
        )
        .await
        .expect("the console socket with the site's Origin");
        ws.until_type("hello").await;
        ws.close().await;
        let foreign = Ws::open(
            &s.front,
            "/agent/ws",
            &[("Cookie", &cookie), ("Origin", "http://evil.example")],
        )
        .await;
        assert_eq!(foreign.err().as_deref(), Some("HTTP 403"));
    }
}

/// The nodes count votes per visitor (client address and `User-Agent`), in the shared
/// database: the client's own address counts, not the proxy's, and an `X-Forwarded-For` the
/// client made up does not make it another visitor.
async fn client_address(kind: Kind, test: &str) {
    let Some(s) = setup(kind, test).await else {
        return;
    };
    let path = format!("{}/api/articles/return-goods/feedback", s.front.base_url);
    let vote = |from: u8, helpful: bool, forwarded: Option<&'static str>| {
        let mut req = client_from(from)
            .post(&path)
            .header("user-agent", "proxies-test")
            .json(&json!({"lang": "ru", "helpful": helpful}));
        if let Some(f) = forwarded {
            req = req.header("x-forwarded-for", f);
        }
        async move {
            let res = req.send().await.expect("vote through the proxy");
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.expect("counts")
        }
    };
    let counts = |yes: i64, no: i64| json!({"yes": yes, "no": no});
    assert_eq!(vote(2, true, Some("198.51.100.1")).await, counts(1, 0));
    // Were the made-up entries believed, these would be other visitors.
    for _ in 0..3 {
        assert_eq!(vote(2, true, Some("198.51.100.2")).await, counts(1, 0));
    }
    assert_eq!(
        vote(2, false, Some("10.1.2.3, 127.0.0.1")).await,
        counts(0, 1)
    );
    assert_eq!(vote(2, true, None).await, counts(1, 0));
    // Another client address is another visitor (were the proxy's address taken, it would not).
    assert_eq!(vote(3, false, Some("198.51.100.2")).await, counts(1, 1));
}

/// nginx (passive health only) and HAProxy keep serving pages, the API and new chat sockets
/// from node A when node B stops; HAProxy also marks it down.
async fn a_node_stops(kind: Kind, test: &str) {
    let Some(mut s) = setup(kind, test).await else {
        return;
    };
    s.wait_both_served().await;
    s.b.take().expect("node B").stop().await;
    assert_eq!(s.served_by().await, [s.names[0].clone()]);
    for _ in 0..4 {
        let page = s.front.client.get(format!("{}/ru/", s.front.base_url));
        assert_eq!(page.send().await.expect("GET /ru/").status(), 200);
        let (ws, welcome) = new_customer(&s.front, "ru").await;
        assert!(welcome["token"].is_string(), "{welcome}");
        ws.close().await;
    }
    if let Kind::Haproxy = kind {
        s.wait_output("Server otvet/node2 is DOWN").await;
        assert_eq!(s.served_by().await, [s.names[0].clone()]);
    }
}

macro_rules! per_proxy {
    ($kind:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn serves_pages_the_chat_and_the_console() {
            let test = concat!(module_path!(), "::serves_pages_the_chat_and_the_console");
            super::pages_chat_and_console($kind, test).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn passes_the_client_address_not_a_made_up_one() {
            let test = concat!(
                module_path!(),
                "::passes_the_client_address_not_a_made_up_one"
            );
            super::client_address($kind, test).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn keeps_serving_when_a_node_stops() {
            let test = concat!(module_path!(), "::keeps_serving_when_a_node_stops");
            super::a_node_stops($kind, test).await;
        }
    };
}

mod nginx {
    per_proxy!(super::Kind::Nginx);
}

mod haproxy {
    use super::*;

    per_proxy!(Kind::Haproxy);

    /// A node whose database refuses its writes answers `/readyz` with 503 while it still takes
    /// connections: HAProxy takes it out of the rotation, and back once it is ready again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn takes_an_unready_node_out_of_rotation() {
        let test = concat!(module_path!(), "::takes_an_unready_node_out_of_rotation");
        let Some(s) = setup(Kind::Haproxy, test).await else {
            return;
        };
        s.wait_both_served().await;
        // Every connection of a node carries its name as `application_name`: the trigger
        // refuses the readiness probe's write of node B only.
        let mut conn = sqlx::PgConnection::connect(&s.db.url())
            .await
            .expect("connect to the test database");
        let refuse = format!(
            "CREATE FUNCTION proxies_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF current_setting('application_name') = '{}' THEN \
             RAISE EXCEPTION 'writes refused by the test'; END IF; RETURN NEW; END $$",
            s.names[1]
        );
        for sql in [
            refuse.as_str(),
            "CREATE TRIGGER proxies_test_refuse BEFORE INSERT OR UPDATE ON settings \
             FOR EACH ROW EXECUTE FUNCTION proxies_test_refuse()",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        let b = s.b.as_ref().expect("node B");
        let (status, ready) = b.get_json("/readyz").await;
        assert_eq!((status, &ready["database"]), (503, &json!("not writable")));
        s.wait_output("Server otvet/node2 is DOWN").await;
        assert_eq!(s.served_by().await, [s.names[0].clone()]);
        // Node B still answers directly: it was the check, not the connection, that took it out.
        assert_eq!(b.healthz().await["status"], "ok");

        sqlx::query("DROP TRIGGER proxies_test_refuse ON settings")
            .execute(&mut conn)
            .await
            .expect("drop the trigger");
        conn.close().await.expect("close");
        s.wait_output("Server otvet/node2 is UP").await;
        s.wait_both_served().await;
    }
}
