//! The architecture's rules, checked on the source: imports between the top-level modules of
//! `src/` point one way (down the layers of [`LAYERS`], never up, and never in a cycle), nothing
//! below the HTTP layer uses `axum` or `maud`, and no source file is over [`MAX_LINES`] lines
//! before its unit tests. ARCHITECTURE.md explains the layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, from the entry points down. A module may import from its own layer or a lower
/// one. Every top-level module of `src/` must be listed.
const LAYERS: &[(&str, &[&str])] = &[
    ("entry points", &["main", "lib", "cli", "server"]),
    ("HTTP", &["web"]),
    ("configuration", &["config"]),
    (
        "feature services",
        &[
            "chat",
            "mail",
            "bot",
            "agents",
            "analytics",
            "privacy",
            "limits",
        ],
    ),
    (
        "search, articles, store",
        &["search", "articles", "semantic", "store"],
    ),
    ("domain and telemetry", &["domain", "error", "metrics"]),
];

/// Longest source file, in lines before its `#[cfg(test)]` module.
const MAX_LINES: usize = 700;

/// Modules that may use the web framework and the page templates: the HTTP layer and the
/// entry points that start it.
const HTTP_MODULES: &[&str] = &["web", "lib", "main", "server"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A source file: its top-level module and its code before the unit tests, without comments.
struct Source {
    file: String,
    module: String,
    lines_before_tests: usize,
    code: String,
}

fn sources() -> Vec<Source> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let first = rel.split('/').next().unwrap_or(&rel);
            let module = first.trim_end_matches(".rs").to_string();
            let text = std::fs::read_to_string(&path).expect("read a source file");
            let before_tests = text.split("\n#[cfg(test)]").next().unwrap_or(&text);
            let code = before_tests
                .lines()
                .map(|l| match l.find("//") {
                    // Comments and docs (a `//` inside a string literal is rare enough here).
                    Some(i) if !l[..i].contains('"') => &l[..i],
                    _ => l,
                })
                .collect::<Vec<_>>()
                .join("\n");
            Source {
                file: rel,
                module,
                lines_before_tests: before_tests.lines().count(),
                code,
            }
        })
        .collect()
}

/// The top-level modules `code` names through `crate::`, directly or in a `use crate::{…}`.
fn imported(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::X, b::{Y, Z}};`: the first name of each top-level part.
            let group = &group[..group.find(';').unwrap_or(group.len())];
            let mut depth = 0;
            let mut part_start = 0;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(group[part_start..j].trim_start()));
                        part_start = j + 1;
                    }
                    _ => {}
                }
            }
            out.insert(ident(group[part_start..].trim_start()));
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out.remove("");
    out
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// Import edges between top-level modules: (from, to) → the files that make it.
fn edges(sources: &[Source]) -> BTreeMap<(String, String), BTreeSet<String>> {
    let modules: BTreeSet<&str> = sources.iter().map(|s| s.module.as_str()).collect();
    let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for s in sources {
        for to in imported(&s.code) {
            if to != s.module && modules.contains(to.as_str()) {
                edges
                    .entry((s.module.clone(), to))
                    .or_default()
                    .insert(s.file.clone());
            }
        }
    }
    edges
}

#[test]
fn every_top_level_module_has_a_layer() {
    let unknown: BTreeSet<String> = sources()
        .into_iter()
        .map(|s| s.module)
        .filter(|m| layer_of(m).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "top-level modules without a layer in tests/api/architecture.rs: {unknown:?}"
    );
}

#[test]
fn imports_point_down_the_layers() {
    let upward: Vec<String> = edges(&sources())
        .into_iter()
        .filter(|((from, to), _)| match (layer_of(from), layer_of(to)) {
            (Some(a), Some(b)) => b < a,
            _ => false,
        })
        .map(|((from, to), files)| {
            let (fl, tl) = (layer_of(&from).unwrap(), layer_of(&to).unwrap());
            format!(
                "{from} ({}) imports {to} ({}) in {files:?}",
                LAYERS[fl].0, LAYERS[tl].0
            )
        })
        .collect();
    assert!(
        upward.is_empty(),
        "imports pointing up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let edges = edges(&sources());
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from.as_str()).or_default().push(to.as_str());
    }
    // A cycle exists when a depth-first walk meets a module still on its path.
    fn walk<'a>(
        m: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(i) = path.iter().position(|p| *p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m);
            return Some(cycle);
        }
        if !done.insert(m) {
            return None;
        }
        path.push(m);
        for n in next.get(m).into_iter().flatten() {
            if let Some(c) = walk(n, next, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in next.keys() {
        if let Some(cycle) = walk(m, &next, &mut Vec::new(), &mut done) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| {
                    let files = &edges[&(w[0].to_string(), w[1].to_string())];
                    format!("{} -> {} {files:?}", w[0], w[1])
                })
                .collect();
            panic!("import cycle:\n{}", steps.join("\n"));
        }
    }
}

#[test]
fn only_the_http_layer_uses_the_web_framework() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|s| !HTTP_MODULES.contains(&s.module.as_str()))
        .filter(|s| {
            s.code.contains("axum::") || s.code.contains("use axum") || s.code.contains("maud::")
        })
        .map(|s| s.file)
        .collect();
    assert!(
        offenders.is_empty(),
        "axum or maud below the HTTP layer: {offenders:?}"
    );
}

#[test]
fn no_source_file_is_over_the_limit() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|s| s.lines_before_tests > MAX_LINES)
        .map(|s| format!("{} ({} lines)", s.file, s.lines_before_tests))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines before their tests: {long:?}"
    );
}

#[test]
fn the_checks_can_fail() {
    // The import reader sees what the rules are about.
    let code = "use crate::web::state::AppState;\nuse crate::{chat::Chat, store::{Store, chat}};\nfn f() { crate::metrics::message_stored(); }";
    let got: Vec<String> = imported(code).into_iter().collect();
    assert_eq!(got, ["chat", "metrics", "store", "web"]);
    assert!(layer_of("web") < layer_of("store"));
    assert_eq!(layer_of("nonsense"), None);
}
