//! Hot reload: the server follows the articles folder. Every test works on its own copy of the
//! `small-kb` fixture, waits at most [`RELOAD_TIMEOUT`] polling every 50 ms, and prints how long
//! each change took to show (run with `--nocapture` to see the times).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::helpers::{
    RELOAD_TIMEOUT, TestApp, article_md, copy_fixture, spawn_app, wait_until, write_file,
};

const LAWN: &str = "ru/garden/lawn-watering.md";

fn report(what: &str, took: Option<Duration>) -> Duration {
    match took {
        Some(t) => {
            eprintln!("[hot reload] {what}: visible after {} ms", t.as_millis());
            t
        }
        None => panic!("[hot reload] {what}: not visible within {RELOAD_TIMEOUT:?}"),
    }
}

async fn has_hit(app: &TestApp, q: &str, slug: &str) -> bool {
    app.search(q, Some("ru")).await.rank(slug).is_some()
}

async fn article_status(app: &TestApp, slug: &str) -> u16 {
    app.article(slug, Some("ru")).await.0
}

async fn article_count(app: &TestApp) -> u64 {
    app.healthz().await["articles"]
        .as_u64()
        .expect("articles count")
}

fn lawn_text(title: &str) -> String {
    std::fs::read_to_string(crate::helpers::fixture("small-kb").join(LAWN))
        .unwrap()
        .replace("title: Полив газона летом", &format!("title: {title}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_article_becomes_searchable() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let before = article_count(&app).await;
    assert!(!has_hit(&app, "обрезка роз", "rose-pruning").await);

    write_file(
        dir.path(),
        "ru/garden/rose-pruning.md",
        article_md(
            "Обрезка роз весной",
            "Розы обрезают секатором в апреле, до распускания почек.",
        ),
    );
    let took = wait_until(RELOAD_TIMEOUT, || {
        has_hit(&app, "обрезка роз", "rose-pruning")
    })
    .await;
    report("added file", took);

    let res = app.search("обрезка роз", Some("ru")).await;
    assert_eq!(
        res.top().unwrap().slug,
        "rose-pruning",
        "{}",
        res.describe()
    );
    assert_eq!(res.top().unwrap().title, "Обрезка роз весной");
    assert_eq!(article_status(&app, "rose-pruning").await, 200);
    assert_eq!(article_count(&app).await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_subfolder_is_watched() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    std::fs::create_dir_all(dir.path().join("ru/kitchen/knives")).unwrap();
    // Let the watcher see the new folder before anything is written into it.
    tokio::time::sleep(Duration::from_millis(400)).await;
    write_file(
        dir.path(),
        "ru/kitchen/knives/knife-sharpening.md",
        article_md("Заточка ножей", "Ножи точат на мусате или точильном камне."),
    );
    let took = wait_until(RELOAD_TIMEOUT, || {
        has_hit(&app, "заточка ножей", "knife-sharpening")
    })
    .await;
    report("file in a new subfolder", took);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edited_title_replaces_the_old_one() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    // «летом» is only in the title; «осенью» nowhere yet.
    assert!(has_hit(&app, "летом", "lawn-watering").await);
    assert!(!has_hit(&app, "осенью", "lawn-watering").await);

    write_file(dir.path(), LAWN, lawn_text("Полив газона осенью"));
    let took = wait_until(RELOAD_TIMEOUT, || async {
        has_hit(&app, "осенью", "lawn-watering").await
            && !has_hit(&app, "летом", "lawn-watering").await
    })
    .await;
    report("edited title", took);

    let res = app.search("полив газона", Some("ru")).await;
    let hit = res
        .hits
        .iter()
        .find(|h| h.slug == "lawn-watering")
        .expect("still found by its body");
    assert_eq!(hit.title, "Полив газона осенью");
    let (_, a) = app.article("lawn-watering", Some("ru")).await;
    assert_eq!(a["title"], "Полив газона осенью");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renamed_article_moves_to_its_new_slug() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let before = article_count(&app).await;
    std::fs::rename(
        dir.path().join(LAWN),
        dir.path().join("ru/garden/lawn-care.md"),
    )
    .unwrap();
    let took = wait_until(RELOAD_TIMEOUT, || async {
        article_status(&app, "lawn-care").await == 200
            && article_status(&app, "lawn-watering").await == 404
    })
    .await;
    report("renamed file", took);

    let res = app.search("полив газона", Some("ru")).await;
    assert_eq!(res.top().unwrap().slug, "lawn-care", "{}", res.describe());
    assert!(res.rank("lawn-watering").is_none(), "{}", res.describe());
    assert_eq!(
        res.top().unwrap().url.split('#').next(),
        Some("/ru/articles/lawn-care")
    );
    assert_eq!(article_count(&app).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_article_disappears() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let before = article_count(&app).await;
    assert!(has_hit(&app, "камера велосипеда", "bike-tyre-repair").await);
    std::fs::remove_file(dir.path().join("ru/bikes/bike-tyre-repair.md")).unwrap();
    let took = wait_until(RELOAD_TIMEOUT, || async {
        article_status(&app, "bike-tyre-repair").await == 404
            && !has_hit(&app, "камера велосипеда", "bike-tyre-repair").await
    })
    .await;
    report("deleted file", took);
    let h = app.healthz().await;
    assert_eq!(h["articles"].as_u64(), Some(before - 1), "{h}");
    // kettle-descaling still lists it as related: a warning, not an error.
    assert_eq!(h["article_errors"].as_u64(), Some(0), "{h}");
    assert_eq!(article_status(&app, "kettle-descaling").await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synonym_added_to_synonyms_yaml_takes_effect() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    assert!(
        !has_hit(&app, "лужайка", "lawn-watering").await,
        "«лужайка» is in no article"
    );
    let original = std::fs::read_to_string(dir.path().join("synonyms.yaml")).unwrap();
    let with_lawn = original.replace("ru:\n", "ru:\n  - [газон, лужайка]\n");
    assert_ne!(with_lawn, original);
    write_file(dir.path(), "synonyms.yaml", &with_lawn);
    let took = wait_until(RELOAD_TIMEOUT, || has_hit(&app, "лужайка", "lawn-watering")).await;
    report("synonym added", took);
    let res = app.search("лужайка", Some("ru")).await;
    assert_eq!(
        res.top().unwrap().slug,
        "lawn-watering",
        "{}",
        res.describe()
    );
    assert!(
        crate::helpers::marked_words(&res.top().unwrap().snippet)
            .iter()
            .any(|w| w.starts_with("газон")),
        "{}",
        res.describe()
    );

    // And removing it takes it away again.
    write_file(dir.path(), "synonyms.yaml", &original);
    let took = wait_until(RELOAD_TIMEOUT, || async {
        !has_hit(&app, "лужайка", "lawn-watering").await
    })
    .await;
    report("synonym removed", took);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_edit_is_skipped_and_the_fix_restores_it() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let before = article_count(&app).await;
    let kettle = "ru/kettles/kettle-descaling.md";
    let good = std::fs::read_to_string(dir.path().join(kettle)).unwrap();
    write_file(
        dir.path(),
        kettle,
        good.replacen("tags: [накипь, чайник]", "tags: [накипь, чайник]]", 1),
    );
    let took = wait_until(RELOAD_TIMEOUT, || async {
        app.healthz().await["article_errors"].as_u64() == Some(1)
    })
    .await;
    report("broken edit reported", took);
    assert_eq!(article_status(&app, "kettle-descaling").await, 404);
    assert_eq!(
        app.article("kettle-descaling", Some("en")).await.0,
        200,
        "the translation is unaffected"
    );
    assert!(
        has_hit(&app, "полив газона", "lawn-watering").await,
        "the rest is still served"
    );
    assert_eq!(article_count(&app).await, before - 1);

    write_file(dir.path(), kettle, &good);
    let took = wait_until(RELOAD_TIMEOUT, || async {
        article_status(&app, "kettle-descaling").await == 200
            && has_hit(&app, "накипь", "kettle-descaling").await
    })
    .await;
    report("fixed article", took);
    let h = app.healthz().await;
    assert_eq!(h["article_errors"].as_u64(), Some(0), "{h}");
    assert_eq!(h["articles"].as_u64(), Some(before), "{h}");
}

/// While one file is rewritten 20 times, searches for another article keep finding it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_never_goes_empty_during_reloads() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    let root = dir.path().to_path_buf();
    let writing = Arc::new(AtomicBool::new(true));

    let writer = tokio::spawn({
        let writing = writing.clone();
        async move {
            for i in 1..=20 {
                let padding = "Поливать нужно регулярно. ".repeat(i % 5);
                let title = if i == 20 {
                    "Полив газона — финальнаяредакция".to_string()
                } else {
                    format!("Полив газона, редакция {i}")
                };
                write_file(&root, LAWN, lawn_text(&title) + &padding);
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            // Keep searching a little after the last write, while its reload happens.
            tokio::time::sleep(Duration::from_millis(700)).await;
            writing.store(false, Ordering::SeqCst);
        }
    });

    let deadline = Instant::now() + Duration::from_secs(30);
    let mut searches = 0;
    let mut slowest = Duration::ZERO;
    while writing.load(Ordering::SeqCst) {
        assert!(
            Instant::now() < deadline,
            "the writer did not finish in time"
        );
        let started = Instant::now();
        let res = app.search("накипь в чайнике", Some("ru")).await;
        slowest = slowest.max(started.elapsed());
        assert_eq!(
            res.top().map(|h| h.slug.as_str()),
            Some("kettle-descaling"),
            "search {searches} during reloads lost an untouched article\n{}",
            res.describe()
        );
        let (status, _) = app.article("bike-tyre-repair", Some("ru")).await;
        assert_eq!(status, 200, "article lookup {searches} during reloads");
        searches += 1;
    }
    writer.await.unwrap();
    eprintln!(
        "[hot reload] {searches} searches during 20 rewrites, all found the other article; slowest {} ms",
        slowest.as_millis()
    );
    assert!(
        searches >= 5,
        "only {searches} searches ran during the rewrites"
    );

    // The last version wins.
    let took = wait_until(RELOAD_TIMEOUT, || {
        has_hit(&app, "финальнаяредакция", "lawn-watering")
    })
    .await;
    report("last of 20 rewrites", took);
    let (_, a) = app.article("lawn-watering", Some("ru")).await;
    assert_eq!(a["title"], "Полив газона — финальнаяредакция");
    assert_eq!(app.healthz().await["article_errors"].as_u64(), Some(0));
}

/// Editors that save through a hidden temporary file and a rename (vim, VS Code, git checkout).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn atomic_save_through_a_temporary_file_is_picked_up() {
    let dir = copy_fixture("small-kb");
    let app = spawn_app(dir.path()).await;
    assert!(!has_hit(&app, "осенью", "lawn-watering").await);
    let tmp = dir.path().join("ru/garden/.lawn-watering.md.tmp");
    std::fs::write(&tmp, lawn_text("Полив газона осенью")).unwrap();
    std::fs::rename(&tmp, dir.path().join(LAWN)).unwrap();
    let took = wait_until(RELOAD_TIMEOUT, || has_hit(&app, "осенью", "lawn-watering")).await;
    report("atomic save (write + rename)", took);
    let h = app.healthz().await;
    assert_eq!(
        h["article_errors"].as_u64(),
        Some(0),
        "the hidden temporary file is not an article: {h}"
    );
}
