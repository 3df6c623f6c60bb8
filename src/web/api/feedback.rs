//! `GET`/`POST /api/articles/{slug}/feedback`, "Was this helpful?": votes on articles, one per
//! visitor, without cookies or logins.
//!
//! A visitor ([`Visitor`]) is identified by a SHA-256 hash of the client IP (read from `X-Forwarded-For` when
//! the request comes through one of `--trusted-proxies`, else the socket address), the
//! `User-Agent` and the installation's
//! secret, so the stored id says nothing about the person and cannot be recomputed elsewhere.
//! Since a new `User-Agent` makes a new visitor, votes are also limited per client address
//! ([`crate::limits::VOTES`]).

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::domain::{Lang, Slug};
use crate::error::AppError;
use crate::store::FeedbackCounts;
use crate::web::extract::{ClientAddr, Visitor};
use crate::web::state::AppState;

/// Longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// Largest request body accepted by the feedback endpoint, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Vote {
    lang: String,
    helpful: bool,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Params {
    lang: Option<String>,
}

fn parse_lang(lang: &str) -> Result<Lang, AppError> {
    lang.parse::<Lang>()
        .map_err(|e| AppError::BadRequest(format!("'lang': {e}")))
}

/// The published article `lang`/`slug`, or 404.
fn published(state: &AppState, lang: Lang, slug: &str) -> Result<Slug, AppError> {
    let slug = Slug::parse(slug).map_err(|e| AppError::BadRequest(e.to_string()))?;
    if state.search.snapshot().catalog.get(lang, &slug).is_none() {
        return Err(AppError::NotFound(format!(
            "no published article '{slug}' in '{lang}'"
        )));
    }
    Ok(slug)
}

/// A JSON body that was refused: 413 when too large, else 400; always `{code, message}`.
fn json_rejection(e: JsonRejection) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let body = serde_json::json!({
            "code": "payload_too_large",
            "message": format!("request body over {MAX_BODY_BYTES} bytes"),
        });
        return (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response();
    }
    AppError::BadRequest(e.body_text()).into_response()
}

/// Takes a vote from the address's allowance ([`crate::limits::VOTES`]), whatever the
/// `User-Agent`, or the 429 to answer.
pub fn vote_allowed(state: &AppState, addr: &ClientAddr) -> Result<(), AppError> {
    state
        .limits
        .votes
        .take(&addr.key())
        .map_err(|retry_after| AppError::TooManyRequests {
            message: "too many votes from this address; at most 30 an hour".into(),
            retry_after,
        })
}

pub(crate) async fn record(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    addr: ClientAddr,
    Visitor(visitor): Visitor,
    vote: Result<Json<Vote>, JsonRejection>,
) -> Result<Json<FeedbackCounts>, Response> {
    let Json(vote) = vote.map_err(json_rejection)?;
    let lang = parse_lang(&vote.lang).map_err(IntoResponse::into_response)?;
    let comment = vote
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(AppError::BadRequest(format!(
            "'comment' is longer than {MAX_COMMENT_CHARS} characters"
        ))
        .into_response());
    }
    let slug = published(&state, lang, &slug).map_err(IntoResponse::into_response)?;
    vote_allowed(&state, &addr).map_err(IntoResponse::into_response)?;
    state
        .store
        .record_feedback(lang, &slug, &visitor, vote.helpful, comment)
        .await
        .map_err(|e| AppError::Internal(e).into_response())?;
    let counts = state
        .store
        .feedback_counts(lang, &slug)
        .await
        .map_err(|e| AppError::Internal(e).into_response())?;
    Ok(Json(counts))
}

pub(crate) async fn counts(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<FeedbackCounts>, AppError> {
    let Query(p) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let lang = match p.lang.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => parse_lang(l)?,
        None => state.config.default_lang,
    };
    let slug = published(&state, lang, &slug)?;
    Ok(Json(state.store.feedback_counts(lang, &slug).await?))
}
