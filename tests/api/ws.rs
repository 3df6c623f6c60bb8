//! A websocket test client (tokio-tungstenite) for the customer and agent protocols.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::TestApp;

/// How long a test waits for one frame.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

/// A websocket connection speaking JSON frames.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Every frame received so far, in order.
    pub log: Vec<Value>,
    /// Frames received but not yet taken by [`Ws::until`] or [`Ws::next`].
    pending: std::collections::VecDeque<Value>,
}

/// What came instead of a frame.
#[derive(Debug)]
pub enum WsEnd {
    /// The server closed, with this code.
    Closed(Option<u16>),
    /// Nothing came in time.
    Timeout,
}

impl Ws {
    /// Opens `path` on the app with extra headers.
    pub async fn open(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Result<Ws, String> {
        let url = format!("ws://{}{}", app.addr, path);
        let mut req = url.into_client_request().map_err(|e| e.to_string())?;
        for (k, v) in headers {
            req.headers_mut().insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).expect("header name"),
                v.parse().expect("header value"),
            );
        }
        match tokio_tungstenite::connect_async(req).await {
            Ok((stream, _)) => Ok(Ws {
                stream,
                log: Vec::new(),
                pending: Default::default(),
            }),
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                Err(format!("HTTP {}", resp.status().as_u16()))
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Opens the customer endpoint.
    pub async fn customer(app: &TestApp) -> Ws {
        Ws::open(app, "/api/chat", &[])
            .await
            .expect("connect to /api/chat")
    }

    /// Sends a JSON frame.
    pub async fn send(&mut self, v: Value) {
        self.stream
            .send(WsMessage::Text(v.to_string().into()))
            .await
            .expect("send frame");
    }

    /// Sends a raw text frame.
    pub async fn send_raw(&mut self, text: &str) {
        self.stream
            .send(WsMessage::Text(text.to_string().into()))
            .await
            .expect("send raw frame");
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.stream
            .send(WsMessage::Binary(bytes.into()))
            .await
            .expect("send binary frame");
    }

    /// The next JSON frame, or why there is none.
    pub async fn next(&mut self) -> Result<Value, WsEnd> {
        self.next_within(FRAME_TIMEOUT).await
    }

    /// The next JSON frame within `wait` (frames skipped by [`Ws::until`] first).
    pub async fn next_within(&mut self, wait: Duration) -> Result<Value, WsEnd> {
        if let Some(v) = self.pending.pop_front() {
            return Ok(v);
        }
        self.read_within(wait).await
    }

    async fn read_within(&mut self, wait: Duration) -> Result<Value, WsEnd> {
        loop {
            match tokio::time::timeout(wait, self.stream.next()).await {
                Err(_) => return Err(WsEnd::Timeout),
                Ok(None) => return Err(WsEnd::Closed(None)),
                Ok(Some(Err(_))) => return Err(WsEnd::Closed(None)),
                Ok(Some(Ok(WsMessage::Text(t)))) => {
                    let v: Value = serde_json::from_str(t.as_str()).expect("server sent JSON");
                    self.log.push(v.clone());
                    return Ok(v);
                }
                Ok(Some(Ok(WsMessage::Close(c)))) => {
                    return Err(WsEnd::Closed(c.map(|c| u16::from(c.code))));
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The first frame, received or still to come, that matches `pred`; the others stay for
    /// later calls. Panics after the timeout, showing what came.
    pub async fn until(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i).expect("index in range");
        }
        let deadline = tokio::time::Instant::now() + FRAME_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.read_within(left).await {
                Ok(v) if pred(&v) => return v,
                Ok(v) => self.pending.push_back(v),
                Err(e) => panic!(
                    "waiting for {what}: {e:?}; frames so far:\n{}",
                    self.log
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            }
        }
    }

    /// Frames of a type until one matches.
    pub async fn until_type(&mut self, ty: &str) -> Value {
        self.until(ty, |v| v["type"] == ty).await
    }

    /// Asserts that no frame matching `pred` came or comes within `wait`.
    pub async fn none_within(&mut self, wait: Duration, what: &str, pred: impl Fn(&Value) -> bool) {
        if let Some(v) = self.pending.iter().find(|v| pred(v)) {
            panic!("unexpected {what}: {v}");
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return;
            }
            match self.read_within(left).await {
                Ok(v) if pred(&v) => panic!("unexpected {what}: {v}"),
                Ok(v) => self.pending.push_back(v),
                Err(_) => return,
            }
        }
    }

    /// `hello` as a customer; returns the `welcome`.
    pub async fn hello(&mut self, body: Value) -> Value {
        let mut v = json!({"type": "hello", "v": 1});
        if let (Some(obj), Some(extra)) = (v.as_object_mut(), body.as_object()) {
            for (k, x) in extra {
                obj.insert(k.clone(), x.clone());
            }
        }
        self.send(v).await;
        self.until_type("welcome").await
    }

    /// Sends a customer message and returns its `ack`.
    pub async fn say(&mut self, client_id: &str, text: &str) -> Value {
        self.send(json!({"type": "send", "client_id": client_id, "text": text}))
            .await;
        let cid = client_id.to_string();
        self.until("ack", move |v| {
            v["type"] == "ack" && v["client_id"] == cid.as_str()
        })
        .await
    }

    /// The next `message` frame from `author`.
    pub async fn message_from(&mut self, author: &str) -> Value {
        let a = author.to_string();
        self.until(&format!("a message from {author}"), move |v| {
            v["type"] == "message" && v["author"] == a.as_str()
        })
        .await
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// A customer connected with a fresh token: the socket and the `welcome`.
pub async fn new_customer(app: &TestApp, lang: &str) -> (Ws, Value) {
    let mut ws = Ws::customer(app).await;
    let welcome = ws
        .hello(json!({"lang": lang, "page_url": "https://shop.example/cart"}))
        .await;
    (ws, welcome)
}

/// Creates an agent account directly in the app's database and a session for it; returns the
/// `Cookie` header value and the account id.
pub async fn agent_cookie(
    app: &TestApp,
    email: &str,
    name: &str,
    max_chats: Option<i64>,
) -> (String, i64) {
    account_cookie(app, email, name, otvet::agents::Role::Agent, max_chats).await
}

/// Like [`agent_cookie`], with a role.
pub async fn agent_cookie_with_role(
    app: &TestApp,
    email: &str,
    name: &str,
    role: otvet::agents::Role,
) -> (String, i64) {
    account_cookie(app, email, name, role, None).await
}

/// An account of `role` with a cap, made directly in the app's database, and a session for it
/// (CSRF token `csrf-for-tests`): the `Cookie` header value and the account id.
pub async fn account_cookie(
    app: &TestApp,
    email: &str,
    name: &str,
    role: otvet::agents::Role,
    max_chats: Option<i64>,
) -> (String, i64) {
    let store = otvet::Store::connect(&app.database_url)
        .await
        .expect("open the app's database");
    let now = otvet::domain::now_ms();
    let agent = store
        .create_agent(
            &otvet::agents::NewAgent {
                email: email.into(),
                name: name.into(),
                password_hash: otvet::agents::password::hash_password("correct horse battery")
                    .expect("hash"),
                role,
                max_chats,
            },
            now,
        )
        .await
        .expect("create agent")
        .expect("new email");
    let token = otvet::domain::token::new_token();
    store
        .create_session(
            agent.id,
            &otvet::domain::token::token_hash(&token),
            "csrf-for-tests",
            now,
        )
        .await
        .expect("create session");
    store.close().await;
    (format!("otvet_session={token}"), agent.id)
}

/// An agent console socket with that cookie; reads up to the first `queue` frame.
pub async fn agent_socket(app: &TestApp, cookie: &str) -> Ws {
    let mut ws = Ws::open(
        app,
        "/agent/ws",
        &[("Cookie", cookie), ("Origin", &app.base_url)],
    )
    .await
    .expect("agent socket");
    ws.until_type("hello").await;
    ws
}

/// The next `queue` frame in which conversation `conv` has `status` (and, when given, agent).
pub async fn queue_with(ws: &mut Ws, conv: i64, status: &str, agent: Option<i64>) -> Value {
    let status = status.to_string();
    ws.until(&format!("queue with #{conv} {status}"), move |v| {
        v["type"] == "queue"
            && v["items"].as_array().is_some_and(|items| {
                items.iter().any(|i| {
                    i["conversation_id"] == conv
                        && i["status"] == status.as_str()
                        && agent.is_none_or(|a| i["agent_id"] == a)
                })
            })
    })
    .await
}

/// The next `assigned` frame of conversation `conv`.
pub async fn assigned(ws: &mut Ws, conv: i64) -> Value {
    ws.until(&format!("assigned #{conv}"), move |v| {
        v["type"] == "assigned" && v["conversation_id"] == conv
    })
    .await
}

/// The next error frame about conversation `conv`.
pub async fn error_about(ws: &mut Ws, conv: i64) -> Value {
    ws.until(&format!("an error about #{conv}"), move |v| {
        v["type"] == "error" && v["conversation_id"] == conv
    })
    .await
}

/// After two consoles claimed conversation `conv` at once: the loser got `already_taken`, the
/// winner no error.
pub async fn only_the_loser_is_refused(winner: &mut Ws, loser: &mut Ws, conv: i64, round: usize) {
    let e = error_about(loser, conv).await;
    assert_eq!(e["code"], "already_taken", "round {round}: {e}");
    winner
        .none_within(
            Duration::from_millis(300),
            "an error for the winner",
            move |v| v["type"] == "error" && v["conversation_id"] == conv,
        )
        .await;
}
