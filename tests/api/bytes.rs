//! Bytes as sent: the widget and scripts compressed ahead of time (brotli, gzip) by
//! `Accept-Encoding`, pages and JSON compressed on the fly, `ETag` / `If-None-Match` answered
//! with 304, images not compressed again, and the widget under its size budget.

use std::io::Read;

use crate::helpers::{TestApp, sample_articles, spawn_app_with};

/// The widget's budget as sent, in bytes.
const WIDGET_BUDGET: usize = 14 * 1024;

async fn app() -> TestApp {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    spawn_app_with(config).await
}

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    raw: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body decoded from its `Content-Encoding`.
    fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.header("content-encoding") {
            Some("br") => {
                brotli::Decompressor::new(&self.raw[..], 4096)
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Some("gzip") => {
                flate2::read::GzDecoder::new(&self.raw[..])
                    .read_to_end(&mut out)
                    .unwrap();
            }
            None => out = self.raw.clone(),
            Some(other) => panic!("unexpected encoding {other}"),
        }
        out
    }
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Got {
    let mut req = app.client.get(format!("{}{path}", app.base_url));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    Got {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        raw: r.bytes().await.unwrap().to_vec(),
    }
}

#[tokio::test]
async fn the_widget_goes_out_compressed_under_its_budget_and_revalidates() {
    let app = app().await;
    let plain = get(&app, "/widget.js", &[]).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("access-control-allow-origin"), Some("*"));
    let script = String::from_utf8(plain.raw.clone()).unwrap();
    assert!(
        script.contains("data-otvet-widget") || script.contains("otvet"),
        "the widget"
    );
    assert!(!script.contains("\n  "), "no indentation left");
    for (accept, coding) in [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip")] {
        let got = get(&app, "/widget.js", &[("accept-encoding", accept)]).await;
        assert_eq!(got.header("content-encoding"), Some(coding));
        assert_eq!(got.header("vary"), Some("Accept-Encoding"));
        assert_eq!(got.decoded(), plain.raw, "{coding} decodes to the script");
        assert!(
            got.raw.len() <= WIDGET_BUDGET,
            "{coding}: {} bytes over the {WIDGET_BUDGET} budget",
            got.raw.len()
        );
        let etag = got.header("etag").unwrap().to_string();
        assert_ne!(
            Some(etag.as_str()),
            plain.header("etag"),
            "one tag per coding"
        );
        let again = get(
            &app,
            "/widget.js",
            &[("accept-encoding", accept), ("if-none-match", &etag)],
        )
        .await;
        assert_eq!(again.status, 304);
        assert!(again.raw.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));
    }
    // Versioned scripts are cached for a year.
    let html = String::from_utf8(get(&app, "/ru/", &[]).await.raw).unwrap();
    let src = html
        .split("src=\"")
        .find_map(|s| {
            s.split('"')
                .next()
                .filter(|p| p.starts_with("/assets/search.js?v="))
        })
        .expect("the search script's link")
        .to_string();
    let js = get(&app, &src, &[("accept-encoding", "br")]).await;
    assert_eq!(
        js.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(js.header("content-encoding"), Some("br"));
}

#[tokio::test]
async fn pages_and_json_are_compressed_and_revalidated_images_are_not_recompressed() {
    let app = app().await;
    for path in [
        "/ru/",
        "/ru/articles/return-goods",
        "/api/search?q=возврат&lang=ru",
        "/assets/site.css",
    ] {
        let plain = get(&app, path, &[]).await;
        assert_eq!(plain.status, 200, "{path}");
        let br = get(&app, path, &[("accept-encoding", "br, gzip")]).await;
        assert_eq!(br.header("content-encoding"), Some("br"), "{path}");
        assert_eq!(br.decoded(), plain.raw, "{path}");
        assert!(
            br.raw.len() * 2 < plain.raw.len(),
            "{path}: {} of {}",
            br.raw.len(),
            plain.raw.len()
        );
        let gz = get(&app, path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(gz.decoded(), plain.raw, "{path}");
        let etag = plain.header("etag").expect("an ETag").to_string();
        assert!(etag.starts_with("W/\""), "{etag}");
        let again = get(&app, path, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.raw.is_empty());
    }
    // An image is sent as it is: compressing it again would gain nothing.
    let (mut ws, welcome) = crate::ws::new_customer(&app, "ru").await;
    ws.say("q1", "позовите оператора").await;
    ws.message_from("system").await;
    let mut png = crate::attachments::tiny_png();
    png.resize(4096, 0);
    let r = app
        .client
        .post(format!(
            "{}/api/chat/attachments?name=a.png&client_id=f1",
            app.base_url
        ))
        .header(
            "authorization",
            format!("Bearer {}", welcome["token"].as_str().unwrap()),
        )
        .body(png.clone())
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    let url = v["message"]["attachment"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let img = get(&app, &url, &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(img.header("content-encoding"), None);
    assert_eq!(img.raw, png);
    // Pages that must not be stored get no ETag (the agent's login page).
    let login = get(&app, "/agent/login", &[("accept-encoding", "gzip")]).await;
    assert!(login.header("etag").is_none());
    assert_eq!(login.header("content-encoding"), Some("gzip"));
}
