//! The gap report: what customers asked that the help center did not answer, grouped into
//! clusters of the same need, ranked by how many customers each affects; help-center searches
//! without a confident hit, grouped the same way; and the articles with the most "No" votes.
//!
//! # Clustering
//!
//! Identical texts (lowercased, spaces collapsed, end punctuation dropped) form one node. Each
//! node is read the way search reads a query ([`query::concepts`]): analyzed per language
//! (stemming, `ё`→`е`, stop words), words typed on the wrong keyboard layout converted, synonyms
//! of `synonyms.yaml` added, unknown words corrected against the articles' vocabulary. What the
//! articles cannot fix is fixed with the texts themselves: a word other texts use as typed is
//! kept (search's correction towards an article word is undone), a Latin word whose ЙЦУКЕН
//! reading other texts use is converted, a stem the stemmer cut short («отмена» → «отм») joins
//! the longer one, and a one-off word within search's typo distance of a word two other texts
//! use is corrected to it. Greetings and politeness («здравствуйте», «подскажите») are dropped.
//!
//! A node becomes two unit vectors: its **words**, each weighted by IDF^[`IDF_POWER`] (1.5)
//! over the period's texts, the language's articles and [`BACKGROUND_DOCS`] empty documents (so
//! a handful of texts about one thing does not make its word look common; a word's synonyms
//! share its weight); and the **articles** search finds for it (hits with at least
//! [`RUNNER_UP`] of the best confidence), by confidence. The similarity of two texts is
//!
//! `(1 − l)·cos(words) + l·cos(articles)·(½ + ½·min(1, cos(words)/0.2))`,
//!
//! where `l` = [`ARTICLE_WEIGHT`] (0.5) times how sure search is of both
//! (`min(1, best confidence / threshold)²` each). So «как вернуть телевизор» and «возврат
//! товара» meet through the returns article, «как вернуть деньги» stays with the refunds one,
//! and two texts without a word in common need more than one wrong confident hit to meet.
//! Nodes are merged by average linkage (UPGMA, weighted by how often each text was typed) while
//! the average similarity between two clusters is at least [`MERGE_THRESHOLD`] (0.25).
//!
//! Measured on 64 labelled questions of 18 needs (`tests/api/gaps.rs`): pairwise precision
//! 0.95 and recall 0.69 with the sample shop's articles; 0.93 and 0.44 with articles about
//! something else (words alone).
//!
//! A cluster's id is a hash of its language and its most central text (the highest similarity
//! to the others, weighted by how often each was typed; one typed without fixes if any), so the
//! same data gives the same ids on every run. Texts of the previous period of the same length
//! join the cluster they are on average most similar to (above the threshold), for the trend.
//!
//! # Covered
//!
//! Every text is searched against the current index when the report is built. A cluster is
//! *covered* when more than half of its distinct texts get a confident hit (confidence at least
//! the threshold) from one same article — not counting an article offered for that very
//! question that did not resolve it, unless the article was edited since (its `updated` date is
//! later, or search is now clearly surer of it for the text).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::bot::Shown;
use crate::domain::{Lang, category_slug};
use crate::privacy::mask_pii;
use crate::search::{SearchEngine, SearchRequest, analyzer, layout, query};
use crate::state::AppState;
use crate::store::Store;

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;
/// The period of a report when none is asked for.
pub const DEFAULT_PERIOD: &str = "30d";
/// Longest period accepted.
pub const MAX_PERIOD_MS: i64 = 366 * DAY_MS;
/// At most this many of the latest unresolved questions (and as many no-result searches) of
/// each period are read.
pub const MAX_ROWS: i64 = 5_000;
/// Average similarity two clusters need to be merged.
pub const MERGE_THRESHOLD: f32 = 0.25;
/// λ: the share of the similarity that comes from the articles search finds for both texts.
pub const ARTICLE_WEIGHT: f32 = 0.5;
/// Example texts shown per cluster.
pub const EXAMPLES: usize = 5;
/// Texts put in a draft's `questions:`.
pub const DRAFT_QUESTIONS: usize = 12;
/// Articles listed under "most No votes".
const UNHELPFUL_ARTICLES: i64 = 20;
/// Comments shown per article.
const COMMENTS_PER_ARTICLE: usize = 5;
/// A search typed further within this time replaces the shorter one (instant suggestions search
/// as the visitor types).
const TYPING_WINDOW_MS: i64 = 60_000;
/// How much surer search must be of an article that did not resolve a question before it
/// counts as answering it (the article was edited to answer it).
const SURER: f32 = 0.15;
/// Word similarity from which shared articles count fully.
const WORDS_FOR_ARTICLES: f32 = 0.2;
/// Words are weighted by their IDF to this power.
pub const IDF_POWER: f32 = 1.5;
/// Empty documents added to the texts and articles when weighing words (see `featurize`).
pub const BACKGROUND_DOCS: f32 = 60.0;
/// Hits kept for a text's articles: those with at least this share of the best confidence.
pub const RUNNER_UP: f32 = 0.8;
/// Pair similarities below this are treated as 0 (keeps the graph sparse).
const EDGE_FLOOR: f32 = 0.08;
/// Hits per text used for the article part of its vector.
const HITS: usize = 3;
/// Longest search text stored.
const MAX_LOGGED_CHARS: usize = 500;

// ---------------------------------------------------------------------------------------------
// Periods

/// Parses a period: `7d`, `24h`, `2w`, or a number of days; from one hour to 366 days.
pub fn parse_period(s: &str) -> Result<i64, String> {
    let t = s.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a period: use e.g. 7d, 24h or 2w"))?;
    let unit_ms = match unit.trim() {
        "" | "d" | "day" | "days" => DAY_MS,
        "h" | "hour" | "hours" => DAY_MS / 24,
        "w" | "week" | "weeks" => 7 * DAY_MS,
        _ => return Err(format!("'{s}' is not a period: use e.g. 7d, 24h or 2w")),
    };
    let ms = n.saturating_mul(unit_ms);
    if !(DAY_MS / 24..=MAX_PERIOD_MS).contains(&ms) {
        return Err(format!("'{s}': a period is from 1h to 366d"));
    }
    Ok(ms)
}

/// A period as `parse_period` reads it back: `7d`, or `36h` when not whole days.
pub fn format_period(ms: i64) -> String {
    if ms % DAY_MS == 0 {
        format!("{}d", ms / DAY_MS)
    } else {
        format!("{}h", ms / (DAY_MS / 24))
    }
}

/// `YYYY-MM-DD` (UTC) of a time in ms.
pub fn date_of(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The report

/// Which texts a cluster groups.
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

/// Texts of one need.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// Stable id: a hash of the language and the most central text.
    pub id: String,
    /// What it groups.
    pub kind: Kind,
    /// Language.
    pub lang: Lang,
    /// A title for an article: the most central text, tidied.
    pub title: String,
    /// Texts typed in the period.
    pub size: usize,
    /// Distinct customers who asked (questions only).
    pub customers: Option<usize>,
    /// Up to [`EXAMPLES`] distinct texts, the most central first.
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
    /// Unresolved questions in the period.
    pub questions: usize,
    /// Their clusters: open ones by impact (distinct customers, then size), then covered ones.
    pub clusters: Vec<Cluster>,
    /// No-result searches in the period (after merging what was typed on the way).
    pub search_count: usize,
    /// Their clusters, by size; covered ones last.
    pub searches: Vec<Cluster>,
    /// Articles with the most "No" votes in the period.
    pub articles: Vec<UnhelpfulArticle>,
}

impl GapReport {
    /// The cluster (of questions or of searches) with this id.
    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters
            .iter()
            .chain(&self.searches)
            .find(|c| c.id == id)
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

    let engine = engine.clone();
    tokio::task::spawn_blocking(move || {
        let ctx = Context::new(&engine, since, until);
        let mut entries: Vec<Entry> = Vec::with_capacity(current.len() + previous.len());
        for (rows, is_current) in [(&current, true), (&previous, false)] {
            // Languages are stored from `Lang`; a row in another one is skipped.
            for r in rows {
                let Ok(lang) = r.lang.parse() else { continue };
                entries.push(Entry {
                    text: r.text.clone(),
                    lang,
                    at: r.created_at,
                    customer: Some(r.customer_id),
                    current: is_current,
                    reason: Some(r.reason.clone()),
                    shown: serde_json::from_str(&r.shown).unwrap_or_default(),
                });
            }
        }
        let questions = current.len();
        let mut clusters = ctx.clusters(Kind::Questions, &entries, ClusterParams::default());
        sort_by_impact(&mut clusters);

        let mut entries = Vec::new();
        let mut search_count = 0;
        for (rows, is_current) in [(searches_now, true), (searches_before, false)] {
            for r in collapse_typing(rows) {
                let Ok(lang) = r.lang.parse() else { continue };
                search_count += usize::from(is_current);
                entries.push(Entry {
                    lang,
                    text: r.text,
                    at: r.created_at,
                    customer: None,
                    current: is_current,
                    reason: None,
                    shown: Vec::new(),
                });
            }
        }
        let mut searches = ctx.clusters(Kind::Searches, &entries, ClusterParams::default());
        sort_by_impact(&mut searches);

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
            clusters,
            search_count,
            searches,
            articles,
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("building the gap report failed: {e}"))
}

/// Open clusters first, by distinct customers, then size, then id; covered ones after them.
fn sort_by_impact(clusters: &mut [Cluster]) {
    clusters.sort_by(|a, b| {
        a.covered
            .is_some()
            .cmp(&b.covered.is_some())
            .then(b.customers.unwrap_or(0).cmp(&a.customers.unwrap_or(0)))
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
            if rows[j].lang == rows[i].lang && norm[j].starts_with(norm[i].as_str()) {
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

// ---------------------------------------------------------------------------------------------
// Recording searches

/// Records a help-center search whose best hit did not clear the threshold (masked), in the
/// background: never delays or fails the search. Texts with fewer than three letters or digits
/// are not kept.
pub fn record_search_miss(state: &AppState, text: &str, lang: Option<Lang>) {
    let text = text.trim();
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
        return;
    }
    let lang = lang.unwrap_or_else(|| {
        if text
            .chars()
            .any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
        {
            Lang::Ru
        } else {
            state.config.default_lang
        }
    });
    let masked = mask_pii(&text.chars().take(MAX_LOGGED_CHARS).collect::<String>());
    let store = state.store.clone();
    tokio::spawn(async move {
        let now = crate::domain::now_ms();
        if let Err(e) = store.record_search_miss(&masked, lang.code(), now).await {
            tracing::warn!(error = ?e, "cannot record a search without results");
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Clustering

/// Something a customer typed, to be clustered.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The text (masked).
    pub text: String,
    /// Its language.
    pub lang: Lang,
    /// When (ms).
    pub at: i64,
    /// Who (for questions).
    pub customer: Option<i64>,
    /// In the report's period (else in the previous one).
    pub current: bool,
    /// Why it is unresolved (for questions).
    pub reason: Option<String>,
    /// What the bot showed or considered.
    pub shown: Vec<Shown>,
}

/// The clustering's parameters.
#[derive(Debug, Clone, Copy)]
pub struct ClusterParams {
    /// Average similarity needed to merge.
    pub threshold: f32,
    /// λ: weight of the shared articles in the similarity.
    pub article_weight: f32,
}

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams {
            threshold: MERGE_THRESHOLD,
            article_weight: ARTICLE_WEIGHT,
        }
    }
}

/// What a report needs besides the texts: the index and the period.
pub struct Context<'a> {
    engine: &'a SearchEngine,
    since: i64,
    days: Vec<String>,
}

/// A search hit kept per text.
#[derive(Debug, Clone)]
struct TopHit {
    slug: String,
    title: String,
    url: String,
    confidence: f32,
    /// The article's `updated` date.
    updated: Option<String>,
}

/// One distinct text.
struct Node {
    key: String,
    text: String,
    lang: Lang,
    entries: Vec<usize>,
    current: usize,
    all: usize,
    lex: Vec<(u32, f32)>,
    art: Vec<(u32, f32)>,
    /// How sure search is about the articles in `art`: the best hit's confidence.
    strength: f32,
    /// Every word as typed: no typo, layout or stem fixed (preferred for titles).
    clean: bool,
    top: Option<TopHit>,
}

/// One word of a text as used for clustering: its terms with factors; the first is the primary.
#[derive(Debug, Clone)]
struct Rep {
    /// The term as typed (analyzed, or converted from the wrong layout by search).
    raw: String,
    terms: Vec<(String, f32)>,
    /// Unknown to the articles: the texts themselves may fix it (or undo search's correction).
    fixable: bool,
}

impl<'a> Context<'a> {
    /// A context for the period `[since, until)`.
    pub fn new(engine: &'a SearchEngine, since: i64, until: i64) -> Self {
        let first = since.div_euclid(DAY_MS);
        let last = (until - 1).div_euclid(DAY_MS).max(first);
        let days = (first..=last).map(|d| date_of(d * DAY_MS)).collect();
        Context {
            engine,
            since,
            days,
        }
    }

    /// Groups `entries` into clusters of the same need (see the module docs), unsorted.
    pub fn clusters(&self, kind: Kind, entries: &[Entry], params: ClusterParams) -> Vec<Cluster> {
        let mut nodes = nodes_of(entries);
        if nodes.is_empty() {
            return Vec::new();
        }
        self.featurize(&mut nodes);
        let edges = similarities(&nodes, params.article_weight, self.engine.threshold());
        let groups = average_linkage(&nodes, &edges, params.threshold);
        let mut prev_of: HashMap<usize, Vec<usize>> = HashMap::new();
        for (p, g) in assign_previous(&nodes, &edges, &groups, params.threshold) {
            prev_of.entry(g).or_default().push(p);
        }
        groups
            .iter()
            .enumerate()
            .map(|(gi, members)| {
                self.cluster_of(
                    kind,
                    entries,
                    &nodes,
                    &edges,
                    members,
                    prev_of.get(&gi).map_or(&[][..], |v| v),
                )
            })
            .collect()
    }

    /// Word and article vectors of every node.
    fn featurize(&self, nodes: &mut [Node]) {
        let fillers: HashMap<Lang, HashSet<String>> =
            Lang::ALL.iter().map(|&l| (l, filler_terms(l))).collect();
        let mut reps: Vec<Vec<Rep>> = nodes
            .iter()
            .map(|n| {
                let fill = &fillers[&n.lang];
                query::concepts(self.engine, &n.text, n.lang)
                    .into_iter()
                    .filter(|c| !fill.contains(&c.term))
                    .map(|c| {
                        let synonyms: Vec<(String, f32)> =
                            c.alts.iter().filter(|(_, f)| *f >= 0.9).cloned().collect();
                        let fix = c.alts.iter().find(|(_, f)| *f < 0.9).cloned();
                        let fixable = !c.known && synonyms.is_empty();
                        match fix {
                            Some(fix) if !c.known => Rep {
                                raw: c.term,
                                terms: std::iter::once(fix).chain(synonyms).collect(),
                                fixable,
                            },
                            _ => Rep {
                                raw: c.term.clone(),
                                terms: std::iter::once((c.term, 1.0)).chain(synonyms).collect(),
                                fixable,
                            },
                        }
                    })
                    .collect()
            })
            .collect();
        fix_with_corpus(nodes, &mut reps);
        for (n, rs) in nodes.iter_mut().zip(&reps) {
            let latin_in_russian =
                n.lang == Lang::Ru && n.text.chars().any(|c| c.is_ascii_alphabetic());
            n.clean = !latin_in_russian
                && rs
                    .iter()
                    .all(|r| r.terms.first().is_some_and(|t| t.0 == r.raw));
        }

        // Weights: IDF over the texts of both periods together with the language's articles
        // and BACKGROUND_DOCS empty documents, so that a handful of texts about one thing does
        // not make that thing's word look common, while words every article and many texts use
        // («заказ», «вернуть») weigh little.
        let mut total: HashMap<Lang, usize> = HashMap::new();
        let mut df: HashMap<(Lang, String), usize> = HashMap::new();
        for (n, rs) in nodes.iter().zip(&reps) {
            *total.entry(n.lang).or_default() += n.all;
            let uniq: BTreeSet<&str> = rs
                .iter()
                .flat_map(|r| r.terms.iter().map(|(t, _)| t.as_str()))
                .collect();
            for t in uniq {
                *df.entry((n.lang, t.to_string())).or_default() += n.all;
            }
        }
        let mut idf_of: HashMap<(Lang, String), f32> = HashMap::new();
        for lang in Lang::ALL {
            let terms: Vec<&str> = df
                .keys()
                .filter(|(l, _)| *l == lang)
                .map(|(_, t)| t.as_str())
                .collect();
            if terms.is_empty() {
                continue;
            }
            let (kb, articles) = query::article_frequencies(self.engine, lang, &terms);
            let docs = (total[&lang] as u64 + articles) as f32 + BACKGROUND_DOCS;
            let weights: Vec<((Lang, String), f32)> = terms
                .iter()
                .zip(kb)
                .map(|(t, k)| {
                    let d = (df[&(lang, t.to_string())] as u64 + k).max(1) as f32;
                    ((lang, t.to_string()), (1.0 + docs / d).ln())
                })
                .collect();
            idf_of.extend(weights);
        }
        let idf = |lang: Lang, t: &str| idf_of.get(&(lang, t.to_string())).copied().unwrap_or(1.0);
        let mut ids: BTreeMap<String, u32> = BTreeMap::new();
        let mut id_of = |key: String| {
            let next = ids.len() as u32;
            *ids.entry(key).or_insert(next)
        };
        let snap = self.engine.snapshot();
        for (n, rs) in nodes.iter_mut().zip(&reps) {
            let mut lex: BTreeMap<u32, f32> = BTreeMap::new();
            for r in rs {
                let Some((primary, _)) = r.terms.first() else {
                    continue;
                };
                // IDF to the power 1.5: the rarer words of a text say what it is about
                // («вернуть товар» and «вернуть деньги» share a verb, not a need).
                let w = idf(n.lang, primary).powf(IDF_POWER);
                let norm = r.terms.iter().map(|(_, f)| f * f).sum::<f32>().sqrt();
                for (t, f) in &r.terms {
                    let e = lex.entry(id_of(format!("{}:{t}", n.lang))).or_insert(0.0);
                    *e = e.max(w * f / norm.max(1e-6));
                }
            }
            let len = lex.values().map(|v| v * v).sum::<f32>().sqrt();
            n.lex = lex
                .into_iter()
                .filter(|_| len > 0.0)
                .map(|(k, v)| (k, v / len))
                .collect();

            let results = self.engine.search(&SearchRequest {
                query: &n.text,
                lang: Some(n.lang),
                limit: HITS,
                snippets: false,
                semantic: true,
                across: false,
            });
            // The articles search finds, by confidence; runners-up far behind the best say
            // little about what the text is about.
            let best = results.hits.first().map_or(0.0, |h| h.confidence);
            let mut art: BTreeMap<u32, f32> = BTreeMap::new();
            for h in &results.hits {
                if h.confidence > 0.0 && h.confidence >= best * RUNNER_UP {
                    let e = art
                        .entry(id_of(format!("@{}/{}", h.lang, h.slug)))
                        .or_insert(0.0);
                    *e = e.max(h.confidence);
                }
            }
            let len = art.values().map(|v| v * v).sum::<f32>().sqrt();
            n.art = art
                .into_iter()
                .filter(|_| len > 0.0)
                .map(|(k, v)| (k, v / len))
                .collect();
            n.strength = results.hits.first().map_or(0.0, |h| h.confidence);
            n.top = results.hits.first().map(|h| TopHit {
                slug: h.slug.to_string(),
                title: h.title.clone(),
                url: snap
                    .catalog
                    .get(h.lang, &h.slug)
                    .map_or_else(|| h.url.clone(), |a| a.url(None)),
                confidence: h.confidence,
                updated: snap
                    .catalog
                    .get(h.lang, &h.slug)
                    .and_then(|a| a.updated.clone()),
            });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn cluster_of(
        &self,
        kind: Kind,
        entries: &[Entry],
        nodes: &[Node],
        edges: &Edges,
        members: &[usize],
        previous_only: &[usize],
    ) -> Cluster {
        // Centrality: similarity to the others, weighted by how often each was typed.
        let centrality = |i: usize| -> f32 {
            members
                .iter()
                .map(|&j| {
                    let s = if i == j { 1.0 } else { edges.get(i, j) };
                    s * nodes[j].current as f32
                })
                .sum()
        };
        let mut ranked: Vec<(usize, f32)> = members.iter().map(|&i| (i, centrality(i))).collect();
        // The central text names the cluster: one typed without mistakes if there is one.
        ranked.sort_by(|a, b| {
            nodes[b.0]
                .clean
                .cmp(&nodes[a.0].clean)
                .then(b.1.total_cmp(&a.1))
                .then(nodes[b.0].current.cmp(&nodes[a.0].current))
                .then(nodes[a.0].key.len().cmp(&nodes[b.0].key.len()))
                .then(nodes[a.0].key.cmp(&nodes[b.0].key))
        });
        let central = &nodes[ranked[0].0];
        let lang = central.lang;
        let id = cluster_id(kind, lang, &central.key);
        // The central text first, then the most frequent, then the most central.
        let mut order: Vec<(usize, f32)> = ranked.clone();
        order[1..].sort_by(|&(a, ca), &(b, cb)| {
            nodes[b]
                .current
                .cmp(&nodes[a].current)
                .then(cb.total_cmp(&ca))
                .then(nodes[a].key.cmp(&nodes[b].key))
        });
        let phrasings: Vec<Phrasing> = order
            .iter()
            .map(|&(i, _)| Phrasing {
                text: nodes[i].text.clone(),
                count: nodes[i].current,
            })
            .collect();

        let current: Vec<&Entry> = members
            .iter()
            .flat_map(|&i| nodes[i].entries.iter())
            .map(|&e| &entries[e])
            .filter(|e| e.current)
            .collect();
        let previous = members
            .iter()
            .chain(previous_only)
            .flat_map(|&i| nodes[i].entries.iter())
            .filter(|&&e| !entries[e].current)
            .count();
        let mut per_day = vec![0usize; self.days.len()];
        for e in &current {
            let d = (e.at.div_euclid(DAY_MS) - self.since.div_euclid(DAY_MS)).max(0) as usize;
            if let Some(c) = per_day.get_mut(d.min(self.days.len().saturating_sub(1))) {
                *c += 1;
            }
        }
        let size = current.len();
        let change = match previous.cmp(&size) {
            _ if previous == 0 => "new",
            Ordering::Less => "up",
            Ordering::Greater => "down",
            Ordering::Equal => "same",
        };
        let customers = (kind == Kind::Questions).then(|| {
            current
                .iter()
                .filter_map(|e| e.customer)
                .collect::<BTreeSet<_>>()
                .len()
        });
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for e in &current {
            if let Some(r) = &e.reason {
                *reasons.entry(r.clone()).or_default() += 1;
            }
        }
        let threshold = self.engine.threshold();
        let mut shown: BTreeMap<String, ArticleCount> = BTreeMap::new();
        let mut considered: BTreeMap<String, ArticleCount> = BTreeMap::new();
        for e in &current {
            let offered = e.reason.as_deref() != Some("no_answer");
            let mut seen = HashSet::new();
            for s in &e.shown {
                if !seen.insert(s.slug.clone()) {
                    continue;
                }
                let plausible = s.confidence >= threshold * 0.5;
                let into = if offered {
                    &mut shown
                } else if plausible {
                    &mut considered
                } else {
                    continue;
                };
                into.entry(s.slug.clone())
                    .or_insert_with(|| ArticleCount {
                        slug: s.slug.clone(),
                        title: s.title.clone(),
                        url: s.url.clone(),
                        count: 0,
                    })
                    .count += 1;
            }
        }
        let by_count = |m: BTreeMap<String, ArticleCount>| {
            let mut v: Vec<ArticleCount> = m.into_values().collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.slug.cmp(&b.slug)));
            v
        };
        let shown = by_count(shown);
        let considered = by_count(considered);
        let snap = self.engine.snapshot();
        let category = shown.iter().chain(&considered).find_map(|a| {
            let slug = crate::domain::Slug::parse(&a.slug).ok()?;
            snap.catalog.get(lang, &slug)?.category.clone()
        });
        let covered = self.coverage(entries, nodes, members);
        Cluster {
            id,
            kind,
            lang,
            title: title_of(&central.text),
            size,
            customers,
            examples: phrasings
                .iter()
                .take(EXAMPLES)
                .map(|p| p.text.clone())
                .collect(),
            phrasings,
            reasons,
            shown,
            considered,
            category,
            trend: Trend {
                per_day,
                previous,
                change,
            },
            covered,
        }
    }

    /// The article that answers more than half of the cluster's distinct texts confidently, not
    /// counting an article already offered for a text that it did not resolve — unless it was
    /// edited since: its `updated` date is later than that day, or search is now clearly surer
    /// of it for the text (by [`SURER`]) than when it was offered.
    fn coverage(&self, entries: &[Entry], nodes: &[Node], members: &[usize]) -> Option<Coverage> {
        let threshold = self.engine.threshold();
        let mut answers: BTreeMap<&str, (usize, &TopHit)> = BTreeMap::new();
        for &i in members {
            let Some(top) = nodes[i].top.as_ref().filter(|t| t.confidence >= threshold) else {
                continue;
            };
            let still_rejected = nodes[i]
                .entries
                .iter()
                .map(|&e| &entries[e])
                .filter(|e| e.reason.as_deref().is_some_and(|r| r != "no_answer"))
                .any(|e| {
                    e.shown.iter().any(|s| {
                        s.slug == top.slug
                            && s.confidence >= threshold
                            && top.confidence < s.confidence + SURER
                            && top.updated.as_deref().is_none_or(|u| *u <= *date_of(e.at))
                    })
                });
            if still_rejected {
                continue;
            }
            answers.entry(top.slug.as_str()).or_insert((0, top)).0 += 1;
        }
        let (_, (answered, top)) = answers
            .into_iter()
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.0.cmp(a.0)))?;
        (answered * 2 > members.len()).then(|| Coverage {
            slug: top.slug.clone(),
            title: top.title.clone(),
            url: top.url.clone(),
            answered,
            of: members.len(),
        })
    }
}

/// Distinct texts (per language) with the entries of each, in a fixed order.
fn nodes_of(entries: &[Entry]) -> Vec<Node> {
    let mut by_key: BTreeMap<(Lang, String), Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let key = normalize(&e.text);
        if key.is_empty() {
            continue;
        }
        by_key.entry((e.lang, key)).or_default().push(i);
    }
    by_key
        .into_iter()
        .map(|((lang, key), ids)| {
            // The form typed most often (the earliest among equals) is the one shown.
            let mut forms: BTreeMap<&str, (usize, i64)> = BTreeMap::new();
            for &i in &ids {
                let f = forms.entry(entries[i].text.trim()).or_insert((0, i64::MAX));
                f.0 += 1;
                f.1 = f.1.min(entries[i].at);
            }
            let text = forms
                .into_iter()
                .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)).then(b.0.cmp(a.0)))
                .map(|(t, _)| t.to_string())
                .unwrap_or_default();
            Node {
                current: ids.iter().filter(|&&i| entries[i].current).count(),
                all: ids.len(),
                key,
                text,
                lang,
                entries: ids,
                lex: Vec::new(),
                art: Vec::new(),
                strength: 0.0,
                clean: true,
                top: None,
            }
        })
        .collect()
}

/// Lowercase, `ё`→`е`, spaces collapsed, punctuation at the ends dropped.
fn normalize(text: &str) -> String {
    let lower: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect();
    lower
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '[' && c != ']')
        .to_string()
}

/// Words that say nothing about the need: greetings, politeness, "I want", "can I" — analyzed.
fn filler_terms(lang: Lang) -> HashSet<String> {
    let words: &[&str] = match lang {
        Lang::Ru => &[
            "здравствуйте",
            "здравствуй",
            "здрасте",
            "привет",
            "добрый",
            "доброе",
            "доброго",
            "подскажите",
            "подскажи",
            "скажите",
            "пожалуйста",
            "спасибо",
            "помогите",
            "хочу",
            "хотел",
            "хотела",
            "хотелось",
            "можно",
            "нужно",
            "надо",
            "вопрос",
            "интересует",
            "узнать",
            "вообще",
            "ли",
            "сколько",
        ],
        Lang::En => &[
            "hello", "hi", "hey", "please", "thanks", "thank", "help", "want", "wanted", "would",
            "like", "can", "could", "need", "question", "know", "tell",
        ],
        Lang::De => &[
            "hallo", "guten", "bitte", "danke", "hilfe", "möchte", "frage", "können", "kann",
            "wissen", "sagen",
        ],
    };
    let mut a = analyzer::build(lang);
    words
        .iter()
        .flat_map(|w| analyzer::terms(&mut a, w))
        .collect()
}

/// Fixes words neither the articles nor their synonyms know with the other texts. A word other
/// texts use as typed stays as typed (search's correction towards an article word is undone: the
/// customers' own word is no typo); otherwise the other keyboard layout's reading when other
/// texts use it, or a word within the typo distance search allows that two other texts use.
fn fix_with_corpus(nodes: &[Node], reps: &mut [Vec<Rep>]) {
    // Which texts use each (language, term), as typed or as search read it.
    let mut used: HashMap<(Lang, String), BTreeSet<usize>> = HashMap::new();
    for (i, rs) in reps.iter().enumerate() {
        for r in rs {
            let terms = r.terms.iter().map(|(t, _)| t).chain([&r.raw]);
            for t in terms {
                used.entry((nodes[i].lang, t.clone()))
                    .or_default()
                    .insert(i);
            }
        }
    }
    let mut analyzers: HashMap<Lang, tantivy::tokenizer::TextAnalyzer> = HashMap::new();
    for (i, rs) in reps.iter_mut().enumerate() {
        let lang = nodes[i].lang;
        for r in rs.iter_mut().filter(|r| r.fixable) {
            let elsewhere = |t: &str| {
                used.get(&(lang, t.to_string()))
                    .is_some_and(|s| s.iter().any(|&n| n != i))
            };
            if elsewhere(&r.raw) {
                r.terms = vec![(r.raw.clone(), 1.0)];
                continue;
            }
            if r.terms[0].0 != r.raw {
                continue; // search corrected it and no other text says otherwise
            }
            let converted = if lang == Lang::Ru {
                layout::en_to_ru(&r.raw)
            } else if layout::is_cyrillic_word(&r.raw) {
                layout::ru_to_en(&r.raw)
            } else {
                None
            };
            if let Some(c) = converted {
                let a = analyzers
                    .entry(lang)
                    .or_insert_with(|| analyzer::build(lang));
                let ts = analyzer::terms(a, &c);
                if !ts.is_empty() && ts.iter().all(|t| elsewhere(t)) {
                    r.terms = ts.into_iter().map(|t| (t, 1.0)).collect();
                    continue;
                }
            }
            let len = r.raw.chars().count();
            // A stem cut short by the stemmer («отмена» → «отм», «отменить» → «отмен»).
            let longer = used
                .iter()
                .filter(|((l, t), users)| {
                    *l == lang
                        && len >= 3
                        && users.len() >= 2
                        && t.starts_with(r.raw.as_str())
                        && t.chars().count() <= len + 3
                })
                .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.1.cmp(&a.0.1)))
                .map(|((_, t), _)| t.clone());
            if let Some(t) = longer {
                r.terms = vec![(t, 0.8)];
                continue;
            }
            let d = query::max_typos(len) as usize;
            if d == 0 {
                continue;
            }
            let best = used
                .iter()
                .filter(|((l, t), users)| {
                    *l == lang
                        && users.len() >= 2
                        && !users.contains(&i)
                        && t.chars().count().abs_diff(len) <= d
                })
                .filter_map(|((_, t), users)| {
                    let e = edit_distance(&r.raw, t);
                    (e <= d).then_some((e, users.len(), t))
                })
                .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
            if let Some((_, _, t)) = best {
                r.terms = vec![(t.clone(), 0.8)];
            }
        }
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Pair similarities at or above [`EDGE_FLOOR`].
struct Edges(BTreeMap<(usize, usize), f32>);

impl Edges {
    fn get(&self, a: usize, b: usize) -> f32 {
        let key = if a < b { (a, b) } else { (b, a) };
        self.0.get(&key).copied().unwrap_or(0.0)
    }
}

/// Every pair of texts of the same language that share a word or an article, with its
/// similarity `(1 − λ)·cos(words) + λ·Σ √(cᵢ·cⱼ)`.
fn similarities(nodes: &[Node], article_weight: f32, evidence: f32) -> Edges {
    let mut lex_post: HashMap<u32, Vec<(usize, f32)>> = HashMap::new();
    let mut art_post: HashMap<u32, Vec<(usize, f32)>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        for &(k, w) in &n.lex {
            lex_post.entry(k).or_default().push((i, w));
        }
        for &(k, w) in &n.art {
            art_post.entry(k).or_default().push((i, w));
        }
    }
    let mut lex = vec![0f32; nodes.len()];
    let mut art = vec![0f32; nodes.len()];
    let mut mark = vec![false; nodes.len()];
    let mut touched: Vec<usize> = Vec::new();
    let mut edges = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        for (vec, post, acc) in [(&n.lex, &lex_post, &mut lex), (&n.art, &art_post, &mut art)] {
            for (k, w) in vec {
                for &(j, wj) in &post[k] {
                    if j > i {
                        if !mark[j] {
                            mark[j] = true;
                            touched.push(j);
                        }
                        acc[j] += w * wj;
                    }
                }
            }
        }
        for &j in &touched {
            // The articles count as far as search is sure of them for both texts.
            let sure = |x: f32| (x / evidence).min(1.0).powi(2);
            let l = article_weight * sure(n.strength) * sure(nodes[j].strength);
            // Articles alone count half: two texts with no word in common need more than
            // search's word for it to be one need (a wrong confident hit joins anything).
            let words = 0.5 + 0.5 * (lex[j] / WORDS_FOR_ARTICLES).min(1.0);
            let s = (1.0 - l) * lex[j] + l * art[j] * words;
            if s >= EDGE_FLOOR && nodes[j].lang == n.lang {
                edges.insert((i, j), s);
            }
            lex[j] = 0.0;
            art[j] = 0.0;
            mark[j] = false;
        }
        touched.clear();
    }
    Edges(edges)
}

/// A candidate merge in the heap: average similarity, then the lower ids first.
#[derive(PartialEq)]
struct Candidate(f32, usize, usize);

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .total_cmp(&other.0)
            .then(other.1.cmp(&self.1))
            .then(other.2.cmp(&self.2))
    }
}

/// Average-linkage agglomeration of the nodes asked in the period (weighted by how often each
/// was asked): merges the most similar pair of clusters while their average similarity is at
/// least `threshold`. Returns the member nodes of each cluster.
fn average_linkage(nodes: &[Node], edges: &Edges, threshold: f32) -> Vec<Vec<usize>> {
    let active: Vec<usize> = (0..nodes.len()).filter(|&i| nodes[i].current > 0).collect();
    let mut mass: Vec<f32> = nodes.iter().map(|n| n.current as f32).collect();
    let mut members: Vec<Option<Vec<usize>>> = (0..nodes.len())
        .map(|i| (nodes[i].current > 0).then(|| vec![i]))
        .collect();
    // Between two clusters: the sum of mᵢ·mⱼ·sᵢⱼ over their members.
    let mut links: Vec<BTreeMap<usize, f32>> = vec![BTreeMap::new(); nodes.len()];
    for (&(a, b), &s) in &edges.0 {
        if nodes[a].current > 0 && nodes[b].current > 0 {
            let w = s * mass[a] * mass[b];
            links[a].insert(b, w);
            links[b].insert(a, w);
        }
    }
    let mut heap = BinaryHeap::new();
    for &a in &active {
        for (&b, &w) in &links[a] {
            if a < b {
                let avg = w / (mass[a] * mass[b]);
                if avg >= threshold {
                    heap.push(Candidate(avg, a, b));
                }
            }
        }
    }
    while let Some(Candidate(avg, a, b)) = heap.pop() {
        if members[a].is_none() || members[b].is_none() {
            continue;
        }
        let now = links[a].get(&b).copied().unwrap_or(0.0) / (mass[a] * mass[b]);
        if (now - avg).abs() > 1e-6 {
            continue; // stale
        }
        // Merge b into a.
        let moved = members[b].take().unwrap_or_default();
        if let Some(m) = members[a].as_mut() {
            m.extend(moved);
        }
        mass[a] += mass[b];
        let b_links = std::mem::take(&mut links[b]);
        links[a].remove(&b);
        for (c, w) in b_links {
            if c == a {
                continue;
            }
            links[c].remove(&b);
            *links[a].entry(c).or_insert(0.0) += w;
            let total = links[a][&c];
            links[c].insert(a, total);
        }
        for (&c, &w) in &links[a] {
            let avg = w / (mass[a] * mass[c]);
            if avg >= threshold {
                let (x, y) = if a < c { (a, c) } else { (c, a) };
                heap.push(Candidate(avg, x, y));
            }
        }
    }
    members
        .into_iter()
        .flatten()
        .map(|mut m| {
            m.sort_unstable();
            m
        })
        .collect()
}

/// Texts asked only in the previous period, each with the cluster it is on average most similar
/// to (at least `threshold`).
fn assign_previous(
    nodes: &[Node],
    edges: &Edges,
    groups: &[Vec<usize>],
    threshold: f32,
) -> Vec<(usize, usize)> {
    let mut group_of = vec![usize::MAX; nodes.len()];
    let mut mass = vec![0f32; groups.len()];
    for (g, m) in groups.iter().enumerate() {
        for &i in m {
            group_of[i] = g;
            mass[g] += nodes[i].current as f32;
        }
    }
    let mut sums: Vec<BTreeMap<usize, f32>> = vec![BTreeMap::new(); nodes.len()];
    for (&(a, b), &s) in &edges.0 {
        for (p, other) in [(a, b), (b, a)] {
            if nodes[p].current == 0 && group_of[other] != usize::MAX {
                *sums[p].entry(group_of[other]).or_insert(0.0) += s * nodes[other].current as f32;
            }
        }
    }
    (0..nodes.len())
        .filter(|&p| nodes[p].current == 0)
        .filter_map(|p| {
            sums[p]
                .iter()
                .map(|(&g, &s)| (g, s / mass[g].max(1.0)))
                .filter(|&(_, avg)| avg >= threshold)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(g, _)| (p, g))
        })
        .collect()
}

/// `q` or `s` and ten hex digits of SHA-256 over the kind, language and normalized text.
fn cluster_id(kind: Kind, lang: Lang, key: &str) -> String {
    let prefix = match kind {
        Kind::Questions => "q",
        Kind::Searches => "s",
    };
    let mut h = Sha256::new();
    h.update(prefix.as_bytes());
    h.update([0]);
    h.update(lang.code().as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    format!(
        "{prefix}{}",
        &crate::domain::token::hex(&h.finalize())[..10]
    )
}

// ---------------------------------------------------------------------------------------------
// Drafts

/// A title from a customer's text: greetings and politeness at the start dropped, end
/// punctuation dropped, the first letter capitalized.
pub fn title_of(text: &str) -> String {
    const LEADING: &[&str] = &[
        "здравствуйте",
        "здравствуй",
        "привет",
        "подскажите",
        "скажите",
        "пожалуйста",
        "а",
        "hello",
        "hi",
        "hey",
        "please",
        "hallo",
        "bitte",
    ];
    const GREETING_PAIRS: &[(&str, &[&str])] = &[
        ("добрый", &["день", "вечер"]),
        ("доброе", &["утро"]),
        ("good", &["morning", "afternoon", "evening"]),
        ("guten", &["tag", "morgen", "abend"]),
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let mut start = 0;
    while start < words.len() {
        let w = bare(words[start]);
        if LEADING.contains(&w.as_str()) && start + 1 < words.len() {
            start += 1;
            continue;
        }
        if let Some((_, next)) = GREETING_PAIRS.iter().find(|(first, _)| *first == w)
            && words
                .get(start + 1)
                .is_some_and(|n| next.contains(&bare(n).as_str()))
            && start + 2 < words.len()
        {
            start += 2;
            continue;
        }
        break;
    }
    let mut title = words[start..].join(" ");
    // Trailing politeness and punctuation.
    loop {
        let trimmed = title
            .trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != ']')
            .to_string();
        let lower = trimmed.to_lowercase();
        let cut = ["пожалуйста", "please", "bitte"]
            .iter()
            .find(|w| lower.ends_with(*w) && lower.len() > w.len())
            .map(|w| trimmed.len() - w.len());
        match cut {
            Some(at) if trimmed.is_char_boundary(at) => title = trimmed[..at].to_string(),
            _ => {
                title = trimmed;
                break;
            }
        }
    }
    let title = title.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '[');
    let mut chars = title.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text.trim().to_string(),
    }
}

/// A file name for the draft: the title transliterated, at most 60 characters, `.md`.
pub fn draft_file_name(cluster: &Cluster) -> String {
    let mut slug = category_slug(&cluster.title);
    if slug.len() > 60 {
        let cut = slug[..60].rfind('-').unwrap_or(60);
        slug.truncate(cut);
    }
    if slug.is_empty() {
        slug = format!("draft-{}", cluster.id);
    }
    format!("{slug}.md")
}

/// Where to save the draft under the articles folder: `ru/<category>/<file>`.
pub fn draft_path(cluster: &Cluster) -> String {
    let folder = cluster
        .category
        .as_deref()
        .map(category_slug)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "drafts".to_string());
    format!("{}/{folder}/{}", cluster.lang, draft_file_name(cluster))
}

/// A YAML double-quoted string (JSON's escaping is valid YAML).
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A Markdown article draft for a cluster: front matter with the title suggestion, `lang`, the
/// category guessed from the articles shown, the real texts as `questions:` and `draft: true`;
/// the body is left to the editor (an HTML comment says what to write).
pub fn draft(cluster: &Cluster, today: &str) -> String {
    let mut out = String::from("---\n");
    out.push_str(&format!("title: {}\n", yaml_str(&cluster.title)));
    out.push_str(&format!("lang: {}\n", cluster.lang));
    if let Some(c) = &cluster.category {
        out.push_str(&format!("category: {}\n", yaml_str(c)));
    }
    out.push_str("questions:\n");
    let mut seen = HashSet::new();
    for p in cluster.phrasings.iter().take(DRAFT_QUESTIONS) {
        let q = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
        if seen.insert(q.to_lowercase()) {
            out.push_str(&format!("  - {}\n", yaml_str(&q)));
        }
    }
    out.push_str("draft: true\n");
    out.push_str(&format!("updated: {today}\n"));
    out.push_str("---\n\n");
    let who = match cluster.customers {
        Some(n) => format!("{n} customer(s) asked this {} time(s)", cluster.size),
        None => format!("searched {} time(s) without a result", cluster.size),
    };
    out.push_str(&format!(
        "<!-- Gap report cluster {id}: {who} in the last {days} day(s).\n     \
         Write the answer below (an introduction, then `##` sections), then set draft: false. -->\n",
        id = cluster.id,
        days = cluster.trend.per_day.len(),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(parse_period("7d"), Ok(7 * DAY_MS));
        assert_eq!(parse_period(" 24h "), Ok(DAY_MS));
        assert_eq!(parse_period("2w"), Ok(14 * DAY_MS));
        assert_eq!(parse_period("30"), Ok(30 * DAY_MS));
        assert!(parse_period("0d").is_err());
        assert!(parse_period("400d").is_err());
        assert!(parse_period("week").is_err());
        assert!(parse_period("7x").is_err());
        assert_eq!(format_period(7 * DAY_MS), "7d");
        assert_eq!(format_period(36 * DAY_MS / 24), "36h");
        assert_eq!(date_of(0), "1970-01-01");
    }

    #[test]
    fn titles_drop_greetings_and_politeness() {
        assert_eq!(
            title_of("Здравствуйте, подскажите, как вернуть телевизор?"),
            "Как вернуть телевизор"
        );
        assert_eq!(
            title_of("добрый день! можно оплатить криптовалютой пожалуйста"),
            "Можно оплатить криптовалютой"
        );
        assert_eq!(title_of("день доставки"), "День доставки");
        assert_eq!(
            title_of("hi, how do I get a refund?"),
            "How do I get a refund"
        );
        assert_eq!(title_of("здравствуйте"), "Здравствуйте");
    }

    #[test]
    fn texts_normalize() {
        assert_eq!(normalize("  Как  вернуть ТОВАР?! "), "как вернуть товар");
        assert_eq!(normalize("Ёлка"), "елка");
        assert_eq!(normalize("звоните [phone]"), "звоните [phone]");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("товр", "товар"), 1);
        assert_eq!(edit_distance("вернуть", "вернуть"), 0);
        assert_eq!(edit_distance("доставка", "дотсавка"), 2);
    }

    #[test]
    fn typing_is_collapsed_into_the_finished_search() {
        use crate::store::analytics::SearchMissRow;
        let row = |text: &str, at: i64| SearchMissRow {
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

    #[test]
    fn drafts_are_valid_front_matter() {
        let c = Cluster {
            id: "q0123456789".into(),
            kind: Kind::Questions,
            lang: Lang::Ru,
            title: "Можно ли оплатить \"криптой\": биткоин".into(),
            size: 3,
            customers: Some(2),
            examples: vec![],
            phrasings: vec![
                Phrasing {
                    text: "можно ли оплатить криптой".into(),
                    count: 2,
                },
                Phrasing {
                    text: "- оплата: биткоин #1".into(),
                    count: 1,
                },
            ],
            reasons: BTreeMap::new(),
            shown: vec![],
            considered: vec![],
            category: Some("Оплата".into()),
            trend: Trend {
                per_day: vec![1, 2],
                previous: 0,
                change: "new",
            },
            covered: None,
        };
        let md = draft(&c, "2026-10-14");
        let yaml = md.split("---\n").nth(1).unwrap();
        let v: serde_norway::Value = serde_norway::from_str(yaml).unwrap();
        assert_eq!(
            v["title"].as_str(),
            Some("Можно ли оплатить \"криптой\": биткоин")
        );
        assert_eq!(v["lang"].as_str(), Some("ru"));
        assert_eq!(v["category"].as_str(), Some("Оплата"));
        assert_eq!(v["draft"].as_bool(), Some(true));
        assert_eq!(v["questions"][1].as_str(), Some("- оплата: биткоин #1"));
        assert_eq!(
            draft_path(&c),
            "ru/oplata/mozhno-li-oplatit-kriptoy-bitkoin.md"
        );
    }
}
