//! Turns an article part's Markdown events into typed answer blocks (paragraphs, lists,
//! tables, quotes, code; spans with bold, italic, code and links) for the chat widget. Raw
//! HTML and images are dropped; links that are not `http(s)`, `mailto:`, `tel:` or
//! site-relative keep their text and lose their target.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::domain::answer::{Block, Span, push_span, safe_href};

/// A container being filled.
enum Frame {
    /// The part itself, a list item or a quote: a sequence of blocks.
    Blocks(Vec<Block>),
    /// A list: its items so far.
    List {
        ordered: bool,
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    /// A table: header, rows, the row being read.
    Table {
        header: Vec<Vec<Span>>,
        rows: Vec<Vec<Vec<Span>>>,
        row: Vec<Vec<Span>>,
        in_head: bool,
    },
}

/// Inline style in effect.
#[derive(Default, Clone)]
struct Style {
    strong: u32,
    em: u32,
    links: Vec<Option<String>>,
}

/// Builds the blocks of one article part; `base` is the article's URL, for `#anchor` links.
pub fn blocks_of(events: &[Event<'_>], base: &str) -> Vec<Block> {
    let mut stack: Vec<Frame> = vec![Frame::Blocks(Vec::new())];
    // The inline text being collected (paragraph, heading, cell or a tight item's text).
    let mut spans: Option<Vec<Span>> = None;
    let mut heading = false;
    let mut code: Option<String> = None;
    let mut style = Style::default();

    fn flush(stack: &mut [Frame], spans: &mut Option<Vec<Span>>, heading: bool) {
        let Some(mut s) = spans.take() else { return };
        trim_spans(&mut s);
        if s.is_empty() {
            return;
        }
        if let Some(Frame::Blocks(bs)) = stack.last_mut() {
            bs.push(if heading {
                Block::Heading { spans: s }
            } else {
                Block::Paragraph { spans: s }
            });
        }
    }
    let span = |style: &Style, text: &str, code: bool| Span {
        text: text.to_string(),
        strong: style.strong > 0,
        em: style.em > 0,
        code,
        href: style.links.iter().rev().flatten().next().cloned(),
    };

    for e in events {
        if let Some(buf) = code.as_mut() {
            match e {
                Event::Text(t) => buf.push_str(t),
                Event::End(TagEnd::CodeBlock) => {
                    let text = code.take().unwrap_or_default();
                    if let Some(Frame::Blocks(bs)) = stack.last_mut()
                        && !text.trim().is_empty()
                    {
                        bs.push(Block::Code { text });
                    }
                }
                _ => {}
            }
            continue;
        }
        match e {
            Event::Start(Tag::Paragraph) => {
                flush(&mut stack, &mut spans, heading);
                heading = false;
                spans = Some(Vec::new());
            }
            Event::Start(Tag::Heading { .. }) => {
                flush(&mut stack, &mut spans, heading);
                heading = true;
                spans = Some(Vec::new());
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) => {
                flush(&mut stack, &mut spans, heading);
                heading = false;
            }
            Event::Start(Tag::List(start)) => {
                flush(&mut stack, &mut spans, heading);
                stack.push(Frame::List {
                    ordered: start.is_some(),
                    start: start.filter(|&n| n != 1),
                    items: Vec::new(),
                });
            }
            Event::Start(Tag::Item) => {
                flush(&mut stack, &mut spans, heading);
                stack.push(Frame::Blocks(Vec::new()));
            }
            Event::End(TagEnd::Item) => {
                flush(&mut stack, &mut spans, heading);
                if let Some(Frame::Blocks(item)) = stack.pop()
                    && let Some(Frame::List { items, .. }) = stack.last_mut()
                {
                    items.push(item);
                }
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut stack, &mut spans, heading);
                if let Some(Frame::List {
                    ordered,
                    start,
                    items,
                }) = stack.pop()
                    && let Some(Frame::Blocks(bs)) = stack.last_mut()
                    && !items.is_empty()
                {
                    bs.push(Block::List {
                        ordered,
                        start,
                        items,
                    });
                }
            }
            Event::Start(Tag::BlockQuote(_)) => {
                flush(&mut stack, &mut spans, heading);
                stack.push(Frame::Blocks(Vec::new()));
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                flush(&mut stack, &mut spans, heading);
                if let Some(Frame::Blocks(blocks)) = stack.pop()
                    && let Some(Frame::Blocks(bs)) = stack.last_mut()
                    && !blocks.is_empty()
                {
                    bs.push(Block::Quote { blocks });
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut stack, &mut spans, heading);
                code = Some(String::new());
            }
            Event::Start(Tag::Table(_)) => {
                flush(&mut stack, &mut spans, heading);
                stack.push(Frame::Table {
                    header: Vec::new(),
                    rows: Vec::new(),
                    row: Vec::new(),
                    in_head: false,
                });
            }
            Event::Start(Tag::TableHead) => {
                if let Some(Frame::Table { in_head, .. }) = stack.last_mut() {
                    *in_head = true;
                }
            }
            Event::Start(Tag::TableCell) => spans = Some(Vec::new()),
            Event::End(TagEnd::TableCell) => {
                let mut cell = spans.take().unwrap_or_default();
                trim_spans(&mut cell);
                if let Some(Frame::Table { row, .. }) = stack.last_mut() {
                    row.push(cell);
                }
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                if let Some(Frame::Table {
                    header,
                    rows,
                    row,
                    in_head,
                }) = stack.last_mut()
                {
                    let cells = std::mem::take(row);
                    if *in_head {
                        *header = cells;
                        *in_head = false;
                    } else {
                        rows.push(cells);
                    }
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(Frame::Table { header, rows, .. }) = stack.pop()
                    && let Some(Frame::Blocks(bs)) = stack.last_mut()
                {
                    bs.push(Block::Table { header, rows });
                }
            }
            Event::Start(Tag::Strong) => style.strong += 1,
            Event::End(TagEnd::Strong) => style.strong = style.strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => style.em += 1,
            Event::End(TagEnd::Emphasis) => style.em = style.em.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                style.links.push(resolve(dest_url, base));
            }
            Event::End(TagEnd::Link) => {
                style.links.pop();
            }
            Event::Text(t) | Event::Code(t) => {
                let is_code = matches!(e, Event::Code(_));
                let buf = spans.get_or_insert_with(Vec::new);
                push_span(buf, span(&style, t, is_code));
            }
            Event::SoftBreak => {
                if let Some(buf) = spans.as_mut() {
                    push_span(buf, span(&style, " ", false));
                }
            }
            Event::HardBreak => {
                if let Some(buf) = spans.as_mut() {
                    push_span(buf, span(&style, "\n", false));
                }
            }
            Event::TaskListMarker(done) => {
                let buf = spans.get_or_insert_with(Vec::new);
                push_span(buf, Span::text(if *done { "☑ " } else { "☐ " }));
            }
            // Raw HTML, images, rules, footnotes and the rest carry nothing for a chat bubble.
            _ => {}
        }
    }
    flush(&mut stack, &mut spans, heading);
    // Unclosed containers cannot come out of pulldown-cmark; fold whatever is left anyway.
    while stack.len() > 1 {
        stack.pop();
    }
    match stack.pop() {
        Some(Frame::Blocks(bs)) => bs,
        _ => Vec::new(),
    }
}

/// A link target as sent to the widget: `#x` becomes the article's URL with the anchor;
/// anything not safe is dropped.
fn resolve(dest: &str, base: &str) -> Option<String> {
    let dest = dest.trim();
    if let Some(anchor) = dest.strip_prefix('#') {
        let page = base.split('#').next().unwrap_or(base);
        return Some(format!("{page}#{anchor}")).filter(|h| safe_href(h));
    }
    Some(dest.to_string()).filter(|h| safe_href(h))
}

/// Trims whitespace at both ends of a run of spans, dropping spans left empty.
fn trim_spans(spans: &mut Vec<Span>) {
    if let Some(first) = spans.first_mut() {
        first.text = first.text.trim_start().to_string();
    }
    if let Some(last) = spans.last_mut() {
        last.text = last.text.trim_end().to_string();
    }
    spans.retain(|s| !s.text.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    fn blocks(md: &str) -> Vec<Block> {
        let events: Vec<Event> = Parser::new_ext(md, Options::all()).collect();
        blocks_of(&events, "/ru/articles/x")
    }

    fn texts(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn paragraphs_keep_bold_and_links() {
        let b = blocks(
            "Статус **«Деньги отправлены»** и [ссылка](https://example.com) и [якорь](#when).",
        );
        let Block::Paragraph { spans } = &b[0] else {
            panic!("{b:?}")
        };
        assert!(
            spans
                .iter()
                .any(|s| s.strong && s.text == "«Деньги отправлены»")
        );
        assert!(
            spans
                .iter()
                .any(|s| s.href.as_deref() == Some("https://example.com") && s.text == "ссылка")
        );
        assert!(
            spans
                .iter()
                .any(|s| s.href.as_deref() == Some("/ru/articles/x#when"))
        );
    }

    #[test]
    fn hostile_links_lose_their_target() {
        let b = blocks("[click](javascript:alert(1)) <script>x</script> ![img](data:x)");
        let Block::Paragraph { spans } = &b[0] else {
            panic!("{b:?}")
        };
        assert!(spans.iter().all(|s| s.href.is_none()), "{spans:?}");
        assert!(texts(spans).contains("click"));
        assert!(!texts(spans).contains("script"));
    }

    #[test]
    fn lists_tight_and_loose_and_nested() {
        let b = blocks(
            "Шаги:\n\n1. Откройте заказ\n2. Нажмите **Отменить**\n   - подтвердите\n\n- a\n\n- b\n",
        );
        assert_eq!(b.len(), 3, "{b:#?}");
        let Block::List { ordered, items, .. } = &b[1] else {
            panic!()
        };
        assert!(*ordered);
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1][1], Block::List { ordered: false, .. }));
        let Block::List { ordered, items, .. } = &b[2] else {
            panic!()
        };
        assert!(!*ordered);
        assert!(matches!(&items[0][0], Block::Paragraph { spans } if texts(spans) == "a"));
        let b = blocks("3. three\n4. four\n");
        assert!(matches!(&b[0], Block::List { start: Some(3), .. }));
    }

    #[test]
    fn tables_have_header_and_rows() {
        let b =
            blocks("| Способ | Срок |\n|---|---|\n| Карта | до **10** дней |\n| СБП | 3 дня |\n");
        let Block::Table { header, rows } = &b[0] else {
            panic!("{b:?}")
        };
        assert_eq!(header.len(), 2);
        assert_eq!(texts(&header[0]), "Способ");
        assert_eq!(rows.len(), 2);
        assert!(rows[0][1].iter().any(|s| s.strong && s.text == "10"));
    }

    #[test]
    fn quotes_code_and_subheadings() {
        let b = blocks("> Важно: **паспорт**\n\n```\nкод\n```\n\n#### Мелочи\n\nтекст");
        assert!(matches!(&b[0], Block::Quote { blocks } if blocks.len() == 1));
        assert!(matches!(&b[1], Block::Code { text } if text == "код\n"));
        assert!(matches!(&b[2], Block::Heading { spans } if texts(spans) == "Мелочи"));
        assert_eq!(b.len(), 4);
    }
}
