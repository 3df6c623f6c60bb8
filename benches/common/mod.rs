//! What the benchmarks share: CPU time of a process from `/proc`, client addresses, and the
//! set-up steps of a run against the release binary (accounts, sign-in, a PostgreSQL database).

// Each bench uses part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use sqlx::Connection;

/// CPU time (user + system) in a /proc/PID/stat line (clock ticks of 10 ms).
pub fn cpu_of_stat(stat: &str) -> Duration {
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the name.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// CPU time used so far by process `pid` (`self` for this one); zero when it is gone.
pub fn cpu_time(pid: &str) -> Duration {
    cpu_of_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default())
}

/// A new client address for each connection, for `X-Forwarded-For` through the loopback
/// proxy the server trusts by default: its per-address limits are for one client, not a bench (10.0.0.0/8, never a trusted proxy by default).
pub fn forwarded() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::net::Ipv4Addr::from(0x0A00_0000 | (n & 0x00FF_FFFF)).to_string()
}

/// A free address on 127.0.0.1 for a server to listen on.
pub fn free_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    format!("127.0.0.1:{port}")
}

/// `otvet serve` (the binary under test) on `addr` and `database` over the sample articles,
/// without the folder watcher, with `extra` options; its output is discarded.
pub fn spawn_otvet<I, S>(addr: &str, database: &str, extra: I) -> std::process::Child
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_otvet"))
        .args(["serve", "--addr", addr, "--database", database])
        .args(["--watch", "false", "--articles"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("articles"))
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the otvet binary")
}

/// `otvet agent add` on `db`: an account of `role` with `password` (given on stdin).
pub fn add_agent(
    db: &str,
    email: &str,
    name: &str,
    role: &str,
    max_chats: Option<u64>,
    password: &str,
) -> Result<(), String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otvet"));
    cmd.args(["agent", "add", "--database", db]).args([
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
        "--password-stdin",
    ]);
    if let Some(n) = max_chats {
        cmd.args(["--max-chats", &n.to_string()]);
    }
    let mut child = cmd
        .env("OTVET_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("otvet agent add: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(password.as_bytes())
        .map_err(|e| format!("otvet agent add: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("otvet agent add: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "otvet agent add: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Signs an agent in on `addr`; the `Cookie` header value of the session.
pub async fn login(
    http: &reqwest::Client,
    addr: &str,
    email: &str,
    password: &str,
) -> Result<String, String> {
    let r = http
        .post(format!("http://{addr}/agent/login"))
        .header("Origin", format!("http://{addr}"))
        .form(&[("email", email), ("password", password), ("next", "/agent")])
        .send()
        .await
        .map_err(|e| format!("login: {e}"))?;
    let status = r.status();
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .filter(|c| c.starts_with("otvet_session=") && c.len() > "otvet_session=".len())
        })
        .map(str::to_string)
        .ok_or_else(|| format!("login of {email} on {addr}: {status}, no session cookie"))
}

/// Runs one statement on PostgreSQL at `admin_url` (creating or dropping a bench's database).
pub async fn admin_sql(admin_url: &str, sql: String) -> Result<(), String> {
    let mut conn = tokio::time::timeout(
        Duration::from_secs(10),
        sqlx::PgConnection::connect(admin_url),
    )
    .await
    .map_err(|_| "connecting to PostgreSQL timed out".to_string())?
    .map_err(|e| format!("connecting to PostgreSQL: {e}"))?;
    let r = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .execute(&mut conn)
        .await
        .map(|_| ())
        .map_err(|e| format!("{sql}: {e}"));
    let _ = conn.close().await;
    r
}
