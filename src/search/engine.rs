//! The engine itself: what it holds (index reader, fields, analyzers, writer, current snapshot,
//! semantic search), opening it over an articles folder, and attaching semantic search.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use arc_swap::ArcSwap;
use rustc_hash::FxHashMap;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy};

use super::schema::{Fields, build_schema};
use super::snapshot::{Snapshot, WriterState, units};
use super::{analyzer, query};
use crate::articles::{Catalog, Library};
use crate::domain::Lang;
use crate::semantic::Semantic;

pub(super) struct Inner {
    pub(super) reader: IndexReader,
    pub(super) fields: Fields,
    pub(super) analyzers: [TextAnalyzer; 3],
    state: Mutex<WriterState>,
    pub(super) snapshot: ArcSwap<Snapshot>,
    pub(super) threshold: f32,
    /// The encoder and the vectors of the articles, once attached.
    pub(super) semantic: OnceLock<Semantic>,
    /// Why there is no semantic search, once that is known.
    semantic_off: OnceLock<String>,
}

/// The search engine over one articles folder; cheap to clone.
#[derive(Clone)]
pub struct SearchEngine(pub(super) Arc<Inner>);

impl SearchEngine {
    /// Opens the engine over `articles_dir` and reads it once.
    pub fn open(articles_dir: &Path, default_lang: Lang, threshold: f32) -> anyhow::Result<Self> {
        query::warm_up();
        let (schema, fields) = build_schema();
        let index = Index::create_in_ram(schema);
        for lang in Lang::ALL {
            index
                .tokenizers()
                .register(analyzer::analyzer_name(lang), analyzer::build(lang));
        }
        let writer: IndexWriter = index.writer_with_num_threads(1, 40_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let empty = Snapshot {
            searcher: IndexReader::searcher(&reader),
            catalog: Arc::new(Catalog::default()),
            terms: HashMap::new(),
            synonyms: Default::default(),
            num_docs: [0; 3],
            lang_docs: [0; 3],
            df: Default::default(),
            norms: FxHashMap::default(),
        };
        let engine = SearchEngine(Arc::new(Inner {
            reader,
            fields,
            analyzers: Lang::ALL.map(analyzer::build),
            state: Mutex::new(WriterState {
                writer,
                library: Library::new(articles_dir, default_lang),
                indexed: HashMap::new(),
                next_aid: 1,
                loaded: false,
            }),
            snapshot: ArcSwap::from_pointee(empty),
            threshold,
            semantic: OnceLock::new(),
            semantic_off: OnceLock::new(),
        }));
        engine.reload()?;
        Ok(engine)
    }

    /// Attaches semantic search: the articles are embedded in the background (and again after
    /// every reload) and searches use the vectors once they are ready. Once only.
    pub fn attach_semantic(&self, semantic: Semantic) {
        let st = self.lock();
        if self.0.semantic.set(semantic.clone()).is_ok() {
            semantic.update(units(&st));
        }
    }

    /// Loads the model `choice` names and attaches semantic search with vectors cached in
    /// `cache`; without a model, says why once in the log and stays lexical. Blocking: reads and
    /// verifies the model file.
    pub fn start_semantic(
        &self,
        choice: &crate::semantic::ModelChoice,
        cache: Option<std::path::PathBuf>,
    ) {
        match crate::semantic::model::load(choice) {
            Ok(model) => {
                tracing::info!(
                    model = %model.info.path,
                    pinned = model.info.pinned,
                    load_ms = model.info.load_ms,
                    weights_mb = model.info.weights_mb,
                    "semantic model loaded; embedding the articles in the background (answers are lexical until then)"
                );
                self.attach_semantic(Semantic::start(model, cache));
            }
            Err(crate::semantic::ModelError::Off) => {
                let _ = self
                    .0
                    .semantic_off
                    .set(crate::semantic::ModelError::Off.to_string());
            }
            Err(e) => {
                tracing::warn!("semantic search unavailable, answering lexically: {e}");
                let _ = self.0.semantic_off.set(e.to_string());
            }
        }
    }

    /// What semantic search is doing: ready, embedding, or off and why.
    pub fn semantic_status(&self) -> crate::semantic::Status {
        match self.semantic() {
            Some(s) => s.status(),
            None => crate::semantic::Status {
                state: if self.0.semantic_off.get().is_some() {
                    "off"
                } else {
                    "loading"
                },
                done: 0,
                total: 0,
                embedded: 0,
                vectors: 0,
                model: None,
                reason: self.0.semantic_off.get().cloned(),
            },
        }
    }

    /// Semantic search, if attached.
    pub fn semantic(&self) -> Option<&Semantic> {
        self.0.semantic.get()
    }

    /// Blocks until the vectors cover the current articles (or `timeout` passes); `false`
    /// without semantic search or on time-out.
    pub fn wait_semantic(&self, timeout: std::time::Duration) -> bool {
        let Some(sem) = self.semantic() else {
            return false;
        };
        let until = Instant::now() + timeout;
        while !sem.is_current() {
            if Instant::now() >= until {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        true
    }

    /// The confidence threshold in use.
    pub fn threshold(&self) -> f32 {
        self.0.threshold
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.0.snapshot.load_full()
    }

    /// The articles folder being served.
    pub fn articles_dir(&self) -> std::path::PathBuf {
        self.lock().library.root().to_path_buf()
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, WriterState> {
        // A panic while reloading leaves the old snapshot in place; keep serving it.
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
