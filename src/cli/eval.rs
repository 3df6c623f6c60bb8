//! `otvet eval`: answer quality on a `queries.jsonl` set, through the same search call and
//! threshold the bot uses. Reports top-1 and recall@3 on answerable queries, MRR, the AUROC of
//! the top hit's confidence between answerable and unanswerable queries, and at the threshold
//! the share of answerable queries declined and of unanswerable ones answered.

use std::collections::BTreeMap;
use std::process::ExitCode;

use serde::{Deserialize, Serialize};

use crate::config::EvalArgs;
use crate::domain::Lang;
use crate::search::SearchEngine;

/// One line of `queries.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalQuery {
    /// Query id.
    #[serde(default)]
    pub id: String,
    /// What the customer wrote.
    pub query: String,
    /// Its language; all languages when absent.
    #[serde(default)]
    pub lang: Option<Lang>,
    /// Slugs of articles that answer it; empty when none does.
    #[serde(default)]
    pub expected: Vec<String>,
    /// `in_scope`, `unanswerable_in_domain` or `off_topic`.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// The customer's earlier messages in the conversation, oldest first: `query` is a
    /// follow-up of them («а для холодильника?»), answered as the bot answers it.
    #[serde(default)]
    pub context: Vec<String>,
}

fn default_kind() -> String {
    "in_scope".into()
}

/// What search said about one query.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Whether an article answers the query.
    pub answerable: bool,
    /// The query's kind.
    pub kind: String,
    /// 1-based rank of the first expected article among the hits.
    pub rank: Option<usize>,
    /// Confidence of the top hit, 0 without hits.
    pub confidence: f32,
    /// What the bot did: answered, offered a choice, or declined.
    pub decision: Decided,
}

/// The bot's decision on one query, as [`crate::bot::decide`] took it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decided {
    /// Answered with the top hit.
    Answer,
    /// Offered a «Вы об этом?» choice; whether an expected article was among the options.
    Clarify {
        /// An option was right.
        right: bool,
    },
    /// Said nothing was found.
    Decline,
}

/// Metrics over a group of outcomes; `None` where a metric has no queries to stand on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Metrics {
    /// Number of queries.
    pub n: usize,
    /// Top-1 accuracy on answerable queries.
    pub top1: Option<f64>,
    /// Share of answerable queries with an expected article in the top 3.
    pub recall_at_3: Option<f64>,
    /// Mean reciprocal rank on answerable queries.
    pub mrr: Option<f64>,
    /// Probability that an answerable query gets a higher confidence than an unanswerable one.
    pub auroc: Option<f64>,
    /// Share of answerable queries not answered (the top confidence is below the threshold:
    /// offered a choice or declined).
    pub declined_answerable: Option<f64>,
    /// Share of unanswerable queries answered (the top confidence reaches the threshold; for
    /// an answer from another language, its higher one).
    pub answered_unanswerable: Option<f64>,
    /// Share of answerable queries answered, and right (top-1 correct and confident).
    pub answered_right: Option<f64>,
    /// Share of answerable queries answered with a wrong article.
    pub answered_wrong: Option<f64>,
    /// Share of answerable queries given a choice with the right article among the options.
    pub clarified_right: Option<f64>,
    /// Share of answerable queries given a choice without the right article.
    pub clarified_wrong: Option<f64>,
    /// Share of unanswerable queries given a choice (the rest of them: answered or declined).
    pub clarified_unanswerable: Option<f64>,
}

/// The full report: overall metrics plus one set per kind.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(flatten)]
    /// Over all queries.
    pub overall: Metrics,
    /// The threshold used.
    pub threshold: f32,
    /// `hybrid` (embeddings and words) or `lexical` (words only).
    pub mode: &'static str,
    /// Per kind; for unanswerable kinds, AUROC is against all answerable queries.
    pub by_kind: BTreeMap<String, Metrics>,
}

/// Computes metrics; `reference` is the set of answerable outcomes that AUROC compares with
/// when `outcomes` has no answerable queries of its own.
pub fn metrics(outcomes: &[&Outcome], reference: &[&Outcome]) -> Metrics {
    let pos: Vec<&Outcome> = outcomes.iter().copied().filter(|o| o.answerable).collect();
    let neg: Vec<&Outcome> = outcomes.iter().copied().filter(|o| !o.answerable).collect();
    let share = |xs: &[&Outcome], f: &dyn Fn(&Outcome) -> bool| {
        (!xs.is_empty()).then(|| xs.iter().filter(|o| f(o)).count() as f64 / xs.len() as f64)
    };
    let mean = |xs: &[&Outcome], f: &dyn Fn(&Outcome) -> f64| {
        (!xs.is_empty()).then(|| xs.iter().map(|o| f(o)).sum::<f64>() / xs.len() as f64)
    };
    let auroc_pos: Vec<f32> = if pos.is_empty() { reference } else { &pos }
        .iter()
        .filter(|o| o.answerable)
        .map(|o| o.confidence)
        .collect();
    let auroc_neg: Vec<f32> = neg.iter().map(|o| o.confidence).collect();
    Metrics {
        n: outcomes.len(),
        top1: share(&pos, &|o| o.rank == Some(1)),
        recall_at_3: share(&pos, &|o| o.rank.is_some_and(|r| r <= 3)),
        mrr: mean(&pos, &|o| o.rank.map_or(0.0, |r| 1.0 / r as f64)),
        auroc: auroc(&auroc_pos, &auroc_neg),
        declined_answerable: share(&pos, &|o| o.decision != Decided::Answer),
        answered_unanswerable: share(&neg, &|o| o.decision == Decided::Answer),
        answered_right: share(&pos, &|o| {
            o.decision == Decided::Answer && o.rank == Some(1)
        }),
        answered_wrong: share(&pos, &|o| {
            o.decision == Decided::Answer && o.rank != Some(1)
        }),
        clarified_right: share(&pos, &|o| o.decision == Decided::Clarify { right: true }),
        clarified_wrong: share(&pos, &|o| o.decision == Decided::Clarify { right: false }),
        clarified_unanswerable: share(&neg, &|o| matches!(o.decision, Decided::Clarify { .. })),
    }
}

/// Area under the ROC curve (Mann–Whitney, ties count half); `None` without both classes.
pub fn auroc(pos: &[f32], neg: &[f32]) -> Option<f64> {
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let mut neg = neg.to_vec();
    neg.sort_by(f32::total_cmp);
    let mut wins = 0.0f64;
    for &p in pos {
        let below = neg.partition_point(|&n| n < p);
        let not_above = neg.partition_point(|&n| n <= p);
        wins += below as f64 + 0.5 * (not_above - below) as f64;
    }
    Some(wins / (pos.len() as f64 * neg.len() as f64))
}

/// Runs every query through the search the bot uses.
pub fn run(engine: &SearchEngine, queries: &[EvalQuery]) -> Report {
    let outcomes: Vec<Outcome> = queries
        .iter()
        .map(|q| {
            let res = crate::bot::find(engine, &q.query, &q.context, q.lang, 10, false);
            let is_expected =
                |h: &crate::search::Hit| q.expected.iter().any(|e| e == h.slug.as_str());
            let rank = res.hits.iter().position(is_expected).map(|i| i + 1);
            let decision = match crate::bot::decide(&res) {
                crate::bot::Decision::Answer => Decided::Answer,
                crate::bot::Decision::Decline => Decided::Decline,
                crate::bot::Decision::Clarify(options) => Decided::Clarify {
                    right: options.iter().any(|&i| is_expected(&res.hits[i])),
                },
            };
            Outcome {
                answerable: !q.expected.is_empty(),
                kind: q.kind.clone(),
                rank,
                confidence: res.hits.first().map_or(0.0, |h| h.confidence),
                decision,
            }
        })
        .collect();
    let threshold = engine.threshold();
    let mode = if engine.semantic().is_some() {
        "hybrid"
    } else {
        "lexical"
    };
    let all: Vec<&Outcome> = outcomes.iter().collect();
    let answerable: Vec<&Outcome> = outcomes.iter().filter(|o| o.answerable).collect();
    let mut kinds: BTreeMap<String, Vec<&Outcome>> = BTreeMap::new();
    for o in &outcomes {
        kinds.entry(o.kind.clone()).or_default().push(o);
    }
    Report {
        overall: metrics(&all, &answerable),
        threshold,
        mode,
        by_kind: kinds
            .into_iter()
            .map(|(k, os)| (k, metrics(&os, &answerable)))
            .collect(),
    }
}

/// Reads a `queries.jsonl`; errors name the line.
pub fn read_queries(path: &std::path::Path) -> Result<Vec<EvalQuery>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// `otvet eval`.
pub fn main(args: &EvalArgs) -> ExitCode {
    let mut queries = match read_queries(&args.queries) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let k = &args.knowledge;
    let stripped = if args.without_questions || args.without_questions_half {
        match without_questions(&k.articles, args.without_questions_half) {
            Ok((dir, bare)) => {
                if args.without_questions_half {
                    for q in queries.iter_mut().filter(|q| !q.expected.is_empty()) {
                        let all_bare = q.expected.iter().all(|e| bare.contains(e));
                        q.kind =
                            format!("{}:{}", q.kind, if all_bare { "bare" } else { "annotated" });
                    }
                }
                Some(dir)
            }
            Err(e) => {
                eprintln!(
                    "otvet: copying {} without questions: {e}",
                    k.articles.display()
                );
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let articles = stripped
        .as_ref()
        .map_or(k.articles.clone(), |d| d.0.clone());
    let engine = match SearchEngine::open(&articles, k.default_lang, k.threshold) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("otvet: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let snap = engine.snapshot();
    for p in snap.catalog.problems.iter().filter(|p| p.is_error()) {
        eprintln!("{}", p);
    }
    engine.start_semantic(&k.model, args.embedding_cache.clone());
    if let Some(sem) = engine.semantic() {
        let started = std::time::Instant::now();
        if !engine.wait_semantic(std::time::Duration::from_secs(3600)) {
            eprintln!("otvet: the articles were not embedded within an hour");
            return ExitCode::FAILURE;
        }
        eprintln!(
            "mode: hybrid ({}; {} vectors ready in {:.1} s)",
            sem.model().info.path,
            sem.index().len(),
            started.elapsed().as_secs_f64()
        );
    } else {
        eprintln!(
            "mode: lexical ({})",
            engine.semantic_status().reason.unwrap_or_default()
        );
    }
    let report = run(&engine, &queries);
    if let Some(path) = &args.dump
        && let Err(e) = dump(&engine, &queries, path)
    {
        eprintln!("{}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    if args.json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        print!("{}", table(&report, snap.catalog.articles.len()));
    }
    ExitCode::SUCCESS
}

/// A temporary copy of an articles folder, removed when dropped.
struct TempCopy(std::path::PathBuf);

impl Drop for TempCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies `dir` to a temporary folder, dropping the `questions:` list from every article's
/// front matter (block or inline style), or from every other article id in sorted order (all
/// language versions of an id alike); returns the copy and the ids (file names without `.md`)
/// of the articles that lost them.
fn without_questions(
    dir: &std::path::Path,
    every_other: bool,
) -> std::io::Result<(TempCopy, std::collections::HashSet<String>)> {
    use std::path::Path;
    let to = std::env::temp_dir().join(format!("otvet-eval-{}", std::process::id()));
    let copy = TempCopy(to.clone());
    fn stem(p: &Path) -> String {
        p.file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    }
    fn ids(from: &Path, out: &mut std::collections::BTreeSet<String>) -> std::io::Result<()> {
        for e in std::fs::read_dir(from)? {
            let e = e?;
            if e.file_type()?.is_dir() {
                ids(&e.path(), out)?;
            } else if e.path().extension().is_some_and(|x| x == "md") {
                out.insert(stem(&e.path()));
            }
        }
        Ok(())
    }
    fn walk(
        from: &Path,
        to: &Path,
        bare: &std::collections::HashSet<String>,
    ) -> std::io::Result<()> {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            let (src, dst) = (e.path(), to.join(e.file_name()));
            if e.file_type()?.is_dir() {
                walk(&src, &dst, bare)?;
            } else if src.extension().is_some_and(|x| x == "md") {
                let text = std::fs::read_to_string(&src)?;
                if bare.contains(&stem(&src)) {
                    std::fs::write(&dst, strip_questions(&text))?;
                } else {
                    std::fs::write(&dst, text)?;
                }
            } else {
                std::fs::copy(&src, &dst)?;
            }
        }
        Ok(())
    }
    let mut all = std::collections::BTreeSet::new();
    ids(dir, &mut all)?;
    let bare = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !every_other || i % 2 == 0)
        .map(|(_, id)| id)
        .collect();
    walk(dir, &to, &bare)?;
    Ok((copy, bare))
}

/// The article text with its front matter's `questions:` removed.
fn strip_questions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut fences, mut skipping) = (0, false);
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            fences += 1;
        }
        let in_front = fences == 1 && line.trim_end() != "---";
        if in_front && line.starts_with("questions:") {
            skipping = true;
            continue;
        }
        if skipping
            && in_front
            && (line.starts_with(' ') || line.starts_with('-') || line.trim().is_empty())
        {
            continue;
        }
        skipping = false;
        out.push_str(line);
    }
    out
}

/// Writes each query's top hits with their signals, one JSON object per line.
fn dump(
    engine: &SearchEngine,
    queries: &[EvalQuery],
    path: &std::path::Path,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for q in queries {
        let res = crate::bot::find(engine, &q.query, &q.context, q.lang, 20, false);
        let hits: Vec<serde_json::Value> = res
            .hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "slug": h.slug,
                    "lang": h.lang,
                    "confidence": h.confidence,
                    "correct": q.expected.iter().any(|e| e == h.slug.as_str()),
                    "signals": h.signals,
                })
            })
            .collect();
        let line = serde_json::json!({"id": q.id, "kind": q.kind, "query": q.query, "hits": hits});
        writeln!(out, "{line}")?;
    }
    out.flush()
}

fn table(r: &Report, articles: usize) -> String {
    let f = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.3}"));
    let mut out = format!(
        "{articles} articles, {} mode, threshold {:.2}\n{:<24} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9} {:>9} {:>6} {:>6} {:>6} {:>6}\n",
        r.mode,
        r.threshold,
        "kind",
        "n",
        "top1",
        "rec@3",
        "mrr",
        "auroc",
        "declined",
        "answered",
        "right",
        "wrong",
        "clar+",
        "clar-"
    );
    let mut row = |name: &str, m: &Metrics| {
        // For unanswerable kinds the last column is the share of them offered a choice.
        let clar_minus = m.clarified_wrong.or(m.clarified_unanswerable);
        out.push_str(&format!(
            "{:<24} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9} {:>9} {:>6} {:>6} {:>6} {:>6}\n",
            name,
            m.n,
            f(m.top1),
            f(m.recall_at_3),
            f(m.mrr),
            f(m.auroc),
            f(m.declined_answerable),
            f(m.answered_unanswerable),
            f(m.answered_right),
            f(m.answered_wrong),
            f(m.clarified_right),
            f(clar_minus)
        ));
    };
    row("all", &r.overall);
    for (k, m) in &r.by_kind {
        row(k, m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(answerable: bool, rank: Option<usize>, confidence: f32) -> Outcome {
        Outcome {
            answerable,
            kind: String::new(),
            rank,
            confidence,
            decision: if confidence >= 0.5 {
                Decided::Answer
            } else {
                Decided::Decline
            },
        }
    }

    #[test]
    fn questions_are_stripped_from_front_matter_only() {
        let a = "---\ntitle: T\nquestions:\n  - как вернуть\n  - верну ли\ntags: [x]\n---\n\nquestions: stay\n";
        assert_eq!(
            strip_questions(a),
            "---\ntitle: T\ntags: [x]\n---\n\nquestions: stay\n"
        );
        let b = "---\nquestions: [a, b]\ntitle: T\n---\nBody\n";
        assert_eq!(strip_questions(b), "---\ntitle: T\n---\nBody\n");
    }

    #[test]
    fn auroc_counts_ties_half() {
        assert_eq!(auroc(&[0.9, 0.8], &[0.1, 0.2]), Some(1.0));
        assert_eq!(auroc(&[0.1], &[0.9]), Some(0.0));
        assert_eq!(auroc(&[0.5], &[0.5]), Some(0.5));
        assert_eq!(auroc(&[], &[0.5]), None);
    }

    #[test]
    fn metrics_on_known_outcomes() {
        let os = [
            o(true, Some(1), 0.9),
            o(true, Some(2), 0.4),
            o(true, None, 0.3),
            o(false, None, 0.6),
        ];
        let refs: Vec<&Outcome> = os.iter().collect();
        let m = metrics(&refs, &refs);
        assert_eq!(m.n, 4);
        assert!((m.top1.unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert!((m.recall_at_3.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert!((m.mrr.unwrap() - 0.5).abs() < 1e-9);
        assert!((m.auroc.unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert!((m.declined_answerable.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(m.answered_unanswerable, Some(1.0));
        assert!((m.answered_right.unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(m.answered_wrong, Some(0.0));
        assert_eq!(m.clarified_unanswerable, Some(0.0));
    }
}
