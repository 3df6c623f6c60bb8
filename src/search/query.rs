//! Understanding what a customer typed: the query never fails. Words are analyzed per language,
//! wrong-layout words are converted when that makes them known, synonyms add alternatives, and
//! unknown words get typo corrections (scaled to word length) or prefix completions from the
//! term dictionary, so the same corrected terms drive scoring, confidence and snippets.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use tantivy::Searcher;
use tantivy::schema::Field;
use tantivy_fst::Automaton;

use super::analyzer::{is_negation, is_negation_bigram, terms};
use super::layout;
use crate::domain::Lang;

/// At most this many characters of a query are read; the rest of a long paste is ignored.
pub const MAX_QUERY_CHARS: usize = 1000;
/// At most this many distinct terms of a query are searched.
pub const MAX_CONCEPTS: usize = 32;
/// Unknown words of one query that get typo corrections.
const MAX_CORRECTED_WORDS: usize = 8;
/// Alternatives kept per unknown word.
const MAX_EXPANSIONS: usize = 6;

/// One word of the query (after analysis) with the terms that may stand for it.
#[derive(Debug, Clone)]
pub struct Concept {
    /// The analyzed term as typed (or as converted from the wrong layout).
    pub term: String,
    /// Whether the term itself occurs in the language's articles.
    pub known: bool,
    /// Other terms that count for this word, with a factor in `(0, 1]`.
    pub alts: Vec<(String, f32)>,
    /// Importance of the word: inverse document frequency.
    pub weight: f32,
}

impl Concept {
    /// All terms that count for this word, the term itself first, with their factors.
    pub fn variants(&self) -> impl Iterator<Item = (&str, f32)> {
        std::iter::once((self.term.as_str(), 1.0))
            .chain(self.alts.iter().map(|(t, f)| (t.as_str(), *f)))
    }

    /// How well a set of terms covers this word: 1 for the term itself, the best factor of an
    /// alternative, or 0.
    pub fn credit(&self, has: impl Fn(&str) -> bool) -> f32 {
        self.variants()
            .filter(|(t, _)| has(t))
            .map(|(_, f)| f)
            .fold(0.0, f32::max)
    }
}

/// Synonym groups of one language, analyzed into term sequences.
#[derive(Debug, Clone, Default)]
pub struct AnalyzedSynonyms(pub Vec<Vec<Vec<String>>>);

/// What the query understanding needs from the index of one language.
pub struct Vocabulary<'a> {
    /// The searcher of the current snapshot.
    pub searcher: &'a Searcher,
    /// The catch-all field of the language: every word of every article.
    pub all: Field,
    /// Number of documents of the language.
    pub num_docs: u64,
    /// Document frequency of every term of the language.
    pub df: &'a rustc_hash::FxHashMap<String, u32>,
}

impl Vocabulary<'_> {
    /// How many documents of the language have the term.
    pub fn doc_freq(&self, term: &str) -> u64 {
        self.df.get(term).copied().unwrap_or(0).into()
    }

    /// Inverse document frequency in this language.
    pub fn idf(&self, df: u64) -> f32 {
        idf(df, self.num_docs)
    }

    /// Terms of the dictionary matched by an automaton, with their document frequency.
    fn matching<A>(&self, automaton: A, out: &mut BTreeMap<String, u64>)
    where
        A: Automaton + Clone,
        A::State: Clone,
    {
        for seg in self.searcher.segment_readers() {
            let Ok(inv) = seg.inverted_index(self.all) else {
                continue;
            };
            let Ok(mut stream) = inv.terms().search(automaton.clone()).into_stream() else {
                continue;
            };
            let mut guard = 0;
            while stream.advance() && guard < 200 {
                guard += 1;
                if let Ok(s) = std::str::from_utf8(stream.key()) {
                    *out.entry(s.to_string()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
}

/// Inverse document frequency (BM25's form, always positive).
pub fn idf(df: u64, num_docs: u64) -> f32 {
    let n = num_docs.max(1) as f32;
    let df = df as f32;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

#[derive(Clone)]
struct Lev<'a>(&'a DFA);

impl Automaton for Lev<'_> {
    type State = u32;
    fn start(&self) -> u32 {
        self.0.initial_state()
    }
    fn is_match(&self, s: &u32) -> bool {
        matches!(self.0.distance(*s), Distance::Exact(_))
    }
    fn can_match(&self, s: &u32) -> bool {
        *s != SINK_STATE
    }
    fn accept(&self, s: &u32, byte: u8) -> u32 {
        self.0.transition(*s, byte)
    }
}

/// Matches the terms that start with a prefix.
#[derive(Clone)]
struct Prefix<'a>(&'a [u8]);

impl Automaton for Prefix<'_> {
    type State = Option<usize>;
    fn start(&self) -> Option<usize> {
        Some(0)
    }
    fn is_match(&self, s: &Option<usize>) -> bool {
        *s == Some(self.0.len())
    }
    fn can_match(&self, s: &Option<usize>) -> bool {
        s.is_some()
    }
    fn accept(&self, s: &Option<usize>, byte: u8) -> Option<usize> {
        match *s {
            Some(i) if i == self.0.len() => Some(i),
            Some(i) if self.0[i] == byte => Some(i + 1),
            _ => None,
        }
    }
}

fn lev_builder(d: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    static TWO: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    if d <= 1 {
        ONE.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true))
    } else {
        TWO.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true))
    }
}

/// Builds the Levenshtein automata once, so the first customer query does not pay for it.
pub fn warm_up() {
    lev_builder(1);
    lev_builder(2);
}

/// Typos tolerated for a word of `chars` characters: none up to 3, one up to 7, then two.
pub fn max_typos(chars: usize) -> u8 {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Turns the customer's text into concepts for one language.
pub fn understand(
    raw: &str,
    lang: Lang,
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    vocab: &Vocabulary<'_>,
    synonyms: &AnalyzedSynonyms,
) -> Vec<Concept> {
    understand_with_text(raw, lang, analyzer, vocab, synonyms).0
}

/// [`understand`], and the text as read: the customer's words with those typed on the wrong
/// keyboard layout converted (`None` when no word was), so that the sentence encoder reads
/// «как зарегистрироваться на сайте» instead of «rfr pfhtufnmcz yf cfqnt».
pub fn understand_with_text(
    raw: &str,
    lang: Lang,
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    vocab: &Vocabulary<'_>,
    synonyms: &AnalyzedSynonyms,
) -> (Vec<Concept>, Option<String>) {
    let raw: String = raw.chars().take(MAX_QUERY_CHARS).collect();
    let ends_mid_word = raw.chars().last().is_some_and(|c| c.is_alphanumeric());
    let chunks: Vec<&str> = raw.split_whitespace().collect();
    let mut words: Vec<(String, usize)> = Vec::new(); // (term, typed length of its word)
    let mut df = |t: &str| vocab.doc_freq(t);
    let mut last_chunk_terms = 0..0;
    let mut read: Vec<(String, &str)> = Vec::with_capacity(chunks.len());
    let mut converted_any = false;
    for (ci, chunk) in chunks.iter().enumerate() {
        let trimmed = chunk.trim_end_matches(['?', '!']);
        let mut variants = vec![terms(analyzer, chunk)];
        let converted = if lang == Lang::Ru {
            layout::en_to_ru(trimmed)
                .map(|c| (c, trimmed.len()))
                .or_else(|| {
                    let bare = trimmed.trim_end_matches(['.', ',']);
                    layout::en_to_ru(bare).map(|c| (c, bare.len()))
                })
        } else if layout::is_cyrillic_word(trimmed) {
            layout::ru_to_en(trimmed).map(|c| (c, trimmed.len()))
        } else {
            None
        };
        if let Some((c, _)) = &converted {
            variants.push(terms(analyzer, c));
        }
        // Known words count for a spelling, unknown ones against it: «yf» (на on the wrong
        // layout) is a stop word, better than an unknown «yf».
        let known = |ts: &Vec<String>, df: &mut dyn FnMut(&str) -> u64| {
            ts.iter()
                .map(|t| if df(t) > 0 { 1i32 } else { -1 })
                .sum::<i32>()
        };
        let mut best = 0;
        let mut best_known = known(&variants[0], &mut df);
        for (i, v) in variants.iter().enumerate().skip(1) {
            let k = known(v, &mut df);
            if k > best_known {
                best = i;
                best_known = k;
            }
        }
        match converted {
            // The converted word, with what followed it as typed («?», or «.» kept off it).
            Some((c, used)) if best == 1 => read.push((c, &chunk[used..])),
            _ => read.push((chunk.to_string(), "")),
        }
        converted_any |= best == 1;
        let typed_len = trimmed.chars().count();
        let start = words.len();
        for t in variants.swap_remove(best) {
            if words.len() >= MAX_CONCEPTS * 2 {
                break;
            }
            words.push((t, typed_len));
        }
        if ci + 1 == chunks.len() {
            last_chunk_terms = start..words.len();
        }
    }

    // Words are analyzed one by one (each may need its own layout), so the negation bigrams the
    // index holds (`не_работа`) are formed here, across words.
    let mut bigrams = Vec::new();
    for pair in words.windows(2) {
        let (neg, next) = (&pair[0].0, &pair[1].0);
        if is_negation(lang, neg) && !is_negation(lang, next) && !is_negation_bigram(next) {
            let bigram = format!("{neg}_{next}");
            // A negated phrase no article has says nothing about which article fits.
            if vocab.doc_freq(&bigram) > 0 {
                bigrams.push((bigram, 0));
            }
        }
    }
    words.extend(bigrams);

    let mut concepts: Vec<Concept> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut order: Vec<usize> = Vec::new(); // concept index of each word, for synonym phrases
    for (term, _) in &words {
        if let Some(&i) = index_of.get(term) {
            order.push(i);
            continue;
        }
        if concepts.len() >= MAX_CONCEPTS {
            break;
        }
        let f = df(term);
        index_of.insert(term.clone(), concepts.len());
        order.push(concepts.len());
        concepts.push(Concept {
            term: term.clone(),
            known: f > 0,
            alts: Vec::new(),
            weight: vocab.idf(f),
        });
    }

    // Synonyms: a member found in the query adds the other members as alternatives.
    let seq: Vec<&str> = words
        .iter()
        .take(order.len())
        .map(|(t, _)| t.as_str())
        .collect();
    for group in &synonyms.0 {
        for (mi, member) in group.iter().enumerate() {
            if member.is_empty() || member.len() > seq.len() {
                continue;
            }
            for start in 0..=seq.len() - member.len() {
                if seq[start..start + member.len()]
                    .iter()
                    .zip(member)
                    .all(|(a, b)| *a == b)
                {
                    for (oi, other) in group.iter().enumerate() {
                        if oi == mi {
                            continue;
                        }
                        for w in start..start + member.len() {
                            let c = &mut concepts[order[w]];
                            for t in other {
                                if *t != c.term && !c.alts.iter().any(|(a, _)| a == t) {
                                    c.alts.push((t.clone(), 0.9));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // Typos and unfinished last words: expand unknown terms against the dictionary (a bounded
    // number of them: a long paste full of names must not cost a scan per word).
    let mut expanded = 0;
    for (wi, (term, typed_len)) in words.iter().enumerate().take(order.len()) {
        let ci = order[wi];
        let c = &concepts[ci];
        if c.known || c.term != *term || is_negation_bigram(term) {
            continue;
        }
        if c.alts.iter().any(|(a, _)| df(a) > 0) {
            continue;
        }
        if expanded == MAX_CORRECTED_WORDS {
            break;
        }
        expanded += 1;
        let mut found: BTreeMap<String, u64> = BTreeMap::new();
        let d = max_typos(*typed_len).min(max_typos(term.chars().count() + 1));
        let mut scored: Vec<(String, f32, u64)> = Vec::new();
        // One edit first; two only for long words that one edit does not explain (the
        // two-edit automaton is the expensive one).
        for dist in 1..=d {
            let dfa = lev_builder(dist).build_dfa(term);
            vocab.matching(Lev(&dfa), &mut found);
            for (t, f) in std::mem::take(&mut found) {
                if is_negation_bigram(&t) || scored.iter().any(|(s, _, _)| *s == t) {
                    continue;
                }
                let factor = if dist <= 1 { 0.8 } else { 0.6 };
                scored.push((t, factor, f));
            }
            if !scored.is_empty() {
                break;
            }
        }
        if ends_mid_word && last_chunk_terms.contains(&wi) && term.chars().count() >= 3 {
            let prefix = Prefix(term.as_bytes());
            vocab.matching(prefix, &mut found);
            for (t, f) in found {
                if !is_negation_bigram(&t) && !scored.iter().any(|(s, _, _)| *s == t) {
                    scored.push((t, 0.7, f));
                }
            }
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)));
        scored.truncate(MAX_EXPANSIONS);
        let c = &mut concepts[ci];
        if let Some(best_df) = scored.first().map(|s| s.2) {
            c.weight = vocab.idf(best_df);
        }
        c.alts.extend(scored.into_iter().map(|(t, f, _)| (t, f)));
    }
    let text = converted_any.then(|| {
        read.iter()
            .map(|(word, rest)| format!("{word}{rest}"))
            .collect::<Vec<_>>()
            .join(" ")
    });
    (concepts, text)
}

/// How search reads `text` in `lang` under the current articles: the concepts a search for it
/// would use (analyzed terms, wrong-layout words converted, synonyms, typo corrections against
/// the articles' vocabulary), without prefix completions of an unfinished last word. Reports use
/// it to group what customers typed the way search understands it; searching is not affected.
/// A language without articles still gets its words analyzed (each an unknown concept).
pub fn concepts(engine: &super::SearchEngine, text: &str, lang: Lang) -> Vec<Concept> {
    read(engine, text, lang).0
}

/// `text` as search reads it in `lang` under the current articles, in words: with the words
/// typed on the wrong keyboard layout converted («rfr dthyenm njdfh?» → «как вернуть товар?»),
/// as the sentence encoder gets it.
pub fn as_read(engine: &super::SearchEngine, text: &str, lang: Lang) -> String {
    let read = read(engine, text, lang).1;
    read.map_or_else(|| text.trim().to_string(), |r| r.trim().to_string())
}

fn read(engine: &super::SearchEngine, text: &str, lang: Lang) -> (Vec<Concept>, Option<String>) {
    let snap = engine.snapshot();
    let inner = &*engine.0;
    let li = super::schema::lang_idx(lang);
    let vocab = Vocabulary {
        searcher: &snap.searcher,
        all: inner.fields.of(lang).all,
        num_docs: snap.num_docs[li],
        df: &snap.df[li],
    };
    let mut analyzer = inner.analyzers[li].clone();
    // A trailing space: the text is complete, no completions of its last word.
    let text: String = text
        .chars()
        .take(MAX_QUERY_CHARS - 1)
        .chain([' '])
        .collect();
    understand_with_text(&text, lang, &mut analyzer, &vocab, &snap.synonyms[li])
}

/// How many article documents of `lang` contain each of `terms` (analyzed terms) in the current
/// index, and how many article documents the language has: the background against which a
/// report weighs the words customers use.
pub fn article_frequencies(
    engine: &super::SearchEngine,
    lang: Lang,
    terms: &[&str],
) -> (Vec<u64>, u64) {
    let snap = engine.snapshot();
    let li = super::schema::lang_idx(lang);
    let df = &snap.df[li];
    (
        terms
            .iter()
            .map(|t| df.get(*t).copied().unwrap_or(0).into())
            .collect(),
        snap.num_docs[li],
    )
}
