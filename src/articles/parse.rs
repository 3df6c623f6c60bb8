//! Parsing one article file: YAML front matter (pulldown-cmark's metadata block), Markdown body
//! rendered to sanitized HTML with stable section anchors, and the plain text of each section.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

use super::{Article, Problem, Section, blocks};
use crate::domain::{Block, Lang, Slug, anchor_from_heading};

/// Largest article file accepted, in bytes.
pub const MAX_ARTICLE_BYTES: usize = 1024 * 1024;

/// The front matter keys an article may have.
#[derive(Debug, Deserialize)]
struct FrontMatter {
    title: Option<String>,
    lang: Option<String>,
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    questions: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    draft: bool,
    updated: Option<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, serde_norway::Value>,
}

/// What parsing one file gives: the article if it is usable, and every problem found.
pub struct Parsed {
    /// The article, unless an error makes it unusable.
    pub article: Option<Article>,
    /// Errors and warnings, each with its line.
    pub problems: Vec<Problem>,
}

fn markdown_options() -> Options {
    Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// Parses the text of `file` (its path relative to the articles folder, used in messages).
///
/// `folder_lang` is the language implied by the file's first folder (`ru/…`), if any.
pub fn parse_article(
    file: &str,
    slug: Slug,
    text: &str,
    folder_lang: Option<Lang>,
    default_lang: Lang,
) -> Parsed {
    let mut problems = Vec::new();
    let err = |line: usize, message: String| Problem::error(file, line, message);
    if text.len() > MAX_ARTICLE_BYTES {
        problems.push(err(
            1,
            format!("file is larger than the limit of {MAX_ARTICLE_BYTES} bytes"),
        ));
        return Parsed {
            article: None,
            problems,
        };
    }

    let parser = Parser::new_ext(text, markdown_options()).into_offset_iter();
    let mut events: Vec<Event> = Vec::new();
    let mut yaml: Option<(String, usize)> = None;
    let mut in_meta = false;
    for (event, range) in parser {
        match event {
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => in_meta = true,
            Event::End(TagEnd::MetadataBlock(_)) => in_meta = false,
            Event::Text(t) if in_meta => {
                let line = line_of(text, range.start);
                yaml.get_or_insert_with(|| (String::new(), line))
                    .0
                    .push_str(&t);
            }
            other => events.push(other),
        }
    }

    let Some((yaml, yaml_line)) = yaml else {
        problems.push(err(
            1,
            "missing front matter: the file must start with '---', 'title: …' and '---'".into(),
        ));
        return Parsed {
            article: None,
            problems,
        };
    };
    let fm: FrontMatter = match serde_norway::from_str(&yaml) {
        Ok(fm) => fm,
        Err(e) => {
            let line = e
                .location()
                .map_or(yaml_line, |l| yaml_line + l.line().saturating_sub(1));
            let msg = e.to_string();
            // serde_norway appends "at line N column M" relative to the block; our line is absolute.
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            // The YAML library places a duplicate key at the start of the block: find the
            // repeated key's own line.
            let line = duplicate_key(&msg)
                .and_then(|key| {
                    yaml.lines()
                        .enumerate()
                        .filter(|(_, l)| l.starts_with(&format!("{key}:")))
                        .nth(1)
                        .map(|(i, _)| yaml_line + i)
                })
                .unwrap_or(line);
            problems.push(err(line, format!("invalid front matter: {msg}")));
            return Parsed {
                article: None,
                problems,
            };
        }
    };
    let key_line = |key: &str| {
        yaml.lines()
            .position(|l| l.trim_start().starts_with(&format!("{key}:")))
            .map_or(yaml_line, |i| yaml_line + i)
    };

    for key in fm.unknown.keys() {
        problems.push(Problem::warning(
            file,
            key_line(key),
            format!(
                "unknown front matter key '{key}' (known: title, lang, category, tags, questions, related, draft, updated)"
            ),
        ));
    }
    let title = match fm.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => {
            problems.push(err(
                yaml_line,
                "missing required 'title' in front matter".into(),
            ));
            String::new()
        }
    };
    let lang = match fm.lang.as_deref() {
        Some(code) => match code.parse::<Lang>() {
            Ok(l) => {
                if let Some(fl) = folder_lang.filter(|fl| *fl != l) {
                    problems.push(Problem::warning(
                        file,
                        key_line("lang"),
                        format!(
                            "lang '{l}' differs from the folder's language '{fl}'; using '{l}'"
                        ),
                    ));
                }
                Some(l)
            }
            Err(e) => {
                problems.push(err(key_line("lang"), e.to_string()));
                None
            }
        },
        None => Some(folder_lang.unwrap_or(default_lang)),
    };
    let mut related = Vec::new();
    for r in &fm.related {
        match Slug::parse(r.trim()) {
            Ok(s) => related.push(s),
            Err(e) => problems.push(err(key_line("related"), format!("related: {e}"))),
        }
    }
    if let Some(u) = &fm.updated
        && !is_iso_date(u)
    {
        problems.push(err(
            key_line("updated"),
            format!("updated: '{u}' is not a date in the form YYYY-MM-DD"),
        ));
    }
    let questions: Vec<String> = fm
        .questions
        .iter()
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty())
        .collect();

    if problems.iter().any(Problem::is_error) {
        return Parsed {
            article: None,
            problems,
        };
    }
    let Some(lang) = lang else {
        return Parsed {
            article: None,
            problems,
        };
    };

    let base = format!("/{lang}/articles/{slug}");
    let body = render_body(events, &base);
    let article = Article {
        file: file.to_string(),
        slug,
        lang,
        title,
        category: fm
            .category
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        tags: fm.tags.iter().map(|t| t.trim().to_string()).collect(),
        questions,
        related,
        draft: fm.draft,
        updated: fm.updated,
        html: body.html,
        intro: body.intro,
        intro_blocks: body.intro_blocks,
        sections: body.sections,
    };
    Parsed {
        article: Some(article),
        problems,
    }
}

/// The key named by a "duplicate field `x`" error.
fn duplicate_key(msg: &str) -> Option<&str> {
    let rest = msg.split("duplicate field `").nth(1)?;
    rest.split('`').next()
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

struct Body {
    html: String,
    intro: String,
    intro_blocks: Vec<Block>,
    sections: Vec<Section>,
}

/// Renders the Markdown events: gives `##`/`###` headings stable ids, collects each section's
/// plain text for search and its answer blocks, and sanitizes the HTML; `base` is the
/// article's URL.
fn render_body(events: Vec<Event<'_>>, base: &str) -> Body {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    // The events of the intro (first) and of each section, for their answer blocks.
    let mut parts: Vec<Vec<Event>> = vec![Vec::new()];
    let mut sections: Vec<Section> = Vec::new();
    let mut intro = String::new();
    let mut used: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) => {
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                    .map_or(events.len(), |p| i + p);
                let inner = &events[i + 1..end.min(events.len())];
                let mut title = String::new();
                for e in inner {
                    push_text(&mut title, e);
                }
                let title = title.trim().to_string();
                let base = match id {
                    Some(explicit) if !explicit.trim().is_empty() => explicit.trim().to_string(),
                    _ => anchor_from_heading(&title),
                };
                let mut anchor = base.clone();
                let mut n = 2;
                while !used.insert(anchor.clone()) {
                    anchor = format!("{base}-{n}");
                    n += 1;
                }
                sections.push(Section {
                    anchor: anchor.clone(),
                    title,
                    level: if *level == HeadingLevel::H2 { 2 } else { 3 },
                    text: String::new(),
                    blocks: Vec::new(),
                });
                parts.push(Vec::new());
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(anchor.into()),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                out.extend(inner.iter().cloned());
                if end < events.len() {
                    out.push(events[end].clone());
                }
                i = end + 1;
                continue;
            }
            e => {
                let target = match sections.last_mut() {
                    Some(s) => &mut s.text,
                    None => &mut intro,
                };
                push_text(target, e);
                if let Some(part) = parts.last_mut() {
                    part.push(e.clone());
                }
                out.push(e.clone());
            }
        }
        i += 1;
    }
    let mut raw = String::new();
    pulldown_cmark::html::push_html(&mut raw, out.into_iter());
    for s in &mut sections {
        s.text = collapse_ws(&s.text);
    }
    let mut parts = parts.into_iter();
    let intro_blocks = parts
        .next()
        .map_or_else(Vec::new, |p| blocks::blocks_of(&p, base));
    for (s, p) in sections.iter_mut().zip(parts) {
        s.blocks = blocks::blocks_of(&p, base);
    }
    Body {
        html: sanitizer().clean(&raw).to_string(),
        intro: collapse_ws(&intro),
        intro_blocks,
        sections,
    }
}

/// Appends the visible text of one event; block ends become spaces so words never merge.
fn push_text(buf: &mut String, e: &Event<'_>) {
    match e {
        Event::Text(t) | Event::Code(t) => buf.push_str(t),
        Event::SoftBreak | Event::HardBreak => buf.push(' '),
        Event::End(
            TagEnd::Paragraph
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::Heading(_)
            | TagEnd::CodeBlock
            | TagEnd::BlockQuote(_),
        ) => buf.push('\n'),
        _ => {}
    }
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tag_attributes("h2", &["id"])
            .add_tag_attributes("h3", &["id"])
            .add_tag_attributes("h4", &["id"])
            .add_tag_attributes("input", &["type", "checked", "disabled"])
            .add_tags(&["input"])
            .add_tag_attributes("td", &["style"])
            .add_tag_attributes("th", &["style"])
            .filter_style_properties(["text-align"].into_iter().collect())
            .link_rel(Some("noopener noreferrer"));
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        parse_article("ru/x.md", Slug::parse("x").unwrap(), text, None, Lang::Ru)
    }

    #[test]
    fn parses_front_matter_sections_and_anchors() {
        let p = parse(
            "---\ntitle: Доставка\ntags: [a, b]\nquestions:\n  - где мой заказ\nupdated: 2026-01-02\n---\n\nВступление.\n\n## Сроки доставки\n\nТри дня.\n\n### Москва {#msk}\n\nОдин день.\n\n## Сроки доставки\n\nДубль.\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let a = p.article.unwrap();
        assert_eq!(a.title, "Доставка");
        assert_eq!(a.lang, Lang::Ru);
        assert_eq!(a.questions, vec!["где мой заказ"]);
        assert_eq!(a.intro, "Вступление.");
        let anchors: Vec<_> = a.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["сроки-доставки", "msk", "сроки-доставки-2"]);
        assert_eq!(a.sections[1].text, "Один день.");
        assert!(a.html.contains("<h2 id=\"сроки-доставки\">"), "{}", a.html);
        assert!(a.html.contains("<h3 id=\"msk\">"), "{}", a.html);
        assert!(!a.html.contains("где мой заказ"), "questions are not shown");
    }

    #[test]
    fn sanitizes_scripts_and_handlers() {
        let p = parse(
            "---\ntitle: X\n---\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))\n",
        );
        let html = p.article.unwrap().html;
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn reports_yaml_errors_with_absolute_line() {
        let p = parse("---\ntitle: X\ntags: [a, b\nlang: ru\n---\nbody\n");
        assert!(p.article.is_none());
        let e = &p.problems[0];
        assert!(e.is_error());
        assert!((3..=5).contains(&e.line), "line {} for {e}", e.line);
        assert!(e.message.starts_with("invalid front matter"), "{e}");
    }

    #[test]
    fn reports_missing_title_and_unknown_lang_on_their_lines() {
        let p = parse("---\ncategory: a\nlang: fr\n---\nbody\n");
        assert!(p.article.is_none());
        let lines: Vec<_> = p
            .problems
            .iter()
            .map(|p| (p.line, p.message.clone()))
            .collect();
        assert!(
            lines.iter().any(|(l, m)| *l == 2 && m.contains("title")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == 3 && m.contains("unknown language")),
            "{lines:?}"
        );
    }

    #[test]
    fn duplicate_keys_are_reported_on_the_repeated_line() {
        let p = parse("---\ntitle: X\ncategory: a\ntitle: Y\n---\nbody\n");
        assert!(p.article.is_none());
        assert_eq!(p.problems[0].line, 4, "{}", p.problems[0]);
    }

    #[test]
    fn missing_front_matter_is_an_error() {
        let p = parse("# Just markdown\n");
        assert!(p.article.is_none());
        assert_eq!(p.problems[0].line, 1);
    }

    #[test]
    fn unknown_keys_are_warnings_and_bad_dates_errors() {
        let p = parse("---\ntitle: X\ntitel: Y\n---\nbody\n");
        assert!(p.article.is_some());
        assert!(!p.problems[0].is_error());
        assert_eq!(p.problems[0].line, 3);
        let p = parse("---\ntitle: X\nupdated: yesterday\n---\nbody\n");
        assert!(p.article.is_none());
        assert_eq!(p.problems[0].line, 3);
    }

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2026-10-14"));
        assert!(!is_iso_date("2026-13-01"));
        assert!(!is_iso_date("14.10.2026"));
    }
}
