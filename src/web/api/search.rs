//! `GET /api/search`: JSON hits for the help center and integrations.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use crate::domain::Lang;
use crate::error::AppError;
use crate::search::{Hit, MAX_LIMIT, SearchRequest};
use crate::web::state::AppState;

/// Longest `q` accepted, in characters; longer queries get a 400. Search reads the first
/// [`super::query::MAX_QUERY_CHARS`] characters of what it accepts.
pub const MAX_Q_CHARS: usize = 10_000;

#[derive(Deserialize)]
pub(crate) struct Params {
    q: Option<String>,
    lang: Option<String>,
    limit: Option<String>,
    /// `1`: as-you-type suggestions, lexical only (no encoder on every keystroke).
    instant: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Response {
    query: String,
    lang: Option<Lang>,
    answered: bool,
    threshold: f32,
    /// The query as read when words were typed on the wrong keyboard layout.
    #[serde(skip_serializing_if = "Option::is_none")]
    read_as: Option<String>,
    hits: Vec<Hit>,
}

pub(crate) async fn search(
    State(state): State<AppState>,
    visitor: crate::web::extract::Visitor,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Response>, AppError> {
    let Query(p) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let q =
        p.q.ok_or_else(|| AppError::BadRequest("missing parameter 'q'".into()))?;
    if q.chars().count() > MAX_Q_CHARS {
        return Err(AppError::BadRequest(format!(
            "parameter 'q' is longer than {MAX_Q_CHARS} characters"
        )));
    }
    let lang = match p.lang.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => Some(
            l.parse::<Lang>()
                .map_err(|e| AppError::BadRequest(format!("parameter 'lang': {e}")))?,
        ),
        None => None,
    };
    let limit = match p.limit.as_deref() {
        None | Some("") => 10,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(AppError::BadRequest(format!(
                    "parameter 'limit' must be a whole number from 1 to {MAX_LIMIT}"
                )));
            }
        },
    };
    let results = state.search.search(&SearchRequest {
        query: &q,
        lang,
        limit,
        snippets: true,
        semantic: !matches!(p.instant.as_deref(), Some("1" | "true")),
        across: false,
    });
    if !results.answered {
        let lang = lang.or_else(|| results.hits.first().map(|h| h.lang));
        crate::analytics::gaps::record_search_miss(
            &state.store,
            state.config.default_lang,
            &q,
            lang,
            Some(visitor.0),
        );
    }
    Ok(Json(Response {
        query: q,
        lang,
        answered: results.answered,
        threshold: results.threshold,
        read_as: results.read_as,
        hits: results.hits,
    }))
}
