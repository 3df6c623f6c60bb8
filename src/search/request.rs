//! What a search is asked ([`SearchRequest`]) and what it answers ([`SearchResults`]: the
//! [`Hit`]s, each with its best [`SectionRef`]).

use serde::Serialize;

use super::Signals;
use crate::domain::{Lang, Slug};

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    /// What the customer typed, as typed.
    pub query: &'a str,
    /// Only articles of this language; all languages when `None`.
    pub lang: Option<Lang>,
    /// Maximum number of hits (one per article).
    pub limit: usize,
    /// Whether to build snippets (the bot and the API do; `eval` does not need them).
    pub snippets: bool,
    /// Whether to use the embeddings when they are ready (everything but as-you-type
    /// suggestions, which stay lexical for speed).
    pub semantic: bool,
    /// Search the articles of every language but `lang` (the query's), which has none that
    /// answers: by meaning first, with a confidence that does not count on shared words.
    pub across: bool,
}

/// The matching section of a hit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SectionRef {
    /// Heading text.
    pub title: String,
    /// Anchor in the article page.
    pub anchor: String,
}

/// One article found, with its best section.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Article slug.
    pub slug: Slug,
    /// Article language.
    pub lang: Lang,
    /// Article title.
    pub title: String,
    /// The best matching section, if the match is in one.
    pub section: Option<SectionRef>,
    /// Link to the article, or to the section.
    pub url: String,
    /// HTML-escaped text with `<mark>` around matched words.
    pub snippet: String,
    /// 0..1: how sure search is that this article answers the query.
    pub confidence: f32,
    /// Ranking score (not comparable between queries).
    pub score: f32,
    /// The evidence behind the score and confidence.
    #[serde(skip)]
    pub signals: Signals,
}

/// Hits and whether the best one clears the confidence threshold.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Hits, best first, at most one per article.
    pub hits: Vec<Hit>,
    /// Whether the best hit's confidence reaches the threshold.
    pub answered: bool,
    /// The threshold used.
    pub threshold: f32,
    /// The hits are articles of other languages than the query's (see [`SearchRequest::across`]).
    pub across: bool,
    /// The query as search read it when some words were typed on the wrong keyboard layout
    /// («ljcnfdrf» → «доставка»); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
}
