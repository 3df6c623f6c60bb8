//! The SMTP client: one pooled `lettre` transport, and what a failure means for the outbox
//! (try again later, or give up and tell the agents).

use std::time::Duration;

use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The server took the mail.
    Sent,
    /// Try again later: the server is down or said "not now" (4xx).
    Retry(String),
    /// The server refused it for good (5xx): retrying would not help.
    Refused(String),
}

/// The SMTP transport of `--smtp-url`.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Smtp {
    /// The transport for `url` (`smtp://`, `smtps://`, with credentials and `?tls=`).
    pub fn from_url(url: &str) -> anyhow::Result<Smtp> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("--smtp-url {}: {e}", crate::store::redact_url(url)))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Smtp { transport })
    }

    /// Sends one message.
    pub async fn send(&self, message: lettre::Message) -> Outcome {
        match self.transport.send(message).await {
            Ok(_) => Outcome::Sent,
            Err(e) if e.is_permanent() => Outcome::Refused(describe(&e)),
            Err(e) => Outcome::Retry(describe(&e)),
        }
    }
}

/// The error with its causes, on one line (what agents and the log see).
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut s = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s.chars().take(500).collect()
}
