//! The customer side of the chat over real websockets: the bot's answers, feedback, escalation
//! without agents, the protocol's guarantees (acks, resends, resume, restarts), bad frames and
//! limits, and who may see which conversation.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, sample_articles, spawn_app_with, sqlite_url};
use crate::ws::{Ws, WsEnd, new_customer};

async fn chat_app() -> TestApp {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    spawn_app_with(config).await
}

fn seqs(frames: &[Value], conv: i64) -> Vec<i64> {
    frames
        .iter()
        .filter(|v| v["type"] == "message" && v["conversation_id"] == conv)
        .filter_map(|v| v["seq"].as_i64())
        .collect()
}

#[tokio::test]
async fn a_greeting_gets_a_greeting_and_nothing_is_created_before_a_message() {
    let app = chat_app().await;
    let (mut ws, welcome) = new_customer(&app, "ru").await;
    assert_eq!(welcome["v"], 1);
    assert!(welcome["token"].as_str().is_some_and(|t| t.len() >= 32));
    assert!(welcome["conversation"].is_null(), "{welcome}");
    let ack = ws.say("c1", "Здравствуйте!").await;
    assert_eq!(ack["seq"], 1);
    let conv = ack["conversation_id"].as_i64().unwrap();
    let mine = ws.message_from("customer").await;
    assert_eq!(mine["text"], "Здравствуйте!");
    assert_eq!(mine["client_id"], "c1");
    let bot = ws.message_from("bot").await;
    assert_eq!(bot["seq"], 2);
    assert_eq!(bot["conversation_id"], conv);
    assert!(
        bot["text"].as_str().unwrap().starts_with("Здравствуйте"),
        "{bot}"
    );
    assert!(bot.get("answer").is_none());
    let thanks = ws.say("c2", "спасибо").await;
    assert_eq!(thanks["seq"], 3);
    let bot = ws.message_from("bot").await;
    assert!(
        bot["text"].as_str().unwrap().starts_with("Пожалуйста"),
        "{bot}"
    );
}

#[tokio::test]
async fn a_question_is_answered_from_the_help_center_and_yes_is_recorded() {
    let app = chat_app().await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q1", "как вернуть товар надлежащего качества").await;
    let answer = ws.message_from("bot").await;
    let card = &answer["answer"];
    assert!(card.is_object(), "no answer card: {answer}");
    let url = card["url"].as_str().unwrap();
    assert!(url.starts_with("/ru/articles/"), "{url}");
    assert!(card["ask_feedback"].as_bool().unwrap());
    assert!(card["alternatives"].as_array().unwrap().len() <= 2);
    assert!(!answer["text"].as_str().unwrap().is_empty());
    assert!(!answer["text"].as_str().unwrap().contains("<mark>"));
    // The linked page exists.
    let page = app
        .client
        .get(format!(
            "{}{}",
            app.base_url,
            url.split('#').next().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let seq = answer["seq"].as_i64().unwrap();
    ws.send(json!({"type": "feedback", "seq": seq, "helpful": true}))
        .await;
    let updated = ws
        .until("the answer with feedback", |v| {
            v["type"] == "message" && v["seq"] == seq && v["feedback"] == true
        })
        .await;
    assert_eq!(updated["answer"]["url"], url);
    let glad = ws.message_from("bot").await;
    assert!(glad["text"].as_str().unwrap().contains("Рад"), "{glad}");
    // Feedback twice on the same answer is refused.
    ws.send(json!({"type": "feedback", "seq": seq, "helpful": false}))
        .await;
    let err = ws.until_type("error").await;
    assert_eq!(err["code"], "bad_state");
}

#[tokio::test]
async fn english_and_german_customers_get_their_language() {
    let app = chat_app().await;
    let (mut en, _) = new_customer(&app, "en").await;
    en.say("e1", "hello").await;
    let bot = en.message_from("bot").await;
    assert!(bot["text"].as_str().unwrap().starts_with("Hello"), "{bot}");
    en.say("e2", "how do I cancel my order").await;
    let bot = en.message_from("bot").await;
    assert!(
        bot["answer"]["url"]
            .as_str()
            .unwrap()
            .starts_with("/en/articles/"),
        "{bot}"
    );
    let (mut de, _) = new_customer(&app, "de").await;
    de.say("d1", "Guten Tag").await;
    let bot = de.message_from("bot").await;
    assert!(bot["text"].as_str().unwrap().starts_with("Hallo"), "{bot}");
}

#[tokio::test]
async fn no_answer_is_said_plainly_and_a_person_is_offered() {
    let app = chat_app().await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q1", "какая сегодня погода на марсе").await;
    let bot = ws.message_from("bot").await;
    assert_eq!(bot["event"], "no_answer", "{bot}");
    assert!(bot.get("answer").is_none());
    assert!(bot["text"].as_str().unwrap().contains("не нашёл"), "{bot}");
}

#[tokio::test]
async fn asking_for_a_person_with_nobody_online_is_honest_about_it() {
    let app = chat_app().await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("h1", "позовите оператора").await;
    let sys = ws.message_from("system").await;
    assert_eq!(sys["event"], "offline", "{sys}");
    // Without --smtp-url nothing could answer an email: none is asked for.
    assert!(!sys["text"].as_str().unwrap().contains("email"), "{sys}");
    let status = ws.until_type("status").await;
    assert_eq!(status["status"], "queued");
    assert_eq!(status["offline"], true);
    assert_eq!(status["position"], 1);
    assert!(status["wait_secs"].is_null());
    // An email left anyway (an old widget) is refused, not silently kept unanswered.
    ws.send(
        json!({"type": "contact", "client_id": "ct1", "email": "Anna@Example.com", "name": "Anna"}),
    )
    .await;
    let refused = ws.until_type("error").await;
    assert_eq!(refused["code"], "bad_state", "{refused}");
    assert_eq!(refused["client_id"], "ct1");
    // The human button does the same as the words, once.
    ws.send(json!({"type": "human"})).await;
    let again = ws.until_type("status").await;
    assert_eq!(again["position"], 1);
}

#[tokio::test]
async fn a_resent_client_id_is_stored_once() {
    let app = chat_app().await;
    let (mut ws, welcome) = new_customer(&app, "ru").await;
    let first = ws.say("same", "где мой заказ").await;
    let second = ws.say("same", "где мой заказ").await;
    assert_eq!(first["seq"], second["seq"]);
    let conv = first["conversation_id"].as_i64().unwrap();
    ws.close().await;
    // A fresh connection sees one customer message, not two.
    let mut again = Ws::customer(&app).await;
    again
        .hello(json!({"token": welcome["token"], "lang": "ru"}))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    again
        .none_within(Duration::from_millis(200), "-", |_| false)
        .await;
    let customer_msgs = again
        .log
        .iter()
        .filter(|v| {
            v["type"] == "message" && v["author"] == "customer" && v["conversation_id"] == conv
        })
        .count();
    assert_eq!(customer_msgs, 1, "{:?}", again.log);
}

#[tokio::test]
async fn reconnecting_with_the_last_seq_gets_exactly_what_was_missed() {
    let app = chat_app().await;
    let (mut ws, welcome) = new_customer(&app, "ru").await;
    let token = welcome["token"].as_str().unwrap().to_string();
    let ack = ws.say("m1", "привет").await;
    let conv = ack["conversation_id"].as_i64().unwrap();
    ws.message_from("bot").await; // seq 2
    ws.close().await;
    // While away, nothing; then come back having seen seq 1 only.
    let mut back = Ws::customer(&app).await;
    let welcome = back
        .hello(json!({"token": token, "conversation_id": conv, "last_seq": 1}))
        .await;
    assert_eq!(welcome["conversation"]["id"], conv);
    assert_eq!(welcome["conversation"]["last_seq"], 2);
    back.none_within(Duration::from_millis(500), "-", |_| false)
        .await;
    assert_eq!(seqs(&back.log, conv), vec![2]);
    // Resuming with everything seen sends nothing old; new messages still flow.
    let mut third = Ws::customer(&app).await;
    third
        .hello(json!({"token": token, "conversation_id": conv, "last_seq": 2}))
        .await;
    third.say("m2", "спасибо").await;
    third.message_from("bot").await;
    assert_eq!(seqs(&third.log, conv), vec![3, 4]);
    // The first tab (if still open) would have got them live; a second tab does.
    drop(back);
}

#[tokio::test]
async fn two_tabs_of_one_customer_see_the_same_conversation_live() {
    let app = chat_app().await;
    let (mut a, welcome) = new_customer(&app, "ru").await;
    let ack = a.say("a1", "привет").await;
    let conv = ack["conversation_id"].as_i64().unwrap();
    a.message_from("bot").await;
    let mut b = Ws::customer(&app).await;
    b.hello(json!({"token": welcome["token"], "conversation_id": conv, "last_seq": 2}))
        .await;
    a.say("a2", "как оплатить заказ картой").await;
    let in_b = b.message_from("customer").await;
    assert_eq!(in_b["client_id"], "a2");
    let bot_b = b.message_from("bot").await;
    assert_eq!(bot_b["seq"], 4);
}

#[tokio::test]
async fn a_restart_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("otvet.db"));
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.database_url = url.clone();
    let app = spawn_app_with(config.clone()).await;
    let (mut ws, welcome) = new_customer(&app, "ru").await;
    let token = welcome["token"].as_str().unwrap().to_string();
    let ack = ws.say("r1", "как вернуть товар").await;
    let conv = ack["conversation_id"].as_i64().unwrap();
    ws.message_from("bot").await;
    ws.close().await;
    app.stop().await;
    let app = spawn_app_with(config).await;
    let mut ws = Ws::customer(&app).await;
    let welcome = ws
        .hello(json!({"token": token, "conversation_id": conv, "last_seq": 0}))
        .await;
    assert_eq!(welcome["conversation"]["id"], conv);
    let bot = ws.message_from("bot").await;
    assert!(bot["answer"].is_object());
    assert_eq!(seqs(&ws.log, conv), vec![1, 2]);
    // And the conversation goes on with the next number.
    let ack = ws.say("r2", "спасибо").await;
    assert_eq!(ack["seq"], 3);
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_the_chat_goes_on() {
    let app = chat_app().await;
    let mut ws = Ws::customer(&app).await;
    // Before hello.
    ws.send(json!({"type": "send", "client_id": "x", "text": "hi"}))
        .await;
    assert_eq!(ws.until_type("error").await["code"], "hello_first");
    let welcome = ws.hello(json!({"lang": "ru"})).await;
    assert!(welcome["token"].is_string());
    for (raw, code) in [
        ("not json", "bad_frame"),
        ("[1,2,3]", "bad_frame"),
        (r#"{"type":"launch_rockets"}"#, "bad_frame"),
        (r#"{"type":"send","client_id":"c9"}"#, "bad_frame"),
        (r#"{"type":"send","client_id":"c9","text":42}"#, "bad_frame"),
        (
            r#"{"type":"send","client_id":"c9","text":"   "}"#,
            "too_long",
        ),
        (r#"{"type":"rate","score":5}"#, "bad_state"),
        (
            r#"{"type":"feedback","seq":1,"helpful":true}"#,
            "no_conversation",
        ),
    ] {
        ws.send_raw(raw).await;
        let e = ws.until_type("error").await;
        assert_eq!(e["code"], code, "{raw} -> {e}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let long = "а".repeat(4001);
    ws.send(json!({"type": "send", "client_id": "long", "text": long}))
        .await;
    let e = ws.until_type("error").await;
    assert_eq!(e["code"], "too_long");
    assert_eq!(e["client_id"], "long");
    ws.send_binary(vec![1, 2, 3]).await;
    assert_eq!(ws.until_type("error").await["code"], "binary_frame");
    let big = json!({"type": "send", "client_id": "big", "text": "x".repeat(20_000)});
    ws.send(big).await;
    assert_eq!(ws.until_type("error").await["code"], "too_large");
    // Still the same conversation and connection.
    let ack = ws.say("ok", "привет").await;
    assert_eq!(ack["seq"], 1);
    ws.send(json!({"type": "ping"})).await;
    ws.until_type("pong").await;
}

#[tokio::test]
async fn a_frame_over_the_hard_limit_closes_with_1009_and_the_conversation_resumes() {
    let app = chat_app().await;
    let (mut ws, welcome) = new_customer(&app, "ru").await;
    let ack = ws.say("a", "привет").await;
    let conv = ack["conversation_id"].as_i64().unwrap();
    ws.send_raw(&"x".repeat(70 * 1024)).await;
    let end = loop {
        match ws.next().await {
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    assert!(
        matches!(end, WsEnd::Closed(Some(1009)) | WsEnd::Closed(None)),
        "{end:?}"
    );
    let mut back = Ws::customer(&app).await;
    let w = back
        .hello(json!({"token": welcome["token"], "conversation_id": conv, "last_seq": 0}))
        .await;
    assert_eq!(w["conversation"]["id"], conv);
    back.message_from("bot").await;
}

#[tokio::test]
async fn messages_over_the_rate_limit_are_refused_with_a_retry_time() {
    let app = chat_app().await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    for i in 0..12 {
        ws.send(json!({"type": "send", "client_id": format!("r{i}"), "text": "привет"}))
            .await;
    }
    let e = ws
        .until("rate_limited", |v| {
            v["type"] == "error" && v["code"] == "rate_limited"
        })
        .await;
    assert!(
        e["retry_ms"]
            .as_u64()
            .is_some_and(|ms| ms > 0 && ms <= 2000),
        "{e}"
    );
    assert!(e["client_id"].as_str().is_some());
}

#[tokio::test]
async fn a_token_reaches_only_its_own_conversations() {
    let app = chat_app().await;
    let (mut alice, _) = new_customer(&app, "ru").await;
    let ack = alice
        .say("a1", "мой телефон +7 912 345-67-89, где заказ?")
        .await;
    let conv = ack["conversation_id"].as_i64().unwrap();
    alice.message_from("bot").await;
    // Bob names Alice's conversation with his own token: he gets his own (none).
    let (bob, bob_welcome) = new_customer(&app, "ru").await;
    bob.close().await;
    let mut bob = Ws::customer(&app).await;
    let w = bob
        .hello(json!({"token": bob_welcome["token"], "conversation_id": conv, "last_seq": 0}))
        .await;
    assert!(w["conversation"].is_null(), "{w}");
    bob.none_within(Duration::from_millis(500), "someone else's message", |v| {
        v["type"] == "message"
    })
    .await;
    // A made-up token is refused and starts a new, empty customer.
    let mut mallory = Ws::customer(&app).await;
    mallory
        .send(json!({"type": "hello", "token": "0".repeat(64), "conversation_id": conv, "last_seq": 0}))
        .await;
    let err = mallory.until_type("error").await;
    assert_eq!(err["code"], "bad_token");
    let w = mallory.until_type("welcome").await;
    assert!(w["conversation"].is_null());
    assert_ne!(w["token"], "0".repeat(64));
    mallory
        .none_within(Duration::from_millis(500), "someone else's message", |v| {
            v["type"] == "message"
        })
        .await;
    // Bob's feedback on Alice's answer seq does not touch Alice's conversation.
    bob.send(json!({"type": "feedback", "seq": 2, "helpful": false}))
        .await;
    assert_eq!(bob.until_type("error").await["code"], "no_conversation");
}

#[tokio::test]
async fn the_agent_socket_needs_a_session_and_the_same_origin() {
    let app = chat_app().await;
    let err = Ws::open(&app, "/agent/ws", &[("Origin", &app.base_url)])
        .await
        .err()
        .expect("refused");
    assert_eq!(err, "HTTP 401");
    let err = Ws::open(
        &app,
        "/agent/ws",
        &[
            ("Origin", "https://evil.example"),
            ("Cookie", "otvet_session=x"),
        ],
    )
    .await
    .err()
    .expect("refused");
    assert_eq!(err, "HTTP 403");
    let err = Ws::open(
        &app,
        "/agent/ws",
        &[
            ("Cookie", "otvet_session=forged"),
            ("Origin", &app.base_url),
        ],
    )
    .await
    .err()
    .expect("refused");
    assert_eq!(err, "HTTP 401");
}

#[tokio::test]
async fn identity_needs_a_valid_hash() {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.identity_secret = Some("test-secret".into());
    let app = spawn_app_with(config).await;
    let hash = otvet::web::chat::customer_ws::identity_hash("test-secret", "anna@example.com");
    let mut ws = Ws::customer(&app).await;
    let w = ws
        .hello(json!({"identity": {"name": "Анна", "email": "Anna@example.com", "hash": hash}}))
        .await;
    assert_eq!(w["customer"]["verified"], true, "{w}");
    assert_eq!(w["customer"]["email"], "anna@example.com");
    let mut forged = Ws::customer(&app).await;
    forged
        .send(json!({"type": "hello", "identity": {"email": "anna@example.com", "hash": "ab".repeat(32)}}))
        .await;
    assert_eq!(forged.until_type("error").await["code"], "bad_identity");
    let w = forged.until_type("welcome").await;
    assert_eq!(w["customer"]["verified"], false);
    assert!(w["customer"]["email"].is_null());
}

#[tokio::test]
async fn the_widget_script_is_served() {
    let app = chat_app().await;
    let r = app
        .client
        .get(format!("{}/widget.js", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(r.headers().get("set-cookie").is_none());
}

async fn app_on(db: &crate::store::TestDb) -> TestApp {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.database_url = db.url();
    spawn_app_with(config).await
}

/// What the bot did not resolve is kept for editors, masked, with the page and what was shown.
async fn unresolved_questions_are_recorded_masked(db: crate::store::TestDb) {
    let app = app_on(&db).await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say(
        "q1",
        "какая погода на марсе, пишите на anna@example.com или +7 912 345-67-89",
    )
    .await;
    assert_eq!(ws.message_from("bot").await["event"], "no_answer");
    ws.say("q2", "как вернуть товар надлежащего качества").await;
    let answer = ws.message_from("bot").await;
    let slug = answer["answer"]["slug"].as_str().unwrap().to_string();
    ws.send(json!({"type": "feedback", "seq": answer["seq"], "helpful": false}))
        .await;
    let queued = ws.message_from("system").await;
    assert!(
        queued["event"] == "offline" || queued["event"] == "queued",
        "{queued}"
    );
    let store = otvet::Store::connect(&db.url()).await.unwrap();
    let rows = store.unresolved_since(0).await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (text, lang, reason, shown, _) = &rows[0];
    assert_eq!(reason, "no_answer");
    assert_eq!(lang, "ru");
    assert!(
        text.contains("[email]") && text.contains("[phone]"),
        "{text}"
    );
    assert!(!text.contains("anna@") && !text.contains("912"), "{text}");
    let _: Value = serde_json::from_str(shown).unwrap();
    let (text, _, reason, shown, _) = &rows[1];
    assert_eq!(reason, "not_helpful");
    assert!(text.contains("вернуть товар"));
    let shown: Value = serde_json::from_str(shown).unwrap();
    assert_eq!(shown[0]["slug"], slug.as_str(), "{shown}");
    store.close().await;
}

crate::store::on_both!(unresolved_questions_are_recorded_masked);

#[tokio::test]
async fn outside_business_hours_the_customer_is_told_when_support_is_back() {
    use otvet::domain::hours::{BusinessHours, WeeklyHours};
    let tz = jiff::tz::TimeZone::get("Europe/Moscow").unwrap();
    let now = jiff::Timestamp::now().to_zoned_datetime(tz.clone());
    // Open only on the day after tomorrow, 09:00–10:00 Moscow time: closed now for sure.
    let day = now.date().checked_add(jiff::Span::new().days(2)).unwrap();
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let spec = format!(
        "{} 09:00-10:00",
        names[day.weekday().to_monday_zero_offset() as usize]
    );
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.hours = BusinessHours::new(WeeklyHours::parse(&spec).unwrap(), tz.clone());
    config.chat.timezone = tz.clone();
    let app = spawn_app_with(config).await;
    // An agent is online, but it is not business hours.
    let (cookie, _) = crate::ws::agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = crate::ws::agent_socket(&app, &cookie).await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("h", "оператор").await;
    let sys = ws.message_from("system").await;
    assert_eq!(sys["event"], "offline", "{sys}");
    let text = sys["text"].as_str().unwrap();
    assert!(text.contains("в 09:00 (Europe/Moscow)"), "{text}");
    let status = ws.until_type("status").await;
    assert_eq!(status["offline"], true);
    let expected = day
        .at(9, 0, 0, 0)
        .to_zoned_datetime(tz)
        .unwrap()
        .timestamp()
        .as_millisecond();
    assert_eq!(status["back_at"], expected, "{status}");
    // The conversation waits in the queue, marked offline, and was not auto-assigned.
    let q = agent
        .until("the queue with it", |v| {
            v["type"] == "queue" && v["items"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    assert_eq!(q["items"][0]["offline"], true);
    assert_eq!(q["items"][0]["status"], "queued");
}

#[tokio::test]
async fn the_expected_wait_is_the_median_of_recent_first_replies() {
    use otvet::store::chat::{Patch, Val};
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.auto_assign = false;
    let app = spawn_app_with(config).await;
    // Three recent conversations answered after 1, 2 and 3 minutes in the queue.
    let store = otvet::Store::connect(&app.database_url).await.unwrap();
    let now = otvet::domain::now_ms();
    for (i, minutes) in [1i64, 2, 3].into_iter().enumerate() {
        let c = store
            .create_customer(&format!("seed-{i}"), now - 3_600_000)
            .await
            .unwrap();
        let conv = store
            .create_conversation(
                c.id,
                "ru",
                None,
                otvet::domain::Channel::Chat,
                now - 3_600_000,
            )
            .await
            .unwrap();
        let queued = now - 1_800_000;
        let patch = Patch::default()
            .set("status", Val::Text("resolved".into()))
            .set("queued_at", Val::Int(queued))
            .set("first_reply_at", Val::Int(queued + minutes * 60_000))
            .set("resolved_at", Val::Int(queued + 600_000));
        assert!(store.update_conversation(conv.id, &patch).await.unwrap());
    }
    store.close().await;
    let (cookie, _) = crate::ws::agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let _agent = crate::ws::agent_socket(&app, &cookie).await;
    let (mut first, _) = new_customer(&app, "ru").await;
    first.say("h", "позовите менеджера").await;
    let sys = first.message_from("system").await;
    assert_eq!(sys["event"], "queued", "{sys}");
    assert!(
        sys["text"].as_str().unwrap().contains("около 2 мин"),
        "{sys}"
    );
    let status = first.until_type("status").await;
    assert_eq!(status["position"], 1);
    assert_eq!(status["wait_secs"], 120);
    assert_eq!(status["offline"], false);
    let (mut second, _) = new_customer(&app, "ru").await;
    second.say("h", "живой человек").await;
    let status = second.until_type("status").await;
    assert_eq!(status["position"], 2);
    // One agent online: the second waits for two rounds.
    assert_eq!(status["wait_secs"], 240);
}

/// Once the SQLite file is deleted under the server (its folder removed), a message would only
/// go into the unlinked file and be lost at the next start: the customer gets an error frame
/// for it, never an `ack`, and no bot answer follows.
#[tokio::test]
async fn no_ack_for_a_message_after_the_database_file_is_deleted() {
    let app = chat_app().await;
    let file = std::path::PathBuf::from(
        app.database_url
            .strip_prefix("sqlite://")
            .expect("the test app's own SQLite file"),
    );
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("d1", "сколько ждать возврат денег на карту").await;
    ws.message_from("bot").await;

    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    ws.send(json!({"type": "send", "client_id": "d2", "text": "а если заказ пришёл разбитым"}))
        .await;
    let err = ws.until_type("error").await;
    assert_eq!(err["code"], "internal", "{err}");
    assert_eq!(err["client_id"], "d2", "{err}");
    ws.none_within(Duration::from_secs(1), "an ack or the message", |v| {
        v["type"] == "ack"
            || (v["type"] == "message" && v["text"] == "а если заказ пришёл разбитым")
    })
    .await;

    // A customer who connects now fares the same.
    let (mut other, _) = new_customer(&app, "ru").await;
    other
        .send(json!({"type": "send", "client_id": "n1", "text": "где мой заказ"}))
        .await;
    let err = other.until_type("error").await;
    assert_eq!(
        (&err["code"], &err["client_id"]),
        (&json!("internal"), &json!("n1"))
    );
    other
        .none_within(Duration::from_secs(1), "an ack", |v| v["type"] == "ack")
        .await;
}
