//! Hot reload: watches the articles folder and calls back once a burst of changes settles.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

/// How long the folder must be quiet before a reload; editors save in bursts.
const SETTLE: Duration = Duration::from_millis(60);
/// A reload happens at the latest this long after the first change of a burst.
const MAX_DELAY: Duration = Duration::from_millis(300);
/// Interval of the polling fallback when the OS watcher cannot be created.
const POLL: Duration = Duration::from_millis(700);

/// Keeps the watch alive; dropping it stops the watcher thread.
pub struct WatchGuard {
    _watcher: Option<notify::RecommendedWatcher>,
    stop: Option<mpsc::Sender<()>>,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Watches `root` recursively and calls `on_change` after each settled burst of changes.
/// Falls back to polling (calling `on_change` every 0.7 s) when the OS watcher fails.
pub fn spawn(root: &Path, mut on_change: impl FnMut() + Send + 'static) -> WatchGuard {
    let (tx, rx) = mpsc::channel::<()>();
    let event_tx = tx.clone();
    let on_event = move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && !matches!(ev.kind, notify::EventKind::Access(_))
        {
            let _ = event_tx.send(());
        }
    };
    // Links are not followed: what they may lead to inside the folder is watched anyway, and
    // a link to `/` must not put a watch on every folder of the machine.
    let config = notify::Config::default().with_follow_symlinks(false);
    let watcher = notify::RecommendedWatcher::new(on_event, config)
        .and_then(|mut w| w.watch(root, RecursiveMode::Recursive).map(|()| w));
    match watcher {
        Ok(w) => {
            let spawned = std::thread::Builder::new()
                .name("otvet-articles-watch".into())
                .spawn(move || {
                    // The guard's sender and the watcher's both feed `rx`; a `()` from the guard
                    // on drop is indistinguishable from an event, so stop when the watcher is gone.
                    while rx.recv().is_ok() {
                        let first = Instant::now();
                        while first.elapsed() < MAX_DELAY {
                            match rx.recv_timeout(SETTLE) {
                                Ok(()) => continue,
                                Err(mpsc::RecvTimeoutError::Timeout) => break,
                                Err(mpsc::RecvTimeoutError::Disconnected) => return,
                            }
                        }
                        on_change();
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start the articles watcher; changes need a restart");
            }
            drop(tx);
            WatchGuard {
                _watcher: Some(w),
                stop: None,
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch the articles folder; polling it instead");
            let spawned = std::thread::Builder::new()
                .name("otvet-articles-poll".into())
                .spawn(move || {
                    loop {
                        match rx.recv_timeout(POLL) {
                            Err(mpsc::RecvTimeoutError::Timeout) => on_change(),
                            _ => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start the articles poller; changes need a restart");
            }
            WatchGuard {
                _watcher: None,
                stop: Some(tx),
            }
        }
    }
}
