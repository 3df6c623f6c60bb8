//! The first hour: the sign-in page says how to create the first admin while there is none,
//! and `/demo` is a page with the widget and the tag to copy.

use crate::helpers::{sample_articles, spawn_app_with};

#[tokio::test]
async fn the_sign_in_page_says_how_to_create_the_first_admin_until_there_is_one() {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    let app = spawn_app_with(config).await;
    let page = |lang: &'static str| {
        let c = app.client.clone();
        let url = format!("{}/agent/login", app.base_url);
        async move {
            c.get(url)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let ru = page("ru").await;
    assert!(ru.contains("Учётных записей пока нет"), "{ru}");
    assert!(
        ru.contains("otvet agent add --role admin --email you@example.com"),
        "{ru}"
    );
    assert!(page("de").await.contains("Es gibt noch keine Konten"));
    crate::ws::agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let after = page("ru").await;
    assert!(!after.contains("Учётных записей пока нет"), "{after}");
    assert!(!after.contains("otvet agent add"));
}

#[tokio::test]
async fn the_demo_page_has_the_widget_and_the_tag_to_copy() {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    let app = spawn_app_with(config).await;
    let r = app
        .client
        .get(format!("{}/demo", app.base_url))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<script src=\"/widget.js\" data-lang=\"en\" defer>"),
        "{html}"
    );
    // The tag to copy, with this server's address, escaped as text.
    assert!(
        html.contains(&format!(
            "&lt;script src=\"{}/widget.js\" data-lang=\"en\" defer&gt;",
            app.base_url
        )) || html.contains(&format!(
            "&lt;script src=&quot;{}/widget.js&quot;",
            app.base_url
        )),
        "{html}"
    );
    assert!(html.contains("noindex"));
    assert!(html.contains("href=\"/agent\""));
}
