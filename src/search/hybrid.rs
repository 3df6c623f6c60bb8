//! The semantic half of search: what of each article is embedded ([`units_of`]), the nearest
//! articles to a query's embedding ([`nearest`]), and how the two kinds of evidence are weighed
//! together ([`rank_of`], [`confidence_of`]).

use rustc_hash::FxHashMap;

use super::Signals;
use crate::articles::Article;
use crate::semantic::{Kind, Part, UnitText, VectorIndex};

/// Words per embedded passage: long sections are cut into pieces about this long (at sentence
/// ends), so that a paragraph's meaning is not averaged away by its neighbours.
const PASSAGE_WORDS: usize = 90;
/// Articles taken from the nearest neighbours, besides the lexical candidates.
pub const NEAREST_ARTICLES: usize = 20;
/// How much nearer another section must be than the lexically best one to be the answer.
pub const SECTION_MARGIN: f32 = 0.01;

/// The texts of an article that get a vector: its title, each passage of its introduction and
/// sections (prefixed with the title and heading, which say what the passage is about), and
/// each example question.
pub fn units_of(aid: u64, a: &Article) -> Vec<UnitText> {
    let mut out = Vec::new();
    let unit = |part, kind, text: String| UnitText {
        aid,
        part,
        kind,
        text,
    };
    out.push(unit(Part::Title, Kind::Query, a.title.clone()));
    for piece in passages(&a.intro) {
        out.push(unit(
            Part::Intro,
            Kind::Passage,
            format!("{}. {piece}", a.title),
        ));
    }
    for (i, s) in a.sections.iter().enumerate() {
        let head = format!("{}. {}.", a.title, s.title);
        let pieces = passages(&s.text);
        if pieces.is_empty() {
            out.push(unit(Part::Section(i), Kind::Passage, head.clone()));
        }
        for piece in pieces {
            out.push(unit(
                Part::Section(i),
                Kind::Passage,
                format!("{head} {piece}"),
            ));
        }
    }
    for (i, q) in a.questions.iter().enumerate() {
        out.push(unit(Part::Question(i), Kind::Query, q.clone()));
    }
    out
}

/// Cuts text into passages of about [`PASSAGE_WORDS`] words, ending at sentence ends where
/// one is near.
fn passages(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < words.len() {
        let mut end = (start + PASSAGE_WORDS).min(words.len());
        if end < words.len() {
            // Back up to the last sentence end in the second half of the piece.
            if let Some(cut) = (start + PASSAGE_WORDS / 2..end)
                .rev()
                .find(|&i| words[i].ends_with(['.', '!', '?', ':', ';']))
            {
                end = cut + 1;
            }
        }
        out.push(words[start..end].join(" "));
        start = end;
    }
    out
}

/// What the embeddings say about one article for one query.
#[derive(Debug, Clone, Default)]
pub struct Nearness {
    /// Best cosine over all of the article's vectors.
    pub best: f32,
    /// Best cosine of one of its passages, and the section it is in (`None`: the intro).
    pub passage: Option<(Option<usize>, f32)>,
    /// Best cosine of its title or one example question.
    pub phrasing: f32,
    /// Best cosine per section that has a passage.
    sections: Vec<(usize, f32)>,
}

impl Nearness {
    /// Takes in the cosine of one of the article's vectors.
    fn add(&mut self, part: Part, cos: f32) {
        self.best = self.best.max(cos);
        match part {
            Part::Title | Part::Question(_) => self.phrasing = self.phrasing.max(cos),
            Part::Intro => self.passage_cos(None, cos),
            Part::Section(i) => {
                match self.sections.iter_mut().find(|(s, _)| *s == i) {
                    Some((_, c)) => *c = c.max(cos),
                    None => self.sections.push((i, cos)),
                }
                self.passage_cos(Some(i), cos);
            }
        }
    }

    fn passage_cos(&mut self, section: Option<usize>, cos: f32) {
        if self.passage.is_none_or(|(_, c)| cos > c) {
            self.passage = Some((section, cos));
        }
    }

    /// Takes in what other vectors of the same article said.
    fn merge(&mut self, other: Nearness) {
        self.best = self.best.max(other.best);
        self.phrasing = self.phrasing.max(other.phrasing);
        if let Some((section, cos)) = other.passage {
            self.passage_cos(section, cos);
        }
        for (i, cos) in other.sections {
            match self.sections.iter_mut().find(|(s, _)| *s == i) {
                Some((_, c)) => *c = c.max(cos),
                None => self.sections.push((i, cos)),
            }
        }
    }

    /// The best cosine of a passage of section `i`.
    pub fn section_cos(&self, i: usize) -> Option<f32> {
        self.sections.iter().find(|(s, _)| *s == i).map(|(_, c)| *c)
    }
}

/// The article-level nearness of every article `keep` accepts, from one query vector.
pub fn nearest(
    index: &VectorIndex,
    query: &[f32],
    keep: impl Fn(u64) -> bool,
) -> FxHashMap<u64, Nearness> {
    let mut out: FxHashMap<u64, Nearness> = FxHashMap::default();
    // An article's vectors are consecutive rows: ask `keep` and touch the map once per run.
    let mut run: Option<(u64, bool, Nearness)> = None;
    let mut flush = |run: Option<(u64, bool, Nearness)>| {
        if let Some((aid, true, n)) = run {
            out.entry(aid).or_default().merge(n);
        }
    };
    for (&(aid, part), cos) in index.units.iter().zip(index.scores(query)) {
        if run.as_ref().is_none_or(|(a, _, _)| *a != aid) {
            flush(run.take());
            run = Some((aid, keep(aid), Nearness::default()));
        }
        if let Some((_, true, n)) = run.as_mut() {
            n.add(part, cos);
        }
    }
    flush(run);
    out
}

/// The articles of `near` with the highest cosine, best first.
pub fn top_articles(near: &FxHashMap<u64, Nearness>, k: usize) -> Vec<u64> {
    let mut v: Vec<(u64, f32)> = near.iter().map(|(a, n)| (*a, n.best)).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v.into_iter().take(k).map(|(a, _)| a).collect()
}

// Fitted by `eval/fit.py` on the `otvet eval --dump` files of every evaluation set (see
// BENCHMARKS.md); the feature order is `rank_features` / `conf_features` there.
const RANK: [f32; 8] = [0.9454, 3.311, 0.5951, -1.998, 2.404, 58.47, 1.912, 30.58];
const CONFIDENCE: [f32; 14] = [
    -13.77, 0.08126, -1.383, 0.915, 0.09973, 6.726, 0.2918, 0.4122, 1.016, 4.415, -0.02069, 2.108,
    -0.06438, -1.066,
];

/// Ranking with embeddings: a linear score over the lexical and semantic evidence, fitted to
/// put the right article first (a softmax over each query's candidates).
pub fn rank_of(s: &Signals, max_question: f32) -> f32 {
    let f = [
        s.bm25,
        s.phrase_cos,
        s.question / max_question.max(1e-6),
        s.phrase_f1,
        s.coverage,
        s.sem,
        s.sem_phrase,
        s.sem_passage,
    ];
    f.iter().zip(RANK).map(|(x, w)| x * w).sum()
}

/// Confidence with embeddings: a logistic model of "the top hit is right" over the lexical
/// evidence (including how much of the query the article covers and how many of its words
/// nothing knows), the cosines and the leads over the next hit (`gap`, `sem_gap`, set after
/// ranking).
pub fn confidence_of(s: &Signals) -> f32 {
    let f = [
        s.phrase_f1,
        s.phrase_cos,
        s.raw.max(0.0).ln_1p(),
        s.matched.max(0.0).ln_1p(),
        s.sem,
        s.sem_gap,
        s.gap,
        s.sem_phrase,
        s.sem_passage,
        s.sem_z,
        s.coverage,
        s.unknown.min(3.0),
        s.bm25,
    ];
    let z = CONFIDENCE[0]
        + f.iter()
            .zip(&CONFIDENCE[1..])
            .map(|(x, w)| x * w)
            .sum::<f32>();
    1.0 / (1.0 + (-z).exp())
}

/// Weights of [`across_confidence_of`]: intercept, then `sem`, `sem_gap`, `sem_z`,
/// `sem_passage`, `sem_phrase`; a logistic fit of "the top hit is right" on German questions
/// over Russian articles and back (XQuAD) and German and English questions over the sample's
/// Russian articles, every set weighted equally, by `eval/fit_across.py` (BENCHMARKS.md,
/// "Across languages").
const ACROSS: [f32; 6] = [-4.173, 0.409, 0.049, 1.223, 0.473, 0.311];
/// The confidence an answer from another language's article needs: such answers are right
/// less often at the same confidence, so the bot asks for more (a choice below it).
pub const ACROSS_THRESHOLD: f32 = 0.6;

/// The probability that the top hit of a search across languages is right: words are not
/// shared between a question and an article in another language, so only meaning counts.
pub fn across_confidence_of(s: &Signals) -> f32 {
    let f = [s.sem, s.sem_gap, s.sem_z, s.sem_passage, s.sem_phrase];
    let z = ACROSS[0] + f.iter().zip(&ACROSS[1..]).map(|(x, w)| x * w).sum::<f32>();
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_sentence_ends() {
        let sentence = "Слово ".repeat(29) + "конец. ";
        let text = sentence.repeat(10);
        let p = passages(&text);
        assert!(p.len() >= 4, "{}", p.len());
        for piece in &p {
            assert!(piece.split_whitespace().count() <= PASSAGE_WORDS);
            assert!(piece.ends_with('.'), "{piece}");
        }
        assert_eq!(
            p.iter()
                .map(|x| x.split_whitespace().count())
                .sum::<usize>(),
            300
        );
        assert!(passages("").is_empty());
        assert_eq!(passages("Коротко."), vec!["Коротко.".to_string()]);
    }
}
