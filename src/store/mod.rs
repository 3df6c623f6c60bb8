//! Storage: one cloneable [`Store`] over SQLite or PostgreSQL, chosen by the URL scheme.
//!
//! Migrations live in `migrations/sqlite` and `migrations/postgres`, are embedded in the binary
//! and applied by [`Store::connect`]. Queries are runtime queries with `$1` placeholders.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use crate::domain::{Lang, Slug};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The `settings` key of the generated visitor-hash secret.
const SECRET_KEY: &str = "visitor_secret";

/// The `settings` key that `/readyz`'s write probe overwrites (see [`Store::probe_write`]).
const PROBE_KEY: &str = "readiness_probe";

/// Runs the same sqlx expression on whichever pool the store has: `on_pool!(self, p => expr)`.
/// The expression is compiled once per backend, so each gets its own driver types.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool) => $body,
            Store::Postgres($pool) => $body,
        }
    };
}

pub mod agents;
pub mod analytics;
pub mod attachments;
pub mod chat;
pub mod cluster;
pub mod mail;
mod messages;
pub mod privacy;
mod queue;
pub mod reports;
mod unresolved;

/// The database of the whole app; cheap to clone (a connection pool).
#[derive(Clone)]
pub enum Store {
    /// A SQLite file (or `sqlite::memory:`).
    Sqlite(SqlitePool),
    /// A PostgreSQL database.
    Postgres(PgPool),
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Store::Sqlite(_) => "Store::Sqlite",
            Store::Postgres(_) => "Store::Postgres",
        })
    }
}

/// "Was this helpful?" votes of one article.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeedbackCounts {
    /// Visitors who found it helpful.
    pub yes: i64,
    /// Visitors who did not.
    pub no: i64,
}

/// `url` (a PostgreSQL URL) pointing at database `name` instead of its own, query kept.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// `url` with the password (if any) replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl Store {
    /// Opens the database at `url` (`sqlite:…` or `postgres:`/`postgresql:…`) and applies the
    /// migrations. A SQLite file and its parent folder are created when missing.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        Self::connect_as(url, "otvet").await
    }

    /// Like [`Store::connect`], naming the connections after a server node: on PostgreSQL the
    /// name is every connection's `application_name`, which the message trigger puts into its
    /// notifications so the node can recognise its own (see [`crate::chat::bus`]).
    pub async fn connect_as(url: &str, node: &str) -> anyhow::Result<Store> {
        let store = Self::open(url, node)
            .await
            .with_context(|| format!("cannot open database {}", redact_url(url)))?;
        store
            .migrate()
            .await
            .with_context(|| format!("cannot migrate database {}", redact_url(url)))?;
        Ok(store)
    }

    async fn open(url: &str, node: &str) -> anyhow::Result<Store> {
        let scheme = url.split(':').next().unwrap_or("").to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => {
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let mut opts = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // In WAL mode NORMAL is crash-safe (a committed transaction survives the
                    // process dying); only a power cut may lose the last commits. FULL would
                    // wait for an fsync on every chat message.
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    // Deleted rows are overwritten with zeros, not just unlinked from the
                    // b-tree: an erased customer's texts must not stay readable in the file.
                    .pragma("secure_delete", "ON");
                if !in_memory {
                    create_parent(opts.get_filename())?;
                    // Only this first connection may create the file: the pool's later ones
                    // (after idle time) must fail when it was deleted, not start an empty
                    // database beside the one the older connections still write to.
                    SqliteConnection::connect_with(&opts).await?.close().await?;
                    opts = opts.create_if_missing(false);
                    register_sqlite_file(opts.get_filename());
                }
                let mut pool = SqlitePoolOptions::new().max_connections(8);
                if in_memory {
                    // The database lives as long as one connection to it does.
                    pool = pool
                        .min_connections(1)
                        .idle_timeout(None)
                        .max_lifetime(None);
                }
                Ok(Store::Sqlite(pool.connect_with(opts).await?))
            }
            "postgres" | "postgresql" => {
                let opts = PgConnectOptions::from_str(url)?.application_name(node);
                // One direct connection first: the pool would only report a timeout.
                PgConnection::connect_with(&opts).await?.close().await?;
                Ok(Store::Postgres(
                    PgPoolOptions::new()
                        .max_connections(8)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(opts)
                        .await?,
                ))
            }
            _ => bail!(
                "unsupported database URL scheme '{scheme}': use sqlite://path/to/file.db, \
                 sqlite::memory: or postgres://user@host/db"
            ),
        }
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Store::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Store::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// On SQLite, the lock that chat writes take in turn: SQLite allows one writer at a time,
    /// and a writer that finds the database busy sleeps in steps of up to 100 ms; queueing in
    /// the process instead keeps every write short. `None` on PostgreSQL.
    pub(crate) fn sqlite_writer(&self) -> Option<std::sync::Arc<tokio::sync::Mutex<()>>> {
        use std::collections::HashMap;
        use std::sync::{Arc, Mutex, OnceLock};
        static LOCKS: OnceLock<Mutex<HashMap<std::path::PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
            OnceLock::new();
        let Store::Sqlite(p) = self else {
            return None;
        };
        let file = p.connect_options().get_filename().to_path_buf();
        let mut map = LOCKS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        Some(map.entry(file).or_default().clone())
    }

    /// Waits for this process's turn to write to SQLite (see [`Store::sqlite_writer`]);
    /// `None` on PostgreSQL. Hold the guard for the write.
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.sqlite_writer() {
            Some(w) => Some(w.lock_owned().await),
            None => None,
        }
    }

    /// The file of a SQLite database as its connections were opened (relative to the working
    /// folder when the URL was); `None` in memory and on PostgreSQL.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let Store::Sqlite(p) = self else {
            return None;
        };
        let options = p.connect_options();
        let file = options.get_filename();
        sqlite_files()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(file)
            .then(|| file.to_path_buf())
    }

    /// Fails when the SQLite database file is no longer at its path (deleted, or its folder
    /// removed): the open connections would go on writing into the unlinked file, and whatever
    /// they write is lost at the next start. A `stat`, cheap enough before every message is
    /// acknowledged; always `Ok` in memory and on PostgreSQL.
    pub fn ensure_file(&self) -> anyhow::Result<()> {
        let Some(file) = self.sqlite_file() else {
            return Ok(());
        };
        match file.try_exists() {
            Ok(true) => Ok(()),
            Ok(false) => bail!(
                "the database file {} no longer exists: writes would be lost",
                file.display()
            ),
            Err(e) => {
                Err(e).with_context(|| format!("cannot check the database file {}", file.display()))
            }
        }
    }

    /// Proves that the database takes writes now: commits a one-row upsert into `settings`.
    /// A read-only file or mount, a full disk or a read-only PostgreSQL (a standby, a
    /// read-only transaction default) fail here; SQLite itself only notices at write time.
    pub async fn probe_write(&self) -> anyhow::Result<()> {
        const SQL: &str = "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        let now = crate::domain::now_ms().to_string();
        let _turn = self.write_turn().await;
        on_pool!(self, p => {
            sqlx::query(SQL).bind(PROBE_KEY).bind(&now).execute(p).await?;
        });
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> anyhow::Result<()> {
        let one: i32 = on_pool!(self, p => sqlx::query_scalar("SELECT 1").fetch_one(p).await?);
        anyhow::ensure!(one == 1, "unexpected answer to SELECT 1");
        Ok(())
    }

    /// Closes every connection (waits for the ones in use).
    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }

    /// A value of the `settings` table.
    pub async fn setting(&self, key: &str) -> anyhow::Result<Option<String>> {
        const SQL: &str = "SELECT value FROM settings WHERE key = $1";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).bind(key).fetch_optional(p).await?))
    }

    /// Stores `value` under `key` unless the key has a value already; returns the stored value
    /// (so concurrent first starts agree on one).
    pub async fn setting_or_insert(&self, key: &str, value: &str) -> anyhow::Result<String> {
        const SQL: &str =
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
        on_pool!(self, p => {
            sqlx::query(SQL).bind(key).bind(value).execute(p).await?;
        });
        self.setting(key).await?.context("setting vanished")
    }

    /// The per-installation secret mixed into visitor hashes: generated at the first start and
    /// kept in `settings`.
    pub async fn visitor_secret(&self) -> anyhow::Result<String> {
        if let Some(s) = self.setting(SECRET_KEY).await? {
            return Ok(s);
        }
        let bytes: [u8; 32] = rand::random();
        self.setting_or_insert(SECRET_KEY, &hex(&bytes)).await
    }

    /// Records one visitor's vote on an article, replacing that visitor's earlier vote.
    pub async fn record_feedback(
        &self,
        lang: Lang,
        slug: &Slug,
        visitor: &str,
        helpful: bool,
        comment: Option<&str>,
    ) -> anyhow::Result<()> {
        const SQLITE: &str = "INSERT INTO article_feedback (lang, slug, visitor, helpful, comment) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (lang, slug, visitor) DO UPDATE SET helpful = excluded.helpful, \
             comment = excluded.comment, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
        const POSTGRES: &str = "INSERT INTO article_feedback (lang, slug, visitor, helpful, comment) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (lang, slug, visitor) DO UPDATE SET helpful = excluded.helpful, \
             comment = excluded.comment, updated_at = now()";
        let sql = match self {
            Store::Sqlite(_) => SQLITE,
            Store::Postgres(_) => POSTGRES,
        };
        on_pool!(self, p => {
            sqlx::query(sql)
                .bind(lang.code())
                .bind(slug.as_str())
                .bind(visitor)
                .bind(helpful)
                .bind(comment)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// How many visitors found an article helpful and how many did not.
    pub async fn feedback_counts(&self, lang: Lang, slug: &Slug) -> anyhow::Result<FeedbackCounts> {
        const SQL: &str = "SELECT helpful, COUNT(*) FROM article_feedback \
             WHERE lang = $1 AND slug = $2 GROUP BY helpful";
        let rows: Vec<(bool, i64)> = on_pool!(self, p => sqlx::query_as(SQL)
            .bind(lang.code())
            .bind(slug.as_str())
            .fetch_all(p)
            .await?);
        let mut counts = FeedbackCounts::default();
        for (helpful, n) in rows {
            if helpful {
                counts.yes += n;
            } else {
                counts.no += n;
            }
        }
        Ok(counts)
    }

    /// Counts a view of an article by a visitor; the same visitor counts once per article and day.
    pub async fn record_view(&self, lang: Lang, slug: &Slug, visitor: &str) -> anyhow::Result<()> {
        const SQL: &str = "INSERT INTO article_views (lang, slug, visitor) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING";
        on_pool!(self, p => {
            sqlx::query(SQL)
                .bind(lang.code())
                .bind(slug.as_str())
                .bind(visitor)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Views (distinct visitor-days) of every viewed article of a language, by slug.
    pub async fn view_counts(
        &self,
        lang: Lang,
    ) -> anyhow::Result<std::collections::HashMap<String, i64>> {
        const SQL: &str = "SELECT slug, COUNT(*) FROM article_views WHERE lang = $1 GROUP BY slug";
        let rows: Vec<(String, i64)> =
            on_pool!(self, p => sqlx::query_as(SQL).bind(lang.code()).fetch_all(p).await?);
        Ok(rows.into_iter().collect())
    }

    /// Yes/no counts of every article of a language that has votes, by slug, in one query.
    pub async fn feedback_by_article(
        &self,
        lang: Lang,
    ) -> anyhow::Result<std::collections::HashMap<String, FeedbackCounts>> {
        const SQL: &str = "SELECT slug, helpful, COUNT(*) FROM article_feedback \
             WHERE lang = $1 GROUP BY slug, helpful";
        let rows: Vec<(String, bool, i64)> =
            on_pool!(self, p => sqlx::query_as(SQL).bind(lang.code()).fetch_all(p).await?);
        let mut out: std::collections::HashMap<String, FeedbackCounts> = Default::default();
        for (slug, helpful, n) in rows {
            let c = out.entry(slug).or_default();
            if helpful {
                c.yes += n;
            } else {
                c.no += n;
            }
        }
        Ok(out)
    }
}

/// The files of the SQLite databases opened by this process (as their options name them), so
/// that [`Store::sqlite_file`] can tell a file from an in-memory database.
fn sqlite_files() -> &'static std::sync::Mutex<std::collections::HashSet<std::path::PathBuf>> {
    static FILES: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashSet<std::path::PathBuf>>,
    > = std::sync::OnceLock::new();
    FILES.get_or_init(Default::default)
}

fn register_sqlite_file(file: &Path) {
    sqlite_files()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(file.to_path_buf());
}

fn create_parent(file: &Path) -> anyhow::Result<()> {
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create folder {}", parent.display()))?;
    }
    Ok(())
}

use crate::domain::token::hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact_url("sqlite://data/otvet.db"),
            "sqlite://data/otvet.db"
        );
    }

    #[test]
    fn urls_point_at_another_database() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u@h:5432/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t2"), "postgres://h/t2");
    }

    #[tokio::test]
    async fn unknown_scheme_is_a_clear_error() {
        let e = Store::connect("mysql://x/y").await.unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("cannot open database mysql://x/y"), "{msg}");
        assert!(
            msg.contains("unsupported database URL scheme 'mysql'"),
            "{msg}"
        );
    }
}
