//! The synonyms file editors maintain: `articles/synonyms.yaml`, groups of interchangeable
//! words or short phrases per language.
//!
//! ```yaml
//! ru:
//!   - [холодильник, холодос]
//!   - [курьер, курьерка]
//! en:
//!   - [cancel, call off]
//! ```

use std::collections::BTreeMap;

use super::Problem;
use crate::domain::Lang;

/// File name of the synonyms file, directly in the articles folder.
pub const SYNONYMS_FILE: &str = "synonyms.yaml";

/// Synonym groups per language, as written by editors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SynonymGroups(pub BTreeMap<Lang, Vec<Vec<String>>>);

/// Parses the synonyms file; problems name its lines.
pub fn parse(file: &str, text: &str) -> (SynonymGroups, Vec<Problem>) {
    let mut problems = Vec::new();
    let raw: BTreeMap<String, Vec<Vec<String>>> = match serde_norway::from_str(text) {
        Ok(Some(m)) => m,
        Ok(None) => BTreeMap::new(),
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line().max(1));
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            problems.push(Problem::error(
                file,
                line,
                format!("invalid synonyms file: {msg} (expected `ru:` followed by lists like `- [word, synonym]`)"),
            ));
            return (SynonymGroups::default(), problems);
        }
    };
    let mut groups = BTreeMap::new();
    for (code, list) in raw {
        let line = text
            .lines()
            .position(|l| l.starts_with(&format!("{code}:")))
            .map_or(1, |i| i + 1);
        match code.parse::<Lang>() {
            Ok(lang) => {
                let list: Vec<Vec<String>> = list
                    .into_iter()
                    .map(|g| {
                        g.into_iter()
                            .map(|w| w.trim().to_string())
                            .filter(|w| !w.is_empty())
                            .collect::<Vec<_>>()
                    })
                    .filter(|g| g.len() >= 2)
                    .collect();
                groups.insert(lang, list);
            }
            Err(e) => problems.push(Problem::error(file, line, e.to_string())),
        }
    }
    (SynonymGroups(groups), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_per_language() {
        let (g, p) = parse(
            "synonyms.yaml",
            "ru:\n  - [холодильник, холодос]\nen:\n  - [cancel, call off]\n",
        );
        assert!(p.is_empty());
        assert_eq!(
            g.0[&Lang::Ru],
            vec![vec!["холодильник".to_string(), "холодос".to_string()]]
        );
        assert_eq!(g.0[&Lang::En][0][1], "call off");
    }

    #[test]
    fn reports_unknown_language_and_bad_yaml() {
        let (_, p) = parse("synonyms.yaml", "ru:\n  - [a, b]\nfr:\n  - [c, d]\n");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].line, 3);
        let (_, p) = parse("synonyms.yaml", "ru:\n  - [a, b\n");
        assert!(p[0].is_error());
    }
}
