//! Markdown article drafts for a cluster: front matter with the customers' texts, and where to
//! save the file.

use std::collections::HashSet;

use super::report::Cluster;
use crate::domain::category_slug;

/// Texts put in a draft's `questions:`.
pub const DRAFT_QUESTIONS: usize = 12;

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
    use std::collections::BTreeMap;

    use super::super::report::{Kind, Phrasing, Trend};
    use super::*;
    use crate::domain::Lang;

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
