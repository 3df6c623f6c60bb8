//! What the bot says from the help center: an answer card with the section as typed blocks
//! (paragraphs, lists, tables, spans with bold and links), or a «Вы об этом?» choice between
//! a few sections. The widget renders these with DOM calls; the store keeps them as JSON.

use serde::{Deserialize, Serialize};

use super::Lang;

/// A link to an article in a bot answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleLink {
    /// Article (or section) title.
    pub title: String,
    /// Site-relative URL, with the section anchor.
    pub url: String,
}

/// The help-center part of a bot answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Answer {
    /// The article's title.
    pub title: String,
    /// Link to the section.
    pub url: String,
    /// The section's heading, when the hit is a section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Article slug (for reports).
    pub slug: String,
    /// The search confidence.
    pub confidence: f32,
    /// Up to two other articles.
    #[serde(default)]
    pub alternatives: Vec<ArticleLink>,
    /// Show "Did this help?".
    pub ask_feedback: bool,
    /// The section's content with its structure; the message text is its plain form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
    /// The section was cut to fit a chat bubble: the link has the rest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
    /// The article is in another language than the conversation (none there answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_lang: Option<Lang>,
    /// A line to show above the content, in the conversation's language (for example that
    /// the answer comes from the Russian version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// «Вы об этом?»: the sections the bot hesitates between.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clarify {
    /// Two or three options, the likeliest first.
    pub options: Vec<ClarifyOption>,
}

/// One option of a [`Clarify`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClarifyOption {
    /// Article title.
    pub title: String,
    /// Section heading, when the option is a section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Article slug.
    pub slug: String,
    /// The section's anchor (none for the article's introduction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// The article's language.
    pub lang: Lang,
    /// Link to the section.
    pub url: String,
    /// Search confidence.
    pub confidence: f32,
}

impl ClarifyOption {
    /// "Title — Section", or the title alone.
    pub fn label(&self) -> String {
        match &self.section {
            Some(s) if *s != self.title => format!("{} — {}", self.title, s),
            _ => self.title.clone(),
        }
    }
}

/// A block of an answer's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph.
    Paragraph {
        /// Its text.
        spans: Vec<Span>,
    },
    /// A heading inside the content (a subsection brought along).
    Heading {
        /// Its text.
        spans: Vec<Span>,
    },
    /// A bulleted or numbered list.
    List {
        /// Numbered.
        ordered: bool,
        /// The first number of a numbered list, when not 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<u64>,
        /// Each item's blocks.
        items: Vec<Vec<Block>>,
    },
    /// A table: a header row and body rows of cells.
    Table {
        /// Header cells.
        header: Vec<Vec<Span>>,
        /// Body rows.
        rows: Vec<Vec<Vec<Span>>>,
    },
    /// A quotation or a callout.
    Quote {
        /// Its blocks.
        blocks: Vec<Block>,
    },
    /// Preformatted text.
    Code {
        /// The text.
        text: String,
    },
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Span {
    /// The text (`\n` for a hard line break).
    pub text: String,
    /// Bold.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strong: bool,
    /// Italic.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub em: bool,
    /// Inline code.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub code: bool,
    /// A link: `http(s)`, `mailto:`, `tel:` or a site-relative path, nothing else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

impl Span {
    /// Plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            ..Default::default()
        }
    }

    /// The same style (a neighbour with it can be merged).
    fn same_style(&self, other: &Span) -> bool {
        self.strong == other.strong
            && self.em == other.em
            && self.code == other.code
            && self.href == other.href
    }
}

/// Appends `span` to `spans`, merging it into the last one when they share a style.
pub fn push_span(spans: &mut Vec<Span>, span: Span) {
    if span.text.is_empty() {
        return;
    }
    match spans.last_mut() {
        Some(last) if last.same_style(&span) => last.text.push_str(&span.text),
        _ => spans.push(span),
    }
}

/// Whether a link target may be sent to a customer's browser.
pub fn safe_href(href: &str) -> bool {
    let h = href.trim();
    let lower = h.to_ascii_lowercase();
    (lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:")
        || (h.starts_with('/') && !h.starts_with("//")))
        && !h.chars().any(|c| c.is_control() || c == ' ')
}

/// The characters of text in `blocks`.
pub fn text_len(blocks: &[Block]) -> usize {
    plain(blocks).chars().count()
}

/// The blocks as plain text: paragraphs apart, list items as «• » or «1. », table rows with
/// their cells joined by « — » (for the agent console, history and email).
pub fn plain(blocks: &[Block]) -> String {
    let mut out = Vec::new();
    for b in blocks {
        out.push(plain_block(b, ""));
    }
    out.join("\n\n")
}

fn spans_text(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect::<String>()
}

fn plain_block(b: &Block, indent: &str) -> String {
    match b {
        Block::Paragraph { spans } | Block::Heading { spans } => spans_text(spans).trim().into(),
        Block::Code { text } => text.trim_end().into(),
        Block::Quote { blocks } => plain(blocks),
        Block::List {
            ordered,
            start,
            items,
        } => {
            let first = start.unwrap_or(1);
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let marker = if *ordered {
                        format!("{}. ", first + i as u64)
                    } else {
                        "• ".into()
                    };
                    let inner = format!("{indent}   ");
                    let body: Vec<String> = item.iter().map(|x| plain_block(x, &inner)).collect();
                    format!("{indent}{marker}{}", body.join(&format!("\n{inner}")))
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        Block::Table { header, rows } => {
            let row = |cells: &[Vec<Span>]| {
                cells
                    .iter()
                    .map(|c| spans_text(c).trim().to_string())
                    .collect::<Vec<_>>()
                    .join(" — ")
            };
            let mut lines = vec![row(header)];
            lines.extend(rows.iter().map(|r| row(r)));
            lines.join("\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Block {
        Block::Paragraph {
            spans: vec![Span::text(t)],
        }
    }

    #[test]
    fn spans_merge_by_style() {
        let mut s = Vec::new();
        push_span(&mut s, Span::text("a"));
        push_span(&mut s, Span::text("b"));
        push_span(
            &mut s,
            Span {
                text: "c".into(),
                strong: true,
                ..Default::default()
            },
        );
        push_span(&mut s, Span::text(""));
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "ab");
    }

    #[test]
    fn only_harmless_links_pass() {
        assert!(safe_href("https://example.com/a?b=1"));
        assert!(safe_href("mailto:help@example.com"));
        assert!(safe_href("tel:+78001234567"));
        assert!(safe_href("/ru/articles/refund-timing#when"));
        assert!(!safe_href("javascript:alert(1)"));
        assert!(!safe_href("JaVaScRiPt:alert(1)"));
        assert!(!safe_href("data:text/html,x"));
        assert!(!safe_href("//evil.example/x"));
        assert!(!safe_href("refund-timing"));
        assert!(!safe_href("https://a b"));
    }

    #[test]
    fn plain_text_keeps_lists_and_tables_readable() {
        let blocks = vec![
            p("Intro:"),
            Block::List {
                ordered: true,
                start: None,
                items: vec![vec![p("one")], vec![p("two")]],
            },
            Block::Table {
                header: vec![vec![Span::text("A")], vec![Span::text("B")]],
                rows: vec![vec![vec![Span::text("1")], vec![Span::text("2")]]],
            },
        ];
        assert_eq!(plain(&blocks), "Intro:\n\n1. one\n2. two\n\nA — B\n1 — 2");
        assert_eq!(text_len(&[p("абв")]), 3);
    }

    #[test]
    fn blocks_round_trip_as_tagged_json() {
        let b = Block::List {
            ordered: false,
            start: None,
            items: vec![vec![p("x")]],
        };
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["type"], "list");
        assert_eq!(v["items"][0][0]["type"], "paragraph");
        assert_eq!(v["items"][0][0]["spans"][0]["text"], "x");
        assert!(v["items"][0][0]["spans"][0].get("strong").is_none());
        assert_eq!(serde_json::from_value::<Block>(v).unwrap(), b);
    }
}
