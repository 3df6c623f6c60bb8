//! The bot: recognises small talk and requests for a person, answers questions from the help
//! center when search is confident, and says plainly when it is not.

pub mod compose;
pub mod intent;
pub mod person;
pub mod replies;

use serde::Serialize;

use crate::domain::answer::plain;
use crate::domain::{Answer, ArticleLink, Clarify, ClarifyOption, Lang, Slug};
use crate::search::{Hit, SearchEngine, SearchRequest, SearchResults};

/// A message of at most this many words may be a follow-up («а для холодильника?», «а если без
/// чека?»): it is searched again with the previous question.
pub const MAX_FOLLOW_UP_WORDS: usize = 8;
/// Below the threshold, a top hit at least this share of it confident is offered in a «Вы об
/// этом?» choice instead of "nothing found" (0.15 at the default threshold of 0.4).
pub const CLARIFY_FLOOR: f32 = 0.375;
/// The same floor for a choice between articles of another language (higher: such hits are
/// more often wrong; see BENCHMARKS.md, "Across languages").
pub const ACROSS_CLARIFY_FLOOR: f32 = 0.4;
/// Another hit joins the choice when its confidence is at least this share of the threshold.
pub const OPTION_FLOOR: f32 = 0.25;
/// Most options of a choice.
pub const MAX_OPTIONS: usize = 3;

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

impl From<&ClarifyOption> for Shown {
    fn from(o: &ClarifyOption) -> Self {
        Shown {
            slug: o.slug.clone(),
            title: o.label(),
            url: o.url.clone(),
            confidence: o.confidence,
        }
    }
}

/// What the bot makes of a question.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A confident answer: text to send and the answer card.
    Answer {
        /// The section's text in plain form.
        text: String,
        /// The card.
        answer: Answer,
        /// Everything shown (the answer first).
        shown: Vec<Shown>,
    },
    /// «Вы об этом?»: a few sections, none confident enough alone.
    Clarify {
        /// The question and the options in plain form.
        text: String,
        /// The options.
        clarify: Clarify,
        /// The options as kept for the reports.
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

/// What to do with a question's search results.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Answer with the top hit.
    Answer,
    /// Offer these hits (indices into the results) to choose from.
    Clarify(Vec<usize>),
    /// Say nothing was found.
    Decline,
}

/// The bot's decision on `results`: the top hit when it is confident; a choice between the
/// plausible hits when the top one is in the middle band and another is plausible too;
/// otherwise nothing.
pub fn decide(results: &SearchResults) -> Decision {
    let Some(top) = results.hits.first() else {
        return Decision::Decline;
    };
    if results.answered {
        return Decision::Answer;
    }
    let floor = if results.across {
        ACROSS_CLARIFY_FLOOR
    } else {
        CLARIFY_FLOOR * results.threshold
    };
    if top.confidence < floor {
        return Decision::Decline;
    }
    let options: Vec<usize> = results
        .hits
        .iter()
        .enumerate()
        .take(MAX_OPTIONS)
        .filter(|(_, h)| h.confidence >= OPTION_FLOOR * results.threshold)
        .map(|(i, _)| i)
        .collect();
    if options.len() < 2 {
        return Decision::Decline;
    }
    Decision::Clarify(options)
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
        across: false,
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

/// The search the bot answers from: [`search_in_context`] in the conversation's language,
/// then, when nothing there is confident and the embeddings are ready, the articles of the
/// other languages by meaning (a German question answered from the Russian article).
pub fn find(
    search: &SearchEngine,
    question: &str,
    context: &[String],
    lang: Option<Lang>,
    limit: usize,
    snippets: bool,
) -> SearchResults {
    let own = search_in_context(search, question, context, lang, limit, snippets);
    let Some(lang) = lang else { return own };
    let own_decision = decide(&own);
    if own_decision == Decision::Answer || !search.semantic().is_some_and(|s| s.is_current()) {
        return own;
    }
    let across = search.search(&SearchRequest {
        query: question,
        lang: Some(lang),
        limit,
        snippets,
        semantic: true,
        across: true,
    });
    // Another language's answer wins over a choice here; its choice only over nothing.
    let wins = match decide(&across) {
        Decision::Answer => true,
        Decision::Clarify(_) => own_decision == Decision::Decline,
        Decision::Decline => own.hits.is_empty(),
    };
    if wins { across } else { own }
}

/// Answers a customer's question from the help center; `context` holds the customer's
/// earlier messages in the conversation (for follow-ups).
pub fn answer(search: &SearchEngine, question: &str, context: &[String], lang: Lang) -> Reply {
    let results = find(search, question, context, Some(lang), 3, true);
    // Never an article for a request for a person the lexicon missed.
    if let Some(sem) = search.semantic().filter(|s| s.is_current()) {
        let nearest_article = results
            .hits
            .iter()
            .filter(|h| h.lang == lang)
            .map(|h| h.signals.sem_top)
            .next()
            .unwrap_or(0.0);
        if person::is_request(sem, &sem.query(question), nearest_article) {
            return Reply::Human;
        }
    }
    let considered = || results.hits.iter().map(shown_of).collect::<Vec<_>>();
    match decide(&results) {
        Decision::Decline => Reply::NoAnswer {
            considered: considered(),
        },
        Decision::Clarify(options) => {
            let options: Vec<ClarifyOption> = options
                .into_iter()
                .map(|i| option_of(&results.hits[i]))
                .collect();
            let mut text = replies::clarify(lang).to_string();
            for o in &options {
                text.push_str("\n• ");
                text.push_str(&o.label());
            }
            Reply::Clarify {
                text,
                shown: options.iter().map(Shown::from).collect(),
                clarify: Clarify { options },
            }
        }
        Decision::Answer => {
            let best = &results.hits[0];
            // Alternatives must be plausible too: half the threshold at least.
            let floor = results.threshold * 0.5;
            let others: Vec<&Hit> = results
                .hits
                .iter()
                .skip(1)
                .filter(|h| h.confidence >= floor)
                .take(2)
                .collect();
            let mut shown = vec![shown_of(best)];
            shown.extend(others.iter().map(|h| shown_of(h)));
            let alternatives = others
                .iter()
                .map(|h| ArticleLink {
                    title: h.title.clone(),
                    url: h.url.clone(),
                })
                .collect();
            match answer_from(search, &option_of(best), lang, true) {
                Some((text, mut answer)) => {
                    answer.alternatives = alternatives;
                    Reply::Answer {
                        text,
                        answer,
                        shown,
                    }
                }
                None => Reply::NoAnswer {
                    considered: considered(),
                },
            }
        }
    }
}

/// The answer card and its plain text for one section (a hit, or the option a customer
/// chose), in a conversation in `lang`; `None` when the article is gone since.
pub fn answer_from(
    search: &SearchEngine,
    option: &ClarifyOption,
    lang: Lang,
    ask_feedback: bool,
) -> Option<(String, Answer)> {
    let slug = Slug::parse(&option.slug).ok()?;
    let part = search.part(option.lang, &slug, option.anchor.as_deref())?;
    let (blocks, more) = compose::content(&part);
    let other = (part.lang != lang).then_some(part.lang);
    let note = other.map(|l| replies::from_other_language(lang, l).to_string());
    let mut text = plain(&blocks);
    if text.trim().is_empty() {
        text = part.title.clone();
    }
    if let Some(n) = &note {
        text = format!("{n}\n\n{text}");
    }
    Some((
        text,
        Answer {
            title: part.title,
            url: part.url,
            section: part.part.heading,
            slug: option.slug.clone(),
            confidence: option.confidence,
            alternatives: Vec::new(),
            ask_feedback,
            blocks,
            more,
            article_lang: other,
            note,
        },
    ))
}

fn shown_of(h: &Hit) -> Shown {
    Shown {
        slug: h.slug.to_string(),
        title: match &h.section {
            Some(s) if s.title != h.title => format!("{} — {}", h.title, s.title),
            _ => h.title.clone(),
        },
        url: h.url.clone(),
        confidence: h.confidence,
    }
}

fn option_of(h: &Hit) -> ClarifyOption {
    ClarifyOption {
        title: h.title.clone(),
        section: h.section.as_ref().map(|s| s.title.clone()),
        slug: h.slug.to_string(),
        anchor: h.section.as_ref().map(|s| s.anchor.clone()),
        lang: h.lang,
        url: h.url.clone(),
        confidence: h.confidence,
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
}
