//! Semantic search: a multilingual sentence encoder (`multilingual-e5-small`, see
//! [`otvet_encoder`]) and the vectors of every article title, section and question.
//!
//! [`Semantic`] owns the model and a background thread that embeds what the knowledge base
//! holds: [`Semantic::update`] hands it the current texts, it embeds only those the
//! [`cache::EmbeddingCache`] does not know, then swaps in a new [`VectorIndex`]. Until the first
//! index is complete search answers lexically; [`Semantic::status`] says how far it is.

mod batch;
pub mod cache;
pub mod model;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use arc_swap::ArcSwap;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

pub use model::{Model, ModelChoice, ModelError, ModelInfo};
pub use otvet_encoder::Kind;

/// Texts embedded per forward pass by the background thread.
const BATCH: usize = 16;
/// Query vectors remembered (customers ask the same things).
const QUERY_CACHE: usize = 4096;
/// Threads a question's forward pass is split between when it is the only one being embedded
/// (the machines this is measured on have two cores).
const QUERY_THREADS: usize = 2;
/// Characters of a query given to the encoder (its first window holds about this much).
pub const MAX_QUERY_CHARS: usize = 1000;

/// Which part of an article a vector stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The title.
    Title,
    /// A passage of the introduction (the text before the first section).
    Intro,
    /// Section `i` (with the article title and its heading).
    Section(usize),
    /// Example question `i` of the front matter.
    Question(usize),
}

/// A text to embed and what it belongs to.
#[derive(Debug, Clone)]
pub struct UnitText {
    /// The article's id in the search index.
    pub aid: u64,
    /// The part of the article.
    pub part: Part,
    /// Query or passage side.
    pub kind: Kind,
    /// The text.
    pub text: String,
}

/// Vectors of a knowledge base, laid out for brute-force cosine search.
#[derive(Default)]
pub struct VectorIndex {
    /// What each row is.
    pub units: Vec<(u64, Part)>,
    matrix: otvet_encoder::VectorMatrix,
}

impl VectorIndex {
    /// Cosine of `query` with every unit, in the order of [`VectorIndex::units`].
    pub fn scores(&self, query: &[f32]) -> Vec<f32> {
        self.matrix.cosines(query)
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether it has no vectors.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
}

/// How far semantic search is.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// `ready`, `embedding` or `off`.
    pub state: &'static str,
    /// Texts embedded or found in the cache, of `total`, for the latest knowledge base.
    pub done: usize,
    /// Texts of the latest knowledge base.
    pub total: usize,
    /// Texts the last completed build had to embed (the rest came from the cache).
    pub embedded: usize,
    /// Vectors in the index searched now.
    pub vectors: usize,
    /// The model, when one is loaded.
    pub model: Option<ModelInfo>,
    /// Why there is no model, when there is none.
    pub reason: Option<String>,
}

struct Inner {
    model: Arc<Model>,
    cache: Mutex<cache::EmbeddingCache>,
    index: ArcSwap<VectorIndex>,
    /// Latest texts asked for, and their generation.
    wanted: Mutex<(u64, Option<Vec<UnitText>>)>,
    wake: Condvar,
    /// Generation of the index in `index` (`u64::MAX` before the first).
    built: AtomicU64,
    done: AtomicUsize,
    total: AtomicUsize,
    embedded: AtomicUsize,
    queries: Mutex<QueryCache>,
    tick: AtomicUsize,
    batcher: batch::Batcher,
}

/// Query text → its vector and when it was last asked.
type QueryCache = FxHashMap<String, (Arc<[f32]>, u64)>;

/// The semantic side of search; cheap to clone.
#[derive(Clone)]
pub struct Semantic(Arc<Inner>);

impl Semantic {
    /// Starts the background embedder for `model`, with vectors cached in `cache_file`.
    pub fn start(model: Arc<Model>, cache_file: Option<PathBuf>) -> Self {
        let cache =
            cache::EmbeddingCache::open(cache_file.as_deref(), &model.info.sha256, model.info.dim);
        let inner = Arc::new(Inner {
            model,
            cache: Mutex::new(cache),
            index: ArcSwap::from_pointee(VectorIndex::default()),
            wanted: Mutex::new((0, None)),
            wake: Condvar::new(),
            built: AtomicU64::new(u64::MAX),
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
            embedded: AtomicUsize::new(0),
            queries: Mutex::new(FxHashMap::default()),
            tick: AtomicUsize::new(0),
            batcher: batch::Batcher::default(),
        });
        let weak = Arc::downgrade(&inner);
        let spawned = std::thread::Builder::new()
            .name("otvet-embed".into())
            .spawn(move || worker(weak));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the embedding thread; answering lexically");
        }
        Semantic(inner)
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.0.model
    }

    /// Hands the background thread the texts of the current knowledge base.
    pub fn update(&self, units: Vec<UnitText>) {
        let mut w = lock(&self.0.wanted);
        w.0 += 1;
        self.0.total.store(units.len(), Ordering::Relaxed);
        self.0.done.store(0, Ordering::Relaxed);
        w.1 = Some(units);
        self.0.wake.notify_all();
    }

    /// The latest complete index (possibly of an older knowledge base while a reload embeds).
    pub fn index(&self) -> Arc<VectorIndex> {
        self.0.index.load_full()
    }

    /// Whether the index covers the latest knowledge base.
    pub fn is_current(&self) -> bool {
        self.0.built.load(Ordering::Acquire) == lock(&self.0.wanted).0
    }

    /// The embedding of a customer's question (remembered for repeats; questions asked at
    /// the same time are embedded in one pass, see [`batch`]).
    pub fn query(&self, text: &str) -> Arc<[f32]> {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        loop {
            if let Some(v) = self.cached(&text) {
                return v;
            }
            self.0.batcher.run(
                &text,
                |t| lock(&self.0.queries).contains_key(t),
                |batch, alone| {
                    let texts: Vec<&str> = batch.iter().map(String::as_str).collect();
                    // A lone question on an idle machine: both cores cut its latency. A batch
                    // (a burst) is already work enough for one core while the other runs the
                    // next batch.
                    let threads = if alone && batch.len() == 1 {
                        QUERY_THREADS
                    } else {
                        1
                    };
                    let vectors =
                        self.0
                            .model
                            .encoder
                            .embed_batch_threads(Kind::Query, &texts, threads);
                    for (t, v) in batch.iter().zip(vectors) {
                        self.remember(t.clone(), v.into());
                    }
                },
            );
        }
    }

    fn cached(&self, text: &str) -> Option<Arc<[f32]>> {
        let tick = self.0.tick.fetch_add(1, Ordering::Relaxed) as u64;
        let mut q = lock(&self.0.queries);
        let (v, t) = q.get_mut(text)?;
        *t = tick;
        Some(v.clone())
    }

    fn remember(&self, text: String, v: Arc<[f32]>) {
        let tick = self.0.tick.fetch_add(1, Ordering::Relaxed) as u64;
        let mut q = lock(&self.0.queries);
        if q.len() >= QUERY_CACHE {
            // Forget the older half.
            let mut ticks: Vec<u64> = q.values().map(|(_, t)| *t).collect();
            ticks.sort_unstable();
            let cut = ticks[ticks.len() / 2];
            q.retain(|_, (_, t)| *t > cut);
        }
        q.insert(text, (v, tick));
    }

    /// How far it is.
    pub fn status(&self) -> Status {
        let current = self.is_current();
        Status {
            state: if current { "ready" } else { "embedding" },
            done: self.0.done.load(Ordering::Relaxed),
            total: self.0.total.load(Ordering::Relaxed),
            embedded: self.0.embedded.load(Ordering::Relaxed),
            vectors: self.index().len(),
            model: Some(self.0.model.info.clone()),
            reason: None,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The background thread: embeds the latest wanted texts, then sleeps until the next update.
/// It ends when the last [`Semantic`] handle is dropped.
fn worker(inner: std::sync::Weak<Inner>) {
    loop {
        let Some(me) = inner.upgrade() else {
            return;
        };
        let (generation, units) = {
            let mut w = lock(&me.wanted);
            loop {
                if let Some(units) = w.1.take() {
                    break (w.0, units);
                }
                let (g, _) = me
                    .wake
                    .wait_timeout(w, std::time::Duration::from_secs(1))
                    .unwrap_or_else(|e| e.into_inner());
                w = g;
                if Arc::strong_count(&me) == 1 {
                    return;
                }
            }
        };
        build(&me, generation, units);
    }
}

fn build(me: &Inner, generation: u64, units: Vec<UnitText>) {
    let started = Instant::now();
    let sha = me.model.info.sha256.clone();
    let keys: Vec<cache::Key> = units
        .iter()
        .map(|u| cache::key(&sha, u.kind, &u.text))
        .collect();
    let missing: Vec<usize> = {
        let c = lock(&me.cache);
        (0..units.len())
            .filter(|&i| c.get(&keys[i]).is_none())
            .collect()
    };
    me.done
        .store(units.len() - missing.len(), Ordering::Relaxed);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let batches: Vec<&[usize]> = missing.chunks(BATCH).collect();
    let next = AtomicUsize::new(0);
    let superseded = || lock(&me.wanted).0 != generation;
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    let Some(batch) = batches.get(b) else {
                        return;
                    };
                    if superseded() {
                        return;
                    }
                    // Group by kind: one forward pass per kind.
                    let mut out = Vec::with_capacity(batch.len());
                    for kind in [Kind::Query, Kind::Passage] {
                        let idx: Vec<usize> = batch
                            .iter()
                            .copied()
                            .filter(|&i| units[i].kind == kind)
                            .collect();
                        if idx.is_empty() {
                            continue;
                        }
                        let texts: Vec<&str> =
                            idx.iter().map(|&i| units[i].text.as_str()).collect();
                        let vs = me.model.encoder.embed_batch(kind, &texts);
                        out.extend(idx.iter().map(|&i| keys[i]).zip(vs));
                    }
                    let n = out.len();
                    lock(&me.cache).insert(out);
                    let done = me.done.fetch_add(n, Ordering::Relaxed) + n;
                    // Progress in the log, every tenth or so of the work.
                    let step = (units.len() / 10).max(BATCH);
                    if (done - n) / step != done / step {
                        tracing::info!(done, total = units.len(), "embedding the articles");
                    }
                }
            });
        }
    });
    if superseded() {
        return;
    }
    let mut index = VectorIndex {
        units: Vec::with_capacity(units.len()),
        matrix: otvet_encoder::VectorMatrix::new(me.model.info.dim),
    };
    {
        let mut c = lock(&me.cache);
        for (u, k) in units.iter().zip(&keys) {
            if let Some(v) = c.get(k) {
                index.units.push((u.aid, u.part));
                index.matrix.push(&v);
            }
        }
        let live: FxHashSet<cache::Key> = keys.iter().copied().collect();
        c.retain(&live);
    }
    tracing::info!(
        vectors = index.len(),
        embedded = missing.len(),
        ms = started.elapsed().as_millis() as u64,
        "semantic index ready"
    );
    me.index.store(Arc::new(index));
    me.embedded.store(missing.len(), Ordering::Relaxed);
    me.built.store(generation, Ordering::Release);
}
