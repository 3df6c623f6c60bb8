//! The question bank run against the search engine: every question of `questions.yaml`
//! (parsed by `articles::bank`) searched the way the bot does, and each whose article is no
//! longer among the first three reported as a `questions.yaml:line` problem (`otvet check`).

use crate::articles::bank::{BANK_FILE, BankEntry, TOP};
use crate::articles::{Catalog, Problem};
use crate::domain::{Lang, Slug};
use crate::search::{Hit, SearchEngine, SearchRequest};

/// How many hits are fetched, to say where a failing question's article went.
const LOOK_DOWN: usize = 10;

/// What happened to one question.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The question.
    pub entry: BankEntry,
    /// 1-based rank of the expected article among the hits (`None`: not in the first ten).
    pub rank: Option<usize>,
    /// The first hit, when it is another article.
    pub first: Option<Hit>,
}

/// The bank run against the search engine.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every question searched (unknown slugs are not searched).
    pub outcomes: Vec<Outcome>,
    /// Regressions and unknown slugs, as `questions.yaml:line: message` errors.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Questions whose article is in the top 3.
    pub fn passed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.rank.is_some_and(|r| r <= TOP))
            .count()
    }

    /// Questions whose article comes first.
    pub fn first(&self) -> usize {
        self.outcomes.iter().filter(|o| o.rank == Some(1)).count()
    }
}

/// Searches every question the way the bot does (its language, the same engine) and reports
/// each whose article is not in the top 3, or whose slug is not a published article.
pub fn check(engine: &SearchEngine, entries: &[BankEntry]) -> Report {
    let snapshot = engine.snapshot();
    let catalog: &Catalog = &snapshot.catalog;
    let mut report = Report::default();
    for e in entries {
        let Some(article) = Slug::parse(&e.slug)
            .ok()
            .and_then(|s| catalog.get(e.lang, &s))
        else {
            report
                .problems
                .push(Problem::error(BANK_FILE, e.line, unknown_slug(catalog, e)));
            continue;
        };
        let results = engine.search(&SearchRequest {
            query: &e.question,
            lang: Some(e.lang),
            limit: LOOK_DOWN,
            snippets: false,
            semantic: true,
            across: false,
        });
        let rank = results
            .hits
            .iter()
            .position(|h| h.slug.as_str() == e.slug)
            .map(|i| i + 1);
        let first = results
            .hits
            .first()
            .filter(|h| h.slug.as_str() != e.slug)
            .cloned();
        if rank.is_none_or(|r| r > TOP) {
            let place = match rank {
                Some(r) => format!("it is {}", ordinal(r)),
                None => format!("it is not in the first {LOOK_DOWN}"),
            };
            let instead = match &first {
                Some(h) => format!(
                    "first came \"{}\" ({}, confidence {:.2})",
                    h.title, h.slug, h.confidence
                ),
                None => "search found nothing".into(),
            };
            let note = e
                .note
                .as_deref()
                .map(|n| format!(" [note: {n}]"))
                .unwrap_or_default();
            report.problems.push(Problem::error(
                BANK_FILE,
                e.line,
                format!(
                    "\"{}\" ({}) no longer finds \"{}\" ({}) in the top {TOP}: {place}; {instead}{note}",
                    e.question, e.lang, article.title, e.slug
                ),
            ));
        }
        report.outcomes.push(Outcome {
            entry: e.clone(),
            rank,
            first,
        });
    }
    report
}

fn unknown_slug(catalog: &Catalog, e: &BankEntry) -> String {
    let mut msg = format!(
        "\"{}\" ({}) expects the article '{}', which is not published in '{}'",
        e.question, e.lang, e.slug, e.lang
    );
    let elsewhere: Vec<String> = Lang::ALL
        .into_iter()
        .filter(|l| {
            *l != e.lang
                && Slug::parse(&e.slug)
                    .ok()
                    .is_some_and(|s| catalog.get(*l, &s).is_some())
        })
        .map(|l| l.code().to_string())
        .collect();
    if !elsewhere.is_empty() {
        msg.push_str(&format!(" (it exists in: {})", elsewhere.join(", ")));
    } else if let Some(close) = catalog
        .articles
        .keys()
        .filter(|(l, _)| *l == e.lang)
        .map(|(_, s)| (edit_distance(s.as_str(), &e.slug), s))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
    {
        msg.push_str(&format!("; did you mean '{}'?", close.1));
    }
    msg
}

/// Levenshtein distance of two short strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(4), "4th");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(edit_distance("refund-timing", "refund-timimg"), 1);
    }
}
