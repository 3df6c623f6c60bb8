//! Snippets: the passage of a hit shown under its title, HTML-escaped, with `<mark>` around
//! the query's words (including the corrected and alternative spellings search used).

use std::collections::BTreeMap;

use tantivy::snippet::SnippetGenerator;

use super::engine::Inner;
use super::query::Concept;
use super::schema::lang_idx;
use crate::domain::Lang;

const SNIPPET_CHARS: usize = 200;
/// Snippets are looked for in the first this many bytes of a section (a long section's match
/// further down still ranks, the snippet then shows its start).
const SNIPPET_SCAN_BYTES: usize = 1600;

pub(super) fn snippet_generator(
    inner: &Inner,
    lang: Lang,
    concepts: &[Concept],
) -> SnippetGenerator {
    let mut terms: BTreeMap<String, f32> = BTreeMap::new();
    for c in concepts {
        for (t, f) in c.variants() {
            let e = terms.entry(t.to_string()).or_default();
            *e = e.max(c.weight * f);
        }
    }
    let mut g = SnippetGenerator::new(
        terms,
        inner.analyzers[lang_idx(lang)].clone(),
        inner.fields.of(lang).body,
        SNIPPET_CHARS,
    );
    g.set_max_num_chars(SNIPPET_CHARS);
    g
}

/// The first text with a highlighted fragment, or the start of the first text.
pub(super) fn make_snippet<'a>(
    g: &SnippetGenerator,
    mut texts: impl Iterator<Item = &'a str>,
) -> String {
    let Some(first) = texts.next() else {
        return String::new();
    };
    for text in std::iter::once(first).chain(texts.take(3)) {
        let mut s = g.snippet(prefix(text, SNIPPET_SCAN_BYTES));
        if !s.highlighted().is_empty() {
            s.set_snippet_prefix_postfix("<mark>", "</mark>");
            return s.to_html();
        }
    }
    let cut: String = first.chars().take(SNIPPET_CHARS).collect();
    let more = cut.len() < first.len();
    format!("{}{}", html_escape(&cut), if more { "…" } else { "" })
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
