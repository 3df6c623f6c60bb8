//! The HTTP server's connections: the accept loop that serves the router over HTTP/1.1 (with
//! websocket upgrades), with a deadline for a request's headers (which also closes idle
//! keep-alive connections) and caps on open connections per client address and in total, so
//! one client cannot hold the server's sockets; and the graceful end of every connection at
//! shutdown.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower_service::Service;

use crate::domain::TrustedProxies;

/// How connections are bounded.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Time a client has to send a request's headers, from the connection's start or the end
    /// of its previous response: slow or idle connections are closed after it.
    pub header_timeout: Duration,
    /// Open connections of one client address at most (trusted proxies are not capped: every
    /// client behind them shares their address); more are closed at once.
    pub per_address: usize,
    /// Open connections at most; more are closed at once.
    pub total: usize,
    /// Peers not capped per address.
    pub trusted_proxies: TrustedProxies,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            per_address: 128,
            total: 10_000,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Open connections per address and in all.
#[derive(Default)]
struct Open {
    by_address: HashMap<IpAddr, usize>,
    total: usize,
}

/// A connection counted in [`Open`] until it is dropped.
struct Counted {
    open: Arc<Mutex<Open>>,
    ip: IpAddr,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = lock(&self.open);
        open.total -= 1;
        if let Some(n) = open.by_address.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.by_address.remove(&self.ip);
            }
        }
    }
}

fn lock(m: &Mutex<Open>) -> std::sync::MutexGuard<'_, Open> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Serves `router` on `listener` until `stop` turns true; then stops accepting, lets every
/// connection finish its request in flight, and returns once all are closed (upgraded
/// websockets are the caller's to close).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) {
    let open = Arc::new(Mutex::new(Open::default()));
    let limits = Arc::new(limits);
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = stopped(&mut stop) => break,
            // Reap finished connections so the set does not grow.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors or a connection reset before it was accepted: keep
                // serving the connections there are, and try again shortly.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(counted) = admit(&open, &limits, peer.ip()) else {
            drop(stream);
            continue;
        };
        tasks.spawn(connection(
            stream,
            peer,
            router.clone(),
            limits.header_timeout,
            stop.clone(),
            counted,
        ));
    }
    drop(listener);
    while tasks.join_next().await.is_some() {}
}

/// Resolves once the server stops (a closed channel counts as stopping).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Counts a new connection from `ip`, or refuses it when a cap is reached.
fn admit(open: &Arc<Mutex<Open>>, limits: &ConnectionLimits, ip: IpAddr) -> Option<Counted> {
    let ip = ip.to_canonical();
    let mut o = lock(open);
    if o.total >= limits.total {
        tracing::warn!(
            total = o.total,
            "connection refused: the server's cap is reached"
        );
        return None;
    }
    let capped = !limits.trusted_proxies.trusts(ip);
    let n = o.by_address.entry(ip).or_insert(0);
    if capped && *n >= limits.per_address {
        tracing::debug!(%ip, "connection refused: the address holds its cap");
        return None;
    }
    *n += 1;
    o.total += 1;
    Some(Counted {
        open: open.clone(),
        ip,
    })
}

/// A connection's stream that keeps it counted as long as it is open, also after an upgrade
/// to a websocket (hyper hands the stream itself to the upgraded connection).
struct CountedStream {
    stream: TcpStream,
    _counted: Counted,
}

impl tokio::io::AsyncRead for CountedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for CountedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
    counted: Counted,
) {
    let stream = CountedStream {
        stream,
        _counted: counted,
    };
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let mut router = router.clone();
        async move { Ok::<_, Infallible>(router.call(req).await.unwrap_or_else(|e| match e {})) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    let result = tokio::select! {
        r = conn.as_mut() => r,
        () = stopped(&mut stop) => {
            // Finish the request in flight, then close.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "connection ended");
    }
}
