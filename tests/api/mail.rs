//! The email channel against real mail servers on 127.0.0.1 (`tests/mail/setup`: Postfix for
//! SMTP on port 25, Dovecot for IMAP on port 143, every `*@otvet.test` a mailbox with the
//! password `test`, `reject-*` refused with 550). Without them these tests say why and skip;
//! `OTVET_REQUIRE_MAIL=1` (set by `.ci/run`) makes them fail instead.
//!
//! Also, without a mail server: the conversation page a mail links to.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lettre::AsyncTransport;
use serde_json::json;

use crate::helpers::{TestApp, sample_articles, spawn_app_with};
use crate::ws::{agent_cookie, agent_socket, new_customer, queue_with};

/// How long a test waits for a mail to arrive.
const MAIL_TIMEOUT: Duration = Duration::from_secs(30);

/// The SMTP server the tests send through, as the app does.
const SMTP_PORT: u16 = 25;
/// The IMAP server holding every test mailbox.
const IMAP_PORT: u16 = 143;

/// Whether the mail servers answer; `false` (and a note) when they do not and they are not
/// required.
pub fn mail_servers() -> bool {
    let up = |port| {
        std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_secs(1),
        )
        .is_ok()
    };
    if up(SMTP_PORT) && up(IMAP_PORT) {
        return true;
    }
    let why = "no SMTP server on 127.0.0.1:25 or IMAP server on 127.0.0.1:143 (run tests/mail/setup as root)";
    if std::env::var("OTVET_REQUIRE_MAIL").is_ok_and(|v| v == "1") {
        panic!("OTVET_REQUIRE_MAIL=1 but {why}");
    }
    eprintln!("skipping a mail test: {why}");
    false
}

/// A fresh mailbox address on the test domain.
pub fn mailbox(prefix: &str) -> String {
    format!(
        "{prefix}-{}@otvet.test",
        &otvet::domain::token::new_token()[..10]
    )
}

/// The mail options of a test app: sending through `smtp`, as `support`, reading `support`'s
/// mailbox when `read` is set; short waits so tests are quick.
pub fn mail_config(smtp: &str, support: &str, read: bool) -> otvet::mail::MailConfig {
    let imap = read.then(|| {
        format!(
            "imap://{}:test@127.0.0.1:{IMAP_PORT}",
            support.replace('@', "%40")
        )
    });
    let mut m = otvet::mail::MailConfig::new(
        smtp.to_string(),
        &format!("Поддержка магазина <{support}>"),
        None,
        imap,
        "INBOX".into(),
        Duration::from_millis(300),
        Duration::from_secs(1),
    )
    .expect("mail config");
    m.retry_base = Duration::from_millis(300);
    m
}

/// An app with mail on (and `--secret test-secret`, so tests can sign links).
async fn mail_app(m: otvet::mail::MailConfig) -> TestApp {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.secret = Some(SECRET.into());
    config.mail = Some(m);
    spawn_app_with(config).await
}

const SECRET: &str = "test-secret";

/// Every mail in `user`'s INBOX, raw.
pub async fn inbox(user: &str) -> Vec<Vec<u8>> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", IMAP_PORT))
        .await
        .expect("IMAP connect");
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.expect("IMAP greeting");
    let mut s = client
        .login(user, "test")
        .await
        .map_err(|(e, _)| e)
        .expect("IMAP login");
    s.select("INBOX").await.expect("select INBOX");
    let mut out = Vec::new();
    {
        let mut f = s.fetch("1:*", "BODY.PEEK[]").await.expect("fetch");
        while let Some(item) = f.next().await {
            // An empty mailbox answers "1:*" with nothing (or a NO on some servers).
            let Ok(item) = item else { break };
            if let Some(b) = item.body() {
                out.push(b.to_vec());
            }
        }
    }
    let _ = s.logout().await;
    out
}

/// A received mail, parsed.
pub struct Got {
    pub raw: Vec<u8>,
    pub subject: String,
    pub text: String,
    pub message_id: String,
    pub reply_to: Option<String>,
}

impl Got {
    fn parse(raw: Vec<u8>) -> Got {
        let m = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("a mail");
        Got {
            subject: m.subject().unwrap_or_default().to_string(),
            text: m
                .body_text(0)
                .map(|t| t.replace("\r\n", "\n"))
                .unwrap_or_default(),
            message_id: format!("<{}>", m.message_id().unwrap_or_default()),
            reply_to: m
                .reply_to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(str::to_string),
            raw: raw.clone(),
        }
    }

    /// A raw header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        let m = mail_parser::MessageParser::default().parse(&self.raw)?;
        m.headers_raw()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    }
}

/// Waits for `n` mails in `user`'s INBOX; returns them, oldest first.
pub async fn wait_mails(user: &str, n: usize) -> Vec<Got> {
    let start = Instant::now();
    loop {
        let mails = inbox(user).await;
        if mails.len() >= n {
            return mails.into_iter().map(Got::parse).collect();
        }
        assert!(
            start.elapsed() < MAIL_TIMEOUT,
            "{user} got {} mail(s) in {MAIL_TIMEOUT:?}, expected {n}",
            mails.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Sends a mail as a customer's mail client would, through the SMTP server.
pub async fn send_mail(from: &str, to: &str, subject: &str, body: &str, headers: &[(&str, &str)]) {
    let mut raw = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@client.otvet.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
        otvet::domain::token::new_token()
    );
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    raw.push_str(&body.replace('\n', "\r\n"));
    raw.push_str("\r\n");
    let bare = |a: &str| {
        a.rsplit_once('<')
            .map_or(a, |(_, r)| r.trim_end_matches('>'))
            .to_string()
    };
    let envelope = lettre::address::Envelope::new(
        Some(bare(from).parse().expect("from")),
        vec![to.parse().expect("to")],
    )
    .expect("envelope");
    lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(SMTP_PORT)
        .build()
        .send_raw(&envelope, raw.as_bytes())
        .await
        .expect("the SMTP server takes the customer's mail");
}

/// The app's conversation `id`'s messages, read from its database.
async fn messages(app: &TestApp, id: i64) -> Vec<otvet::domain::message::Message> {
    let store = otvet::Store::connect(&app.database_url).await.unwrap();
    let m = store.messages_after(id, 0, true).await.unwrap();
    store.close().await;
    m
}

/// The app's conversation `id`, read from its database.
async fn conversation(app: &TestApp, id: i64) -> otvet::store::chat::ConversationRow {
    let store = otvet::Store::connect(&app.database_url).await.unwrap();
    let c = store.conversation(id).await.unwrap().unwrap();
    store.close().await;
    c
}

#[tokio::test]
async fn an_offline_customer_gets_the_autoreply_then_a_reply_by_mail_and_answers_by_mail() {
    if !mail_servers() {
        return;
    }
    let support = mailbox("support");
    let anna = mailbox("anna");
    let app = mail_app(mail_config("smtp://127.0.0.1:25", &support, true)).await;
    // Nobody is online: the customer asks for a person and leaves her email.
    let (mut ws, welcome) = new_customer(&app, "ru").await;
    assert_eq!(welcome["mail"], true, "{welcome}");
    ws.say("q1", "хочу вернуть чайник без чека").await;
    ws.message_from("bot").await;
    ws.say("q2", "позовите оператора").await;
    let offline = ws.message_from("system").await;
    assert!(
        offline["text"].as_str().unwrap().contains("email"),
        "{offline}"
    );
    let conv = offline["conversation_id"].as_i64().unwrap();
    ws.send(json!({"type": "contact", "client_id": "c1", "email": anna, "name": "Анна"}))
        .await;
    ws.until("contact saved", |v| v["event"] == "contact").await;
    // The autoreply: what she asked, and the honest wait (nobody is there now).
    let auto = wait_mails(&anna, 1).await.remove(0);
    assert_eq!(auto.subject, format!("Ваше обращение #{conv}"));
    assert!(auto.text.contains("Здравствуйте, Анна!"), "{}", auto.text);
    assert!(
        auto.text.contains("> хочу вернуть чайник без чека"),
        "{}",
        auto.text
    );
    assert!(
        auto.text.contains("никого из специалистов нет на месте"),
        "{}",
        auto.text
    );
    assert!(
        auto.text.contains(&format!("/conversation/{conv}-")),
        "{}",
        auto.text
    );
    assert_eq!(
        auto.header("Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    let reply_to = auto.reply_to.clone().expect("Reply-To");
    assert!(
        reply_to.starts_with("support-") && reply_to.contains(&format!("+c{conv}-")),
        "{reply_to}"
    );
    ws.close().await;

    // An agent answers twice in a row while she is away: one mail carries both.
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    queue_with(&mut agent, conv, "queued", None).await;
    agent
        .send(json!({"type": "claim", "conversation_id": conv}))
        .await;
    for (cid, text) in [
        ("r1", "Здравствуйте, Анна!"),
        ("r2", "Чек не нужен: хватит номера заказа."),
    ] {
        agent
            .send(json!({"type": "send", "conversation_id": conv, "client_id": cid, "text": text}))
            .await;
        agent
            .until("the ack", |v| v["type"] == "ack" && v["client_id"] == cid)
            .await;
    }
    let mails = wait_mails(&anna, 2).await;
    let reply = &mails[1];
    assert!(
        reply.text.contains("Ольга:\nЗдравствуйте, Анна!"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("Чек не нужен: хватит номера заказа."),
        "{}",
        reply.text
    );
    assert_eq!(
        reply.header("Auto-Submitted"),
        None,
        "a person's reply is not automatic"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        inbox(&anna).await.len(),
        2,
        "the burst went out as one mail"
    );

    // Her answer by mail (quoting ours) lands in the same conversation, quote cut off.
    send_mail(
        &anna,
        reply.reply_to.as_deref().unwrap(),
        &format!("Re: {}", reply.subject),
        "Спасибо! А деньги когда вернутся?\n\nOn Mon, 7 Dec 2026 at 12:00, Поддержка <support@otvet.test> wrote:\n> Чек не нужен.",
        &[("In-Reply-To", &reply.message_id)],
    )
    .await;
    let back = agent
        .until("her mail in the conversation", |v| {
            v["type"] == "message"
                && v["conversation_id"] == conv
                && v["author"] == "customer"
                && v["text"] == "Спасибо! А деньги когда вернутся?"
        })
        .await;
    assert!(!back["text"].as_str().unwrap().contains('>'));
}

#[tokio::test]
async fn a_reply_seen_in_the_widget_is_not_mailed() {
    if !mail_servers() {
        return;
    }
    let support = mailbox("support");
    let boris = mailbox("boris");
    let app = mail_app(mail_config("smtp://127.0.0.1:25", &support, false)).await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q1", "позовите оператора").await;
    let conv = ws.message_from("system").await["conversation_id"]
        .as_i64()
        .unwrap();
    ws.send(json!({"type": "contact", "email": boris})).await;
    wait_mails(&boris, 1).await;
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    agent
        .send(
            json!({"type": "send", "conversation_id": conv, "client_id": "r1", "text": "Я здесь"}),
        )
        .await;
    ws.until("the reply in the widget", |v| v["author"] == "agent")
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        inbox(&boris).await.len(),
        1,
        "only the autoreply: the reply was seen"
    );
}

#[tokio::test]
async fn a_new_mail_is_answered_by_the_bot_and_one_it_cannot_answer_goes_to_agents() {
    if !mail_servers() {
        return;
    }
    let support = mailbox("support");
    let vera = mailbox("vera");
    let app = mail_app(mail_config("smtp://127.0.0.1:25", &support, true)).await;
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    send_mail(
        &format!("Вера <{vera}>"),
        &support,
        "Возврат денег",
        "Добрый день! Сколько ждать возврат денег на карту?\n\n-- \nВера, +7 900 000-00-00",
        &[],
    )
    .await;
    let answer = wait_mails(&vera, 1).await.remove(0);
    assert_eq!(answer.subject, "Re: Возврат денег");
    assert!(answer.text.contains("/ru/articles/"), "{}", answer.text);
    assert!(answer.text.contains("НЕТ"), "{}", answer.text);
    assert_eq!(
        answer.header("Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    // Answered: nobody's queue has it.
    agent
        .none_within(
            Duration::from_secs(2),
            "an answered mail in the queue",
            |v| v["type"] == "queue" && v["items"].as_array().is_some_and(|a| !a.is_empty()),
        )
        .await;
    // "No": a person takes over, and she is told how long that takes.
    send_mail(
        &vera,
        answer.reply_to.as_deref().unwrap(),
        &format!("Re: {}", answer.subject),
        "Нет",
        &[("In-Reply-To", &answer.message_id)],
    )
    .await;
    let q = agent
        .until("the mail conversation queued", |v| {
            v["type"] == "queue" && v["items"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    let item = &q["items"][0];
    assert_eq!(item["channel"], "email", "{q}");
    let conv = item["conversation_id"].as_i64().unwrap();
    let c = conversation(&app, conv).await;
    assert_eq!(c.subject.as_deref(), Some("Возврат денег"));
    let texts: Vec<String> = messages(&app, conv)
        .await
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(
        texts[0], "Добрый день! Сколько ждать возврат денег на карту?",
        "signature cut: {texts:?}"
    );
    let mails = wait_mails(&vera, 2).await;
    assert!(
        mails[1].text.contains("Мы получили ваше обращение"),
        "{}",
        mails[1].text
    );

    // A question the knowledge base cannot answer goes straight to agents, with the autoreply.
    let gleb = mailbox("gleb");
    send_mail(
        &gleb,
        &support,
        "Вопрос",
        "Можно ли у вас арендовать вертолёт на свадьбу?",
        &[],
    )
    .await;
    let auto = wait_mails(&gleb, 1).await.remove(0);
    assert!(
        auto.text.contains("Мы получили ваше обращение"),
        "{}",
        auto.text
    );
    agent
        .until("both in the queue", |v| {
            v["type"] == "queue" && v["items"].as_array().is_some_and(|a| a.len() == 2)
        })
        .await;
}

#[tokio::test]
async fn robots_loops_and_floods_are_not_answered() {
    if !mail_servers() {
        return;
    }
    let support = mailbox("support");
    let mut m = mail_config("smtp://127.0.0.1:25", &support, true);
    m.per_sender_per_hour = 3;
    let app = mail_app(m).await;
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let agent = agent_socket(&app, &cookie).await;
    // An out-of-office robot, a mailing list and a mailer daemon: never answered.
    let robot = mailbox("robot");
    send_mail(
        &robot,
        &support,
        "Out of office",
        "I am away until Monday.",
        &[("Auto-Submitted", "auto-replied")],
    )
    .await;
    send_mail(
        &robot,
        &support,
        "Newsletter",
        "Our news",
        &[("Precedence", "bulk"), ("List-Id", "<news.otvet.test>")],
    )
    .await;
    // otvet's own address, as a loop would bring it back.
    send_mail(
        &support,
        &support,
        "Re: Ваше обращение #1",
        "Мы получили ваше обращение",
        &[],
    )
    .await;
    // A flood from one sender: the first 3 in an hour are read, no more.
    let flood = mailbox("flood");
    for i in 0..6 {
        send_mail(
            &flood,
            &support,
            &format!("Вопрос {i}"),
            "Можно ли арендовать вертолёт?",
            &[],
        )
        .await;
    }
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(inbox(&robot).await.is_empty(), "robots get nothing");
    let answered = inbox(&flood).await.len();
    assert!(answered <= 3, "{answered} answers to one sender in an hour");
    drop(agent);
    let store = otvet::Store::connect(&app.database_url).await.unwrap();
    let counts: i64 = match &store {
        otvet::Store::Sqlite(p) => sqlx::query_scalar("SELECT COUNT(*) FROM conversations")
            .fetch_one(p)
            .await
            .unwrap(),
        otvet::Store::Postgres(p) => sqlx::query_scalar("SELECT COUNT(*) FROM conversations")
            .fetch_one(p)
            .await
            .unwrap(),
    };
    store.close().await;
    assert!(
        counts <= 3,
        "{counts} conversations: robots and the flood's surplus made none"
    );
}

#[tokio::test]
async fn mail_waits_for_the_smtp_server_and_goes_out_once() {
    if !mail_servers() {
        return;
    }
    // The app sends to a port where nothing listens yet.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let support = mailbox("support");
    let dana = mailbox("dana");
    let app = mail_app(mail_config(
        &format!("smtp://127.0.0.1:{port}"),
        &support,
        false,
    ))
    .await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q1", "позовите оператора").await;
    ws.message_from("system").await;
    ws.send(json!({"type": "contact", "email": dana})).await;
    ws.until("contact saved", |v| v["event"] == "contact").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(inbox(&dana).await.is_empty());
    // The server comes up (a forwarder to the real one on that port): the mail goes out, once.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut out = tokio::net::TcpStream::connect(("127.0.0.1", SMTP_PORT))
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
            });
        }
    });
    let got = wait_mails(&dana, 1).await;
    assert!(got[0].text.contains("Мы получили ваше обращение"));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(inbox(&dana).await.len(), 1, "sent once");
}

#[tokio::test]
async fn an_address_the_server_refuses_is_shown_to_agents() {
    if !mail_servers() {
        return;
    }
    let support = mailbox("support");
    let app = mail_app(mail_config("smtp://127.0.0.1:25", &support, false)).await;
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q1", "позовите оператора").await;
    let conv = ws.message_from("system").await["conversation_id"]
        .as_i64()
        .unwrap();
    let bad = mailbox("reject");
    ws.send(json!({"type": "contact", "email": bad})).await;
    agent
        .send(json!({"type": "open", "conversation_id": conv}))
        .await;
    let note = agent
        .until("the failed mail note", |v| {
            v["type"] == "message" && v["event"] == "mail_failed"
        })
        .await;
    assert_eq!(note["private"], true, "{note}");
    let text = note["text"].as_str().unwrap();
    assert!(text.contains(&bad) && text.contains("550"), "{text}");
    // The customer never sees it.
    ws.none_within(Duration::from_secs(1), "the note", |v| {
        v["event"] == "mail_failed"
    })
    .await;
}

#[tokio::test]
async fn the_conversation_page_shows_the_conversation_and_takes_a_reply_and_a_rating() {
    // No mail server needed: mail is only queued (to a closed port).
    let app = mail_app(mail_config(
        "smtp://127.0.0.1:9",
        "support@otvet.test",
        false,
    ))
    .await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q1", "хочу вернуть чайник без чека").await;
    let conv = ws.message_from("bot").await["conversation_id"]
        .as_i64()
        .unwrap();
    ws.close().await;
    let token = otvet::mail::links::token(SECRET, conv);
    let page = app
        .client
        .get(format!("{}/conversation/{token}", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("хочу вернуть чайник без чека"), "{html}");
    assert!(html.contains("noindex"));
    // A wrong signature, another id: not found.
    let forged = otvet::mail::links::token("other", conv);
    for t in [forged.as_str(), "1-0000", "abc"] {
        let r = app
            .client
            .get(format!("{}/conversation/{t}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{t}");
    }
    // Writing back from the page hands the conversation to people.
    let post = |fields: Vec<(&'static str, String)>, path: String| {
        let c = crate::helpers::no_redirect_client();
        let url = format!("{}{path}", app.base_url);
        async move { c.post(url).form(&fields).send().await.unwrap() }
    };
    let r = post(
        vec![("text", "Нужен человек".into()), ("client_id", "p1".into())],
        format!("/conversation/{token}"),
    )
    .await;
    assert_eq!(r.status(), 303);
    let c = conversation(&app, conv).await;
    assert_eq!(c.status, otvet::domain::ConversationStatus::Queued);
    // Resent form: stored once.
    post(
        vec![("text", "Нужен человек".into()), ("client_id", "p1".into())],
        format!("/conversation/{token}"),
    )
    .await;
    let n = messages(&app, conv)
        .await
        .iter()
        .filter(|m| m.text == "Нужен человек")
        .count();
    assert_eq!(n, 1);
    // Empty text and a rating before it is resolved are refused with a page.
    let r = post(
        vec![("text", " ".into()), ("client_id", "p2".into())],
        format!("/conversation/{token}"),
    )
    .await;
    assert_eq!(r.status(), 400);
    let r = post(
        vec![("score", "5".into())],
        format!("/conversation/{token}/rate"),
    )
    .await;
    assert_eq!(r.status(), 400);
    // Resolved: the page offers the rating; it is stored.
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    agent
        .send(json!({"type": "resolve", "conversation_id": conv}))
        .await;
    agent
        .until("resolved", |v| {
            v["type"] == "resolved" && v["conversation_id"] == conv
        })
        .await;
    let html = app
        .client
        .get(format!("{}/conversation/{token}", app.base_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"rate\""), "{html}");
    let r = post(
        vec![("score", "4".into()), ("comment", "Спасибо".into())],
        format!("/conversation/{token}/rate"),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(conversation(&app, conv).await.rating, Some(4));
}

#[tokio::test]
async fn a_bounce_marks_the_mail_failed_and_tells_agents() {
    if !mail_servers() {
        return;
    }
    // The autoreply goes to a mailbox that does not exist; the report comes back to the support
    // mailbox, which otvet reads.
    let support = mailbox("support");
    let app = mail_app(mail_config("smtp://127.0.0.1:25", &support, true)).await;
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q1", "позовите оператора").await;
    let conv = ws.message_from("system").await["conversation_id"]
        .as_i64()
        .unwrap();
    ws.send(json!({"type": "contact", "email": "nobody@bounce.otvet.test"}))
        .await;
    agent
        .send(json!({"type": "open", "conversation_id": conv}))
        .await;
    let note = agent
        .until("the bounce note", |v| {
            v["type"] == "message" && v["event"] == "mail_failed"
        })
        .await;
    assert_eq!(note["private"], true);
    let text = note["text"].as_str().unwrap();
    assert!(
        text.contains("nobody@bounce.otvet.test") && text.contains("bounced"),
        "{text}"
    );
}

#[tokio::test]
async fn files_travel_by_mail_both_ways_and_hostile_ones_are_refused() {
    if !mail_servers() {
        return;
    }
    let support = mailbox("support");
    let inna = mailbox("inna");
    let app = mail_app(mail_config("smtp://127.0.0.1:25", &support, true)).await;
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    // A customer mails a photo and, disguised as a photo, a web page.
    let png = crate::attachments::tiny_png();
    let b64 = crate::attachments::base64;
    let body = format!(
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nЧайник пришёл разбитым, фото во вложении.\r\n\
         --b1\r\nContent-Type: image/png; name=\"chainik.png\"\r\nContent-Disposition: attachment; filename=\"chainik.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --b1\r\nContent-Type: image/png; name=\"evil.png\"\r\nContent-Disposition: attachment; filename=\"evil.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--",
        b64(&png),
        b64(b"<html><script>alert(1)</script></html>")
    );
    send_mail_raw(
        &inna,
        &support,
        "Разбитый чайник",
        "multipart/mixed; boundary=\"b1\"",
        &body,
    )
    .await;
    let q = agent
        .until("the mail with a photo queued", |v| {
            v["type"] == "queue" && v["items"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    let conv = q["items"][0]["conversation_id"].as_i64().unwrap();
    let msgs = messages(&app, conv).await;
    let files: Vec<_> = msgs.iter().filter_map(|m| m.attachment.clone()).collect();
    assert_eq!(files.len(), 1, "only the real image: {msgs:?}");
    assert_eq!(files[0].name, "chainik.png");
    assert_eq!(files[0].content_type, "image/png");
    let served = app
        .client
        .get(format!("{}{}", app.base_url, files[0].url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&served[..], &png[..]);
    assert!(
        msgs.iter()
            .any(|m| m.private && m.text.contains("evil.png")),
        "agents are told the disguised file was refused: {msgs:?}"
    );
    // The agent answers with a PDF: the mail carries it.
    agent
        .send(json!({"type": "claim", "conversation_id": conv}))
        .await;
    crate::ws::assigned(&mut agent, conv).await;
    let agent_http = crate::attachments::agent_with_cookie(&app, &cookie);
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let (status, v) = agent_http
        .upload(conv, "Акт возврата.pdf", "a1", pdf.clone())
        .await;
    assert_eq!(status, 200, "{v}");
    let mails = wait_mails(&inna, 2).await;
    let reply = mails.last().unwrap();
    let parsed = mail_parser::MessageParser::default()
        .parse(&reply.raw)
        .unwrap();
    let att = parsed.attachments().next().expect("the PDF attached");
    assert_eq!(att.contents(), &pdf[..]);
    assert!(reply.text.contains("Акт возврата.pdf"), "{}", reply.text);
    screenshot_mail(reply, "email-reply.png").await;
}

/// With `OTVET_SCREENSHOTS=<folder>` (and Chromium), saves a picture of the mail as a mail
/// client shows it (`tests/browser/mail-view.mjs`).
async fn screenshot_mail(got: &Got, file: &str) {
    let Ok(dir) = std::env::var("OTVET_SCREENSHOTS") else {
        return;
    };
    if crate::browser::missing_prerequisite().is_some() {
        return;
    }
    let m = mail_parser::MessageParser::default()
        .parse(&got.raw)
        .unwrap();
    let addr = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .map(|a| match a.name() {
                Some(n) => format!("{n} <{}>", a.address().unwrap_or_default()),
                None => a.address().unwrap_or_default().to_string(),
            })
            .unwrap_or_default()
    };
    let json = serde_json::json!({
        "from": addr(m.from()),
        "to": addr(m.to()),
        "subject": got.subject,
        "date": m.date().map(|d| d.to_rfc3339()).unwrap_or_default(),
        "text": got.text,
        "files": m.attachments().filter_map(|a| {
            use mail_parser::MimeHeaders;
            a.attachment_name().map(str::to_string)
        }).collect::<Vec<_>>(),
    });
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), json.to_string()).unwrap();
    let out = std::path::Path::new(&dir).join(file);
    let status = std::process::Command::new("node")
        .arg(crate::browser::browser_dir().join("mail-view.mjs"))
        .arg(tmp.path())
        .arg(&out)
        .current_dir(crate::browser::browser_dir())
        .env("OTVET_CHROMIUM", crate::browser::chromium())
        .status()
        .unwrap();
    assert!(status.success(), "mail-view.mjs failed");
}

/// Sends a raw MIME body with its content type.
pub async fn send_mail_raw(from: &str, to: &str, subject: &str, content_type: &str, body: &str) {
    let raw = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@client.otvet.test>\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n{body}\r\n",
        otvet::domain::token::new_token()
    );
    let envelope = lettre::address::Envelope::new(
        Some(from.parse().expect("from")),
        vec![to.parse().expect("to")],
    )
    .expect("envelope");
    lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(SMTP_PORT)
        .build()
        .send_raw(&envelope, raw.as_bytes())
        .await
        .expect("the SMTP server takes the customer's mail");
}

#[tokio::test]
async fn a_transcript_on_request_and_a_rating_request_after_a_mail_conversation() {
    if !mail_servers() {
        return;
    }
    let support = mailbox("support");
    let pavel = mailbox("pavel");
    let app = mail_app(mail_config("smtp://127.0.0.1:25", &support, true)).await;
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    // A chat customer leaves an email and asks for the transcript; it comes when resolved.
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q1", "позовите оператора").await;
    let conv = ws.message_from("system").await["conversation_id"]
        .as_i64()
        .unwrap();
    ws.send(json!({"type": "contact", "email": pavel})).await;
    wait_mails(&pavel, 1).await;
    agent
        .send(json!({"type": "send", "conversation_id": conv, "client_id": "r1", "text": "Заказ 123 едет, будет завтра."}))
        .await;
    ws.until("the reply", |v| v["author"] == "agent").await;
    ws.send(json!({"type": "transcript"})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(inbox(&pavel).await.len(), 1, "not before it is resolved");
    agent
        .send(json!({"type": "resolve", "conversation_id": conv}))
        .await;
    let transcript = wait_mails(&pavel, 2).await.remove(1);
    assert_eq!(
        transcript.subject,
        format!("Переписка с поддержкой #{conv}")
    );
    assert!(
        transcript.text.contains("позовите оператора"),
        "{}",
        transcript.text
    );
    assert!(
        transcript
            .text
            .contains("Ольга:\nЗаказ 123 едет, будет завтра."),
        "{}",
        transcript.text
    );

    // A mail conversation, resolved: the customer is asked to rate it on its page.
    let rita = mailbox("rita");
    send_mail(
        &rita,
        &support,
        "Вертолёт",
        "Можно ли арендовать вертолёт?",
        &[],
    )
    .await;
    wait_mails(&rita, 1).await;
    let q = agent
        .until("the mail in the queue", |v| {
            v["type"] == "queue"
                && v["items"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|i| i["channel"] == "email"))
        })
        .await;
    let item = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["channel"] == "email")
        .unwrap()
        .clone();
    let mconv = item["conversation_id"].as_i64().unwrap();
    agent
        .send(json!({"type": "send", "conversation_id": mconv, "client_id": "m1", "text": "Нет, вертолётов у нас нет."}))
        .await;
    agent
        .until("the ack", |v| v["type"] == "ack" && v["client_id"] == "m1")
        .await;
    wait_mails(&rita, 2).await;
    agent
        .send(json!({"type": "resolve", "conversation_id": mconv}))
        .await;
    let rating = wait_mails(&rita, 3).await.remove(2);
    assert_eq!(
        rating.subject,
        format!("Как мы помогли? Обращение #{mconv}")
    );
    assert!(
        rating.text.contains(&format!("/conversation/{mconv}-")) && rating.text.contains("#rate"),
        "{}",
        rating.text
    );
}
