//! Query execution: [`SearchEngine::search`] reads the query in each language searched,
//! retrieves candidate documents with one weighted term union (BM25), merges them per article
//! with the nearest articles by embedding, scores, ranks and thresholds them, and builds the
//! hits with their snippets.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Searcher, Term};

use super::query::{Concept, Vocabulary};
use super::ranking::{TermLookup, confidence_of, lookup_of, rank_of, signals};
use super::schema::{QUESTION_DOC, lang_idx};
use super::snippet::{make_snippet, snippet_generator};
use super::terms::ArticleTerms;
use super::{
    Hit, MAX_LIMIT, SearchEngine, SearchRequest, SearchResults, SectionRef, Signals, hybrid, query,
};
use crate::domain::Lang;

/// Query words used to retrieve candidates (the highest-weighted ones).
const MAX_RETRIEVAL_CONCEPTS: usize = 12;
/// Spellings per word used to retrieve: the word and its best alternatives.
const MAX_RETRIEVAL_VARIANTS: usize = 4;
/// Candidates (articles) scored in full per search, at least.
const MIN_SCORED_CANDIDATES: usize = 30;

const W_TITLE: f32 = 3.0;
const W_QUESTIONS: f32 = 3.0;
const W_HEADINGS: f32 = 2.0;
const W_BODY: f32 = 1.0;

impl SearchEngine {
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
                read_as: as_read,
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
            read_as: as_read,
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
