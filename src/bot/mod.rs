//! The bot: recognises small talk and requests for a person, answers questions from the help
//! center when search is confident, and says plainly when it is not.

pub mod intent;
pub mod person;
pub mod replies;

use serde::Serialize;

use crate::chat::protocol::{Answer, ArticleLink};
use crate::domain::Lang;
use crate::search::{SearchEngine, SearchRequest, SearchResults};

/// Longest answer text taken from a section, in characters.
const MAX_ANSWER_CHARS: usize = 700;
/// A message of at most this many words may be a follow-up («а для холодильника?», «а если без
/// чека?»): it is searched again with the previous question.
pub const MAX_FOLLOW_UP_WORDS: usize = 8;

/// An article the bot showed, as kept for the handoff packet and the gap report.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Shown {
    /// Article slug.
    pub slug: String,
    /// Title (with the section).
    pub title: String,
    /// Link.
    pub url: String,
    /// Search confidence.
    pub confidence: f32,
}

/// What the bot makes of a question.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A confident answer: text to send and the answer card.
    Answer {
        /// The section's text (or the snippet).
        text: String,
        /// The card.
        answer: Answer,
        /// Everything shown (the answer first).
        shown: Vec<Shown>,
    },
    /// Nothing good enough; the hits that were considered.
    NoAnswer {
        /// Best hits below the threshold (not shown to the customer).
        considered: Vec<Shown>,
    },
    /// The message asks for a person in words the intent lexicon does not know (recognised
    /// by its embedding, see [`person`]).
    Human,
}

/// Searches for `question`; when the message is short enough to be a follow-up, also searches
/// the previous message of `context` (the customer's earlier messages, oldest first) joined
/// with it, and keeps whichever is more confident («а если он уже у курьера?» alone is about a
/// late courier; after «как отменить заказ?» it is about cancelling).
pub fn search_in_context(
    search: &SearchEngine,
    question: &str,
    context: &[String],
    lang: Option<Lang>,
    limit: usize,
    snippets: bool,
) -> SearchResults {
    let req = |query| SearchRequest {
        query,
        lang,
        limit,
        snippets,
        semantic: true,
    };
    let alone = search.search(&req(question));
    if question.split_whitespace().count() > MAX_FOLLOW_UP_WORDS {
        return alone;
    }
    let Some(previous) = context.iter().rev().find(|c| !c.trim().is_empty()) else {
        return alone;
    };
    let joined = format!("{previous} {question}");
    let with = search.search(&req(&joined));
    let top = |r: &SearchResults| r.hits.first().map_or(0.0, |h| h.confidence);
    if with.answered && top(&with) > top(&alone) {
        with
    } else {
        alone
    }
}

/// Answers a customer's question from the help center; `context` holds the customer's
/// earlier messages in the conversation (for follow-ups).
pub fn answer(search: &SearchEngine, question: &str, context: &[String], lang: Lang) -> Reply {
    let results = search_in_context(search, question, context, Some(lang), 3, true);
    // Never an article for a request for a person the lexicon missed.
    if let Some(sem) = search.semantic().filter(|s| s.is_current()) {
        let nearest_article = results.hits.first().map_or(0.0, |h| h.signals.sem_top);
        if person::is_request(sem, &sem.query(question), nearest_article) {
            return Reply::Human;
        }
    }
    let shown_of = |h: &crate::search::Hit| Shown {
        slug: h.slug.to_string(),
        title: match &h.section {
            Some(s) if s.title != h.title => format!("{} — {}", h.title, s.title),
            _ => h.title.clone(),
        },
        url: h.url.clone(),
        confidence: h.confidence,
    };
    let Some(best) = results.hits.first().filter(|_| results.answered) else {
        return Reply::NoAnswer {
            considered: results.hits.iter().map(shown_of).collect(),
        };
    };
    let snap = search.snapshot();
    let article = snap.catalog.articles.get(&(best.lang, best.slug.clone()));
    let section_text = article.and_then(|a| match &best.section {
        Some(s) => a
            .sections
            .iter()
            .find(|x| x.anchor == s.anchor)
            .map(|x| x.text.clone()),
        None => Some(a.intro.clone()),
    });
    let text = section_text
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(|t| shorten(&t, MAX_ANSWER_CHARS))
        .unwrap_or_else(|| strip_marks(&best.snippet));
    // Alternatives must be plausible too: half the threshold at least.
    let floor = results.threshold * 0.5;
    let alternatives: Vec<ArticleLink> = results
        .hits
        .iter()
        .skip(1)
        .filter(|h| h.confidence >= floor)
        .take(2)
        .map(|h| ArticleLink {
            title: h.title.clone(),
            url: h.url.clone(),
        })
        .collect();
    let mut shown = vec![shown_of(best)];
    shown.extend(
        results
            .hits
            .iter()
            .skip(1)
            .filter(|h| h.confidence >= floor)
            .take(2)
            .map(shown_of),
    );
    Reply::Answer {
        text,
        answer: Answer {
            title: best.title.clone(),
            url: best.url.clone(),
            section: best.section.as_ref().map(|s| s.title.clone()),
            slug: best.slug.to_string(),
            confidence: best.confidence,
            alternatives,
            ask_feedback: true,
        },
        shown,
    }
}

/// Cuts `text` to at most `max` characters at a sentence or word end, with "…".
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at_sentence = cut
        .rfind(['.', '!', '?', '\n'])
        .filter(|&i| i > max / 2)
        .map(|i| cut[..=i].to_string());
    at_sentence.unwrap_or_else(|| {
        let end = cut.rfind(' ').unwrap_or(cut.len());
        format!("{}…", cut[..end].trim_end())
    })
}

/// The snippet as plain text: marks removed, entities decoded.
fn strip_marks(snippet: &str) -> String {
    snippet
        .replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_at_a_sentence() {
        let t = "Первое предложение. ".repeat(60);
        let s = shorten(&t, 100);
        assert!(s.chars().count() <= 100);
        assert!(s.ends_with('.'), "{s}");
        assert_eq!(shorten("коротко", 100), "коротко");
        let words = "слово ".repeat(50);
        assert!(shorten(&words, 40).ends_with('…'));
    }

    #[test]
    fn snippets_become_text() {
        assert_eq!(
            strip_marks("<mark>Возврат</mark> &lt;b&gt; &amp; всё"),
            "Возврат <b> & всё"
        );
    }
}
