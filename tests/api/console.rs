//! The agent console: the page (`GET /agent`) and its assets, and — over real websockets — the
//! conversations the console's script relies on: escalation and auto-assignment, replies and
//! private notes, typing, resolving and rating, claim races, the per-agent cap, transfers, the
//! handoff packet with a rejected answer, the customer's history, and resuming after a reconnect.
//!
//! Agents are created in the app's database directly (with a session) except in the page test,
//! which signs in through `POST /agent/login`. The races run on a multi-threaded runtime, on
//! SQLite and (`…_on_postgres`, when `OTVET_TEST_POSTGRES_URL` is set) on PostgreSQL.

use std::time::Duration;

use otvet::Store;
use otvet::agents::{NewAgent, Role};
use otvet::domain::now_ms;
use otvet::domain::token::{new_token, token_hash};
use serde_json::json;

use crate::helpers::{TestApp, login, no_redirect_client, sample_articles, spawn_app_with};
use crate::store::TestDb;
use crate::ws::{Ws, assigned, error_about, new_customer, only_the_loser_is_refused, queue_with};

/// A running app, a second handle on its database, and the database.
struct Fixture {
    app: TestApp,
    store: Store,
    /// Dropped after the app (a PostgreSQL database is dropped with it).
    _db: TestDb,
}

impl Fixture {
    async fn start(auto_assign: bool) -> Fixture {
        Fixture::start_on(TestDb::sqlite(), auto_assign).await
    }

    async fn start_on(db: TestDb, auto_assign: bool) -> Fixture {
        let mut config = otvet::Config::new(sample_articles());
        config.watch = false;
        config.database_url = db.url();
        config.chat.auto_assign = auto_assign;
        let app = spawn_app_with(config).await;
        let store = Store::connect(&db.url())
            .await
            .expect("open the test database");
        Fixture {
            app,
            store,
            _db: db,
        }
    }

    /// Stops the app (then the database goes).
    async fn finish(self) {
        self.store.close().await;
        self.app.stop().await;
    }

    /// Creates an account and a session; returns the account id and the `Cookie` header value.
    /// Unlike `ws::agent_cookie` the account has no usable password (no argon2 hashing, which is
    /// slow in debug builds), and the fixture's store is reused.
    async fn agent(&self, email: &str, name: &str, max_chats: Option<i64>) -> (i64, String) {
        let new = NewAgent {
            email: email.into(),
            name: name.into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$bm90LWEtaGFzaA$bm90LWEtaGFzaA".into(),
            role: Role::Agent,
            max_chats,
        };
        let agent = self
            .store
            .create_agent(&new, now_ms())
            .await
            .expect("create agent")
            .expect("a new email");
        let token = new_token();
        self.store
            .create_session(agent.id, &token_hash(&token), &new_token(), now_ms())
            .await
            .expect("create session");
        (agent.id, format!("otvet_session={token}"))
    }

    /// An agent console connected and past `hello`.
    async fn console(&self, cookie: &str) -> Ws {
        let mut ws = Ws::open(
            &self.app,
            "/agent/ws",
            &[("Cookie", cookie), ("Origin", &self.app.base_url)],
        )
        .await
        .expect("open /agent/ws");
        let hello = ws.until_type("hello").await;
        assert!(hello["agent"]["id"].is_i64(), "{hello}");
        ws
    }
}

/// A Russian customer who asked for a person; returns the socket and the conversation id.
async fn customer_asking_for_a_person(app: &TestApp) -> (Ws, i64) {
    let (mut ws, _) = new_customer(app, "ru").await;
    let ack = ws.say("h1", "позовите оператора").await;
    let conv = ack["conversation_id"].as_i64().expect("conversation id");
    ws.until("queued", |v| {
        v["type"] == "message" && v["author"] == "system" && v["event"] == "queued"
    })
    .await;
    (ws, conv)
}

// ---------------------------------------------------------------------------------------------
// The page and its assets
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn console_page_needs_a_session() {
    let fx = Fixture::start(true).await;
    let client = no_redirect_client();
    for cookie in [None, Some(format!("otvet_session={}", "ab".repeat(32)))] {
        let mut req = client.get(format!("{}/agent", fx.app.base_url));
        if let Some(c) = &cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 303, "{cookie:?}");
        let location = r.headers()["location"].to_str().unwrap();
        assert_eq!(location, "/agent/login?next=%2Fagent");
        assert_eq!(r.headers()["cache-control"], "no-store");
    }
    fx.finish().await;
}

#[tokio::test]
async fn console_page_is_served_with_its_script_and_stylesheet_when_signed_in() {
    let fx = Fixture::start(true).await;
    let password = "console-test-password";
    let hash = otvet::agents::password::hash_password(password).unwrap();
    for (email, name, role) in [
        ("olga@example.com", "Ольга <Смирнова>", Role::Agent),
        ("boss@example.com", "Boss", Role::Admin),
    ] {
        let new = NewAgent {
            email: email.into(),
            name: name.into(),
            password_hash: hash.clone(),
            role,
            max_chats: Some(3),
        };
        fx.store
            .create_agent(&new, now_ms())
            .await
            .unwrap()
            .unwrap();
    }
    let client = no_redirect_client();
    let olga = login(&fx.app, "olga@example.com", password).await;
    let cookie = olga.cookie.clone();
    let page = |cookie: String, lang: Option<&'static str>| {
        let client = client.clone();
        let url = format!("{}/agent", fx.app.base_url);
        async move {
            let mut req = client.get(url).header("cookie", cookie);
            if let Some(l) = lang {
                req = req.header("accept-language", l);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), 200);
            let headers = r.headers().clone();
            (headers, r.text().await.unwrap())
        }
    };
    let (headers, html) = page(cookie.clone(), None).await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(headers["cache-control"], "no-store");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(html.contains(r#"<html lang="ru">"#));
    assert!(html.contains("Консоль операторов"));
    assert!(html.contains(">Взять<"));
    // The name is escaped, as text.
    assert!(html.contains("Ольга &lt;Смирнова&gt;"), "{html}");
    assert!(!html.contains("Ольга <Смирнова>"));
    // Sign-out is a form post with the session's CSRF token.
    let csrf = &olga.csrf;
    assert!(html.contains(r#"action="/agent/logout""#));
    assert!(html.contains(&format!(r#"name="csrf" value="{csrf}""#)));
    assert!(html.contains(r#"href="/agent/canned""#));
    assert!(
        !html.contains(r#"href="/agent/team""#),
        "the team page is for admins"
    );
    // The presence switch.
    assert!(html.contains(r#"<select id="presence""#));
    assert!(html.contains(r#"value="away""#));
    // Script and stylesheet are files; nothing inline.
    let script = between(&html, r#"<script src=""#, '"');
    assert!(
        script.starts_with("/agent/assets/console.js?v="),
        "{script}"
    );
    let css = between(&html, r#"<link rel="stylesheet" href=""#, '"');
    assert!(css.starts_with("/agent/assets/console.css?v="), "{css}");
    assert_eq!(html.matches("<script").count(), 1);
    for tag in html.split("<script").skip(1) {
        let open = tag.split('>').next().unwrap();
        assert!(open.contains(" src="), "inline script: <script{open}>");
        assert!(
            tag[open.len() + 1..].starts_with("</script>"),
            "script with a body"
        );
    }
    assert!(!html.contains("<style"), "inline stylesheet");
    assert!(!html.contains(" style="), "inline style attribute");
    assert!(!html.contains(" onclick=") && !html.contains(" onload="));
    // The versioned assets are cached for long.
    for (path, ctype) in [(script, "text/javascript"), (css, "text/css")] {
        let r = client
            .get(format!("{}{}", fx.app.base_url, path.replace("&amp;", "&")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(ctype)
        );
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable"),
            "{path}"
        );
    }
    // English and German from the browser's languages.
    let (headers, en) = page(cookie.clone(), Some("en-GB,en;q=0.9,ru;q=0.5")).await;
    assert!(en.contains(r#"<html lang="en">"#) && en.contains("Agent console"));
    assert!(
        headers["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Language")
    );
    let (_, de) = page(cookie.clone(), Some("de-DE")).await;
    assert!(de.contains(r#"<html lang="de">"#) && de.contains("Agenten-Konsole"));
    let (_, fr) = page(cookie.clone(), Some("fr-FR")).await;
    assert!(fr.contains(r#"<html lang="ru">"#));
    // Admins also get the team page.
    let admin = login(&fx.app, "boss@example.com", password).await;
    let (_, html) = page(admin.cookie, None).await;
    assert!(html.contains(r#"href="/agent/team""#));
    fx.finish().await;
}

fn between<'a>(s: &'a str, start: &str, end: char) -> &'a str {
    let from = s
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in the page"))
        + start.len();
    let rest = &s[from..];
    &rest[..rest.find(end).unwrap()]
}

#[tokio::test]
async fn console_assets_have_their_content_types() {
    let fx = Fixture::start(true).await;
    for (path, ctype, needle) in [
        ("/agent/assets/console.js", "text/javascript", "/agent/ws"),
        (
            "/agent/assets/console.css",
            "text/css",
            "prefers-color-scheme: dark",
        ),
    ] {
        let r = fx
            .app
            .client
            .get(format!("{}{path}", fx.app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers().clone();
        assert!(
            h["content-type"].to_str().unwrap().starts_with(ctype),
            "{path}: {:?}",
            h["content-type"]
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["cache-control"], "public, max-age=3600");
        assert!(h.get("set-cookie").is_none());
        let body = r.text().await.unwrap();
        assert!(body.contains(needle), "{path}");
        if path.ends_with(".css") {
            assert!(body.starts_with(":root{--brand-color:#"), "{}", &body[..40]);
        }
    }
    fx.finish().await;
}

// ---------------------------------------------------------------------------------------------
// Conversations over the agent socket
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn console_whole_conversation_over_the_agent_socket() {
    let fx = Fixture::start(true).await;
    let (olga, cookie) = fx.agent("olga@example.com", "Ольга", None).await;
    let mut agent = fx.console(&cookie).await;
    let agents = agent.until_type("agents").await;
    assert!(
        agents["agents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == olga && a["status"] == "online"),
        "{agents}"
    );
    // The customer asks for a person: queued, then given to the only agent online.
    let (mut customer, conv) = customer_asking_for_a_person(&fx.app).await;
    let a = assigned(&mut agent, conv).await;
    assert_eq!(a["agent_id"], olga);
    assert_eq!(a["agent_name"], "Ольга");
    let joined = customer
        .until("joined", |v| {
            v["type"] == "message" && v["event"] == "joined"
        })
        .await;
    assert!(
        joined["text"].as_str().unwrap().contains("Ольга"),
        "{joined}"
    );
    let status = customer
        .until("assigned status", |v| {
            v["type"] == "status" && v["status"] == "assigned"
        })
        .await;
    assert_eq!(status["agent"], "Ольга");
    // The console is sent the conversation it was given, with the handoff packet.
    let opened = agent
        .until("the conversation", move |v| {
            v["type"] == "conversation" && v["conversation"]["id"] == conv
        })
        .await;
    assert_eq!(opened["handoff"]["reason"], "human_request");
    assert_eq!(opened["conversation"]["agent_id"], olga);
    assert_eq!(opened["handoff"]["page_url"], "https://shop.example/cart");
    assert_eq!(opened["handoff"]["identity"]["verified"], false);
    let item = queue_with(&mut agent, conv, "assigned", Some(olga)).await;
    let item = item["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["conversation_id"] == conv)
        .unwrap()
        .clone();
    assert_eq!(item["preview"], "позовите оператора");
    assert_eq!(item["lang"], "ru");
    assert!(item["customer"].is_null(), "a guest: {item}");
    // A reply reaches the customer with the agent's name.
    agent
        .send(json!({"type": "send", "conversation_id": conv, "client_id": "a-1", "text": "Здравствуйте! Чем помочь?"}))
        .await;
    let ack = agent
        .until("ack a-1", |v| v["type"] == "ack" && v["client_id"] == "a-1")
        .await;
    assert_eq!(ack["conversation_id"], conv);
    let reply = customer.message_from("agent").await;
    assert_eq!(reply["name"], "Ольга");
    assert_eq!(reply["text"], "Здравствуйте! Чем помочь?");
    assert_eq!(reply["seq"], ack["seq"]);
    // A note stays with the team.
    agent
        .send(json!({"type": "note", "conversation_id": conv, "client_id": "a-2", "text": "Постоянный клиент, VIP"}))
        .await;
    let ack = agent
        .until("ack a-2", |v| v["type"] == "ack" && v["client_id"] == "a-2")
        .await;
    let note = agent
        .until("the note", |v| {
            v["type"] == "message" && v["client_id"] == "a-2"
        })
        .await;
    assert_eq!(note["private"], true);
    assert_eq!(note["seq"], ack["seq"]);
    customer
        .none_within(Duration::from_millis(500), "the private note", |v| {
            v["private"] == true || v.to_string().contains("VIP")
        })
        .await;
    // Typing both ways.
    customer.send(json!({"type": "typing", "on": true})).await;
    let typing = agent
        .until("customer typing", move |v| {
            v["type"] == "typing" && v["conversation_id"] == conv
        })
        .await;
    assert_eq!(typing["author"], "customer");
    assert_eq!(typing["on"], true);
    agent
        .send(json!({"type": "typing", "conversation_id": conv, "on": true}))
        .await;
    let typing = customer.until_type("typing").await;
    assert_eq!(typing["author"], "agent");
    assert_eq!(typing["name"], "Ольга");
    // The customer's next message comes to the console.
    customer.say("c2", "Где мой заказ 123?").await;
    let incoming = agent
        .until("the customer's message", |v| {
            v["type"] == "message" && v["author"] == "customer" && v["client_id"] == "c2"
        })
        .await;
    assert_eq!(incoming["text"], "Где мой заказ 123?");
    // Resolving: the customer is told and may rate.
    agent
        .send(json!({"type": "resolve", "conversation_id": conv}))
        .await;
    agent
        .until("resolved", move |v| {
            v["type"] == "resolved" && v["conversation_id"] == conv
        })
        .await;
    let status = customer
        .until("resolved status", |v| {
            v["type"] == "status" && v["status"] == "resolved"
        })
        .await;
    assert_eq!(status["status"], "resolved");
    customer
        .until("resolved message", |v| {
            v["type"] == "message" && v["event"] == "resolved"
        })
        .await;
    for bad in [0, 6] {
        customer.send(json!({"type": "rate", "score": bad})).await;
        assert_eq!(customer.until_type("error").await["code"], "bad_frame");
    }
    customer
        .send(json!({"type": "rate", "score": 5, "comment": "Спасибо, быстро!"}))
        .await;
    let rating = agent
        .until("rating", move |v| {
            v["type"] == "rating" && v["conversation_id"] == conv
        })
        .await;
    assert_eq!(rating["score"], 5);
    assert_eq!(rating["comment"], "Спасибо, быстро!");
    // After all that, the customer never saw the note.
    customer
        .none_within(Duration::from_millis(300), "-", |_| false)
        .await;
    assert!(
        !customer
            .log
            .iter()
            .any(|v| v["private"] == true || v.to_string().contains("VIP")),
        "{:?}",
        customer.log
    );
    // Re-opening shows the rating and the note (to agents).
    agent
        .send(json!({"type": "open", "conversation_id": conv, "last_seq": 0}))
        .await;
    let again = agent
        .until("the conversation again", move |v| {
            v["type"] == "conversation" && v["conversation"]["id"] == conv
        })
        .await;
    assert_eq!(again["conversation"]["status"], "resolved");
    assert_eq!(again["conversation"]["rating"], 5);
    assert!(
        again["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["private"] == true && m["client_id"] == "a-2")
    );
    fx.finish().await;
}

/// Two agents claim the same waiting conversation at the same moment, a few times over.
async fn claim_race(fx: &Fixture) {
    let (a_id, a_cookie) = fx.agent("a@example.com", "Анна", None).await;
    let (b_id, b_cookie) = fx.agent("b@example.com", "Борис", None).await;
    let mut a = fx.console(&a_cookie).await;
    let mut b = fx.console(&b_cookie).await;
    let mut winners = Vec::new();
    for round in 0..4 {
        let (mut customer, conv) = customer_asking_for_a_person(&fx.app).await;
        queue_with(&mut a, conv, "queued", None).await;
        queue_with(&mut b, conv, "queued", None).await;
        let claim = json!({"type": "claim", "conversation_id": conv});
        tokio::join!(a.send(claim.clone()), b.send(claim));
        let won = assigned(&mut a, conv).await["agent_id"].as_i64().unwrap();
        assert_eq!(
            assigned(&mut b, conv).await["agent_id"],
            won,
            "round {round}"
        );
        assert!(won == a_id || won == b_id, "round {round}: won by {won}");
        let (winner, loser) = if won == a_id {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        only_the_loser_is_refused(winner, loser, conv, round).await;
        // The customer was joined once.
        customer
            .until("joined", |v| {
                v["type"] == "message" && v["event"] == "joined"
            })
            .await;
        customer
            .none_within(Duration::from_millis(300), "a second join", |v| {
                v["type"] == "message" && v["event"] == "joined"
            })
            .await;
        winners.push(won);
    }
    eprintln!("claim race winners: {winners:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_claim_race_has_one_winner() {
    let fx = Fixture::start(false).await;
    claim_race(&fx).await;
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_claim_race_has_one_winner_on_postgres() {
    let Some(db) = TestDb::postgres("console_claim_race_has_one_winner_on_postgres").await else {
        return;
    };
    let fx = Fixture::start_on(db, false).await;
    claim_race(&fx).await;
    fx.finish().await;
}

#[tokio::test]
async fn console_max_chats_caps_claims_and_auto_assignment() {
    let fx = Fixture::start(true).await;
    let (olga, cookie) = fx.agent("olga@example.com", "Ольга", Some(1)).await;
    let mut agent = fx.console(&cookie).await;
    let hello = agent.log[0].clone();
    assert_eq!(hello["agent"]["max_chats"], 1, "{hello}");
    // The first conversation is given to her; the second waits: she is at her cap.
    let (_first, c1) = customer_asking_for_a_person(&fx.app).await;
    assert_eq!(assigned(&mut agent, c1).await["agent_id"], olga);
    let (mut second, c2) = customer_asking_for_a_person(&fx.app).await;
    queue_with(&mut agent, c2, "queued", None).await;
    agent
        .none_within(
            Duration::from_millis(500),
            "an assignment over the cap",
            move |v| v["type"] == "assigned" && v["conversation_id"] == c2,
        )
        .await;
    let presence = agent
        .until("presence with open counts", move |v| {
            v["type"] == "agents"
                && v["agents"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x["id"] == olga && x["open"] == 1))
        })
        .await;
    assert!(presence["agents"][0]["max_chats"] == 1, "{presence}");
    // Claiming it by hand is refused too, and so is replying (which would claim it).
    agent
        .send(json!({"type": "claim", "conversation_id": c2}))
        .await;
    assert_eq!(error_about(&mut agent, c2).await["code"], "over_capacity");
    agent
        .send(json!({"type": "send", "conversation_id": c2, "client_id": "x1", "text": "Здравствуйте"}))
        .await;
    assert_eq!(error_about(&mut agent, c2).await["code"], "over_capacity");
    second
        .none_within(Duration::from_millis(300), "a join over the cap", |v| {
            v["type"] == "message" && (v["event"] == "joined" || v["author"] == "agent")
        })
        .await;
    // Resolving the first frees a place: the waiting one is given to her.
    agent
        .send(json!({"type": "resolve", "conversation_id": c1}))
        .await;
    assert_eq!(assigned(&mut agent, c2).await["agent_id"], olga);
    second
        .until("joined", |v| {
            v["type"] == "message" && v["event"] == "joined"
        })
        .await;
    fx.finish().await;
}

/// One agent with a cap of one claims two waiting conversations at once from two tabs.
async fn concurrent_claims_under_cap(fx: &Fixture) {
    let (_, cookie) = fx.agent("olga@example.com", "Ольга", Some(1)).await;
    let mut tab1 = fx.console(&cookie).await;
    let mut tab2 = fx.console(&cookie).await;
    for round in 0..4 {
        let (_c1_ws, c1) = customer_asking_for_a_person(&fx.app).await;
        let (_c2_ws, c2) = customer_asking_for_a_person(&fx.app).await;
        queue_with(&mut tab1, c2, "queued", None).await;
        queue_with(&mut tab2, c2, "queued", None).await;
        tokio::join!(
            tab1.send(json!({"type": "claim", "conversation_id": c1})),
            tab2.send(json!({"type": "claim", "conversation_id": c2}))
        );
        // Exactly one of them went through, the other is over the cap.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let open = fx.store.open_counts().await.unwrap();
        let n = open.values().sum::<i64>();
        let v1 = tab1
            .until("c1 outcome", move |v| {
                (v["type"] == "error" || v["type"] == "conversation")
                    && (v["conversation_id"] == c1 || v["conversation"]["id"] == c1)
            })
            .await;
        let v2 = tab2
            .until("c2 outcome", move |v| {
                (v["type"] == "error" || v["type"] == "conversation")
                    && (v["conversation_id"] == c2 || v["conversation"]["id"] == c2)
            })
            .await;
        assert_eq!(
            n, 1,
            "round {round}: open conversations {open:?}: {v1} / {v2}"
        );
        let errors = [&v1, &v2]
            .iter()
            .filter(|v| v["type"] == "error")
            .map(|v| v["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>();
        assert_eq!(errors, vec!["over_capacity".to_string()], "round {round}");
        // Close whichever was taken, and the other, for the next round.
        for c in [c1, c2] {
            tab1.send(json!({"type": "resolve", "conversation_id": c}))
                .await;
        }
        for c in [c1, c2] {
            tab1.until("resolved", move |v| {
                v["type"] == "resolved" && v["conversation_id"] == c
            })
            .await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_concurrent_claims_respect_the_cap() {
    let fx = Fixture::start(false).await;
    concurrent_claims_under_cap(&fx).await;
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_concurrent_claims_respect_the_cap_on_postgres() {
    let Some(db) = TestDb::postgres("console_concurrent_claims_respect_the_cap_on_postgres").await
    else {
        return;
    };
    let fx = Fixture::start_on(db, false).await;
    concurrent_claims_under_cap(&fx).await;
    fx.finish().await;
}

#[tokio::test]
async fn console_transfer_to_another_online_agent() {
    let fx = Fixture::start(true).await;
    let (olga, olga_cookie) = fx.agent("olga@example.com", "Ольга", None).await;
    let (pavel, pavel_cookie) = fx.agent("pavel@example.com", "Павел", None).await;
    let mut o = fx.console(&olga_cookie).await;
    let (mut customer, conv) = customer_asking_for_a_person(&fx.app).await;
    assert_eq!(assigned(&mut o, conv).await["agent_id"], olga);
    // Pavel is not online yet: a transfer to him is refused.
    o.send(json!({"type": "transfer", "conversation_id": conv, "agent_id": pavel}))
        .await;
    assert_eq!(error_about(&mut o, conv).await["code"], "bad_state");
    let mut p = fx.console(&pavel_cookie).await;
    o.until("Pavel online", move |v| {
        v["type"] == "agents"
            && v["agents"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|x| x["id"] == pavel && x["status"] == "online")
            })
    })
    .await;
    // Away agents cannot be given conversations either.
    p.send(json!({"type": "presence", "status": "away"})).await;
    o.until("Pavel away", move |v| {
        v["type"] == "agents"
            && v["agents"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["id"] == pavel && x["status"] == "away"))
    })
    .await;
    o.send(json!({"type": "transfer", "conversation_id": conv, "agent_id": pavel}))
        .await;
    assert_eq!(error_about(&mut o, conv).await["code"], "bad_state");
    p.send(json!({"type": "presence", "status": "online"}))
        .await;
    o.until("Pavel back", move |v| {
        v["type"] == "agents"
            && v["agents"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|x| x["id"] == pavel && x["status"] == "online")
            })
    })
    .await;
    // Pavel cannot take what is Olga's.
    p.send(json!({"type": "transfer", "conversation_id": conv, "agent_id": pavel}))
        .await;
    assert_eq!(error_about(&mut p, conv).await["code"], "bad_state");
    // Olga hands it over.
    o.send(json!({"type": "transfer", "conversation_id": conv, "agent_id": pavel}))
        .await;
    let a = assigned(&mut o, conv).await;
    assert_eq!(a["agent_id"], pavel);
    assert_eq!(a["agent_name"], "Павел");
    assert_eq!(assigned(&mut p, conv).await["agent_id"], pavel);
    let opened = p
        .until("the conversation", move |v| {
            v["type"] == "conversation" && v["conversation"]["id"] == conv
        })
        .await;
    assert_eq!(opened["conversation"]["agent_id"], pavel);
    assert_eq!(opened["handoff"]["reason"], "human_request");
    let sys = customer
        .until("transferred", |v| {
            v["type"] == "message" && v["event"] == "transferred"
        })
        .await;
    assert!(sys["text"].as_str().unwrap().contains("Павел"), "{sys}");
    customer
        .until("status with Pavel", |v| {
            v["type"] == "status" && v["agent"] == "Павел"
        })
        .await;
    queue_with(&mut o, conv, "assigned", Some(pavel)).await;
    // Olga may no longer reply; Pavel may.
    o.send(json!({"type": "send", "conversation_id": conv, "client_id": "o-1", "text": "Ещё я"}))
        .await;
    let e = error_about(&mut o, conv).await;
    assert_eq!(e["code"], "bad_state");
    assert_eq!(e["client_id"], "o-1");
    p.send(json!({"type": "send", "conversation_id": conv, "client_id": "p-1", "text": "Здравствуйте, это Павел"}))
        .await;
    let reply = customer.message_from("agent").await;
    assert_eq!(reply["name"], "Павел");
    // Olga still follows the conversation she opened, so she sees the reply too.
    let seen = o
        .until("Pavel's reply", |v| {
            v["type"] == "message" && v["client_id"] == "p-1"
        })
        .await;
    assert_eq!(seen["agent_id"], pavel);
    fx.finish().await;
}

#[tokio::test]
async fn console_open_shows_the_handoff_with_the_rejected_article_and_history() {
    let fx = Fixture::start(false).await;
    let (_, cookie) = fx.agent("olga@example.com", "Ольга", None).await;
    let mut agent = fx.console(&cookie).await;
    let (mut customer, _) = new_customer(&fx.app, "ru").await;
    let question = "как вернуть товар надлежащего качества";
    let ack = customer.say("q1", question).await;
    let conv = ack["conversation_id"].as_i64().unwrap();
    let answer = customer.message_from("bot").await;
    let url = answer["answer"]["url"]
        .as_str()
        .expect("an answer")
        .to_string();
    let seq = answer["seq"].as_i64().unwrap();
    customer
        .send(json!({"type": "feedback", "seq": seq, "helpful": false}))
        .await;
    customer
        .until("queued", |v| {
            v["type"] == "message" && v["event"] == "queued"
        })
        .await;
    queue_with(&mut agent, conv, "queued", None).await;
    agent
        .send(json!({"type": "open", "conversation_id": conv, "last_seq": 0}))
        .await;
    let opened = agent
        .until("the conversation", move |v| {
            v["type"] == "conversation" && v["conversation"]["id"] == conv
        })
        .await;
    let h = &opened["handoff"];
    assert_eq!(h["reason"], "not_helpful", "{h}");
    assert_eq!(h["questions"][0]["text"], question);
    assert!(h["questions"][0]["at"].is_i64());
    let shown = h["shown"].as_array().unwrap();
    let rejected = shown
        .iter()
        .find(|s| s["url"] == url.as_str())
        .expect("the answer shown");
    assert_eq!(rejected["rejected"], true, "{h}");
    assert!(rejected["confidence"].as_f64().unwrap() > 0.0);
    assert!(rejected["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(h["page_url"], "https://shop.example/cart");
    assert_eq!(h["lang"], "ru");
    assert_eq!(h["identity"]["verified"], false);
    let c = &opened["conversation"];
    assert_eq!(c["status"], "queued");
    assert_eq!(c["escalation"], "not_helpful");
    assert!(c["contact_email"].is_null());
    let messages = opened["messages"].as_array().unwrap();
    let bot = messages.iter().find(|m| m["seq"] == seq).unwrap();
    assert_eq!(bot["feedback"], false);
    assert_eq!(bot["answer"]["url"], url.as_str());
    assert_eq!(opened["history"], json!([]));
    // The console follows what it opened: the customer's next words arrive.
    customer.say("q2", "Чек потерял").await;
    agent
        .until("the follow-up", |v| {
            v["type"] == "message" && v["client_id"] == "q2"
        })
        .await;
    // Resolved; the customer comes back with a new question: the first is in the history.
    agent
        .send(json!({"type": "resolve", "conversation_id": conv}))
        .await;
    customer
        .until("resolved", |v| {
            v["type"] == "status" && v["status"] == "resolved"
        })
        .await;
    let ack = customer.say("q3", "позовите оператора").await;
    let next = ack["conversation_id"].as_i64().unwrap();
    assert_ne!(next, conv);
    queue_with(&mut agent, next, "queued", None).await;
    agent
        .send(json!({"type": "open", "conversation_id": next}))
        .await;
    let opened = agent
        .until("the new conversation", move |v| {
            v["type"] == "conversation" && v["conversation"]["id"] == next
        })
        .await;
    let history = opened["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["id"], conv);
    assert_eq!(history[0]["status"], "resolved");
    assert_eq!(history[0]["first_message"], question);
    fx.finish().await;
}

#[tokio::test]
async fn console_reopening_with_the_last_seq_gets_what_was_missed() {
    let fx = Fixture::start(true).await;
    let (_, cookie) = fx.agent("olga@example.com", "Ольга", None).await;
    let mut agent = fx.console(&cookie).await;
    let (mut customer, conv) = customer_asking_for_a_person(&fx.app).await;
    let opened = agent
        .until("the conversation", move |v| {
            v["type"] == "conversation" && v["conversation"]["id"] == conv
        })
        .await;
    let mut last = opened["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["seq"].as_i64())
        .max()
        .unwrap();
    // Live messages may still follow the snapshot (the join).
    while let Ok(v) = agent.next_within(Duration::from_millis(400)).await {
        if v["type"] == "message" && v["conversation_id"] == conv {
            last = last.max(v["seq"].as_i64().unwrap());
        }
    }
    agent.close().await;
    // While the console is away, the customer writes twice.
    let a1 = customer.say("m1", "Алло?").await;
    let a2 = customer.say("m2", "Есть кто?").await;
    let mut back = fx.console(&cookie).await;
    back.send(json!({"type": "open", "conversation_id": conv, "last_seq": last}))
        .await;
    let opened = back
        .until("the conversation", move |v| {
            v["type"] == "conversation" && v["conversation"]["id"] == conv
        })
        .await;
    let seqs: Vec<i64> = opened["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        vec![a1["seq"].as_i64().unwrap(), a2["seq"].as_i64().unwrap()]
    );
    // A resent client id is stored once and acked with the first seq.
    for _ in 0..2 {
        back.send(json!({"type": "send", "conversation_id": conv, "client_id": "same", "text": "Да, я здесь"}))
            .await;
    }
    let first = back
        .until("ack", |v| v["type"] == "ack" && v["client_id"] == "same")
        .await;
    let second = back
        .until("ack again", |v| {
            v["type"] == "ack" && v["client_id"] == "same"
        })
        .await;
    assert_eq!(first["seq"], second["seq"]);
    customer.message_from("agent").await;
    customer
        .none_within(Duration::from_millis(400), "a duplicate", |v| {
            v["type"] == "message" && v["author"] == "agent"
        })
        .await;
    fx.finish().await;
}

/// The resolved conversations are listed for every agent, newest first, and one can be opened
/// again: the customer is told (`reopened`) and it is with that agent, as if claimed; a second
/// reopen is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolved_conversations_are_listed_and_can_be_reopened() {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.auto_assign = false;
    let app = spawn_app_with(config).await;
    let (cookie, olga) = crate::ws::agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let http = crate::helpers::AgentClient {
        base_url: app.base_url.clone(),
        client: no_redirect_client(),
        cookie: cookie.clone(),
        csrf: "csrf-for-tests".into(),
        agent: json!({"id": olga}),
    };
    let mut agent = crate::ws::agent_socket(&app, &cookie).await;
    let (mut customer, _) = new_customer(&app, "ru").await;
    // A request for a person in words: queued at once.
    let conv = customer.say("c1", "позовите оператора").await["conversation_id"]
        .as_i64()
        .unwrap();
    queue_with(&mut agent, conv, "queued", None).await;
    agent
        .send(json!({"type": "claim", "conversation_id": conv}))
        .await;
    assigned(&mut agent, conv).await;
    agent
        .send(json!({"type": "resolve", "conversation_id": conv}))
        .await;
    agent
        .until("resolved", move |v| {
            v["type"] == "resolved" && v["conversation_id"] == conv
        })
        .await;

    let (status, page) = http.get("/agent/api/conversations/resolved").await;
    assert_eq!(status, 200, "{page}");
    let item = &page["items"][0];
    assert_eq!(item["conversation_id"], conv, "{page}");
    assert_eq!(item["preview"], "позовите оператора");
    assert_eq!(item["agent_name"], "Ольга");
    assert!(page["next"].is_null(), "{page}");
    let (status, _) = http
        .get("/agent/api/conversations/resolved?before=nope")
        .await;
    assert_eq!(status, 400);

    agent
        .send(json!({"type": "reopen", "conversation_id": conv}))
        .await;
    let told = customer
        .until("reopened", |v| {
            v["type"] == "message" && v["event"] == "reopened"
        })
        .await;
    assert!(told["text"].as_str().unwrap().contains("Ольга"), "{told}");
    let status = customer
        .until("assigned again", |v| {
            v["type"] == "status" && v["status"] == "assigned"
        })
        .await;
    assert_eq!(status["agent"], "Ольга");
    queue_with(&mut agent, conv, "assigned", Some(olga)).await;
    let (_, page) = http.get("/agent/api/conversations/resolved").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0, "{page}");
    // The customer writes on in it, and a second reopen is refused.
    customer.say("c2", "спасибо, что открыли").await;
    agent
        .until("the customer's message", |v| {
            v["type"] == "message" && v["client_id"] == "c2"
        })
        .await;
    agent
        .send(json!({"type": "reopen", "conversation_id": conv}))
        .await;
    let refused = agent.until_type("error").await;
    assert_eq!(refused["code"], "bad_state", "{refused}");
}

/// Agents find conversations by what was said in any word form (the help center's reading:
/// stems, `ё`/`е`, case) or by the customer's name; messages stored before search existed are
/// filled in at start-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_search_conversations_in_any_word_form() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = crate::helpers::sqlite_url(&dir.path().join("otvet.db"));
    // A message stored without a search text, as before this version.
    let store = Store::connect(&database_url).await.unwrap();
    let old = store.create_customer("t-old", 0).await.unwrap();
    let old_conv = store
        .create_conversation(old.id, "ru", None, otvet::domain::Channel::Chat, 0)
        .await
        .unwrap();
    let m = otvet::store::chat::NewMessage {
        author: otvet::domain::Author::Customer,
        text: "Ёлочная гирлянда не светится".into(),
        ..Default::default()
    };
    store
        .append_message(old_conv.id, &m, &otvet::store::chat::Patch::default(), 0)
        .await
        .unwrap();
    store.close().await;

    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.database_url = database_url;
    let app = spawn_app_with(config).await;
    let (cookie, olga) = crate::ws::agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let http = crate::helpers::AgentClient {
        base_url: app.base_url.clone(),
        client: no_redirect_client(),
        cookie,
        csrf: "csrf-for-tests".into(),
        agent: json!({"id": olga}),
    };
    let (mut anna, _) = new_customer(&app, "ru").await;
    let refund = anna.say("a1", "Хочу оформить ВОЗВРАТ денег за заказ").await["conversation_id"]
        .as_i64()
        .unwrap();
    let (mut boris, _) = new_customer(&app, "ru").await;
    let courier = boris.say("b1", "Где курьер с моей посылкой?").await["conversation_id"]
        .as_i64()
        .unwrap();
    let found = |q: &'static str| {
        let http = &http;
        async move {
            let (status, v) = http
                .get(&format!(
                    "/agent/api/conversations/search?q={}",
                    urlencode(q)
                ))
                .await;
            assert_eq!(status, 200, "{q}: {v}");
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["conversation_id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("возвраты").await, [refund]);
    assert_eq!(found("ВОЗВРАТОМ денег").await, [refund]);
    assert_eq!(found("курьера").await, [courier]);
    assert!(
        found("возврат курьер").await.is_empty(),
        "every word must be there"
    );
    // The customer's name, once an agent wrote it down.
    let store = Store::connect(&app.database_url).await.unwrap();
    let customer = store
        .conversation(refund)
        .await
        .unwrap()
        .unwrap()
        .customer_id;
    store
        .set_contact(customer, Some("Анна Смирнова"), None, None)
        .await
        .unwrap();
    assert_eq!(found("анна").await, [refund]);
    // The old message: filled in at start-up (ё read as е, any form).
    let mut got = Vec::new();
    for _ in 0..50 {
        got = found("елочную гирлянду").await;
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(got, [old_conv.id]);
    store.close().await;
    let (status, _) = http.get("/agent/api/conversations/search?q=x").await;
    assert_eq!(status, 400);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
