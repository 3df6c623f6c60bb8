//! Measuring the clustering against labels: which cluster each entry landed in
//! ([`assignments`]) and pairwise precision and recall ([`pair_scores`]), for `otvet eval-gaps`
//! and the tests.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::cluster::{Entry, normalize};
use super::report::Cluster;
use crate::domain::Lang;

/// Pairwise agreement of a clustering with the labels of the labelled entries.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairScores {
    /// Labelled entries.
    pub labelled: usize,
    /// Distinct labels among them (the needs).
    pub needs: usize,
    /// Clusters holding at least one labelled entry.
    pub clusters: usize,
    /// Of those, clusters of a single distinct text.
    pub singletons: usize,
    /// Pairs in one cluster that share a label, over pairs in one cluster (1 without such pairs).
    pub precision: f64,
    /// Pairs in one cluster that share a label, over pairs that share a label (1 without such
    /// pairs).
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

/// The index in `clusters` of each entry's cluster (by its normalized text and language);
/// `None` for an entry in none (an empty text).
pub fn assignments(clusters: &[Cluster], entries: &[Entry]) -> Vec<Option<usize>> {
    let mut of: HashMap<(Lang, &str), usize> = HashMap::new();
    for (i, c) in clusters.iter().enumerate() {
        for k in &c.keys {
            of.insert((c.lang, k.as_str()), i);
        }
    }
    entries
        .iter()
        .map(|e| of.get(&(e.lang, normalize(&e.text).as_str())).copied())
        .collect()
}

/// Pairwise precision and recall over the entries that have a label: a pair is *together* when
/// both are in one cluster and *alike* when both have the same label. Unlabelled entries (noise)
/// are clustered with the rest but not counted.
pub fn pair_scores(labels: &[Option<&str>], assigned: &[Option<usize>]) -> PairScores {
    let items: Vec<(&str, usize)> = labels
        .iter()
        .zip(assigned)
        .enumerate()
        .filter_map(|(i, (l, a))| {
            // An entry in no cluster is alone.
            Some(((*l)?, a.unwrap_or(usize::MAX - i)))
        })
        .collect();
    let (mut together, mut alike, mut both) = (0u64, 0u64, 0u64);
    let mut by_cluster: BTreeMap<usize, BTreeMap<&str, u64>> = BTreeMap::new();
    let mut by_label: BTreeMap<&str, u64> = BTreeMap::new();
    for &(l, c) in &items {
        *by_cluster.entry(c).or_default().entry(l).or_default() += 1;
        *by_label.entry(l).or_default() += 1;
    }
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    for labels in by_cluster.values() {
        together += pairs(labels.values().sum());
        both += labels.values().map(|&n| pairs(n)).sum::<u64>();
    }
    alike += by_label.values().map(|&n| pairs(n)).sum::<u64>();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let precision = ratio(both, together);
    let recall = ratio(both, alike);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    PairScores {
        labelled: items.len(),
        needs: by_label.len(),
        clusters: by_cluster.len(),
        singletons: 0,
        precision,
        recall,
        f1,
    }
}

/// [`pair_scores`] of `clusters`, with the clusters of one distinct text counted.
pub fn score_clusters(
    clusters: &[Cluster],
    entries: &[Entry],
    labels: &[Option<&str>],
) -> PairScores {
    let assigned = assignments(clusters, entries);
    let mut scores = pair_scores(labels, &assigned);
    let used: BTreeSet<usize> = labels
        .iter()
        .zip(&assigned)
        .filter_map(|(l, a)| l.and(*a))
        .collect();
    scores.singletons = used
        .iter()
        .filter(|&&c| clusters[c].keys.len() == 1)
        .count();
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_counted_over_labelled_entries() {
        // Needs a (3) and b (2); clusters {a, a, b}, {a}, {b}, and noise with the first.
        let labels = [Some("a"), Some("a"), Some("b"), Some("a"), Some("b"), None];
        let assigned = [Some(0), Some(0), Some(0), Some(1), Some(2), Some(0)];
        let s = pair_scores(&labels, &assigned);
        // Together: 3 pairs in cluster 0, 1 alike; alike: 3 (a) + 1 (b).
        assert_eq!((s.labelled, s.needs, s.clusters), (5, 2, 3));
        assert!((s.precision - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.recall - 1.0 / 4.0).abs() < 1e-9);
        let perfect = pair_scores(&[Some("a"), Some("a")], &[Some(4), Some(4)]);
        assert_eq!((perfect.precision, perfect.recall), (1.0, 1.0));
        let apart = pair_scores(&[Some("a"), Some("a")], &[None, None]);
        assert_eq!((apart.precision, apart.recall), (1.0, 0.0));
    }
}
