//! `otvet gaps [--since 30d] [--json] [--draft CLUSTER] [--database URL] [--articles DIR]`: the
//! editors' gap report on the command line — the same report as `/agent/gaps`, computed against
//! the articles folder given (so a cluster an article answers shows as covered).
//!
//! - Without options: a readable summary on standard output.
//! - `--json`: the whole report as one JSON object (as `GET /agent/api/gaps`).
//! - `--draft CLUSTER`: the Markdown draft of that cluster, for
//!   `otvet gaps --draft q1a2b3c4d5e > articles/ru/….md`. An unknown id, or one of an off-topic
//!   or gibberish cluster, exits with 1.

use std::process::ExitCode;

use anyhow::bail;

use crate::analytics::gaps::{self, Class, Cluster, GapReport};
use crate::config::GapsArgs;
use crate::domain::now_ms;
use crate::search::SearchEngine;
use crate::store::Store;

/// Runs `otvet gaps`; problems are printed as `otvet: …` with exit status 1.
pub fn main(args: &GapsArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("otvet: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("otvet: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &GapsArgs) -> anyhow::Result<String> {
    let k = &args.knowledge;
    if !k.articles.is_dir() {
        bail!("{}: not a folder of articles", k.articles.display());
    }
    let store = Store::connect(&args.database).await?;
    let (dir, lang, threshold) = (k.articles.clone(), k.default_lang, k.threshold);
    let engine =
        tokio::task::spawn_blocking(move || SearchEngine::open(&dir, lang, threshold)).await??;
    let report = gaps::build_report(&store, &engine, args.since, now_ms()).await;
    let draft = match (&report, &args.draft) {
        (Ok(report), Some(id)) => Some(match report.cluster(id.trim()) {
            Some(c) if c.class != Class::Need => Err(anyhow::anyhow!(
                "cluster '{id}' is off-topic or gibberish, not a need: it has no draft"
            )),
            Some(c) => gaps::conversation_answers(&store, c)
                .await
                .map(|answers| gaps::draft(c, &gaps::date_of(now_ms()), &answers)),
            None => Err(anyhow::anyhow!(
                "no cluster '{id}' in the gap report of the last {}: ids change with the period, \
                 use the --since of the report",
                report.period
            )),
        }),
        _ => None,
    };
    store.close().await;
    let report = report?;
    if let Some(draft) = draft {
        return draft;
    }
    if args.json {
        return Ok(format!("{}\n", serde_json::to_string_pretty(&report)?));
    }
    Ok(text(&report))
}

/// Bars for counts per day: `▁▂▃▄▅▆▇█`, a dot for none.
fn bars(per_day: &[usize]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = per_day.iter().copied().max().unwrap_or(0).max(1);
    per_day
        .iter()
        .map(|&n| {
            if n == 0 {
                '·'
            } else {
                LEVELS[((n * LEVELS.len()).div_ceil(max)).clamp(1, LEVELS.len()) - 1]
            }
        })
        .collect()
}

fn cluster_lines(out: &mut String, n: usize, c: &Cluster) {
    use std::fmt::Write;
    let _ = writeln!(out, "{n:>3}. {}  [{}]  {}", c.title, c.lang, c.id);
    let _ = writeln!(
        out,
        "     {} people: {} questions, {} searches; {} ({} before)  {}",
        c.customers,
        c.asked,
        c.searched,
        c.trend.change,
        c.trend.previous,
        bars(&c.trend.per_day)
    );
    let examples: Vec<String> = c.examples.iter().map(|e| format!("«{e}»")).collect();
    let _ = writeln!(out, "     {}", examples.join(" · "));
    if !c.shown.is_empty() {
        let shown: Vec<String> = c
            .shown
            .iter()
            .map(|a| format!("{} ×{}", a.slug, a.count))
            .collect();
        let _ = writeln!(out, "     shown: {}", shown.join(", "));
    }
    if let Some(cov) = &c.covered {
        let _ = writeln!(
            out,
            "     covered by {} «{}» ({}/{} phrasings)",
            cov.slug, cov.title, cov.answered, cov.of
        );
    }
}

/// The report as readable text.
pub fn text(r: &GapReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let open = r
        .clusters
        .iter()
        .filter(|c| c.covered.is_none() && c.class == Class::Need)
        .count();
    let _ = writeln!(
        out,
        "Gap report, last {} ({} – {}): {} unresolved questions in {} open needs, {} covered now; \
         {} searches without a result; {} requests for a person after an answer not counted.",
        r.period,
        r.days.first().map_or("", String::as_str),
        r.days.last().map_or("", String::as_str),
        r.questions,
        open,
        r.clusters
            .iter()
            .filter(|c| c.covered.is_some() && c.class == Class::Need)
            .count(),
        r.search_count,
        r.answered_escalations,
    );
    let needs: Vec<&Cluster> = r
        .clusters
        .iter()
        .filter(|c| c.class == Class::Need)
        .collect();
    let noise: Vec<&Cluster> = r
        .clusters
        .iter()
        .filter(|c| c.class != Class::Need)
        .collect();
    let sections: [(&str, &Vec<&Cluster>); 2] = [
        (
            "Needs (chat questions and searches), by people affected",
            &needs,
        ),
        ("Off-topic and gibberish (no article needed)", &noise),
    ];
    for (title, clusters) in sections {
        let _ = writeln!(out, "\n{title}\n");
        if clusters.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for (i, c) in clusters.iter().enumerate() {
            cluster_lines(&mut out, i + 1, c);
        }
    }
    let _ = writeln!(out, "\nArticles with the most \"No\" votes\n");
    if r.articles.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for a in &r.articles {
        let _ = writeln!(
            out,
            "  - {}/{}{}: {} no, {} yes",
            a.lang,
            a.slug,
            a.title
                .as_deref()
                .map(|t| format!(" «{t}»"))
                .unwrap_or_default(),
            a.no,
            a.yes
        );
        for c in &a.comments {
            let _ = writeln!(out, "      «{}» ({})", c.text, gaps::date_of(c.at));
        }
    }
    if !r.dismissed.is_empty() {
        let _ = writeln!(out, "\nDismissed or snoozed\n");
        for d in &r.dismissed {
            let until = d.until.map_or_else(
                || "for good".to_string(),
                |u| format!("until {}", gaps::date_of(u)),
            );
            let _ = writeln!(out, "  - «{}» {until} (hides {})", d.title, d.hides);
        }
    }
    if let Some(c) = needs.iter().find(|c| c.covered.is_none()) {
        let _ = writeln!(
            out,
            "\nDraft an article: otvet gaps --since {} --draft {} > articles/{}",
            r.period,
            c.id,
            gaps::draft_path(c)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_busiest_day() {
        assert_eq!(bars(&[0, 1, 2, 4]), "·▂▄█");
        assert_eq!(bars(&[]), "");
    }
}
