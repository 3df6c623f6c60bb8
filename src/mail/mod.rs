//! The email channel: mail to customers (the autoreply, agents' replies they have not seen,
//! transcripts, rating requests, the bot's answers to mail), queued in the store and sent by a
//! worker over SMTP with retries; and the support mailbox read over IMAP, whose mail becomes
//! conversations (answered by the bot from the knowledge base when it is confident) or joins the
//! conversation it replies to.
//!
//! The chat queues mail as outbox rows of a [`MailKind`](crate::domain::mail::MailKind); this
//! module composes and sends them, so the chat does not depend on it.

pub mod compose;
pub mod imap;
pub mod inbound;
pub mod links;
pub mod outbox;
pub mod parse;
pub mod smtp;
mod texts;

use std::sync::Arc;
use std::time::Duration;

use crate::chat::Chat;

/// How otvet sends and reads mail (`--smtp-url` and the options beside it).
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// The SMTP server's URL (with credentials).
    pub smtp_url: String,
    /// The `From:` of otvet's mail.
    pub from: lettre::message::Mailbox,
    /// The support mailbox's address: replies go to its `+` sub-addresses.
    pub support_address: lettre::Address,
    /// The support mailbox to read, if any.
    pub imap_url: Option<String>,
    /// Its folder.
    pub imap_mailbox: String,
    /// Time between reads of the mailbox.
    pub poll: Duration,
    /// How long an agent's reply waits to be mailed (a burst of replies becomes one mail).
    pub batch: Duration,
    /// The first retry's wait after a temporary failure; it doubles with each attempt.
    pub retry_base: Duration,
    /// Attempts before a mail is given up as failed.
    pub max_attempts: i64,
    /// Mail read from one sender in an hour, at most: more is not answered (a loop or a flood).
    pub per_sender_per_hour: i64,
}

impl MailConfig {
    /// Checks the options: the sender and support addresses must be addresses, the URLs
    /// `smtp`/`smtps` and `imap`/`imaps` ones.
    pub fn new(
        smtp_url: String,
        from: &str,
        support_address: Option<&str>,
        imap_url: Option<String>,
        imap_mailbox: String,
        poll: Duration,
        batch: Duration,
    ) -> Result<MailConfig, String> {
        let from: lettre::message::Mailbox = from
            .parse()
            .map_err(|e| format!("--mail-from '{from}' is not a mailbox: {e}"))?;
        let support_address = match support_address {
            Some(a) => a
                .trim()
                .parse()
                .map_err(|e| format!("--support-address '{a}' is not an address: {e}"))?,
            None => from.email.clone(),
        };
        if !(smtp_url.starts_with("smtp://") || smtp_url.starts_with("smtps://")) {
            return Err("--smtp-url must start with smtp:// or smtps://".into());
        }
        if let Some(u) = &imap_url {
            imap::ImapTarget::parse(u)?;
        }
        Ok(MailConfig {
            smtp_url,
            from,
            support_address,
            imap_url,
            imap_mailbox,
            poll,
            batch,
            retry_base: Duration::from_secs(30),
            max_attempts: 8,
            per_sender_per_hour: 20,
        })
    }
}

/// What the mail workers work with.
#[derive(Clone)]
pub struct Mail {
    /// The chat's parts (store, search, hub, hours…): mail becomes conversations.
    pub chat: Chat,
    /// The mail options.
    pub config: Arc<MailConfig>,
    /// The help center's absolute URL, for links in mail.
    pub public_url: String,
}

/// The running mail workers; dropping them does not stop them, [`MailWorkers::stop`] does.
pub struct MailWorkers {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl MailWorkers {
    /// Starts the outbox sender and, with `--imap-url`, the mailbox reader.
    pub fn start(mail: Mail) -> anyhow::Result<MailWorkers> {
        let transport = smtp::Smtp::from_url(&mail.config.smtp_url)?;
        let mut tasks = vec![tokio::spawn(outbox::run(mail.clone(), transport))];
        if mail.config.imap_url.is_some() {
            tasks.push(tokio::spawn(imap::run(mail)));
        }
        Ok(MailWorkers { tasks })
    }

    /// Stops the workers (a mail being sent is retried later, by any node).
    pub fn stop(self) {
        for t in self.tasks {
            t.abort();
        }
    }
}
