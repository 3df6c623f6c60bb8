//! The report: its types (clusters of a need, their trend and coverage, the articles with the
//! most "No" votes) and [`build_report`], which reads a period's unresolved questions and
//! searches without a confident hit from the database and clusters them against the index.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::cluster::{ClusterParams, Context, Entry, normalize};
use super::dismiss::{Dismissal, Rule};
use super::period::format_period;
use super::triage::Class;
use crate::domain::Lang;
use crate::privacy::mask_pii;
use crate::search::SearchEngine;
use crate::store::Store;

/// At most this many of the latest unresolved questions (and as many no-result searches) of
/// each period are read.
pub const MAX_ROWS: i64 = 5_000;
/// Articles listed under "most No votes".
const UNHELPFUL_ARTICLES: i64 = 20;
/// Comments shown per article.
const COMMENTS_PER_ARTICLE: usize = 5;
/// A search typed further within this time replaces the shorter one (instant suggestions search
/// as the visitor types).
const TYPING_WINDOW_MS: i64 = 60_000;

/// Where a text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Chat questions the bot did not resolve.
    Questions,
    /// Help-center searches without a confident hit.
    Searches,
}

/// A text of a cluster and how often it was typed in the period.
#[derive(Debug, Clone, Serialize)]
pub struct Phrasing {
    /// The text, personal data masked.
    pub text: String,
    /// Times typed in the period.
    pub count: usize,
}

/// An article shown (or considered) for a cluster's texts.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleCount {
    /// Slug.
    pub slug: String,
    /// Title (as shown, with the section).
    pub title: String,
    /// Link.
    pub url: String,
    /// How many of the cluster's questions it was shown for.
    pub count: usize,
}

/// How a cluster developed.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// Count per day of the period, aligned with [`GapReport::days`].
    pub per_day: Vec<usize>,
    /// Texts of the same need in the previous period of the same length.
    pub previous: usize,
    /// `new` (none before), `up`, `down` or `same`, against the previous period.
    pub change: &'static str,
}

/// The article that answers a cluster now.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Link.
    pub url: String,
    /// Distinct texts it answers confidently.
    pub answered: usize,
    /// Distinct texts of the cluster.
    pub of: usize,
}

/// Texts of one need: chat questions and help-center searches together.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// Id: a hash of the language and the most central text (the same on the same data; it
    /// may change when new texts join, which is why dismissals also keep the texts).
    pub id: String,
    /// A need, or off-topic, or gibberish.
    pub class: Class,
    /// Language.
    pub lang: Lang,
    /// A title for an article: the most central text, tidied, the wrong keyboard layout decoded.
    pub title: String,
    /// Texts typed in the period: `asked` + `searched`.
    pub size: usize,
    /// Chat questions the bot did not resolve.
    pub asked: usize,
    /// Help-center searches without a confident hit.
    pub searched: usize,
    /// Distinct people it cost: chat customers and search visitors (what the report ranks by).
    pub customers: usize,
    /// Up to [`EXAMPLES`](super::EXAMPLES) distinct texts, the most central first.
    pub examples: Vec<String>,
    /// Every distinct text, the most central first, then the most frequent.
    pub phrasings: Vec<Phrasing>,
    /// Questions per reason (`no_answer`, `not_helpful`, `escalated`).
    pub reasons: BTreeMap<String, usize>,
    /// Articles the bot offered for these questions (which did not resolve them).
    pub shown: Vec<ArticleCount>,
    /// Nearest articles search considered, below the threshold (not shown to the customer).
    pub considered: Vec<ArticleCount>,
    /// A category for the draft, from the articles shown (or plausible ones considered).
    pub category: Option<String>,
    /// Per day and against the previous period.
    pub trend: Trend,
    /// The article that now answers most of its texts, if any.
    pub covered: Option<Coverage>,
    /// The chat questions (conversation, message number), for the draft's body.
    #[serde(skip)]
    pub asked_in: Vec<(i64, i64)>,
    /// Its distinct texts, normalized (what a dismissal remembers).
    #[serde(skip)]
    pub keys: Vec<String>,
}

/// An article with "No" votes in the period.
#[derive(Debug, Clone, Serialize)]
pub struct UnhelpfulArticle {
    /// Language.
    pub lang: String,
    /// Slug.
    pub slug: String,
    /// Title, when the article is still published.
    pub title: Option<String>,
    /// Link.
    pub url: String,
    /// "No" votes.
    pub no: i64,
    /// "Yes" votes.
    pub yes: i64,
    /// The latest comments of "No" votes, personal data masked.
    pub comments: Vec<Comment>,
}

/// A comment left with a "No" vote.
#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    /// The text, personal data masked.
    pub text: String,
    /// When (ms).
    pub at: i64,
}

/// The whole gap report of one period.
#[derive(Debug, Clone, Serialize)]
pub struct GapReport {
    /// Start of the period (ms, inclusive).
    pub since: i64,
    /// End of the period (ms, exclusive).
    pub until: i64,
    /// The period as asked: `7d`, `30d`…
    pub period: String,
    /// The days of the period (UTC, `YYYY-MM-DD`), for the trends.
    pub days: Vec<String>,
    /// The confidence threshold of search.
    pub threshold: f32,
    /// Unresolved questions in the period (content gaps; see `answered_escalations`).
    pub questions: usize,
    /// Requests for a person after the bot had answered and the customer had not said "No":
    /// not content gaps, not clustered.
    pub answered_escalations: usize,
    /// No-result searches in the period (after merging what was typed on the way).
    pub search_count: usize,
    /// Questions and searches together, one cluster per need: needs first (open ones by the
    /// people they cost, then size; then covered ones), then off-topic, then gibberish.
    pub clusters: Vec<Cluster>,
    /// Dismissals and snoozes in force, and how many clusters each hides.
    pub dismissed: Vec<Dismissal>,
    /// Articles with the most "No" votes in the period.
    pub articles: Vec<UnhelpfulArticle>,
}

impl GapReport {
    /// The cluster with this id.
    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id)
    }
}

/// Builds the report of the period of `period` ms ending at `until` (ms) from the database and
/// the current index.
pub async fn build_report(
    store: &Store,
    engine: &SearchEngine,
    period: i64,
    until: i64,
) -> anyhow::Result<GapReport> {
    let since = until - period;
    let before = since - period;
    let current = store.unresolved_between(since, until, MAX_ROWS).await?;
    let previous = store.unresolved_between(before, since, MAX_ROWS).await?;
    let searches_now = store.search_misses_between(since, until, MAX_ROWS).await?;
    let searches_before = store.search_misses_between(before, since, MAX_ROWS).await?;
    let votes = store
        .most_unhelpful_since(since, UNHELPFUL_ARTICLES)
        .await?;
    let comments = store.no_vote_comments_since(since, 1_000).await?;
    let rules: Vec<Rule> = store
        .gap_dismissals(until)
        .await?
        .into_iter()
        .map(Rule::of)
        .collect();
    let answered_escalations = current.iter().filter(|r| r.answered != 0).count();

    let engine = engine.clone();
    tokio::task::spawn_blocking(move || {
        let ctx = Context::new(&engine, since, until);
        let mut entries: Vec<Entry> = Vec::with_capacity(current.len() + previous.len());
        for (rows, is_current) in [(&current, true), (&previous, false)] {
            // Languages are stored from `Lang`; a row in another one is skipped. A request for
            // a person after an answer the customer did not reject is not a content gap.
            for r in rows.iter().filter(|r| r.answered == 0) {
                let Ok(lang) = r.lang.parse() else { continue };
                entries.push(Entry {
                    text: r.text.clone(),
                    lang,
                    at: r.created_at,
                    source: Kind::Questions,
                    customer: Some(r.customer_id),
                    visitor: None,
                    question: Some((r.conversation_id, r.seq)),
                    current: is_current,
                    reason: Some(r.reason.clone()),
                    shown: serde_json::from_str(&r.shown).unwrap_or_default(),
                });
            }
        }
        let questions = current.len() - answered_escalations;
        let mut search_count = 0;
        for (rows, is_current) in [(searches_now, true), (searches_before, false)] {
            for r in collapse_typing(rows) {
                let Ok(lang) = r.lang.parse() else { continue };
                search_count += usize::from(is_current);
                entries.push(Entry {
                    lang,
                    text: r.text,
                    at: r.created_at,
                    source: Kind::Searches,
                    customer: None,
                    visitor: r.visitor,
                    question: None,
                    current: is_current,
                    reason: None,
                    shown: Vec::new(),
                });
            }
        }
        let mut clusters = ctx.clusters(&entries, ClusterParams::default());
        let mut hides = vec![0usize; rules.len()];
        clusters.retain(|c| match rules.iter().position(|r| r.hides(c)) {
            Some(i) => {
                hides[i] += 1;
                false
            }
            None => true,
        });
        sort_by_impact(&mut clusters);
        let dismissed = rules
            .into_iter()
            .zip(hides)
            .map(|(r, hides)| Dismissal {
                id: r.row.id,
                cluster: r.row.cluster_id,
                title: r.row.title,
                until: r.row.until_at,
                at: r.row.created_at,
                hides,
            })
            .collect();

        let snap = engine.snapshot();
        let mut by_article: HashMap<(String, String), Vec<Comment>> = HashMap::new();
        for c in comments {
            let list = by_article.entry((c.lang, c.slug)).or_default();
            if list.len() < COMMENTS_PER_ARTICLE {
                list.push(Comment {
                    text: mask_pii(c.comment.trim()),
                    at: c.at,
                });
            }
        }
        let articles = votes
            .into_iter()
            .map(|v| {
                let title = v
                    .lang
                    .parse::<Lang>()
                    .ok()
                    .zip(crate::domain::Slug::parse(&v.slug).ok())
                    .and_then(|(l, s)| snap.catalog.get(l, &s).map(|a| a.title.clone()));
                UnhelpfulArticle {
                    url: format!("/{}/articles/{}", v.lang, v.slug),
                    comments: by_article
                        .remove(&(v.lang.clone(), v.slug.clone()))
                        .unwrap_or_default(),
                    title,
                    lang: v.lang,
                    slug: v.slug,
                    no: v.no,
                    yes: v.yes,
                }
            })
            .collect();
        GapReport {
            since,
            until,
            period: format_period(period),
            days: ctx.days.clone(),
            threshold: engine.threshold(),
            questions,
            answered_escalations,
            search_count,
            clusters,
            dismissed,
            articles,
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("building the gap report failed: {e}"))
}

/// Needs, then off-topic, then gibberish; within each open clusters first, by the people they
/// cost, then size, then id; covered ones after them.
fn sort_by_impact(clusters: &mut [Cluster]) {
    clusters.sort_by(|a, b| {
        a.class
            .cmp(&b.class)
            .then(a.covered.is_some().cmp(&b.covered.is_some()))
            .then(b.customers.cmp(&a.customers))
            .then(b.size.cmp(&a.size))
            .then(a.id.cmp(&b.id))
    });
}

/// Drops searches that are the beginning of a longer one of the same language typed within
/// [`TYPING_WINDOW_MS`] after them (instant suggestions search on every pause in typing, and the
/// results page searches again what the suggestions did).
fn collapse_typing(
    rows: Vec<crate::store::analytics::SearchMissRow>,
) -> Vec<crate::store::analytics::SearchMissRow> {
    let norm: Vec<String> = rows.iter().map(|r| normalize(&r.text)).collect();
    let mut keep = vec![true; rows.len()];
    for i in 0..rows.len() {
        for j in i + 1..rows.len() {
            if rows[j].created_at - rows[i].created_at > TYPING_WINDOW_MS {
                break;
            }
            let same_visitor = match (&rows[i].visitor, &rows[j].visitor) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            if rows[j].lang == rows[i].lang && same_visitor && norm[j].starts_with(norm[i].as_str())
            {
                keep[i] = false;
                break;
            }
        }
    }
    rows.into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_is_collapsed_into_the_finished_search() {
        use crate::store::analytics::SearchMissRow;
        let row = |text: &str, at: i64| SearchMissRow {
            id: 0,
            visitor: None,
            text: text.into(),
            lang: "ru".into(),
            created_at: at,
        };
        let rows = vec![
            row("крип", 0),
            row("криптова", 400),
            row("Криптовалюта", 900),
            row("криптовалюта", 2_000),
            row("крип", 200_000),
        ];
        let kept: Vec<String> = collapse_typing(rows).into_iter().map(|r| r.text).collect();
        assert_eq!(kept, ["криптовалюта", "крип"]);
    }
}
