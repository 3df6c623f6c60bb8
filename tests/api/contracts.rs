//! The contracts typed once in Rust, checked against the scripts and the protocol document:
//! every status, author, notice and error code `console.js`, `widget.js` and `docs/protocol.md`
//! name is one of the server's, and the console explains every error an agent can get, in each
//! of its languages.

use std::collections::BTreeSet;
use std::path::Path;

use otvet::chat::protocol::ErrorCode;
use otvet::domain::{Author, ConversationStatus, EscalationReason, Notice};

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The keys of every `name: { key: …, … }` object literal in `js` (one level, as the console's
/// text tables are written), one set per occurrence.
fn object_keys(js: &str, name: &str) -> Vec<BTreeSet<String>> {
    let mut out = Vec::new();
    let needle = format!("{name}: {{");
    for (i, _) in js.match_indices(&needle) {
        let body = &js[i + needle.len()..];
        let body = &body[..body.find('}').expect("closing brace")];
        // Entries split at commas outside the quoted texts.
        let mut entries = vec![String::new()];
        let mut quote = None;
        for c in body.chars() {
            match (quote, c) {
                (None, '\'' | '"' | '`') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, ',') => {
                    entries.push(String::new());
                    continue;
                }
                _ => {}
            }
            entries.last_mut().unwrap().push(c);
        }
        let keys: BTreeSet<String> = entries
            .iter()
            .filter_map(|entry| {
                let key = entry.split(':').next()?.trim();
                (!key.is_empty()).then(|| key.to_string())
            })
            .collect();
        out.push(keys);
    }
    out
}

/// Every `'word'` compared with `=== ` after `prefix` (e.g. `f.code === 'rate_limited'`).
fn compared(js: &str, prefix: &str) -> BTreeSet<String> {
    let needle = format!("{prefix} === '");
    js.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &js[i + needle.len()..];
            rest[..rest.find('\'').unwrap()].to_string()
        })
        .collect()
}

fn names<T: std::fmt::Display>(all: &[T]) -> BTreeSet<String> {
    all.iter().map(ToString::to_string).collect()
}

#[test]
fn the_console_knows_every_status_and_explains_every_error_in_each_language() {
    let js = read("src/web/agents/assets/console.js");
    let statuses = object_keys(&js, "status");
    assert_eq!(statuses.len(), 3, "one status table per language");
    for keys in &statuses {
        assert_eq!(keys, &names(ConversationStatus::ALL));
    }
    let reasons = object_keys(&js, "reason");
    assert_eq!(reasons.len(), 3);
    for keys in &reasons {
        assert_eq!(keys, &names(EscalationReason::ALL));
    }
    let errors = object_keys(&js, "errors");
    assert_eq!(errors.len(), 3, "one error table per language");
    for keys in &errors {
        assert_eq!(keys, &names(ErrorCode::FOR_AGENTS));
    }
    let codes = compared(&js, "f.code");
    assert!(codes.is_subset(&names(ErrorCode::ALL)), "{codes:?}");
    let authors = compared(&js, "m.author");
    assert!(authors.is_subset(&names(Author::ALL)), "{authors:?}");
}

#[test]
fn the_widget_handles_only_codes_the_server_sends() {
    let js = read("widget/widget.js");
    let codes = compared(&js, "f.code");
    assert!(
        !codes.is_empty(),
        "the widget's error handling was not found"
    );
    assert!(codes.is_subset(&names(ErrorCode::ALL)), "{codes:?}");
    for status in compared(&js, "status") {
        assert!(
            names(ConversationStatus::ALL).contains(&status),
            "widget.js compares a status the server never sends: {status}"
        );
    }
}

#[test]
fn the_protocol_document_lists_exactly_the_error_codes_and_names_every_status() {
    let doc = read("docs/protocol.md");
    let table: BTreeSet<String> = doc
        .lines()
        .skip_while(|l| !l.starts_with("| code | meaning |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect();
    assert_eq!(table, names(ErrorCode::ALL));
    for name in names(ConversationStatus::ALL)
        .into_iter()
        .chain(names(Author::ALL))
        .chain(names(Notice::ALL))
        .chain(names(EscalationReason::ALL))
    {
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/protocol.md never names `{name}`"
        );
    }
}

/// The `type`s a frame enum accepts, as serde lists them when it meets an unknown one.
fn accepted_types<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> BTreeSet<String> {
    let err = serde_json::from_str::<T>(r#"{"type":"__none__"}"#).unwrap_err();
    let msg = err.to_string();
    let list = msg
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("serde's message changed: {msg}"));
    list.split(',')
        .filter_map(|s| s.split('`').nth(1).map(str::to_string))
        .collect()
}

#[test]
fn every_frame_type_is_documented_and_every_handled_one_exists() {
    let doc = read("docs/protocol.md");
    let documented = |t: &str| doc.contains(&format!("{{\"type\":\"{t}\""));
    let customer_in = accepted_types::<otvet::chat::protocol::CustomerIn>();
    let agent_in = accepted_types::<otvet::chat::protocol::AgentIn>();
    assert!(customer_in.contains("hello") && agent_in.contains("claim"));
    for t in customer_in.iter().chain(&agent_in) {
        assert!(documented(t), "docs/protocol.md has no example of `{t}`");
    }
    // What the scripts handle from the server is documented too: the console's frame switch
    // (`function handle(f)`) and the widget's `f.type === …` tests.
    let js = read("src/web/agents/assets/console.js");
    let start = js
        .find("function handle(f) {")
        .expect("the console's frame switch");
    let switch = &js[start..start + js[start..].find("\n  }\n").expect("its end")];
    let handled: BTreeSet<String> = switch
        .match_indices("case '")
        .map(|(i, _)| {
            let rest = &switch[i + "case '".len()..];
            rest[..rest.find('\'').unwrap()].to_string()
        })
        .collect();
    assert!(
        handled.contains("queue") && handled.contains("error"),
        "{handled:?}"
    );
    for t in handled
        .iter()
        .chain(&compared(&read("widget/widget.js"), "f.type"))
    {
        assert!(documented(t), "docs/protocol.md has no example of `{t}`");
    }
}
