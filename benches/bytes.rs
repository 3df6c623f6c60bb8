//! Bytes on the wire for every page type and the scripts: the release binary over the sample
//! articles, each response fetched as a browser does (`Accept-Encoding: gzip, deflate, br, zstd`),
//! as an older client does (`gzip`), and without compression (what every client got before
//! responses were compressed); then, for the widget, a second request with `If-None-Match`.
//!
//! `cargo bench --bench bytes`

mod common;

use std::time::Duration;

async fn size(
    client: &reqwest::Client,
    url: &str,
    accept: Option<&str>,
) -> (usize, Option<String>, Option<String>) {
    let mut req = client.get(url);
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    let r = req.send().await.expect("request");
    let enc = r
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let etag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (r.bytes().await.expect("body").len(), enc, etag)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("otvet.db").display());
    let addr = common::free_addr();
    let mut server = common::spawn_otvet(&addr, &db, ["--model", "off"]);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let base = format!("http://{addr}");
    let start = std::time::Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "otvet did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let home = client
        .get(format!("{base}/ru/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = |prefix: &str| {
        home.split('"')
            .find(|s| s.starts_with(prefix))
            .unwrap_or(prefix)
            .replace("&amp;", "&")
    };
    let pages = [
        ("help center home", "/ru/".to_string()),
        ("category", link("/ru/categories/")),
        ("article", "/ru/articles/return-goods".to_string()),
        (
            "search results",
            "/ru/search?q=%D0%B2%D0%BE%D0%B7%D0%B2%D1%80%D0%B0%D1%82".to_string(),
        ),
        (
            "search API (JSON)",
            "/api/search?q=%D0%B2%D0%BE%D0%B7%D0%B2%D1%80%D0%B0%D1%82&lang=ru".to_string(),
        ),
        (
            "article API (JSON)",
            "/api/articles/return-goods".to_string(),
        ),
        ("stylesheet", link("/assets/site.css")),
        ("instant search script", link("/assets/search.js")),
        ("widget script", "/widget.js".to_string()),
        ("agent sign-in page", "/agent/login".to_string()),
    ];
    println!("| response | uncompressed | gzip | brotli (browsers) |");
    println!("|---|---:|---:|---:|");
    for (name, path) in &pages {
        let url = format!("{base}{path}");
        let (plain, _, _) = size(&client, &url, None).await;
        let (gz, gz_enc, _) = size(&client, &url, Some("gzip")).await;
        let (br, br_enc, _) = size(&client, &url, Some("gzip, deflate, br, zstd")).await;
        println!(
            "| {name} | {plain} | {gz}{} | {br}{} |",
            if gz_enc.is_none() {
                " (not compressed)"
            } else {
                ""
            },
            if br_enc.as_deref() != Some("br") {
                " (not brotli)"
            } else {
                ""
            },
        );
    }
    let source = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/widget/widget.js")).unwrap();
    println!(
        "\nwidget source (as sent before this change): {} bytes",
        source.len()
    );
    let url = format!("{base}/widget.js");
    let (_, _, etag) = size(&client, &url, Some("gzip, deflate, br, zstd")).await;
    let r = client
        .get(&url)
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .header("if-none-match", etag.unwrap_or_default())
        .send()
        .await
        .unwrap();
    println!(
        "widget again with If-None-Match: {} and {} bytes of body",
        r.status().as_u16(),
        r.bytes().await.unwrap().len()
    );
    let _ = server.kill();
    let _ = server.wait();
}
