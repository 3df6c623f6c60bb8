//! Files in conversations over real HTTP and websockets: the widget's upload with the
//! customer's token (from another site: CORS), an agent's upload, how a file is served (type
//! from the bytes, `nosniff`, a sandboxing CSP, PDF as a download), hostile and oversized files
//! refused, and files gone with their customer.

use serde_json::{Value, json};

use crate::helpers::{TestApp, sample_articles, spawn_app_with};
use crate::ws::{agent_cookie, agent_socket, assigned, new_customer};

/// A valid 1×1 PNG.
pub fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8,
        0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

/// Standard base64 with padding (for hand-made MIME in the mail tests).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An agent's HTTP client from a session cookie made by `agent_cookie` (CSRF `csrf-for-tests`).
pub struct AgentHttp<'a> {
    app: &'a TestApp,
    cookie: String,
}

pub fn agent_with_cookie<'a>(app: &'a TestApp, cookie: &str) -> AgentHttp<'a> {
    AgentHttp {
        app,
        cookie: cookie.to_string(),
    }
}

impl AgentHttp<'_> {
    /// Uploads `bytes` as `name` into conversation `conv`: status and JSON.
    pub async fn upload(
        &self,
        conv: i64,
        name: &str,
        client_id: &str,
        bytes: Vec<u8>,
    ) -> (u16, Value) {
        let r = self
            .app
            .client
            .post(format!(
                "{}/agent/api/conversations/{conv}/attachments",
                self.app.base_url
            ))
            .query(&[("name", name), ("client_id", client_id)])
            .header("cookie", &self.cookie)
            .header("x-csrf-token", "csrf-for-tests")
            .header("origin", &self.app.base_url)
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// The customer's upload: status, headers and JSON.
async fn customer_upload(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    client_id: &str,
    bytes: Vec<u8>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = app
        .client
        .post(format!("{}/api/chat/attachments", app.base_url))
        .query(&[("name", name), ("client_id", client_id)])
        .header("origin", "https://shop.example")
        .body(bytes);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.json().await.unwrap_or(Value::Null))
}

async fn app() -> TestApp {
    let mut config = otvet::Config::new(sample_articles());
    config.watch = false;
    spawn_app_with(config).await
}

#[tokio::test]
async fn a_customer_sends_a_photo_and_an_agent_a_pdf() {
    let app = app().await;
    let (mut ws, welcome) = new_customer(&app, "ru").await;
    let token = welcome["token"].as_str().unwrap().to_string();
    // Before any message there is no conversation to put a file in.
    let (status, _, v) = customer_upload(&app, Some(&token), "a.png", "f0", tiny_png()).await;
    assert_eq!(status, 409, "{v}");
    ws.say("q1", "позовите оператора").await;
    let conv = ws.message_from("system").await["conversation_id"]
        .as_i64()
        .unwrap();
    let (cookie, _) = agent_cookie(&app, "olga@example.com", "Ольга", None).await;
    let mut agent = agent_socket(&app, &cookie).await;
    agent
        .send(json!({"type": "claim", "conversation_id": conv}))
        .await;
    assigned(&mut agent, conv).await;
    agent
        .send(json!({"type": "open", "conversation_id": conv}))
        .await;

    // The photo, from the shop's page: CORS lets the widget read the answer.
    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/chat/attachments", app.base_url),
        )
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let (status, headers, v) =
        customer_upload(&app, Some(&token), "../Фото чайника.png", "f1", tiny_png()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    let file = &v["message"]["attachment"];
    assert_eq!(file["name"], "Фото чайника.png");
    assert_eq!(file["type"], "image/png");
    assert_eq!(file["size"], tiny_png().len());
    let url = file["url"].as_str().unwrap().to_string();
    // Both sides see it live; a resend is the same message.
    ws.until("the photo in the widget", |m| {
        m["attachment"]["url"] == url.as_str()
    })
    .await;
    agent
        .until("the photo in the console", |m| {
            m["attachment"]["url"] == url.as_str()
        })
        .await;
    let (_, _, again) = customer_upload(&app, Some(&token), "x.png", "f1", tiny_png()).await;
    assert_eq!(again["message"]["seq"], v["message"]["seq"]);

    // Served as the image it is, in a sandbox, never sniffed.
    let r = app
        .client
        .get(format!("{}{url}", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(&r.bytes().await.unwrap()[..], &tiny_png()[..]);

    // The agent's PDF reaches the customer, and downloads as a file.
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    let agent_http = agent_with_cookie(&app, &cookie);
    let (status, v) = agent_http.upload(conv, "akt.pdf", "a1", pdf.clone()).await;
    assert_eq!(status, 200, "{v}");
    let got = ws
        .until("the PDF in the widget", |m| {
            m["author"] == "agent" && m["attachment"]["type"] == "application/pdf"
        })
        .await;
    let pdf_url = got["attachment"]["url"].as_str().unwrap();
    let r = app
        .client
        .get(format!("{}{pdf_url}", app.base_url))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(&r.bytes().await.unwrap()[..], &pdf[..]);
}

#[tokio::test]
async fn hostile_and_oversized_files_are_refused_and_nothing_is_stored() {
    let app = app().await;
    let (mut ws, welcome) = new_customer(&app, "ru").await;
    let token = welcome["token"].as_str().unwrap().to_string();
    ws.say("q1", "привет, вопрос про доставку").await;
    let before = ws.message_from("bot").await["seq"].as_i64().unwrap();
    let html = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    for (name, bytes) in [
        ("photo.png", html),
        ("logo.svg", svg),
        ("x.exe", b"MZ\x90\0".to_vec()),
    ] {
        let (status, _, v) = customer_upload(&app, Some(&token), name, "h1", bytes).await;
        assert_eq!(status, 415, "{name}: {v}");
        assert_eq!(v["code"], "bad_file", "{v}");
    }
    let big = {
        let mut b = tiny_png();
        b.resize(10 * 1024 * 1024 + 1, 0);
        b
    };
    let (status, _, v) = customer_upload(&app, Some(&token), "big.png", "h2", big).await;
    assert_eq!(status, 413, "{v}");
    let (status, _, _) = customer_upload(&app, None, "a.png", "h3", tiny_png()).await;
    assert_eq!(status, 401);
    let (status, _, _) =
        customer_upload(&app, Some("not-a-token"), "a.png", "h3", tiny_png()).await;
    assert_eq!(status, 401);
    // Nothing of those reached the conversation.
    ws.none_within(
        std::time::Duration::from_millis(500),
        "a refused file",
        |m| m["type"] == "message" && m["seq"].as_i64().is_some_and(|s| s > before),
    )
    .await;
    // Unknown and malformed file addresses.
    for path in [
        "/attachments/0123456789abcdef0123456789abcdef/x.png",
        "/attachments/../../etc/passwd",
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn an_agent_cannot_put_files_in_a_conversation_that_is_not_theirs() {
    let app = app().await;
    let (mut ws, _) = new_customer(&app, "ru").await;
    ws.say("q1", "позовите оператора").await;
    let conv = ws.message_from("system").await["conversation_id"]
        .as_i64()
        .unwrap();
    let (cookie, _) = agent_cookie(&app, "boris@example.com", "Борис", None).await;
    let (status, v) = agent_with_cookie(&app, &cookie)
        .upload(conv, "a.png", "x1", tiny_png())
        .await;
    assert_eq!(status, 409, "{v}");
    // Without the CSRF token: refused before anything is read.
    let r = app
        .client
        .post(format!(
            "{}/agent/api/conversations/{conv}/attachments?name=a.png&client_id=x2",
            app.base_url
        ))
        .header("cookie", &cookie)
        .body(tiny_png())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
