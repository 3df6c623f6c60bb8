//! The `otvet check` and `otvet eval` commands, run as the real binary.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::articles::{BROKEN_ERRORS, broken_kb};
use crate::helpers::{copy_fixture, fixture, run_otvet, sample_articles, spawn_app, write_file};

const CLI_TIMEOUT: Duration = Duration::from_secs(120);

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

// ---------------------------------------------------------------------------------------------
// otvet check
// ---------------------------------------------------------------------------------------------

#[test]
fn check_reports_each_broken_article_with_its_line() {
    let dir = broken_kb();
    let root = dir.path();
    let out = run_otvet(&["check", "--articles", s(root)], CLI_TIMEOUT);
    assert_eq!(out.code, Some(1), "check must fail on errors\n{out:#?}");

    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    for (file, line) in BROKEN_ERRORS {
        let prefix = format!("{}:{line}: ", root.join(file).display());
        let matching: Vec<&&str> = lines.iter().filter(|l| l.starts_with(&prefix)).collect();
        assert_eq!(
            matching.len(),
            1,
            "expected exactly one line starting with {prefix:?}\nstdout:\n{}",
            out.stdout
        );
        let message = &matching[0][prefix.len()..];
        assert!(
            !message.trim().is_empty() && !message.starts_with("warning:"),
            "{message:?}"
        );
    }
    // Nothing else is reported as an error: the good files, the first of the duplicates and the
    // draft are fine.
    let errors: Vec<&&str> = lines
        .iter()
        .filter(|l| !l.contains(": warning: "))
        .collect();
    assert_eq!(errors.len(), BROKEN_ERRORS.len(), "stdout:\n{}", out.stdout);
    for good in [
        "ru/good/kettle-warranty.md",
        "en/good/kettle-warranty.md",
        "ru/good/scooter-delivery.md",
        "ru/good/draft-telescopes.md",
        "ru/dup-a/iron-care.md",
    ] {
        let prefix = format!("{}:", root.join(good).display());
        assert!(
            !lines.iter().any(|l| l.starts_with(&prefix)),
            "{good} is fine\n{}",
            out.stdout
        );
    }
    // Messages say what is wrong.
    let find = |file: &str| -> String {
        let prefix = format!("{}:", root.join(file).display());
        lines
            .iter()
            .find(|l| l.starts_with(&prefix))
            .map(|l| l.to_lowercase())
            .unwrap_or_default()
    };
    assert!(find("ru/broken/no-title.md").contains("title"));
    assert!(find("ru/broken/unknown-lang.md").contains("fr"));
    assert!(find("ru/dup-b/iron-care.md").contains("iron-care"));
    assert!(
        find("ru/dup-b/iron-care.md").contains("dup-a"),
        "names the first owner of the slug"
    );
    assert!(find("ru/broken/bad-date.md").contains("14.10.2026"));
    assert!(find("ru/broken/not-utf8.md").contains("utf-8"));
}

#[test]
fn check_passes_on_clean_folders() {
    for dir in [fixture("small-kb"), fixture("negation"), sample_articles()] {
        let out = run_otvet(&["check", "--articles", s(&dir)], CLI_TIMEOUT);
        assert_eq!(out.code, Some(0), "{}\n{out:#?}", dir.display());
        let errors: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.contains(": warning: "))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
    }
    // Warnings alone do not fail the check.
    let dir = copy_fixture("small-kb");
    write_file(
        dir.path(),
        "ru/garden/odd-key.md",
        "---\ntitle: Статья с лишним ключом\nauthor: Иван\n---\n\nТекст.\n",
    );
    let out = run_otvet(&["check", "--articles", s(dir.path())], CLI_TIMEOUT);
    assert_eq!(out.code, Some(0), "{out:#?}");
    let prefix = format!(
        "{}:3: warning: ",
        dir.path().join("ru/garden/odd-key.md").display()
    );
    assert!(
        out.stdout.lines().any(|l| l.starts_with(&prefix)),
        "unknown key warned on its line\n{out:#?}"
    );
}

#[test]
fn check_fails_on_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let out = run_otvet(&["check", "--articles", s(&missing)], CLI_TIMEOUT);
    assert_ne!(out.code, Some(0), "{out:#?}");
}

/// A duplicate key is reported where the duplicate is, not where the front matter starts.
#[test]
fn check_reports_duplicate_front_matter_keys_on_their_line() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "ru/a/twice.md",
        "---\ntitle: Первый\ncategory: Тест\ntitle: Второй\n---\n\nТекст.\n",
    );
    let out = run_otvet(&["check", "--articles", s(dir.path())], CLI_TIMEOUT);
    assert_eq!(out.code, Some(1), "{out:#?}");
    let prefix = format!("{}:4: ", dir.path().join("ru/a/twice.md").display());
    assert!(
        out.stdout.lines().any(|l| l.starts_with(&prefix)),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// otvet eval
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
struct EvalLine {
    query: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    expected: Vec<String>,
    kind: String,
}

fn read_queries(path: &Path) -> Vec<EvalLine> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// What the API says about one evaluation query.
#[derive(Debug, Clone)]
struct Outcome {
    answerable: bool,
    kind: String,
    rank: Option<usize>,
    confidence: f32,
    decision: Decided,
}

/// What the bot does with a query.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Decided {
    Answer,
    Clarify { right: bool },
    Decline,
}

/// The metrics as the brief defines them, computed here independently of the crate.
fn metrics(group: &[&Outcome], all_answerable: &[&Outcome]) -> BTreeMap<&'static str, Option<f64>> {
    let pos: Vec<&Outcome> = group.iter().copied().filter(|o| o.answerable).collect();
    let neg: Vec<&Outcome> = group.iter().copied().filter(|o| !o.answerable).collect();
    let share = |xs: &[&Outcome], f: &dyn Fn(&Outcome) -> bool| {
        if xs.is_empty() {
            None
        } else {
            Some(xs.iter().filter(|o| f(o)).count() as f64 / xs.len() as f64)
        }
    };
    let auroc_pos: Vec<f32> = if pos.is_empty() {
        all_answerable
    } else {
        &pos[..]
    }
    .iter()
    .map(|o| o.confidence)
    .collect();
    let auroc_neg: Vec<f32> = neg.iter().map(|o| o.confidence).collect();
    let auroc = if auroc_pos.is_empty() || auroc_neg.is_empty() {
        None
    } else {
        let mut wins = 0.0;
        for p in &auroc_pos {
            for n in &auroc_neg {
                wins += if p > n {
                    1.0
                } else if p == n {
                    0.5
                } else {
                    0.0
                };
            }
        }
        Some(wins / (auroc_pos.len() * auroc_neg.len()) as f64)
    };
    let mut m = BTreeMap::new();
    m.insert("n", Some(group.len() as f64));
    m.insert("top1", share(&pos, &|o| o.rank == Some(1)));
    m.insert(
        "recall_at_3",
        share(&pos, &|o| o.rank.is_some_and(|r| r <= 3)),
    );
    m.insert(
        "mrr",
        if pos.is_empty() {
            None
        } else {
            Some(
                pos.iter()
                    .map(|o| o.rank.map_or(0.0, |r| 1.0 / r as f64))
                    .sum::<f64>()
                    / pos.len() as f64,
            )
        },
    );
    m.insert("auroc", auroc);
    let answered = |o: &Outcome| o.decision == Decided::Answer;
    m.insert("declined_answerable", share(&pos, &|o| !answered(o)));
    m.insert("answered_unanswerable", share(&neg, &answered));
    m.insert(
        "answered_right",
        share(&pos, &|o| answered(o) && o.rank == Some(1)),
    );
    m.insert(
        "answered_wrong",
        share(&pos, &|o| answered(o) && o.rank != Some(1)),
    );
    m.insert(
        "clarified_right",
        share(&pos, &|o| o.decision == Decided::Clarify { right: true }),
    );
    m.insert(
        "clarified_wrong",
        share(&pos, &|o| o.decision == Decided::Clarify { right: false }),
    );
    m.insert(
        "clarified_unanswerable",
        share(&neg, &|o| matches!(o.decision, Decided::Clarify { .. })),
    );
    m
}

fn assert_metrics(what: &str, got: &Value, want: &BTreeMap<&'static str, Option<f64>>) {
    for (k, w) in want {
        let g = &got[*k];
        match w {
            None => assert!(g.is_null(), "{what}.{k}: expected null, got {g}\n{got}"),
            Some(w) => {
                let g = g
                    .as_f64()
                    .unwrap_or_else(|| panic!("{what}.{k}: expected a number, got {g}\n{got}"));
                assert!(
                    (g - w).abs() < 1e-9,
                    "{what}.{k}: eval says {g}, computed {w}\n{got}"
                );
            }
        }
    }
}

fn run_eval(articles: &Path, queries: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "eval",
        "--articles",
        s(articles),
        "--queries",
        s(queries),
        "--json",
        // The metrics' arithmetic is checked lexically; `semantic::eval_runs_hybrid` runs it
        // with the encoder.
        "--model",
        "off",
    ];
    args.extend_from_slice(extra);
    let out = run_otvet(&args, CLI_TIMEOUT);
    assert_eq!(out.code, Some(0), "{out:#?}");
    let json_lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        json_lines.len(),
        1,
        "--json prints one object\n{}",
        out.stdout
    );
    serde_json::from_str(json_lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.stdout))
}

const METRIC_KEYS: [&str; 12] = [
    "n",
    "top1",
    "recall_at_3",
    "mrr",
    "auroc",
    "declined_answerable",
    "answered_unanswerable",
    "answered_right",
    "answered_wrong",
    "clarified_right",
    "clarified_wrong",
    "clarified_unanswerable",
];

#[test]
fn eval_json_has_every_key_and_the_known_values() {
    let kb = fixture("small-kb");
    let queries = fixture("small-kb-queries.jsonl");
    assert_eq!(read_queries(&queries).len(), 8);
    let report = run_eval(&kb, &queries, &[]);

    // Keys.
    let mut top_keys: Vec<&str> = METRIC_KEYS.to_vec();
    top_keys.extend(["threshold", "mode", "by_kind"]);
    let mut got_keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    got_keys.sort();
    top_keys.sort();
    assert_eq!(got_keys, top_keys, "{report}");
    assert_eq!(report["mode"], "lexical", "run with --model off");
    let by_kind = report["by_kind"].as_object().expect("by_kind object");
    let mut kinds: Vec<&str> = by_kind.keys().map(String::as_str).collect();
    kinds.sort();
    assert_eq!(kinds, ["in_scope", "off_topic", "unanswerable_in_domain"]);
    for (k, m) in by_kind {
        let mut mk: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
        mk.sort();
        let mut want = METRIC_KEYS.to_vec();
        want.sort();
        assert_eq!(mk, want, "by_kind.{k}");
    }

    // Known from the queries alone: every in-scope query has exactly one right article, and
    // each is unambiguous in this tiny knowledge base.
    assert_eq!(report["n"], 8);
    assert!(
        (report["threshold"].as_f64().unwrap() - f64::from(otvet::search::DEFAULT_THRESHOLD)).abs()
            < 1e-6
    );
    assert_eq!(report["top1"].as_f64(), Some(1.0), "{report}");
    assert_eq!(report["recall_at_3"].as_f64(), Some(1.0), "{report}");
    assert_eq!(report["mrr"].as_f64(), Some(1.0), "{report}");
    assert_eq!(by_kind["in_scope"]["n"], 5);
    assert_eq!(by_kind["unanswerable_in_domain"]["n"], 1);
    assert_eq!(by_kind["off_topic"]["n"], 2);
    for k in ["off_topic", "unanswerable_in_domain"] {
        for m in [
            "top1",
            "recall_at_3",
            "mrr",
            "declined_answerable",
            "answered_right",
            "clarified_right",
        ] {
            assert!(
                by_kind[k][m].is_null(),
                "{k}.{m} has no answerable query: {report}"
            );
        }
    }
    assert!(
        by_kind["in_scope"]["answered_unanswerable"].is_null()
            && by_kind["in_scope"]["clarified_unanswerable"].is_null(),
        "{report}"
    );
    assert!(
        by_kind["in_scope"]["auroc"].is_null(),
        "no unanswerable queries in in_scope: {report}"
    );
    for m in [
        &report,
        &by_kind["off_topic"],
        &by_kind["unanswerable_in_domain"],
    ] {
        let a = m["answered_unanswerable"].as_f64().expect("a share");
        assert!((0.0..=1.0).contains(&a), "{report}");
        let r = m["auroc"].as_f64().expect("auroc");
        assert!((0.0..=1.0).contains(&r), "{report}");
    }
}

/// Every metric, overall and per kind, equals what the API's own search gives for the same
/// queries. Besides the fixture's queries, queries whose expected article is ranked 2nd and 3rd
/// by the API are added (the latter under another kind, so a kind mixes answerable and
/// unanswerable queries), so top-1, recall@3, MRR and per-kind AUROC are exercised.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eval_metrics_match_the_search_api() {
    let kb = fixture("small-kb");
    let app = spawn_app(kb.clone()).await;
    let mut lines = read_queries(&fixture("small-kb-queries.jsonl"));
    for (q, lang) in [
        ("вода", "ru"),
        ("как часто", "ru"),
        ("citric acid water", "en"),
    ] {
        let res = app.search_limit(q, Some(lang), 10).await;
        for (i, kind) in [(1usize, "in_scope"), (2, "unanswerable_in_domain")] {
            if let Some(h) = res.hits.get(i) {
                lines.push(EvalLine {
                    query: q.to_string(),
                    lang: Some(lang.to_string()),
                    expected: vec![h.slug.clone()],
                    kind: kind.to_string(),
                });
            }
        }
    }
    assert!(
        lines.len() >= 10,
        "no multi-hit queries to rank below 1: {lines:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let queries = dir.path().join("queries.jsonl");
    let text: String = lines
        .iter()
        .map(|l| {
            serde_json::json!({"query": l.query, "lang": l.lang, "expected": l.expected, "kind": l.kind}).to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&queries, text).unwrap();

    let report = tokio::task::spawn_blocking({
        let (kb, queries) = (kb.clone(), queries.clone());
        move || run_eval(&kb, &queries, &[])
    })
    .await
    .unwrap();

    let mut outcomes = Vec::new();
    for q in &lines {
        let res = app.search_limit(&q.query, q.lang.as_deref(), 10).await;
        // The bot's decision (`bot::decide`) from what the API says.
        let t = otvet::search::DEFAULT_THRESHOLD;
        let top = res.top().map_or(0.0, |h| h.confidence);
        let options: Vec<_> = res
            .hits
            .iter()
            .take(otvet::bot::MAX_OPTIONS)
            .filter(|h| h.confidence >= otvet::bot::OPTION_FLOOR * t)
            .collect();
        let decision = if top >= t {
            Decided::Answer
        } else if top >= otvet::bot::CLARIFY_FLOOR * t && options.len() >= 2 {
            Decided::Clarify {
                right: options.iter().any(|h| q.expected.contains(&h.slug)),
            }
        } else {
            Decided::Decline
        };
        outcomes.push(Outcome {
            answerable: !q.expected.is_empty(),
            kind: q.kind.clone(),
            rank: res
                .hits
                .iter()
                .position(|h| q.expected.contains(&h.slug))
                .map(|i| i + 1),
            confidence: top,
            decision,
        });
    }
    assert!(
        outcomes.iter().any(|o| o.rank.is_some_and(|r| r > 1)),
        "{outcomes:?}"
    );
    let all: Vec<&Outcome> = outcomes.iter().collect();
    let answerable: Vec<&Outcome> = outcomes.iter().filter(|o| o.answerable).collect();
    assert_metrics("report", &report, &metrics(&all, &answerable));
    let by_kind = report["by_kind"].as_object().expect("by_kind");
    for kind in ["in_scope", "off_topic", "unanswerable_in_domain"] {
        let group: Vec<&Outcome> = outcomes.iter().filter(|o| o.kind == kind).collect();
        assert_metrics(kind, &by_kind[kind], &metrics(&group, &answerable));
    }
}

/// `--without-questions-half` strips every other article id (sorted; every language alike):
/// here `bike-tyre-repair` and `lawn-watering`, not `kettle-descaling`, and splits the
/// answerable queries by it.
#[test]
fn eval_without_questions_half_reports_annotated_and_bare_articles() {
    let kb = fixture("small-kb");
    let queries = fixture("small-kb-queries.jsonl");
    let r = run_eval(&kb, &queries, &["--without-questions-half"]);
    let kinds = &r["by_kind"];
    assert!(kinds.get("in_scope").is_none(), "{r}");
    // q1, q4: the kettle (both languages annotated); q2, q3, q5: bike and lawn.
    assert_eq!(kinds["in_scope:annotated"]["n"], 2, "{r}");
    assert_eq!(kinds["in_scope:bare"]["n"], 3, "{r}");
    assert_eq!(kinds["off_topic"]["n"], 2, "{r}");
}

#[test]
fn eval_counts_misses_and_follows_the_threshold() {
    let kb = fixture("small-kb");
    let dir = tempfile::tempdir().unwrap();
    // Six answerable queries; the last expects an article that cannot match it, so by hand:
    // top1 = recall@3 = MRR = 5/6.
    let mut text = String::new();
    for line in std::fs::read_to_string(fixture("small-kb-queries.jsonl"))
        .unwrap()
        .lines()
    {
        if !line.trim().is_empty() {
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push_str(r#"{"id":"miss","query":"накипь в чайнике","lang":"ru","expected":["lawn-watering"],"kind":"in_scope"}"#);
    text.push('\n');
    let queries = dir.path().join("queries.jsonl");
    std::fs::write(&queries, text).unwrap();

    let r = run_eval(&kb, &queries, &[]);
    assert_eq!(r["n"], 9);
    for m in ["top1", "recall_at_3", "mrr"] {
        let v = r[m].as_f64().unwrap();
        assert!((v - 5.0 / 6.0).abs() < 1e-9, "{m} = {v}, expected 5/6: {r}");
    }
    assert_eq!(r["by_kind"]["in_scope"]["n"], 6);

    // Threshold 0: every query with a hit is answered, so nothing answerable is declined; of
    // the three unanswerable queries only the in-domain one finds anything (the two off-topic
    // ones share no word with the articles, and nothing is answered without a hit).
    let r = run_eval(&kb, &queries, &["--threshold", "0"]);
    assert_eq!(r["threshold"].as_f64(), Some(0.0));
    assert_eq!(r["declined_answerable"].as_f64(), Some(0.0), "{r}");
    assert_eq!(
        r["by_kind"]["unanswerable_in_domain"]["answered_unanswerable"].as_f64(),
        Some(1.0),
        "{r}"
    );
    assert_eq!(
        r["by_kind"]["off_topic"]["answered_unanswerable"].as_f64(),
        Some(0.0),
        "{r}"
    );
    // Ranking does not depend on the threshold.
    let base = run_eval(&kb, &queries, &[]);
    for m in ["top1", "recall_at_3", "mrr", "auroc"] {
        assert_eq!(r[m].as_f64(), base[m].as_f64(), "{m}");
    }
}

#[test]
fn eval_reports_bad_query_lines() {
    let dir = tempfile::tempdir().unwrap();
    let queries = dir.path().join("queries.jsonl");
    std::fs::write(
        &queries,
        "{\"id\":\"a\",\"query\":\"накипь\",\"expected\":[\"kettle-descaling\"],\"kind\":\"in_scope\"}\n{not json\n",
    )
    .unwrap();
    let out = run_otvet(
        &[
            "eval",
            "--articles",
            s(&fixture("small-kb")),
            "--queries",
            s(&queries),
            "--json",
        ],
        CLI_TIMEOUT,
    );
    assert_ne!(out.code, Some(0), "{out:#?}");
    assert!(
        out.stderr.contains(&format!("{}:2:", queries.display())),
        "names the line\n{out:#?}"
    );
    let out = run_otvet(
        &[
            "eval",
            "--articles",
            s(&fixture("small-kb")),
            "--queries",
            s(&dir.path().join("missing.jsonl")),
        ],
        CLI_TIMEOUT,
    );
    assert_ne!(out.code, Some(0), "{out:#?}");
}
