//! How a text is read for clustering: its words as search reads them (fillers dropped), fixed
//! with the other texts (layout, typos, stems cut short), weighted by IDF, and the articles
//! search finds for it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::time::{Duration, Instant};

use super::cluster::{Context, Node, TopHit};
use crate::domain::Lang;
use crate::search::{SearchRequest, SearchResults, analyzer, layout, query};

/// Words are weighted by their IDF to this power.
pub const IDF_POWER: f32 = 1.5;
/// Empty documents added to the texts and articles when weighing words (see `featurize`).
pub const BACKGROUND_DOCS: f32 = 60.0;
/// Hits kept for a text's articles: those with at least this share of the best confidence.
pub const RUNNER_UP: f32 = 0.8;
/// Hits per text used for the article part of its vector.
const HITS: usize = 3;
/// Threads searching the texts: more than the two cores, so that the encoder gets several
/// texts at once to embed in one pass.
const LOOKUP_THREADS: usize = 4;
/// Time the texts are searched with the encoder for; the rest are read by their words only.
pub const SEMANTIC_BUDGET: Duration = Duration::from_secs(20);

/// One word of a text as used for clustering: its terms with factors; the first is the primary.
#[derive(Debug, Clone)]
struct Rep {
    /// The term as typed (analyzed, or converted from the wrong layout by search).
    raw: String,
    terms: Vec<(String, f32)>,
    /// Unknown to the articles: the texts themselves may fix it (or undo search's correction).
    fixable: bool,
}

impl Context<'_> {
    /// Word and article vectors of every node.
    pub(super) fn featurize(&self, nodes: &mut [Node]) {
        let fillers: HashMap<Lang, HashSet<String>> =
            Lang::ALL.iter().map(|&l| (l, filler_terms(l))).collect();
        let mut reps: Vec<Vec<Rep>> = nodes
            .iter()
            .map(|n| {
                let fill = &fillers[&n.lang];
                query::concepts(self.engine, &n.text, n.lang)
                    .into_iter()
                    .filter(|c| !fill.contains(&c.term))
                    .map(|c| {
                        let synonyms: Vec<(String, f32)> =
                            c.alts.iter().filter(|(_, f)| *f >= 0.9).cloned().collect();
                        let fix = c.alts.iter().find(|(_, f)| *f < 0.9).cloned();
                        let fixable = !c.known && synonyms.is_empty();
                        match fix {
                            Some(fix) if !c.known => Rep {
                                raw: c.term,
                                terms: std::iter::once(fix).chain(synonyms).collect(),
                                fixable,
                            },
                            _ => Rep {
                                raw: c.term.clone(),
                                terms: std::iter::once((c.term, 1.0)).chain(synonyms).collect(),
                                fixable,
                            },
                        }
                    })
                    .collect()
            })
            .collect();
        fix_with_corpus(nodes, &mut reps);
        for (n, rs) in nodes.iter_mut().zip(&reps) {
            let latin_in_russian =
                n.lang == Lang::Ru && n.text.chars().any(|c| c.is_ascii_alphabetic());
            n.known = rs.iter().filter(|r| !r.fixable).count();
            n.clean = !latin_in_russian
                && rs
                    .iter()
                    .all(|r| r.terms.first().is_some_and(|t| t.0 == r.raw));
        }

        // Weights: IDF over the texts of both periods together with the language's articles
        // and BACKGROUND_DOCS empty documents, so that a handful of texts about one thing does
        // not make that thing's word look common, while words every article and many texts use
        // («заказ», «вернуть») weigh little.
        let mut total: HashMap<Lang, usize> = HashMap::new();
        let mut df: HashMap<(Lang, String), usize> = HashMap::new();
        for (n, rs) in nodes.iter().zip(&reps) {
            *total.entry(n.lang).or_default() += n.all;
            let uniq: BTreeSet<&str> = rs
                .iter()
                .flat_map(|r| r.terms.iter().map(|(t, _)| t.as_str()))
                .collect();
            for t in uniq {
                *df.entry((n.lang, t.to_string())).or_default() += n.all;
            }
        }
        let mut idf_of: HashMap<(Lang, String), f32> = HashMap::new();
        for lang in Lang::ALL {
            let terms: Vec<&str> = df
                .keys()
                .filter(|(l, _)| *l == lang)
                .map(|(_, t)| t.as_str())
                .collect();
            if terms.is_empty() {
                continue;
            }
            let (kb, articles) = query::article_frequencies(self.engine, lang, &terms);
            let docs = (total[&lang] as u64 + articles) as f32 + BACKGROUND_DOCS;
            let weights: Vec<((Lang, String), f32)> = terms
                .iter()
                .zip(kb)
                .map(|(t, k)| {
                    let d = (df[&(lang, t.to_string())] as u64 + k).max(1) as f32;
                    ((lang, t.to_string()), (1.0 + docs / d).ln())
                })
                .collect();
            idf_of.extend(weights);
        }
        let idf = |lang: Lang, t: &str| idf_of.get(&(lang, t.to_string())).copied().unwrap_or(1.0);
        let mut ids: BTreeMap<String, u32> = BTreeMap::new();
        let mut id_of = |key: String| {
            let next = ids.len() as u32;
            *ids.entry(key).or_insert(next)
        };
        let snap = self.engine.snapshot();
        let mut looked = self.look_up(nodes).into_iter();
        for (n, rs) in nodes.iter_mut().zip(&reps) {
            let mut lex: BTreeMap<u32, f32> = BTreeMap::new();
            for r in rs {
                let Some((primary, _)) = r.terms.first() else {
                    continue;
                };
                // IDF to the power 1.5: the rarer words of a text say what it is about
                // («вернуть товар» and «вернуть деньги» share a verb, not a need).
                let w = idf(n.lang, primary).powf(IDF_POWER);
                let norm = r.terms.iter().map(|(_, f)| f * f).sum::<f32>().sqrt();
                for (t, f) in &r.terms {
                    let e = lex.entry(id_of(format!("{}:{t}", n.lang))).or_insert(0.0);
                    *e = e.max(w * f / norm.max(1e-6));
                }
            }
            let len = lex.values().map(|v| v * v).sum::<f32>().sqrt();
            n.lex = lex
                .into_iter()
                .filter(|_| len > 0.0)
                .map(|(k, v)| (k, v / len))
                .collect();

            let Some((results, emb)) = looked.next() else {
                continue; // one per node
            };
            n.emb = emb;
            // The articles search finds, by confidence; runners-up far behind the best say
            // little about what the text is about.
            let best = results.hits.first().map_or(0.0, |h| h.confidence);
            let mut art: BTreeMap<u32, f32> = BTreeMap::new();
            for h in &results.hits {
                if h.confidence > 0.0 && h.confidence >= best * RUNNER_UP {
                    let e = art
                        .entry(id_of(format!("@{}/{}", h.lang, h.slug)))
                        .or_insert(0.0);
                    *e = e.max(h.confidence);
                }
            }
            let len = art.values().map(|v| v * v).sum::<f32>().sqrt();
            n.art = art
                .into_iter()
                .filter(|_| len > 0.0)
                .map(|(k, v)| (k, v / len))
                .collect();
            n.strength = results.hits.first().map_or(0.0, |h| h.confidence);
            n.top = results.hits.first().map(|h| TopHit {
                slug: h.slug.to_string(),
                title: h.title.clone(),
                url: snap
                    .catalog
                    .get(h.lang, &h.slug)
                    .map_or_else(|| h.url.clone(), |a| a.url(None)),
                confidence: h.confidence,
                updated: snap
                    .catalog
                    .get(h.lang, &h.slug)
                    .and_then(|a| a.updated.clone()),
            });
        }
    }
}

/// A text's search results and its embedding (with the encoder, within the budget).
type Looked = (SearchResults, Option<Arc<[f32]>>);

impl Context<'_> {
    /// Each node's search results and, with the encoder, the embedding of its text, searched on
    /// [`LOOKUP_THREADS`] threads (so the encoder embeds texts in batches); after
    /// [`SEMANTIC_BUDGET`] the rest are searched by their words and get no vector.
    fn look_up(&self, nodes: &[Node]) -> Vec<Looked> {
        let deadline = Instant::now() + SEMANTIC_BUDGET;
        let next = AtomicUsize::new(0);
        let one = |i: usize| {
            let n = &nodes[i];
            let semantic = Instant::now() < deadline;
            let results = self.engine.search(&SearchRequest {
                query: &n.text,
                lang: Some(n.lang),
                limit: HITS,
                snippets: false,
                semantic,
                across: false,
            });
            // The text as search embedded it: its vector is in the query cache already.
            let emb = semantic
                .then(|| self.engine.semantic())
                .flatten()
                .map(|s| s.query(results.read_as.as_deref().unwrap_or(&n.text)));
            (results, emb)
        };
        let mut out: Vec<(usize, Looked)> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..LOOKUP_THREADS.min(nodes.len()))
                .map(|_| {
                    s.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, AtomicOrdering::Relaxed);
                            if i >= nodes.len() {
                                break mine;
                            }
                            mine.push((i, one(i)));
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .collect()
        });
        out.sort_by_key(|(i, _)| *i);
        // A worker that panicked leaves its nodes out: they are searched here.
        let mut all = Vec::with_capacity(nodes.len());
        let mut got = out.into_iter().peekable();
        for i in 0..nodes.len() {
            match got.next_if(|(j, _)| *j == i) {
                Some((_, r)) => all.push(r),
                None => all.push(one(i)),
            }
        }
        all
    }
}

/// Words that say nothing about the need: greetings, politeness, "I want", "can I" — analyzed.
fn filler_terms(lang: Lang) -> HashSet<String> {
    let words: &[&str] = match lang {
        Lang::Ru => &[
            "здравствуйте",
            "здравствуй",
            "здрасте",
            "привет",
            "добрый",
            "доброе",
            "доброго",
            "подскажите",
            "подскажи",
            "скажите",
            "пожалуйста",
            "спасибо",
            "помогите",
            "хочу",
            "хотел",
            "хотела",
            "хотелось",
            "можно",
            "нужно",
            "надо",
            "вопрос",
            "интересует",
            "узнать",
            "вообще",
            "ли",
            "сколько",
        ],
        Lang::En => &[
            "hello", "hi", "hey", "please", "thanks", "thank", "help", "want", "wanted", "would",
            "like", "can", "could", "need", "question", "know", "tell",
        ],
        Lang::De => &[
            "hallo", "guten", "bitte", "danke", "hilfe", "möchte", "frage", "können", "kann",
            "wissen", "sagen",
        ],
    };
    let mut a = analyzer::build(lang);
    words
        .iter()
        .flat_map(|w| analyzer::terms(&mut a, w))
        .collect()
}

/// Fixes words neither the articles nor their synonyms know with the other texts. A word other
/// texts use as typed stays as typed (search's correction towards an article word is undone: the
/// customers' own word is no typo); otherwise the other keyboard layout's reading when other
/// texts use it, or a word within the typo distance search allows that two other texts use.
fn fix_with_corpus(nodes: &[Node], reps: &mut [Vec<Rep>]) {
    // Which texts use each (language, term), as typed or as search read it.
    let mut used: HashMap<(Lang, String), BTreeSet<usize>> = HashMap::new();
    for (i, rs) in reps.iter().enumerate() {
        for r in rs {
            let terms = r.terms.iter().map(|(t, _)| t).chain([&r.raw]);
            for t in terms {
                used.entry((nodes[i].lang, t.clone()))
                    .or_default()
                    .insert(i);
            }
        }
    }
    let mut analyzers: HashMap<Lang, tantivy::tokenizer::TextAnalyzer> = HashMap::new();
    for (i, rs) in reps.iter_mut().enumerate() {
        let lang = nodes[i].lang;
        for r in rs.iter_mut().filter(|r| r.fixable) {
            let elsewhere = |t: &str| {
                used.get(&(lang, t.to_string()))
                    .is_some_and(|s| s.iter().any(|&n| n != i))
            };
            if elsewhere(&r.raw) {
                r.terms = vec![(r.raw.clone(), 1.0)];
                continue;
            }
            if r.terms[0].0 != r.raw {
                continue; // search corrected it and no other text says otherwise
            }
            let converted = if lang == Lang::Ru {
                layout::en_to_ru(&r.raw)
            } else if layout::is_cyrillic_word(&r.raw) {
                layout::ru_to_en(&r.raw)
            } else {
                None
            };
            if let Some(c) = converted {
                let a = analyzers
                    .entry(lang)
                    .or_insert_with(|| analyzer::build(lang));
                let ts = analyzer::terms(a, &c);
                if !ts.is_empty() && ts.iter().all(|t| elsewhere(t)) {
                    r.terms = ts.into_iter().map(|t| (t, 1.0)).collect();
                    continue;
                }
            }
            let len = r.raw.chars().count();
            // A stem cut short by the stemmer («отмена» → «отм», «отменить» → «отмен»).
            let longer = used
                .iter()
                .filter(|((l, t), users)| {
                    *l == lang
                        && len >= 3
                        && users.len() >= 2
                        && t.starts_with(r.raw.as_str())
                        && t.chars().count() <= len + 3
                })
                .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.1.cmp(&a.0.1)))
                .map(|((_, t), _)| t.clone());
            if let Some(t) = longer {
                r.terms = vec![(t, 0.8)];
                continue;
            }
            let d = query::max_typos(len) as usize;
            if d == 0 {
                continue;
            }
            let best = used
                .iter()
                .filter(|((l, t), users)| {
                    *l == lang
                        && users.len() >= 2
                        && !users.contains(&i)
                        && t.chars().count().abs_diff(len) <= d
                })
                .filter_map(|((_, t), users)| {
                    let e = edit_distance(&r.raw, t);
                    (e <= d).then_some((e, users.len(), t))
                })
                .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
            if let Some((_, _, t)) = best {
                r.terms = vec![(t.clone(), 0.8)];
            }
        }
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("товр", "товар"), 1);
        assert_eq!(edit_distance("вернуть", "вернуть"), 0);
        assert_eq!(edit_distance("доставка", "дотсавка"), 2);
    }
}
