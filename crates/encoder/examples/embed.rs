//! Embeds lines of standard input (`q<TAB>text` or `p<TAB>text`) and prints each embedding's
//! first values and the time taken: a check against another implementation, and a quick timing.
use std::io::BufRead;
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: embed MODEL.bin < lines");
    let t = Instant::now();
    let data = std::fs::read(&path).expect("read model");
    let enc = otvet_encoder::Encoder::from_bytes(&data).expect("load model");
    drop(data);
    eprintln!(
        "loaded in {:?}, {} lanes, {} MB of weights",
        t.elapsed(),
        enc.simd_lanes(),
        enc.weight_bytes() >> 20
    );
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let (kind, text) = match line.split_once('\t') {
            Some(("p", t)) => (otvet_encoder::Kind::Passage, t),
            Some((_, t)) => (otvet_encoder::Kind::Query, t),
            None => (otvet_encoder::Kind::Query, line.as_str()),
        };
        let e = enc.embed(kind, text);
        let t = Instant::now();
        for _ in 0..20 {
            let _ = enc.embed(kind, text);
        }
        let took = t.elapsed() / 20;
        let toks = enc.tokens(kind, text);
        println!(
            "{:?}\t{}\t{:?}\t{}",
            took,
            toks.len(),
            &toks[..toks.len().min(12)],
            e.iter()
                .map(|v| format!("{v:.5}"))
                .collect::<Vec<_>>()
                .join(",")
        );
    }
}
