//! `otvet model`: loads the semantic model the server would use and prints what it is, how
//! long it took and how fast it embeds a question, so an operator can check an install.

use std::process::ExitCode;
use std::time::Instant;

use crate::config::ModelArgs;
use crate::semantic::{Kind, model};

/// Questions timed by `otvet model` (Russian, English, German).
const SAMPLES: [&str; 3] = [
    "Здравствуйте, когда привезут мой заказ?",
    "How do I return an item I bought last week?",
    "Wie lange dauert die Lieferung?",
];

/// `otvet model`.
pub fn main(args: &ModelArgs) -> ExitCode {
    println!("pinned: {} (sha256 {})", model::PACKAGE, model::SHA256);
    let m = match model::load(&args.model) {
        Ok(m) => m,
        Err(e) => {
            println!("loaded: none: {e}");
            println!("mode: lexical");
            return ExitCode::FAILURE;
        }
    };
    let i = &m.info;
    println!("loaded: {}", i.path);
    println!(
        "sha256: {} ({})",
        i.sha256,
        if i.pinned {
            "the pinned file"
        } else {
            "not the pinned file"
        }
    );
    println!(
        "encoder: multilingual-e5-small, {} dimensions, {} MB of weights, {}-lane SIMD, loaded in {} ms",
        i.dim, i.weights_mb, i.simd_lanes, i.load_ms
    );
    for q in SAMPLES {
        let _ = m.encoder.embed(Kind::Query, q);
        let runs = 20;
        let t = Instant::now();
        for _ in 0..runs {
            let _ = m.encoder.embed(Kind::Query, q);
        }
        let per = t.elapsed().as_secs_f64() * 1000.0 / runs as f64;
        let tokens = m.encoder.tokens(Kind::Query, q).len() + 2;
        println!("embeds «{q}» ({tokens} tokens) in {per:.1} ms");
    }
    if let Some(path) = &args.bench {
        let queries = match crate::cli::eval::read_queries(path) {
            Ok(q) => q,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        let questions: Vec<&str> = queries.iter().map(|q| q.query.as_str()).collect();
        // Side by side in one run: a question's pass on one core, and split between two (what
        // the server does when no other question is being embedded).
        for threads in [1, 2] {
            bench(&m.encoder, &questions, threads);
        }
    }
    println!("mode: hybrid");
    ExitCode::SUCCESS
}

/// Embeds every question once (after a warm-up) on `threads` threads and prints the latency
/// and token percentiles.
fn bench(encoder: &otvet_encoder::Encoder, questions: &[&str], threads: usize) {
    let embed = |q: &str| encoder.embed_batch_threads(Kind::Query, &[q], threads);
    for q in questions.iter().take(10) {
        let _ = embed(q);
    }
    let mut ms: Vec<f64> = Vec::with_capacity(questions.len());
    let mut tokens: Vec<usize> = Vec::with_capacity(questions.len());
    for q in questions {
        let t = Instant::now();
        let _ = embed(q);
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        tokens.push(encoder.tokens(Kind::Query, q).len() + 2);
    }
    ms.sort_by(f64::total_cmp);
    tokens.sort_unstable();
    let pct = |p: f64| ms[((ms.len() as f64 * p) as usize).min(ms.len() - 1)];
    if ms.is_empty() {
        return;
    }
    println!(
        "{} questions, {threads} thread(s): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; tokens p50 {}, max {}",
        ms.len(),
        pct(0.5),
        pct(0.99),
        ms[ms.len() - 1],
        tokens[tokens.len() / 2],
        tokens[tokens.len() - 1]
    );
}
