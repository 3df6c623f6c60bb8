//! Markdown article drafts for a cluster: front matter with the customers' texts, and where to
//! save the file.

use std::collections::{HashMap, HashSet};

use super::report::Cluster;
use crate::domain::category_slug;
use crate::privacy::mask_pii;
use crate::store::Store;

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

/// Conversations whose agents' replies are read for a draft.
const DRAFT_CONVERSATIONS: usize = 12;
/// Replies read per conversation.
const REPLIES_PER_CONVERSATION: i64 = 3;
/// Paragraphs of agents' replies put in a draft's body.
const DRAFT_REPLIES: usize = 10;

/// What agents answered the cluster's customers: the agents' messages (not private notes) after
/// each question in its conversation, personal data masked, the same reply once, the most
/// repeated first.
pub async fn conversation_answers(store: &Store, cluster: &Cluster) -> anyhow::Result<Vec<String>> {
    let mut count: HashMap<String, (usize, usize)> = HashMap::new();
    let mut seen_conv = HashSet::new();
    for &(conv, seq) in &cluster.asked_in {
        if !seen_conv.insert(conv) {
            continue;
        }
        if seen_conv.len() > DRAFT_CONVERSATIONS {
            break;
        }
        for r in store
            .agent_replies_after(conv, seq, REPLIES_PER_CONVERSATION)
            .await?
        {
            let text = mask_pii(r.body.trim());
            let next = count.len();
            count.entry(text).or_insert((0, next)).0 += 1;
        }
    }
    let mut replies: Vec<(String, (usize, usize))> = count.into_iter().collect();
    replies.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
    Ok(replies
        .into_iter()
        .map(|(t, _)| t)
        .take(DRAFT_REPLIES)
        .collect())
}

/// A Markdown article draft for a cluster: front matter with the title suggestion, `lang`, the
/// category guessed from the articles shown, the real texts as `questions:` and `draft: true`;
/// the body is what agents answered these customers (`answers`, from
/// [`conversation_answers`]), one paragraph each, for the editor to edit (an HTML comment says
/// so), or, without any, a comment saying what to write.
pub fn draft(cluster: &Cluster, today: &str, answers: &[String]) -> String {
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
    let who = format!(
        "{} people asked this {} time(s) in the chat and searched it {} time(s)",
        cluster.customers, cluster.asked, cluster.searched
    );
    let what = if answers.is_empty() {
        "Write the answer below (an introduction, then `##` sections), then set draft: false."
    } else {
        "Below: what agents answered these customers (personal data masked). Edit it into \
         the answer (an introduction, then `##` sections), then set draft: false."
    };
    out.push_str(&format!(
        "<!-- Gap report cluster {id}: {who} in the last {days} day(s).\n     {what} -->\n",
        id = cluster.id,
        days = cluster.trend.per_day.len(),
    ));
    for a in answers {
        let paragraph: Vec<&str> = a.lines().map(str::trim_end).collect();
        out.push('\n');
        out.push_str(paragraph.join("\n").trim());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::report::{Phrasing, Trend};
    use super::super::triage::Class;
    use super::*;
    use crate::domain::Lang;

    #[test]
    fn drafts_are_valid_front_matter() {
        let c = Cluster {
            id: "g0123456789".into(),
            class: Class::Need,
            lang: Lang::Ru,
            title: "Можно ли оплатить \"криптой\": биткоин".into(),
            size: 3,
            asked: 3,
            searched: 0,
            customers: 2,
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
            asked_in: vec![],
            keys: vec![],
        };
        let md = draft(
            &c,
            "2026-10-14",
            &["Да, принимаем биткоин.\nСсылку пришлём на [email].".into()],
        );
        assert!(
            md.ends_with("-->\n\nДа, принимаем биткоин.\nСсылку пришлём на [email].\n"),
            "{md}"
        );
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
