//! Agent accounts: the store on SQLite and PostgreSQL (accounts, sessions with sliding expiry,
//! canned replies), signing in and out over HTTP (cookie attributes, one message for every
//! failure, the throttle, local `next` only), CSRF and `Origin` checks, roles, canned replies and
//! accounts through the JSON API and the no-JavaScript forms, and `otvet agent …` run as the real
//! binary.

use std::time::Duration;

use otvet::Store;
use otvet::agents::{Agent, AgentUpdate, NewAgent, Role};
use otvet::domain::canned::CannedInput;
use otvet::domain::now_ms;
use otvet::domain::token::{new_token, token_hash};
use otvet::store::agents::{LAST_SEEN_EVERY_MS, Saved};
use otvet::web::agents::session::SESSION_TTL_MS;
use reqwest::Method;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::helpers::{
    TestApp, fixture, login, no_redirect_client, run_otvet, run_otvet_with_stdin, spawn_app_with,
    sqlite_url,
};
use crate::store::{TestDb, on_both};

const CLI_TIMEOUT: Duration = Duration::from_secs(60);
const ADMIN_PASSWORD: &str = "admin-password-1";
const AGENT_PASSWORD: &str = "agent-password-1";

on_both!(
    accounts_are_stored_with_lower_case_emails,
    sessions_slide_expire_and_end,
    canned_replies_are_stored,
    signing_in_and_out_over_http,
);

async fn connect(url: &str) -> Store {
    Store::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e:#}"))
}

fn new_agent(email: &str, name: &str, hash: &str, role: Role) -> NewAgent {
    NewAgent {
        email: email.into(),
        name: name.into(),
        password_hash: hash.into(),
        role,
        max_chats: None,
    }
}

/// Creates an account with a real password hash in the database at `url`.
async fn seed(url: &str, email: &str, name: &str, password: &str, role: Role) -> Agent {
    let store = connect(url).await;
    let hash = otvet::agents::password::hash_password(password).unwrap();
    let agent = store
        .create_agent(&new_agent(email, name, &hash, role), now_ms())
        .await
        .unwrap()
        .expect("a new email");
    store.close().await;
    agent
}

fn canned(shortcut: &str, title: &str, body: &str) -> CannedInput {
    CannedInput {
        shortcut: shortcut.into(),
        title: title.into(),
        body: body.into(),
    }
    .validated()
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The store, on both backends
// ---------------------------------------------------------------------------------------------

async fn accounts_are_stored_with_lower_case_emails(db: TestDb) {
    let store = connect(&db.url()).await;
    let olga = store
        .create_agent(
            &new_agent(" Olga@Example.COM ", " Ольга ", "h1", Role::Agent),
            1_000,
        )
        .await
        .unwrap()
        .expect("created");
    assert_eq!(olga.email, "olga@example.com");
    assert_eq!(olga.name, "Ольга");
    assert_eq!(
        (olga.role, olga.max_chats, olga.disabled),
        (Role::Agent, None, false)
    );
    assert_eq!(olga.created_at, 1_000);
    // The same email in another case is taken.
    assert!(
        store
            .create_agent(&new_agent("OLGA@example.com", "X", "h", Role::Admin), 2)
            .await
            .unwrap()
            .is_none()
    );
    let boss = store
        .create_agent(
            &new_agent("boss@example.com", "Boss", "h2", Role::Admin),
            2_000,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(boss.id > olga.id);

    let (found, hash) = store
        .agent_by_email("OLGA@example.com ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found, hash.as_str()), (olga.clone(), "h1"));
    assert!(
        store
            .agent_by_email("nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.agent_by_id(boss.id).await.unwrap(),
        Some(boss.clone())
    );
    assert!(store.agent_by_id(9_999).await.unwrap().is_none());
    let all = store.list_agents().await.unwrap();
    assert_eq!(all, vec![olga.clone(), boss.clone()]);
    assert_eq!(store.count_active_admins().await.unwrap(), 1);

    // Partial updates: only the given fields change.
    let changed = store
        .update_agent(
            olga.id,
            &AgentUpdate {
                name: Some("Ольга С.".into()),
                max_chats: Some(Some(3)),
                role: Some(Role::Editor),
                ..AgentUpdate::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.name, "Ольга С.");
    assert_eq!((changed.role, changed.max_chats), (Role::Editor, Some(3)));
    let unchanged = store
        .update_agent(olga.id, &AgentUpdate::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged, changed);
    let back = store
        .update_agent(
            olga.id,
            &AgentUpdate {
                max_chats: Some(None),
                password_hash: Some("h3".into()),
                ..AgentUpdate::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.max_chats, None);
    assert_eq!(
        store
            .agent_by_email("olga@example.com")
            .await
            .unwrap()
            .unwrap()
            .1,
        "h3"
    );
    let disabled = store
        .update_agent(
            boss.id,
            &AgentUpdate {
                disabled: Some(true),
                ..AgentUpdate::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(disabled.disabled);
    assert_eq!(store.count_active_admins().await.unwrap(), 0);
    assert!(
        store
            .update_agent(9_999, &AgentUpdate::default())
            .await
            .unwrap()
            .is_none()
    );
    store.close().await;
}

async fn sessions_slide_expire_and_end(db: TestDb) {
    let store = connect(&db.url()).await;
    let olga = store
        .create_agent(&new_agent("olga@example.com", "Ольга", "h", Role::Agent), 0)
        .await
        .unwrap()
        .unwrap();
    let t0 = 1_700_000_000_000_i64;
    let (token, csrf) = (new_token(), new_token());
    let hash = token_hash(&token);
    store
        .create_session(olga.id, &hash, &csrf, t0)
        .await
        .unwrap();

    let s = store
        .session_agent(&hash, t0)
        .await
        .unwrap()
        .expect("valid");
    assert_eq!(s.agent, olga);
    assert_eq!(s.csrf, csrf);
    assert_eq!(s.expires_at, t0 + SESSION_TTL_MS);
    assert!(
        store
            .session_agent(&token_hash("other"), t0)
            .await
            .unwrap()
            .is_none()
    );

    // Used again within a minute: nothing is written, the expiry stays.
    let s = store
        .session_agent(&hash, t0 + 30_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.expires_at, t0 + SESSION_TTL_MS);
    // Used later: the expiry slides to 14 days after this use.
    let t1 = t0 + LAST_SEEN_EVERY_MS + 1;
    let s = store.session_agent(&hash, t1).await.unwrap().unwrap();
    assert_eq!(s.expires_at, t1 + SESSION_TTL_MS);
    // So it is still valid after the first expiry, and ends 14 days after the last use.
    assert!(
        store
            .session_agent(&hash, t0 + SESSION_TTL_MS + 1)
            .await
            .unwrap()
            .is_some()
    );
    let s = store
        .session_agent(&hash, t0 + SESSION_TTL_MS + 1)
        .await
        .unwrap()
        .unwrap();
    let end = s.expires_at;
    assert!(store.session_agent(&hash, end).await.unwrap().is_none());

    // A disabled account has no valid sessions (and disabling deletes them).
    let (token2, hash2) = {
        let t = new_token();
        let h = token_hash(&t);
        (t, h)
    };
    assert_ne!(token2, token);
    store
        .create_session(olga.id, &hash2, "c", t0)
        .await
        .unwrap();
    assert!(store.session_agent(&hash2, t0).await.unwrap().is_some());
    store
        .update_agent(
            olga.id,
            &AgentUpdate {
                disabled: Some(true),
                ..AgentUpdate::default()
            },
        )
        .await
        .unwrap();
    assert!(store.session_agent(&hash2, t0).await.unwrap().is_none());
    store
        .update_agent(
            olga.id,
            &AgentUpdate {
                disabled: Some(false),
                ..AgentUpdate::default()
            },
        )
        .await
        .unwrap();
    assert!(
        store.session_agent(&hash2, t0).await.unwrap().is_none(),
        "enabling again does not bring sessions back"
    );

    // Signing out, and ending every session of an account.
    let (a, b) = (token_hash(&new_token()), token_hash(&new_token()));
    for h in [&a, &b] {
        store.create_session(olga.id, h, "c", t0).await.unwrap();
    }
    assert!(store.delete_session(&a).await.unwrap());
    assert!(!store.delete_session(&a).await.unwrap());
    assert!(store.session_agent(&a, t0).await.unwrap().is_none());
    assert!(store.session_agent(&b, t0).await.unwrap().is_some());
    assert_eq!(store.delete_sessions_of(olga.id).await.unwrap(), 1);
    assert!(store.session_agent(&b, t0).await.unwrap().is_none());

    // A new password ends the sessions too; expired ones are cleaned up.
    let c = token_hash(&new_token());
    store.create_session(olga.id, &c, "c", t0).await.unwrap();
    store
        .update_agent(
            olga.id,
            &AgentUpdate {
                password_hash: Some("new".into()),
                ..AgentUpdate::default()
            },
        )
        .await
        .unwrap();
    assert!(store.session_agent(&c, t0).await.unwrap().is_none());
    let old = token_hash(&new_token());
    store.create_session(olga.id, &old, "c", t0).await.unwrap();
    assert_eq!(
        store
            .delete_expired_sessions(t0 + SESSION_TTL_MS)
            .await
            .unwrap(),
        1
    );
    store.close().await;
}

async fn canned_replies_are_stored(db: TestDb) {
    let store = connect(&db.url()).await;
    let admin = store
        .create_agent(&new_agent("boss@example.com", "Boss", "h", Role::Admin), 0)
        .await
        .unwrap()
        .unwrap();
    assert!(store.list_canned().await.unwrap().is_empty());
    let greet = store
        .create_canned(
            &canned("greet", "Приветствие", "Здравствуйте, {customer_name}!"),
            Some(admin.id),
            10,
        )
        .await
        .unwrap()
        .expect("created");
    assert_eq!(greet.shortcut, "greet");
    assert_eq!(greet.created_by, Some(admin.id));
    assert_eq!((greet.created_at, greet.updated_at), (10, 10));
    assert!(
        store
            .create_canned(&canned("greet", "Другое", "x"), None, 11)
            .await
            .unwrap()
            .is_none(),
        "the shortcut is taken"
    );
    let bye = store
        .create_canned(&canned("bye", "Прощание", "До свидания!"), None, 12)
        .await
        .unwrap()
        .unwrap();
    let list = store.list_canned().await.unwrap();
    assert_eq!(
        list.iter().map(|c| c.shortcut.as_str()).collect::<Vec<_>>(),
        ["bye", "greet"]
    );
    assert_eq!(
        store.canned_reply(greet.id).await.unwrap(),
        Some(greet.clone())
    );
    assert_eq!(
        store.canned_by_shortcut("bye").await.unwrap(),
        Some(bye.clone())
    );

    let Saved::Done(changed) = store
        .update_canned(greet.id, &canned("hello", "Привет", "Добрый день!"), 20)
        .await
        .unwrap()
    else {
        panic!("update failed");
    };
    assert_eq!(
        (changed.shortcut.as_str(), changed.body.as_str()),
        ("hello", "Добрый день!")
    );
    assert_eq!((changed.created_at, changed.updated_at), (10, 20));
    assert_eq!(
        store
            .update_canned(greet.id, &canned("bye", "t", "b"), 21)
            .await
            .unwrap(),
        Saved::Taken
    );
    assert_eq!(
        store
            .update_canned(9_999, &canned("zzz", "t", "b"), 21)
            .await
            .unwrap(),
        Saved::NotFound
    );
    assert!(store.delete_canned(bye.id).await.unwrap());
    assert!(!store.delete_canned(bye.id).await.unwrap());
    assert_eq!(store.list_canned().await.unwrap(), vec![changed]);
    store.close().await;
}

/// Signing in, a session, signing out, over HTTP on the given database.
async fn signing_in_and_out_over_http(db: TestDb) {
    let url = db.url();
    let app = start(&url).await;
    seed(
        &url,
        "olga@example.com",
        "Ольга",
        AGENT_PASSWORD,
        Role::Agent,
    )
    .await;
    let olga = login(&app, "Olga@Example.com", AGENT_PASSWORD).await;
    assert_eq!(olga.agent["email"], "olga@example.com");
    assert_eq!(olga.agent["role"], "agent");
    let (status, body) = olga.get("/agent/api/canned").await;
    assert_eq!((status, &body), (200, &json!({"items": []})));
    let (status, _, _) = olga
        .post_form("/agent/logout", &[("csrf", olga.csrf.as_str())])
        .await;
    assert_eq!(status, 303);
    let (status, body) = olga.get("/agent/api/me").await;
    assert_eq!(status, 401, "{body}");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

async fn start(database_url: &str) -> TestApp {
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.watch = false;
    config.database_url = database_url.to_string();
    spawn_app_with(config).await
}

/// An app on a SQLite file of its own with an admin and an agent.
struct Team {
    app: TestApp,
    url: String,
    _dir: TempDir,
}

async fn team() -> Team {
    let dir = tempfile::Builder::new()
        .prefix("otvet-agents-")
        .tempdir()
        .unwrap();
    let url = sqlite_url(&dir.path().join("otvet.db"));
    let app = start(&url).await;
    seed(
        &url,
        "boss@example.com",
        "Boss",
        ADMIN_PASSWORD,
        Role::Admin,
    )
    .await;
    seed(
        &url,
        "olga@example.com",
        "Ольга",
        AGENT_PASSWORD,
        Role::Agent,
    )
    .await;
    Team {
        app,
        url,
        _dir: dir,
    }
}

/// `POST /agent/login` with a form → status, `Location`, `Set-Cookie` and body.
async fn try_login(app: &TestApp, fields: &[(&str, &str)]) -> (u16, String, String, String) {
    let res = no_redirect_client()
        .post(format!("{}/agent/login", app.base_url))
        .form(fields)
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (location, cookie) = (header("location"), header("set-cookie"));
    (
        res.status().as_u16(),
        location,
        cookie,
        res.text().await.unwrap(),
    )
}

/// Pages have no inline scripts (the CSP forbids them) and are not indexed.
fn assert_console_page(html: &str) {
    assert!(
        html.contains(r#"<meta name="robots" content="noindex">"#),
        "{html:.300}"
    );
    for (i, _) in html.match_indices("<script") {
        let tag = &html[i..i + html[i..].find('>').unwrap()];
        assert!(tag.contains(" src="), "inline script: {tag}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_http_only_and_strict_and_logout_ends_it() {
    let t = team().await;
    let res = no_redirect_client()
        .get(format!("{}/agent/login?next=/agent/canned", t.app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert_console_page(&html);
    assert!(
        html.contains(r#"name="next" value="/agent/canned""#),
        "{html}"
    );
    assert!(html.contains(r#"type="password""#));

    let (status, location, cookie, _) = try_login(
        &t.app,
        &[
            ("email", "boss@example.com"),
            ("password", ADMIN_PASSWORD),
            ("next", "/agent/canned"),
        ],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/agent/canned"));
    let attrs: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(
        attrs[0].starts_with("otvet_session=") && attrs[0].len() == 14 + 64,
        "{cookie}"
    );
    for want in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attrs.contains(&want), "{want} missing in {cookie}");
    }
    assert!(!attrs.contains(&"Secure"), "plain http: {cookie}");
    assert!(attrs.iter().any(|a| a.starts_with("Max-Age=")), "{cookie}");

    let boss = login(&t.app, "boss@example.com", ADMIN_PASSWORD).await;
    assert_eq!(boss.agent["name"], "Boss");
    assert_eq!(boss.agent["role"], "admin");
    assert_eq!(boss.csrf.len(), 64);
    // Signed in, the login page goes on to `next`.
    let res = no_redirect_client()
        .get(format!("{}/agent/login?next=/agent/team", t.app.base_url))
        .header("cookie", &boss.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/agent/team");

    // Two sessions: signing out ends only this one.
    let other = login(&t.app, "boss@example.com", ADMIN_PASSWORD).await;
    assert_ne!(other.cookie, boss.cookie);
    let (status, location, _) = boss
        .post_form("/agent/logout", &[("csrf", boss.csrf.as_str())])
        .await;
    assert_eq!((status, location.as_str()), (303, "/agent/login"));
    let (status, body) = boss.get("/agent/api/me").await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    assert_eq!(other.get("/agent/api/me").await.0, 200);
    // The logout response clears the cookie.
    let res = other
        .client
        .post(format!("{}/agent/logout", t.app.base_url))
        .header("cookie", &other.cookie)
        .header("x-csrf-token", &other.csrf)
        .send()
        .await
        .unwrap();
    let cleared = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("otvet_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_sites_get_secure_cookies() {
    let dir = TempDir::new().unwrap();
    let url = sqlite_url(&dir.path().join("otvet.db"));
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.watch = false;
    config.database_url = url.clone();
    config.public_url = Some("https://help.example.com".into());
    let app = spawn_app_with(config).await;
    seed(
        &url,
        "olga@example.com",
        "Ольга",
        AGENT_PASSWORD,
        Role::Agent,
    )
    .await;
    let (status, _, cookie, _) = try_login(
        &app,
        &[("email", "olga@example.com"), ("password", AGENT_PASSWORD)],
    )
    .await;
    assert_eq!(status, 303);
    assert!(cookie.split(';').any(|a| a.trim() == "Secure"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_say_the_same_whatever_was_wrong() {
    let t = team().await;
    // Disable Ольга's account directly.
    let store = connect(&t.url).await;
    let (olga, _) = store
        .agent_by_email("olga@example.com")
        .await
        .unwrap()
        .unwrap();
    store
        .update_agent(
            olga.id,
            &AgentUpdate {
                disabled: Some(true),
                ..AgentUpdate::default()
            },
        )
        .await
        .unwrap();
    store.close().await;
    let mut messages = Vec::new();
    for (email, password) in [
        ("boss@example.com", "wrong-password"),
        ("nobody@example.com", ADMIN_PASSWORD),
        ("olga@example.com", AGENT_PASSWORD),
        ("boss@example.com", ""),
    ] {
        let (status, location, cookie, html) =
            try_login(&t.app, &[("email", email), ("password", password)]).await;
        assert_eq!(status, 401, "{email}");
        assert!(
            location.is_empty() && cookie.is_empty(),
            "{email}: {cookie}"
        );
        assert_console_page(&html);
        let start = html.find(r#"role="alert""#).expect("an error message");
        let message = &html[start..start + html[start..].find("</p>").unwrap()];
        messages.push(message.to_string());
        // The email is kept in the form, the password is not.
        assert!(html.contains(&format!(r#"value="{email}""#)), "{html}");
    }
    messages.dedup();
    assert_eq!(messages.len(), 1, "{messages:?}");
    // A malformed form is a 400 page, not a crash.
    let res = no_redirect_client()
        .post(format!("{}/agent/login", t.app.base_url))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_that_email_from_that_address_for_a_minute() {
    let t = team().await;
    for i in 0..5 {
        let (status, ..) = try_login(
            &t.app,
            &[("email", "boss@example.com"), ("password", "guess")],
        )
        .await;
        assert_eq!(status, 401, "attempt {i}");
    }
    // Even the right password is refused now, without saying whether it was right.
    let (status, location, cookie, html) = try_login(
        &t.app,
        &[("email", "boss@example.com"), ("password", ADMIN_PASSWORD)],
    )
    .await;
    assert_eq!(status, 429);
    assert!(location.is_empty() && cookie.is_empty());
    assert!(html.contains(r#"role="alert""#));
    let res = no_redirect_client()
        .post(format!("{}/agent/login", t.app.base_url))
        .form(&[("email", "BOSS@example.com"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        429,
        "the email in another case is the same email"
    );
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another account from the same address is not locked.
    login(&t.app, "olga@example.com", AGENT_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_only_leads_to_this_site_and_pages_send_strangers_to_sign_in() {
    let t = team().await;
    for (next, want) in [
        ("/agent/canned?x=1", "/agent/canned?x=1"),
        ("//evil.example/x", "/agent"),
        ("/\\evil.example", "/agent"),
        ("https://evil.example/", "/agent"),
        ("", "/agent"),
    ] {
        let (status, location, ..) = try_login(
            &t.app,
            &[
                ("email", "olga@example.com"),
                ("password", AGENT_PASSWORD),
                ("next", next),
            ],
        )
        .await;
        assert_eq!((status, location.as_str()), (303, want), "{next}");
    }
    let client = no_redirect_client();
    for (path, want) in [
        ("/agent/canned", "/agent/login?next=%2Fagent%2Fcanned"),
        (
            "/agent/team?done=saved",
            "/agent/login?next=%2Fagent%2Fteam%3Fdone%3Dsaved",
        ),
    ] {
        let res = client
            .get(format!("{}{path}", t.app.base_url))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(res.headers()["location"], want);
    }
    // A form post without a session goes to the sign-in page too.
    let res = client
        .post(format!("{}/agent/canned", t.app.base_url))
        .form(&[("shortcut", "x"), ("title", "t"), ("body", "b")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/agent/login");
    // The API answers 401 JSON, also with a made-up cookie.
    for cookie in [None, Some(format!("otvet_session={}", new_token()))] {
        let mut req = client.get(format!("{}/agent/api/canned", t.app.base_url));
        if let Some(c) = &cookie {
            req = req.header("cookie", c);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_need_the_csrf_token_and_this_origin() {
    let t = team().await;
    let boss = login(&t.app, "boss@example.com", ADMIN_PASSWORD).await;
    let path = format!("{}/agent/api/canned", t.app.base_url);
    let body = json!({"shortcut": "greet", "title": "Hi", "body": "Hello!"}).to_string();
    let send = |token: Option<String>, origin: Option<String>| {
        let mut req = boss
            .client
            .post(&path)
            .header("cookie", &boss.cookie)
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(t) = token {
            req = req.header("x-csrf-token", t);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let json: Value = res.json().await.unwrap();
            (status, json)
        }
    };
    let mut wrong = boss.csrf.clone();
    wrong.replace_range(0..1, if wrong.starts_with('a') { "b" } else { "a" });
    for (token, origin) in [
        (None, None),
        (Some(wrong), None),
        (Some(String::new()), None),
        (Some(boss.csrf.clone()), Some("https://evil.example")),
        (Some(boss.csrf.clone()), Some("null")),
    ] {
        let (status, json) = send(token.clone(), origin.map(str::to_string)).await;
        assert_eq!(status, 403, "{token:?} {origin:?}: {json}");
        assert_eq!(json["code"], "forbidden");
    }
    assert_eq!(boss.get("/agent/api/canned").await.1["items"], json!([]));
    let (status, json) = send(Some(boss.csrf.clone()), Some(t.app.base_url.clone())).await;
    assert_eq!(status, 201, "{json}");
    let (status, json) = boss
        .send_json(
            Method::DELETE,
            &format!("/agent/api/canned/{}", json["id"]),
            None,
        )
        .await;
    assert_eq!(status, 204, "{json}");

    // Forms: the token in the `csrf` field; without it a 403 page and the session stays.
    let (status, _, html) = boss.post_form("/agent/logout", &[]).await;
    assert_eq!(status, 403);
    assert!(html.contains("<html"), "an HTML page: {html:.200}");
    let (status, _, _) = boss.post_form("/agent/logout", &[("csrf", "0")]).await;
    assert_eq!(status, 403);
    assert_eq!(boss.get("/agent/api/me").await.0, 200);
    let (status, location, _) = boss
        .post_form(
            "/agent/canned",
            &[
                ("csrf", boss.csrf.as_str()),
                ("shortcut", "bye"),
                ("title", "Bye"),
                ("body", "Goodbye!"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/agent/canned?done=created")
    );
    // Another session's token is not this session's.
    let other = login(&t.app, "olga@example.com", AGENT_PASSWORD).await;
    let mut mixed = boss.clone();
    mixed.csrf = other.csrf.clone();
    let (status, _) = mixed.delete("/agent/api/canned/1").await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_use_canned_replies_and_only_admins_manage_them_and_accounts() {
    let t = team().await;
    let olga = login(&t.app, "olga@example.com", AGENT_PASSWORD).await;
    let boss = login(&t.app, "boss@example.com", ADMIN_PASSWORD).await;
    let greet = json!({"shortcut": "/Greet", "title": "Приветствие",
        "body": "Здравствуйте, {customer_name}! Меня зовут {agent_name}."});

    // An agent may not create canned replies or accounts, nor see the team.
    let (status, body) = olga.post("/agent/api/canned", &greet).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let account = json!({"email": "new@example.com", "name": "New"});
    let (status, body) = olga.post("/agent/api/agents", &account).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    assert_eq!(olga.get("/agent/api/agents").await.0, 403);
    let (status, html) = olga.page("/agent/team").await;
    assert_eq!(status, 403);
    assert_console_page(&html);
    let (status, _, _) = olga
        .post_form(
            "/agent/canned",
            &[
                ("csrf", olga.csrf.as_str()),
                ("shortcut", "x"),
                ("title", "t"),
                ("body", "b"),
            ],
        )
        .await;
    assert_eq!(status, 403);

    // An admin may.
    let (status, created) = boss.post("/agent/api/canned", &greet).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["shortcut"], "greet");
    assert_eq!(created["created_by"], boss.agent["id"]);
    let id = created["id"].as_i64().unwrap();
    let (status, body) = boss.post("/agent/api/canned", &greet).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    for bad in [
        json!({"shortcut": "два слова", "title": "t", "body": "b"}),
        json!({"shortcut": "ok", "title": "", "body": "b"}),
        json!({"shortcut": "ok", "title": "t", "body": "ж".repeat(4_001)}),
        json!({"shortcut": "ok", "title": "t"}),
        json!({"shortcut": "ok", "title": "t", "body": "b", "extra": 1}),
    ] {
        let (status, body) = boss.post("/agent/api/canned", &bad).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("bad_request")),
            "{bad}"
        );
    }
    // Every agent lists them and gets them filled in.
    let (status, list) = olga.get("/agent/api/canned").await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["title"], "Приветствие");
    let (status, filled) = olga
        .get(&format!(
            "/agent/api/canned/{id}/fill?customer_name=Анна&lang=ru"
        ))
        .await;
    assert_eq!(status, 200, "{filled}");
    assert_eq!(filled["text"], "Здравствуйте, Анна! Меня зовут Ольга.");
    let (_, filled) = olga.get(&format!("/agent/api/canned/{id}/fill")).await;
    assert_eq!(filled["text"], "Здравствуйте! Меня зовут Ольга.");
    assert_eq!(olga.get("/agent/api/canned/999/fill").await.0, 404);
    let (status, _) = olga.put(&format!("/agent/api/canned/{id}"), &greet).await;
    assert_eq!(status, 403);
    assert_eq!(olga.delete(&format!("/agent/api/canned/{id}")).await.0, 403);

    // Changing and deleting.
    let (status, changed) = boss
        .put(
            &format!("/agent/api/canned/{id}"),
            &json!({"shortcut": "hello", "title": "Привет", "body": "Добрый день!"}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["shortcut"], "hello");
    let (_, other) = boss
        .post(
            "/agent/api/canned",
            &json!({"shortcut": "bye", "title": "b", "body": "b"}),
        )
        .await;
    let (status, _) = boss
        .put(
            &format!("/agent/api/canned/{}", other["id"]),
            &json!({"shortcut": "hello", "title": "b", "body": "b"}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(
        boss.put(
            "/agent/api/canned/999",
            &json!({"shortcut": "z", "title": "t", "body": "b"})
        )
        .await
        .0,
        404
    );
    assert_eq!(boss.delete(&format!("/agent/api/canned/{id}")).await.0, 204);
    assert_eq!(boss.delete(&format!("/agent/api/canned/{id}")).await.0, 404);
    assert_eq!(
        boss.get("/agent/api/canned").await.1["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Accounts: an admin creates one with a generated password, which signs in.
    let (status, created) = boss
        .post(
            "/agent/api/agents",
            &json!({"email": " Ivan@Example.com", "name": "Иван", "role": "editor", "max_chats": 2}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["agent"]["email"], "ivan@example.com");
    assert_eq!(created["agent"]["role"], "editor");
    assert_eq!(created["agent"]["max_chats"], 2);
    let password = created["password"].as_str().expect("a generated password");
    let ivan = login(&t.app, "ivan@example.com", password).await;
    let ivan_id = created["agent"]["id"].as_i64().unwrap();
    let (status, _) = boss
        .post(
            "/agent/api/agents",
            &json!({"email": "ivan@example.com", "name": "X"}),
        )
        .await;
    assert_eq!(status, 409);
    for bad in [
        json!({"email": "not-an-email", "name": "X"}),
        json!({"email": "x@example.com", "name": ""}),
        json!({"email": "x@example.com", "name": "X", "password": "short"}),
        json!({"email": "x@example.com", "name": "X", "role": "root"}),
        json!({"email": "x@example.com", "name": "X", "max_chats": 0}),
    ] {
        let (status, body) = boss.post("/agent/api/agents", &bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, list) = boss.get("/agent/api/agents").await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 3);

    // Changes: name and cap (null: back to the default), a password reset ends the sessions.
    let (status, changed) = boss
        .put(
            &format!("/agent/api/agents/{ivan_id}"),
            &json!({"name": "Иван П.", "max_chats": null}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (changed["name"].as_str(), &changed["max_chats"]),
        (Some("Иван П."), &Value::Null)
    );
    assert_eq!(changed["role"], "editor");
    assert_eq!(ivan.get("/agent/api/me").await.0, 200);
    let (status, _) = boss
        .put(
            &format!("/agent/api/agents/{ivan_id}"),
            &json!({"password": "brand-new-password"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(ivan.get("/agent/api/me").await.0, 401);
    let ivan = login(&t.app, "ivan@example.com", "brand-new-password").await;
    // Disabling ends the sessions and signing in.
    let (status, changed) = boss
        .put(
            &format!("/agent/api/agents/{ivan_id}"),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!((status, &changed["disabled"]), (200, &json!(true)));
    assert_eq!(ivan.get("/agent/api/me").await.0, 401);
    let (status, ..) = try_login(
        &t.app,
        &[
            ("email", "ivan@example.com"),
            ("password", "brand-new-password"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        boss.put("/agent/api/agents/999", &json!({"name": "x"}))
            .await
            .0,
        404
    );

    // The only enabled admin cannot be demoted or disabled; with a second admin it can.
    let boss_id = boss.agent["id"].as_i64().unwrap();
    for change in [json!({"role": "agent"}), json!({"disabled": true})] {
        let (status, body) = boss
            .put(&format!("/agent/api/agents/{boss_id}"), &change)
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("conflict")),
            "{change}"
        );
    }
    let olga_id = olga.agent["id"].as_i64().unwrap();
    let (status, _) = boss
        .put(
            &format!("/agent/api/agents/{olga_id}"),
            &json!({"role": "admin"}),
        )
        .await;
    assert_eq!(status, 200);
    // Ольга is an admin now: the same session may manage canned replies.
    let (status, _) = olga
        .post(
            "/agent/api/canned",
            &json!({"shortcut": "thanks", "title": "t", "body": "b"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, demoted) = olga
        .put(
            &format!("/agent/api/agents/{boss_id}"),
            &json!({"role": "agent"}),
        )
        .await;
    assert_eq!((status, &demoted["role"]), (200, &json!("agent")));
    assert_eq!(boss.post("/agent/api/canned", &greet).await.0, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canned_replies_and_the_team_are_managed_with_plain_forms() {
    let t = team().await;
    let boss = login(&t.app, "boss@example.com", ADMIN_PASSWORD).await;
    let csrf = boss.csrf.as_str();
    let (status, html) = boss.page("/agent/canned").await;
    assert_eq!(status, 200);
    assert_console_page(&html);
    assert!(
        html.contains(r#"action="/agent/canned""#),
        "the create form"
    );
    assert!(html.contains(&format!(r#"name="csrf" value="{csrf}""#)));

    let greet = [
        ("csrf", csrf),
        ("shortcut", "greet"),
        ("title", "Приветствие <b>"),
        ("body", "Здравствуйте, {customer_name}!"),
    ];
    let (status, location, _) = boss.post_form("/agent/canned", &greet).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/agent/canned?done=created")
    );
    let (_, html) = boss.page("/agent/canned?done=created").await;
    assert!(html.contains("Приветствие &lt;b&gt;"), "escaped: {html}");
    assert!(html.contains(r#"role="status""#));
    // The same shortcut again: the page again, with the message and what was typed.
    let (status, _, html) = boss.post_form("/agent/canned", &greet).await;
    assert_eq!(status, 409);
    assert!(html.contains(r#"role="alert""#) && html.contains("greet"));
    let (_, list) = boss.get("/agent/api/canned").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (status, location, _) = boss
        .post_form(
            &format!("/agent/canned/{id}"),
            &[
                ("csrf", csrf),
                ("shortcut", "hi"),
                ("title", "Hi"),
                ("body", "Hello!"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/agent/canned?done=saved")
    );
    assert_eq!(
        boss.get("/agent/api/canned").await.1["items"][0]["shortcut"],
        "hi"
    );
    let (status, location, _) = boss
        .post_form(&format!("/agent/canned/{id}/delete"), &[("csrf", csrf)])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/agent/canned?done=deleted")
    );
    assert_eq!(boss.get("/agent/api/canned").await.1["items"], json!([]));

    // An agent sees the list without forms.
    let olga = login(&t.app, "olga@example.com", AGENT_PASSWORD).await;
    boss.post(
        "/agent/api/canned",
        &json!({"shortcut": "bye", "title": "Bye", "body": "До свидания!"}),
    )
    .await;
    let (status, html) = olga.page("/agent/canned").await;
    assert_eq!(status, 200);
    assert!(html.contains("До свидания!"));
    assert!(!html.contains(r#"action="/agent/canned""#));
    assert!(
        !html.contains(r#"href="/agent/team""#),
        "no team link for agents"
    );

    // The team page: create an account with a generated password shown once.
    let (status, html) = boss.page("/agent/team").await;
    assert_eq!(status, 200);
    assert_console_page(&html);
    assert!(html.contains("olga@example.com") && html.contains("boss@example.com"));
    let (status, _, html) = boss
        .post_form(
            "/agent/team",
            &[
                ("csrf", csrf),
                ("email", "anna@example.com"),
                ("name", "Анна"),
                ("role", "agent"),
                ("max_chats", ""),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(status, 201, "{html}");
    let needle = r#"class="generated-password">"#;
    let start = html.find(needle).expect("the password") + needle.len();
    let password = &html[start..start + html[start..].find('<').unwrap()];
    assert_eq!(password.len(), 20, "{password}");
    let anna = login(&t.app, "anna@example.com", password).await;
    assert_eq!(anna.agent["max_chats"], Value::Null);
    // Change her: cap, role, disabled (the checkbox).
    let anna_id = anna.agent["id"].as_i64().unwrap();
    let (status, location, _) = boss
        .post_form(
            &format!("/agent/team/{anna_id}"),
            &[
                ("csrf", csrf),
                ("name", "Анна К."),
                ("role", "editor"),
                ("max_chats", "4"),
                ("password", ""),
                ("disabled", "on"),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, "/agent/team?done=saved"));
    let (_, list) = boss.get("/agent/api/agents").await;
    let anna_now = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == anna_id)
        .unwrap()
        .clone();
    assert_eq!(
        (
            &anna_now["name"],
            &anna_now["role"],
            &anna_now["max_chats"],
            &anna_now["disabled"]
        ),
        (&json!("Анна К."), &json!("editor"), &json!(4), &json!(true))
    );
    assert_eq!(anna.get("/agent/api/me").await.0, 401);
    // A bad value re-renders the page with the message.
    let (status, _, html) = boss
        .post_form(
            &format!("/agent/team/{anna_id}"),
            &[
                ("csrf", csrf),
                ("name", "A"),
                ("role", "agent"),
                ("max_chats", "lots"),
            ],
        )
        .await;
    assert_eq!(status, 400);
    assert!(html.contains(r#"role="alert""#));
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otvet_agent_add_creates_an_account_that_signs_in_over_http() {
    let dir = TempDir::new().unwrap();
    let url = sqlite_url(&dir.path().join("data/otvet.db"));
    let db = url.as_str();
    // A generated password, printed once.
    let out = run_otvet(
        &[
            "agent",
            "add",
            "--database",
            db,
            "--email",
            "Olga@Example.com",
            "--name",
            "Ольга",
            "--role",
            "admin",
        ],
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(out.stdout.contains("olga@example.com"), "{out:#?}");
    let password = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("the generated password")
        .to_string();
    // A password from standard input (the final line break is not part of it).
    let out = run_otvet_with_stdin(
        &[
            "agent",
            "add",
            "--email",
            "ivan@example.com",
            "--name",
            "Иван",
            "--max-chats",
            "3",
            "--database",
            db,
            "--password-stdin",
        ],
        "ivan-password-1\n",
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(!out.stdout.contains("password:"), "{out:#?}");
    // The same email again, a bad role, a short password: errors.
    let out = run_otvet(
        &[
            "agent",
            "add",
            "--database",
            db,
            "--email",
            "OLGA@example.com",
            "--name",
            "X",
        ],
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(out.stderr.contains("already"), "{out:#?}");
    let out = run_otvet(
        &[
            "agent",
            "add",
            "--database",
            db,
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--role",
            "root",
        ],
        CLI_TIMEOUT,
    );
    assert_ne!(out.code, Some(0), "{out:#?}");
    let out = run_otvet_with_stdin(
        &[
            "agent",
            "add",
            "--database",
            db,
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--password-stdin",
        ],
        "short\n",
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(out.stderr.contains("at least 8"), "{out:#?}");

    let out = run_otvet(&["agent", "list", "--database", db], CLI_TIMEOUT);
    assert_eq!(out.code, Some(0), "{out:#?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(
        lines[1].contains("olga@example.com")
            && lines[1].contains("admin")
            && lines[1].contains("active")
    );
    assert!(
        lines[2].contains("ivan@example.com") && lines[2].contains(" 3 "),
        "{}",
        lines[2]
    );

    // The server on the same database: both sign in.
    let app = start(&url).await;
    let olga = login(&app, "olga@example.com", &password).await;
    assert_eq!(olga.agent["role"], "admin");
    assert_eq!(olga.agent["name"], "Ольга");
    let ivan = login(&app, "ivan@example.com", "ivan-password-1").await;
    assert_eq!(ivan.agent["max_chats"], 3);

    // passwd ends the sessions; the new password works.
    let out = run_otvet_with_stdin(
        &[
            "agent",
            "passwd",
            "--database",
            db,
            "--email",
            "IVAN@example.com",
            "--password-stdin",
        ],
        "ivan-password-2\r\n",
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(ivan.get("/agent/api/me").await.0, 401);
    let ivan = login(&app, "ivan@example.com", "ivan-password-2").await;
    // remove disables: the session ends and signing in fails.
    let out = run_otvet(
        &[
            "agent",
            "remove",
            "--database",
            db,
            "--email",
            "ivan@example.com",
        ],
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(ivan.get("/agent/api/me").await.0, 401);
    let (status, ..) = try_login(
        &app,
        &[
            ("email", "ivan@example.com"),
            ("password", "ivan-password-2"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    let out = run_otvet(&["agent", "list", "--database", db], CLI_TIMEOUT);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("ivan@example.com") && l.contains("disabled")),
        "{}",
        out.stdout
    );
    let out = run_otvet(
        &[
            "agent",
            "remove",
            "--database",
            db,
            "--email",
            "nobody@example.com",
        ],
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(1), "{out:#?}");
    app.stop().await;
}
