//! Readable answers over the real websocket: the section's structure (numbered steps, lists,
//! tables, bold, links) arrives as typed blocks, an introduction that points below brings the
//! list, long sections are cut at whole items with a link to the rest, and hostile Markdown
//! loses its scripts and `javascript:` links.

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app_with, write_file};
use crate::ws::new_customer;

const ARTICLE: &str = r#"---
title: Возврат бойлера
questions:
  - как вернуть бойлер
  - сроки возврата бойлера
  - опасные ссылки бойлера
---

Вернуть бойлер можно за пять минут, порядок действий ниже.

## Порядок действий

1. Откройте **«Мои заказы»** в [личном кабинете](https://shop.example/account).
2. Нажмите *«Вернуть»* и выберите причину.
3. Отнесите бойлер в [пункт выдачи](/ru/articles/pickup-points).

## Сроки возврата

| Способ оплаты | Срок |
|---|---|
| Карта | до **10** дней |
| СБП | до 3 дней |

## Опасные ссылки

Жмите [сюда](javascript:alert(1)) или <script>alert(2)</script> [туда](data:text/html,x) про опасные ссылки бойлера.
"#;

async fn app_with(article: &str) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(dir.path(), "ru/returns/boiler-return.md", article);
    let mut config = otvet::Config::new(dir.path());
    config.watch = false;
    (spawn_app_with(config).await, dir)
}

async fn ask(app: &TestApp, text: &str) -> Value {
    let (mut ws, _) = new_customer(app, "ru").await;
    ws.say("q", text).await;
    ws.message_from("bot").await
}

fn spans(block: &Value) -> Vec<Value> {
    block["spans"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_answer_keeps_the_sections_steps_bold_and_links() {
    let (app, _dir) = app_with(ARTICLE).await;
    let reply = ask(&app, "как вернуть бойлер").await;
    let card = &reply["answer"];
    let blocks = card["blocks"].as_array().expect("blocks").clone();
    // The introduction says "below": the steps come with it, as a numbered list.
    let list = blocks
        .iter()
        .find(|b| b["type"] == "list")
        .unwrap_or_else(|| panic!("no list: {reply}"));
    assert_eq!(list["ordered"], true);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{list}");
    let first = spans(&items[0][0]);
    assert!(
        first
            .iter()
            .any(|s| s["strong"] == true && s["text"] == "«Мои заказы»"),
        "{first:?}"
    );
    assert!(
        first
            .iter()
            .any(|s| s["href"] == "https://shop.example/account" && s["text"] == "личном кабинете"),
        "{first:?}"
    );
    let second = spans(&items[1][0]);
    assert!(second.iter().any(|s| s["em"] == true), "{second:?}");
    let third = spans(&items[2][0]);
    assert!(
        third
            .iter()
            .any(|s| s["href"] == "/ru/articles/pickup-points")
    );
    // The plain text (for the console and email) reads as steps, without Markdown.
    let text = reply["text"].as_str().unwrap();
    assert!(text.contains("1. Откройте «Мои заказы»"), "{text}");
    assert!(!text.contains("**") && !text.contains("]("), "{text}");

    // A table arrives as a table.
    let reply = ask(&app, "сроки возврата бойлера по способу оплаты").await;
    let blocks = reply["answer"]["blocks"]
        .as_array()
        .expect("blocks")
        .clone();
    let table = blocks
        .iter()
        .find(|b| b["type"] == "table")
        .unwrap_or_else(|| panic!("no table: {reply}"));
    assert_eq!(table["header"].as_array().unwrap().len(), 2);
    assert_eq!(table["rows"].as_array().unwrap().len(), 2);
    assert_eq!(reply["answer"]["section"], "Сроки возврата", "{reply}");
}

#[tokio::test]
async fn hostile_markdown_loses_scripts_and_dangerous_links() {
    let (app, _dir) = app_with(ARTICLE).await;
    let reply = ask(&app, "опасные ссылки бойлера").await;
    let raw = reply["answer"]["blocks"].to_string();
    assert!(reply["answer"]["blocks"].is_array(), "{reply}");
    assert!(!raw.contains("javascript"), "{raw}");
    assert!(!raw.contains("data:"), "{raw}");
    assert!(!raw.contains("script"), "{raw}");
    assert!(raw.contains("сюда"), "the link text stays: {raw}");
}

#[tokio::test]
async fn a_long_section_is_cut_at_whole_items_with_a_link_to_the_rest() {
    let steps: String = (1..=120)
        .map(|i| format!("{i}. Шаг номер {i}: проверьте соединение трубы и крана.\n"))
        .collect();
    let article = format!(
        "---\ntitle: Подключение бойлера\nquestions: [как подключить бойлер]\n---\n\n## Как подключить бойлер\n\n{steps}"
    );
    let (app, _dir) = app_with(&article).await;
    let reply = ask(&app, "как подключить бойлер").await;
    let card = &reply["answer"];
    assert_eq!(card["more"], true, "{reply}");
    let list = &card["blocks"][0];
    let n = list["items"].as_array().unwrap().len();
    assert!((5..120).contains(&n), "{n} items");
    let text = reply["text"].as_str().unwrap();
    assert!(text.chars().count() <= 1300, "{}", text.chars().count());
    assert!(
        text.trim_end().ends_with("крана."),
        "cut inside an item: {text}"
    );
}
