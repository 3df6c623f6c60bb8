//! The gap report: unresolved questions grouped by need across word forms, typos and the wrong
//! keyboard layout, with different needs kept apart; trends, shown articles, "No" votes and
//! searches without results; drafts that pass `otvet check`; a cluster shown as covered once an
//! article for it lands in the folder (hot reload); role checks; `otvet gaps` as the binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use otvet::Store;
use otvet::agents::{NewAgent, Role};
use otvet::analytics::gaps::{self, Cluster, GapReport};
use otvet::bot::Shown;
use otvet::domain::now_ms;
use otvet::domain::{Lang, Slug};
use otvet::search::{SearchEngine, SearchRequest};
use serde_json::Value;

use crate::helpers::{
    AgentClient, RELOAD_TIMEOUT, TestApp, copy_fixture, fixture, login, no_redirect_client,
    run_otvet, sample_articles, spawn_app, sqlite_url, wait_until, write_file,
};
use crate::store::TestDb;
use crate::ws::new_customer;

#[path = "gaps_clustering.rs"]
mod clustering;
#[path = "gaps_triage.rs"]
mod triage;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const CLI_TIMEOUT: Duration = Duration::from_secs(120);

fn engine(dir: &Path) -> SearchEngine {
    SearchEngine::open(dir, Lang::Ru, otvet::search::DEFAULT_THRESHOLD).expect("open the index")
}

/// The cluster a text ended up in.
fn cluster_of<'a>(clusters: &'a [Cluster], text: &str) -> &'a Cluster {
    clusters
        .iter()
        .find(|c| c.phrasings.iter().any(|p| p.text == text))
        .unwrap_or_else(|| panic!("{text:?} is in no cluster:\n{}", describe(clusters)))
}

/// A cluster's texts.
fn texts(c: &Cluster) -> BTreeSet<&str> {
    c.phrasings.iter().map(|p| p.text.as_str()).collect()
}

/// The clusters, one per line, for failure messages.
fn describe(clusters: &[Cluster]) -> String {
    clusters
        .iter()
        .map(|c| format!("  {} {:?}: {:?}\n", c.id, c.title, texts(c)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The report from the store (SQLite and PostgreSQL)
// ---------------------------------------------------------------------------------------------

/// Stores what the bot would have recorded: a conversation per question, the articles search
/// shows for the text now as `shown`.
struct Seeder {
    store: Store,
    engine: SearchEngine,
    customers: BTreeMap<&'static str, i64>,
}

impl Seeder {
    async fn ask(&mut self, who: &'static str, text: &str, reason: &str, at: i64) {
        let id = match self.customers.get(who) {
            Some(id) => *id,
            None => {
                let c = self
                    .store
                    .create_customer(&format!("token-{who}"), at)
                    .await
                    .expect("customer");
                self.customers.insert(who, c.id);
                c.id
            }
        };
        let conv = self
            .store
            .create_conversation(
                id,
                "ru",
                Some("https://shop.example/cart"),
                otvet::domain::Channel::Chat,
                at,
            )
            .await
            .expect("conversation");
        let shown: Vec<Shown> = if reason == "no_answer" {
            Vec::new()
        } else {
            // What the bot offered: the best hit, which did not help.
            let r = self.engine.search(&SearchRequest {
                query: text,
                lang: Some(Lang::Ru),
                limit: 1,
                snippets: false,
                semantic: true,
                across: false,
            });
            r.hits
                .iter()
                .map(|h| Shown {
                    slug: h.slug.to_string(),
                    title: h.title.clone(),
                    url: h.url.clone(),
                    confidence: h.confidence.max(0.5),
                })
                .collect()
        };
        self.store
            .record_unresolved(
                &conv,
                2,
                text,
                reason,
                &serde_json::to_string(&shown).unwrap(),
                at,
            )
            .await
            .expect("record an unresolved question");
    }
}

async fn report_clusters_from_the_store(db: TestDb) {
    let store = Store::connect(&db.url()).await.expect("connect");
    let engine = tokio::task::spawn_blocking(|| engine(&sample_articles()))
        .await
        .unwrap();
    let mut s = Seeder {
        store: store.clone(),
        engine: engine.clone(),
        customers: BTreeMap::new(),
    };
    let now = now_ms();
    let week = 7 * DAY;
    // This week.
    s.ask("anna", "как вернуть товар", "not_helpful", now - 5 * DAY)
        .await;
    s.ask("boris", "Возврат товара", "escalated", now - 4 * DAY)
        .await;
    s.ask(
        "vera",
        "как вернуть телевизор?",
        "not_helpful",
        now - 3 * DAY,
    )
    .await;
    s.ask("gleb", "djpdhfn njdfhf", "not_helpful", now - 2 * DAY)
        .await;
    s.ask("dina", "вернуть товр", "not_helpful", now - DAY)
        .await;
    s.ask("anna", "как вернуть товар", "not_helpful", now - HOUR)
        .await;
    s.ask("egor", "как вернуть деньги", "not_helpful", now - 3 * DAY)
        .await;
    s.ask(
        "zhanna",
        "когда вернут деньги",
        "not_helpful",
        now - 2 * DAY,
    )
    .await;
    s.ask("boris", "вернут ли деньги на карту", "escalated", now - DAY)
        .await;
    s.ask(
        "ivan",
        "сколько стоит доставка",
        "not_helpful",
        now - 2 * DAY,
    )
    .await;
    s.ask(
        "vera",
        "сколько стоит доставка холодильника?",
        "not_helpful",
        now - DAY,
    )
    .await;
    s.ask(
        "ivan",
        "можно ли оплатить криптовалютой",
        "no_answer",
        now - 6 * DAY,
    )
    .await;
    s.ask("kira", "оплата криптовалютой", "no_answer", now - 2 * HOUR)
        .await;
    // The week before.
    s.ask("lev", "как вернуть товар", "not_helpful", now - week - DAY)
        .await;
    s.ask(
        "lev",
        "хочу сдать товар обратно",
        "not_helpful",
        now - week - 2 * DAY,
    )
    .await;
    for i in 1..=5 {
        s.ask(
            "mila",
            "как вернуть деньги",
            "not_helpful",
            now - week - i * HOUR,
        )
        .await;
    }
    // Older than both periods: not counted.
    s.ask("nina", "как вернуть товар", "not_helpful", now - 3 * week)
        .await;

    // Help-center searches that found nothing confident, typed on the way to the last one.
    for (text, visitor, ago) in [
        ("крип", "v-a", 10 * HOUR + 3_000),
        ("криптовалют", "v-a", 10 * HOUR + 2_000),
        ("криптовалюта", "v-a", 10 * HOUR),
        ("оплата криптовалютой", "v-a", 3 * HOUR),
        ("подарочная упаковка", "v-b", 2 * HOUR),
    ] {
        store
            .record_search_miss(text, "ru", Some(visitor), now - ago)
            .await
            .unwrap();
    }
    // "No" votes with comments (personal data in one).
    let slug = |s: &str| Slug::parse(s).unwrap();
    for (visitor, helpful, comment) in [
        (
            "v1",
            false,
            Some("Не помогло, ответьте на anna@example.com"),
        ),
        ("v2", false, None),
        ("v3", true, None),
    ] {
        store
            .record_feedback(Lang::Ru, &slug("return-goods"), visitor, helpful, comment)
            .await
            .unwrap();
    }
    store
        .record_feedback(
            Lang::Ru,
            &slug("delivery-options"),
            "v4",
            false,
            Some("нет цен"),
        )
        .await
        .unwrap();

    let report = gaps::build_report(&store, &engine, week, now)
        .await
        .expect("report");
    let all = describe(&report.clusters);
    assert_eq!(report.questions, 13, "{all}");
    assert_eq!(
        report.days.len(),
        8,
        "a week touches eight dates: {:?}",
        report.days
    );

    let returns = cluster_of(&report.clusters, "как вернуть товар");
    for t in [
        "Возврат товара",
        "как вернуть телевизор?",
        "djpdhfn njdfhf",
        "вернуть товр",
    ] {
        assert!(texts(returns).contains(t), "{t:?}:\n{all}");
    }
    assert_eq!(returns.size, 6, "{all}");
    assert_eq!(returns.customers, 5, "anna asked twice");
    assert_eq!((returns.asked, returns.searched), (6, 0));
    assert_eq!(returns.trend.per_day.iter().sum::<usize>(), 6);
    assert_eq!(
        returns.trend.previous, 2,
        "both questions of the week before"
    );
    assert_eq!(returns.trend.change, "up");
    assert_eq!(returns.reasons.get("not_helpful"), Some(&5));
    assert_eq!(returns.reasons.get("escalated"), Some(&1));
    assert!(returns.examples.len() <= gaps::EXAMPLES);
    assert_eq!(
        returns.examples[0], "как вернуть товар",
        "the most typical first"
    );
    assert_eq!(returns.title, "Как вернуть товар");
    assert!(
        returns
            .shown
            .iter()
            .any(|a| a.slug == "return-goods" && a.count >= 2),
        "{:?}",
        returns.shown
    );
    assert_eq!(returns.category.as_deref(), Some("Возврат и обмен"));
    assert!(
        returns.covered.is_none(),
        "the article shown did not help and has not changed since: {:?}",
        returns.covered
    );

    let refund = cluster_of(&report.clusters, "как вернуть деньги");
    assert_ne!(refund.id, returns.id, "{all}");
    assert_eq!(refund.size, 3);
    assert_eq!(refund.trend.previous, 5);
    assert_eq!(refund.trend.change, "down");
    let cost = cluster_of(&report.clusters, "сколько стоит доставка");
    assert!(texts(cost).contains("сколько стоит доставка холодильника?"));
    assert_ne!(cost.id, returns.id);
    assert_ne!(cost.id, refund.id);
    let crypto = cluster_of(&report.clusters, "оплата криптовалютой");
    assert!(texts(crypto).contains("можно ли оплатить криптовалютой"));
    assert_eq!(crypto.trend.change, "new");
    assert!(crypto.shown.is_empty());
    // Searches of the same need join the chat's questions: one need, one cluster, both counts;
    // the people are ivan and kira in the chat and one visitor who searched twice.
    assert!(texts(crypto).contains("криптовалюта"), "{all}");
    assert_eq!((crypto.asked, crypto.searched), (2, 2), "{all}");
    assert_eq!(crypto.customers, 3, "{all}");

    // By impact: distinct customers, then size.
    assert_eq!(report.clusters[0].id, returns.id, "{all}");
    for w in report.clusters.windows(2) {
        assert!(
            w[0].covered.is_some() <= w[1].covered.is_some()
                && (w[0].covered.is_some() != w[1].covered.is_some()
                    || (w[0].customers, w[0].size) >= (w[1].customers, w[1].size)),
            "{all}"
        );
    }

    // Searches: the typing on the way collapses into what was finally searched.
    assert_eq!(report.search_count, 3, "{all}");
    assert!(!texts(crypto).contains("крип"));
    assert!(!texts(crypto).contains("подарочная упаковка"));
    let wrap = cluster_of(&report.clusters, "подарочная упаковка");
    assert_eq!((wrap.asked, wrap.searched, wrap.customers), (0, 1, 1));

    // "No" votes, most first, comments masked.
    assert_eq!(report.articles.len(), 2);
    let a = &report.articles[0];
    assert_eq!((a.slug.as_str(), a.no, a.yes), ("return-goods", 2, 1));
    assert_eq!(
        a.title.as_deref(),
        Some("Как вернуть товар надлежащего качества")
    );
    assert_eq!(a.comments.len(), 1);
    assert!(a.comments[0].text.contains("[email]"), "{:?}", a.comments);
    assert!(!a.comments[0].text.contains("anna@"));
    assert_eq!(report.articles[1].comments[0].text, "нет цен");

    // The same data, the same ids.
    let again = gaps::build_report(&store, &engine, week, now)
        .await
        .unwrap();
    let ids = |r: &GapReport| r.clusters.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&report), ids(&again));

    // A draft from the cluster.
    let md = gaps::draft(returns, "2026-10-14", &[]);
    assert!(
        md.starts_with("---\ntitle: \"Как вернуть товар\"\nlang: ru\n"),
        "{md}"
    );
    assert!(md.contains("category: \"Возврат и обмен\""), "{md}");
    assert!(md.contains("  - \"djpdhfn njdfhf\"\n"), "{md}");
    assert!(md.contains("draft: true\n"), "{md}");
    store.close().await;
}

crate::store::on_both!(report_clusters_from_the_store);

// ---------------------------------------------------------------------------------------------
// Over HTTP: roles, the page, drafts, coverage after hot reload, searches
// ---------------------------------------------------------------------------------------------

/// Creates an account with a password in the app's database and signs in through the form.
async fn sign_in(app: &TestApp, email: &str, role: Role) -> AgentClient {
    let store = Store::connect(&app.database_url).await.unwrap();
    store
        .create_agent(
            &NewAgent {
                email: email.into(),
                name: format!("{role} account"),
                password_hash: otvet::agents::password::hash_password("correct horse battery")
                    .unwrap(),
                role,
                max_chats: None,
            },
            now_ms(),
        )
        .await
        .unwrap()
        .expect("a new email");
    store.close().await;
    login(app, email, "correct horse battery").await
}

async fn gap_report(editor: &AgentClient) -> Value {
    let (status, body) = editor.get("/agent/api/gaps?since=7d").await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The JSON cluster that has this text among its phrasings.
fn json_cluster<'a>(report: &'a Value, list: &str, text: &str) -> Option<&'a Value> {
    report[list].as_array()?.iter().find(|c| {
        c["phrasings"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["text"] == text))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_editors_and_admins_see_the_gap_report() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let agent = sign_in(&app, "agent@example.com", Role::Agent).await;
    let editor = sign_in(&app, "editor@example.com", Role::Editor).await;
    let admin = sign_in(&app, "admin@example.com", Role::Admin).await;

    for path in ["/agent/gaps", "/agent/gaps/q0000000000/draft.md"] {
        let (status, html) = agent.page(path).await;
        assert_eq!(status, 403, "{path}: {html}");
    }
    assert_eq!(agent.get("/agent/api/gaps").await.0, 403);
    for who in [&editor, &admin] {
        let (status, html) = who.page("/agent/gaps").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<h1>"), "{html}");
        assert_eq!(who.get("/agent/api/gaps").await.0, 200);
    }
    let (status, body) = editor.get("/agent/api/gaps?since=soon").await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let (status, _) = editor.page("/agent/gaps?since=1000d").await;
    assert_eq!(status, 400);
    let (status, body) = editor.get("/agent/gaps/q0000000000/draft.md").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));

    // Strangers are sent to sign in (pages) or told to (API).
    let anon = no_redirect_client();
    let res = anon
        .get(format!("{}/agent/gaps?since=7d", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/agent/login?next=%2Fagent%2Fgaps%3Fsince%3D7d"
    );
    let res = anon
        .get(format!("{}/agent/api/gaps", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

/// Customers ask through the real chat what the articles do not answer; the editor finds the
/// need on the page, downloads the draft, and once an article made from it is saved in the
/// folder the report shows the cluster as covered by it, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_becomes_a_draft_and_is_covered_once_the_article_is_saved() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let editor = sign_in(&app, "editor@example.com", Role::Editor).await;
    let asked = [
        "можно ли оплатить криптовалютой",
        "оплата криптовалютой",
        "принимаете оплату криптовалютой?",
        "оплатить криптовалютлй",
        "Здравствуйте! Можно оплатить криптовалютой? Мой телефон +7 912 345-67-89",
    ];
    for (i, text) in asked.iter().enumerate() {
        let (mut ws, _) = new_customer(&app, "ru").await;
        ws.say(&format!("q{i}"), text).await;
        let reply = ws.message_from("bot").await;
        assert_eq!(reply["event"], "no_answer", "{text}: {reply}");
        ws.close().await;
    }
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("other", "как накачать колесо велосипеда насосом")
        .await;
    ws.message_from("bot").await;
    ws.close().await;

    let report = gap_report(&editor).await;
    let c = json_cluster(&report, "clusters", "оплата криптовалютой")
        .unwrap_or_else(|| panic!("{report:#}"))
        .clone();
    let phrasings: Vec<&str> = c["phrasings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    for text in &asked[..4] {
        assert!(phrasings.contains(text), "{text:?} in {phrasings:?}");
    }
    let masked = phrasings
        .iter()
        .find(|p| p.contains("Мой телефон"))
        .expect("the question with a phone number joins too");
    assert!(
        masked.contains("[phone]") && !masked.contains("912"),
        "{masked}"
    );
    assert_eq!(c["customers"], 5);
    assert_eq!(c["size"], 5);
    assert_eq!(c["lang"], "ru");
    assert_eq!(c["covered"], Value::Null);
    assert_eq!(c["trend"]["change"], "new");
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(
        gap_report(&editor).await["clusters"],
        report["clusters"],
        "stable"
    );

    // The page lists it with a draft link.
    let (status, html) = editor.page("/agent/gaps?since=7d").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("data-cluster=\"{id}\"")), "{html}");
    assert!(html.contains("оплата криптовалютой"), "{html}");
    let href = format!("/agent/gaps/{id}/draft.md?since=7d");
    assert!(html.contains(&href), "{html}");

    // The draft, as a download.
    let res = editor
        .request(reqwest::Method::GET, &href)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    let file = disposition
        .trim_start_matches("attachment; filename=\"")
        .trim_end_matches('"')
        .to_string();
    assert!(
        file.ends_with(".md") && Slug::parse(file.trim_end_matches(".md")).is_ok(),
        "{file}"
    );
    let draft = res.text().await.unwrap();
    assert!(draft.starts_with("---\ntitle: \""), "{draft}");
    assert!(draft.contains("\nlang: ru\n"), "{draft}");
    assert!(draft.contains("\ndraft: true\n"), "{draft}");
    for text in &asked[..4] {
        assert!(
            draft.contains(&format!("  - {}\n", serde_json::to_string(text).unwrap())),
            "{draft}"
        );
    }
    assert!(!draft.contains("912"), "{draft}");

    // With a body, the draft passes `otvet check` (as a draft and published).
    let body = "Криптовалюту мы не принимаем: оплатить заказ можно картой или наличными.\n\n\
                ## Чем можно оплатить {#payment-methods}\n\nКартой на сайте или наличными курьеру.\n";
    let check_dir = copy_fixture("small-kb");
    let rel = format!("ru/payment/{file}");
    for text in [
        format!("{draft}\n{body}"),
        format!("{draft}\n{body}").replace("draft: true", "draft: false"),
    ] {
        write_file(check_dir.path(), &rel, &text);
        let out = run_otvet(
            &["check", "--articles", check_dir.path().to_str().unwrap()],
            CLI_TIMEOUT,
        );
        assert_eq!(out.code, Some(0), "{out:#?}");
        assert!(
            !out.stdout.contains(&file),
            "no problem in the draft: {out:#?}"
        );
    }

    // The editor publishes it: hot reload, and the cluster shows as covered by it.
    let article = format!("{draft}\n{body}").replace("draft: true", "draft: false");
    write_file(dir.path(), &rel, &article);
    let slug = file.trim_end_matches(".md").to_string();
    let took = wait_until(RELOAD_TIMEOUT, || async {
        let r = gap_report(&editor).await;
        json_cluster(&r, "clusters", "оплата криптовалютой")
            .is_some_and(|c| c["covered"]["slug"] == slug.as_str())
    })
    .await;
    let report = gap_report(&editor).await;
    let c = json_cluster(&report, "clusters", "оплата криптовалютой").unwrap();
    assert!(
        took.is_some(),
        "not covered within {RELOAD_TIMEOUT:?}: {c:#}"
    );
    let answered = c["covered"]["answered"].as_u64().unwrap();
    let of = c["covered"]["of"].as_u64().unwrap();
    assert!(answered * 2 > of, "{c:#}");
    assert_eq!(c["covered"]["url"], format!("/ru/articles/{slug}"));
    let (_, html) = editor.page("/agent/gaps?since=7d").await;
    assert!(html.contains("id=\"covered\""), "{html}");
    assert!(html.contains(&format!("/ru/articles/{slug}")), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_center_searches_without_results_are_listed() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let editor = sign_in(&app, "editor@example.com", Role::Editor).await;
    // Instant suggestions search as the visitor types, then the results page.
    for q in ["кр", "криптов", "криптовалюта"] {
        let res = app.search_limit(q, Some("ru"), 6).await;
        assert!(!res.answered, "{}", res.describe());
    }
    let res = app
        .client
        .get(format!("{}/ru/search", app.base_url))
        .query(&[("q", "криптовалюта")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    // Without a language, personal data in it.
    let res = app
        .search("оплата криптовалютой, звоните +7 912 345-67-89", None)
        .await;
    assert!(!res.answered);
    // Answered searches are not listed.
    let res = app.search("как удалить накипь в чайнике", Some("ru")).await;
    assert!(res.answered, "{}", res.describe());

    let seen = wait_until(RELOAD_TIMEOUT, || async {
        gap_report(&editor).await["search_count"] == 2
    })
    .await;
    let report = gap_report(&editor).await;
    assert!(seen.is_some(), "{report:#}");
    let c =
        json_cluster(&report, "clusters", "криптовалюта").unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(c["searched"], 2, "{c:#}");
    assert_eq!(c["asked"], 0, "{c:#}");
    assert_eq!(c["size"], 2, "{c:#}");
    assert_eq!(c["customers"], 1, "one visitor searched both: {c:#}");
    let texts: Vec<&str> = c["phrasings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(texts.iter().any(|t| t.contains("[phone]")), "{texts:?}");
    assert!(
        !texts
            .iter()
            .any(|t| t.contains("912") || t.contains("накипь")),
        "{texts:?}"
    );
    let (_, html) = editor.page("/agent/gaps?since=7d").await;
    assert!(html.contains("криптовалюта"), "{html}");
}

// ---------------------------------------------------------------------------------------------
// otvet gaps
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otvet_gaps_prints_the_report_and_drafts() {
    let db_dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&db_dir.path().join("otvet.db"));
    let store = Store::connect(&url).await.unwrap();
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
        ("c", "принимаете криптовалюту?"),
        ("d", "есть ли подарочная упаковка"),
    ] {
        s.ask(who, text, "no_answer", now - DAY).await;
    }
    store.close().await;
    let kb = fixture("small-kb");
    let kb = kb.to_str().unwrap();

    let out = run_otvet(
        &[
            "gaps",
            "--json",
            "--since",
            "7d",
            "--database",
            &url,
            "--articles",
            kb,
        ],
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(0), "{out:#?}");
    let report: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(report["period"], "7d");
    assert_eq!(report["questions"], 4);
    let first = &report["clusters"][0];
    assert_eq!(first["customers"], 3, "{report:#}");
    // The title is the most typical text, tidied.
    let title = first["title"].as_str().unwrap();
    assert_eq!(
        title,
        gaps::title_of(first["examples"][0].as_str().unwrap()),
        "{report:#}"
    );
    let id = first["id"].as_str().unwrap();

    let out = run_otvet(
        &[
            "gaps",
            "--draft",
            id,
            "--since",
            "7d",
            "--database",
            &url,
            "--articles",
            kb,
        ],
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(
        out.stdout
            .starts_with(&format!("---\ntitle: \"{title}\"\n")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("  - \"принимаете криптовалюту?\"\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("draft: true"), "{}", out.stdout);

    let out = run_otvet(&["gaps", "--database", &url, "--articles", kb], CLI_TIMEOUT);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(out.stdout.contains(title), "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!("--draft {id}")),
        "{}",
        out.stdout
    );

    let out = run_otvet(
        &[
            "gaps",
            "--draft",
            "q0000000000",
            "--database",
            &url,
            "--articles",
            kb,
        ],
        CLI_TIMEOUT,
    );
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(
        out.stderr.contains("no cluster 'q0000000000'"),
        "{}",
        out.stderr
    );
    let out = run_otvet(&["gaps", "--since", "0d", "--database", &url], CLI_TIMEOUT);
    assert_ne!(out.code, Some(0), "{out:#?}");
}
