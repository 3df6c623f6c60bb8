//! Search quality on the real sample knowledge base (`articles/`) and on small fixtures:
//! word forms, ё/е, typos, wrong keyboard layout, synonyms, negation, hostile input, confidence.

use std::time::{Duration, Instant};

use crate::helpers::{SearchResponse, copy_fixture, fixture, marked_words, sample_app, spawn_app};

const DELIVERY: &[&str] = &[
    "delivery-options",
    "courier-delivery",
    "delivery-times",
    "delivery-late",
    "large-appliances-delivery",
];
const RETURNS_AND_REFUNDS: &[&str] = &[
    "return-goods",
    "return-defective-goods",
    "non-returnable-goods",
    "exchange-goods",
    "refund-timing",
    "refund-not-received",
];

fn assert_top(res: &SearchResponse, slug: &str) {
    assert_eq!(
        res.top().map(|h| h.slug.as_str()),
        Some(slug),
        "expected {slug} first\n{}",
        res.describe()
    );
}

fn assert_in_top(res: &SearchResponse, slug: &str, k: usize) {
    let rank = res.rank(slug);
    assert!(
        rank.is_some_and(|r| r <= k),
        "expected {slug} in the top {k}, got rank {rank:?}\n{}",
        res.describe()
    );
}

/// Whether any hit among the first `k` marks a word that starts with `stem` (lowercase).
fn marks_in_top(res: &SearchResponse, k: usize, stem: &str) -> bool {
    res.hits
        .iter()
        .take(k)
        .any(|h| marked_words(&h.snippet).iter().any(|w| w.starts_with(stem)))
}

/// Lowercased text of every Markdown file of the sample knowledge base.
fn sample_text() -> String {
    fn walk(dir: &std::path::Path, out: &mut String) {
        for e in std::fs::read_dir(dir).expect("read articles") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push_str(
                    &std::fs::read_to_string(&p)
                        .expect("read article")
                        .to_lowercase(),
                );
                out.push('\n');
            }
        }
    }
    let mut s = String::new();
    walk(&crate::helpers::sample_articles(), &mut s);
    s
}

// ---------------------------------------------------------------------------------------------
// 1. Word forms, ё/е, typos
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn russian_word_forms_find_the_article() {
    let app = sample_app().await;
    // (query in a case/number the article does not use, article, word the snippet must mark)
    let cases = [
        (
            "доставкой холодильников",
            "large-appliances-delivery",
            "холодильник",
        ),
        ("удалением аккаунтов", "delete-account", "удал"),
        ("сроки хранения заказов", "pickup-storage-period", "хранени"),
        ("рассрочкой", "installments-and-credit", "рассрочк"),
    ];
    for (q, slug, stem) in cases {
        let res = app.search(q, Some("ru")).await;
        assert_top(&res, slug);
        let top = res.top().unwrap();
        assert!(
            marked_words(&top.snippet)
                .iter()
                .any(|w| w.starts_with(stem)),
            "the snippet of {slug} should mark a form of {stem:?}\n{}",
            res.describe()
        );
    }
    // Different forms of the same words are the same query.
    let a = app.search("доставка холодильника", Some("ru")).await;
    let b = app.search("доставкой холодильников", Some("ru")).await;
    assert_eq!(a.slugs(), b.slugs(), "\n{}\n{}", a.describe(), b.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yo_and_ye_are_interchangeable_in_the_sample_kb() {
    let app = sample_app().await;
    for (with_yo, with_ye) in [
        ("подъём на этаж", "подъем на этаж"),
        ("оплата по счёту", "оплата по счету"),
        ("не подошёл товар", "не подошел товар"),
    ] {
        let a = app.search(with_yo, Some("ru")).await;
        let b = app.search(with_ye, Some("ru")).await;
        assert!(!a.hits.is_empty(), "{}", a.describe());
        assert_eq!(
            a.slugs(),
            b.slugs(),
            "ё and е must give the same hits\n{}\n{}",
            a.describe(),
            b.describe()
        );
        let conf = |r: &SearchResponse| r.hits.iter().map(|h| h.confidence).collect::<Vec<_>>();
        assert_eq!(conf(&a), conf(&b), "\n{}\n{}", a.describe(), b.describe());
    }
    // The article writes «подъём» and «счёт»; a query with «е» finds it.
    assert_top(
        &app.search("подъем на этаж", Some("ru")).await,
        "large-appliances-delivery",
    );
    assert_top(
        &app.search("оплата по счету", Some("ru")).await,
        "invoice-for-companies",
    );
}

/// Three-letter words get no typo tolerance, so only ё/е folding can make these match.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yo_folding_works_both_ways_on_short_words() {
    let app = spawn_app(fixture("yo")).await;
    // Article writes «мёд», query «мед».
    let res = app.search("мед?", Some("ru")).await;
    assert_top(&res, "honey");
    assert!(marks_in_top(&res, 1, "мёд"), "{}", res.describe());
    // Article writes «лед», query «лёд».
    let res = app.search("лёд?", Some("ru")).await;
    assert_top(&res, "ice");
    assert!(marks_in_top(&res, 1, "лед"), "{}", res.describe());
    // Control: an unrelated short word finds neither.
    let res = app.search("чай?", Some("ru")).await;
    assert_top(&res, "tea");
    assert!(
        res.rank("honey").is_none() && res.rank("ice").is_none(),
        "{}",
        res.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typos_are_corrected_and_highlighted() {
    let app = sample_app().await;
    // (typed, spelled right, lang, stem the snippet of the top hit must mark)
    let cases = [
        ("доствка", "доставка", "ru", "достав"), // one typo
        ("возрат", "возврат", "ru", "возврат"),  // one typo
        ("удолить акаунт", "удалить аккаунт", "ru", "аккаунт"), // one typo in each word
        (
            "срок хронения заказа",
            "срок хранения заказа",
            "ru",
            "хранени",
        ),
        ("халадильник", "холодильник", "ru", "холодильник"), // two typos in a long word
        (
            "не приходит код подтвирждения",
            "не приходит код подтверждения",
            "ru",
            "код",
        ), // two typos
        ("гарантийнный ремант", "гарантийный ремонт", "ru", "ремонт"),
        ("cancle order", "cancel order", "en", "cancel"),
    ];
    for (typed, right, lang, stem) in cases {
        let good = app.search(right, Some(lang)).await;
        let bad = app.search(typed, Some(lang)).await;
        let expected = good
            .top()
            .unwrap_or_else(|| panic!("no hits for {right:?}"))
            .slug
            .clone();
        assert_in_top(&bad, &expected, 1);
        assert!(
            marked_words(&bad.top().unwrap().snippet)
                .iter()
                .any(|w| w.starts_with(stem)),
            "the snippet for {typed:?} should mark the corrected word {stem:?}\n{}",
            bad.describe()
        );
    }
    // The specific articles the brief names.
    let res = app.search("доствка", Some("ru")).await;
    assert!(
        DELIVERY.contains(&res.top().unwrap().slug.as_str()),
        "{}",
        res.describe()
    );
    let res = app.search("возрат", Some("ru")).await;
    assert!(
        RETURNS_AND_REFUNDS.contains(&res.top().unwrap().slug.as_str()),
        "{}",
        res.describe()
    );
    assert_top(
        &app.search("халадильник", Some("ru")).await,
        "large-appliances-delivery",
    );
}

/// A query made only of an unknown short word is not "corrected" into something else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonsense_words_find_nothing_confident() {
    let app = sample_app().await;
    for q in ["зщшгн", "qzxv", "ъъъ", "фывапролдж"] {
        let res = app.search(q, Some("ru")).await;
        assert!(
            !res.answered,
            "nonsense {q:?} must not be answered\n{}",
            res.describe()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Wrong keyboard layout
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_keyboard_layout_is_understood() {
    let app = sample_app().await;
    // «ljcnfdrf» is «доставка» typed on QWERTY.
    for lang in [Some("ru"), None] {
        let res = app.search("ljcnfdrf", lang).await;
        let top3: Vec<&str> = res.slugs().into_iter().take(3).collect();
        assert!(
            top3.contains(&"delivery-options")
                || DELIVERY.contains(&res.top().map_or("", |h| h.slug.as_str())),
            "{}",
            res.describe()
        );
        assert!(marks_in_top(&res, 1, "достав"), "{}", res.describe());
    }
    // «сфтсуд» is "cancel" typed on ЙЦУКЕН.
    for lang in [Some("en"), None] {
        let res = app.search("сфтсуд", lang).await;
        assert_top(&res, "change-or-cancel-order");
        assert_eq!(res.top().unwrap().lang, "en", "{}", res.describe());
    }
    // A whole phrase on the wrong layout ranks like the phrase itself.
    let right = app.search("как вернуть товар", Some("ru")).await;
    let wrong = app.search("rfr dthyenm njdfh", Some("ru")).await;
    assert_in_top(&wrong, &right.top().unwrap().slug, 3);
}

#[test]
fn the_encoder_reads_wrong_layout_words_converted() {
    use otvet::domain::Lang;
    use otvet::search::query::as_read;
    let engine =
        otvet::search::SearchEngine::open(&crate::helpers::sample_articles(), Lang::Ru, 0.4)
            .unwrap();
    for (typed, lang, read) in [
        ("rfr dthyenm njdfh?", Lang::Ru, "как вернуть товар?"),
        // «.» is «ю» on the Russian layout.
        ("jnvtyz. pfrfp", Lang::Ru, "отменяю заказ"),
        // Only the words the vocabulary knows better converted are converted.
        ("доставка в vjcrdt", Lang::Ru, "доставка в москве"),
        ("сфтсуд my order", Lang::En, "cancel my order"),
        // Nothing to convert: as typed.
        ("как вернуть товар", Lang::Ru, "как вернуть товар"),
        ("iPhone не включается", Lang::Ru, "iPhone не включается"),
    ] {
        assert_eq!(as_read(&engine, typed, lang), read, "{typed}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Synonyms
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synonyms_from_synonyms_yaml() {
    let app = sample_app().await;
    assert_top(
        &app.search("холодос", Some("ru")).await,
        "large-appliances-delivery",
    );
    assert_top(
        &app.search("курьерка", Some("ru")).await,
        "courier-delivery",
    );

    // Words that occur nowhere in the articles can only be found through synonyms.yaml.
    let text = sample_text();
    let cases = [
        // (slang, lang, article expected first or None, a word the snippets must mark)
        ("налик", "ru", None, "наличн"),
        (
            "рефанд",
            "ru",
            Some(&["refund-timing", "refund-not-received"][..]),
            "возврат",
        ),
        (
            "доставщик",
            "ru",
            Some(&["courier-delivery", "delivery-late"][..]),
            "курьер",
        ),
        ("учётка", "ru", None, "аккаунт"),
        (
            "reimbursement",
            "en",
            Some(&["refund-timing", "refund-not-received"][..]),
            "refund",
        ),
        ("washer", "en", None, "washing"),
    ];
    for (word, lang, expected, stem) in cases {
        let lower = word.to_lowercase();
        assert!(
            !text
                .split(|c: char| !c.is_alphanumeric())
                .any(|t| t == lower),
            "{word:?} occurs in the articles; it would not test synonyms"
        );
        let res = app.search(word, Some(lang)).await;
        assert!(
            !res.hits.is_empty(),
            "{word:?} found nothing\n{}",
            res.describe()
        );
        if let Some(slugs) = expected {
            assert!(
                slugs.contains(&res.top().unwrap().slug.as_str()),
                "{word:?}\n{}",
                res.describe()
            );
        }
        assert!(
            marks_in_top(&res, 3, stem),
            "{word:?} should highlight {stem:?}\n{}",
            res.describe()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Negation
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negated_question_prefers_the_negated_article() {
    let app = spawn_app(fixture("negation")).await;
    let res = app.search("не работает приложение", Some("ru")).await;
    let broken = res.rank("app-not-working");
    let works = res.rank("how-app-works");
    assert_eq!(broken, Some(1), "{}", res.describe());
    assert!(works.is_none_or(|w| w > 1), "{}", res.describe());
    // And the other way round: without the negation the neutral article wins.
    let res = app.search("как работает приложение", Some("ru")).await;
    assert_top(&res, "how-app-works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negation_in_the_sample_kb() {
    let app = sample_app().await;
    let res = app.search("не приходит код", Some("ru")).await;
    assert_top(&res, "sms-code-not-arriving");
    assert!(res.answered, "{}", res.describe());
    let res = app.search("I'm not getting the code", Some("en")).await;
    assert_top(&res, "sms-code-not-arriving");
}

// ---------------------------------------------------------------------------------------------
// 5. Hostile input
// ---------------------------------------------------------------------------------------------

/// Every hit's snippet is HTML-escaped text: no markup but `<mark>`.
fn assert_snippets_are_escaped(res: &SearchResponse) {
    for h in &res.hits {
        let stripped = h.snippet.replace("<mark>", "").replace("</mark>", "");
        assert!(
            !stripped.contains('<') && !stripped.contains('>'),
            "snippet of {} has unescaped markup: {:?}",
            h.slug,
            h.snippet
        );
        assert_eq!(
            h.snippet.matches("<mark>").count(),
            h.snippet.matches("</mark>").count(),
            "unbalanced <mark> in {:?}",
            h.snippet
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_queries_never_fail() {
    let app = sample_app().await;
    let long_paste = "Здравствуйте! У меня не приходит смс с кодом подтверждения, когда я пытаюсь войти в личный кабинет. "
        .repeat(60)
        .chars()
        .take(5000)
        .collect::<String>();
    assert_eq!(long_paste.chars().count(), 5000);
    let queries: Vec<String> = [
        "\"доставка",
        "\"доставка\" \"курьер\"",
        "'",
        "доставка:",
        "title:foo",
        "title:доставка",
        "lang:en",
        "(((доставка]]",
        "[]{}()<>",
        "AND OR NOT",
        "доставка AND NOT курьер",
        "+доставка -курьер",
        "доставка~2",
        "дост*",
        "*",
        "?",
        "\\",
        "\\\\\"",
        "%",
        "%00",
        "🚚📦 доставка 😡",
        "🤷",
        "",
        " ",
        "     ",
        "\t\n",
        "'; DROP TABLE articles; --",
        "1 OR 1=1",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)> доставка",
        "<b>курьер</b>",
        "&lt;b&gt; &amp;",
        "ｄｏｓｔａｖｋａ ＡＮＤ",
        "\u{0000}доставка",
        "\u{200b}\u{feff}",
        "a\u{0301}\u{0301}\u{0301}",
        "не не не не",
        "-",
        "—",
        "...",
        "123456789012345678901234567890",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        long_paste.clone(),
        "ы".repeat(3000),
        "доставка ".repeat(500),
    ])
    .collect();

    for q in &queries {
        for lang in [Some("ru"), Some("en"), Some("de"), None] {
            let mut params = vec![("q", q.as_str())];
            if let Some(l) = lang {
                params.push(("lang", l));
            }
            let started = Instant::now();
            let (status, body) = app.search_params(&params).await;
            let took = started.elapsed();
            let short: String = q.chars().take(40).collect();
            assert_eq!(status, 200, "q={short:?} lang={lang:?}: {body}");
            let res: SearchResponse = serde_json::from_value(body.clone())
                .unwrap_or_else(|e| panic!("q={short:?}: bad shape {e}: {body}"));
            assert_eq!(&res.query, q, "the query is echoed as typed");
            assert_snippets_are_escaped(&res);
            assert!(took < Duration::from_secs(10), "q={short:?} took {took:?}");
        }
    }

    // The long paste is read, not rejected: its subject is found.
    let res = app.search(&long_paste, Some("ru")).await;
    assert_in_top(&res, "sms-code-not-arriving", 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_in_the_query_never_reaches_snippets_unescaped() {
    let app = sample_app().await;
    for q in [
        "<script>alert(1)</script> доставка",
        "<img src=x onerror=alert(1)> курьер",
        "\"><svg onload=alert(1)> возврат",
        "</mark><b>доставка</b><mark>",
        "<mark>доставка</mark>",
    ] {
        for lang in [Some("ru"), None] {
            let res = app.search(q, lang).await;
            assert_snippets_are_escaped(&res);
            for h in &res.hits {
                for bad in [
                    "<script",
                    "<img",
                    "<svg",
                    "<b>",
                    "onerror=alert",
                    "onload=alert",
                ] {
                    assert!(!h.snippet.contains(bad), "q={q:?}: {:?}", h.snippet);
                }
            }
        }
    }
    // Markup that article text contains is escaped too (the sample's articles have «→», quotes and
    // apostrophes; the English ones have "doesn't").
    let res = app.search("doesn't suit you return", Some("en")).await;
    assert!(!res.hits.is_empty(), "{}", res.describe());
    assert_snippets_are_escaped(&res);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_length_limits() {
    let app = sample_app().await;
    let (status, body) = app.search_params(&[("q", &"а".repeat(10_001))]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "bad_request", "{body}");
    // The limit counts characters, not bytes: 10,000 Cyrillic letters (20,000 bytes) pass.
    let (status, body) = app.search_params(&[("q", &"я".repeat(10_000))]).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .search_params(&[("q", &"x".repeat(10_000)), ("lang", "en")])
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app
        .search_params(&[("q", &"x".repeat(10_001)), ("lang", "en")])
        .await;
    assert_eq!(status, 400);
}

// ---------------------------------------------------------------------------------------------
// 6. Confidence
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_topic_questions_are_answered() {
    let app = sample_app().await;
    for (q, lang, slug) in [
        (
            "не приходит смс с кодом",
            Some("ru"),
            "sms-code-not-arriving",
        ),
        ("сколько стоит доставка", Some("ru"), "delivery-options"),
        ("как отменить заказ", Some("ru"), "change-or-cancel-order"),
        ("как отменить заказ", None, "change-or-cancel-order"),
        (
            "how do I cancel my order",
            Some("en"),
            "change-or-cancel-order",
        ),
        ("how to cancel an order", None, "change-or-cancel-order"),
    ] {
        let res = app.search(q, lang).await;
        assert_top(&res, slug);
        assert!(
            res.answered,
            "on-topic {q:?} should be answered\n{}",
            res.describe()
        );
        assert!(
            res.top().unwrap().confidence >= res.threshold,
            "{}",
            res.describe()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_topic_questions_are_not_answered() {
    let app = sample_app().await;
    for (q, lang) in [
        ("какая погода в париже завтра", Some("ru")),
        ("какая погода в париже завтра", None),
        ("recipe for borscht with beets", Some("en")),
        ("recipe for borscht with beets", None),
        ("кто выиграл чемпионат мира по футболу", Some("ru")),
        ("what is the capital of australia", Some("en")),
        ("не", Some("ru")),
        ("not", Some("en")),
    ] {
        let res = app.search(q, lang).await;
        assert!(
            !res.answered || res.hits.is_empty(),
            "off-topic {q:?} must not be answered\n{}",
            res.describe()
        );
        if let Some(top) = res.top() {
            assert!(top.confidence < res.threshold, "{}", res.describe());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_are_consistent() {
    let app = sample_app().await;
    for (q, lang) in [
        ("доставка", Some("ru")),
        ("возврат денег", Some("ru")),
        ("холодос", None),
        ("refund", Some("en")),
        ("какая погода в париже завтра", Some("ru")),
        ("код", None),
    ] {
        let res = app.search_limit(q, lang, 20).await;
        assert_eq!(res.lang.as_deref(), lang, "{}", res.describe());
        assert_eq!(
            res.answered,
            res.top().is_some_and(|h| h.confidence >= res.threshold),
            "{}",
            res.describe()
        );
        let mut seen = std::collections::HashSet::new();
        for (i, h) in res.hits.iter().enumerate() {
            assert!(
                seen.insert((h.lang.clone(), h.slug.clone())),
                "one hit per article\n{}",
                res.describe()
            );
            assert!((0.0..=1.0).contains(&h.confidence), "{}", res.describe());
            assert!(h.score.is_finite(), "{}", res.describe());
            if let Some(l) = lang {
                assert_eq!(h.lang, l, "lang filter\n{}", res.describe());
            }
            let base = format!("/{}/articles/{}", h.lang, h.slug);
            match &h.section {
                Some(s) => assert_eq!(h.url, format!("{base}#{}", s.anchor)),
                None => assert_eq!(h.url, base),
            }
            if i > 0 {
                let prev = &res.hits[i - 1];
                assert!(
                    prev.score >= h.score,
                    "hits sorted by score\n{}",
                    res.describe()
                );
                assert!(
                    prev.confidence >= h.confidence,
                    "confidence never rises down the list\n{}",
                    res.describe()
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_is_respected() {
    let app = sample_app().await;
    for limit in [1usize, 2, 3, 7, 50] {
        let res = app.search_limit("доставка заказ", Some("ru"), limit).await;
        assert!(!res.hits.is_empty());
        assert!(
            res.hits.len() <= limit,
            "limit {limit}: {} hits",
            res.hits.len()
        );
    }
    let few = app.search_limit("доставка заказ", Some("ru"), 3).await;
    let many = app.search_limit("доставка заказ", Some("ru"), 10).await;
    assert_eq!(
        few.slugs(),
        many.slugs()[..few.hits.len()].to_vec(),
        "a smaller limit is a prefix"
    );
    let (status, body) = app.search_params(&[("q", "доставка")]).await;
    assert_eq!(status, 200);
    assert!(
        body["hits"].as_array().unwrap().len() <= 10,
        "default limit is 10"
    );
}

// ---------------------------------------------------------------------------------------------
// Known search-quality gaps (kept, ignored, reported)
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn how_to_file_a_return_finds_a_returns_article() {
    let app = sample_app().await;
    let res = app.search("как оформить возврат", Some("ru")).await;
    let top = res.top().map(|h| h.slug.as_str()).unwrap_or("");
    assert!(
        ["return-goods", "return-defective-goods"].contains(&top),
        "{}",
        res.describe()
    );
}

/// The fixture copy is used so the test also covers a knowledge base other than the sample.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lang_filter_and_all_languages() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let res = app.search("накипь в чайнике", None).await;
    assert_top(&res, "kettle-descaling");
    assert_eq!(res.top().unwrap().lang, "ru");
    let res = app.search("descale kettle", None).await;
    assert_top(&res, "kettle-descaling");
    assert_eq!(res.top().unwrap().lang, "en");
    let res = app.search("descale kettle", Some("ru")).await;
    assert!(
        res.hits.iter().all(|h| h.lang == "ru"),
        "{}",
        res.describe()
    );
    let res = app.search("накипь", Some("en")).await;
    assert!(
        res.hits.iter().all(|h| h.lang == "en"),
        "{}",
        res.describe()
    );
    // No German articles: a German search is empty, not an error.
    let res = app.search("Wasserkocher entkalken", Some("de")).await;
    assert!(res.hits.is_empty() && !res.answered, "{}", res.describe());
}

/// Article text with markup characters (inline code, comparisons, ampersands) is escaped in
/// snippets, both in the highlighted path and in the fallback without any matched word.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snippets_escape_markup_from_article_text() {
    let dir = tempfile::tempdir().unwrap();
    crate::helpers::write_file(
        dir.path(),
        "ru/dev/escaping.md",
        "---\ntitle: Экранирование разметки\n---\n\nВставьте `<script>alert(\"x\")</script>` в поле: \
         температура чайника < 90 & > 70 градусов, кавычки 'одинарные'.\n",
    );
    let app = spawn_app(dir.path()).await;
    for q in [
        "вставьте температура чайника",
        "script alert",
        "экранирование",
    ] {
        let res = app.search(q, Some("ru")).await;
        assert_top(&res, "escaping");
        let snippet = res
            .top()
            .unwrap()
            .snippet
            .replace("<mark>", "")
            .replace("</mark>", "");
        assert_snippets_are_escaped(&res);
        assert!(snippet.contains("&lt;script&gt;"), "q={q:?}: {snippet}");
        assert!(snippet.contains("&amp;"), "q={q:?}: {snippet}");
    }
}
