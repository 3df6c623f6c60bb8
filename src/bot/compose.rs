//! The content of an answer: the section's blocks, brought along with what follows when the
//! section only announces it («см. список ниже», a sentence ending with a colon, a heading
//! whose content is in its subsections), then cut to fit a chat bubble at whole blocks, list
//! items or table rows.

use crate::domain::answer::{Block, Span, plain, text_len};
use crate::search::ArticlePart;

/// Most characters of answer text in a chat bubble; the link has the rest.
pub const MAX_ANSWER_CHARS: usize = 1200;

/// Words that say "the answer follows": «ниже», "below", "unten", «следующие», "folgende".
const POINTS_ON: &[&str] = &[
    "ниже",
    "следующ",
    "below",
    "following",
    "unten",
    "folgend",
    "nachstehend",
];

/// The blocks to show for `part` and whether they were cut.
pub fn content(part: &ArticlePart) -> (Vec<Block>, bool) {
    let own = &part.part;
    let mut blocks = own.blocks.clone();
    // A section's subsections are its content when it has none of its own or announces them.
    let children: Vec<_> = part
        .following
        .iter()
        .take_while(|f| own.level > 1 && f.level > own.level)
        .collect();
    let announces = announces_more(&own.blocks);
    let brought: Vec<_> = if !children.is_empty() && (blocks.is_empty() || announces) {
        children
    } else if announces || blocks.is_empty() {
        part.following.iter().take(1).collect()
    } else {
        Vec::new()
    };
    for f in brought {
        if let Some(h) = &f.heading {
            blocks.push(Block::Heading {
                spans: vec![Span::text(h.clone())],
            });
        }
        blocks.extend(f.blocks.iter().cloned());
    }
    fit(blocks, MAX_ANSWER_CHARS)
}

/// Whether the content only announces what comes after it: it ends with a colon or points
/// below, and has no list or table of its own.
fn announces_more(blocks: &[Block]) -> bool {
    if blocks
        .iter()
        .any(|b| matches!(b, Block::List { .. } | Block::Table { .. }))
    {
        return false;
    }
    let text = plain(blocks).to_lowercase();
    let text = text.trim_end();
    text.ends_with(':') || POINTS_ON.iter().any(|w| text.contains(w))
}

/// At most `budget` characters of `blocks`, cut between blocks, list items or table rows (a
/// paragraph is cut at a sentence); whether anything was left out.
pub fn fit(blocks: Vec<Block>, budget: usize) -> (Vec<Block>, bool) {
    let mut out = Vec::new();
    let mut left = budget;
    for b in blocks {
        // The blank line between blocks counts too.
        let len = text_len(std::slice::from_ref(&b)) + 2;
        if len <= left {
            left -= len;
            out.push(b);
            continue;
        }
        // A heading with nothing after it is dropped with its content.
        if let Some(cut) = cut_block(b, left) {
            out.push(cut);
        }
        if matches!(out.last(), Some(Block::Heading { .. })) {
            out.pop();
        }
        return (out, true);
    }
    (out, false)
}

/// The beginning of `b` within `left` characters, if any of it fits usefully.
fn cut_block(b: Block, left: usize) -> Option<Block> {
    match b {
        Block::List {
            ordered,
            start,
            items,
        } => {
            let mut kept = Vec::new();
            let mut room = left;
            for item in items {
                // The marker («12. ») and the line break.
                let len = text_len(&item) + 6;
                if len > room {
                    break;
                }
                room -= len;
                kept.push(item);
            }
            (!kept.is_empty()).then_some(Block::List {
                ordered,
                start,
                items: kept,
            })
        }
        Block::Table { header, rows } => {
            let row_len = |r: &Vec<Vec<Span>>| {
                r.iter()
                    .map(|c| c.iter().map(|s| s.text.chars().count()).sum::<usize>() + 3)
                    .sum::<usize>()
            };
            let mut room = left.checked_sub(row_len(&header))?;
            let mut kept = Vec::new();
            for r in rows {
                let len = row_len(&r);
                if len > room {
                    break;
                }
                room -= len;
                kept.push(r);
            }
            (!kept.is_empty()).then_some(Block::Table { header, rows: kept })
        }
        Block::Paragraph { spans } if left >= 80 => {
            let text: String = spans.iter().map(|s| s.text.as_str()).collect();
            Some(Block::Paragraph {
                spans: vec![Span::text(super::shorten(&text, left))],
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;
    use crate::search::PartContent;

    fn p(t: &str) -> Block {
        Block::Paragraph {
            spans: vec![Span::text(t)],
        }
    }
    fn list(n: usize) -> Block {
        Block::List {
            ordered: true,
            start: None,
            items: (0..n).map(|i| vec![p(&format!("шаг {i}"))]).collect(),
        }
    }
    fn part(level: u8, blocks: Vec<Block>) -> PartContent {
        PartContent {
            heading: Some(format!("H{level}")),
            anchor: Some("a".into()),
            level,
            blocks,
        }
    }
    fn article(own: PartContent, following: Vec<PartContent>) -> ArticlePart {
        ArticlePart {
            title: "T".into(),
            lang: Lang::Ru,
            url: "/ru/articles/t".into(),
            part: own,
            following,
        }
    }

    #[test]
    fn an_intro_that_points_below_brings_the_list() {
        let a = article(
            PartContent {
                heading: None,
                anchor: None,
                level: 1,
                blocks: vec![p("Оформить возврат можно так, см. шаги ниже.")],
            },
            vec![part(2, vec![list(3)]), part(2, vec![p("другое")])],
        );
        let (b, more) = content(&a);
        assert!(!more);
        assert_eq!(b.len(), 3, "{b:?}");
        assert!(matches!(b[1], Block::Heading { .. }));
        assert!(matches!(b[2], Block::List { .. }));
    }

    #[test]
    fn a_colon_brings_the_next_part_but_a_complete_section_stands_alone() {
        let a = article(
            part(2, vec![p("Вам понадобится:")]),
            vec![part(3, vec![list(2)])],
        );
        assert_eq!(content(&a).0.len(), 3);
        let a = article(
            part(2, vec![p("Всё просто."), list(2)]),
            vec![part(2, vec![list(2)])],
        );
        assert_eq!(content(&a).0.len(), 2);
        // An empty `##` section is its `###` subsections.
        let a = article(
            part(2, vec![]),
            vec![
                part(3, vec![p("a")]),
                part(3, vec![p("b")]),
                part(2, vec![p("c")]),
            ],
        );
        let (b, _) = content(&a);
        assert_eq!(plain(&b), "H3\n\na\n\nH3\n\nb");
    }

    #[test]
    fn long_content_is_cut_at_items_and_rows() {
        let (b, more) = fit(vec![p("вступление"), list(500)], 200);
        assert!(more);
        assert!(text_len(&b) <= 200, "{}", text_len(&b));
        let Block::List { items, .. } = &b[1] else {
            panic!()
        };
        assert!(items.len() > 5);
        let row = |t: &str| vec![vec![Span::text(t)], vec![Span::text("x")]];
        let table = Block::Table {
            header: row("h"),
            rows: (0..100).map(|i| row(&format!("строка {i}"))).collect(),
        };
        let (b, more) = fit(vec![table], 100);
        assert!(more);
        assert!(matches!(&b[0], Block::Table { rows, .. } if !rows.is_empty() && rows.len() < 10));
        let (b, more) = fit(vec![p(&"Предложение. ".repeat(100))], 300);
        assert!(more);
        assert!(text_len(&b) <= 300);
    }
}
