//! Roles: agents chat, editors also see the editors' reports, admins also manage accounts,
//! business hours and canned replies. And the business hours an admin sets on
//! `/agent/settings`: live for the next customer, refused when invalid, kept across a restart.

use otvet::agents::Role;
use serde_json::{Value, json};

use crate::helpers::{
    AgentClient, TestApp, no_redirect_client, sample_articles, spawn_app_with, sqlite_url,
};
use crate::ws::{agent_cookie_with_role, agent_socket, new_customer};

/// A signed-in client of a new account with that role (session made directly in the database).
async fn client(app: &TestApp, email: &str, name: &str, role: Role) -> AgentClient {
    let (cookie, id) = agent_cookie_with_role(app, email, name, role).await;
    AgentClient {
        base_url: app.base_url.clone(),
        client: no_redirect_client(),
        cookie,
        csrf: "csrf-for-tests".into(),
        agent: json!({"id": id, "email": email, "role": role.as_str()}),
    }
}

fn config() -> otvet::Config {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.auto_assign = false;
    config
}

/// Business hours (Europe/Moscow) that are closed now for sure: only the day after tomorrow,
/// 09:00–10:00. Returns the spec and when they open (Unix ms).
fn closed_now_hours() -> (String, i64) {
    let tz = jiff::tz::TimeZone::get("Europe/Moscow").unwrap();
    let now = jiff::Timestamp::now().to_zoned_datetime(tz.clone());
    let day = now.date().checked_add(jiff::Span::new().days(2)).unwrap();
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let spec = format!(
        "{} 09:00-10:00",
        names[day.weekday().to_monday_zero_offset() as usize]
    );
    let opens = day
        .at(9, 0, 0, 0)
        .to_zoned_datetime(tz)
        .unwrap()
        .timestamp()
        .as_millisecond();
    (spec, opens)
}

async fn stored_hours(app: &TestApp) -> Option<String> {
    let store = otvet::Store::connect(&app.database_url).await.unwrap();
    let v = store.setting(otvet::chat::hours::HOURS_KEY).await.unwrap();
    store.close().await;
    v
}

#[tokio::test]
async fn only_admins_manage_accounts_business_hours_and_canned_replies() {
    let app = spawn_app_with(config()).await;
    let admin = client(&app, "admin@example.com", "Анна", Role::Admin).await;
    let others = [
        client(&app, "agent@example.com", "Олег", Role::Agent).await,
        client(&app, "editor@example.com", "Эльза", Role::Editor).await,
    ];
    let (spec, _) = closed_now_hours();
    for who in &others {
        let role = who.agent["role"].as_str().unwrap().to_string();
        // Pages: the team and the settings are not theirs, nor the forms behind them.
        for path in ["/agent/team", "/agent/settings"] {
            let (status, html) = who.page(path).await;
            assert_eq!(status, 403, "{role} GET {path}: {html}");
            assert!(
                html.contains("«администратор»"),
                "{role}: the page says why, in Russian: {html}"
            );
        }
        let forms: [(&str, Vec<(&str, &str)>); 4] = [
            (
                "/agent/settings",
                vec![
                    ("csrf", "csrf-for-tests"),
                    ("hours", spec.as_str()),
                    ("timezone", "Europe/Moscow"),
                ],
            ),
            (
                "/agent/canned",
                vec![
                    ("csrf", "csrf-for-tests"),
                    ("shortcut", "hi"),
                    ("title", "Привет"),
                    ("body", "Здравствуйте!"),
                ],
            ),
            (
                "/agent/team",
                vec![
                    ("csrf", "csrf-for-tests"),
                    ("email", "new@example.com"),
                    ("name", "Новый"),
                    ("role", "admin"),
                ],
            ),
            (
                &format!("/agent/team/{}", who.agent["id"]),
                vec![("csrf", "csrf-for-tests"), ("name", "Я"), ("role", "admin")],
            ),
        ];
        for (path, fields) in &forms {
            let (status, _, html) = who.post_form(path, fields).await;
            assert_eq!(status, 403, "{role} POST {path}: {html}");
        }
        // The JSON API says the same.
        let (status, body) = who
            .post(
                "/agent/api/canned",
                &json!({"shortcut": "hi", "title": "Привет", "body": "Здравствуйте!"}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("forbidden")),
            "{role}: {body}"
        );
        let (status, _) = who.get("/agent/api/agents").await;
        assert_eq!(status, 403, "{role}");
        let (status, _) = who
            .post(
                "/agent/api/agents",
                &json!({"email": "x@example.com", "name": "X", "role": "admin"}),
            )
            .await;
        assert_eq!(status, 403, "{role}");
        let (status, _) = who
            .put(
                &format!("/agent/api/agents/{}", who.agent["id"]),
                &json!({"role": "admin"}),
            )
            .await;
        assert_eq!(status, 403, "{role}: nobody promotes themselves");
        // What they may do: read the canned replies (without the admin's forms), see themselves.
        let (status, html) = who.page("/agent/canned").await;
        assert_eq!(status, 200, "{role}");
        assert!(
            !html.contains("action=\"/agent/canned\""),
            "{role}: no create form"
        );
        assert!(
            !html.contains("href=\"/agent/settings\""),
            "{role}: no settings link"
        );
        let (_, console) = who.page("/agent").await;
        assert!(
            !console.contains("href=\"/agent/settings\""),
            "{role}: no settings link in the console"
        );
        let (status, me) = who.get("/agent/api/me").await;
        assert_eq!(
            (status, me["agent"]["role"].as_str()),
            (200, Some(role.as_str()))
        );
    }
    // Nothing of that reached the database.
    assert_eq!(stored_hours(&app).await, None);
    let (_, list) = admin.get("/agent/api/canned").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
    let (_, agents) = admin.get("/agent/api/agents").await;
    assert_eq!(
        agents["items"].as_array().map(Vec::len),
        Some(3),
        "{agents}"
    );
    assert!(
        agents["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["role"] == "admin")
            .count()
            == 1
    );

    // The admin may do all of it.
    for path in ["/agent/team", "/agent/settings", "/agent/canned", "/agent"] {
        let (status, html) = admin.page(path).await;
        assert_eq!(status, 200, "admin GET {path}");
        assert!(
            html.contains("href=\"/agent/settings\""),
            "the admin's nav: {path}"
        );
    }
    let (status, html) = admin.page("/agent/settings").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("name=\"hours\"") && html.contains("value=\"24/7\""),
        "{html}"
    );
    assert!(
        html.contains("name=\"timezone\"") && html.contains("value=\"UTC\""),
        "{html}"
    );
    let (status, c) = admin
        .post(
            "/agent/api/canned",
            &json!({"shortcut": "hi", "title": "Привет", "body": "Здравствуйте, {customer_name}!"}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let (status, _, _) = admin
        .post_form(
            "/agent/canned",
            &[
                ("csrf", "csrf-for-tests"),
                ("shortcut", "bye"),
                ("title", "Пока"),
                ("body", "Всего доброго!"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, a) = admin
        .post(
            "/agent/api/agents",
            &json!({"email": "new@example.com", "name": "Новый", "role": "editor"}),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    let (status, _, html) = admin
        .post_form(
            "/agent/settings",
            &[
                ("csrf", "csrf-for-tests"),
                ("hours", "mon-fri 09:00-18:00"),
                ("timezone", "Europe/Moscow"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{html}");
    // A form without the session's CSRF token is refused, even for an admin.
    let (status, _, _) = admin
        .post_form("/agent/settings", &[("hours", "24/7"), ("timezone", "UTC")])
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        stored_hours(&app).await.as_deref(),
        Some("mon-fri 09:00-18:00|Europe/Moscow")
    );
}

#[tokio::test]
async fn agents_and_editors_chat() {
    let app = spawn_app_with(config()).await;
    for (email, role) in [
        ("agent@example.com", Role::Agent),
        ("editor@example.com", Role::Editor),
        ("admin@example.com", Role::Admin),
    ] {
        let (cookie, _) = agent_cookie_with_role(&app, email, "Имя", role).await;
        let mut ws = agent_socket(&app, &cookie).await;
        ws.until_type("queue").await;
    }
}

#[tokio::test]
async fn an_admin_closes_support_and_the_next_customer_is_told_when_it_is_back() {
    let app = spawn_app_with(config()).await;
    let admin = client(&app, "admin@example.com", "Анна", Role::Admin).await;
    let (cookie, _) = agent_cookie_with_role(&app, "olga@example.com", "Ольга", Role::Agent).await;
    let _agent = agent_socket(&app, &cookie).await;

    // Open (24/7 from the command line) with an agent online: a request for a person is queued.
    let (mut before, _) = new_customer(&app, "ru").await;
    before.say("a", "оператор").await;
    let sys = before.message_from("system").await;
    assert_eq!(sys["event"], "queued", "{sys}");

    // The admin sets hours that are closed now.
    let (spec, opens) = closed_now_hours();
    let (status, location, html) = admin
        .post_form(
            "/agent/settings",
            &[
                ("csrf", "csrf-for-tests"),
                ("hours", &spec),
                ("timezone", "Europe/Moscow"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/agent/settings?done=saved"),
        "{html}"
    );
    let (_, html) = admin.page("/agent/settings").await;
    assert!(html.contains(&format!("value=\"{spec}\"")), "{html}");
    assert!(html.contains("value=\"Europe/Moscow\""), "{html}");
    assert!(html.contains("hours-state"), "{html}");

    // The next customer who asks for a person is told support is closed, and until when.
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("h", "позовите оператора").await;
    let sys = ws.message_from("system").await;
    assert_eq!(sys["event"], "offline", "{sys}");
    let text = sys["text"].as_str().unwrap();
    assert!(text.contains("не работает"), "{text}");
    assert!(text.contains("в 09:00 (Europe/Moscow)"), "{text}");
    let status = ws.until_type("status").await;
    assert_eq!(status["offline"], true, "{status}");
    assert_eq!(status["back_at"], opens, "{status}");

    // Back to the server's hours: open again.
    let (status, _, _) = admin
        .post_form(
            "/agent/settings",
            &[("csrf", "csrf-for-tests"), ("reset", "1")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(stored_hours(&app).await, None);
    let (mut after, _) = new_customer(&app, "ru").await;
    after.say("a", "оператор").await;
    let sys = after.message_from("system").await;
    assert_eq!(sys["event"], "queued", "{sys}");
}

#[tokio::test]
async fn invalid_hours_are_refused_and_change_nothing() {
    let app = spawn_app_with(config()).await;
    let admin = client(&app, "admin@example.com", "Анна", Role::Admin).await;
    for (hours, zone, what) in [
        ("someday 9-18", "Europe/Moscow", "someday"),
        ("mon-fri 09:00-18:00", "Mars/Olympus", "Mars/Olympus"),
        ("", "UTC", "Не удалось прочесть часы работы"),
        ("mon 25:00-26:00", "UTC", "25:00"),
    ] {
        let (status, _, html) = admin
            .post_form(
                "/agent/settings",
                &[
                    ("csrf", "csrf-for-tests"),
                    ("hours", hours),
                    ("timezone", zone),
                ],
            )
            .await;
        assert_eq!(status, 400, "{hours} / {zone}: {html}");
        assert!(html.contains("role=\"alert\""), "{html}");
        assert!(html.contains(what), "the message names the problem: {html}");
        // What was typed is still in the form.
        assert!(html.contains(&format!("value=\"{zone}\"")), "{html}");
    }
    assert_eq!(stored_hours(&app).await, None);
    // Still open (24/7): the page says so.
    let (_, html) = admin.page("/agent/settings").await;
    assert!(html.contains("value=\"24/7\""), "{html}");
}

#[tokio::test]
async fn the_hours_an_admin_set_are_loaded_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("otvet.db"));
    let mut cfg = config();
    cfg.database_url = url.clone();
    let app = spawn_app_with(cfg).await;
    let admin = client(&app, "admin@example.com", "Анна", Role::Admin).await;
    let (cookie, _) = agent_cookie_with_role(&app, "olga@example.com", "Ольга", Role::Agent).await;
    let (spec, opens) = closed_now_hours();
    let (status, _, _) = admin
        .post_form(
            "/agent/settings",
            &[
                ("csrf", "csrf-for-tests"),
                ("hours", &spec),
                ("timezone", "Europe/Moscow"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    app.stop().await;

    // A restart with the command line's 24/7: the stored hours win.
    let mut cfg = config();
    cfg.database_url = url;
    let app = spawn_app_with(cfg).await;
    let _agent = agent_socket(&app, &cookie).await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("h", "оператор").await;
    let sys = ws.message_from("system").await;
    assert_eq!(sys["event"], "offline", "{sys}");
    let status: Value = ws.until_type("status").await;
    assert_eq!(status["back_at"], opens, "{status}");
    let admin = AgentClient {
        base_url: app.base_url.clone(),
        ..admin
    };
    let (_, html) = admin.page("/agent/settings").await;
    assert!(html.contains(&format!("value=\"{spec}\"")), "{html}");
}

/// The editors' report pages.
const EDITOR_PAGES: &[&str] = &["/agent/gaps"];

#[tokio::test]
async fn editors_and_admins_see_the_gap_report_and_agents_do_not() {
    let app = spawn_app_with(config()).await;
    let agent = client(&app, "agent@example.com", "Олег", Role::Agent).await;
    let editor = client(&app, "editor@example.com", "Эльза", Role::Editor).await;
    let admin = client(&app, "admin@example.com", "Анна", Role::Admin).await;
    for path in EDITOR_PAGES {
        let (status, body) = agent.page(path).await;
        assert_eq!(status, 403, "agent GET {path}: {body}");
        for (who, c) in [("editor", &editor), ("admin", &admin)] {
            let (status, body) = c.page(path).await;
            assert_eq!(status, 200, "{who} GET {path}: {body}");
        }
    }
    let (status, _) = agent.get("/agent/api/gaps").await;
    assert_eq!(status, 403);
    let (status, _) = editor.get("/agent/api/gaps").await;
    assert_eq!(status, 200);
}

/// One error type for the API and the pages: an error of a browser's page request is a page
/// of the site (with the security headers), the same error asked for without HTML, or on an
/// API path, stays JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_of_page_requests_are_pages_and_of_api_requests_json() {
    let app = spawn_app_with(config()).await;
    let editor = client(&app, "eva@example.com", "Ева", Role::Editor).await;
    let get = |path: &str, accept: &str| {
        editor
            .client
            .get(format!("{}{path}", app.base_url))
            .header("Cookie", &editor.cookie)
            .header("Accept", accept)
            .header("Accept-Language", "en")
            .send()
    };
    let missing = "/agent/gaps/q0000000000/draft.md";
    let page = get(missing, "text/html,application/xhtml+xml,*/*;q=0.8")
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let ctype = page.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(page.headers().contains_key("content-security-policy"));
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Not found</h1>"), "{html}");
    assert!(html.contains("href=\"/agent\""), "{html}");
    let json = get(missing, "*/*").await.unwrap();
    assert_eq!(json.status(), 404);
    let v: Value = json.json().await.unwrap();
    assert_eq!(v["code"], "not_found", "{v}");
    // API paths answer JSON whatever the client asks for.
    let api = get("/agent/api/agents", "text/html").await.unwrap();
    assert_eq!(api.status(), 403);
    let v: Value = api.json().await.unwrap();
    assert_eq!(v["code"], "forbidden", "{v}");
}

/// Every agent keeps the customer's contact card: name, email and phone, checked field by field;
/// a verified identity stays verified only while its email is unchanged; the consoles' queue
/// shows the new name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_edit_the_contact_card() {
    let app = spawn_app_with(config()).await;
    let olga = client(&app, "olga@example.com", "Ольга", Role::Agent).await;
    let store = otvet::Store::connect(&app.database_url).await.unwrap();
    let anna = store.create_customer("t-anna", 0).await.unwrap();
    let path = format!("/agent/api/customers/{}", anna.id);

    let (status, card) = olga
        .put(
            &path,
            &json!({"name": " Анна ", "email": "anna@example.com", "phone": "+7 (912) 345-67-89"}),
        )
        .await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(
        card,
        json!({"id": anna.id, "name": "Анна", "email": "anna@example.com", "phone": "+7 (912) 345-67-89", "verified": false})
    );
    let row = store.customer(anna.id).await.unwrap().unwrap();
    assert_eq!(row.phone.as_deref(), Some("+7 (912) 345-67-89"));

    // Field by field: the message says what is wrong, and nothing is stored.
    for (body, says) in [
        (json!({"phone": "12"}), "phone"),
        (json!({"email": "anna@"}), "email"),
        (json!({"name": "я".repeat(81)}), "name"),
    ] {
        let (status, v) = olga.put(&path, &body).await;
        assert_eq!(status, 400, "{v}");
        assert!(v["message"].as_str().unwrap().contains(says), "{v}");
    }
    assert_eq!(
        store
            .customer(anna.id)
            .await
            .unwrap()
            .unwrap()
            .name
            .as_deref(),
        Some("Анна")
    );
    let (status, v) = olga
        .put("/agent/api/customers/999999", &json!({"name": "X"}))
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (404, Some("not_found")),
        "{v}"
    );
    let (status, _) = olga.put(&path, &json!({"nickname": "x"})).await;
    assert_eq!(status, 400, "unknown fields are refused");

    // A verified identity: the same email keeps it, another one ends it; empty clears.
    store
        .set_customer_identity(anna.id, Some("Анна"), Some("anna@example.com"), true)
        .await
        .unwrap();
    let (_, v) = olga
        .put(
            &path,
            &json!({"name": "Анна К.", "email": "Anna@Example.com"}),
        )
        .await;
    assert_eq!(
        (v["verified"].as_bool(), v["phone"].is_null()),
        (Some(true), true),
        "{v}"
    );
    let (_, v) = olga
        .put(
            &path,
            &json!({"name": "Анна К.", "email": "other@example.com"}),
        )
        .await;
    assert_eq!(v["verified"], false, "{v}");
    let (_, v) = olga.put(&path, &json!({"name": "", "email": ""})).await;
    assert!(v["name"].is_null() && v["email"].is_null(), "{v}");

    // Without a session, or without the CSRF token, nothing changes.
    let anon = no_redirect_client()
        .put(format!("{}{path}", app.base_url))
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
    let forged = olga
        .client
        .put(format!("{}{path}", app.base_url))
        .header("Cookie", &olga.cookie)
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(
        store
            .customer(anna.id)
            .await
            .unwrap()
            .unwrap()
            .name
            .is_none()
    );
    store.close().await;
}
