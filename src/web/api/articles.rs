//! `GET /api/articles/{slug}`: one article as JSON.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use crate::articles::Section;
use crate::domain::{Lang, Slug};
use crate::error::AppError;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub(crate) struct Params {
    lang: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Translation {
    lang: Lang,
    url: String,
}

#[derive(Serialize)]
pub(crate) struct ArticleJson {
    slug: Slug,
    lang: Lang,
    title: String,
    category: Option<String>,
    tags: Vec<String>,
    updated: Option<String>,
    url: String,
    html: String,
    sections: Vec<Section>,
    related: Vec<Slug>,
    translations: Vec<Translation>,
}

pub(crate) async fn article(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<ArticleJson>, AppError> {
    let Query(p) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let slug = Slug::parse(&slug).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let lang = match p.lang.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => Some(
            l.parse::<Lang>()
                .map_err(|e| AppError::BadRequest(format!("parameter 'lang': {e}")))?,
        ),
        None => None,
    };
    let snap = state.search.snapshot();
    let cat = &snap.catalog;
    let found = match lang {
        Some(l) => cat.get(l, &slug),
        None => std::iter::once(state.config.default_lang)
            .chain(Lang::ALL)
            .find_map(|l| cat.get(l, &slug)),
    };
    let a = found.ok_or_else(|| AppError::NotFound(format!("no article '{slug}'")))?;
    let translations = cat
        .translations(a.lang, &a.slug)
        .into_iter()
        .filter_map(|l| cat.get(l, &a.slug))
        .map(|t| Translation {
            lang: t.lang,
            url: t.url(None),
        })
        .collect();
    Ok(Json(ArticleJson {
        slug: a.slug.clone(),
        lang: a.lang,
        title: a.title.clone(),
        category: a.category.clone(),
        tags: a.tags.clone(),
        updated: a.updated.clone(),
        url: a.url(None),
        html: a.html.clone(),
        sections: a.sections.clone(),
        related: a.related.clone(),
        translations,
    }))
}
