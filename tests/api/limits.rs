//! Per-client rate limits, over real websockets and HTTP: a reconnect does not reset the
//! message limit; one address's flood of new customers and escalations is refused while
//! another address is served, and does not push real customers down the fair queue; votes and views from one address stop counting whatever the
//! `User-Agent`; a login flood from one address is refused whatever the email. The test client
//! is on loopback, a trusted proxy by default, so `X-Forwarded-For` names the client.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, fixture, no_redirect_client, spawn_app};
use crate::ws::Ws;

/// A customer socket from `addr`.
async fn socket_from(app: &TestApp, addr: &str) -> Ws {
    Ws::open(app, "/api/chat", &[("X-Forwarded-For", addr)])
        .await
        .expect("connect to /api/chat")
}

fn is_rate_limited(v: &Value) -> bool {
    v["type"] == "error" && v["code"] == "rate_limited"
}

/// The answer to the `send` with `client_id`: its `ack` or its error.
async fn answer_to(ws: &mut Ws, client_id: &str) -> Value {
    let cid = client_id.to_string();
    ws.until(&format!("the answer to {client_id}"), move |v| {
        (v["type"] == "ack" || v["type"] == "error") && v["client_id"] == cid.as_str()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_does_not_reset_the_message_limit() {
    let app = spawn_app(fixture("small-kb")).await;
    let addr = "203.0.113.9";
    let mut ws = socket_from(&app, addr).await;
    let welcome = ws.hello(json!({"lang": "ru"})).await;
    let token = welcome["token"].as_str().unwrap().to_string();
    let started = Instant::now();
    // Twenty frames that count (an empty `identify` answers nothing when taken) and a message,
    // at once: a burst of ten passes, the rest are refused.
    for _ in 0..20 {
        ws.send(json!({"type": "identify"})).await;
    }
    ws.send(json!({"type": "send", "client_id": "m-1", "text": "привет"}))
        .await;
    let first = answer_to(&mut ws, "m-1").await;
    let refused_before = ws.log.iter().filter(|v| is_rate_limited(v)).count();
    // Reconnect: the same customer gets the same (empty) bucket, not a new one.
    ws.close().await;
    let mut ws = socket_from(&app, addr).await;
    let again = ws.hello(json!({"token": token, "lang": "ru"})).await;
    assert_eq!(again["token"], token.as_str());
    for i in 1..=5 {
        ws.send(json!({"type": "send", "client_id": format!("r-{i}"), "text": "привет"}))
            .await;
    }
    let mut answers = Vec::new();
    for i in 1..=5 {
        answers.push(answer_to(&mut ws, &format!("r-{i}")).await);
    }
    // One token every 2 s after the burst of 10: never more got through than that.
    let earned = (started.elapsed().as_secs_f64() / 2.0).floor() as usize;
    let acked_after = answers.iter().filter(|v| v["type"] == "ack").count();
    let refused_after = answers.iter().filter(|v| is_rate_limited(v)).count();
    assert_eq!(acked_after + refused_after, 5, "{answers:?}");
    let taken_before = 21 - refused_before;
    assert!(
        taken_before + acked_after <= 10 + earned,
        "{taken_before} + {acked_after} frames passed in {:?}: {:?} {answers:?}",
        started.elapsed(),
        first
    );
    assert!(refused_after > 0 || earned >= 5, "{answers:?}");
    // A refusal says when to retry, and a message resent then is taken.
    let refused = answers
        .iter()
        .find(|v| is_rate_limited(v))
        .expect("a refusal")
        .clone();
    let retry = refused["retry_ms"].as_u64().expect("retry_ms");
    assert!(retry > 0 && retry <= 2_000, "{refused}");
    tokio::time::sleep(Duration::from_millis(retry + 50)).await;
    let cid = refused["client_id"].as_str().unwrap().to_string();
    ws.send(json!({"type": "send", "client_id": cid, "text": "привет"}))
        .await;
    assert_eq!(answer_to(&mut ws, &cid).await["type"], "ack");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_flood_of_customers_and_escalations_is_refused_others_are_served() {
    let app = spawn_app(fixture("small-kb")).await;
    let flood = "203.0.113.9";
    // New customers: twenty at once from one address, then refusals.
    let mut customers = Vec::new();
    let mut refused = 0;
    for _ in 0..25 {
        let mut ws = socket_from(&app, flood).await;
        ws.send(json!({"type": "hello", "v": 1, "lang": "ru"}))
            .await;
        let f = ws
            .until("welcome or error", |v| {
                v["type"] == "welcome" || v["type"] == "error"
            })
            .await;
        if f["type"] == "welcome" {
            customers.push((ws, f));
        } else {
            assert!(is_rate_limited(&f), "{f}");
            assert!(f["retry_ms"].as_u64().unwrap() > 0, "{f}");
            refused += 1;
            ws.close().await;
        }
    }
    assert_eq!((customers.len(), refused), (20, 5));
    // A customer who already has a token still comes back from that address.
    let token = customers[0].1["token"].as_str().unwrap().to_string();
    let mut back = socket_from(&app, flood).await;
    assert_eq!(
        back.hello(json!({"token": token, "lang": "ru"})).await["token"],
        token.as_str()
    );
    back.close().await;

    // Escalations: ten enter the queue, the rest of the flood is refused.
    let mut queued = 0;
    let mut limited = 0;
    for (ws, _) in customers.iter_mut() {
        ws.send(json!({"type": "human"})).await;
        let f = ws
            .until("status or error", |v| {
                v["type"] == "status" || v["type"] == "error"
            })
            .await;
        if f["type"] == "status" {
            assert_eq!(f["status"], "queued", "{f}");
            queued += 1;
        } else {
            assert!(is_rate_limited(&f), "{f}");
            assert!(f["retry_ms"].as_u64().unwrap() > 0, "{f}");
            limited += 1;
        }
    }
    assert_eq!((queued, limited), (10, 10));

    // A customer from another address is served, and queued behind the flood's first
    // conversation only: the queue takes one conversation per address in turn.
    let mut real = socket_from(&app, "198.51.100.7").await;
    real.hello(json!({"lang": "ru"})).await;
    real.send(json!({"type": "human"})).await;
    let status = real.until_type("status").await;
    assert_eq!(status["status"], "queued", "{status}");
    assert_eq!(status["position"], 2, "{status}");
}

/// Asks for a person from `addr` as a new customer: the socket, the `welcome` frame, the
/// `status` frame and the conversation's id.
async fn queue_from(app: &TestApp, addr: &str) -> (Ws, Value, Value, i64) {
    let mut ws = socket_from(app, addr).await;
    let welcome = ws.hello(json!({"lang": "ru"})).await;
    ws.send(json!({"type": "human"})).await;
    let status = ws.until_type("status").await;
    assert_eq!(status["status"], "queued", "{status}");
    let conv = ws
        .log
        .iter()
        .find_map(|v| (v["type"] == "message").then(|| v["conversation_id"].as_i64())?)
        .expect("the queued notice");
    (ws, welcome, status, conv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_does_not_push_real_customers_down_the_queue() {
    let mut config = otvet::Config::new(fixture("small-kb"));
    config.chat.auto_assign = false;
    let app = crate::helpers::spawn_app_with(config).await;
    let (cookie, _) = crate::ws::agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut console = crate::ws::agent_socket(&app, &cookie).await;

    let (anna, anna_welcome, first, anna_conv) = queue_from(&app, "198.51.100.7").await;
    assert_eq!(first["position"], 1, "{first}");
    anna.close().await;
    // The flood: as many escalations as one address gets at once.
    let mut flood = Vec::new();
    for _ in 0..10 {
        flood.push(queue_from(&app, "203.0.113.9").await);
    }
    assert_eq!(flood[0].2["position"], 2, "{:?}", flood[0].2);
    assert_eq!(flood[9].2["position"], 11, "{:?}", flood[9].2);
    // A customer after the flood comes right behind its first conversation.
    let (_boris, _, second, boris_conv) = queue_from(&app, "2001:db8::1").await;
    assert_eq!(second["position"], 3, "{second}");

    // Anna is still first: her widget says so when it comes back, and the console agrees.
    let mut anna = socket_from(&app, "198.51.100.7").await;
    anna.hello(json!({"token": anna_welcome["token"], "lang": "ru"}))
        .await;
    let again = anna.until_type("status").await;
    assert_eq!(again["position"], 1, "{again}");
    let queue = console
        .until("the queue with all twelve", |v| {
            v["type"] == "queue" && v["waiting"] == 12
        })
        .await;
    let items = queue["items"].as_array().unwrap();
    let place = |conv: i64| {
        items
            .iter()
            .find(|i| i["conversation_id"] == conv)
            .map(|i| i["position"].clone())
    };
    assert_eq!(place(anna_conv), Some(json!(1)), "{queue}");
    assert_eq!(place(flood[0].3), Some(json!(2)), "{queue}");
    assert_eq!(place(boris_conv), Some(json!(3)), "{queue}");
    assert_eq!(place(flood[1].3), Some(json!(4)), "{queue}");
    assert_eq!(place(flood[9].3), Some(json!(12)), "{queue}");
}

/// Votes "yes" on the sample article from `addr` as `user_agent`: status and body.
async fn vote_from(app: &TestApp, addr: &str, user_agent: &str) -> (u16, Value, Option<String>) {
    let res = app
        .client
        .post(format!(
            "{}/api/articles/kettle-descaling/feedback",
            app.base_url
        ))
        .header("x-forwarded-for", addr)
        .header("user-agent", user_agent)
        .json(&json!({"lang": "ru", "helpful": true}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, res.json().await.unwrap(), retry)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_and_views_from_one_address_stop_counting_whatever_the_user_agent() {
    let app = spawn_app(fixture("small-kb")).await;
    let flood = "203.0.113.20";
    for i in 1..=30 {
        let (status, counts, _) = vote_from(&app, flood, &format!("browser {i}")).await;
        assert_eq!((status, &counts["yes"]), (200, &json!(i)), "{counts}");
    }
    let (status, body, retry) = vote_from(&app, flood, "browser 31").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "too_many_requests", "{body}");
    let secs: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!(secs > 0 && secs <= 120, "{secs}");
    // The page's form is refused too, with a page and `Retry-After`.
    let res = no_redirect_client()
        .post(format!(
            "{}/ru/articles/kettle-descaling/feedback",
            app.base_url
        ))
        .header("x-forwarded-for", flood)
        .header("user-agent", "browser 32")
        .form(&[("helpful", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert!(res.text().await.unwrap().contains("<html"));
    // Nothing of that counted; another address still votes.
    let counts = app
        .get_json("/api/articles/kettle-descaling/feedback?lang=ru")
        .await
        .1;
    assert_eq!(counts["yes"], 30, "{counts}");
    let (status, counts, _) = vote_from(&app, "198.51.100.7", "browser 1").await;
    assert_eq!((status, &counts["yes"]), (200, &json!(31)), "{counts}");

    // Views: the page is always shown, but one address counts at most 60 an hour.
    let url = format!("{}/ru/articles/kettle-descaling", app.base_url);
    for (addr, n) in [("203.0.113.21", 70), ("198.51.100.8", 1)] {
        for i in 0..n {
            let res = app
                .client
                .get(&url)
                .header("x-forwarded-for", addr)
                .header("user-agent", format!("reader {i}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
    }
    let store = otvet::Store::connect(&app.database_url).await.unwrap();
    let views = store.view_counts(otvet::domain::Lang::Ru).await.unwrap();
    assert_eq!(views.get("kettle-descaling"), Some(&61), "{views:?}");
    store.close().await;
}

/// Signs in from `addr`: status and `Retry-After`.
async fn login_from(app: &TestApp, addr: &str, email: &str) -> (u16, Option<String>) {
    let res = no_redirect_client()
        .post(format!("{}/agent/login", app.base_url))
        .header("x-forwarded-for", addr)
        .form(&[("email", email), ("password", "guess-guess")])
        .send()
        .await
        .unwrap();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), retry)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_from_one_address_is_refused_whatever_the_email() {
    let app = spawn_app(fixture("small-kb")).await;
    let flood = "203.0.113.30";
    // Each email is new, so the per-(email, address) throttle never trips: only the
    // per-address limit stops the flood.
    for i in 0..30 {
        let (status, _) = login_from(&app, flood, &format!("guess-{i}@example.com")).await;
        assert_eq!(status, 401, "attempt {i}");
    }
    let (status, retry) = login_from(&app, flood, "guess-30@example.com").await;
    assert_eq!(status, 429);
    let secs: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!(secs > 0 && secs <= 30, "{secs}");
    // Another address is not concerned.
    assert_eq!(
        login_from(&app, "198.51.100.9", "guess-30@example.com")
            .await
            .0,
        401
    );
}
