//! How texts are merged: the similarity of every pair of texts that share a word or an article
//! (with the encoder, of every pair), average-linkage agglomeration over it, and the previous
//! period's texts joined to the clusters.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use super::cluster::{ClusterParams, Node};

/// Word similarity from which shared articles count fully.
const WORDS_FOR_ARTICLES: f32 = 0.2;
/// Pair similarities below this are treated as 0 (keeps the graph sparse).
const EDGE_FLOOR: f32 = 0.08;

/// Pair similarities at or above [`EDGE_FLOOR`].
pub(super) struct Edges(BTreeMap<(usize, usize), f32>);

impl Edges {
    pub(super) fn get(&self, a: usize, b: usize) -> f32 {
        let key = if a < b { (a, b) } else { (b, a) };
        self.0.get(&key).copied().unwrap_or(0.0)
    }
}

/// Every pair of texts of the same language that share a word or an article, with its
/// similarity `(1 − λ)·cos(words) + λ·cos(articles)·…` (see the docs of [`super`]); when both
/// texts have an embedding, every pair of the language, that similarity weighted `1 − μ` plus
/// `μ` times the embeddings' cosine rescaled from the floor to 1.
pub(super) fn similarities(nodes: &[Node], params: &ClusterParams, evidence: f32) -> Edges {
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
    let (mu, floor) = (params.embedding_weight, params.embedding_floor);
    let meaning = |cos: f32| ((cos - floor) / (1.0 - floor)).clamp(0.0, 1.0);
    let mut lex = vec![0f32; nodes.len()];
    let mut art = vec![0f32; nodes.len()];
    let mut base = vec![0f32; nodes.len()];
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
            let l = params.article_weight * sure(n.strength) * sure(nodes[j].strength);
            // Articles alone count half: two texts with no word in common need more than
            // search's word for it to be one need (a wrong confident hit joins anything).
            let words = 0.5 + 0.5 * (lex[j] / WORDS_FOR_ARTICLES).min(1.0);
            base[j] = (1.0 - l) * lex[j] + l * art[j] * words;
        }
        let mut keep = |j: usize, s: f32| {
            if s >= EDGE_FLOOR && nodes[j].lang == n.lang {
                edges.insert((i, j), s);
            }
        };
        match n.emb.as_deref().filter(|_| mu > 0.0) {
            // Paraphrases without a shared word meet through their meaning: every pair.
            Some(a) => {
                for (j, m) in nodes.iter().enumerate().skip(i + 1) {
                    let s = match m.emb.as_deref() {
                        Some(b) if m.lang == n.lang => {
                            (1.0 - mu) * base[j] + mu * meaning(dot(a, b))
                        }
                        _ => base[j],
                    };
                    keep(j, s);
                }
            }
            None => {
                for &j in &touched {
                    keep(j, base[j]);
                }
            }
        }
        for &j in &touched {
            lex[j] = 0.0;
            art[j] = 0.0;
            base[j] = 0.0;
            mark[j] = false;
        }
        touched.clear();
    }
    Edges(edges)
}

/// The dot product (the cosine of unit vectors), in eight lanes so that it vectorizes.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            lanes[k] += x[k] * y[k];
        }
    }
    lanes.iter().sum::<f32>() + tail
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
pub(super) fn average_linkage(nodes: &[Node], edges: &Edges, threshold: f32) -> Vec<Vec<usize>> {
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
pub(super) fn assign_previous(
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
