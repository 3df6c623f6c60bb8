//! [`Figures`]: the support figures of one day or of a whole period (counts, reply and resolve
//! time samples, ratings, article and search figures), their rates, medians and averages, and
//! how a conversation adds to them.

use super::stats::{median, percentile};
use crate::store::reports::ReportConversation;

/// The figures of one day, or of the whole period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Conversations started.
    pub conversations: u64,
    /// Of them, with a question for the bot or a person.
    pub with_question: u64,
    /// Of them, answered by the bot and never with a person.
    pub self_served: u64,
    /// Of the self-served, those where the customer said "Yes".
    pub self_served_confirmed: u64,
    /// Of those with a question, the ones that reached a person.
    pub escalated: u64,
    /// Times to an agent's first reply (ms), sorted.
    pub first_reply_ms: Vec<i64>,
    /// Times from the queue to resolved (ms), sorted.
    pub resolve_ms: Vec<i64>,
    /// How many ratings of 1, 2, 3, 4 and 5.
    pub ratings: [u64; 5],
    /// Article views (distinct visitors per article and day).
    pub views: u64,
    /// "Was this helpful?" Yes votes.
    pub votes_yes: u64,
    /// "Was this helpful?" No votes.
    pub votes_no: u64,
    /// Bot answers with an article in the chat.
    pub chat_answers: u64,
    /// Of them, called helpful by the customer.
    pub chat_yes: u64,
    /// Of them, called unhelpful.
    pub chat_no: u64,
    /// The chat bot's "I found nothing" replies.
    pub bot_no_answers: u64,
    /// Help-center searches without a confident hit.
    pub searches_without_results: u64,
}

/// `part ÷ whole`, `None` when `whole` is zero.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Figures {
    /// Self-served ÷ with a question.
    pub fn self_service_rate(&self) -> Option<f64> {
        ratio(self.self_served, self.with_question)
    }

    /// Escalated ÷ with a question.
    pub fn escalation_rate(&self) -> Option<f64> {
        ratio(self.escalated, self.with_question)
    }

    /// Median time to an agent's first reply (ms).
    pub fn first_reply_median(&self) -> Option<i64> {
        median(&self.first_reply_ms)
    }

    /// 90th percentile of the time to an agent's first reply (ms).
    pub fn first_reply_p90(&self) -> Option<i64> {
        percentile(&self.first_reply_ms, 90)
    }

    /// Median time from the queue to resolved (ms).
    pub fn resolve_median(&self) -> Option<i64> {
        median(&self.resolve_ms)
    }

    /// Number of ratings.
    pub fn rating_count(&self) -> u64 {
        self.ratings.iter().sum()
    }

    /// The average rating (1–5).
    pub fn csat_average(&self) -> Option<f64> {
        let n = self.rating_count();
        let sum: u64 = self
            .ratings
            .iter()
            .enumerate()
            .map(|(i, c)| (i as u64 + 1) * c)
            .sum();
        ratio(sum, n)
    }

    /// Share of helpful votes among the help center's votes.
    pub fn helpful_share(&self) -> Option<f64> {
        ratio(self.votes_yes, self.votes_yes + self.votes_no)
    }

    /// Adds a conversation started on this day.
    pub(super) fn add_conversation(&mut self, c: &ReportConversation) {
        self.conversations += 1;
        let person = c.queued_at.is_some() || c.assigned_at.is_some();
        if c.answers > 0 || c.no_answers > 0 || person {
            self.with_question += 1;
        }
        if person {
            self.escalated += 1;
        } else if c.answers > 0 {
            self.self_served += 1;
            if c.helpful_answers > 0 {
                self.self_served_confirmed += 1;
            }
        }
        if let Some(ms) = first_reply_ms(c) {
            self.first_reply_ms.push(ms);
        }
        if let (Some(q), Some(r)) = (c.queued_at, c.resolved_at) {
            self.resolve_ms.push((r - q).max(0));
        }
        if let Some(r) = c.rating.filter(|r| (1..=5).contains(r)) {
            self.ratings[r as usize - 1] += 1;
        }
    }

    /// Adds another day's figures (samples are merged, not their medians).
    pub(super) fn add(&mut self, o: &Figures) {
        self.conversations += o.conversations;
        self.with_question += o.with_question;
        self.self_served += o.self_served;
        self.self_served_confirmed += o.self_served_confirmed;
        self.escalated += o.escalated;
        self.first_reply_ms.extend_from_slice(&o.first_reply_ms);
        self.resolve_ms.extend_from_slice(&o.resolve_ms);
        for (a, b) in self.ratings.iter_mut().zip(o.ratings) {
            *a += b;
        }
        self.views += o.views;
        self.votes_yes += o.votes_yes;
        self.votes_no += o.votes_no;
        self.chat_answers += o.chat_answers;
        self.chat_yes += o.chat_yes;
        self.chat_no += o.chat_no;
        self.bot_no_answers += o.bot_no_answers;
        self.searches_without_results += o.searches_without_results;
    }

    pub(super) fn sort(&mut self) {
        self.first_reply_ms.sort_unstable();
        self.resolve_ms.sort_unstable();
    }
}

/// The time (ms) from the queue to an agent's first reply of a conversation, if it has both.
/// The dashboard and [`median_first_reply`](super::median_first_reply) use this one definition.
pub fn first_reply_ms(c: &ReportConversation) -> Option<i64> {
    Some((c.first_reply_at? - c.queued_at?).max(0))
}
