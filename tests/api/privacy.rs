//! Privacy: a customer's data exported and deleted by email, and the retention sweep — on both
//! backends at the store level; `otvet customer export|delete` as the real binary against a
//! SQLite file filled through the real chat websocket; `--retention-days` applied at start-up.

use std::time::Duration;

use otvet::Store;
use otvet::domain::now_ms;
use otvet::store::chat::{ConversationRow, NewMessage, Patch, Val};
use serde_json::{Value, json};

use crate::helpers::{run_otvet, sample_articles, spawn_app_with, sqlite_url, wait_until};
use crate::store::{TestDb, on_both};
use crate::ws::Ws;

const DAY: i64 = 24 * 3_600_000;
const CLI_TIMEOUT: Duration = Duration::from_secs(60);

on_both!(
    export_holds_the_customers_data_and_nothing_of_another,
    delete_removes_everything_and_a_second_delete_finds_nothing,
    retention_removes_old_texts_and_keeps_new_ones,
);

on_both!(erasure_clears_the_space_the_deleted_rows_leave);

async fn connect(db: &TestDb) -> Store {
    Store::connect(&db.url())
        .await
        .unwrap_or_else(|e| panic!("connect {}: {e:#}", db.url()))
}

/// A customer first seen at `at`, with a name and email when given.
async fn customer(store: &Store, token: &str, who: Option<(&str, &str)>, at: i64) -> i64 {
    let c = store.create_customer(token, at).await.unwrap();
    if let Some((name, email)) = who {
        store
            .set_customer_identity(c.id, Some(name), Some(email), false)
            .await
            .unwrap();
    }
    c.id
}

/// A conversation started at `at` with these messages (author, text, minutes after `at`).
async fn conversation(
    store: &Store,
    customer_id: i64,
    at: i64,
    messages: &[(&'static str, &str, i64)],
) -> ConversationRow {
    let conv = store
        .create_conversation(
            customer_id,
            "ru",
            Some("https://shop.example/cart"),
            otvet::domain::Channel::Chat,
            at,
        )
        .await
        .unwrap();
    for (author, text, minutes) in messages {
        let m = NewMessage {
            author: author.parse().unwrap(),
            text: (*text).to_string(),
            private: *author == "agent" && text.starts_with("заметка"),
            ..Default::default()
        };
        store
            .append_message(conv.id, &m, &Patch::default(), at + minutes * 60_000)
            .await
            .unwrap();
    }
    store.conversation(conv.id).await.unwrap().unwrap()
}

/// Resolves a conversation with a rating and comment, a contact email and a handoff packet.
async fn finish(store: &Store, conv: &ConversationRow, at: i64, contact: Option<&str>) {
    let mut patch = Patch::default()
        .set("status", Val::Text("resolved".into()))
        .set("queued_at", Val::Int(at + 60_000))
        .set("first_reply_at", Val::Int(at + 120_000))
        .set("resolved_at", Val::Int(at + 600_000))
        .set("rating", Val::Int(4))
        .set("rating_comment", Val::Text("помогли, но долго".into()))
        .set("rated_at", Val::Int(at + 700_000))
        .set(
            "handoff",
            Val::Text(json!({"questions": [{"text": "где мой заказ"}]}).to_string()),
        );
    if let Some(e) = contact {
        patch = patch.set("contact_email", Val::Text(e.into()));
    }
    assert!(store.update_conversation(conv.id, &patch).await.unwrap());
}

async fn export_holds_the_customers_data_and_nothing_of_another(db: TestDb) {
    let store = connect(&db).await;
    let now = now_ms();
    let anna = customer(&store, "t-anna", Some(("Анна", "anna@example.com")), now).await;
    let conv = conversation(
        &store,
        anna,
        now,
        &[
            ("customer", "где мой заказ 4815, уже неделю жду", 0),
            ("bot", "Посмотрите статус заказа в личном кабинете.", 0),
            ("agent", "Здравствуйте, Анна! Заказ передан курьеру.", 3),
            ("agent", "заметка: клиентка просила позвонить вечером", 4),
        ],
    )
    .await;
    store
        .record_unresolved(&conv, 1, "где мой заказ 4815", "escalated", "[]", now)
        .await
        .unwrap();
    finish(&store, &conv, now, None).await;
    // Anna's other widget (no identity) where she left her email for an answer.
    let phone = customer(&store, "t-anna-phone", None, now).await;
    let left = conversation(
        &store,
        phone,
        now,
        &[("customer", "можно ли вернуть чайник без коробки", 0)],
    )
    .await;
    let patch = Patch::default().set("contact_email", Val::Text("Anna@Example.com".into()));
    assert!(store.update_conversation(left.id, &patch).await.unwrap());
    // Somebody else.
    let boris = customer(&store, "t-boris", Some(("Борис", "boris@example.com")), now).await;
    conversation(
        &store,
        boris,
        now,
        &[("customer", "телевизор не включается после грозы", 0)],
    )
    .await;

    let export = store
        .customer_export(" ANNA@example.com ", now)
        .await
        .unwrap();
    assert_eq!(export.email, "anna@example.com");
    let ids: Vec<i64> = export.customers.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![anna, phone]);
    let a = &export.customers[0];
    assert_eq!(a.name.as_deref(), Some("Анна"));
    assert_eq!(a.conversations.len(), 1);
    let c = &a.conversations[0];
    let texts: Vec<&str> = c.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts.len(), 4, "{texts:?}");
    assert!(texts.contains(&"где мой заказ 4815, уже неделю жду"));
    assert!(
        c.messages.iter().any(|m| m.private),
        "private notes are data about her too"
    );
    assert_eq!(c.rating, Some(4));
    assert_eq!(c.rating_comment.as_deref(), Some("помогли, но долго"));
    assert_eq!(c.unresolved_questions.len(), 1);
    assert_eq!(
        c.handoff.as_ref().unwrap()["questions"][0]["text"],
        "где мой заказ"
    );
    assert_eq!(export.contact_emails.len(), 1);
    assert_eq!(export.contact_emails[0].conversation_id, left.id);
    assert_eq!(
        export.customers[1].conversations[0].messages[0].text,
        "можно ли вернуть чайник без коробки"
    );
    // Nothing of Boris.
    let json = serde_json::to_string(&export).unwrap();
    assert!(!json.contains("boris") && !json.contains("Борис") && !json.contains("телевизор"));
    // An email nobody has: an empty export.
    let none = store
        .customer_export("nobody@example.com", now)
        .await
        .unwrap();
    assert!(none.is_empty() && none.contact_emails.is_empty());
    store.close().await;
}

async fn delete_removes_everything_and_a_second_delete_finds_nothing(db: TestDb) {
    let store = connect(&db).await;
    let now = now_ms();
    let anna = customer(&store, "t-anna", Some(("Анна", "anna@example.com")), now).await;
    let conv = conversation(
        &store,
        anna,
        now,
        &[
            ("customer", "не пришли деньги за возврат", 0),
            ("bot", "Деньги возвращаются за 10 дней.", 0),
        ],
    )
    .await;
    store
        .record_unresolved(
            &conv,
            1,
            "не пришли деньги за возврат",
            "no_answer",
            "[]",
            now,
        )
        .await
        .unwrap();
    finish(&store, &conv, now, Some("anna@example.com")).await;
    conversation(&store, anna, now + 1, &[("customer", "и ещё вопрос", 0)]).await;
    let boris = customer(&store, "t-boris", Some(("Борис", "boris@example.com")), now).await;
    let b = conversation(&store, boris, now, &[("customer", "где мой заказ", 0)]).await;

    let deleted = store
        .delete_customer_data("anna@example.com")
        .await
        .unwrap();
    assert_eq!(
        deleted.customers,
        vec![(anna, Some("Анна".into()), Some("anna@example.com".into()))]
    );
    assert_eq!(
        (
            deleted.conversations,
            deleted.messages,
            deleted.unresolved_questions
        ),
        (2, 3, 1)
    );
    assert!(store.customer(anna).await.unwrap().is_none());
    assert!(store.conversation(conv.id).await.unwrap().is_none());
    assert!(
        store
            .messages_after(conv.id, 0, true)
            .await
            .unwrap()
            .is_empty()
    );
    let left: Vec<String> = store
        .unresolved_since(0)
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.0)
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(
        store
            .customer_export("anna@example.com", now)
            .await
            .unwrap()
            .is_empty()
    );
    // Boris is untouched.
    assert!(store.customer(boris).await.unwrap().is_some());
    assert_eq!(store.messages_after(b.id, 0, true).await.unwrap().len(), 1);
    // Again: nothing to delete.
    let again = store
        .delete_customer_data("anna@example.com")
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!((again.conversations, again.messages), (0, 0));
    store.close().await;
}

async fn retention_removes_old_texts_and_keeps_new_ones(db: TestDb) {
    let store = connect(&db).await;
    let now = now_ms();
    let old = now - 40 * DAY;
    // Gone quiet 40 days ago.
    let quiet = customer(&store, "t-quiet", Some(("Вера", "vera@example.com")), old).await;
    let q_conv = conversation(
        &store,
        quiet,
        old,
        &[
            ("customer", "мой телефон +7 912 345-67-89, перезвоните", 0),
            ("agent", "Перезвоним сегодня.", 5),
        ],
    )
    .await;
    store
        .record_unresolved(
            &q_conv,
            1,
            "мой телефон [phone], перезвоните",
            "escalated",
            "[]",
            old,
        )
        .await
        .unwrap();
    finish(&store, &q_conv, old, Some("vera@example.com")).await;
    // An old customer who came back yesterday.
    let back = customer(&store, "t-back", Some(("Глеб", "gleb@example.com")), old).await;
    let b_old = conversation(&store, back, old, &[("customer", "старый вопрос", 0)]).await;
    let b_new = conversation(
        &store,
        back,
        now - DAY,
        &[("customer", "новый вопрос про доставку", 0)],
    )
    .await;
    store
        .record_unresolved(
            &b_new,
            1,
            "новый вопрос про доставку",
            "no_answer",
            "[]",
            now - DAY,
        )
        .await
        .unwrap();
    finish(&store, &b_new, now - DAY, None).await;

    let report = store.apply_retention(now - 30 * DAY).await.unwrap();
    assert_eq!(report.messages, 3, "{report:?}");
    assert_eq!(report.unresolved_questions, 1, "{report:?}");
    assert_eq!(
        report.conversations, 1,
        "handoff and contact email: {report:?}"
    );
    assert_eq!(report.rating_comments, 1, "{report:?}");
    assert_eq!(report.customers, 1, "{report:?}");

    // Old texts are gone, the conversation row stays with its times and rating.
    assert!(
        store
            .messages_after(q_conv.id, 0, true)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .messages_after(b_old.id, 0, true)
            .await
            .unwrap()
            .is_empty()
    );
    let c = store.conversation(q_conv.id).await.unwrap().unwrap();
    assert_eq!(c.rating, Some(4));
    assert_eq!(c.rating_comment, None);
    assert_eq!(c.handoff, None);
    assert_eq!(c.contact_email, None);
    assert_eq!(c.first_reply_at, Some(old + 120_000));
    assert_eq!(c.resolved_at, Some(old + 600_000));
    assert_eq!(c.last_seq, 2);
    let v = store.customer(quiet).await.unwrap().unwrap();
    assert_eq!((v.name, v.email, v.verified), (None, None, false));
    // What is recent stays: the returning customer's identity, new messages, rating comment.
    let g = store.customer(back).await.unwrap().unwrap();
    assert_eq!(g.email.as_deref(), Some("gleb@example.com"));
    let texts: Vec<String> = store
        .messages_after(b_new.id, 0, true)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, vec!["новый вопрос про доставку"]);
    let n = store.conversation(b_new.id).await.unwrap().unwrap();
    assert_eq!(n.rating_comment.as_deref(), Some("помогли, но долго"));
    assert!(n.handoff.is_some());
    let kept: Vec<String> = store
        .unresolved_since(0)
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.0)
        .collect();
    assert_eq!(kept, vec!["новый вопрос про доставку"]);
    // A second sweep has nothing left to do.
    let again = store.apply_retention(now - 30 * DAY).await.unwrap();
    assert!(again.is_empty(), "{again:?}");
    store.close().await;
}

// ---------------------------------------------------------------------------------------------
// The real binary and the real server
// ---------------------------------------------------------------------------------------------

fn config_on(url: &str) -> otvet::Config {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.database_url = url.to_string();
    // Mail on, so the widget may leave an email (it is queued, to a closed port).
    config.mail = Some(crate::mail::mail_config(
        "smtp://127.0.0.1:9",
        "support@otvet.test",
        false,
    ));
    config
}

fn cli(args: &[&str], url: &str) -> (Option<i32>, String, String) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--database", url]);
    let out = run_otvet(&all, CLI_TIMEOUT);
    (out.code, out.stdout, out.stderr)
}

#[tokio::test]
async fn customer_export_and_delete_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("otvet.db"));
    let app = spawn_app_with(config_on(&url)).await;
    // Anna, identified by the shop, asks the bot, then for a person, and leaves her email.
    let mut anna = Ws::customer(&app).await;
    let welcome = anna
        .hello(json!({"lang": "ru", "identity": {"name": "Анна Петрова", "email": "Anna@Example.com"}}))
        .await;
    assert_eq!(
        welcome["customer"]["email"], "anna@example.com",
        "{welcome}"
    );
    anna.say("a1", "сколько ждать возврат денег на карту").await;
    anna.message_from("bot").await;
    anna.say("a2", "позовите оператора").await;
    anna.message_from("system").await;
    anna.send(json!({"type": "contact", "client_id": "c1", "email": "anna@example.com"}))
        .await;
    anna.until("the contact note", |v| {
        v["type"] == "message" && v["event"] == "contact"
    })
    .await;
    // Boris asks something else.
    let mut boris = Ws::customer(&app).await;
    boris
        .hello(json!({"lang": "ru", "identity": {"name": "Борис", "email": "boris@example.com"}}))
        .await;
    boris.say("b1", "телевизор не включается после грозы").await;
    boris.message_from("bot").await;
    anna.close().await;
    boris.close().await;
    app.stop().await;

    let (code, stdout, stderr) = cli(&["customer", "export", "anna@example.com"], &url);
    assert_eq!(code, Some(0), "{stderr}");
    let export: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(export["email"], "anna@example.com");
    let customers = export["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 1, "{export:#}");
    assert_eq!(customers[0]["name"], "Анна Петрова");
    let conv = &customers[0]["conversations"][0];
    let texts: Vec<&str> = conv["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert!(
        texts.contains(&"сколько ждать возврат денег на карту"),
        "{texts:#?}"
    );
    assert!(texts.contains(&"позовите оператора"), "{texts:#?}");
    assert!(
        conv["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["author"] == "bot"),
        "the bot's answers are part of it"
    );
    assert_eq!(conv["contact_email"], "anna@example.com");
    assert_eq!(export["contact_emails"][0]["conversation_id"], conv["id"]);
    assert!(
        !stdout.contains("boris") && !stdout.contains("телевизор"),
        "{stdout}"
    );

    let (code, stdout, stderr) = cli(&["customer", "delete", "ANNA@example.com"], &url);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("Анна Петрова <anna@example.com>"),
        "{stdout}"
    );
    assert!(
        stdout.contains("deleted for anna@example.com: 1 customer record(s), 1 conversation(s), "),
        "{stdout}"
    );
    let (code, stdout, _) = cli(&["customer", "export", "anna@example.com"], &url);
    assert_eq!(code, Some(0));
    let export: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(export["customers"], json!([]), "{export:#}");
    // A second delete has nothing to delete, and says so.
    let (code, stdout, _) = cli(&["customer", "delete", "anna@example.com"], &url);
    assert_eq!(code, Some(0));
    assert!(stdout.starts_with("nothing to delete"), "{stdout}");
    // Boris is still there.
    let (_, stdout, _) = cli(&["customer", "export", "boris@example.com"], &url);
    assert!(
        stdout.contains("телевизор не включается после грозы"),
        "{stdout}"
    );
}

#[tokio::test]
async fn the_server_applies_the_retention_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("otvet.db"));
    // A conversation from 40 days ago and one from today.
    let store = Store::connect(&url).await.unwrap();
    let now = now_ms();
    let old_customer = customer(
        &store,
        "t-old",
        Some(("Вера", "vera@example.com")),
        now - 40 * DAY,
    )
    .await;
    let old = conversation(
        &store,
        old_customer,
        now - 40 * DAY,
        &[("customer", "старый вопрос", 0)],
    )
    .await;
    let new_customer_id = customer(&store, "t-new", Some(("Глеб", "gleb@example.com")), now).await;
    let new = conversation(
        &store,
        new_customer_id,
        now,
        &[("customer", "новый вопрос", 0)],
    )
    .await;
    store.close().await;

    let mut config = config_on(&url);
    config.retention_days = Some(30);
    let app = spawn_app_with(config).await;
    let store = Store::connect(&url).await.unwrap();
    let gone = wait_until(Duration::from_secs(10), || {
        let store = store.clone();
        async move {
            store
                .messages_after(old.id, 0, true)
                .await
                .unwrap()
                .is_empty()
        }
    })
    .await;
    assert!(gone.is_some(), "the old text was not removed at start-up");
    assert_eq!(
        store.messages_after(new.id, 0, true).await.unwrap().len(),
        1
    );
    assert_eq!(
        store.customer(old_customer).await.unwrap().unwrap().email,
        None
    );
    assert_eq!(
        store
            .customer(new_customer_id)
            .await
            .unwrap()
            .unwrap()
            .email
            .as_deref(),
        Some("gleb@example.com")
    );
    store.close().await;
    app.stop().await;

    // Without the setting nothing is removed.
    let store = Store::connect(&url).await.unwrap();
    let older = conversation(
        &store,
        new_customer_id,
        now - 400 * DAY,
        &[("customer", "совсем старый", 0)],
    )
    .await;
    store.close().await;
    let app = spawn_app_with(config_on(&url)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(
        store.messages_after(older.id, 0, true).await.unwrap().len(),
        1
    );
    store.close().await;
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Erasure down to the bytes
// ---------------------------------------------------------------------------------------------

/// Everything in the SQLite database's files in `dir` (`otvet.db`, its `-wal`, `-shm`…).
fn sqlite_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("otvet.db") {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    all
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

const SECRET: &str = "посылка QX7Z-ZULU пришла пустой";

/// At the store level on both backends: after the deletion and [`Store::scrub_deleted`], the
/// SQLite files no longer hold a byte of the deleted texts (deleted rows are zeroed, the
/// write-ahead log emptied) while another customer's are still there; PostgreSQL's tables
/// touched by the deletion were vacuumed.
async fn erasure_clears_the_space_the_deleted_rows_leave(db: TestDb) {
    let store = connect(&db).await;
    let now = now_ms();
    let anna = customer(
        &store,
        "t-anna",
        Some(("Анна", "anna.secret@example.com")),
        now,
    )
    .await;
    let conv = conversation(&store, anna, now, &[("customer", SECRET, 0)]).await;
    store
        .record_unresolved(&conv, 1, SECRET, "no_answer", "[]", now)
        .await
        .unwrap();
    let boris = customer(&store, "t-boris", Some(("Борис", "boris@example.com")), now).await;
    conversation(
        &store,
        boris,
        now,
        &[("customer", "телевизор KEEP-ME не включается", 0)],
    )
    .await;
    if let crate::store::TestDb::Sqlite(dir) = &db {
        let bytes = sqlite_bytes(dir.path());
        assert!(holds(&bytes, SECRET), "the text is in the files before");
    }

    let deleted = store
        .delete_customer_data("anna.secret@example.com")
        .await
        .unwrap();
    assert_eq!((deleted.messages, deleted.unresolved_questions), (1, 1));
    store.scrub_deleted().await.expect("scrub");
    store.scrub_deleted().await.expect("scrub again");
    match &db {
        crate::store::TestDb::Sqlite(dir) => {
            let bytes = sqlite_bytes(dir.path());
            for gone in [SECRET, "QX7Z-ZULU", "anna.secret@example.com"] {
                assert!(!holds(&bytes, gone), "{gone:?} is still in the files");
            }
            assert!(holds(&bytes, "KEEP-ME"), "another customer's text is kept");
        }
        crate::store::TestDb::Postgres(_) => {
            let Store::Postgres(pool) = &store else {
                unreachable!("a PostgreSQL URL")
            };
            let vacuumed = wait_until(Duration::from_secs(10), || async {
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL \
                     AND relname IN ('messages', 'conversations', 'customers', \
                     'unresolved_questions')",
                )
                .fetch_one(pool)
                .await
                .unwrap();
                n == 4
            })
            .await;
            assert!(vacuumed.is_some(), "the four tables were vacuumed");
        }
    }
    store.close().await;
}

/// `otvet customer delete` against the file of a running server: afterwards the customer's
/// message, name and email are in none of the database's files, neither while the server still
/// runs nor after it stopped.
#[tokio::test]
async fn customer_delete_leaves_no_trace_in_the_sqlite_files() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("otvet.db"));
    let app = spawn_app_with(config_on(&url)).await;
    let mut anna = Ws::customer(&app).await;
    anna.hello(json!({"lang": "ru", "identity": {"name": "Анна Секретова", "email": "anna.secret@example.com"}}))
        .await;
    anna.say("a1", SECRET).await;
    anna.message_from("bot").await;
    let mut boris = Ws::customer(&app).await;
    boris
        .hello(json!({"lang": "ru", "identity": {"name": "Борис", "email": "boris@example.com"}}))
        .await;
    boris.say("b1", "телевизор KEEP-ME не включается").await;
    boris.message_from("bot").await;
    anna.close().await;
    assert!(
        holds(&sqlite_bytes(dir.path()), SECRET),
        "the text is in the files before"
    );

    let (code, stdout, stderr) = cli(&["customer", "delete", "anna.secret@example.com"], &url);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("1 customer record(s)"), "{stdout}");
    let gone = [SECRET, "QX7Z-ZULU", "anna.secret@example.com", "Секретова"];
    let bytes = sqlite_bytes(dir.path());
    for text in gone {
        assert!(!holds(&bytes, text), "{text:?} is still in the files");
    }
    assert!(holds(&bytes, "KEEP-ME"), "another customer's text is kept");

    boris.close().await;
    app.stop().await;
    let bytes = sqlite_bytes(dir.path());
    for text in gone {
        assert!(
            !holds(&bytes, text),
            "{text:?} is in the files after the stop"
        );
    }
}
