//! The snapshot a search reads and the reload that builds it: [`SearchEngine::reload`] re-reads
//! the changed article files, updates the index and swaps in a new [`Snapshot`] atomically.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::{IndexWriter, Searcher, Term};

use super::SearchEngine;
use super::query::AnalyzedSynonyms;
use super::schema::{article_docs, lang_idx};
use super::terms::{ArticleTerms, analyze_article, phrasing_norms, term_frequencies};
use super::{analyzer, hybrid};
use crate::articles::{Article, Catalog, Library};
use crate::domain::Lang;

/// One consistent view: the searcher and the articles it was built from.
pub struct Snapshot {
    pub(super) searcher: Searcher,
    /// The published articles and the problems of the last reload.
    pub catalog: Arc<Catalog>,
    pub(super) terms: HashMap<u64, Arc<ArticleTerms>>,
    pub(super) synonyms: [AnalyzedSynonyms; 3],
    pub(super) num_docs: [u64; 3],
    /// Index documents per language (article, section and question documents): the document
    /// count BM25 sees for a query in one language, so that adding articles in another
    /// language changes nothing in this one's ranking.
    pub(super) lang_docs: [u64; 3],
    /// Document frequency of every term of each language's catch-all field.
    pub(super) df: [FxHashMap<String, u32>; 3],
    /// Per article, the TF-IDF norm of each phrasing under this snapshot's frequencies.
    pub(super) norms: FxHashMap<u64, Vec<f32>>,
}

pub(super) struct WriterState {
    pub(super) writer: IndexWriter,
    pub(super) library: Library,
    pub(super) indexed: HashMap<String, (Arc<Article>, u64, Arc<ArticleTerms>)>,
    pub(super) next_aid: u64,
    pub(super) loaded: bool,
}

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

impl SearchEngine {
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
}

/// The texts to embed: every indexed article's units.
pub(super) fn units(st: &WriterState) -> Vec<crate::semantic::UnitText> {
    st.indexed
        .values()
        .flat_map(|(article, aid, _)| hybrid::units_of(*aid, article))
        .collect()
}
