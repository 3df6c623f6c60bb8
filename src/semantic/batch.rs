//! Questions asked at the same moment are embedded together: the encoder streams its weights
//! from memory once per forward pass, so a batch of eight costs little more than one. There is
//! no extra thread and no waiting when the server is idle: a caller that finds fewer than
//! [`RUNNERS`] batches running takes every waiting question (its own among them) and embeds
//! them; the others wait for their vector.

use std::sync::{Condvar, Mutex};

use rustc_hash::FxHashSet;

/// Batches embedded at once (one per core of the machines this is measured on).
pub const RUNNERS: usize = 2;
/// Most questions in one batch.
pub const MAX_BATCH: usize = 16;

/// The questions waiting and being embedded.
#[derive(Default)]
pub struct Batcher {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    waiting: Vec<String>,
    /// Waiting or being embedded (not to be queued twice).
    pending: FxHashSet<String>,
    running: usize,
}

impl Batcher {
    /// Returns once `text` is embedded: `known` tells whether its vector is available (it is
    /// called under no lock of the batcher), `embed` embeds a batch and stores the vectors
    /// where `known` finds them; it is told whether its batch is the only one running (then it
    /// may use both cores).
    pub fn run(&self, text: &str, known: impl Fn(&str) -> bool, embed: impl Fn(&[String], bool)) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if !st.pending.contains(text) {
                if known(text) {
                    return;
                }
                st.pending.insert(text.to_string());
                st.waiting.push(text.to_string());
            }
            if st.running < RUNNERS && !st.waiting.is_empty() {
                let n = st.waiting.len().min(MAX_BATCH);
                let batch: Vec<String> = st.waiting.drain(..n).collect();
                st.running += 1;
                let alone = st.running == 1;
                drop(st);
                let done = Done {
                    batcher: self,
                    batch: &batch,
                };
                embed(&batch, alone);
                drop(done);
                st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                continue;
            }
            st = self.changed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Marks a batch finished, also when embedding it panicked (its waiters then queue it again).
struct Done<'a> {
    batcher: &'a Batcher,
    batch: &'a [String],
}

impl Drop for Done<'_> {
    fn drop(&mut self) {
        let mut st = self.batcher.state.lock().unwrap_or_else(|e| e.into_inner());
        st.running -= 1;
        for t in self.batch {
            st.pending.remove(t);
        }
        self.batcher.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn concurrent_questions_share_batches_and_each_gets_its_vector() {
        let b = Arc::new(Batcher::default());
        let store: Arc<Mutex<FxHashSet<String>>> = Arc::default();
        let batches = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..24)
            .map(|i| {
                let (b, store, batches) = (b.clone(), store.clone(), batches.clone());
                std::thread::spawn(move || {
                    let text = format!("q{}", i % 12);
                    b.run(
                        &text,
                        |t| store.lock().unwrap().contains(t),
                        |batch, _alone| {
                            batches.fetch_add(1, Ordering::Relaxed);
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            store.lock().unwrap().extend(batch.iter().cloned());
                        },
                    );
                    assert!(store.lock().unwrap().contains(&text));
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(store.lock().unwrap().len(), 12);
        // Twelve distinct questions, embedded in fewer passes than questions.
        assert!(batches.load(Ordering::Relaxed) < 12, "{batches:?}");
    }
}
