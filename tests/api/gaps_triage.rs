//! What makes the gap report trustworthy for editors (issue 15, item 6): needs ranked by the
//! people they cost, chat questions and searches of one need in one cluster, off-topic chatter
//! and gibberish set apart with readable titles, dismissing and snoozing remembered, requests for
//! a person after an answer not counted as content gaps, drafts written from what agents
//! answered.

use std::collections::BTreeMap;

use otvet::Store;
use otvet::agents::Role;
use otvet::analytics::gaps::{self, Class};
use otvet::domain::answer::Answer;
use otvet::domain::{Author, Channel, now_ms};
use otvet::store::chat::{NewMessage, Patch};
use serde_json::{Value, json};

use super::{DAY, HOUR, Seeder, cluster_of, describe, engine, gap_report, json_cluster, sign_in};
use crate::helpers::{RELOAD_TIMEOUT, copy_fixture, fixture, spawn_app, wait_until};
use crate::store::TestDb;
use crate::ws::new_customer;

/// Needs first, by distinct people (one person asking five times weighs less than three
/// people asking once); gibberish — even typed by the most people — and small talk after them;
/// titles of wrong-layout texts decoded.
async fn needs_rank_by_people_and_noise_comes_last(db: TestDb) {
    let store = Store::connect(&db.url()).await.expect("connect");
    let engine = tokio::task::spawn_blocking(|| engine(&fixture("small-kb")))
        .await
        .unwrap();
    let mut s = Seeder {
        store: store.clone(),
        engine,
        customers: BTreeMap::new(),
    };
    let now = now_ms();
    for i in 0..5 {
        s.ask(
            "mila",
            "как вернуть деньги",
            "no_answer",
            now - DAY - i * HOUR,
        )
        .await;
    }
    for who in ["a", "b", "c"] {
        s.ask(who, "сколько стоит доставка", "no_answer", now - 2 * DAY)
            .await;
    }
    for (who, text) in [
        ("g1", "asdfgh"),
        ("g2", "фывапролдж"),
        ("g3", "asdfgh"),
        ("g4", "ккккккк"),
        ("g5", "asdfgh"),
        ("g6", "фывапролдж"),
    ] {
        s.ask(who, text, "no_answer", now - DAY).await;
    }
    for who in ["t1", "t2"] {
        s.ask(who, "расскажи анекдот", "no_answer", now - DAY).await;
    }
    s.ask("w1", "ufhfynbz", "no_answer", now - DAY).await;
    s.ask("w2", "gjlfhjxyfz egfrjdrf", "no_answer", now - DAY)
        .await;

    // Asked for a person after the bot's answer: not a gap unless the answer got "No".
    for (i, rejected) in [(0, false), (1, true)] {
        escalated_after_an_answer(&store, i, rejected, now - DAY).await;
    }

    let report = gaps::build_report(&store, &s.engine, 7 * DAY, now)
        .await
        .unwrap();
    let all = describe(&report.clusters);
    assert_eq!(report.answered_escalations, 1, "{all}");
    assert_eq!(report.questions, 18 + 1, "{all}");
    let rejected = cluster_of(&report.clusters, "как почистить чайник от накипи");
    assert_eq!(rejected.asked, 1, "only the rejected answer counts: {all}");
    let cost = cluster_of(&report.clusters, "сколько стоит доставка");
    let refund = cluster_of(&report.clusters, "как вернуть деньги");
    assert_eq!((cost.customers, cost.size), (3, 3), "{all}");
    assert_eq!((refund.customers, refund.size), (1, 5), "{all}");
    let pos = |id: &str| report.clusters.iter().position(|c| c.id == id).unwrap();
    assert!(
        pos(&cost.id) < pos(&refund.id),
        "people, not retypes:\n{all}"
    );

    let mashing: Vec<_> = report
        .clusters
        .iter()
        .filter(|c| c.class == Class::Gibberish)
        .collect();
    assert!(!mashing.is_empty(), "{all}");
    assert_ne!(report.clusters[0].class, Class::Gibberish, "{all}");
    let chatter = cluster_of(&report.clusters, "расскажи анекдот");
    assert_eq!(chatter.class, Class::OffTopic, "{all}");
    for c in &report.clusters {
        assert!(
            !(c.class != Class::Need
                && report.clusters[pos(&c.id)..]
                    .iter()
                    .any(|d| d.class == Class::Need)),
            "a need after noise:\n{all}"
        );
    }
    for t in ["ufhfynbz", "gjlfhjxyfz egfrjdrf"] {
        assert_eq!(cluster_of(&report.clusters, t).class, Class::Need, "{all}");
    }
    assert_eq!(
        cluster_of(&report.clusters, "ufhfynbz").title,
        "Гарантия",
        "{all}"
    );
    assert_eq!(
        cluster_of(&report.clusters, "gjlfhjxyfz egfrjdrf").title,
        "Подарочная упаковка",
        "{all}"
    );
    store.close().await;
}

crate::store::on_both!(needs_rank_by_people_and_noise_comes_last);

/// A conversation where the bot answered a question and the customer then asked for a person
/// (`rejected`: after saying "No" to the answer), recorded as the chat records it.
async fn escalated_after_an_answer(store: &Store, i: usize, rejected: bool, at: i64) {
    let customer = store
        .create_customer(&format!("token-answered-{i}"), at)
        .await
        .unwrap();
    let conv = store
        .create_conversation(customer.id, "ru", None, Channel::Chat, at)
        .await
        .unwrap();
    let question = "как почистить чайник от накипи";
    let messages = [
        NewMessage {
            author: Author::Customer,
            text: question.into(),
            ..Default::default()
        },
        NewMessage {
            author: Author::Bot,
            text: "Залейте раствор лимонной кислоты.".into(),
            answer: Some(Answer {
                title: "Как удалить накипь в чайнике".into(),
                url: "/ru/articles/kettle-descaling".into(),
                slug: "kettle-descaling".into(),
                confidence: 0.9,
                ask_feedback: true,
                ..Default::default()
            }),
            ..Default::default()
        },
        NewMessage {
            author: Author::Customer,
            text: "оператор".into(),
            ..Default::default()
        },
    ];
    for m in &messages {
        store
            .append_message(conv.id, m, &Patch::default(), at)
            .await
            .unwrap();
    }
    if rejected {
        store
            .set_answer_feedback(conv.id, 2, false)
            .await
            .unwrap()
            .expect("the answer");
    }
    let conv = store.conversation(conv.id).await.unwrap().unwrap();
    store
        .record_unresolved(&conv, 1, question, "escalated", "[]", at)
        .await
        .unwrap();
}

/// The real chat: a customer the bot answered who then asks for a person is not a content gap;
/// one who said "No" to the answer is, and so is one the bot could not answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_for_a_person_after_an_answer_is_not_a_gap() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let editor = sign_in(&app, "editor@example.com", Role::Editor).await;
    let question = "как удалить накипь в чайнике";

    // Answered, then "a person please".
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q", question).await;
    let answer = ws.message_from("bot").await;
    assert!(answer["answer"].is_object(), "{answer}");
    ws.say("h", "позовите оператора").await;
    ws.message_from("system").await;
    ws.close().await;

    // Answered, "No".
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q", question).await;
    let answer = ws.message_from("bot").await;
    ws.send(json!({"type": "feedback", "seq": answer["seq"], "helpful": false}))
        .await;
    ws.message_from("system").await;
    ws.close().await;

    // Not answered, then "a person please".
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q", "можно ли оплатить криптовалютой").await;
    ws.message_from("bot").await;
    ws.say("h", "позовите оператора").await;
    ws.message_from("system").await;
    ws.close().await;

    let seen = wait_until(RELOAD_TIMEOUT, || async {
        gap_report(&editor).await["answered_escalations"] == 1
    })
    .await;
    let report = gap_report(&editor).await;
    assert!(seen.is_some(), "{report:#}");
    assert_eq!(report["questions"], 2, "{report:#}");
    let c = json_cluster(&report, "clusters", question).unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(c["asked"], 1, "only the one who said No: {c:#}");
    assert_eq!(c["reasons"], json!({"not_helpful": 1}), "{c:#}");
    assert!(json_cluster(&report, "clusters", "можно ли оплатить криптовалютой").is_some());
}

/// Dismissing and snoozing from the page (CSRF-checked forms) and the API; remembered in the
/// store, also when a new phrasing joins the cluster (which changes nothing of its texts'
/// majority); brought back by "undo". Noise has no draft link, and its draft URL answers 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clusters_are_dismissed_and_snoozed_and_brought_back() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let editor = sign_in(&app, "editor@example.com", Role::Editor).await;
    let agent = sign_in(&app, "agent@example.com", Role::Agent).await;
    let store = Store::connect(&app.database_url).await.unwrap();
    let engine = tokio::task::spawn_blocking(|| engine(&fixture("small-kb")))
        .await
        .unwrap();
    let mut s = Seeder {
        store: store.clone(),
        engine,
        customers: BTreeMap::new(),
    };
    let now = now_ms();
    for (who, text) in [
        ("a", "можно ли оплатить криптовалютой"),
        ("b", "оплата криптовалютой"),
        ("c", "сколько стоит доставка"),
        ("d", "сколько стоит доставка?"),
        ("e", "asdfgh"),
        ("f", "asdfgh"),
        ("g", "asdfgh"),
    ] {
        s.ask(who, text, "no_answer", now - DAY).await;
    }
    let report = gap_report(&editor).await;
    let crypto = json_cluster(&report, "clusters", "оплата криптовалютой").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cost = json_cluster(&report, "clusters", "сколько стоит доставка").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mash = json_cluster(&report, "clusters", "asdfgh").unwrap().clone();
    assert_eq!(mash["class"], "gibberish", "{report:#}");
    assert_ne!(report["clusters"][0]["class"], "gibberish");

    let (_, html) = editor.page("/agent/gaps?since=7d").await;
    screenshot(
        &app.base_url,
        "/agent/gaps?since=7d",
        &editor.cookie,
        "gaps.png",
    );
    let noise = &html[html.find("id=\"noise\"").expect("the noise section")..];
    let mash_id = mash["id"].as_str().unwrap();
    assert!(
        noise.contains(&format!("data-cluster=\"{mash_id}\"")),
        "{noise}"
    );
    assert!(
        !html.contains(&format!("/agent/gaps/{mash_id}/draft.md")),
        "{html}"
    );
    // Nor does its draft URL answer, typed by hand: 404 as for an unknown cluster.
    let res = editor
        .request(
            reqwest::Method::GET,
            &format!("/agent/gaps/{mash_id}/draft.md?since=7d"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let body = res.text().await.unwrap();
    assert!(body.contains("off-topic or gibberish"), "{body}");
    let (status, _) = editor
        .page("/agent/gaps/g0000000000/draft.md?since=7d")
        .await;
    assert_eq!(status, 404);
    assert!(
        html.contains(&format!("/agent/gaps/{crypto}/draft.md")),
        "{html}"
    );
    assert!(
        html.contains(&format!("action=\"/agent/gaps/{crypto}/dismiss\"")),
        "{html}"
    );

    // The form without its CSRF token is refused; with it the cluster is snoozed.
    let path = format!("/agent/gaps/{crypto}/dismiss");
    let (status, _, _) = editor
        .post_form(&path, &[("since", "7d"), ("action", "snooze")])
        .await;
    assert_eq!(status, 403);
    let (status, location, body) = editor
        .post_form(
            &path,
            &[
                ("csrf", &editor.csrf),
                ("since", "7d"),
                ("action", "snooze"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/agent/gaps?since=7d"),
        "{body}"
    );
    let report = gap_report(&editor).await;
    assert!(
        json_cluster(&report, "clusters", "оплата криптовалютой").is_none(),
        "{report:#}"
    );
    let d = &report["dismissed"][0];
    assert_eq!(d["cluster"], crypto.as_str());
    assert_eq!(d["hides"], 1);
    let until = d["until"].as_i64().unwrap();
    assert!((until - now - 30 * DAY).abs() < HOUR, "{d}");

    // A new phrasing of the same need stays hidden with it.
    s.ask("h", "принимаете криптовалюту?", "no_answer", now - HOUR)
        .await;
    let report = gap_report(&editor).await;
    assert!(
        json_cluster(&report, "clusters", "принимаете криптовалюту?").is_none(),
        "{report:#}"
    );

    // The API: agents may not; editors dismiss for good and undo.
    let api = format!("/agent/api/gaps/{cost}/dismiss");
    assert_eq!(agent.post(&api, &json!({"since": "7d"})).await.0, 403);
    let (status, body) = editor.post(&api, &json!({"since": "7d"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["until"], Value::Null);
    let report = gap_report(&editor).await;
    assert!(json_cluster(&report, "clusters", "сколько стоит доставка").is_none());
    assert_eq!(
        editor
            .post("/agent/api/gaps/g0000000000/dismiss", &json!({}))
            .await
            .0,
        404
    );
    let (status, _) = editor
        .delete(&format!("/agent/api/gaps/dismissed/{}", body["id"]))
        .await;
    assert_eq!(status, 204);
    let report = gap_report(&editor).await;
    assert!(json_cluster(&report, "clusters", "сколько стоит доставка").is_some());

    // The snooze, undone from the page.
    let (_, html) = editor.page("/agent/gaps?since=7d").await;
    assert!(html.contains("id=\"dismissed\""), "{html}");
    let id = report["dismissed"][0]["id"].as_i64().unwrap();
    let (status, location, _) = editor
        .post_form(
            &format!("/agent/gaps/dismissed/{id}/undo"),
            &[("csrf", &editor.csrf), ("since", "7d")],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, "/agent/gaps?since=7d"));
    let report = gap_report(&editor).await;
    assert!(json_cluster(&report, "clusters", "оплата криптовалютой").is_some());
    assert_eq!(report["dismissed"], json!([]));
    store.close().await;
}

/// The draft's body is what agents answered those customers, personal data masked, without
/// their private notes; its questions are the customers' phrasings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_are_written_from_what_agents_answered() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let editor = sign_in(&app, "editor@example.com", Role::Editor).await;
    let store = Store::connect(&app.database_url).await.unwrap();
    let now = now_ms();
    for (i, (question, reply)) in [
        (
            "можно ли оплатить криптовалютой",
            "Нет, криптовалюту мы не принимаем: только карты и СБП. Пишите на pay@shop.example",
        ),
        (
            "оплата криптовалютой",
            "Нет, криптовалюту мы не принимаем: только карты и СБП. Пишите на pay@shop.example",
        ),
        (
            "принимаете криптовалюту?",
            "Пока нет, но оплатить можно картой любого банка.",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let at = now - DAY + i as i64 * HOUR;
        let customer = store
            .create_customer(&format!("token-draft-{i}"), at)
            .await
            .unwrap();
        let conv = store
            .create_conversation(customer.id, "ru", None, Channel::Chat, at)
            .await
            .unwrap();
        for (author, text, private) in [
            (Author::Customer, question, false),
            (
                Author::Agent,
                "заметка: клиент злой, телефон +7 912 345-67-89",
                true,
            ),
            (Author::Agent, reply, false),
        ] {
            let m = NewMessage {
                author,
                text: text.to_string(),
                private,
                ..Default::default()
            };
            store
                .append_message(conv.id, &m, &Patch::default(), at)
                .await
                .unwrap();
        }
        let conv = store.conversation(conv.id).await.unwrap().unwrap();
        store
            .record_unresolved(&conv, 1, question, "no_answer", "[]", at)
            .await
            .unwrap();
    }
    let report = gap_report(&editor).await;
    let c = json_cluster(&report, "clusters", "оплата криптовалютой")
        .unwrap_or_else(|| panic!("{report:#}"));
    let id = c["id"].as_str().unwrap();
    let res = editor
        .request(
            reqwest::Method::GET,
            &format!("/agent/gaps/{id}/draft.md?since=7d"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let md = res.text().await.unwrap();
    screenshot_text(&md, "Черновик: draft.md", "gap-draft.png");
    let body = md
        .splitn(3, "---\n")
        .nth(2)
        .expect("a body after the front matter");
    assert!(md.contains("  - \"принимаете криптовалюту?\"\n"), "{md}");
    assert!(
        body.contains("Нет, криптовалюту мы не принимаем: только карты и СБП. Пишите на [email]"),
        "{md}"
    );
    assert_eq!(
        body.matches("Нет, криптовалюту").count(),
        1,
        "the same reply once: {md}"
    );
    assert!(body.contains("оплатить можно картой любого банка"), "{md}");
    assert!(
        !md.contains("pay@shop.example") && !md.contains("заметка"),
        "{md}"
    );
    store.close().await;
}

/// With `OTVET_SCREENSHOTS=<folder>` and Chromium, a picture of an agent page for the README.
fn screenshot(base: &str, path: &str, cookie: &str, file: &str) {
    let Ok(dir) = std::env::var("OTVET_SCREENSHOTS") else {
        return;
    };
    if crate::browser::missing_prerequisite().is_some() {
        return;
    }
    let out = std::path::Path::new(&dir).join(file);
    let ok = std::process::Command::new("node")
        .arg(crate::browser::browser_dir().join("shot.mjs"))
        .arg(format!("{base}{path}"))
        .arg(&out)
        .arg(cookie)
        .current_dir(crate::browser::browser_dir())
        .env("OTVET_CHROMIUM", crate::browser::chromium())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "shot.mjs failed for {path}");
}

/// The same for a text (a draft as the editor gets it).
fn screenshot_text(text: &str, title: &str, file: &str) {
    let Ok(dir) = std::env::var("OTVET_SCREENSHOTS") else {
        return;
    };
    if crate::browser::missing_prerequisite().is_some() {
        return;
    }
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), text).unwrap();
    let out = std::path::Path::new(&dir).join(file);
    let ok = std::process::Command::new("node")
        .arg(crate::browser::browser_dir().join("shot.mjs"))
        .arg("--text")
        .arg(tmp.path())
        .arg(&out)
        .arg(title)
        .current_dir(crate::browser::browser_dir())
        .env("OTVET_CHROMIUM", crate::browser::chromium())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "shot.mjs failed for {file}");
}
