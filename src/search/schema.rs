//! The index schema and what goes into it: one set of text fields per language, and the
//! documents one article becomes (the article, one per section, one per example question).

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::analyzer;
use crate::articles::Article;
use crate::domain::Lang;

/// `section` values from here on mark one-question documents (question `n` is `QUESTION_DOC + n`).
pub(super) const QUESTION_DOC: u64 = 1 << 32;

#[derive(Clone, Copy)]
pub(super) struct LangFields {
    pub(super) title: Field,
    pub(super) questions: Field,
    pub(super) headings: Field,
    pub(super) body: Field,
    pub(super) all: Field,
}

#[derive(Clone, Copy)]
pub(super) struct Fields {
    aid: Field,
    section: Field,
    pub(super) file: Field,
    langs: [LangFields; 3],
}

impl Fields {
    pub(super) fn of(&self, lang: Lang) -> &LangFields {
        &self.langs[lang_idx(lang)]
    }
}

pub(super) fn lang_idx(lang: Lang) -> usize {
    match lang {
        Lang::Ru => 0,
        Lang::En => 1,
        Lang::De => 2,
    }
}

pub(super) fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let aid = b.add_u64_field("aid", FAST | INDEXED);
    let section = b.add_u64_field("section", FAST);
    let file = b.add_text_field("file", STRING);
    let langs = Lang::ALL.map(|lang| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer::analyzer_name(lang))
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let mut f = |name: &str| b.add_text_field(&format!("{name}_{lang}"), opts.clone());
        LangFields {
            title: f("title"),
            questions: f("questions"),
            headings: f("headings"),
            body: f("body"),
            all: f("all"),
        }
    });
    (
        b.build(),
        Fields {
            aid,
            section,
            file,
            langs,
        },
    )
}

pub(super) fn article_docs(fields: &Fields, a: &Article, aid: u64) -> Vec<TantivyDocument> {
    let lf = fields.of(a.lang);
    let mut docs = Vec::with_capacity(1 + a.sections.len());
    let mut doc = TantivyDocument::default();
    doc.add_u64(fields.aid, aid);
    doc.add_u64(fields.section, 0);
    doc.add_text(fields.file, &a.file);
    doc.add_text(lf.title, &a.title);
    doc.add_text(lf.all, &a.title);
    for q in &a.questions {
        doc.add_text(lf.questions, q);
        doc.add_text(lf.all, q);
    }
    for t in &a.tags {
        doc.add_text(lf.questions, t);
        doc.add_text(lf.all, t);
    }
    if let Some(c) = &a.category {
        doc.add_text(lf.headings, c);
        doc.add_text(lf.all, c);
    }
    for s in &a.sections {
        doc.add_text(lf.headings, &s.title);
        doc.add_text(lf.all, &s.title);
        doc.add_text(lf.all, &s.text);
    }
    doc.add_text(lf.body, &a.intro);
    doc.add_text(lf.all, &a.intro);
    docs.push(doc);
    for (i, s) in a.sections.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.aid, aid);
        doc.add_u64(fields.section, i as u64 + 1);
        doc.add_text(fields.file, &a.file);
        doc.add_text(lf.headings, &s.title);
        doc.add_text(lf.body, &s.text);
        docs.push(doc);
    }
    // One small document per question: the nearest single phrasing is strong evidence, both
    // for ranking and for telling answerable questions from the rest.
    for (i, q) in a.questions.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.aid, aid);
        doc.add_u64(fields.section, QUESTION_DOC + i as u64);
        doc.add_text(fields.file, &a.file);
        doc.add_text(lf.questions, q);
        docs.push(doc);
    }
    docs
}
