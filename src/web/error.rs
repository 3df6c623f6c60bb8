//! How an [`AppError`] is answered: stable JSON `{code, message}` with its HTTP status
//! (`Retry-After` on 429); an internal error is logged and answered with a generic message.
//! A browser's page request (`Accept: text/html`, outside the JSON APIs) gets the same error as
//! an HTML page of the site instead ([`as_html`], one layer over the whole router), so one
//! error type serves the API and the pages.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::Lang;
use crate::error::AppError;
use crate::web::state::AppState;

/// What an error response says, kept on it (a response extension) for [`as_html`].
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// The message shown (the generic one for internal errors).
    pub message: String,
}

#[derive(Serialize)]
pub(crate) struct ErrorBody<'a> {
    code: &'a str,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let code = self.code();
        let status = match &self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BadFile(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let (message, retry_after) = match self {
            AppError::TooManyRequests {
                message,
                retry_after,
            } => (message, Some(crate::limits::retry_after_secs(retry_after))),
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                ("internal error".to_string(), None)
            }
            other => (other.to_string(), None),
        };
        let info = ErrorInfo {
            message: message.clone(),
        };
        let mut res = (status, Json(ErrorBody { code, message })).into_response();
        if let Some(secs) = retry_after {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                secs.to_string().parse().expect("digits"),
            );
        }
        res.extensions_mut().insert(info);
        res
    }
}

/// Answers an error of a browser's page request as an HTML page of the site: the help center's
/// error page in the language of the path, or the agents' one under `/agent`. API paths
/// (`/api/`, `/agent/api/`) and clients that do not ask for HTML keep the JSON.
pub async fn as_html(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if !wants_html || path.starts_with("/api/") || path.starts_with("/agent/api/") {
        return next.run(req).await;
    }
    // Only a browser's page request pays for keeping what the error page needs.
    let path = path.to_string();
    let headers = req.headers().clone();
    let res = next.run(req).await;
    let Some(info) = res.extensions().get::<ErrorInfo>().cloned() else {
        return res;
    };
    let status = res.status();
    let mut page = if path == "/agent" || path.starts_with("/agent/") {
        let mut page = super::agents::layout::error_page(&state, &headers, status, &info.message);
        // Agents' pages are private.
        page.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        page
    } else {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let lang = Lang::ALL
            .into_iter()
            .find(|l| l.code() == first)
            .unwrap_or(state.config.default_lang);
        super::pages::status_page(&state, &headers, lang, status, &info.message)
    };
    for name in [header::RETRY_AFTER, header::CACHE_CONTROL] {
        if let Some(v) = res.headers().get(&name) {
            page.headers_mut().insert(name, v.clone());
        }
    }
    page
}
