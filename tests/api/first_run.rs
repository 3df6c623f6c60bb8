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
        html.contains("<html lang=\"en\"") && html.contains("<script src=\"/widget.js\" defer>"),
        "{html}"
    );
    // The tag to copy, with this server's address, escaped as text.
    assert!(
        html.contains(&format!(
            "&lt;script src=\"{}/widget.js\" defer&gt;",
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

#[tokio::test]
async fn admins_set_the_widgets_look_and_every_node_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::sqlite_url(&dir.path().join("otvet.db"));
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    config.database_url = url.clone();
    let app = spawn_app_with(config.clone()).await;
    let (admin, _) = crate::ws::account_cookie(
        &app,
        "anna@example.com",
        "Анна",
        otvet::agents::Role::Admin,
        None,
    )
    .await;
    let page = app
        .client
        .get(format!("{}/agent/settings", app.base_url))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!(
            "&lt;script src=&quot;{}/widget.js&quot;",
            app.base_url
        )),
        "{page}"
    );
    assert!(page.contains("src=\"/demo?preview=1&amp;lang="), "{page}");
    let post = |fields: Vec<(&'static str, &'static str)>, cookie: String| {
        let c = crate::helpers::no_redirect_client();
        let u = format!("{}/agent/settings/widget", app.base_url);
        async move {
            c.post(u)
                .header("cookie", cookie)
                .form(&fields)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let look = vec![
        ("csrf", "csrf-for-tests"),
        ("speaks_ru", "1"),
        ("speaks_en", "1"),
        ("fallback", "ru"),
        ("title_ru", "Домотека"),
        ("greeting_ru", "Здравствуйте! Чем помочь?"),
        ("title_en", "Domoteka"),
        ("greeting_en", ""),
        ("title_de", ""),
        ("color", "#A01010"),
        ("position", "left"),
    ];
    assert_eq!(post(look.clone(), admin.clone()).await, 303);
    for bad in [
        vec![("speaks_ru", "1"), ("color", "red")],
        // No language, or a fallback that is not one of them.
        vec![("color", "#a01010")],
        vec![("speaks_ru", "1"), ("fallback", "de")],
        vec![("speaks_ru", "1"), ("fallback", "xx")],
    ] {
        let mut bad = bad;
        bad.push(("csrf", "csrf-for-tests"));
        assert_eq!(post(bad.clone(), admin.clone()).await, 400, "{bad:?}");
    }
    let (agent, _) = crate::ws::agent_cookie(&app, "boris@example.com", "Борис", None).await;
    assert_eq!(post(look, agent).await, 403);
    // Served inside the widget, by this node and by another on the same database.
    let app2 = spawn_app_with(config).await;
    for a in [&app, &app2] {
        let js = a.get_text("/widget.js").await;
        assert!(
            js.contains(r##"const DEFAULTS = {"color":"#a01010","position":"left","languages":["ru","en"],"texts":{"ru":{"title":"Домотека","greeting":"Здравствуйте! Чем помочь?"},"en":{"title":"Domoteka"}}};"##),
            "{}",
            js.lines().find(|l| l.contains("DEFAULTS")).unwrap_or_default()
        );
    }
    // The preview: the demo page with the look being typed as the tag's attributes.
    let demo = app
        .get_text("/demo?preview=1&lang=en&color=%23aa0000&position=left&title=X")
        .await;
    assert!(
        demo.contains("data-title=\"X\"")
            && demo.contains("data-lang=\"en\"")
            && demo.contains("data-color=\"#aa0000\"")
            && demo.contains("data-position=\"left\""),
        "{demo}"
    );
    let wrong = app.get_text("/demo?color=javascript:alert(1)").await;
    assert!(!wrong.contains("data-color"));
}

#[tokio::test]
async fn every_agent_page_has_the_same_navigation_in_the_pages_language() {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    let app = spawn_app_with(config).await;
    let (admin, _) = crate::ws::account_cookie(
        &app,
        "anna@example.com",
        "Анна",
        otvet::agents::Role::Admin,
        None,
    )
    .await;
    let nav_of = |html: &str| -> String {
        let start = html
            .find("<nav class=\"agent-nav\"")
            .expect("the agents' navigation");
        let end = html[start..].find("</nav>").unwrap() + start;
        // The current page is marked; the rest is the same everywhere.
        html[start..end].replace(" aria-current=\"page\"", "")
    };
    let mut navs = Vec::new();
    for path in [
        "/agent/canned",
        "/agent/team",
        "/agent/settings",
        "/agent/reports",
        "/agent/gaps",
    ] {
        let html = app
            .client
            .get(format!("{}{path}", app.base_url))
            .header("cookie", &admin)
            .header("accept-language", "ru")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let nav = nav_of(&html);
        for link in [
            "/agent\"",
            "/agent/canned",
            "/agent/gaps",
            "/agent/reports",
            "/agent/team",
            "/agent/settings",
        ] {
            assert!(nav.contains(link), "{path}: no {link} in {nav}");
        }
        assert!(
            nav.contains("(администратор)"),
            "{path}: the role in Russian: {nav}"
        );
        assert!(!nav.contains("(admin)"), "{path}");
        navs.push((path, nav));
    }
    for (path, nav) in &navs[1..] {
        assert_eq!(nav, &navs[0].1, "{path} differs from {}", navs[0].0);
    }
}
