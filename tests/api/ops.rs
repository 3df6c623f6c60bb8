//! Operations endpoints: `/readyz` and the Prometheus `/metrics`.

use crate::helpers::{sample_articles, spawn_app_with};
use crate::ws::new_customer;

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

#[tokio::test]
async fn readyz_and_metrics_tell_the_state_of_the_node() {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    let app = spawn_app_with(config).await;
    let r = app
        .client
        .get(format!("{}/readyz", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["status"], "ready");
    assert!(v["articles"].as_u64().unwrap() > 0);

    let get = || async {
        let r = app
            .client
            .get(format!("{}/metrics", app.base_url))
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4")
        );
        r.text().await.unwrap()
    };
    let before = get().await;
    assert_eq!(
        metric(&before, "otvet_websocket_connections{kind=\"customer\"}"),
        0.0
    );
    let searches = metric(&before, "otvet_search_duration_seconds_count");
    let messages = metric(&before, "otvet_chat_messages_total");
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("m1", "как вернуть товар").await;
    ws.message_from("bot").await;
    ws.say("m2", "оператор").await;
    ws.until_type("status").await;
    let after = get().await;
    assert_eq!(
        metric(&after, "otvet_websocket_connections{kind=\"customer\"}"),
        1.0
    );
    // The counters are per process (tests share one): at least this test's own.
    assert!(metric(&after, "otvet_chat_messages_total") >= messages + 4.0);
    assert!(metric(&after, "otvet_search_duration_seconds_count") >= searches + 1.0);
    assert_eq!(metric(&after, "otvet_queue_length"), 1.0);
    ws.close().await;
}
