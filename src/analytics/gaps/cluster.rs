//! The clustering (see the docs of [`super`]): a period's texts become distinct nodes, read by
//! `features.rs`, merged by `linkage.rs`; then each group becomes a [`Cluster`] with its central
//! text, phrasings, trend, reasons and the articles shown.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::linkage::{Edges, assign_previous, average_linkage, similarities};
use super::period::{DAY_MS, date_of};
use super::report::{ArticleCount, Cluster, Kind, Phrasing, Trend};
use super::title::title_of;
use super::triage::{Class, is_gibberish, is_off_topic, readable};
use crate::bot::Shown;
use crate::domain::Lang;
use crate::search::SearchEngine;

/// Average similarity two clusters need to be merged.
pub const MERGE_THRESHOLD: f32 = 0.25;
/// λ: the share of the similarity that comes from the articles search finds for both texts.
pub const ARTICLE_WEIGHT: f32 = 0.5;
/// μ: the share of the similarity that comes from the texts' embeddings, when the encoder is
/// attached.
pub const EMBEDDING_WEIGHT: f32 = 0.7;
/// The embeddings' cosine below which two texts are unrelated (the encoder puts any two
/// questions of one help center around 0.75–0.8); it is rescaled from here to 1.
pub const EMBEDDING_FLOOR: f32 = 0.85;
/// Example texts shown per cluster.
pub const EXAMPLES: usize = 5;

/// Something a customer typed, to be clustered.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The text (masked).
    pub text: String,
    /// Its language.
    pub lang: Lang,
    /// When (ms).
    pub at: i64,
    /// A chat question or a help-center search.
    pub source: Kind,
    /// Who (for questions).
    pub customer: Option<i64>,
    /// The anonymous visitor id of who searched (for searches, when known).
    pub visitor: Option<String>,
    /// The conversation and message number of a chat question (for drafts).
    pub question: Option<(i64, i64)>,
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
    /// μ: weight of the embeddings' cosine, when both texts have one.
    pub embedding_weight: f32,
    /// The cosine that counts as no similarity.
    pub embedding_floor: f32,
}

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams {
            threshold: MERGE_THRESHOLD,
            article_weight: ARTICLE_WEIGHT,
            embedding_weight: EMBEDDING_WEIGHT,
            embedding_floor: EMBEDDING_FLOOR,
        }
    }
}

/// What a report needs besides the texts: the index and the period.
pub struct Context<'a> {
    pub(super) engine: &'a SearchEngine,
    pub(super) since: i64,
    pub(super) days: Vec<String>,
}

/// A search hit kept per text.
#[derive(Debug, Clone)]
pub(super) struct TopHit {
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) url: String,
    pub(super) confidence: f32,
    /// The article's `updated` date.
    pub(super) updated: Option<String>,
}

/// One distinct text.
pub(super) struct Node {
    pub(super) key: String,
    pub(super) text: String,
    pub(super) lang: Lang,
    pub(super) entries: Vec<usize>,
    pub(super) current: usize,
    pub(super) all: usize,
    pub(super) lex: Vec<(u32, f32)>,
    pub(super) art: Vec<(u32, f32)>,
    /// The text's embedding (a unit vector), when the encoder is attached.
    pub(super) emb: Option<Arc<[f32]>>,
    /// How sure search is about the articles in `art`: the best hit's confidence.
    pub(super) strength: f32,
    /// Every word as typed: no typo, layout or stem fixed (preferred for titles).
    pub(super) clean: bool,
    /// Words the articles (or their synonyms) know.
    pub(super) known: usize,
    pub(super) top: Option<TopHit>,
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

    /// Groups `entries` into clusters of the same need (see the docs of [`super`]), unsorted.
    /// Chat questions and help-center searches of one need make one cluster.
    pub fn clusters(&self, entries: &[Entry], params: ClusterParams) -> Vec<Cluster> {
        let mut nodes = nodes_of(entries);
        if nodes.is_empty() {
            return Vec::new();
        }
        self.featurize(&mut nodes);
        let edges = similarities(&nodes, &params, self.engine.threshold());
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
                    entries,
                    &nodes,
                    &edges,
                    members,
                    prev_of.get(&gi).map_or(&[][..], |v| v),
                )
            })
            .collect()
    }

    fn cluster_of(
        &self,
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
        let id = cluster_id(lang, &central.key);
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
        // People, not retypes: each chat customer once, each search visitor once (a search
        // recorded without one counts alone).
        let customers = current
            .iter()
            .enumerate()
            .map(|(i, e)| match (e.source, e.customer, &e.visitor) {
                (Kind::Questions, Some(c), _) => format!("c{c}"),
                (Kind::Searches, _, Some(v)) => format!("v{v}"),
                _ => format!("#{i}"),
            })
            .collect::<BTreeSet<_>>()
            .len();
        let asked = current
            .iter()
            .filter(|e| e.source == Kind::Questions)
            .count();
        let asked_in: Vec<(i64, i64)> = current.iter().filter_map(|e| e.question).collect();
        // What it is: the class of most of its texts (typed in the period), needs winning ties.
        let mut votes: BTreeMap<Class, usize> = BTreeMap::new();
        for &i in members {
            let n = &nodes[i];
            let class = if is_gibberish(&n.text, n.known) {
                Class::Gibberish
            } else if is_off_topic(&n.text) {
                Class::OffTopic
            } else {
                Class::Need
            };
            *votes.entry(class).or_default() += n.current.max(1);
        }
        let threshold = self.engine.threshold();
        let class = votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map_or(Class::Need, |(c, _)| *c);
        let mut keys: Vec<String> = members.iter().map(|&i| nodes[i].key.clone()).collect();
        keys.sort();
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for e in &current {
            if let Some(r) = &e.reason {
                *reasons.entry(r.clone()).or_default() += 1;
            }
        }
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
        // Readable: the wrong keyboard layout decoded.
        let title = if central.clean {
            title_of(&central.text)
        } else {
            title_of(&readable(self.engine, &central.text, lang))
        };
        Cluster {
            id,
            class,
            lang,
            title,
            size,
            asked,
            searched: size - asked,
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
            asked_in,
            keys,
        }
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
                emb: None,
                strength: 0.0,
                clean: true,
                known: 0,
                top: None,
            }
        })
        .collect()
}

/// Lowercase, `ё`→`е`, spaces collapsed, punctuation at the ends dropped.
pub(super) fn normalize(text: &str) -> String {
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

/// `g` and ten hex digits of SHA-256 over the language and normalized text.
fn cluster_id(lang: Lang, key: &str) -> String {
    let prefix = "g";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_normalize() {
        assert_eq!(normalize("  Как  вернуть ТОВАР?! "), "как вернуть товар");
        assert_eq!(normalize("Ёлка"), "елка");
        assert_eq!(normalize("звоните [phone]"), "звоните [phone]");
    }
}
