//! The email channel end to end, against the release binary and the real mail servers of
//! `tests/mail/setup` (Postfix on 127.0.0.1:25, Dovecot on 127.0.0.1:143): `OTVET_BENCH_MAILS`
//! customers (default 200) each write one mail to the support address at once — half of them a
//! question the sample knowledge base answers, half one it does not — and the bench times each
//! until that customer's answer (the bot's, or the autoreply) is in their mailbox. The path is
//! Postfix → Dovecot → otvet's IMAP read → parsing, the bot, the queue → the outbox → SMTP →
//! Postfix → Dovecot.
//!
//! `cargo bench --bench mail` (skips with a message without the mail servers).

mod common;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lettre::AsyncTransport;

const ANSWERED: &[&str] = &[
    "Сколько ждать возврат денег на карту?",
    "Как вернуть товар надлежащего качества?",
    "Сколько стоит доставка курьером?",
    "Как отследить заказ?",
];
const UNANSWERED: &[&str] = &[
    "Можно ли арендовать у вас вертолёт?",
    "Продаёте ли вы билеты в театр?",
];

async fn inbox_len(user: &str) -> usize {
    let Ok(tcp) = tokio::net::TcpStream::connect(("127.0.0.1", 143)).await else {
        return 0;
    };
    let mut client = async_imap::Client::new(tcp);
    if client.read_response().await.is_err() {
        return 0;
    }
    let Ok(mut s) = client.login(user, "test").await.map_err(|(e, _)| e) else {
        return 0;
    };
    let n = s
        .select("INBOX")
        .await
        .map(|m| m.exists as usize)
        .unwrap_or(0);
    let _ = s.logout().await;
    n
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let up = |port| {
        std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_secs(1),
        )
        .is_ok()
    };
    if !(up(25) && up(143)) {
        eprintln!(
            "mail bench skipped: no SMTP on 127.0.0.1:25 or IMAP on 127.0.0.1:143 (run tests/mail/setup)"
        );
        return;
    }
    let n: usize = std::env::var("OTVET_BENCH_MAILS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let run = otvet::domain::token::new_token()[..8].to_string();
    let support = format!("support-bench-{run}@otvet.test");
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("otvet.db").display());
    let addr = common::free_addr();
    let mut server = common::spawn_otvet(
        &addr,
        &db,
        [
            "--model",
            "off",
            "--smtp-url",
            "smtp://127.0.0.1:25",
            "--mail-from",
            &format!("Support <{support}>"),
            "--imap-url",
            &format!("imap://{}:test@127.0.0.1:143", support.replace('@', "%40")),
            "--imap-poll-secs",
            "1",
            "--public-url",
            &format!("http://{addr}"),
        ],
    );
    // Up when /healthz answers.
    let client = reqwest::Client::new();
    let start = Instant::now();
    while client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "otvet did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cpu_before = common::cpu_time(&server.id().to_string());
    let smtp = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(25)
        .build();
    let customers: Vec<String> = (0..n)
        .map(|i| format!("bench-{run}-{i}@otvet.test"))
        .collect();
    let t0 = Instant::now();
    let mut sent_at = Vec::with_capacity(n);
    for (i, c) in customers.iter().enumerate() {
        let q = if i % 2 == 0 {
            ANSWERED[i / 2 % ANSWERED.len()]
        } else {
            UNANSWERED[i / 2 % UNANSWERED.len()]
        };
        let raw = format!(
            "From: {c}\r\nTo: {support}\r\nSubject: Вопрос {i}\r\nMessage-ID: <bench-{run}-{i}@client.otvet.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{q}\r\n"
        );
        let env = lettre::address::Envelope::new(
            Some(c.parse().unwrap()),
            vec![support.parse().unwrap()],
        )
        .unwrap();
        smtp.send_raw(&env, raw.as_bytes()).await.expect("send");
        sent_at.push(Instant::now());
    }
    let sending = t0.elapsed();
    let mut answered_at: Vec<Option<Instant>> = vec![None; n];
    let deadline = Instant::now() + Duration::from_secs(600);
    while answered_at.iter().any(Option::is_none) && Instant::now() < deadline {
        let waiting: Vec<usize> = (0..n).filter(|i| answered_at[*i].is_none()).collect();
        let checks = futures_util::stream::iter(waiting)
            .map(|i| {
                let c = customers[i].clone();
                async move { (i, inbox_len(&c).await) }
            })
            .buffer_unordered(16)
            .collect::<Vec<_>>()
            .await;
        let now = Instant::now();
        for (i, len) in checks {
            if len > 0 {
                answered_at[i] = Some(now);
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let total = t0.elapsed();
    let cpu = common::cpu_time(&server.id().to_string()) - cpu_before;
    let mut latencies: Vec<Duration> = answered_at
        .iter()
        .zip(&sent_at)
        .filter_map(|(a, s)| a.map(|a| a - *s))
        .collect();
    latencies.sort();
    let done = latencies.len();
    println!("mail bench: {n} customers, one mail each (half answerable from the sample articles)");
    println!("  sent to Postfix in {:.1} s", sending.as_secs_f64());
    println!(
        "  answered {done}/{n} in {:.1} s ({:.1} mails/s end to end)",
        total.as_secs_f64(),
        done as f64 / total.as_secs_f64()
    );
    println!(
        "  send → answer in the customer's mailbox: p50 {:.1} s, p95 {:.1} s, max {:.1} s (IMAP read every 1 s)",
        percentile(&latencies, 0.5).as_secs_f64(),
        percentile(&latencies, 0.95).as_secs_f64(),
        latencies.last().copied().unwrap_or_default().as_secs_f64()
    );
    println!("  otvet CPU time: {:.2} s", cpu.as_secs_f64());
    let _ = server.kill();
    let _ = server.wait();
}
