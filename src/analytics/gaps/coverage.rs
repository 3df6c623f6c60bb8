//! Whether a cluster is covered: an article that now answers most of its texts confidently.

use std::collections::BTreeMap;

use super::cluster::{Context, Entry, Node, TopHit};
use super::period::date_of;
use super::report::Coverage;

/// How much surer search must be of an article that did not resolve a question before it
/// counts as answering it (the article was edited to answer it).
const SURER: f32 = 0.15;

impl Context<'_> {
    /// The article that answers more than half of the cluster's distinct texts confidently, not
    /// counting an article already offered for a text that it did not resolve — unless it was
    /// edited since: its `updated` date is later than that day, or search is now clearly surer
    /// of it for the text (by [`SURER`]) than when it was offered.
    pub(super) fn coverage(
        &self,
        entries: &[Entry],
        nodes: &[Node],
        members: &[usize],
    ) -> Option<Coverage> {
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
