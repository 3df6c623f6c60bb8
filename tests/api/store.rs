//! Storage: migrations, the SQLite file, feedback votes — the same store tests on SQLite and on
//! PostgreSQL — and the feedback HTTP API.
//!
//! PostgreSQL tests run when `OTVET_TEST_POSTGRES_URL` is set (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`): each creates its own database through that
//! URL and drops it at the end. Without it they print that they were skipped and pass, unless
//! `OTVET_REQUIRE_POSTGRES=1`.

use otvet::Store;
use otvet::domain::{Author, ConversationStatus};
use otvet::domain::{Lang, Slug};
use otvet::store::FeedbackCounts;
use serde_json::{Value, json};
use sqlx::Connection;
use tempfile::TempDir;

use crate::helpers::{fixture, spawn_app, spawn_app_with, sqlite_url};

/// A fresh, empty database for one test.
pub enum TestDb {
    Sqlite(TempDir),
    Postgres(PgTestDb),
}

/// A PostgreSQL database created for one test, dropped (best effort) when this is dropped.
pub struct PgTestDb {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        TestDb::Sqlite(
            tempfile::Builder::new()
                .prefix("otvet-store-")
                .tempdir()
                .expect("temp dir"),
        )
    }

    /// A new PostgreSQL database, or `None` (after saying so) when no server is configured.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let admin_url = match std::env::var("OTVET_TEST_POSTGRES_URL") {
            Ok(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ => {
                assert!(
                    std::env::var("OTVET_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "{test}: OTVET_REQUIRE_POSTGRES=1 but OTVET_TEST_POSTGRES_URL is not set"
                );
                eprintln!(
                    "{test}: skipped: set OTVET_TEST_POSTGRES_URL \
                     (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it on PostgreSQL"
                );
                return None;
            }
        };
        let name = format!(
            "otvet_test_{}",
            otvet::domain::token::hex(&rand::random::<[u8; 8]>())
        );
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("{test}: cannot connect to OTVET_TEST_POSTGRES_URL: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{test}: CREATE DATABASE {name}: {e}"));
        let _ = conn.close().await;
        let url = otvet::store::with_database(&admin_url, &name);
        Some(TestDb::Postgres(PgTestDb {
            admin_url,
            name,
            url,
        }))
    }

    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite(dir) => sqlite_url(&dir.path().join("otvet.db")),
            TestDb::Postgres(pg) => pg.url.clone(),
        }
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Best effort, from a thread of its own: Drop cannot await on the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await
                    {
                        eprintln!("could not drop test database {name}: {e}");
                    }
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

/// Runs a store test on SQLite and on PostgreSQL: `mod name { fn sqlite; fn postgres }`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::store::TestDb::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = crate::store::TestDb::postgres(stringify!($name)).await {
                    super::$name(db).await;
                }
            }
        }
    )*};
}
pub(crate) use on_both;

on_both!(
    migrations_apply_on_a_new_database_and_again_on_restart,
    feedback_is_stored_and_read_back,
    a_repeated_vote_replaces_the_first,
    different_visitors_count_separately,
    counts_of_every_article_in_one_query,
    the_generated_secret_survives_restarts,
    feedback_over_http,
    views_count_once_per_visitor_and_day,
    article_page_views_over_http,
);

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("slug")
}

fn counts(yes: i64, no: i64) -> FeedbackCounts {
    FeedbackCounts { yes, no }
}

async fn connect(db: &TestDb) -> Store {
    Store::connect(&db.url())
        .await
        .unwrap_or_else(|e| panic!("connect {}: {e:#}", db.url()))
}

async fn migrations_apply_on_a_new_database_and_again_on_restart(db: TestDb) {
    let store = connect(&db).await;
    store.ping().await.expect("ping");
    assert_eq!(
        store.feedback_counts(Lang::Ru, &slug("a")).await.unwrap(),
        counts(0, 0)
    );
    store
        .record_feedback(Lang::Ru, &slug("a"), "v1", true, Some("спасибо"))
        .await
        .unwrap();
    // Applying them again changes nothing.
    store
        .migrate()
        .await
        .expect("second migrate on the same pool");
    store.close().await;

    let store = connect(&db).await;
    store.ping().await.expect("ping after restart");
    assert_eq!(
        store.feedback_counts(Lang::Ru, &slug("a")).await.unwrap(),
        counts(1, 0),
        "data kept across a restart"
    );
    store.close().await;
}

async fn feedback_is_stored_and_read_back(db: TestDb) {
    let store = connect(&db).await;
    let s = slug("kettle-descaling");
    store
        .record_feedback(Lang::Ru, &s, "v1", true, None)
        .await
        .unwrap();
    store
        .record_feedback(Lang::Ru, &s, "v2", false, Some("не помогло"))
        .await
        .unwrap();
    assert_eq!(
        store.feedback_counts(Lang::Ru, &s).await.unwrap(),
        counts(1, 1)
    );
    // Other languages and articles are separate.
    assert_eq!(
        store.feedback_counts(Lang::En, &s).await.unwrap(),
        counts(0, 0)
    );
    assert_eq!(
        store
            .feedback_counts(Lang::Ru, &slug("lawn-watering"))
            .await
            .unwrap(),
        counts(0, 0)
    );
    store.close().await;
}

async fn a_repeated_vote_replaces_the_first(db: TestDb) {
    let store = connect(&db).await;
    let s = slug("kettle-descaling");
    store
        .record_feedback(Lang::Ru, &s, "v1", true, None)
        .await
        .unwrap();
    store
        .record_feedback(Lang::Ru, &s, "v1", true, None)
        .await
        .unwrap();
    assert_eq!(
        store.feedback_counts(Lang::Ru, &s).await.unwrap(),
        counts(1, 0)
    );
    store
        .record_feedback(Lang::Ru, &s, "v1", false, Some("передумал"))
        .await
        .unwrap();
    assert_eq!(
        store.feedback_counts(Lang::Ru, &s).await.unwrap(),
        counts(0, 1)
    );
    store.close().await;
}

async fn different_visitors_count_separately(db: TestDb) {
    let store = connect(&db).await;
    let s = slug("kettle-descaling");
    for (i, helpful) in [true, true, false, true, false].into_iter().enumerate() {
        store
            .record_feedback(Lang::Ru, &s, &format!("visitor-{i}"), helpful, None)
            .await
            .unwrap();
    }
    assert_eq!(
        store.feedback_counts(Lang::Ru, &s).await.unwrap(),
        counts(3, 2)
    );
    store.close().await;
}

async fn counts_of_every_article_in_one_query(db: TestDb) {
    let store = connect(&db).await;
    let votes = [
        (Lang::Ru, "kettle", "a", true),
        (Lang::Ru, "kettle", "b", true),
        (Lang::Ru, "kettle", "c", false),
        (Lang::Ru, "fridge", "a", false),
        (Lang::En, "kettle", "a", true),
    ];
    for (lang, s, visitor, helpful) in votes {
        store
            .record_feedback(lang, &slug(s), visitor, helpful, None)
            .await
            .unwrap();
    }
    let ru = store.feedback_by_article(Lang::Ru).await.unwrap();
    assert_eq!(ru.len(), 2, "{ru:?}");
    assert_eq!(ru["kettle"], counts(2, 1));
    assert_eq!(ru["fridge"], counts(0, 1));
    let en = store.feedback_by_article(Lang::En).await.unwrap();
    assert_eq!(en["kettle"], counts(1, 0));
    assert!(
        store
            .feedback_by_article(Lang::De)
            .await
            .unwrap()
            .is_empty()
    );
    store.close().await;
}

async fn the_generated_secret_survives_restarts(db: TestDb) {
    let store = connect(&db).await;
    let first = store.visitor_secret().await.unwrap();
    assert_eq!(first.len(), 64, "{first}");
    assert_eq!(store.visitor_secret().await.unwrap(), first);
    store.close().await;
    let store = connect(&db).await;
    assert_eq!(store.visitor_secret().await.unwrap(), first);
    store.close().await;
    // Another database gets another secret.
    let other = Store::connect("sqlite::memory:").await.unwrap();
    assert_ne!(other.visitor_secret().await.unwrap(), first);
}

/// The feedback API on a given database: vote, vote again, another visitor.
async fn feedback_over_http(db: TestDb) {
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.watch = false;
    config.database_url = db.url();
    let app = spawn_app_with(config).await;
    assert_eq!(app.get_json("/readyz").await.1["database"], "ok");
    let path = "/api/articles/kettle-descaling/feedback";
    let (status, body) = app
        .post_json(path, &json!({"lang": "ru", "helpful": true}), "ua-1")
        .await;
    assert_eq!((status, &body), (200, &json!({"yes": 1, "no": 0})));
    let (status, body) = app
        .post_json(path, &json!({"lang": "ru", "helpful": false}), "ua-2")
        .await;
    assert_eq!((status, &body), (200, &json!({"yes": 1, "no": 1})));
    let (status, body) = app.get_json(&format!("{path}?lang=ru")).await;
    assert_eq!((status, &body), (200, &json!({"yes": 1, "no": 1})));
    app.stop().await;
}

async fn views_count_once_per_visitor_and_day(db: TestDb) {
    let store = connect(&db).await;
    let kettle = slug("kettle");
    for visitor in ["a", "a", "b"] {
        store.record_view(Lang::Ru, &kettle, visitor).await.unwrap();
    }
    store.record_view(Lang::En, &kettle, "a").await.unwrap();
    store
        .record_view(Lang::Ru, &slug("fridge"), "a")
        .await
        .unwrap();
    let ru = store.view_counts(Lang::Ru).await.unwrap();
    assert_eq!(ru.get("kettle"), Some(&2), "{ru:?}");
    assert_eq!(ru.get("fridge"), Some(&1), "{ru:?}");
    assert_eq!(
        store.view_counts(Lang::En).await.unwrap().get("kettle"),
        Some(&1)
    );
    assert!(store.view_counts(Lang::De).await.unwrap().is_empty());
    store.close().await;
}

/// Article pages count views: a reload by the same visitor is not a second view, another
/// browser is, a crawler is not.
async fn article_page_views_over_http(db: TestDb) {
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.watch = false;
    config.database_url = db.url();
    let app = spawn_app_with(config).await;
    let url = format!("{}/ru/articles/kettle-descaling", app.base_url);
    for ua in ["Firefox/1", "Firefox/1", "Chrome/2", "Googlebot/2.1"] {
        let resp = app
            .client
            .get(&url)
            .header("user-agent", ua)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{ua}");
    }
    app.stop().await;
    let store = connect(&db).await;
    let views = store.view_counts(Lang::Ru).await.unwrap();
    assert_eq!(views.get("kettle-descaling"), Some(&2), "{views:?}");
    store.close().await;
}

fn sqlite_db_in(dir: &TempDir) -> String {
    sqlite_url(&dir.path().join("otvet.db"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_file_and_its_missing_folders_are_created() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("nested/data/otvet.db");
    assert!(!file.parent().unwrap().exists());
    let store = Store::connect(&sqlite_url(&file)).await.expect("connect");
    store.ping().await.unwrap();
    assert!(file.is_file(), "{} was not created", file.display());
    store.close().await;
    // The relative form of the default URL works too (`sqlite://data/otvet.db` style).
    let store = Store::connect("sqlite::memory:").await.expect("in memory");
    store
        .record_feedback(Lang::Ru, &slug("a"), "v", true, None)
        .await
        .unwrap();
    assert_eq!(
        store.feedback_counts(Lang::Ru, &slug("a")).await.unwrap(),
        counts(1, 0),
        "an in-memory database is shared by the pool's connections"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_database_url_stops_start_up_with_a_clear_error() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("file"), "not a folder").unwrap();
    let url = sqlite_url(&dir.path().join("file/otvet.db"));
    for (url, want) in [
        (url.as_str(), "cannot open database sqlite://"),
        (
            "mysql://root@127.0.0.1/test",
            "unsupported database URL scheme",
        ),
    ] {
        let mut config = otvet::Config::new(fixture("small-kb"));
        config.watch = false;
        config.database_url = url.to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let err = otvet::run(config, listener, std::future::pending())
            .await
            .expect_err("start-up must fail");
        let msg = format!("{err:#}");
        assert!(msg.contains(want), "{url}: {msg}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_counts_one_vote_per_visitor() {
    let app = spawn_app(fixture("small-kb")).await;
    let path = "/api/articles/kettle-descaling/feedback";
    let (status, body) = app.get_json(&format!("{path}?lang=ru")).await;
    assert_eq!((status, &body), (200, &json!({"yes": 0, "no": 0})));

    let vote = |helpful: bool| json!({"lang": "ru", "helpful": helpful, "comment": "ок"});
    let (status, body) = app.post_json(path, &vote(true), "Firefox").await;
    assert_eq!((status, &body), (200, &json!({"yes": 1, "no": 0})));
    // The same client again: replaces its vote.
    let (status, body) = app.post_json(path, &vote(true), "Firefox").await;
    assert_eq!((status, &body), (200, &json!({"yes": 1, "no": 0})));
    let (status, body) = app.post_json(path, &vote(false), "Firefox").await;
    assert_eq!((status, &body), (200, &json!({"yes": 0, "no": 1})));
    // Another User-Agent is another visitor.
    let (status, body) = app.post_json(path, &vote(true), "Chrome").await;
    assert_eq!((status, &body), (200, &json!({"yes": 1, "no": 1})));
    // So is another forwarded client address.
    let (status, body) = app
        .post_raw(
            path,
            vote(true).to_string(),
            &[
                ("content-type", "application/json"),
                ("user-agent", "Chrome"),
                ("x-forwarded-for", "203.0.113.7, 10.0.0.1"),
            ],
        )
        .await;
    assert_eq!((status, &body), (200, &json!({"yes": 2, "no": 1})));

    let (status, body) = app.get_json(&format!("{path}?lang=ru")).await;
    assert_eq!((status, &body), (200, &json!({"yes": 2, "no": 1})));
    // Without `lang`: the default language.
    let (status, body) = app.get_json(path).await;
    assert_eq!((status, &body), (200, &json!({"yes": 2, "no": 1})));
    // The English translation has its own counts.
    let (status, body) = app.get_json(&format!("{path}?lang=en")).await;
    assert_eq!((status, &body), (200, &json!({"yes": 0, "no": 0})));
    // A 2,000-character comment is accepted.
    let long_ok = json!({"lang": "en", "helpful": true, "comment": "ж".repeat(2_000)});
    let (status, body) = app.post_json(path, &long_ok, "Firefox").await;
    assert_eq!((status, &body), (200, &json!({"yes": 1, "no": 0})));
}

fn assert_error(status: u16, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["code"], want_code, "{body}");
    assert!(!body["message"].as_str().unwrap_or("").is_empty(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_rejects_bad_requests_with_json_errors() {
    let app = spawn_app(fixture("small-kb")).await;
    let path = "/api/articles/kettle-descaling/feedback";
    let json_ct = [("content-type", "application/json")];

    // Unknown articles: no such slug, a slug only in another language, an invalid slug.
    for (p, lang) in [
        ("/api/articles/no-such-article/feedback", "ru"),
        ("/api/articles/bike-tyre-repair/feedback", "en"),
    ] {
        let (status, body) = app
            .post_json(p, &json!({"lang": lang, "helpful": true}), "ua")
            .await;
        assert_error(status, &body, 404, "not_found");
        let (status, body) = app.get_json(&format!("{p}?lang={lang}")).await;
        assert_error(status, &body, 404, "not_found");
    }

    let bad_bodies = [
        json!({"lang": "fr", "helpful": true}).to_string(),
        json!({"lang": "ru", "helpful": true, "comment": "ж".repeat(2_001)}).to_string(),
        json!({"lang": "ru"}).to_string(),
        json!({"lang": "ru", "helpful": "yes"}).to_string(),
        "{\"lang\": \"ru\", \"helpful\": tru".to_string(),
        "not json".to_string(),
        String::new(),
    ];
    for body in bad_bodies {
        let (status, resp) = app.post_raw(path, body.clone(), &json_ct).await;
        assert_eq!(status, 400, "{body:.80}: {resp}");
        assert_error(status, &resp, 400, "bad_request");
    }
    // Without a JSON content type.
    let (status, body) = app
        .post_raw(
            path,
            json!({"lang": "ru", "helpful": true}).to_string(),
            &[],
        )
        .await;
    assert_error(status, &body, 400, "bad_request");
    let (status, body) = app.get_json(&format!("{path}?lang=fr")).await;
    assert_error(status, &body, 400, "bad_request");

    // Over 16 KiB.
    let huge = json!({"lang": "ru", "helpful": true, "comment": "x".repeat(17 * 1024)});
    let (status, body) = app.post_raw(path, huge.to_string(), &json_ct).await;
    assert_error(status, &body, 413, "payload_too_large");

    // Nothing was counted.
    let (status, body) = app.get_json(&format!("{path}?lang=ru")).await;
    assert_eq!((status, &body), (200, &json!({"yes": 0, "no": 0})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_survives_a_restart_on_the_same_sqlite_file() {
    let dir = TempDir::new().unwrap();
    let start = || {
        let mut config = otvet::Config::new(fixture("small-kb"));
        config.watch = false;
        config.database_url = sqlite_db_in(&dir);
        spawn_app_with(config)
    };
    let path = "/api/articles/kettle-descaling/feedback";
    let app = start().await;
    let (status, body) = app
        .post_json(path, &json!({"lang": "ru", "helpful": true}), "Firefox")
        .await;
    assert_eq!((status, &body), (200, &json!({"yes": 1, "no": 0})));
    app.stop().await;

    let app = start().await;
    let (status, body) = app.get_json(&format!("{path}?lang=ru")).await;
    assert_eq!((status, &body), (200, &json!({"yes": 1, "no": 0})));
    // The generated secret was kept: the same client is still the same visitor.
    let (status, body) = app
        .post_json(path, &json!({"lang": "ru", "helpful": false}), "Firefox")
        .await;
    assert_eq!((status, &body), (200, &json!({"yes": 0, "no": 1})));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_secret_changes_visitor_ids() {
    let dir = TempDir::new().unwrap();
    let path = "/api/articles/kettle-descaling/feedback";
    for (secret, want) in [
        (Some("one"), (1, 0)),
        (Some("two"), (2, 0)),
        (Some("one"), (2, 0)),
    ] {
        let mut config = otvet::Config::new(fixture("small-kb"));
        config.watch = false;
        config.database_url = sqlite_db_in(&dir);
        config.secret = secret.map(str::to_string);
        let app = spawn_app_with(config).await;
        let (status, body) = app
            .post_json(path, &json!({"lang": "ru", "helpful": true}), "Firefox")
            .await;
        assert_eq!(
            (status, &body),
            (200, &json!({"yes": want.0, "no": want.1}))
        );
        app.stop().await;
    }
}

on_both!(
    presence_is_shared_and_expires,
    the_round_robin_pointer_is_shared,
    concurrent_login_attempts_count_once_each,
);

/// Parallel sign-in attempts of one pair from two nodes: exactly the allowed number may go on
/// to check a password; other pairs are not affected; the lock ends after the lockout.
async fn concurrent_login_attempts_count_once_each(db: TestDb) {
    use otvet::agents::password::LoginThrottle;
    let a = Store::connect_as(&db.url(), "node-a").await.unwrap();
    let b = Store::connect_as(&db.url(), "node-b").await.unwrap();
    let key = LoginThrottle::key("anna@example.com", "203.0.113.7");
    let now = 1_000_000;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            LoginThrottle::begin(&store, &key, now).await.unwrap()
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, LoginThrottle::MAX_FAILURES);
    assert!(
        LoginThrottle::begin(&b, &key, now + 1)
            .await
            .unwrap()
            .is_err()
    );
    let other = LoginThrottle::key("anna@example.com", "203.0.113.8");
    assert!(LoginThrottle::begin(&a, &other, now).await.unwrap().is_ok());
    LoginThrottle::succeeded(&a, &other, now).await.unwrap();
    let after_lockout = now + 61_000;
    assert!(
        LoginThrottle::begin(&a, &key, after_lockout)
            .await
            .unwrap()
            .is_ok()
    );
    a.close().await;
    b.close().await;
}

async fn agent(store: &Store, email: &str, cap: Option<i64>) -> i64 {
    let new = otvet::agents::NewAgent {
        email: email.into(),
        name: email.split('@').next().unwrap_or(email).into(),
        password_hash: "h".into(),
        role: otvet::agents::Role::Agent,
        max_chats: cap,
    };
    store.create_agent(&new, 0).await.unwrap().unwrap().id
}

/// Presence rows of two nodes make one team; a node that stops its heartbeat drops out.
async fn presence_is_shared_and_expires(db: TestDb) {
    use otvet::store::cluster::PRESENCE_STALE_MS;
    let store = Store::connect(&db.url()).await.unwrap();
    let olga = agent(&store, "olga@example.com", Some(2)).await;
    let ivan = agent(&store, "ivan@example.com", None).await;
    let t = 1_000_000;
    assert!(store.presence_connect(olga, "node-a", t).await.unwrap());
    // A second tab on another node: not "came online" again.
    assert!(!store.presence_connect(olga, "node-b", t).await.unwrap());
    assert!(store.presence_connect(ivan, "node-b", t).await.unwrap());
    let online = store.online_agents(t, 5).await.unwrap();
    let caps: Vec<(i64, i64, bool)> = online.iter().map(|a| (a.id, a.max_chats, a.away)).collect();
    assert_eq!(caps, [(olga, 2, false), (ivan, 5, false)]);
    // Away on one node is away everywhere, and a new tab inherits it.
    store.presence_away(olga, true).await.unwrap();
    assert!(!store.presence_connect(olga, "node-c", t).await.unwrap());
    store.presence_disconnect(olga, "node-a").await.unwrap();
    store.presence_disconnect(olga, "node-b").await.unwrap();
    let online = store.online_agents(t, 5).await.unwrap();
    assert_eq!(online[0].id, olga);
    assert!(online[0].away, "the tab on node-c keeps Ольга, away");
    store.presence_disconnect(olga, "node-c").await.unwrap();
    let online = store.online_agents(t, 5).await.unwrap();
    assert_eq!(online.iter().map(|a| a.id).collect::<Vec<_>>(), [ivan]);
    // node-a keeps beating, node-b (Ivan's) stopped: after the stale time only node-a's agents.
    assert!(store.presence_connect(olga, "node-a", t).await.unwrap());
    let later = t + PRESENCE_STALE_MS + 1;
    assert_eq!(store.presence_heartbeat("node-a", later).await.unwrap(), 1);
    let online = store.online_agents(later, 5).await.unwrap();
    assert_eq!(online.iter().map(|a| a.id).collect::<Vec<_>>(), [olga]);
    store.presence_leave("node-a").await.unwrap();
    assert!(store.online_agents(later, 5).await.unwrap().is_empty());
    store.close().await;
}

async fn the_round_robin_pointer_is_shared(db: TestDb) {
    let a = Store::connect_as(&db.url(), "node-a").await.unwrap();
    let b = Store::connect_as(&db.url(), "node-b").await.unwrap();
    assert_eq!(a.last_assigned().await.unwrap(), None);
    a.set_last_assigned(7).await.unwrap();
    assert_eq!(b.last_assigned().await.unwrap(), Some(7));
    a.close().await;
    b.close().await;
}

/// On PostgreSQL a stored message is announced on `otvet_chat` by the transaction that stores
/// it, with ids and the writing node only; a refused or duplicate write announces nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_notified_in_their_transaction() {
    use otvet::store::chat::{NewMessage, Patch};
    let Some(db) = TestDb::postgres("messages_are_notified_in_their_transaction").await else {
        return;
    };
    let store = Store::connect_as(&db.url(), "otvet-writer").await.unwrap();
    let mut listener = store
        .listen("otvet-reader")
        .await
        .unwrap()
        .expect("postgres");
    let customer = store.create_customer("t", 1).await.unwrap();
    let conv = store
        .create_conversation(customer.id, "ru", None, otvet::domain::Channel::Chat, 1)
        .await
        .unwrap();
    let m = NewMessage {
        client_id: Some("c1".into()),
        author: Author::Customer,
        text: "Где мой заказ? секретный текст".into(),
        ..Default::default()
    };
    store
        .append_message(conv.id, &m, &Patch::default(), 2)
        .await
        .unwrap();
    // The same client id again, and a write whose condition fails: no notifications.
    store
        .append_message(conv.id, &m, &Patch::default(), 3)
        .await
        .unwrap();
    let refused = Patch::default().when_status(&[ConversationStatus::Resolved]);
    let other = NewMessage {
        client_id: Some("c2".into()),
        ..m.clone()
    };
    store
        .append_message(conv.id, &other, &refused, 4)
        .await
        .unwrap();
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv())
        .await
        .expect("a notification within 5 s")
        .unwrap();
    let v: Value = serde_json::from_str(n.payload()).unwrap();
    assert_eq!(
        v,
        json!({"k": "m", "c": conv.id, "s": 1, "n": "otvet-writer"})
    );
    assert!(!n.payload().contains("секрет"), "no texts in notifications");
    let more = tokio::time::timeout(std::time::Duration::from_millis(500), listener.recv()).await;
    assert!(more.is_err(), "nothing else was stored: {more:?}");
    // Answers' feedback is announced as an update.
    let answer = NewMessage {
        author: Author::Bot,
        text: "Ответ".into(),
        answer: Some(otvet::domain::Answer {
            slug: "x".into(),
            title: "X".into(),
            url: "/ru/articles/x".into(),
            section: None,
            confidence: 0.9,
            alternatives: vec![],
            ask_feedback: true,
            ..Default::default()
        }),
        ..Default::default()
    };
    store
        .append_message(conv.id, &answer, &Patch::default(), 5)
        .await
        .unwrap();
    store.set_answer_feedback(conv.id, 2, false).await.unwrap();
    let mut kinds = Vec::new();
    for _ in 0..2 {
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv())
            .await
            .expect("a notification")
            .unwrap();
        let v: Value = serde_json::from_str(n.payload()).unwrap();
        kinds.push((
            v["k"].as_str().unwrap().to_string(),
            v["s"].as_i64().unwrap(),
        ));
    }
    assert_eq!(kinds, [("m".to_string(), 2), ("u".to_string(), 2)]);
    store.close().await;
}

/// One node at a time holds the assignment lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assignment_lock_is_one_node_at_a_time() {
    let Some(db) = TestDb::postgres("the_assignment_lock_is_one_node_at_a_time").await else {
        return;
    };
    let a = Store::connect_as(&db.url(), "node-a").await.unwrap();
    let b = Store::connect_as(&db.url(), "node-b").await.unwrap();
    let held = a.assignment_lock().await.unwrap();
    let waiting = tokio::spawn(async move {
        let l = b.assignment_lock().await.unwrap();
        l.release().await;
        b.close().await;
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "node-b got the lock while node-a held it"
    );
    held.release().await;
    tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
        .await
        .expect("node-b gets the lock once node-a lets go")
        .unwrap();
    a.close().await;
}

// ---------------------------------------------------------------------------------------------
// Readiness: a database that answers but cannot be written, or whose file is gone
// ---------------------------------------------------------------------------------------------

on_both!(the_write_probe_fails_on_a_read_only_database);

/// The store's own checks: the write probe passes on a writable database and fails on one that
/// answers reads only (SQLite opened read-only, as it silently is on a read-only file or mount;
/// a PostgreSQL database whose transactions are read-only, as on a standby).
async fn the_write_probe_fails_on_a_read_only_database(db: TestDb) {
    let store = connect(&db).await;
    store.ensure_file().expect("the file is there");
    store.probe_write().await.expect("a writable database");
    store.probe_write().await.expect("the probe can run again");
    let read_only = match &db {
        TestDb::Sqlite(dir) => {
            assert_eq!(
                store.sqlite_file().as_deref(),
                Some(dir.path().join("otvet.db").as_path())
            );
            Store::connect(&format!("{}?mode=ro", db.url()))
                .await
                .expect("a read-only SQLite database opens")
        }
        TestDb::Postgres(_) => {
            assert_eq!(store.sqlite_file(), None);
            let mut conn = sqlx::PgConnection::connect(&db.url()).await.unwrap();
            let name: String = sqlx::query_scalar("SELECT current_database()")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {name} SET default_transaction_read_only = on"
            )))
            .execute(&mut conn)
            .await
            .unwrap();
            let _ = conn.close().await;
            // Migrations are not run on it (they would need to write); the pool is enough.
            Store::Postgres(sqlx::PgPool::connect(&db.url()).await.unwrap())
        }
    };
    read_only.ping().await.expect("it still answers");
    let e = read_only
        .probe_write()
        .await
        .expect_err("a read-only database must fail the probe");
    let msg = format!("{e:#}").to_lowercase();
    assert!(
        msg.contains("read-only") || msg.contains("readonly"),
        "{msg}"
    );
    read_only.close().await;
    store.close().await;

    let memory = Store::connect("sqlite::memory:").await.unwrap();
    assert_eq!(memory.sqlite_file(), None);
    memory.ensure_file().expect("nothing to check in memory");
    memory.probe_write().await.expect("memory is writable");
}

fn readyz_app(url: &str) -> otvet::Config {
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.watch = false;
    config.database_url = url.to_string();
    config
}

/// `/readyz` on a SQLite file opened read-only: SQLite opens a file it may not write (chmod
/// 444 for a non-root user, a read-only mount) read-only without a word and fails only at the
/// first write, so the server answers reads and refuses every chat message. The tests run as
/// root, who ignores permission bits: `mode=ro` gives the same read-only connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_on_a_read_only_database_and_200_again_when_writable() {
    let dir = TempDir::new().unwrap();
    let url = sqlite_db_in(&dir);
    let app = spawn_app_with(readyz_app(&url)).await;
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!((status, &body["database"]), (200, &json!("ok")), "{body}");
    app.stop().await;

    let app = spawn_app_with(readyz_app(&format!("{url}?mode=ro"))).await;
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "unavailable", "{body}");
    assert_eq!(body["database"], "not writable", "{body}");
    assert!(body["articles"].as_u64().unwrap() > 0, "{body}");
    assert!(
        body["node"].is_string() && body["semantic"].is_object(),
        "{body}"
    );
    // Liveness does not look at the database.
    assert_eq!(app.healthz().await["status"], "ok");
    app.stop().await;

    let app = spawn_app_with(readyz_app(&url)).await;
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!((status, &body["database"]), (200, &json!("ok")), "{body}");
    app.stop().await;
}

/// `/readyz` once the SQLite file (here its whole folder) is deleted under the running server:
/// its connections would go on writing into the unlinked file, lost at the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_when_the_sqlite_file_is_deleted() {
    let dir = TempDir::new().unwrap();
    let folder = dir.path().join("data");
    let file = folder.join("otvet.db");
    let app = spawn_app_with(readyz_app(&sqlite_url(&file))).await;
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!((status, &body["database"]), (200, &json!("ok")), "{body}");

    std::fs::remove_file(&file).unwrap();
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["database"], "file missing", "{body}");

    std::fs::remove_dir_all(&folder).unwrap();
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(
        (status, &body["database"]),
        (503, &json!("file missing")),
        "{body}"
    );
    assert_eq!(app.healthz().await["status"], "ok");
    drop(app);
}

/// The pool's later connections (after idle time, or when more are needed) do not start an
/// empty database where the deleted file was: they fail, so the file stays missing and
/// `/readyz` keeps saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_connections_do_not_recreate_a_deleted_sqlite_file() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("otvet.db");
    let store = Store::connect(&sqlite_url(&file)).await.unwrap();
    let Store::Sqlite(pool) = &store else {
        unreachable!("a SQLite URL")
    };
    // Every open connection busy: the next acquire has to open a new one.
    let mut held = Vec::new();
    while held.len() < pool.size() as usize {
        held.push(pool.acquire().await.unwrap());
    }
    assert!(pool.size() < 8, "room for a new connection");
    std::fs::remove_file(&file).unwrap();
    let e = store.ensure_file().expect_err("the file is gone");
    assert!(format!("{e:#}").contains("no longer exists"), "{e:#}");
    assert!(pool.acquire().await.is_err(), "a new connection must fail");
    assert!(!file.exists(), "nothing recreated the file");
    drop(held);
    store.close().await;
}

on_both!(the_queue_takes_one_conversation_per_source_in_turn);

/// The queue's fair order in SQL, on both backends: a source's n-th waiting conversation
/// counts as queued (n − 1) × 10 minutes later; a conversation without a source is a source of
/// its own; positions agree with the order, and with the place a new one gets.
async fn the_queue_takes_one_conversation_per_source_in_turn(db: TestDb) {
    use otvet::store::chat::{Patch, Val};
    let store = connect(&db).await;
    let mut ids = Vec::new();
    // (source, queued at): a flood "f" of four, two real customers, one without a source.
    for (i, (source, at)) in [
        (Some("real-a"), 100),
        (Some("f"), 200),
        (Some("f"), 201),
        (Some("f"), 202),
        (None, 250),
        (Some("real-b"), 300),
        (Some("f"), 400),
    ]
    .into_iter()
    .enumerate()
    {
        let customer = store.create_customer(&format!("t-{i}"), 0).await.unwrap();
        let conv = store
            .create_conversation(customer.id, "ru", None, otvet::domain::Channel::Chat, 0)
            .await
            .unwrap();
        let mut patch = Patch::default()
            .set("status", Val::Text("queued".into()))
            .set("queued_at", Val::Int(at));
        if let Some(s) = source {
            patch = patch.set("source", Val::Text(s.into()));
        }
        assert!(store.update_conversation(conv.id, &patch).await.unwrap());
        ids.push(conv.id);
    }
    let order = [0, 1, 4, 5, 2, 3, 6].map(|i| ids[i]);
    assert_eq!(store.waiting().await.unwrap(), order);
    for (place, id) in order.iter().enumerate() {
        assert_eq!(
            store.queue_position(*id).await.unwrap(),
            Some(place as i64 + 1)
        );
    }
    assert_eq!(store.waiting_count().await.unwrap(), 7);
    // A new real customer comes right after those who came before, except the flood's
    // second and later; the flood's fifth comes last.
    assert_eq!(store.queue_position_of_new("real-c", 500).await.unwrap(), 5);
    assert_eq!(store.queue_position_of_new("f", 500).await.unwrap(), 8);
    // The penalty is ten minutes a conversation: one who comes later than that goes behind
    // the flood's second too.
    assert_eq!(
        store
            .queue_position_of_new("real-c", 700_000)
            .await
            .unwrap(),
        6
    );
    // The console's list: the first three waiting, with their places.
    let shown = store.queue(3).await.unwrap();
    let shown: Vec<(i64, Option<i64>)> = shown
        .iter()
        .map(|q| (q.conversation_id, q.position))
        .collect();
    assert_eq!(
        shown,
        [(ids[0], Some(1)), (ids[1], Some(2)), (ids[4], Some(3))]
    );
    store.close().await;
}

on_both!(the_contact_card_is_stored_and_keeps_verification_with_its_email);

/// `Store::set_contact` on both backends: the fields as given, verification kept only while
/// the email is the verified one, `None` for an unknown customer, the export shows the phone.
async fn the_contact_card_is_stored_and_keeps_verification_with_its_email(db: TestDb) {
    let store = connect(&db).await;
    let c = store.create_customer("t-card", 0).await.unwrap();
    store
        .set_customer_identity(c.id, Some("Анна"), Some("anna@example.com"), true)
        .await
        .unwrap();
    let kept = store
        .set_contact(
            c.id,
            Some("Анна К."),
            Some("ANNA@example.com"),
            Some("+7 912 345 67 89"),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(kept.verified);
    assert_eq!(kept.phone.as_deref(), Some("+7 912 345 67 89"));
    let other = store
        .set_contact(c.id, Some("Анна К."), Some("other@example.com"), None)
        .await
        .unwrap()
        .unwrap();
    assert!(!other.verified && other.phone.is_none());
    assert!(
        store
            .set_contact(999_999, None, None, None)
            .await
            .unwrap()
            .is_none()
    );
    let export = store.customer_export("other@example.com", 0).await.unwrap();
    assert_eq!(export.customers.len(), 1);
    assert_eq!(export.customers[0].name.as_deref(), Some("Анна К."));
    store.close().await;
}

on_both!(conversations_are_searched_by_name_and_words);

/// `Store::search_conversations` on both backends: a customer's name in any of its usual cases,
/// or every term of one of the sets in the conversation's search texts.
async fn conversations_are_searched_by_name_and_words(db: TestDb) {
    use otvet::store::chat::{NewMessage, Patch};
    let store = connect(&db).await;
    let c = store.create_customer("t-s", 0).await.unwrap();
    store
        .set_contact(c.id, Some("Анна К."), None, None)
        .await
        .unwrap();
    let conv = store
        .create_conversation(c.id, "ru", None, otvet::domain::Channel::Chat, 0)
        .await
        .unwrap();
    let m = NewMessage {
        author: Author::Customer,
        text: "Хочу возврат денег".into(),
        search_text: Some(" хоч возврат денег ".into()),
        ..Default::default()
    };
    store
        .append_message(conv.id, &m, &Patch::default(), 0)
        .await
        .unwrap();
    let ids = |v: Vec<otvet::store::chat::ListedConversation>| {
        v.into_iter().map(|r| r.conversation_id).collect::<Vec<_>>()
    };
    let set = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for name in ["анна", "Анна", "АННА"] {
        assert_eq!(
            ids(store.search_conversations(name, &[], 10).await.unwrap()),
            [conv.id],
            "{name}"
        );
    }
    let words = [set(&["возврат", "денег"])];
    assert_eq!(
        ids(store.search_conversations("-", &words, 10).await.unwrap()),
        [conv.id]
    );
    let missing = [set(&["возврат", "курьер"]), set(&["возвраты"])];
    assert!(
        store
            .search_conversations("-", &missing, 10)
            .await
            .unwrap()
            .is_empty()
    );
    store.close().await;
}

on_both!(mail_is_claimed_by_one_node_at_a_time);

/// Two nodes' workers claim from one outbox at once: every mail is claimed once, a claimed
/// mail is not claimed again before its lease ends, and a retry waits for its time.
async fn mail_is_claimed_by_one_node_at_a_time(db: TestDb) {
    use otvet::domain::mail::{MailKind, MailStatus};
    use otvet::store::mail::NewMail;
    let a = Store::connect_as(&db.url(), "otvet-a").await.unwrap();
    let b = Store::connect_as(&db.url(), "otvet-b").await.unwrap();
    let customer = a.create_customer("t", 1).await.unwrap();
    let conv = a
        .create_conversation(customer.id, "ru", None, otvet::domain::Channel::Chat, 1)
        .await
        .unwrap();
    const N: usize = 40;
    for i in 0..N {
        a.enqueue_mail(
            &NewMail {
                conversation_id: Some(conv.id),
                kind: MailKind::Autoreply,
                to: format!("c{i}@example.com"),
                lang: "ru".into(),
                message_id: format!("<m{i}@otvet.test>"),
                in_reply_to: None,
                subject: Some("s".into()),
                body: Some("b".into()),
                not_before: 0,
            },
            1,
        )
        .await
        .unwrap();
    }
    let claim_all = |s: Store| async move {
        let mut got = Vec::new();
        while let Some(row) = s.claim_mail(1_000, 60_000).await.unwrap() {
            got.push(row.id);
        }
        got
    };
    let (ga, gb) = tokio::join!(
        tokio::spawn(claim_all(a.clone())),
        tokio::spawn(claim_all(b.clone()))
    );
    let (ga, gb) = (ga.unwrap(), gb.unwrap());
    let mut all: Vec<i64> = ga.iter().chain(gb.iter()).copied().collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(ga.len() + gb.len(), N, "claimed twice: a {ga:?}, b {gb:?}");
    assert_eq!(all.len(), N);
    // Leased: nothing more until the lease ends (61 s); then it is claimable again (a node
    // died mid-send).
    assert!(a.claim_mail(30_000, 60_000).await.unwrap().is_none());
    let stale = b
        .claim_mail(61_000, 60_000)
        .await
        .unwrap()
        .expect("lease over");
    assert_eq!(stale.attempts, 2);
    // That one is put back for later (a 4xx); the others are sent.
    b.retry_mail(stale.id, 100_000, "421 try later")
        .await
        .unwrap();
    for id in all.iter().filter(|id| **id != stale.id) {
        a.finish_mail(*id, MailStatus::Sent, None, 61_001)
            .await
            .unwrap();
    }
    assert!(
        a.claim_mail(90_000, 60_000).await.unwrap().is_none(),
        "it waits for its time"
    );
    let again = a
        .claim_mail(100_000, 60_000)
        .await
        .unwrap()
        .expect("due again");
    assert_eq!((again.id, again.attempts), (stale.id, 3));
    assert_eq!(again.last_error.as_deref(), Some("421 try later"));
    a.finish_mail(again.id, MailStatus::Sent, None, 100_001)
        .await
        .unwrap();
    // Sent is sent; a retry of a sent mail does nothing.
    a.retry_mail(again.id, 0, "late").await.unwrap();
    assert!(b.claim_mail(1_000_000, 60_000).await.unwrap().is_none());
    a.close().await;
    b.close().await;
}

on_both!(files_go_with_their_customer_and_with_retention);

/// A customer's files are deleted with them; the retention sweep deletes old files.
async fn files_go_with_their_customer_and_with_retention(db: TestDb) {
    let store = Store::connect(&db.url()).await.unwrap();
    let anna = store.create_customer("ta", 1).await.unwrap();
    store
        .set_customer_identity(anna.id, Some("Анна"), Some("anna@example.com"), false)
        .await
        .unwrap();
    let boris = store.create_customer("tb", 1).await.unwrap();
    let mut tokens = Vec::new();
    for (who, at) in [(anna.id, 10), (boris.id, 10), (boris.id, 5_000)] {
        let conv = store
            .create_conversation(who, "ru", None, otvet::domain::Channel::Chat, at)
            .await
            .unwrap();
        let token = format!("{:032x}", tokens.len() + 1);
        store
            .add_attachment(conv.id, &token, "a.png", "image/png", b"\x89PNG....", at)
            .await
            .unwrap();
        tokens.push(token);
    }
    let deleted = store
        .delete_customer_data("anna@example.com")
        .await
        .unwrap();
    assert_eq!(deleted.files, 1);
    assert!(store.attachment(&tokens[0]).await.unwrap().is_none());
    assert!(store.attachment(&tokens[1]).await.unwrap().is_some());
    let report = store.apply_retention(1_000).await.unwrap();
    assert_eq!(report.files, 1);
    assert!(store.attachment(&tokens[1]).await.unwrap().is_none());
    let kept = store
        .attachment(&tokens[2])
        .await
        .unwrap()
        .expect("newer than the cutoff");
    assert_eq!(kept.data, b"\x89PNG....");
    store.close().await;
}

on_both!(starter_canned_replies_are_created_once);

/// The starter canned replies: created on a new installation, not again, not after deletion.
async fn starter_canned_replies_are_created_once(db: TestDb) {
    let store = Store::connect(&db.url()).await.unwrap();
    let starter = otvet::domain::canned::starter();
    assert_eq!(
        store.seed_canned_once(&starter, 1).await.unwrap(),
        starter.len()
    );
    assert_eq!(store.seed_canned_once(&starter, 2).await.unwrap(), 0);
    for c in store.list_canned().await.unwrap() {
        store.delete_canned(c.id).await.unwrap();
    }
    assert_eq!(store.seed_canned_once(&starter, 3).await.unwrap(), 0);
    assert!(store.list_canned().await.unwrap().is_empty());
    store.close().await;
}
