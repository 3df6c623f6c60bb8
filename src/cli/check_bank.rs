//! The question-bank half of `otvet check`: reads `articles/questions.yaml`, searches every
//! question with the server's own engine and prints each regression or unknown slug as
//! `file:line: message` (see [`crate::articles::bank`]).

use crate::articles::bank::{self, BANK_FILE, TOP};
use crate::config::CheckArgs;
use crate::search::SearchEngine;
use crate::search::bank::check;

/// Checks the question bank of the articles folder, printing problems on stdout and a summary on
/// stderr; returns the number of errors (0 when there is no bank).
pub fn run(args: &CheckArgs) -> usize {
    let dir = &args.knowledge.articles;
    let Some((entries, mut problems)) = bank::load(dir) else {
        return 0;
    };
    let mut searched = None;
    if !entries.is_empty() {
        match SearchEngine::open(dir, args.knowledge.default_lang, args.knowledge.threshold) {
            Ok(engine) => {
                let report = check(&engine, &entries);
                problems.extend(report.problems.iter().cloned());
                searched = Some(report);
            }
            Err(e) => problems.push(crate::articles::Problem::error(
                BANK_FILE,
                1,
                format!("cannot search the articles: {e:#}"),
            )),
        }
    }
    problems.sort_by_key(|p| p.line);
    for p in &problems {
        let mut p = p.clone();
        p.file = dir.join(&p.file).display().to_string();
        println!("{p}");
    }
    let errors = problems.iter().filter(|p| p.is_error()).count();
    match searched {
        Some(r) => eprintln!(
            "question bank: {} question(s), {} with their article in the top {TOP} ({} first), {errors} error(s)",
            entries.len(),
            r.passed(),
            r.first(),
        ),
        None => eprintln!(
            "question bank: {} question(s), {errors} error(s)",
            entries.len()
        ),
    }
    errors
}
