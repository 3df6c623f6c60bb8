//! What search knows of each article's words besides the index: its analyzed terms (the
//! phrasings a query is compared with, and every term it has), and the term statistics a
//! reload computes from the index (document frequencies, phrasing TF-IDF norms).

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::Searcher;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;

use super::{analyzer, query};
use crate::articles::Article;

/// Analyzed terms of one article, for confidence: which words it has, where.
pub(super) struct ArticleTerms {
    pub(super) article: Arc<Article>,
    /// Title, each question and each section heading, analyzed: the phrasings a query is
    /// compared with.
    pub(super) phrasings: Vec<(Vec<String>, f32)>,
    /// Every term of the article.
    pub(super) all: FxHashSet<String>,
}

pub(super) fn analyze_article(a: &Arc<Article>, analyzer: &mut TextAnalyzer) -> ArticleTerms {
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

/// The TF-IDF norm of each of an article's phrasings.
pub(super) fn phrasing_norms(
    t: &ArticleTerms,
    df: &FxHashMap<String, u32>,
    num_docs: u64,
) -> Vec<f32> {
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
pub(super) fn term_frequencies(searcher: &Searcher, field: Field) -> FxHashMap<String, u32> {
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
