//! Support analytics (`/agent/reports`): every figure computed on a seeded conversation history
//! whose right answers were worked out by hand (on SQLite and PostgreSQL), the CSV export, the
//! page and who may see it, and `GET /api/chat/info`.
//!
//! The history spans three days in Europe/Moscow (UTC+3): 2026-03-07, 08 and 09, with
//! conversations just outside them and one at 01:30 on the 8th, which is still the 7th in UTC.

use otvet::Store;
use otvet::analytics::reports::{self, Period, Report};
use otvet::domain::Answer;
use otvet::domain::now_ms;
use otvet::domain::{Author, ConversationStatus, Notice};
use otvet::domain::{Lang, Slug};
use otvet::store::chat::{Appended, ConversationRow, NewMessage, Patch, Val};
use serde_json::Value;

use crate::helpers::{TestApp, no_redirect_client, sample_articles, spawn_app_with};
use crate::store::{TestDb, on_both};

const MINUTE: i64 = 60_000;

fn moscow() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Moscow").expect("tz")
}

/// Unix ms of a Moscow wall-clock time on a day of March 2026.
fn msk(day: i8, hour: i8, minute: i8) -> i64 {
    jiff::civil::date(2026, 3, day)
        .at(hour, minute, 0, 0)
        .to_zoned_datetime(moscow())
        .expect("valid time")
        .timestamp()
        .as_millisecond()
}

fn period() -> Period {
    Period::new(
        jiff::civil::date(2026, 3, 7),
        jiff::civil::date(2026, 3, 9),
        moscow(),
    )
    .expect("period")
}

/// Writes a conversation history step by step, through the store as the chat does.
struct Seed<'a> {
    store: &'a Store,
    n: usize,
}

impl Seed<'_> {
    async fn start(&mut self, at: i64, question: &str) -> ConversationRow {
        self.n += 1;
        let cu = self
            .store
            .create_customer(&format!("reports-seed-{}", self.n), at)
            .await
            .unwrap();
        let conv = self
            .store
            .create_conversation(cu.id, "ru", None, otvet::domain::Channel::Chat, at)
            .await
            .unwrap();
        self.say(&conv, "customer", question, at).await;
        conv
    }

    async fn append(&self, conv: &ConversationRow, m: NewMessage, patch: Patch, at: i64) -> i64 {
        match self
            .store
            .append_message(conv.id, &m, &patch, at)
            .await
            .unwrap()
        {
            Appended::New(m) => m.seq,
            other => panic!("not stored: {other:?}"),
        }
    }

    async fn say(&self, conv: &ConversationRow, author: &'static str, text: &str, at: i64) -> i64 {
        let m = NewMessage {
            client_id: (author == "customer").then(|| format!("c-{at}-{}", text.len())),
            author: author.parse().unwrap(),
            text: text.into(),
            ..Default::default()
        };
        self.append(conv, m, Patch::default(), at).await
    }

    /// The bot answers with an article; the customer says Yes/No (`Some`) or nothing.
    async fn answer(&self, conv: &ConversationRow, slug: &str, at: i64, helpful: Option<bool>) {
        let m = NewMessage {
            author: Author::Bot,
            text: "Вот что я нашёл".into(),
            answer: Some(Answer {
                title: slug.into(),
                url: format!("/ru/articles/{slug}#top"),
                section: None,
                slug: slug.into(),
                confidence: 0.8,
                alternatives: Vec::new(),
                ask_feedback: true,
                ..Default::default()
            }),
            ..Default::default()
        };
        let seq = self.append(conv, m, Patch::default(), at).await;
        if let Some(h) = helpful {
            assert!(
                self.store
                    .set_answer_feedback(conv.id, seq, h)
                    .await
                    .unwrap()
                    .is_some()
            );
        }
    }

    async fn no_answer(&self, conv: &ConversationRow, at: i64) {
        let m = NewMessage {
            author: Author::Bot,
            text: "Я не нашёл ответа".into(),
            event: Some(Notice::NoAnswer),
            ..Default::default()
        };
        self.append(conv, m, Patch::default(), at).await;
    }

    async fn system(&self, conv: &ConversationRow, event: &'static str, patch: Patch, at: i64) {
        let m = NewMessage {
            author: Author::System,
            text: event.into(),
            event: Some(event.parse().unwrap()),
            ..Default::default()
        };
        self.append(conv, m, patch, at).await;
    }

    async fn queue(&self, conv: &ConversationRow, reason: &str, at: i64) {
        let patch = Patch::default()
            .set("status", Val::Text("queued".into()))
            .set("queued_at", Val::Int(at))
            .set("escalation", Val::Text(reason.into()));
        self.system(conv, "queued", patch, at).await;
    }

    async fn join(&self, conv: &ConversationRow, at: i64) {
        let patch = Patch::default()
            .set("status", Val::Text("assigned".into()))
            .set("agent_id", Val::Int(1))
            .set("agent_name", Val::Text("Ольга".into()))
            .set("assigned_at", Val::Int(at));
        self.system(conv, "joined", patch, at).await;
    }

    async fn reply(&self, conv: &ConversationRow, at: i64) {
        let m = NewMessage {
            client_id: Some(format!("a-{at}")),
            author: Author::Agent,
            agent_id: Some(1),
            author_name: Some("Ольга".into()),
            text: "Здравствуйте! Сейчас помогу.".into(),
            ..Default::default()
        };
        self.append(conv, m, Patch::default().first_reply(at), at)
            .await;
    }

    async fn resolve(&self, conv: &ConversationRow, at: i64) {
        let patch = Patch::default()
            .set("status", Val::Text("resolved".into()))
            .set("resolved_at", Val::Int(at));
        self.system(conv, "resolved", patch, at).await;
    }

    async fn rate(&self, conv: &ConversationRow, score: i64) {
        let patch = Patch::default()
            .when_status(&[ConversationStatus::Resolved])
            .set("rating", Val::Int(score));
        assert!(
            self.store
                .update_conversation(conv.id, &patch)
                .await
                .unwrap()
        );
    }
}

/// A view of an article by `visitor` on a UTC day (recorded today, then moved to that day).
async fn view(store: &Store, lang: Lang, slug: &str, visitor: &str, day: &str) {
    store
        .record_view(lang, &Slug::parse(slug).unwrap(), "moving")
        .await
        .unwrap();
    let sql = "UPDATE article_views SET day = $1, visitor = $2 WHERE visitor = 'moving'";
    otvet_exec(store, sql, &[day, visitor]).await;
}

/// A "Was this helpful?" vote, moved to the UTC time `at` (`YYYY-MM-DDTHH:MM:SS.000Z`).
async fn vote(store: &Store, slug: &str, visitor: &str, helpful: bool, at: &str) {
    store
        .record_feedback(
            Lang::Ru,
            &Slug::parse(slug).unwrap(),
            visitor,
            helpful,
            None,
        )
        .await
        .unwrap();
    // SQLite keeps the ISO text, PostgreSQL a TIMESTAMPTZ that reads the same literal.
    let sql = format!("UPDATE article_feedback SET updated_at = '{at}' WHERE visitor = $1");
    otvet_exec(store, &sql, &[visitor]).await;
}

/// A help-center search that found nothing confident, at `at`.
async fn search_miss(store: &Store, at: i64) {
    store
        .record_search_miss("доставка на луну", "ru", None, at)
        .await
        .unwrap();
}

async fn otvet_exec(store: &Store, sql: &str, binds: &[&str]) {
    match store {
        Store::Sqlite(p) => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
            for b in binds {
                q = q.bind(b.to_string());
            }
            q.execute(p).await.unwrap();
        }
        Store::Postgres(p) => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
            for b in binds {
                q = q.bind(b.to_string());
            }
            q.execute(p).await.unwrap();
        }
    }
}

/// The history. What each conversation contributes is noted beside it; the sums are in
/// [`expected_csv`].
async fn seed(store: &Store) {
    let mut s = Seed { store, n: 0 };

    // Outside the period: the evening before, and the midnight after.
    let m = s.start(msk(6, 23, 59), "где мой заказ").await;
    s.no_answer(&m, msk(6, 23, 59)).await;
    let n = s.start(msk(10, 0, 0), "как вернуть товар").await;
    s.answer(&n, "return-goods", msk(10, 0, 1), Some(true))
        .await;

    // --- 2026-03-07 ---
    // D: greetings only, at the very first moment of the day: a conversation, no question.
    let d = s.start(msk(7, 0, 0), "привет").await;
    s.say(&d, "bot", "Здравствуйте!", msk(7, 0, 0)).await;
    // A: answered, "Yes": self-served, confirmed.
    let a = s.start(msk(7, 10, 0), "как вернуть товар").await;
    s.answer(&a, "return-goods", msk(7, 10, 0), Some(true))
        .await;
    // B: answered, no feedback, left: self-served.
    let b = s.start(msk(7, 11, 0), "сроки доставки курьером").await;
    s.answer(&b, "courier-delivery", msk(7, 11, 0), None).await;
    // C: answered, "No", queued 12:01, first reply after 4 min, resolved after 30 min, rated 5.
    let c = s.start(msk(7, 12, 0), "вернуть товар без чека").await;
    s.answer(&c, "return-goods", msk(7, 12, 0), Some(false))
        .await;
    s.queue(&c, "not_helpful", msk(7, 12, 1)).await;
    s.join(&c, msk(7, 12, 3)).await;
    s.reply(&c, msk(7, 12, 5)).await;
    s.resolve(&c, msk(7, 12, 31)).await;
    s.rate(&c, 5).await;

    // --- 2026-03-08 ---
    // E: 01:30 Moscow (22:30 UTC on the 7th): asks for a person at night; first reply at 09:10
    // (7 h 40 min), resolved 09:40 (8 h 10 min), rated 2.
    let e = s.start(msk(8, 1, 30), "позовите оператора").await;
    s.queue(&e, "human_request", msk(8, 1, 30)).await;
    s.join(&e, msk(8, 9, 0)).await;
    s.reply(&e, msk(8, 9, 10)).await;
    s.resolve(&e, msk(8, 9, 40)).await;
    s.rate(&e, 2).await;
    // F: the bot found nothing, the customer left: a question, neither self-served nor escalated.
    let f = s.start(msk(8, 10, 0), "можно ли оплатить биткоином").await;
    s.no_answer(&f, msk(8, 10, 0)).await;
    // G: found nothing, asked for a person: queued 11:02, reply after 2 min, resolved after
    // 18 min, rated 4.
    let g = s.start(msk(8, 11, 0), "доставка на дачу").await;
    s.no_answer(&g, msk(8, 11, 0)).await;
    s.queue(&g, "no_answer", msk(8, 11, 2)).await;
    s.join(&g, msk(8, 11, 3)).await;
    s.reply(&g, msk(8, 11, 4)).await;
    s.resolve(&g, msk(8, 11, 20)).await;
    s.rate(&g, 4).await;
    // H: answered, "Yes".
    let h = s.start(msk(8, 15, 0), "сколько стоит курьер").await;
    s.answer(&h, "courier-delivery", msk(8, 15, 0), Some(true))
        .await;
    // I: answered, then an agent took it straight from the bot (never queued): escalated, but
    // no queue time to measure.
    let i = s.start(msk(8, 16, 0), "вернуть подарок").await;
    s.answer(&i, "return-goods", msk(8, 16, 0), None).await;
    s.join(&i, msk(8, 16, 1)).await;
    s.reply(&i, msk(8, 16, 2)).await;
    s.resolve(&i, msk(8, 16, 10)).await;

    // --- 2026-03-09 ---
    // J: answered, "No", queued 09:01, reply after 6 min, still open.
    let j = s.start(msk(9, 9, 0), "вернуть диван").await;
    s.answer(&j, "return-goods", msk(9, 9, 0), Some(false))
        .await;
    s.queue(&j, "not_helpful", msk(9, 9, 1)).await;
    s.join(&j, msk(9, 9, 2)).await;
    s.reply(&j, msk(9, 9, 7)).await;
    // K: thanks only.
    let k = s.start(msk(9, 10, 0), "спасибо").await;
    s.say(&k, "bot", "Пожалуйста!", msk(9, 10, 0)).await;
    // L: answered, asked for a person: queued 12:01, reply after 10 min, resolved after 20 min,
    // rated 3 and then 5 (the second rating replaces the first).
    let l = s.start(msk(9, 12, 0), "курьер опаздывает").await;
    s.answer(&l, "courier-delivery", msk(9, 12, 0), None).await;
    s.queue(&l, "human_request", msk(9, 12, 1)).await;
    s.join(&l, msk(9, 12, 2)).await;
    s.reply(&l, msk(9, 12, 11)).await;
    s.resolve(&l, msk(9, 12, 21)).await;
    s.rate(&l, 3).await;
    s.rate(&l, 5).await;

    // Article views (UTC days, as stored): 2 on the 7th, 1 on the 8th, 2 on the 9th.
    view(store, Lang::Ru, "return-goods", "v1", "2026-03-07").await;
    view(store, Lang::Ru, "return-goods", "v2", "2026-03-07").await;
    view(store, Lang::Ru, "return-goods", "v1", "2026-03-08").await;
    view(store, Lang::Ru, "courier-delivery", "v3", "2026-03-09").await;
    view(store, Lang::En, "return-goods", "v4", "2026-03-09").await;
    view(store, Lang::Ru, "return-goods", "v5", "2026-03-06").await;
    // Votes, by their time in Moscow: Yes on the 7th, Yes on the 8th, No at 01:30 on the 9th
    // (22:30 UTC on the 8th), and one at midnight after the period.
    vote(
        store,
        "return-goods",
        "v1",
        true,
        "2026-03-07T07:00:00.000Z",
    )
    .await;
    vote(
        store,
        "courier-delivery",
        "v3",
        true,
        "2026-03-08T09:00:00.000Z",
    )
    .await;
    vote(
        store,
        "return-goods",
        "v2",
        false,
        "2026-03-08T22:30:00.000Z",
    )
    .await;
    vote(
        store,
        "courier-delivery",
        "v6",
        true,
        "2026-03-09T21:00:00.000Z",
    )
    .await;
    // Help-center searches without a confident hit: 1 on the 7th, 0 on the 8th, 2 on the 9th
    // (one at its last millisecond), one after.
    search_miss(store, msk(7, 18, 0)).await;
    search_miss(store, msk(9, 8, 0)).await;
    search_miss(store, msk(10, 0, 0) - 1).await;
    search_miss(store, msk(10, 0, 0)).await;
}

/// The CSV of the seeded history, worked out by hand.
///
/// 7th: D A B C — 3 with a question (A B C), self-served A B (A confirmed), escalated C;
/// first reply 4 min, resolved in 30 min; rating 5; bot answers A B C (Yes A, No C).
/// 8th: E F G H I — all 5 with a question; self-served H (confirmed); escalated E G I;
/// first replies 2 min and 7 h 40 min → median 13,860 s (their mean), p90 27,600 s; resolved
/// in 18 min and 8 h 10 min → median 15,240 s; ratings 2 and 4; bot answers H I (Yes H);
/// found nothing F G.
/// 9th: J K L — 2 with a question; escalated J L; replies 6 and 10 min → median 480 s, p90
/// 600 s; L resolved in 20 min; rating 5; bot answers J L (No J).
fn expected_csv() -> String {
    [
        "day,conversations,with_question,self_served,self_served_confirmed,self_service_rate,\
         escalated,escalation_rate,first_replies,first_reply_median_secs,first_reply_p90_secs,\
         resolved,resolve_median_secs,ratings,csat_average,rating_1,rating_2,rating_3,rating_4,\
         rating_5,article_views,helpful_yes,helpful_no,chat_answers,chat_answers_yes,\
         chat_answers_no,bot_no_answers,searches_without_results,time_zone",
        "2026-03-07,4,3,2,1,0.6667,1,0.3333,1,240,240,1,1800,1,5.00,0,0,0,0,1,2,1,0,3,1,1,0,1,\
         Europe/Moscow",
        "2026-03-08,5,5,1,1,0.2000,3,0.6000,2,13860,27600,2,15240,2,3.00,0,1,0,1,0,1,1,0,2,1,0,2,\
         0,Europe/Moscow",
        "2026-03-09,3,2,0,0,0.0000,2,1.0000,2,480,600,1,1200,1,5.00,0,0,0,0,1,2,0,1,2,0,1,0,2,\
         Europe/Moscow",
    ]
    .iter()
    .map(|line| format!("{line}\r\n"))
    .collect()
}

on_both!(every_figure_of_a_known_history);

async fn every_figure_of_a_known_history(db: TestDb) {
    let store = Store::connect(&db.url()).await.expect("connect");
    seed(&store).await;
    let p = period();
    let r = Report::compute(&store, &p).await.expect("report");
    assert_eq!(r.days.len(), 3);

    let [d7, d8, d9] = [&r.days[0], &r.days[1], &r.days[2]];
    // Conversations and their outcomes.
    assert_eq!(
        [d7.conversations, d8.conversations, d9.conversations],
        [4, 5, 3]
    );
    assert_eq!(
        [d7.with_question, d8.with_question, d9.with_question],
        [3, 5, 2]
    );
    assert_eq!([d7.self_served, d8.self_served, d9.self_served], [2, 1, 0]);
    assert_eq!(
        [
            d7.self_served_confirmed,
            d8.self_served_confirmed,
            d9.self_served_confirmed
        ],
        [1, 1, 0]
    );
    assert_eq!([d7.escalated, d8.escalated, d9.escalated], [1, 3, 2]);
    assert_eq!(d7.self_service_rate(), Some(2.0 / 3.0));
    assert_eq!(d8.escalation_rate(), Some(0.6));
    assert_eq!(d9.self_service_rate(), Some(0.0));
    // Times.
    assert_eq!(d7.first_reply_ms, vec![4 * MINUTE]);
    assert_eq!(d8.first_reply_ms, vec![2 * MINUTE, 460 * MINUTE]);
    assert_eq!(d8.first_reply_median(), Some(231 * MINUTE));
    assert_eq!(d8.first_reply_p90(), Some(460 * MINUTE));
    assert_eq!(d9.first_reply_median(), Some(8 * MINUTE));
    assert_eq!(d8.resolve_ms, vec![18 * MINUTE, 490 * MINUTE]);
    assert_eq!(d8.resolve_median(), Some(254 * MINUTE));
    // CSAT.
    assert_eq!(d8.ratings, [0, 1, 0, 1, 0]);
    assert_eq!(d8.csat_average(), Some(3.0));
    // Articles and searches.
    assert_eq!([d7.views, d8.views, d9.views], [2, 1, 2]);
    assert_eq!([d7.votes_yes, d8.votes_yes, d9.votes_yes], [1, 1, 0]);
    assert_eq!([d7.votes_no, d8.votes_no, d9.votes_no], [0, 0, 1]);
    assert_eq!(
        [d7.chat_answers, d8.chat_answers, d9.chat_answers],
        [3, 2, 2]
    );
    assert_eq!(
        [d7.bot_no_answers, d8.bot_no_answers, d9.bot_no_answers],
        [0, 2, 0]
    );
    assert_eq!(
        [
            d7.searches_without_results,
            d8.searches_without_results,
            d9.searches_without_results
        ],
        [1, 0, 2]
    );

    // The whole period: sums, and medians over all the samples (not of the daily medians).
    let t = &r.total;
    assert_eq!(t.conversations, 12);
    assert_eq!(t.with_question, 10);
    assert_eq!(t.self_served, 3);
    assert_eq!(t.self_served_confirmed, 2);
    assert_eq!(t.escalated, 6);
    assert_eq!(t.self_service_rate(), Some(0.3));
    assert_eq!(t.escalation_rate(), Some(0.6));
    assert_eq!(
        t.first_reply_ms,
        vec![
            2 * MINUTE,
            4 * MINUTE,
            6 * MINUTE,
            10 * MINUTE,
            460 * MINUTE
        ]
    );
    assert_eq!(t.first_reply_median(), Some(6 * MINUTE));
    assert_eq!(t.first_reply_p90(), Some(460 * MINUTE));
    assert_eq!(t.resolve_median(), Some(25 * MINUTE));
    assert_eq!(t.ratings, [0, 1, 0, 1, 2]);
    assert_eq!(t.csat_average(), Some(4.0));
    assert_eq!(t.rating_count(), 4);
    assert_eq!(t.views, 5);
    assert_eq!((t.votes_yes, t.votes_no), (2, 1));
    assert_eq!((t.chat_answers, t.chat_yes, t.chat_no), (7, 2, 2));
    assert_eq!(t.bot_no_answers, 2);
    assert_eq!(t.searches_without_results, 3);

    // Articles: most viewed first, then the most votes and answers.
    let article =
        |lang: &str, slug: &str, [views, yes, no, chat_answers, chat_yes, chat_no]: [u64; 6]| {
            reports::ArticleFigures {
                lang: lang.into(),
                slug: slug.into(),
                views,
                yes,
                no,
                chat_answers,
                chat_yes,
                chat_no,
            }
        };
    assert_eq!(
        r.articles,
        vec![
            article("ru", "return-goods", [3, 1, 1, 4, 1, 2]),
            article("ru", "courier-delivery", [1, 1, 0, 3, 1, 0]),
            article("en", "return-goods", [1, 0, 0, 0, 0, 0]),
        ]
    );

    assert_eq!(reports::csv(&r), expected_csv());

    // The widget's usual reply time is the dashboard's median for a period from that day on…
    assert_eq!(
        reports::median_first_reply(&store, p.start_ms())
            .await
            .unwrap(),
        t.first_reply_median()
    );
    // …and promises nothing on fewer than three replies (two on the 9th).
    let ninth = reports::start_of_day(jiff::civil::date(2026, 3, 9), &moscow()).unwrap();
    assert_eq!(
        reports::median_first_reply(&store, ninth).await.unwrap(),
        None
    );
    store.close().await;
}

// ---------------------------------------------------------------------------------------------
// Over HTTP
// ---------------------------------------------------------------------------------------------

/// An account with `role` and a session for it; the `Cookie` header value.
pub async fn role_cookie(app: &TestApp, email: &str, role: otvet::agents::Role) -> String {
    let name = format!("{role} {email}");
    crate::ws::agent_cookie_with_role(app, email, &name, role)
        .await
        .0
}

async fn moscow_app() -> TestApp {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.timezone = moscow();
    config.chat.hours = otvet::domain::hours::BusinessHours::new(
        otvet::domain::hours::WeeklyHours::always(),
        moscow(),
    );
    spawn_app_with(config).await
}

async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut req = no_redirect_client()
        .get(format!("{}{path}", app.base_url))
        .header("Accept-Language", "en");
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    req.send().await.expect("request")
}

const PERIOD: &str = "from=2026-03-07&to=2026-03-09";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_and_admins_see_the_dashboard_and_its_csv() {
    let app = moscow_app().await;
    let store = Store::connect(&app.database_url).await.unwrap();
    seed(&store).await;
    store.close().await;
    let editor = role_cookie(&app, "ed@example.com", otvet::agents::Role::Editor).await;

    let res = get(&app, &format!("/agent/reports?{PERIOD}"), Some(&editor)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store, private");
    let html = res.text().await.unwrap();
    for want in [
        "<h1>Support analytics</h1>",
        // Conversations, self-service and escalation rates of the whole period.
        r#"<p class="rp-value">12</p>"#,
        r#"<p class="rp-value">30%</p>"#,
        r#"<p class="rp-value">60%</p>"#,
        // Median first reply 6 min, p90 7 h 40 min; median resolution 25 min; CSAT 4.00.
        "<p class=\"rp-value\">6\u{a0}min</p>",
        "p90 7\u{a0}h 40\u{a0}min",
        "<p class=\"rp-value\">25\u{a0}min</p>",
        r#"<p class="rp-value">4.00 / 5</p>"#,
        // Helpful votes 2 of 3.
        r#"<p class="rp-value">66.7%</p>"#,
        "Yes 2 · No 1",
        // Charts: described, one bar per day with data, the table behind them.
        r#"<svg class="rp-chart" role="img" aria-labelledby="rp-conversations-t rp-conversations-d""#,
        "<title id=\"rp-conversations-t\">Conversations per day</title>",
        "2026-03-07 – 2026-03-09: highest 5 (2026-03-08), lowest 3 (2026-03-09)",
        "<title>2026-03-08: 60%</title>",
        r#"<th class="rp-day" scope="row">2026-03-08 <span class="meta">Sun</span></th>"#,
        // The articles by title from the knowledge base.
        r#"<a href="/ru/articles/return-goods">"#,
        // The CSV link and the quick periods.
        r#"href="/agent/reports.csv?from=2026-03-07&amp;to=2026-03-09""#,
        "Last 7 days",
        "days in the Europe/Moscow time zone",
    ] {
        assert!(html.contains(want), "missing {want:?} in the page:\n{html}");
    }
    assert!(!html.contains("style="), "no inline styles");
    assert!(!html.contains("<script>"), "no inline scripts");

    let res = get(&app, &format!("/agent/reports.csv?{PERIOD}"), Some(&editor)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"otvet-report-2026-03-07-2026-03-09.csv\""
    );
    assert_eq!(res.text().await.unwrap(), expected_csv());

    let admin = role_cookie(&app, "admin@example.com", otvet::agents::Role::Admin).await;
    for path in ["/agent/reports", "/agent/reports.csv"] {
        let res = get(&app, &format!("{path}?{PERIOD}"), Some(&admin)).await;
        assert_eq!(res.status(), 200, "{path} for an admin");
    }
    let css = get(&app, "/agent/reports.css", None).await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_may_not_and_strangers_are_sent_to_sign_in() {
    let app = moscow_app().await;
    let agent = role_cookie(&app, "ag@example.com", otvet::agents::Role::Agent).await;
    for path in ["/agent/reports", "/agent/reports.csv"] {
        let res = get(&app, path, Some(&agent)).await;
        assert_eq!(res.status(), 403, "{path} for an agent");
        let body = res.text().await.unwrap();
        assert!(body.contains("editor"), "{body}");
        assert!(!body.contains("conversations"), "{body}");

        let res = get(&app, &format!("{path}?{PERIOD}"), None).await;
        assert_eq!(res.status(), 303, "{path} signed out");
        let location = res.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with("/agent/login?next=%2Fagent%2Freports"),
            "{location}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_period_is_the_last_30_days_and_a_wrong_one_is_explained() {
    let app = moscow_app().await;
    let editor = role_cookie(&app, "ed@example.com", otvet::agents::Role::Editor).await;
    let csv = get(&app, "/agent/reports.csv", Some(&editor)).await;
    assert_eq!(csv.status(), 200);
    let body = csv.text().await.unwrap();
    let lines: Vec<&str> = body.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 31, "a header and 30 days:\n{body}");
    let today = reports::today(now_ms(), &moscow()).to_string();
    assert!(lines[30].starts_with(&format!("{today},0,0,")), "{body}");

    for (query, says) in [
        (
            "from=2026-03-09&to=2026-03-07",
            "starts (2026-03-09) after it ends",
        ),
        ("from=07.03.2026", "is not a date: use YYYY-MM-DD"),
        ("from=2024-01-01&to=2026-01-01", "at most 366"),
    ] {
        for path in ["/agent/reports", "/agent/reports.csv"] {
            let res = get(&app, &format!("{path}?{query}"), Some(&editor)).await;
            assert_eq!(res.status(), 400, "{path}?{query}");
            let html = res.text().await.unwrap();
            assert!(html.contains(says), "{path}?{query}: {html}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// GET /api/chat/info
// ---------------------------------------------------------------------------------------------

async fn chat_info(app: &TestApp) -> Value {
    let res = app
        .client
        .get(format!("{}/api/chat/info", app.base_url))
        .header("Origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_info_says_who_is_there_and_the_usual_reply_time() {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.auto_assign = false;
    let app = spawn_app_with(config).await;
    let info = chat_info(&app).await;
    assert_eq!(
        info,
        serde_json::json!({"online": false, "open_now": true, "back_at": null,
                           "usual_reply_secs": null})
    );

    // Today, three conversations answered 1, 2 and 4 minutes after entering the queue.
    let store = Store::connect(&app.database_url).await.unwrap();
    let mut s = Seed {
        store: &store,
        n: 100,
    };
    let now = now_ms();
    let start = reports::start_of_day(
        reports::today(now, &jiff::tz::TimeZone::UTC),
        &jiff::tz::TimeZone::UTC,
    )
    .unwrap();
    for minutes in [1, 2, 4] {
        let c = s.start(start, "позовите оператора").await;
        s.queue(&c, "human_request", start).await;
        s.join(&c, start).await;
        s.reply(&c, start + minutes * MINUTE).await;
    }
    // Two weeks ago: not part of the usual time any more.
    let old = start - 14 * 24 * 60 * MINUTE;
    let c = s.start(old, "позовите оператора").await;
    s.queue(&c, "human_request", old).await;
    s.join(&c, old).await;
    s.reply(&c, old + 600 * MINUTE).await;
    store.close().await;

    let info = chat_info(&app).await;
    assert_eq!(info["usual_reply_secs"], 120, "{info}");
    assert_eq!(info["online"], false);

    let (cookie, _) = crate::ws::agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let _agent = crate::ws::agent_socket(&app, &cookie).await;
    let info = chat_info(&app).await;
    assert_eq!(info["online"], true, "{info}");
    assert_eq!(info["open_now"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_info_outside_business_hours_says_when_support_is_back() {
    // Open only on the day after tomorrow (UTC): closed now, back at that day's midnight.
    let utc = jiff::tz::TimeZone::UTC;
    let back_day = reports::today(now_ms(), &utc)
        .checked_add(jiff::Span::new().days(2))
        .unwrap();
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [back_day.weekday().to_monday_zero_offset() as usize];
    let weekly = otvet::domain::hours::WeeklyHours::parse(&format!("{day} 00:00-24:00")).unwrap();
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.chat.hours = otvet::domain::hours::BusinessHours::new(weekly, utc.clone());
    let app = spawn_app_with(config).await;
    let (cookie, _) = crate::ws::agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let _agent = crate::ws::agent_socket(&app, &cookie).await;
    let info = chat_info(&app).await;
    assert_eq!(info["open_now"], false, "{info}");
    assert_eq!(
        info["online"], false,
        "an agent online outside the hours: {info}"
    );
    assert_eq!(
        info["back_at"],
        reports::start_of_day(back_day, &utc).unwrap(),
        "{info}"
    );
}

on_both!(a_choice_counts_like_did_this_help);

/// «Вы об этом?»: an option chosen is a "yes" for its article and confirms self-service;
/// "none of these" is a "no".
async fn a_choice_counts_like_did_this_help(db: TestDb) {
    use otvet::domain::{Clarify, ClarifyOption};
    let store = Store::connect(&db.url()).await.expect("connect");
    let mut s = Seed {
        store: &store,
        n: 0,
    };
    let option = |slug: &str| ClarifyOption {
        title: slug.into(),
        section: None,
        slug: slug.into(),
        anchor: None,
        lang: Lang::Ru,
        url: format!("/ru/articles/{slug}"),
        confidence: 0.3,
    };
    for (i, choice) in [Some(1), None].into_iter().enumerate() {
        let at = msk(8, 10 + i as i8, 0);
        let conv = s.start(at, "налик курьеру отдать можно?").await;
        let m = NewMessage {
            author: Author::Bot,
            text: "Уточните, пожалуйста: вы об этом?".into(),
            clarify: Some(Clarify {
                options: vec![option("courier-delivery"), option("payment-methods")],
            }),
            ..Default::default()
        };
        let seq = s.append(&conv, m, Patch::default(), at + MINUTE).await;
        let chosen = store
            .set_choice(conv.id, seq, choice)
            .await
            .unwrap()
            .expect("a choice is taken");
        assert_eq!(chosen.choice, choice);
        assert_eq!(chosen.feedback, Some(choice.is_some()));
        // Once.
        assert!(
            store
                .set_choice(conv.id, seq, Some(0))
                .await
                .unwrap()
                .is_none()
        );
        if choice.is_some() {
            s.answer(&conv, "payment-methods", at + 2 * MINUTE, None)
                .await;
        }
    }
    let r = Report::compute(&store, &period()).await.expect("report");
    let t = &r.total;
    assert_eq!((t.chat_answers, t.chat_yes, t.chat_no), (1, 1, 1));
    assert_eq!(t.self_served_confirmed, 1);
    let pm = r
        .articles
        .iter()
        .find(|a| a.slug == "payment-methods")
        .expect("payment-methods in the report");
    assert_eq!((pm.chat_answers, pm.chat_yes), (1, 1));
}
