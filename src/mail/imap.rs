//! Reading the support mailbox over IMAP (`--imap-url`): every `--imap-poll-secs` the worker
//! logs in, takes the unseen mail (at most [`MAX_PER_POLL`] a round, each at most
//! [`MAX_MAIL_BYTES`]), hands each to [`super::inbound::receive`] and marks it seen. Several
//! nodes may read the same mailbox: the store registers each Message-ID once.

use std::sync::Arc;
use std::time::Duration;

use async_imap::Client;
use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

use super::Mail;

/// Mail read in one round, at most (the rest waits for the next).
pub const MAX_PER_POLL: usize = 50;
/// Largest mail read; a larger one is marked seen and left for people to read in a mail client.
pub const MAX_MAIL_BYTES: u32 = 10 * 1024 * 1024;
/// How long connecting, logging in and one command may take.
const IMAP_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the mailbox is, from `--imap-url`.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapTarget {
    /// Over TLS (`imaps://`).
    pub tls: bool,
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Login.
    pub user: String,
    /// Password.
    pub password: String,
}

impl std::fmt::Debug for ImapTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}@{}:{}",
            if self.tls { "imaps" } else { "imap" },
            self.user,
            self.host,
            self.port
        )
    }
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent escape in '{s}'"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the URL's user or password is not UTF-8".to_string())
}

impl ImapTarget {
    /// Reads `imaps://user:password@host[:port]` or `imap://…` (the latter only to a loopback
    /// host: the password would cross the network in the clear).
    pub fn parse(url: &str) -> Result<ImapTarget, String> {
        let (tls, rest) = if let Some(r) = url.strip_prefix("imaps://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("imap://") {
            (false, r)
        } else {
            return Err("--imap-url must start with imaps:// or imap://".into());
        };
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = rest
            .rsplit_once('@')
            .ok_or("--imap-url needs user:password@ before the host")?;
        let (user, password) = userinfo
            .split_once(':')
            .ok_or("--imap-url needs user:password@ before the host")?;
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => (
                h.to_string(),
                p.parse::<u16>()
                    .map_err(|_| format!("--imap-url: '{p}' is not a port"))?,
            ),
            _ => (hostport.to_string(), if tls { 993 } else { 143 }),
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if host.is_empty() {
            return Err("--imap-url has no host".into());
        }
        if !tls {
            let loopback = host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|a| a.is_loopback());
            if !loopback {
                return Err(format!(
                    "--imap-url: imap:// sends the password in the clear; use imaps:// for {host}"
                ));
            }
        }
        Ok(ImapTarget {
            tls,
            host,
            port,
            user: percent_decode(user)?,
            password: percent_decode(password)?,
        })
    }
}

/// Reads the mailbox every `--imap-poll-secs` until aborted.
pub async fn run(mail: Mail) {
    let Some(target) = mail
        .config
        .imap_url
        .as_deref()
        .and_then(|u| ImapTarget::parse(u).ok())
    else {
        return;
    };
    tracing::info!(mailbox = ?target, folder = %mail.config.imap_mailbox, "reading the support mailbox");
    let mut failing = false;
    loop {
        match tokio::time::timeout(IMAP_TIMEOUT * 10, poll(&mail, &target)).await {
            Ok(Ok(n)) => {
                if failing {
                    tracing::info!("the support mailbox is readable again");
                }
                failing = false;
                if n > 0 {
                    tracing::debug!(mails = n, "support mailbox read");
                }
                if n >= MAX_PER_POLL {
                    continue;
                }
            }
            Ok(Err(e)) => {
                if !failing {
                    tracing::error!(error = %format!("{e:#}"), "cannot read the support mailbox; retrying");
                }
                failing = true;
            }
            Err(_) => tracing::error!("reading the support mailbox timed out"),
        }
        tokio::time::sleep(mail.config.poll).await;
    }
}

/// One round: connects, reads the unseen mail, logs out; the number of mails handled.
pub async fn poll(mail: &Mail, target: &ImapTarget) -> anyhow::Result<usize> {
    let tcp = tokio::time::timeout(
        IMAP_TIMEOUT,
        TcpStream::connect((target.host.as_str(), target.port)),
    )
    .await
    .map_err(|_| anyhow::anyhow!("connecting to {}:{} timed out", target.host, target.port))??;
    if target.tls {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // ring, as lettre uses: it lacks post-quantum key exchange (hence the deprecation),
        // but aws-lc-rs would add a C and assembler toolchain to the build.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(target.host.clone())?;
        let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await?;
        session(mail, target, Client::new(stream)).await
    } else {
        session(mail, target, Client::new(tcp)).await
    }
}

async fn session<T>(
    mail: &Mail,
    target: &ImapTarget,
    mut client: Client<T>,
) -> anyhow::Result<usize>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let _greeting = tokio::time::timeout(IMAP_TIMEOUT, client.read_response())
        .await
        .map_err(|_| anyhow::anyhow!("the IMAP server sent no greeting"))??;
    let mut s = client
        .login(&target.user, &target.password)
        .await
        .map_err(|(e, _)| anyhow::anyhow!("IMAP login as {} failed: {e}", target.user))?;
    s.select(&mail.config.imap_mailbox).await?;
    let mut uids: Vec<u32> = s.uid_search("UNSEEN").await?.into_iter().collect();
    uids.sort_unstable();
    uids.truncate(MAX_PER_POLL);
    let mut handled = 0;
    for uid in uids {
        let size = {
            let mut f = s.uid_fetch(uid.to_string(), "RFC822.SIZE").await?;
            let mut size = None;
            while let Some(item) = f.next().await {
                size = size.or(item?.size);
            }
            size.unwrap_or(0)
        };
        if size <= MAX_MAIL_BYTES {
            let raw = {
                let mut f = s.uid_fetch(uid.to_string(), "BODY.PEEK[]").await?;
                let mut raw = None;
                while let Some(item) = f.next().await {
                    let item = item?;
                    if raw.is_none() {
                        raw = item.body().map(<[u8]>::to_vec);
                    }
                }
                raw
            };
            if let Some(raw) = raw {
                // A mail that cannot be handled now (the database is down) stays unseen for
                // the next round.
                super::inbound::receive(mail, &raw).await?;
            }
        } else {
            tracing::warn!(
                uid,
                size,
                "a mail over the size limit is left for a mail client"
            );
        }
        let mut st = s.uid_store(uid.to_string(), "+FLAGS (\\Seen)").await?;
        while let Some(r) = st.next().await {
            r?;
        }
        handled += 1;
    }
    s.logout().await?;
    Ok(handled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read() {
        let t = ImapTarget::parse("imaps://help%40shop.example:p%3Ass@imap.example.com").unwrap();
        assert!(t.tls);
        assert_eq!(
            (
                t.host.as_str(),
                t.port,
                t.user.as_str(),
                t.password.as_str()
            ),
            ("imap.example.com", 993, "help@shop.example", "p:ss")
        );
        let t = ImapTarget::parse("imap://u:p@127.0.0.1:1143").unwrap();
        assert_eq!((t.tls, t.port), (false, 1143));
        assert!(!format!("{t:?}").contains('p') || !format!("{t:?}").contains(":p@"));
        assert!(ImapTarget::parse("imap://u:p@mail.example.com").is_err());
        assert!(ImapTarget::parse("imaps://mail.example.com").is_err());
        assert!(ImapTarget::parse("http://u:p@x").is_err());
        assert!(ImapTarget::parse("imaps://u:p@x:notaport").is_err());
    }
}
