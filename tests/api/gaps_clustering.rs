//! Clustering on labelled questions: the hand-written set of 64 questions of 18 needs (with the
//! sample articles, without them, with the encoder) and `otvet eval-gaps` on a small set.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use otvet::analytics::gaps::{Cluster, ClusterParams, Context, Entry, Kind};
use otvet::domain::Lang;
use serde_json::Value;

use super::{DAY, cluster_of, describe, engine, texts};
use crate::helpers::{fixture, run_otvet, sample_articles, write_file};

/// Realistic customer questions labelled with their need. Several needs share words on purpose
/// (вернуть товар / вернуть деньги, стоимость / сроки доставки, оплата криптовалютой / чужой
/// картой); some are typed with typos or on the wrong keyboard layout.
const LABELLED: &[(&str, &str)] = &[
    ("return", "как вернуть товар"),
    ("return", "Возврат товара"),
    ("return", "как вернуть телевизор?"),
    ("return", "djpdhfn njdfhf"),
    ("return", "вернуть товр"),
    ("return", "хочу сдать товар обратно"),
    ("return", "можно ли вернуть товар без чека"),
    ("return", "как оформить возврат товара"),
    ("return", "возврат покупки"),
    ("refund", "как вернуть деньги"),
    ("refund", "когда вернут деньги"),
    ("refund", "возврат денег на карту"),
    ("refund", "деньги так и не вернули"),
    ("refund", "через сколько придут деньги за возврат"),
    ("refund", "где мои деньги за отменённый заказ"),
    ("delivery-cost", "сколько стоит доставка"),
    ("delivery-cost", "стоимость доставки"),
    ("delivery-cost", "сколько стоит доставка холодильника?"),
    ("delivery-cost", "crjkmrj cnjbn ljcnfdrf"),
    ("delivery-cost", "цена доставки"),
    ("delivery-cost", "доставка платная?"),
    ("delivery-time", "когда привезут заказ"),
    ("delivery-time", "сколько ждать доставку"),
    ("delivery-time", "сроки доставки"),
    ("delivery-time", "доставка задерживается"),
    ("delivery-time", "курьер опаздывает уже на час"),
    ("crypto", "можно ли оплатить криптовалютой"),
    ("crypto", "оплата криптовалютой"),
    ("crypto", "принимаете криптовалюту?"),
    ("crypto", "оплатить криптовалютлй"),
    ("crypto", "оплата биткоином"),
    ("other-card", "можно ли оплатить картой другого человека"),
    ("other-card", "оплата чужой картой"),
    ("other-card", "заплатить картой мужа"),
    ("phone", "как поменять номер телефона"),
    ("phone", "сменить телефон в профиле"),
    ("phone", "изменить номер телефона в личном кабинете"),
    ("phone", "у меня новый номер телефона"),
    ("sms", "не приходит смс код"),
    ("sms", "код из смс не пришел"),
    ("sms", "не приходит код подтверждения"),
    ("sms", "смс не приходит"),
    ("cancel", "как отменить заказ"),
    ("cancel", "отмена заказа"),
    ("cancel", "хочу отказаться от заказа"),
    ("cancel", "отменить заказ после оплаты"),
    ("gift", "есть ли подарочная упаковка"),
    ("gift", "можно упаковать в подарок"),
    ("gift", "подарочная упаковка заказа"),
    ("installments", "можно купить в рассрочку"),
    ("installments", "рассрочка без переплаты"),
    ("installments", "оформить рассрочку"),
    ("pickup", "сколько хранится заказ в пункте выдачи"),
    ("pickup", "срок хранения в пвз"),
    ("pickup", "сколько дней ждут заказ в пункте выдачи"),
    ("warranty", "гарантия на телевизор"),
    ("warranty", "сколько гарантия на холодильник"),
    ("warranty", "гарантийный срок"),
    ("weekend", "доставка на дачу в выходные"),
    ("weekend", "привезёте в субботу?"),
    ("weekend", "доставляете ли по воскресеньям"),
    ("assembly", "соберёте шкаф при доставке?"),
    ("assembly", "есть ли сборка мебели"),
    ("assembly", "сборка шкафа сколько стоит"),
];

fn entry(text: &str, customer: i64, at: i64) -> Entry {
    Entry {
        text: text.into(),
        lang: Lang::Ru,
        at,
        source: Kind::Questions,
        customer: Some(customer),
        visitor: None,
        question: None,
        current: true,
        reason: Some("no_answer".into()),
        shown: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Clustering on a labelled set
// ---------------------------------------------------------------------------------------------

/// Pairwise precision and recall of the clusters against the labels, and what was mixed.
fn pair_scores(clusters: &[Cluster]) -> (f32, f32, Vec<String>) {
    let label: BTreeMap<&str, &str> = LABELLED.iter().map(|(n, t)| (*t, *n)).collect();
    let of: BTreeMap<&str, usize> = clusters
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.phrasings.iter().map(move |p| (p.text.as_str(), i)))
        .collect();
    let (mut tp, mut fp, mut fnn) = (0, 0, 0);
    for (i, (need_a, a)) in LABELLED.iter().enumerate() {
        for (need_b, b) in &LABELLED[i + 1..] {
            match (of[a] == of[b], need_a == need_b) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fnn += 1,
                _ => {}
            }
        }
    }
    let mixed = clusters
        .iter()
        .filter(|c| {
            c.phrasings
                .iter()
                .map(|p| label[p.text.as_str()])
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .map(|c| format!("{:?}", texts(c)))
        .collect();
    (
        tp as f32 / (tp + fp) as f32,
        tp as f32 / (tp + fnn) as f32,
        mixed,
    )
}

/// With the sample shop's articles behind it, the clustering groups 64 questions of 18 needs:
/// the examples of the issue join or stay apart as they should, and pairwise precision and recall
/// stay above a floor (printed with `--nocapture`).
#[test]
fn labelled_questions_cluster_by_need() {
    let engine = engine(&sample_articles());
    let entries: Vec<Entry> = LABELLED
        .iter()
        .enumerate()
        .map(|(i, (_, t))| entry(t, i as i64, 1_000 + i as i64))
        .collect();
    let ctx = Context::new(&engine, 0, DAY);
    let clusters = ctx.clusters(&entries, ClusterParams::default());
    let all = describe(&clusters);

    // Word forms, a typo, the wrong layout and another product join the returns need.
    let returns = texts(cluster_of(&clusters, "как вернуть товар"));
    for t in [
        "Возврат товара",
        "как вернуть телевизор?",
        "djpdhfn njdfhf",
        "вернуть товр",
    ] {
        assert!(
            returns.contains(t),
            "{t:?} is not with «как вернуть товар»:\n{all}"
        );
    }
    // Different needs stay apart even where they share words.
    let refund = cluster_of(&clusters, "как вернуть деньги");
    let cost = cluster_of(&clusters, "сколько стоит доставка");
    let crypto = cluster_of(&clusters, "можно ли оплатить криптовалютой");
    let ids: BTreeSet<&str> = [
        cluster_of(&clusters, "как вернуть товар").id.as_str(),
        refund.id.as_str(),
        cost.id.as_str(),
        crypto.id.as_str(),
    ]
    .into();
    assert_eq!(
        ids.len(),
        4,
        "returns, refunds, delivery cost and crypto must differ:\n{all}"
    );
    assert!(texts(refund).contains("когда вернут деньги"), "{all}");
    assert!(
        texts(cost).contains("crjkmrj cnjbn ljcnfdrf"),
        "layout: {all}"
    );
    for t in [
        "оплата криптовалютой",
        "принимаете криптовалюту?",
        "оплатить криптовалютлй",
    ] {
        assert!(texts(crypto).contains(t), "{t:?}:\n{all}");
    }
    assert!(
        !texts(crypto).contains("оплата чужой картой"),
        "paying with someone else's card is another need:\n{all}"
    );
    assert!(
        !texts(cluster_of(&clusters, "гарантия на телевизор")).contains("как вернуть телевизор?"),
        "{all}"
    );

    let (precision, recall, mixed) = pair_scores(&clusters);
    eprintln!(
        "gap clustering on {} labelled questions: {} clusters, pairwise precision {precision:.2}, \
         recall {recall:.2}; mixed: {mixed:?}",
        LABELLED.len(),
        clusters.len()
    );
    assert!(
        precision >= 0.85,
        "precision {precision:.2}, mixed {mixed:?}:\n{all}"
    );
    assert!(recall >= 0.6, "recall {recall:.2}:\n{all}");

    // The same data gives the same clusters and ids, in any order.
    let mut reversed = entries.clone();
    reversed.reverse();
    let again = ctx.clusters(&reversed, ClusterParams::default());
    let key = |cs: &[Cluster]| -> BTreeSet<(String, Vec<String>)> {
        cs.iter()
            .map(|c| {
                let mut t: Vec<String> = c.phrasings.iter().map(|p| p.text.clone()).collect();
                t.sort();
                (c.id.clone(), t)
            })
            .collect()
    };
    assert_eq!(key(&clusters), key(&again));
}

/// With the encoder attached, the same questions: the embeddings join paraphrases that share no
/// word, and the needs that share words stay apart (pairwise scores printed with `--nocapture`).
#[test]
fn labelled_questions_cluster_by_need_with_the_encoder() {
    let Some(model) = crate::semantic::model() else {
        return;
    };
    let engine = engine(&sample_articles());
    engine.start_semantic(&otvet::semantic::ModelChoice::Loaded(model), None);
    assert!(
        engine.wait_semantic(Duration::from_secs(600)),
        "not embedded in time"
    );
    let entries: Vec<Entry> = LABELLED
        .iter()
        .enumerate()
        .map(|(i, (_, t))| entry(t, i as i64, 1_000 + i as i64))
        .collect();
    let clusters = Context::new(&engine, 0, DAY).clusters(&entries, ClusterParams::default());
    let all = describe(&clusters);
    let (precision, recall, mixed) = pair_scores(&clusters);
    eprintln!(
        "gap clustering with the encoder on {} labelled questions: {} clusters, pairwise \
         precision {precision:.2}, recall {recall:.2}; mixed: {mixed:?}",
        LABELLED.len(),
        clusters.len()
    );
    let ids: BTreeSet<&str> = [
        "как вернуть товар",
        "как вернуть деньги",
        "сколько стоит доставка",
        "можно ли оплатить криптовалютой",
    ]
    .iter()
    .map(|t| cluster_of(&clusters, t).id.as_str())
    .collect();
    assert_eq!(
        ids.len(),
        4,
        "returns, refunds, delivery cost and crypto:\n{all}"
    );
    assert!(
        precision >= 0.85,
        "precision {precision:.2}, mixed {mixed:?}:\n{all}"
    );
    assert!(recall >= 0.6, "recall {recall:.2}:\n{all}");
}

/// `otvet eval-gaps` hides every other article of a set, clusters the questions they answer
/// among the noise and scores the clusters against the article each question needs.
#[test]
fn otvet_eval_gaps_scores_the_clusters_of_hidden_articles() {
    let set = tempfile::tempdir().unwrap();
    let article = |title: &str, q: &str| {
        format!("---\ntitle: {title}\nlang: ru\nquestions:\n  - {q}\n---\n\n{title}.\n")
    };
    // Sorted by file name, the second and the fourth are hidden.
    for (file, title, q) in [
        ("a-delivery", "Доставка", "сколько стоит доставка"),
        ("b-returns", "Возврат товара", "как вернуть товар"),
        ("c-payment", "Оплата картой", "как оплатить картой"),
        (
            "d-crypto",
            "Оплата криптовалютой",
            "можно ли платить биткоином",
        ),
    ] {
        write_file(
            set.path(),
            &format!("articles/{file}.md"),
            article(title, q),
        );
    }
    let line = |query: &str, expected: &[&str], kind: &str| {
        serde_json::json!({"query": query, "lang": "ru", "expected": expected, "kind": kind})
            .to_string()
    };
    let queries = [
        line("как вернуть товар", &["b-returns"], "in_scope"),
        line("возврат товара", &["b-returns"], "in_scope"),
        line("вернуть товар в магазин", &["b-returns"], "in_scope"),
        line("оплата криптовалютой", &["d-crypto"], "in_scope"),
        line("принимаете криптовалюту?", &["d-crypto"], "in_scope"),
        line("сколько стоит доставка", &["a-delivery"], "in_scope"),
        line("как дела?", &[], "off_topic"),
    ];
    write_file(set.path(), "queries.jsonl", queries.join("\n"));
    let dir = set.path().to_str().unwrap();
    let out = run_otvet(
        &[
            "eval-gaps",
            "--set",
            dir,
            "--model",
            "off",
            "--default-lang",
            "ru",
            "--json",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let r: Value = serde_json::from_str(out.stdout.trim()).expect("one JSON object");
    assert_eq!(r["mode"], "lexical", "{r:#}");
    assert_eq!(
        (r["articles"].as_u64(), r["hidden"].as_u64()),
        (Some(2), Some(2))
    );
    // The delivery question has its article: it is no gap.
    assert_eq!(r["scores"]["labelled"], 5, "{r:#}");
    assert_eq!(r["scores"]["needs"], 2, "{r:#}");
    assert_eq!(r["noise"], 1, "{r:#}");
    assert_eq!(
        r["noise_as_noise"], 1,
        "small talk is classed off-topic: {r:#}"
    );
    assert_eq!(r["scores"]["precision"], 1.0, "{r:#}");
    let recall = r["scores"]["recall"].as_f64().unwrap();
    assert!(recall > 0.0 && recall <= 1.0, "{r:#}");

    // A grid: one line per combination.
    let out = run_otvet(
        &[
            "eval-gaps",
            "--set",
            dir,
            "--model",
            "off",
            "--json",
            "--merge-threshold",
            "0.2,0.3",
            "--article-weight",
            "0,0.5",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 4, "{}", out.stdout);
}

/// Without articles about a need, words decide alone: layout and typos are fixed from the other
/// questions («djpdhfn njdfhf», «вернуть товр»), and «вернуть товар» and «вернуть деньги» still
/// stay apart.
#[test]
fn without_articles_the_words_decide() {
    let engine = engine(&fixture("small-kb"));
    let entries: Vec<Entry> = LABELLED
        .iter()
        .enumerate()
        .map(|(i, (_, t))| entry(t, i as i64, 1_000 + i as i64))
        .collect();
    let clusters = Context::new(&engine, 0, DAY).clusters(&entries, ClusterParams::default());
    let all = describe(&clusters);
    let returns = texts(cluster_of(&clusters, "как вернуть товар"));
    for t in ["Возврат товара", "djpdhfn njdfhf", "вернуть товр"] {
        assert!(returns.contains(t), "{t:?}:\n{all}");
    }
    assert!(!returns.contains("как вернуть деньги"), "{all}");
    let cancel = texts(cluster_of(&clusters, "как отменить заказ"));
    assert!(cancel.contains("отмена заказа"), "{all}");
    let (precision, recall, mixed) = pair_scores(&clusters);
    eprintln!("without articles: precision {precision:.2}, recall {recall:.2}; mixed: {mixed:?}");
    assert!(
        precision >= 0.85,
        "precision {precision:.2}, mixed {mixed:?}:\n{all}"
    );
}
