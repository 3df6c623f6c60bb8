//! Search over the knowledge base: a Tantivy index in RAM with one document per article and one
//! per section, per-language analyzers, typo/layout/synonym-tolerant queries, snippets that
//! highlight the corrected words, and a confidence per hit the bot compares with a threshold.
//!
//! The index follows the articles folder: [`SearchEngine::reload`] re-reads changed files and
//! swaps in a new snapshot atomically, so a search never sees a half-built index.

pub mod analyzer;
pub mod content;
pub mod hybrid;
pub mod layout;
pub mod query;

pub use content::{ArticlePart, PartContent};

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use arc_swap::ArcSwap;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::articles::{Article, Catalog, Library};
use crate::domain::{Lang, Slug};
use crate::semantic::Semantic;
use query::{AnalyzedSynonyms, Concept, Vocabulary};

/// Default confidence threshold: hits below it are not offered as answers.
pub const DEFAULT_THRESHOLD: f32 = 0.4;
/// Query words used to retrieve candidates (the highest-weighted ones).
const MAX_RETRIEVAL_CONCEPTS: usize = 12;
/// Spellings per word used to retrieve: the word and its best alternatives.
const MAX_RETRIEVAL_VARIANTS: usize = 4;
/// Candidates (articles) scored in full per search, at least.
const MIN_SCORED_CANDIDATES: usize = 30;
/// Largest `limit` accepted by a search.
pub const MAX_LIMIT: usize = 50;

const W_TITLE: f32 = 3.0;
const W_QUESTIONS: f32 = 3.0;
const W_HEADINGS: f32 = 2.0;
const W_BODY: f32 = 1.0;
const SNIPPET_CHARS: usize = 200;
/// Snippets are looked for in the first this many bytes of a section (a long section's match
/// further down still ranks, the snippet then shows its start).
const SNIPPET_SCAN_BYTES: usize = 1600;
/// `section` values from here on mark one-question documents (question `n` is `QUESTION_DOC + n`).
const QUESTION_DOC: u64 = 1 << 32;

#[derive(Clone, Copy)]
struct LangFields {
    title: Field,
    questions: Field,
    headings: Field,
    body: Field,
    all: Field,
}

#[derive(Clone, Copy)]
struct Fields {
    aid: Field,
    section: Field,
    file: Field,
    langs: [LangFields; 3],
}

impl Fields {
    fn of(&self, lang: Lang) -> &LangFields {
        &self.langs[lang_idx(lang)]
    }
}

fn lang_idx(lang: Lang) -> usize {
    match lang {
        Lang::Ru => 0,
        Lang::En => 1,
        Lang::De => 2,
    }
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let aid = b.add_u64_field("aid", FAST | INDEXED);
    let section = b.add_u64_field("section", FAST);
    let file = b.add_text_field("file", STRING);
    let langs = Lang::ALL.map(|lang| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer::analyzer_name(lang))
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let mut f = |name: &str| b.add_text_field(&format!("{name}_{lang}"), opts.clone());
        LangFields {
            title: f("title"),
            questions: f("questions"),
            headings: f("headings"),
            body: f("body"),
            all: f("all"),
        }
    });
    (
        b.build(),
        Fields {
            aid,
            section,
            file,
            langs,
        },
    )
}

/// Analyzed terms of one article, for confidence: which words it has, where.
struct ArticleTerms {
    article: Arc<Article>,
    /// Title, each question and each section heading, analyzed: the phrasings a query is
    /// compared with.
    phrasings: Vec<(Vec<String>, f32)>,
    /// Every term of the article.
    all: FxHashSet<String>,
}

/// One consistent view: the searcher and the articles it was built from.
pub struct Snapshot {
    searcher: Searcher,
    /// The published articles and the problems of the last reload.
    pub catalog: Arc<Catalog>,
    terms: HashMap<u64, Arc<ArticleTerms>>,
    synonyms: [AnalyzedSynonyms; 3],
    num_docs: [u64; 3],
    /// Index documents per language (article, section and question documents): the document
    /// count BM25 sees for a query in one language, so that adding articles in another
    /// language changes nothing in this one's ranking.
    lang_docs: [u64; 3],
    /// Document frequency of every term of each language's catch-all field.
    df: [FxHashMap<String, u32>; 3],
    /// Per article, the TF-IDF norm of each phrasing under this snapshot's frequencies.
    norms: FxHashMap<u64, Vec<f32>>,
}

struct WriterState {
    writer: IndexWriter,
    library: Library,
    indexed: HashMap<String, (Arc<Article>, u64, Arc<ArticleTerms>)>,
    next_aid: u64,
    loaded: bool,
}

struct Inner {
    reader: IndexReader,
    fields: Fields,
    analyzers: [TextAnalyzer; 3],
    state: Mutex<WriterState>,
    snapshot: ArcSwap<Snapshot>,
    threshold: f32,
    /// The encoder and the vectors of the articles, once attached.
    semantic: OnceLock<Semantic>,
    /// Why there is no semantic search, once that is known.
    semantic_off: OnceLock<String>,
}

/// The search engine over one articles folder; cheap to clone.
#[derive(Clone)]
pub struct SearchEngine(Arc<Inner>);

/// What a reload did.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadReport {
    /// Whether any file changed.
    pub changed: bool,
    /// Published articles after the reload.
    pub articles: usize,
    /// Errors found (those articles are skipped).
    pub errors: usize,
    /// Milliseconds the reload took.
    pub millis: u128,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    /// What the customer typed, as typed.
    pub query: &'a str,
    /// Only articles of this language; all languages when `None`.
    pub lang: Option<Lang>,
    /// Maximum number of hits (one per article).
    pub limit: usize,
    /// Whether to build snippets (the bot and the API do; `eval` does not need them).
    pub snippets: bool,
    /// Whether to use the embeddings when they are ready (everything but as-you-type
    /// suggestions, which stay lexical for speed).
    pub semantic: bool,
    /// Search the articles of every language but `lang` (the query's), which has none that
    /// answers: by meaning first, with a confidence that does not count on shared words.
    pub across: bool,
}

/// The matching section of a hit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SectionRef {
    /// Heading text.
    pub title: String,
    /// Anchor in the article page.
    pub anchor: String,
}

/// One article found, with its best section.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Article slug.
    pub slug: Slug,
    /// Article language.
    pub lang: Lang,
    /// Article title.
    pub title: String,
    /// The best matching section, if the match is in one.
    pub section: Option<SectionRef>,
    /// Link to the article, or to the section.
    pub url: String,
    /// HTML-escaped text with `<mark>` around matched words.
    pub snippet: String,
    /// 0..1: how sure search is that this article answers the query.
    pub confidence: f32,
    /// Ranking score (not comparable between queries).
    pub score: f32,
    /// The evidence behind the score and confidence.
    #[serde(skip)]
    pub signals: Signals,
}

/// The evidence behind a hit; all but `raw` lie in 0..1.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Signals {
    /// Tantivy's BM25 score of the article's best document.
    pub raw: f32,
    /// Best BM25 score of one of the article's questions alone.
    pub question: f32,
    /// Sum of the weights of the query words the article has.
    pub matched: f32,
    /// Query words unknown to the language's articles, with no correction.
    pub unknown: f32,
    /// `raw` relative to the best candidate of the query.
    pub bm25: f32,
    /// Share of the query's weight found anywhere in the article.
    pub coverage: f32,
    /// Best TF-IDF cosine between the query and the title or one question.
    pub phrase_cos: f32,
    /// Best F1 of query words against the title or one question.
    pub phrase_f1: f32,
    /// Ranking score.
    pub rank: f32,
    /// Rank lead over the next hit.
    pub gap: f32,
    /// Final confidence.
    pub confidence: f32,
    /// Whether embeddings took part (the `sem*` signals are 0 otherwise).
    pub semantic: bool,
    /// Best cosine between the query's embedding and one of the article's vectors.
    pub sem: f32,
    /// Best `sem` of any article for this query.
    pub sem_top: f32,
    /// Best cosine of the article's title or one of its example questions.
    pub sem_phrase: f32,
    /// Best cosine of one of the article's passages.
    pub sem_passage: f32,
    /// `sem` in standard deviations above the mean `sem` of all articles for this query: how
    /// much nearer this article is than the knowledge base as a whole.
    pub sem_z: f32,
    /// `sem` lead over the next hit.
    pub sem_gap: f32,
}

/// Hits and whether the best one clears the confidence threshold.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Hits, best first, at most one per article.
    pub hits: Vec<Hit>,
    /// Whether the best hit's confidence reaches the threshold.
    pub answered: bool,
    /// The threshold used.
    pub threshold: f32,
    /// The hits are articles of other languages than the query's (see [`SearchRequest::across`]).
    pub across: bool,
}

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

    fn lock(&self) -> std::sync::MutexGuard<'_, WriterState> {
        // A panic while reloading leaves the old snapshot in place; keep serving it.
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Re-reads changed files and swaps in a new snapshot when anything changed.
    pub fn reload(&self) -> anyhow::Result<ReloadReport> {
        let started = Instant::now();
        let inner = &*self.0;
        let mut st = self.lock();
        let changed = st.library.refresh() || !st.loaded;
        if !changed {
            let cat = self.snapshot().catalog.clone();
            return Ok(ReloadReport {
                changed: false,
                articles: cat.articles.len(),
                errors: cat.error_count(),
                millis: started.elapsed().as_millis(),
            });
        }
        let catalog = Arc::new(st.library.catalog());
        let desired: HashMap<&str, &Arc<Article>> = catalog
            .articles
            .values()
            .map(|a| (a.file.as_str(), a))
            .collect();

        let stale: Vec<String> = st
            .indexed
            .iter()
            .filter(|(file, (old, _, _))| {
                desired
                    .get(file.as_str())
                    .is_none_or(|new| !Arc::ptr_eq(new, old))
            })
            .map(|(file, _)| file.clone())
            .collect();
        for file in &stale {
            st.writer
                .delete_term(Term::from_field_text(inner.fields.file, file));
            st.indexed.remove(file);
        }
        let mut analyzers = inner.analyzers.clone();
        for (file, article) in &desired {
            if st.indexed.contains_key(*file) {
                continue;
            }
            let aid = st.next_aid;
            st.next_aid += 1;
            let terms = Arc::new(analyze_article(
                article,
                &mut analyzers[lang_idx(article.lang)],
            ));
            for doc in article_docs(&inner.fields, article, aid) {
                st.writer.add_document(doc)?;
            }
            st.indexed
                .insert(file.to_string(), ((*article).clone(), aid, terms));
        }
        st.writer.commit()?;
        inner.reader.reload()?;
        st.loaded = true;

        let mut num_docs = [0u64; 3];
        let mut lang_docs = [0u64; 3];
        let mut terms = HashMap::with_capacity(st.indexed.len());
        for (article, aid, t) in st.indexed.values() {
            num_docs[lang_idx(article.lang)] += 1; // the catch-all field is on article documents only
            // As many as `article_docs` makes.
            lang_docs[lang_idx(article.lang)] +=
                1 + article.sections.len() as u64 + article.questions.len() as u64;
            terms.insert(*aid, t.clone());
        }
        let synonyms = Lang::ALL.map(|lang| {
            let mut a = analyzers[lang_idx(lang)].clone();
            AnalyzedSynonyms(
                catalog
                    .synonyms
                    .0
                    .get(&lang)
                    .map(|groups| {
                        groups
                            .iter()
                            .map(|g| g.iter().map(|m| analyzer::terms(&mut a, m)).collect())
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        });
        let report = ReloadReport {
            changed: true,
            articles: catalog.articles.len(),
            errors: catalog.error_count(),
            millis: 0,
        };
        let searcher = inner.reader.searcher();
        let df = Lang::ALL.map(|lang| term_frequencies(&searcher, inner.fields.of(lang).all));
        let norms = terms
            .iter()
            .map(|(aid, t)| {
                let li = lang_idx(t.article.lang);
                (*aid, phrasing_norms(t, &df[li], num_docs[li]))
            })
            .collect();
        inner.snapshot.store(Arc::new(Snapshot {
            searcher,
            catalog,
            terms,
            synonyms,
            num_docs,
            lang_docs,
            df,
            norms,
        }));
        if let Some(sem) = inner.semantic.get() {
            sem.update(units(&st));
        }
        Ok(ReloadReport {
            millis: started.elapsed().as_millis(),
            ..report
        })
    }

    /// Searches the current snapshot. Never fails on what a customer typed.
    pub fn search(&self, req: &SearchRequest<'_>) -> SearchResults {
        let started = std::time::Instant::now();
        let results = self.search_inner(req);
        crate::metrics::observe_search(started.elapsed());
        results
    }

    fn search_inner(&self, req: &SearchRequest<'_>) -> SearchResults {
        let snap = self.snapshot();
        let inner = &*self.0;
        let limit = req.limit.clamp(1, MAX_LIMIT);
        let langs: Vec<Lang> = match (req.lang, req.across) {
            (Some(l), true) => Lang::ALL.into_iter().filter(|&x| x != l).collect(),
            (Some(l), false) => vec![l],
            (None, _) => Lang::ALL.to_vec(),
        };
        let mut per_lang: Vec<(Lang, Vec<Concept>)> = Vec::new();
        // The query with wrong-layout words converted, as the first language that did read it.
        let mut as_read: Option<String> = None;
        // One flat union of weighted terms (a term's best boost per field).
        let mut boosts: BTreeMap<Term, f32> = BTreeMap::new();
        for &lang in &langs {
            let li = lang_idx(lang);
            if snap.num_docs[li] == 0 {
                continue;
            }
            let lf = inner.fields.of(lang);
            let vocab = Vocabulary {
                searcher: &snap.searcher,
                all: lf.all,
                num_docs: snap.num_docs[li],
                df: &snap.df[li],
            };
            let mut analyzer = inner.analyzers[li].clone();
            let (concepts, read) = query::understand_with_text(
                req.query,
                lang,
                &mut analyzer,
                &vocab,
                &snap.synonyms[li],
            );
            // The encoder reads what the customer meant in the language asked for (across
            // languages, the words of another language's vocabulary mean nothing).
            if !req.across && as_read.is_none() {
                as_read = read;
            }
            // A long paste retrieves with its most distinctive words; all of them still count
            // for confidence.
            let mut strongest: Vec<&Concept> = concepts
                .iter()
                .filter(|c| c.known || !c.alts.is_empty())
                .collect();
            strongest.sort_by(|a, b| b.weight.total_cmp(&a.weight));
            strongest.truncate(MAX_RETRIEVAL_CONCEPTS);
            for c in strongest {
                for (term, factor) in c.variants().take(MAX_RETRIEVAL_VARIANTS) {
                    for (field, w) in [
                        (lf.title, W_TITLE),
                        (lf.questions, W_QUESTIONS),
                        (lf.headings, W_HEADINGS),
                        (lf.body, W_BODY),
                    ] {
                        let t = Term::from_field_text(field, term);
                        let boost = boosts.entry(t).or_insert(0.0);
                        *boost = boost.max(w * factor);
                    }
                }
            }
            per_lang.push((lang, concepts));
        }
        let threshold = if req.across {
            inner.threshold.max(hybrid::ACROSS_THRESHOLD)
        } else {
            inner.threshold
        };
        // Across languages, only articles with no version in the query's language: the
        // translation, if there is one, was searched already.
        let eligible = |a: &crate::articles::Article| {
            langs.contains(&a.lang)
                && !(req.across
                    && req
                        .lang
                        .is_some_and(|l| snap.catalog.get(l, &a.slug).is_some()))
        };
        // The nearest articles by embedding, when the vectors are there.
        let near = req
            .semantic
            .then(|| inner.semantic.get())
            .flatten()
            .map(|s| (s, s.index()))
            .filter(|(_, index)| !index.is_empty())
            .map(|(s, index)| {
                let v = s.query(as_read.as_deref().unwrap_or(req.query));
                hybrid::nearest(&index, &v, |aid| {
                    snap.terms.get(&aid).is_some_and(|t| eligible(&t.article))
                })
            });
        if boosts.is_empty() && near.is_none() {
            return SearchResults {
                hits: Vec::new(),
                answered: false,
                threshold,
                across: req.across,
            };
        }
        let query = BooleanQuery::new(
            boosts
                .into_iter()
                .map(|(term, boost)| {
                    // A boosted term query still scores with a plain term scorer, so a flat
                    // union of them is pruned with block-max WAND.
                    let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(q), boost)) as Box<dyn Query>,
                    )
                })
                .collect(),
        );
        let top = if query.clauses().is_empty() {
            Vec::new()
        } else {
            let collector = TopDocs::with_limit(limit * 3 + 20).order_by_score();
            match langs.as_slice() {
                [one] => snap.searcher.search_with_statistics_provider(
                    &query,
                    &collector,
                    &LangStats {
                        searcher: &snap.searcher,
                        docs: snap.lang_docs[lang_idx(*one)],
                    },
                ),
                _ => snap.searcher.search(&query, &collector),
            }
            .unwrap_or_default()
        };

        // One candidate per article: its best document and best section.
        struct Cand {
            terms: Arc<ArticleTerms>,
            aid: u64,
            score: f32,
            question_score: f32,
            best_section: Option<(usize, f32)>,
        }
        impl Cand {
            /// An article with no document scored yet.
            fn new(terms: &Arc<ArticleTerms>, aid: u64) -> Self {
                Cand {
                    terms: terms.clone(),
                    aid,
                    score: 0.0,
                    question_score: 0.0,
                    best_section: None,
                }
            }
        }
        let mut cands: Vec<Cand> = Vec::new();
        let mut pos: HashMap<u64, usize> = HashMap::new();
        let mut columns: HashMap<
            u32,
            (
                tantivy::columnar::Column<u64>,
                tantivy::columnar::Column<u64>,
            ),
        > = HashMap::new();
        for (score, addr) in top {
            let Some((aid, section)) = read_ids(&snap.searcher, &mut columns, addr) else {
                continue;
            };
            let Some(terms) = snap.terms.get(&aid).filter(|t| eligible(&t.article)) else {
                continue;
            };
            let i = *pos.entry(aid).or_insert_with(|| {
                cands.push(Cand::new(terms, aid));
                cands.len() - 1
            });
            let c = &mut cands[i];
            if section >= QUESTION_DOC {
                c.question_score = c.question_score.max(score);
                continue;
            }
            c.score = c.score.max(score);
            if section > 0 && c.best_section.is_none_or(|(_, s)| score > s) {
                c.best_section = Some((section as usize - 1, score));
            }
        }

        // Candidates arrive best document first; the confidence signals are worth computing for
        // the leading ones only.
        cands.truncate(limit.max(MIN_SCORED_CANDIDATES));
        if let Some(near) = &near {
            let have: FxHashSet<u64> = cands.iter().map(|c| c.aid).collect();
            for aid in hybrid::top_articles(near, hybrid::NEAREST_ARTICLES) {
                if let Some(terms) = snap.terms.get(&aid).filter(|_| !have.contains(&aid)) {
                    cands.push(Cand::new(terms, aid));
                }
            }
            // The section that answers: the nearest passage's, unless the lexical best section
            // is about as near (it shares the query's words too).
            for c in &mut cands {
                let Some(n) = near.get(&c.aid) else {
                    continue;
                };
                if let Some((section, cos)) = n.passage {
                    let lexical = c
                        .best_section
                        .and_then(|(i, _)| n.section_cos(i))
                        .unwrap_or(f32::NEG_INFINITY);
                    if lexical < cos - hybrid::SECTION_MARGIN {
                        c.best_section = section.map(|i| (i, 0.0));
                    }
                }
            }
        }
        let sem_top = near
            .as_ref()
            .map_or(0.0, |n| n.values().map(|x| x.best).fold(0.0, f32::max));
        let (sem_mean, sem_sd) = near.as_ref().map_or((0.0, 1.0), |n| {
            let k = n.len().max(1) as f32;
            let mean = n.values().map(|x| x.best).sum::<f32>() / k;
            let var = n.values().map(|x| (x.best - mean).powi(2)).sum::<f32>() / k;
            (mean, var.sqrt().max(1e-3))
        });
        let lookups: Vec<(Lang, &[Concept], TermLookup<'_>)> = per_lang
            .iter()
            .map(|(l, cs)| (*l, cs.as_slice(), lookup_of(cs)))
            .collect();
        let empty = FxHashMap::default();
        let mut hits: Vec<(Signals, Cand)> = cands
            .into_iter()
            .map(|c| {
                let li = lang_idx(c.terms.article.lang);
                let (concepts, lookup) = lookups
                    .iter()
                    .find(|(l, _, _)| *l == c.terms.article.lang)
                    .map_or((&[][..], &empty), |(_, cs, lk)| (*cs, lk));
                let vocab = Vocabulary {
                    searcher: &snap.searcher,
                    all: inner.fields.of(c.terms.article.lang).all,
                    num_docs: snap.num_docs[li],
                    df: &snap.df[li],
                };
                let mut sig = signals(
                    concepts,
                    lookup,
                    &c.terms,
                    snap.norms.get(&c.aid).map_or(&[][..], |n| &n[..]),
                    &vocab,
                    c.score,
                    c.question_score,
                );
                if let Some(near) = &near {
                    sig.semantic = true;
                    if let Some(n) = near.get(&c.aid) {
                        sig.sem = n.best;
                        sig.sem_phrase = n.phrasing;
                        sig.sem_passage = n.passage.map_or(0.0, |(_, c)| c);
                    }
                    sig.sem_top = sem_top;
                    sig.sem_z = (sig.sem - sem_mean) / sem_sd;
                }
                (sig, c)
            })
            .collect();
        let max_score = hits.iter().map(|h| h.1.score).fold(0.0, f32::max).max(1e-6);
        let max_question = hits.iter().map(|h| h.0.question).fold(0.0, f32::max);
        for (sig, _) in &mut hits {
            sig.bm25 = sig.raw / max_score;
            sig.rank = if sig.semantic {
                hybrid::rank_of(sig, max_question)
            } else {
                rank_of(sig, max_question)
            };
        }
        hits.sort_by(|a, b| b.0.rank.total_cmp(&a.0.rank));
        hits.truncate(limit);
        for i in 0..hits.len() {
            let (next, next_sem) = hits.get(i + 1).map_or((0.0, 0.0), |h| (h.0.rank, h.0.sem));
            let sig = &mut hits[i].0;
            sig.gap = (sig.rank - next).max(0.0);
            sig.sem_gap = (sig.sem - next_sem).max(0.0);
            sig.confidence = if sig.semantic && req.across {
                hybrid::across_confidence_of(sig)
            } else if sig.semantic {
                hybrid::confidence_of(sig)
            } else {
                confidence_of(sig)
            };
        }
        // A lower-ranked hit is never more certain than the one above it.
        for i in 1..hits.len() {
            hits[i].0.confidence = hits[i].0.confidence.min(hits[i - 1].0.confidence);
        }

        let mut generators: HashMap<Lang, SnippetGenerator> = HashMap::new();
        let out: Vec<Hit> = hits
            .into_iter()
            .map(|(sig, c)| {
                let a = &c.terms.article;
                let section = c
                    .best_section
                    .map(|(i, _)| &a.sections[i.min(a.sections.len().saturating_sub(1))]);
                let snippet = if req.snippets {
                    // The hit's own section first; if the words matched only its heading, the
                    // first passage of the article that has them.
                    let texts = section
                        .map(|s| s.text.as_str())
                        .into_iter()
                        .chain(std::iter::once(a.intro.as_str()))
                        .chain(a.sections.iter().map(|s| s.text.as_str()))
                        .filter(|t| !t.is_empty());
                    let g = generators.entry(a.lang).or_insert_with(|| {
                        let concepts = per_lang
                            .iter()
                            .find(|(l, _)| *l == a.lang)
                            .map(|(_, c)| c.as_slice());
                        snippet_generator(inner, a.lang, concepts.unwrap_or(&[]))
                    });
                    make_snippet(g, texts)
                } else {
                    String::new()
                };
                Hit {
                    slug: a.slug.clone(),
                    lang: a.lang,
                    title: a.title.clone(),
                    section: section.map(|s| SectionRef {
                        title: s.title.clone(),
                        anchor: s.anchor.clone(),
                    }),
                    url: a.url(section.map(|s| s.anchor.as_str())),
                    snippet,
                    confidence: sig.confidence,
                    score: sig.rank,
                    signals: sig,
                }
            })
            .collect();
        let answered = out.first().is_some_and(|h| h.confidence >= threshold);
        SearchResults {
            hits: out,
            answered,
            threshold,
            across: req.across,
        }
    }
}

/// BM25 statistics of one language's fields: the documents counted are that language's only
/// (Tantivy would count every document of the index).
struct LangStats<'a> {
    searcher: &'a Searcher,
    docs: u64,
}

impl tantivy::query::Bm25StatisticsProvider for LangStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        tantivy::query::Bm25StatisticsProvider::total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs.max(1))
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        tantivy::query::Bm25StatisticsProvider::doc_freq(self.searcher, term)
    }
}

/// The texts to embed: every indexed article's units.
fn units(st: &WriterState) -> Vec<crate::semantic::UnitText> {
    st.indexed
        .values()
        .flat_map(|(article, aid, _)| hybrid::units_of(*aid, article))
        .collect()
}

/// The TF-IDF norm of each of an article's phrasings.
fn phrasing_norms(t: &ArticleTerms, df: &FxHashMap<String, u32>, num_docs: u64) -> Vec<f32> {
    t.phrasings
        .iter()
        .map(|(p, _)| {
            p.iter()
                .map(|term| {
                    let idf = query::idf(u64::from(df.get(term).copied().unwrap_or(0)), num_docs);
                    idf * idf
                })
                .sum::<f32>()
                .sqrt()
        })
        .collect()
}

/// Document frequency of every term of a field, over all segments.
fn term_frequencies(searcher: &Searcher, field: Field) -> FxHashMap<String, u32> {
    let mut out: FxHashMap<String, u32> = FxHashMap::default();
    for seg in searcher.segment_readers() {
        let Ok(inv) = seg.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inv.terms().stream() else {
            continue;
        };
        while stream.advance() {
            if let Ok(t) = std::str::from_utf8(stream.key()) {
                *out.entry(t.to_string()).or_default() += stream.value().doc_freq;
            }
        }
    }
    out
}

fn read_ids(
    searcher: &Searcher,
    columns: &mut HashMap<
        u32,
        (
            tantivy::columnar::Column<u64>,
            tantivy::columnar::Column<u64>,
        ),
    >,
    addr: DocAddress,
) -> Option<(u64, u64)> {
    if let std::collections::hash_map::Entry::Vacant(e) = columns.entry(addr.segment_ord) {
        let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
        e.insert((ff.u64("aid").ok()?, ff.u64("section").ok()?));
    }
    let (aid, section) = columns.get(&addr.segment_ord)?;
    Some((aid.first(addr.doc_id)?, section.first(addr.doc_id)?))
}

/// Term → (weight of its query word, factor of the term).
type TermLookup<'a> = FxHashMap<&'a str, (f32, f32)>;

/// Each term that counts for a query word, with that word's weight and the term's factor (the
/// strongest if several words share a term).
fn lookup_of(concepts: &[Concept]) -> TermLookup<'_> {
    let mut map: FxHashMap<&str, (f32, f32)> = FxHashMap::default();
    for c in concepts {
        for (v, f) in c.variants() {
            let e = map.entry(v).or_insert((c.weight, f));
            if c.weight * f > e.0 * e.1 {
                *e = (c.weight, f);
            }
        }
    }
    map
}

/// Measures how well an article's words fit the query's concepts.
fn signals(
    concepts: &[Concept],
    lookup: &FxHashMap<&str, (f32, f32)>,
    t: &ArticleTerms,
    norms: &[f32],
    vocab: &Vocabulary<'_>,
    raw: f32,
    question: f32,
) -> Signals {
    let mut sig = Signals {
        raw,
        question,
        ..Signals::default()
    };
    let total: f32 = concepts.iter().map(|c| c.weight).sum();
    if total <= 0.0 {
        return sig;
    }
    let q_norm = concepts
        .iter()
        .map(|c| c.weight * c.weight)
        .sum::<f32>()
        .sqrt();
    let covered: f32 = concepts
        .iter()
        .map(|c| c.weight * c.credit(|x| t.all.contains(x)))
        .sum();
    sig.coverage = covered / total;
    sig.matched = covered;
    sig.unknown = concepts
        .iter()
        .filter(|c| !c.known && c.alts.is_empty())
        .count() as f32;
    for ((p, factor), p_norm) in t.phrasings.iter().zip(norms) {
        if p.is_empty() {
            continue;
        }
        let mut dot = 0.0f32;
        let mut matched = 0.0f32;
        let mut hit_terms = 0usize;
        for term in p {
            let best = lookup.get(term.as_str()).copied();
            if let Some((w, f)) = best {
                let idf = vocab.idf(vocab.doc_freq(term));
                dot += w * idf * f;
                matched += w * f;
                hit_terms += 1;
            }
        }
        if *p_norm > 0.0 {
            sig.phrase_cos = sig.phrase_cos.max(factor * dot / (q_norm * p_norm));
        }
        let recall = (matched / total).min(1.0);
        let precision = hit_terms as f32 / p.len() as f32;
        if recall + precision > 0.0 {
            sig.phrase_f1 = sig
                .phrase_f1
                .max(factor * 2.0 * recall * precision / (recall + precision));
        }
    }
    sig
}

/// Ranking: lexical relevance over all fields (BM25, relative to the best candidate), blended
/// with closeness to the nearest single phrasing (TF-IDF cosine, and BM25 of the best question
/// alone). Weights chosen on the development sets of `../shared/eval`; see BENCHMARKS.md.
fn rank_of(s: &Signals, max_question: f32) -> f32 {
    0.6 * s.bm25 + 1.2 * s.phrase_cos + 0.2 * s.question / max_question.max(1e-6)
}

/// Confidence: a logistic model over the signals of a hit, fitted on the development sets with
/// `otvet eval --dump` (answerable versus unanswerable and off-topic queries). It grows with the
/// best phrasing's F1 and cosine and with the absolute evidence (BM25, matched word weight),
/// so a query that shares one common word with an article stays unsure.
fn confidence_of(s: &Signals) -> f32 {
    let z = -5.86
        + 0.60 * s.phrase_cos
        + 4.19 * s.phrase_f1
        + 0.77 * s.raw.max(0.0).ln_1p()
        + 0.97 * s.matched.max(0.0).ln_1p();
    1.0 / (1.0 + (-z).exp())
}

fn snippet_generator(inner: &Inner, lang: Lang, concepts: &[Concept]) -> SnippetGenerator {
    let mut terms: BTreeMap<String, f32> = BTreeMap::new();
    for c in concepts {
        for (t, f) in c.variants() {
            let e = terms.entry(t.to_string()).or_default();
            *e = e.max(c.weight * f);
        }
    }
    let mut g = SnippetGenerator::new(
        terms,
        inner.analyzers[lang_idx(lang)].clone(),
        inner.fields.of(lang).body,
        SNIPPET_CHARS,
    );
    g.set_max_num_chars(SNIPPET_CHARS);
    g
}

/// The first text with a highlighted fragment, or the start of the first text.
fn make_snippet<'a>(g: &SnippetGenerator, mut texts: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = texts.next() else {
        return String::new();
    };
    for text in std::iter::once(first).chain(texts.take(3)) {
        let mut s = g.snippet(prefix(text, SNIPPET_SCAN_BYTES));
        if !s.highlighted().is_empty() {
            s.set_snippet_prefix_postfix("<mark>", "</mark>");
            return s.to_html();
        }
    }
    let cut: String = first.chars().take(SNIPPET_CHARS).collect();
    let more = cut.len() < first.len();
    format!("{}{}", html_escape(&cut), if more { "…" } else { "" })
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn analyze_article(a: &Arc<Article>, analyzer: &mut TextAnalyzer) -> ArticleTerms {
    let mut phrasings = vec![(analyzer::terms(analyzer, &a.title), 1.0)];
    phrasings.extend(
        a.questions
            .iter()
            .map(|q| (analyzer::terms(analyzer, q), 1.0)),
    );
    // Section headings are phrasings too («Как оформить возврат» names what its section
    // answers), a little weaker: they are often short and generic.
    phrasings.extend(
        a.sections
            .iter()
            .map(|s| (analyzer::terms(analyzer, &s.title), 0.8)),
    );
    for (p, _) in &mut phrasings {
        let mut seen = FxHashSet::default();
        p.retain(|t| seen.insert(t.clone()));
    }
    let mut all: FxHashSet<String> = phrasings.iter().flat_map(|p| p.0.iter()).cloned().collect();
    if let Some(c) = &a.category {
        all.extend(analyzer::terms(analyzer, c));
    }
    all.extend(analyzer::terms(analyzer, &a.intro));
    for s in &a.sections {
        all.extend(analyzer::terms(analyzer, &s.title));
        all.extend(analyzer::terms(analyzer, &s.text));
    }
    for t in &a.tags {
        all.extend(analyzer::terms(analyzer, t));
    }
    ArticleTerms {
        article: a.clone(),
        phrasings,
        all,
    }
}

fn article_docs(fields: &Fields, a: &Article, aid: u64) -> Vec<TantivyDocument> {
    let lf = fields.of(a.lang);
    let mut docs = Vec::with_capacity(1 + a.sections.len());
    let mut doc = TantivyDocument::default();
    doc.add_u64(fields.aid, aid);
    doc.add_u64(fields.section, 0);
    doc.add_text(fields.file, &a.file);
    doc.add_text(lf.title, &a.title);
    doc.add_text(lf.all, &a.title);
    for q in &a.questions {
        doc.add_text(lf.questions, q);
        doc.add_text(lf.all, q);
    }
    for t in &a.tags {
        doc.add_text(lf.questions, t);
        doc.add_text(lf.all, t);
    }
    if let Some(c) = &a.category {
        doc.add_text(lf.headings, c);
        doc.add_text(lf.all, c);
    }
    for s in &a.sections {
        doc.add_text(lf.headings, &s.title);
        doc.add_text(lf.all, &s.title);
        doc.add_text(lf.all, &s.text);
    }
    doc.add_text(lf.body, &a.intro);
    doc.add_text(lf.all, &a.intro);
    docs.push(doc);
    for (i, s) in a.sections.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.aid, aid);
        doc.add_u64(fields.section, i as u64 + 1);
        doc.add_text(fields.file, &a.file);
        doc.add_text(lf.headings, &s.title);
        doc.add_text(lf.body, &s.text);
        docs.push(doc);
    }
    // One small document per question: the nearest single phrasing is strong evidence, both
    // for ranking and for telling answerable questions from the rest.
    for (i, q) in a.questions.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.aid, aid);
        doc.add_u64(fields.section, QUESTION_DOC + i as u64);
        doc.add_text(fields.file, &a.file);
        doc.add_text(lf.questions, q);
        docs.push(doc);
    }
    docs
}
