//! What the bot reads of an article it answers from: one part (the introduction or a section)
//! as answer blocks, with the sections that follow it, through the engine rather than its
//! snapshot's internals.

use super::SearchEngine;
use crate::domain::{Block, Lang, Slug};

/// One part of an article as answer blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct PartContent {
    /// Heading, `None` for the introduction.
    pub heading: Option<String>,
    /// Anchor, `None` for the introduction.
    pub anchor: Option<String>,
    /// 2 or 3 for sections, 1 for the introduction.
    pub level: u8,
    /// The content.
    pub blocks: Vec<Block>,
}

/// An article part with its context, as [`SearchEngine::part`] returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticlePart {
    /// Article title.
    pub title: String,
    /// Article language.
    pub lang: Lang,
    /// Link to the part.
    pub url: String,
    /// The part asked for.
    pub part: PartContent,
    /// The parts after it, in document order (at most [`FOLLOWING`]).
    pub following: Vec<PartContent>,
}

/// How many following parts [`SearchEngine::part`] returns.
pub const FOLLOWING: usize = 4;

impl SearchEngine {
    /// The introduction (`anchor: None`) or the section `anchor` of an article, with the
    /// parts that follow it; `None` when there is no such article or section.
    pub fn part(&self, lang: Lang, slug: &Slug, anchor: Option<&str>) -> Option<ArticlePart> {
        let snap = self.snapshot();
        let article = snap.catalog.get(lang, slug)?;
        let sections: Vec<PartContent> = article
            .sections
            .iter()
            .map(|s| PartContent {
                heading: Some(s.title.clone()),
                anchor: Some(s.anchor.clone()),
                level: s.level,
                blocks: s.blocks.clone(),
            })
            .collect();
        let (part, rest) = match anchor {
            None => (
                PartContent {
                    heading: None,
                    anchor: None,
                    level: 1,
                    blocks: article.intro_blocks.clone(),
                },
                &sections[..],
            ),
            Some(a) => {
                let i = sections
                    .iter()
                    .position(|s| s.anchor.as_deref() == Some(a))?;
                (sections[i].clone(), &sections[i + 1..])
            }
        };
        Some(ArticlePart {
            title: article.title.clone(),
            lang: article.lang,
            url: article.url(anchor),
            part,
            following: rest.iter().take(FOLLOWING).cloned().collect(),
        })
    }
}
