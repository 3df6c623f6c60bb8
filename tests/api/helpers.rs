//! Shared test plumbing: starting the app on `127.0.0.1:0`, copying fixtures into temporary
//! folders, typed views of the JSON API, bounded polling and running the `otvet` binary.

use std::future::Future;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long the app may take to answer `/healthz` after it was spawned.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// Upper bound of one HTTP request made by a test.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Poll interval and upper bound of waits for hot reload.
pub const POLL_EVERY: Duration = Duration::from_millis(50);
pub const RELOAD_TIMEOUT: Duration = Duration::from_secs(5);

/// The sample knowledge base shipped with the crate.
pub fn sample_articles() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("articles")
}

/// A fixture folder under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies `tests/fixtures/<name>` into a fresh temporary folder that the test may change.
pub fn copy_fixture(name: &str) -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("otvet-test-")
        .tempdir()
        .expect("create temp dir");
    copy_dir(&fixture(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| {
                panic!(
                    "copy {} -> {}: {e}",
                    entry.path().display(),
                    target.display()
                )
            });
        }
    }
}

/// Writes a file (creating its folders), as an editor saving in place would.
pub fn write_file(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folders");
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// A minimal article with front matter.
pub fn article_md(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}\n")
}

/// A running app and a client for it. Dropping it asks the server to shut down.
pub struct TestApp {
    #[allow(dead_code)] // for tests that need the raw socket address
    pub addr: SocketAddr,
    pub base_url: String,
    pub client: reqwest::Client,
    pub shutdown: Option<oneshot::Sender<()>>,
    pub handle: Option<JoinHandle<anyhow::Result<()>>>,
    /// The folder of this app's own SQLite file, when the test did not choose a database.
    pub _db_dir: Option<TempDir>,
    /// The app's database URL (empty for the shared sample app).
    pub database_url: String,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("build reqwest client")
}

/// Starts the app over `articles_dir` with the default configuration (hot reload on).
pub async fn spawn_app(articles_dir: impl Into<PathBuf>) -> TestApp {
    spawn_app_with(otvet::Config::new(articles_dir)).await
}

/// Starts the app with a given configuration and waits until `/healthz` answers. A config that
/// kept `Config::new`'s in-memory database gets a fresh SQLite file in a temporary folder.
pub async fn spawn_app_with(mut config: otvet::Config) -> TestApp {
    let mut db_dir = None;
    if config.database_url == otvet::Config::new(".").database_url {
        let dir = tempfile::Builder::new()
            .prefix("otvet-db-")
            .tempdir()
            .expect("create temp dir");
        config.database_url = sqlite_url(&dir.path().join("otvet.db"));
        db_dir = Some(dir);
    }
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let database_url = config.database_url.clone();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(otvet::run(config, listener, async move {
        let _ = rx.await;
    }));
    let mut app = TestApp {
        addr,
        base_url: format!("http://{addr}"),
        client: client(),
        shutdown: Some(tx),
        handle: Some(handle),
        _db_dir: db_dir,
        database_url,
    };
    app.wait_ready().await;
    app
}

/// The sample knowledge base, served once per test binary from its own runtime thread (without
/// hot reload: nothing changes it), so the many search-quality tests do not each index it.
pub async fn sample_app() -> TestApp {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    let addr = *ADDR.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("sample-kb-server".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                    tx.send(listener.local_addr().expect("addr"))
                        .expect("send addr");
                    let mut config = otvet::Config::new(sample_articles());
                    config.watch = false;
                    if let Err(e) = otvet::run(config, listener, std::future::pending()).await {
                        eprintln!("sample app stopped: {e:#}");
                    }
                });
            })
            .expect("spawn sample server thread");
        rx.recv_timeout(STARTUP_TIMEOUT)
            .expect("sample server did not bind")
    });
    let mut app = TestApp {
        addr,
        base_url: format!("http://{addr}"),
        client: client(),
        shutdown: None,
        handle: None,
        _db_dir: None,
        database_url: String::new(),
    };
    app.wait_ready().await;
    app
}

/// `GET /api/search` as parsed JSON.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchResponse {
    pub query: String,
    pub lang: Option<String>,
    pub answered: bool,
    pub threshold: f32,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Hit {
    pub slug: String,
    pub lang: String,
    pub title: String,
    pub section: Option<SectionRef>,
    pub url: String,
    pub snippet: String,
    pub confidence: f32,
    pub score: f32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SectionRef {
    pub title: String,
    pub anchor: String,
}

impl SearchResponse {
    pub fn slugs(&self) -> Vec<&str> {
        self.hits.iter().map(|h| h.slug.as_str()).collect()
    }

    /// 1-based rank of `slug` among the hits.
    pub fn rank(&self, slug: &str) -> Option<usize> {
        self.hits.iter().position(|h| h.slug == slug).map(|i| i + 1)
    }

    pub fn top(&self) -> Option<&Hit> {
        self.hits.first()
    }

    /// One line per hit, for assertion messages.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "q={:?} lang={:?} answered={}\n",
            self.query, self.lang, self.answered
        );
        for (i, h) in self.hits.iter().enumerate() {
            s.push_str(&format!(
                "  {}. {}/{} conf={:.3} score={:.3} snippet={:?}\n",
                i + 1,
                h.lang,
                h.slug,
                h.confidence,
                h.score,
                h.snippet.chars().take(140).collect::<String>()
            ));
        }
        s
    }
}

/// The words a snippet wraps in `<mark>…</mark>`, lowercased.
pub fn marked_words(snippet: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = snippet;
    while let Some(start) = rest.find("<mark>") {
        rest = &rest[start + "<mark>".len()..];
        let Some(end) = rest.find("</mark>") else {
            break;
        };
        out.push(rest[..end].to_lowercase());
        rest = &rest[end + "</mark>".len()..];
    }
    out
}

/// `sqlite://` URL of a database file.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

impl TestApp {
    /// Asks the server to shut down and waits until it has (database closed); panics when it
    /// had failed.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            tokio::time::timeout(STARTUP_TIMEOUT, h)
                .await
                .expect("the app did not stop in time")
                .expect("the app task panicked")
                .expect("the app failed");
        }
    }

    /// `POST path` with a raw body and headers → status and JSON body.
    pub async fn post_raw(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}{}", self.base_url, path))
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        read_json(res, path).await
    }

    /// `POST path` with a JSON body as `user_agent` → status and JSON body.
    pub async fn post_json(&self, path: &str, body: &Value, user_agent: &str) -> (u16, Value) {
        self.post_raw(
            path,
            body.to_string(),
            &[
                ("content-type", "application/json"),
                ("user-agent", user_agent),
            ],
        )
        .await
    }

    async fn wait_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Some(h) = self.handle.take_if(|h| h.is_finished()) {
                match h.await {
                    Ok(Ok(())) => panic!("the app stopped before answering /healthz"),
                    Ok(Err(e)) => panic!("the app failed to start: {e:#}"),
                    Err(e) => panic!("the app task panicked: {e}"),
                }
            }
            let res = self
                .client
                .get(format!("{}/healthz", self.base_url))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if matches!(&res, Ok(r) if r.status().is_success()) {
                return;
            }
            assert!(
                started.elapsed() < STARTUP_TIMEOUT,
                "/healthz did not answer within {STARTUP_TIMEOUT:?}: {res:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// `GET path` → status and JSON body (panics when the body is not JSON).
    pub async fn get_json(&self, path_and_query: &str) -> (u16, Value) {
        let res = self
            .client
            .get(format!("{}{}", self.base_url, path_and_query))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"));
        read_json(res, path_and_query).await
    }

    /// `GET path` as a visitor → the body as text.
    pub async fn get_text(&self, path_and_query: &str) -> String {
        self.client
            .get(format!("{}{}", self.base_url, path_and_query))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
    }

    /// `GET /api/search` with raw parameters → status and JSON body.
    pub async fn search_params(&self, params: &[(&str, &str)]) -> (u16, Value) {
        let res = self
            .client
            .get(format!("{}/api/search", self.base_url))
            .query(params)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET /api/search {params:?}: {e}"));
        read_json(res, "/api/search").await
    }

    /// A search that must succeed; `lang` None searches every language.
    pub async fn search(&self, q: &str, lang: Option<&str>) -> SearchResponse {
        self.search_limit(q, lang, 10).await
    }

    pub async fn search_limit(&self, q: &str, lang: Option<&str>, limit: usize) -> SearchResponse {
        let limit = limit.to_string();
        let mut params = vec![("q", q), ("limit", limit.as_str())];
        if let Some(l) = lang {
            params.push(("lang", l));
        }
        let (status, body) = self.search_params(&params).await;
        assert_eq!(
            status, 200,
            "search {q:?} ({lang:?}) answered {status}: {body}"
        );
        serde_json::from_value(body.clone())
            .unwrap_or_else(|e| panic!("search {q:?}: unexpected JSON shape ({e}): {body}"))
    }

    pub async fn healthz(&self) -> Value {
        let (status, body) = self.get_json("/healthz").await;
        assert_eq!(status, 200, "/healthz: {body}");
        body
    }

    /// `GET /api/articles/{slug}[?lang=]`.
    pub async fn article(&self, slug: &str, lang: Option<&str>) -> (u16, Value) {
        match lang {
            Some(l) => {
                self.get_json(&format!("/api/articles/{slug}?lang={l}"))
                    .await
            }
            None => self.get_json(&format!("/api/articles/{slug}")).await,
        }
    }
}

async fn read_json(res: reqwest::Response, what: &str) -> (u16, Value) {
    let status = res.status().as_u16();
    let ctype = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = res
        .text()
        .await
        .unwrap_or_else(|e| panic!("{what}: reading body: {e}"));
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("{what}: answered {status} with a body that is not JSON ({e}): {text:?}")
    });
    assert!(
        ctype.starts_with("application/json"),
        "{what}: content-type {ctype:?} for a JSON body"
    );
    (status, body)
}

/// Calls `check` every [`POLL_EVERY`] until it returns true or `timeout` passes; returns how
/// long it took, or `None` on timeout. Every call of `check` is itself bounded by the client's
/// request timeout.
pub async fn wait_until<F, Fut>(timeout: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return Some(started.elapsed());
        }
        if started.elapsed() >= timeout {
            return None;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// What a run of the `otvet` binary produced.
#[derive(Debug)]
pub struct CliOutput {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the `otvet` binary with `args`, killing it after `timeout`. `OTVET_*` variables of the
/// environment are removed so that only the arguments count.
pub fn run_otvet(args: &[&str], timeout: Duration) -> CliOutput {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otvet"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("OTVET_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("OTVET_LOG", "error");
    let run = run_with_timeout(cmd, timeout);
    assert!(
        !run.timed_out,
        "otvet {args:?} did not finish within {timeout:?}"
    );
    CliOutput {
        code: run.status.code(),
        stdout: run.stdout,
        stderr: run.stderr,
    }
}

/// What a child process did.
pub struct Finished {
    /// Its exit status (after the kill when it timed out).
    pub status: std::process::ExitStatus,
    /// Whether it was killed for taking longer than the timeout.
    pub timed_out: bool,
    /// All it printed on standard output.
    pub stdout: String,
    /// All it printed on standard error.
    pub stderr: String,
}

/// Runs `cmd` with piped output, killing it after `timeout`.
pub fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Finished {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {cmd:?}: {e}"));
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait for the killed child");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Finished {
        status,
        timed_out,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

/// Runs the `otvet` binary with `args` and `input` on its standard input, killing it after
/// `timeout`; `OTVET_*` variables of the environment are removed, as in [`run_otvet`].
pub fn run_otvet_with_stdin(args: &[&str], input: &str, timeout: Duration) -> CliOutput {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otvet"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("OTVET_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("OTVET_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {cmd:?}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(input.as_bytes())
        .expect("write the child's stdin");
    drop(stdin);
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("otvet {args:?} did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    CliOutput {
        code: status.code(),
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

/// An HTTP client that does not follow redirects (to look at `Location` and `Set-Cookie`).
pub fn no_redirect_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("build reqwest client")
}

/// A signed-in agent: the session cookie and the CSRF token, sent with every request.
#[derive(Clone)]
pub struct AgentClient {
    pub base_url: String,
    pub client: reqwest::Client,
    /// `otvet_session=…`, for the `Cookie` header.
    pub cookie: String,
    /// The session's CSRF token (from `GET /agent/api/me`).
    pub csrf: String,
    /// `GET /agent/api/me`'s `agent`.
    pub agent: Value,
}

/// Signs in through `POST /agent/login` (a form, as the browser sends it) and reads the CSRF
/// token from `GET /agent/api/me`; panics when signing in fails.
pub async fn login(app: &TestApp, email: &str, password: &str) -> AgentClient {
    let client = no_redirect_client();
    let res = client
        .post(format!("{}/agent/login", app.base_url))
        .form(&[("email", email), ("password", password), ("next", "/agent")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST /agent/login: {e}"));
    let status = res.status().as_u16();
    let set_cookie = res
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(
        status,
        303,
        "signing in as {email} failed: {}",
        res.text().await.unwrap_or_default()
    );
    let cookie = set_cookie
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    assert!(cookie.starts_with("otvet_session="), "{set_cookie}");
    let mut agent = AgentClient {
        base_url: app.base_url.clone(),
        client,
        cookie,
        csrf: String::new(),
        agent: Value::Null,
    };
    let (status, me) = agent.get("/agent/api/me").await;
    assert_eq!(status, 200, "{me}");
    agent.csrf = me["csrf"].as_str().expect("csrf").to_string();
    agent.agent = me["agent"].clone();
    agent
}

impl AgentClient {
    /// A request with the session cookie and, for methods other than GET, the CSRF header.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{}", self.base_url, path))
            .header("cookie", &self.cookie);
        if method != reqwest::Method::GET {
            req = req.header("x-csrf-token", &self.csrf);
        }
        req
    }

    /// `GET path` → status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        read_json(res, path).await
    }

    /// `method path` with a JSON body (and the CSRF header) → status and JSON body (`null` for
    /// an empty body, e.g. 204).
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self.request(method.clone(), path);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        if res.status() == reqwest::StatusCode::NO_CONTENT {
            return (204, Value::Null);
        }
        read_json(res, path).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::POST, path, Some(body))
            .await
    }

    /// `PUT path` with a JSON body.
    pub async fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::PUT, path, Some(body)).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.send_json(reqwest::Method::DELETE, path, None).await
    }

    /// `POST path` with an HTML form (the CSRF token is not added: put it in `fields`) → status,
    /// `Location` and body text.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let res = self
            .client
            .post(format!("{}{}", self.base_url, path))
            .header("cookie", &self.cookie)
            .form(fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, location, res.text().await.unwrap_or_default())
    }

    /// `GET path` of a page → status and HTML.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self
            .request(reqwest::Method::GET, path)
            .header("accept", "text/html")
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }
}
