//! The chat in the help center (`--help-center-chat`): the widget on its pages, "No" under an
//! article and a search that finds nothing offering the chat (links to the contact page without
//! it), the agent told which article or search it was; and the search page saying how it read a
//! query typed on the wrong layout, with the number of results; the favicon.

use serde_json::json;

use crate::helpers::{TestApp, sample_articles, spawn_app_with};
use crate::ws::{Ws, agent_cookie, agent_socket};

async fn app(chat: bool) -> TestApp {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.help_center_chat = chat;
    spawn_app_with(config).await
}

async fn page(app: &TestApp, path: &str) -> String {
    let r = app
        .client
        .get(format!("{}{path}", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn help_center_pages_offer_the_chat_where_a_visitor_needs_a_person() {
    let app = app(true).await;
    let home = page(&app, "/ru/").await;
    assert!(home.contains("<script src=\"/widget.js\" defer>"), "{home}");
    assert!(home.contains("class=\"contact-entry\"") && home.contains("Написать в чат"));
    // Not on the agents' pages: they are not a place for customers to chat.
    let login = page(&app, "/agent/login").await;
    assert!(!login.contains("/widget.js"), "{login}");
    assert!(home.contains("<link rel=\"icon\" href=\"/favicon.svg\""));
    // "No" under an article: the chat, not a link away.
    let no = page(&app, "/ru/articles/return-goods?thanks=1&helpful=no").await;
    assert!(
        no.contains("class=\"chat-offer\"") && no.contains("data-otvet-chat"),
        "{no}"
    );
    // A search that finds nothing: the chat, with the question typed in.
    let nothing = page(
        &app,
        "/ru/search?q=%D0%B2%D0%B5%D1%80%D1%82%D0%BE%D0%BB%D1%91%D1%82",
    )
    .await;
    assert!(
        nothing.contains("data-otvet-draft=\"вертолёт\""),
        "{nothing}"
    );
    // Without the setting: no widget, and the links go to the contact page.
    let plain = app_without_chat().await;
    let home = page(&plain, "/ru/").await;
    assert!(!home.contains("/widget.js"));
    let no = page(&plain, "/ru/articles/return-goods?thanks=1&helpful=no").await;
    assert!(
        !no.contains("chat-offer") && no.contains("Связаться с поддержкой"),
        "{no}"
    );
}

async fn app_without_chat() -> TestApp {
    app(false).await
}

#[tokio::test]
async fn a_query_on_the_wrong_layout_says_how_it_was_read_and_how_many_were_found() {
    let app = app(false).await;
    // «доставка» typed on the QWERTY layout.
    let html = page(&app, "/ru/search?q=ljcnfdrf").await;
    assert!(
        html.contains("Показаны результаты для «доставка»"),
        "{html}"
    );
    assert!(html.contains("Результаты по запросу «ljcnfdrf»"));
    let found = html
        .split("Найдено: ")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|n| n.trim().trim_end_matches('+').parse::<usize>().ok())
        .expect("the count");
    assert!(found >= 1);
    let plain = page(
        &app,
        "/ru/search?q=%D0%B4%D0%BE%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0",
    )
    .await;
    assert!(
        !plain.contains("Показаны результаты для"),
        "typed right: no note"
    );
    let (status, v) = app.get_json("/api/search?q=ljcnfdrf&lang=ru").await;
    assert_eq!(status, 200);
    assert_eq!(v["read_as"], "доставка");
    // The favicon.
    let icon = app
        .client
        .get(format!("{}/favicon.svg", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    let ico = crate::helpers::no_redirect_client()
        .get(format!("{}/favicon.ico", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(ico.status(), 308);
}

#[tokio::test]
async fn the_agent_sees_which_article_or_search_the_customer_came_from() {
    let app = app(true).await;
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    for (page_url, expect) in [
        (
            format!("{}/ru/articles/return-goods#oformit-vozvrat", app.base_url),
            json!({"article": {"title": "Возврат товара", "url": "/ru/articles/return-goods"}}),
        ),
        (
            format!(
                "{}/ru/search?q=%D0%B2%D0%B5%D1%80%D1%82%D0%BE%D0%BB%D1%91%D1%82+%D0%BD%D0%B0%D0%BF%D1%80%D0%BE%D0%BA%D0%B0%D1%82",
                app.base_url
            ),
            json!({"search": "вертолёт напрокат"}),
        ),
    ] {
        let mut ws = Ws::customer(&app).await;
        ws.hello(json!({"lang": "ru", "page_url": page_url})).await;
        ws.say("h1", "позовите оператора").await;
        let conv = ws.message_from("system").await["conversation_id"]
            .as_i64()
            .unwrap();
        agent
            .send(json!({"type": "open", "conversation_id": conv}))
            .await;
        let c = agent
            .until("the conversation", |v| {
                v["type"] == "conversation" && v["conversation"]["id"] == conv
            })
            .await;
        let page = &c["handoff"]["page"];
        assert_eq!(page["search"], expect["search"], "{c}");
        if expect["article"].is_object() {
            assert_eq!(page["article"]["url"], expect["article"]["url"], "{c}");
            assert!(
                page["article"]["title"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty()),
                "{c}"
            );
        }
    }
}
