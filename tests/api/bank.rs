//! The question bank (`articles/questions.yaml`) in `otvet check`, run as the real binary: the
//! sample bank passes; an edited article, a wrong or unknown slug and a malformed file fail
//! with `file:line:` messages naming the question and what came first; the server ignores the
//! bank file.

use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;

use crate::helpers::{run_otvet, sample_articles, spawn_app, write_file};

const CLI_TIMEOUT: Duration = Duration::from_secs(120);

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A copy of the sample knowledge base (with its question bank) that the test may change.
fn sample_copy() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("otvet-bank-")
        .tempdir()
        .expect("temp dir");
    copy_dir(&sample_articles(), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The 1-based line of `needle` in the bank file.
fn line_of(bank: &str, needle: &str) -> usize {
    bank.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not in the bank"))
        + 1
}

#[test]
fn the_sample_bank_passes() {
    let dir = sample_articles();
    let bank = std::fs::read_to_string(dir.join("questions.yaml")).expect("the sample bank");
    let out = run_otvet(&["check", "--articles", s(&dir)], CLI_TIMEOUT);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(
        !out.stdout.contains("questions.yaml:"),
        "no bank problems\n{}",
        out.stdout
    );
    // The summary counts every question as found in the top 3.
    let summary = out
        .stderr
        .lines()
        .find(|l| l.starts_with("question bank: "))
        .unwrap_or_else(|| panic!("no bank summary\n{}", out.stderr));
    let numbers: Vec<usize> = summary
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    // "question bank: N question(s), N with their article in the top 3 (F first), 0 error(s)"
    assert_eq!(numbers[0], numbers[1], "{summary}");
    assert_eq!(numbers.last(), Some(&0), "{summary}");
    // The bank is substantial: at least 40 Russian and 10 English questions.
    let (mut ru, mut en, mut section) = (0, 0, "");
    for l in bank.lines() {
        if l.starts_with("ru:") || l.starts_with("en:") {
            section = &l[..2];
        } else if l.starts_with("  ") && !l.starts_with("   ") && !l.trim_start().starts_with('#') {
            match section {
                "ru" => ru += 1,
                "en" => en += 1,
                _ => {}
            }
        }
    }
    assert!(ru >= 40 && en >= 10, "ru {ru}, en {en}");
    assert_eq!(numbers[0], ru + en, "{summary}");
}

#[test]
fn an_edited_article_that_loses_its_question_fails_the_check() {
    let dir = sample_copy();
    let root = dir.path();
    // An editor rewrites the points article into something else: its question goes elsewhere.
    write_file(
        root,
        "ru/loyalty/earn-points.md",
        "---\ntitle: Правила акций магазина\ncategory: Домобаллы\n---\n\n\
         Акции проводятся по выходным. Подробности узнавайте у продавцов.\n",
    );
    let bank = std::fs::read_to_string(root.join("questions.yaml")).unwrap();
    let question = "сколько домобаллов начисляют за покупку";
    let line = line_of(&bank, question);
    let out = run_otvet(&["check", "--articles", s(root)], CLI_TIMEOUT);
    assert_eq!(out.code, Some(1), "{out:#?}");
    let prefix = format!("{}:{line}: ", root.join("questions.yaml").display());
    let msg = out
        .stdout
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?}\n{}", out.stdout));
    assert!(msg.contains(&format!("\"{question}\"")), "{msg}");
    assert!(msg.contains("earn-points"), "the expected article: {msg}");
    assert!(msg.contains("in the top 3"), "{msg}");
    // What came first instead: a title, its slug and a confidence.
    let first = msg
        .split("first came ")
        .nth(1)
        .unwrap_or_else(|| panic!("what came first: {msg}"));
    assert!(
        first.starts_with('"')
            && (first.contains("(points-expiry, confidence 0.")
                || first.contains("(spend-points, confidence 0.")),
        "{msg}"
    );
    assert!(
        first.contains("Домобалл"),
        "the title of what came first: {msg}"
    );
    // Only that question failed.
    let bank_lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("questions.yaml:"))
        .collect();
    assert_eq!(bank_lines.len(), 1, "{bank_lines:#?}");
    assert!(out.stderr.contains("1 error(s)"), "{}", out.stderr);
}

#[test]
fn a_question_pointed_at_the_wrong_article_or_an_unknown_slug_fails() {
    let dir = sample_copy();
    let root = dir.path();
    let bank = std::fs::read_to_string(root.join("questions.yaml")).unwrap();
    let wrong = "какая гарантия на холодильник";
    let unknown = "как создать личный кабинет на сайте";
    let changed = bank
        .replace(
            &format!("  {wrong}: warranty-terms"),
            &format!("  {wrong}: gift-cards"),
        )
        .replace(
            &format!("  {unknown}: registration"),
            &format!("  {unknown}: registraton"),
        );
    assert_ne!(changed, bank);
    write_file(root, "questions.yaml", &changed);
    let out = run_otvet(&["check", "--articles", s(root)], CLI_TIMEOUT);
    assert_eq!(out.code, Some(1), "{out:#?}");
    let file = root.join("questions.yaml");
    let at = |needle: &str| -> String {
        let prefix = format!("{}:{}: ", file.display(), line_of(&changed, needle));
        out.stdout
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no line starting with {prefix:?}\n{}", out.stdout))
            .to_string()
    };
    let msg = at(wrong);
    assert!(msg.contains(&format!("\"{wrong}\"")), "{msg}");
    assert!(msg.contains("\"Подарочные карты\" (gift-cards)"), "{msg}");
    assert!(
        msg.contains(
            "first came \"Гарантийный срок и условия гарантии\" (warranty-terms, confidence 0."
        ),
        "{msg}"
    );
    let msg = at(unknown);
    assert!(msg.contains("'registraton'"), "{msg}");
    assert!(msg.contains("not published"), "{msg}");
    assert!(msg.contains("did you mean 'registration'?"), "{msg}");
}

#[test]
fn a_malformed_bank_is_reported_with_its_line() {
    let dir = sample_copy();
    let root = dir.path();
    write_file(
        root,
        "questions.yaml",
        "ru:\n  где мой заказ: order-status\n  как вернуть товар: [return-goods\n",
    );
    let out = run_otvet(&["check", "--articles", s(root)], CLI_TIMEOUT);
    assert_eq!(out.code, Some(1), "{out:#?}");
    let prefix = format!("{}:", root.join("questions.yaml").display());
    let msg = out
        .stdout
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no bank error\n{}", out.stdout));
    let line: usize = msg[prefix.len()..]
        .split(':')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("file:line: {msg}"));
    assert!((3..=4).contains(&line), "{msg}");
    assert!(msg.contains("invalid question bank"), "{msg}");

    // Entry-level mistakes are reported on their own lines, the rest still checked.
    write_file(
        root,
        "questions.yaml",
        "ru:\n  где мой заказ: order-status\n  как вернуть товар:\n    slug: return-goods\n    colour: red\nde:\n  wo ist meine Bestellung:\n",
    );
    let out = run_otvet(&["check", "--articles", s(root)], CLI_TIMEOUT);
    assert_eq!(out.code, Some(1), "{out:#?}");
    let file = root.join("questions.yaml");
    for (line, what) in [(3, "unknown key 'colour'"), (7, "no article")] {
        let prefix = format!("{}:{line}: ", file.display());
        assert!(
            out.stdout
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains(what)),
            "{prefix}{what}\n{}",
            out.stdout
        );
    }
    assert!(
        out.stderr.contains("question bank: 1 question(s), 1 with"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn the_server_ignores_the_bank_file() {
    let dir = sample_copy();
    // Even a broken bank is not an article problem of the server.
    write_file(dir.path(), "questions.yaml", "ru: [ oops\n");
    let app = spawn_app(dir.path()).await;
    let health = app.healthz().await;
    assert_eq!(health["article_errors"], 0, "{health}");
    assert_eq!(health["articles"], 69, "{health}");
    let (status, _) = app.article("questions", Some("ru")).await;
    assert_eq!(status, 404);
}
