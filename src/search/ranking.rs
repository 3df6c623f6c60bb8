//! The lexical ranking and confidence: the [`Signals`] measured for each candidate article
//! (coverage, phrasing cosine and F1 against the query's concepts), the ranking score blended
//! from them, and the logistic confidence the bot compares with the threshold. The semantic
//! variants are in [`super::hybrid`].

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::query::{Concept, Vocabulary};
use super::terms::ArticleTerms;

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

/// Term → (weight of its query word, factor of the term).
pub(super) type TermLookup<'a> = FxHashMap<&'a str, (f32, f32)>;

/// Each term that counts for a query word, with that word's weight and the term's factor (the
/// strongest if several words share a term).
pub(super) fn lookup_of(concepts: &[Concept]) -> TermLookup<'_> {
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
pub(super) fn signals(
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
pub(super) fn rank_of(s: &Signals, max_question: f32) -> f32 {
    0.6 * s.bm25 + 1.2 * s.phrase_cos + 0.2 * s.question / max_question.max(1e-6)
}

/// Confidence: a logistic model over the signals of a hit, fitted on the development sets with
/// `otvet eval --dump` (answerable versus unanswerable and off-topic queries). It grows with the
/// best phrasing's F1 and cosine and with the absolute evidence (BM25, matched word weight),
/// so a query that shares one common word with an article stays unsure.
pub(super) fn confidence_of(s: &Signals) -> f32 {
    let z = -5.86
        + 0.60 * s.phrase_cos
        + 4.19 * s.phrase_f1
        + 0.77 * s.raw.max(0.0).ln_1p()
        + 0.97 * s.matched.max(0.0).ln_1p();
    1.0 / (1.0 + (-z).exp())
}
