//! The question bank: real customer questions kept by editors in `articles/questions.yaml`, each
//! with the article that must answer it. `otvet check` searches every question and fails when
//! its article is no longer among the first three hits (`search::bank` runs it), so an edit that takes an answer away
//! from customers is caught before it is published.
//!
//! ```yaml
//! ru:
//!   где мой заказ, уже неделю жду: delivery-late
//!   "можно вернуть пылесос, если не подошёл?": return-goods
//!   деньги за возврат так и не пришли:
//!     slug: refund-not-received
//!     note: спрашивают через неделю после возврата в пункте выдачи
//! en:
//!   where is my refund: refund-not-received
//! ```
//!
//! One mapping per language (`ru`, `en`, `de`); in it each question is a key and its value is
//! the expected article's slug, or a mapping with `slug` and an optional `note` shown when the
//! question fails. A question containing `: ` or starting with a YAML indicator (`-`, `?`, `[`,
//! `{`, `!`, `&`, `*`, `#`, `|`, `>`, `'`, `"`, `%`, `@`) is written in quotes. Problems are
//! reported like the articles' own, as `questions.yaml:line: message`.
//!
//! The server never reads this file: it is not an article (not `.md`), so the library skips it.

use std::collections::HashMap;
use std::path::Path;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_norway::Value;

use super::Problem;
use crate::domain::{Lang, Slug};

/// File name of the question bank, directly in the articles folder.
pub const BANK_FILE: &str = "questions.yaml";

/// How far down the hits the expected article may be and still pass.
pub const TOP: usize = 3;

/// One question of the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankEntry {
    /// 1-based line of the question in the file.
    pub line: usize,
    /// The language section it is in.
    pub lang: Lang,
    /// What the customer asked, as written.
    pub question: String,
    /// The article that must answer it.
    pub slug: String,
    /// The editor's note, shown when the question fails.
    pub note: Option<String>,
}

/// Reads `questions.yaml` from the articles folder: `None` when there is no bank.
pub fn load(articles_dir: &Path) -> Option<(Vec<BankEntry>, Vec<Problem>)> {
    let path = articles_dir.join(BANK_FILE);
    if !path.is_file() {
        return None;
    }
    Some(match std::fs::read_to_string(&path) {
        Ok(text) => parse(BANK_FILE, &text),
        Err(e) => (
            Vec::new(),
            vec![Problem::error(
                BANK_FILE,
                1,
                format!("cannot read file: {e}"),
            )],
        ),
    })
}

/// A mapping deserialized in file order with its duplicates (a YAML mapping would refuse them
/// with the line of the mapping, not of the repeated key); `null` is an empty one.
struct Ordered<T>(Vec<(Value, T)>);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<Value, T>()? {
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
            fn visit_unit<E>(self) -> Result<Ordered<T>, E> {
                Ok(Ordered(Vec::new()))
            }
            fn visit_none<E>(self) -> Result<Ordered<T>, E> {
                Ok(Ordered(Vec::new()))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Parses the bank; problems name their lines. Entries with problems are left out.
pub fn parse(file: &str, text: &str) -> (Vec<BankEntry>, Vec<Problem>) {
    const EXPECTED: &str =
        "expected `ru:` followed by lines like `как вернуть товар: return-goods`";
    let mut problems = Vec::new();
    let top: Ordered<Ordered<Value>> = match serde_norway::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line().max(1));
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            problems.push(Problem::error(
                file,
                line,
                format!("invalid question bank: {msg} ({EXPECTED})"),
            ));
            return (Vec::new(), problems);
        }
    };
    let layout = Layout::scan(text);
    let mut entries = Vec::new();
    let mut seen_langs: HashMap<Lang, usize> = HashMap::new();
    for (key, value) in top.0 {
        let code = scalar(&key).unwrap_or_default();
        let section = layout.section(&code);
        let lang_line = section.map_or(1, |s| s.line);
        let lang = match code.parse::<Lang>() {
            Ok(l) => l,
            Err(e) => {
                problems.push(Problem::error(
                    file,
                    lang_line,
                    format!("{e} (the bank's top level is one mapping per language)"),
                ));
                continue;
            }
        };
        if let Some(first) = seen_langs.insert(lang, lang_line) {
            problems.push(Problem::error(
                file,
                lang_line,
                format!("language '{lang}' appears twice (first at line {first})"),
            ));
            continue;
        }
        let questions: Ordered<Value> = value;
        // Questions are found on the lines of this section in order; `from` moves past each.
        let mut from = 0;
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (q, v) in questions.0 {
            let question = scalar(&q).unwrap_or_default();
            let line = section
                .and_then(|s| s.find(&question, &mut from))
                .unwrap_or(lang_line);
            let question = question.trim().to_string();
            if question.is_empty() {
                problems.push(Problem::error(file, line, "empty question".into()));
                continue;
            }
            let key = question.to_lowercase();
            if let Some(first) = seen.insert(key, line) {
                problems.push(Problem::error(
                    file,
                    line,
                    format!("the question \"{question}\" is listed twice (first at line {first})"),
                ));
                continue;
            }
            match entry_value(v) {
                Ok((slug, note)) => match Slug::parse(slug.trim()) {
                    Ok(s) => entries.push(BankEntry {
                        line,
                        lang,
                        question,
                        slug: s.as_str().to_string(),
                        note,
                    }),
                    Err(e) => {
                        problems.push(Problem::error(file, line, format!("\"{question}\": {e}")))
                    }
                },
                Err(msg) => {
                    problems.push(Problem::error(file, line, format!("\"{question}\": {msg}")))
                }
            }
        }
    }
    entries.sort_by_key(|e| e.line);
    (entries, problems)
}

/// A string, number or boolean as text (YAML reads `404: …` as a number key).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The slug and note of one question's value: `slug` or `{slug, note}`.
fn entry_value(v: Value) -> Result<(String, Option<String>), String> {
    match v {
        Value::String(s) => Ok((s, None)),
        Value::Mapping(m) => {
            let mut slug = None;
            let mut note = None;
            for (k, v) in m {
                match (scalar(&k).as_deref(), v) {
                    (Some("slug"), Value::String(s)) => slug = Some(s),
                    (Some("note"), Value::String(s)) => note = Some(s),
                    (Some("note"), Value::Null) => {}
                    (Some(k @ ("slug" | "note")), _) => return Err(format!("'{k}' must be text")),
                    (k, _) => {
                        return Err(format!(
                            "unknown key '{}': use `slug` and an optional `note`",
                            k.unwrap_or("?")
                        ));
                    }
                }
            }
            slug.map(|s| (s, note))
                .ok_or_else(|| "no `slug`: name the article that must answer it".into())
        }
        Value::Null => Err("no article: write the slug after the question".into()),
        _ => Err("expected an article slug, or `slug:` and `note:` under the question".into()),
    }
}

/// Where the keys of the file are: each language section and the lines of its questions.
struct Layout {
    sections: Vec<Section>,
}

struct Section {
    key: String,
    line: usize,
    /// Keys directly under the language, with their 1-based lines, in file order.
    keys: Vec<(String, usize)>,
}

impl Layout {
    fn scan(text: &str) -> Layout {
        let mut sections: Vec<Section> = Vec::new();
        let mut indent: Option<usize> = None;
        for (i, raw) in text.lines().enumerate() {
            let trimmed = raw.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') || raw.starts_with("---") {
                continue;
            }
            let depth = raw.len() - trimmed.len();
            let Some(key) = key_of(trimmed) else { continue };
            if depth == 0 {
                sections.push(Section {
                    key,
                    line: i + 1,
                    keys: Vec::new(),
                });
                indent = None;
            } else if let Some(s) = sections.last_mut() {
                // The first key of a section sets its indentation; deeper ones are `slug:`/`note:`.
                let d = *indent.get_or_insert(depth);
                if depth == d {
                    s.keys.push((key, i + 1));
                }
            }
        }
        Layout { sections }
    }

    fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }
}

impl Section {
    /// The line of `question`, searching from the `from`-th key on (and moving it past).
    fn find(&self, question: &str, from: &mut usize) -> Option<usize> {
        let i = self.keys[*from..]
            .iter()
            .position(|(k, _)| k == question)
            .map(|i| i + *from)
            .or_else(|| self.keys.iter().position(|(k, _)| k == question))?;
        *from = i + 1;
        Some(self.keys[i].1)
    }
}

/// The key of a `key: value` or `key:` line, unquoted; `None` when the line has none.
fn key_of(line: &str) -> Option<String> {
    let line = line.strip_prefix("? ").unwrap_or(line);
    if let Some(rest) = line.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return chars.as_str().trim_start().starts_with(':').then_some(out),
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    c => out.push(c),
                },
                c => out.push(c),
            }
        }
        return None;
    }
    if let Some(rest) = line.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    out.push('\'');
                    continue;
                }
                let after: String = chars.collect();
                return after.trim_start().starts_with(':').then_some(out);
            }
            out.push(c);
        }
        return None;
    }
    if line.starts_with('-') && !line.starts_with("--") {
        return None;
    }
    let end = line
        .find(": ")
        .or_else(|| line.find(":\t"))
        .or_else(|| line.strip_suffix(':').map(str::len))
        .or_else(|| {
            // `key: # comment` or `key:` followed by a comment.
            let (before, _) = line.split_once(" #")?;
            before.trim_end().strip_suffix(':').map(str::len)
        })?;
    Some(line[..end].trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_detailed_entries_with_their_lines() {
        let text = "# bank\nru:\n  где мой заказ, уже неделю жду: delivery-late\n  \"можно вернуть: пылесос?\": return-goods\n\n  деньги не пришли:\n    slug: refund-not-received\n    note: после возврата\nen:\n  'where''s my refund': refund-not-received\n";
        let (entries, problems) = parse("questions.yaml", text);
        assert!(problems.is_empty(), "{problems:?}");
        let got: Vec<(usize, Lang, &str, &str, Option<&str>)> = entries
            .iter()
            .map(|e| {
                (
                    e.line,
                    e.lang,
                    e.question.as_str(),
                    e.slug.as_str(),
                    e.note.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    3,
                    Lang::Ru,
                    "где мой заказ, уже неделю жду",
                    "delivery-late",
                    None
                ),
                (4, Lang::Ru, "можно вернуть: пылесос?", "return-goods", None),
                (
                    6,
                    Lang::Ru,
                    "деньги не пришли",
                    "refund-not-received",
                    Some("после возврата")
                ),
                (
                    10,
                    Lang::En,
                    "where's my refund",
                    "refund-not-received",
                    None
                ),
            ]
        );
    }

    #[test]
    fn malformed_files_name_the_line() {
        let (_, p) = parse(
            "questions.yaml",
            "ru:\n  где заказ: delivery-late\n  [oops\n",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].is_error() && p[0].line >= 3, "{p:?}");
        assert!(p[0].to_string().starts_with("questions.yaml:"), "{}", p[0]);

        let (e, p) = parse(
            "questions.yaml",
            "ru:\n  где заказ: delivery-late\n  как вернуть:\n    slug: return-goods\n    color: red\n  пусто:\nfr:\n  ou est: x\n",
        );
        assert_eq!(e.len(), 1);
        let lines: Vec<usize> = p.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 6, 7], "{p:?}");
        assert!(p[0].message.contains("unknown key 'color'"), "{}", p[0]);
        assert!(p[1].message.contains("no article"), "{}", p[1]);
        assert!(p[2].message.contains("fr"), "{}", p[2]);

        // A list instead of a mapping.
        let (_, p) = parse("questions.yaml", "en:\n  x: login\nru:\n  - где заказ\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].line >= 3, "{p:?}");
        assert!(p[0].message.contains("expected a mapping"), "{p:?}");
    }

    #[test]
    fn duplicates_and_bad_slugs_are_errors() {
        let (e, p) = parse(
            "questions.yaml",
            "ru:\n  где заказ: delivery-late\n  Где заказ: order-status\n  как вернуть: Return Goods\n",
        );
        assert_eq!(e.len(), 1);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0].line, p[1].line), (3, 4));
        assert!(p[0].message.contains("listed twice (first at line 2)"));
        let (e, p) = parse(
            "questions.yaml",
            "ru:\n  где заказ: delivery-late\n  где заказ: order-status\n",
        );
        assert_eq!(e.len(), 1);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 3, "{p:?}");
    }

    #[test]
    fn empty_bank_is_fine() {
        assert_eq!(parse("q.yaml", ""), (Vec::new(), Vec::new()));
        assert_eq!(parse("q.yaml", "ru:\n"), (Vec::new(), Vec::new()));
    }

    #[test]
    fn helpers() {
        assert_eq!(key_of("a: b").as_deref(), Some("a"));
        assert_eq!(key_of("a:").as_deref(), Some("a"));
        assert_eq!(key_of("- a").as_deref(), None);
        assert_eq!(key_of("\"a: b\": c").as_deref(), Some("a: b"));
    }
}
