//! Files over HTTP: the widget's upload (`POST /api/chat/attachments`, the customer's token as
//! a bearer token, from any site: CORS without credentials) and every file's address
//! (`GET /attachments/{token}/{name}`), served so that nothing uploaded can run: the type told
//! from the bytes at upload, `nosniff`, a sandboxing CSP, and PDF as a download.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::chat::protocol::{ErrorCode, ErrorFrame};
use crate::chat::service::{self, Sender};
use crate::domain::attachment::{FileKind, MAX_ATTACHMENT_BYTES};
use crate::domain::now_ms;
use crate::domain::token::token_hash;
use crate::error::AppError;
use crate::web::state::AppState;

/// Largest upload body: a file of [`MAX_ATTACHMENT_BYTES`].
pub const MAX_UPLOAD_BYTES: usize = MAX_ATTACHMENT_BYTES;

/// The policy of a served file: nothing loads, nothing runs, no form, no frame of ours.
pub const FILE_CSP: &str = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

/// `?name=…&client_id=…` of an upload.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// The file's name as the customer's device has it.
    #[serde(default)]
    pub name: String,
    /// The client's id of the upload (a resend is stored once).
    pub client_id: String,
}

/// An upload's body, or the error to answer (413 over the limit).
pub fn file_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, AppError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge("a file may have at most 10 MiB".into())
        } else {
            AppError::BadRequest(e.body_text())
        }
    })
}

/// An error of a file use case as an HTTP error.
pub fn file_error(e: ErrorFrame) -> AppError {
    match e.code {
        ErrorCode::TooLarge => AppError::TooLarge(e.message),
        ErrorCode::BadFile => AppError::BadFile(e.message),
        ErrorCode::RateLimited => AppError::TooManyRequests {
            message: e.message,
            retry_after: std::time::Duration::from_millis(e.retry_ms.unwrap_or(1000)),
        },
        ErrorCode::NoConversation => AppError::NotFound(e.message),
        ErrorCode::BadState | ErrorCode::AlreadyTaken | ErrorCode::OverCapacity => {
            AppError::Conflict(e.message)
        }
        ErrorCode::Forbidden => AppError::Forbidden(e.message),
        ErrorCode::Internal => AppError::Internal(anyhow::anyhow!("{}", e.message)),
        _ => AppError::BadRequest(e.message),
    }
}

fn cors(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

/// `OPTIONS /api/chat/attachments`: the widget uploads from the company's site.
pub async fn upload_preflight() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    r
}

/// `POST /api/chat/attachments?name=…&client_id=…` with the file as the body and
/// `Authorization: Bearer <customer token>`: a message with the file in the customer's current
/// conversation → `{"message": …}`.
pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    cors(
        upload_inner(&state, &headers, query, body)
            .await
            .into_response(),
    )
}

async fn upload_inner(
    state: &AppState,
    headers: &HeaderMap,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::Unauthorized("send the customer token as a bearer token".into())
        })?;
    let customer = state
        .store
        .customer_by_token(&token_hash(token))
        .await?
        .ok_or_else(|| AppError::Unauthorized("unknown customer token".into()))?;
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let body = file_body(body)?;
    if let Err(retry) = state.limits.messages.take(&customer.id) {
        return Err(AppError::TooManyRequests {
            message: "too many messages; at most 30 a minute".into(),
            retry_after: retry,
        });
    }
    let conv = state
        .store
        .current_conversation(customer.id, now_ms(), service::KEEP_RESOLVED_MS)
        .await?
        .filter(|c| c.status != crate::domain::ConversationStatus::Resolved)
        .ok_or_else(|| {
            AppError::Conflict("write a message first: there is no open conversation".into())
        })?;
    let (message, _) = service::attach(
        &state.chat,
        conv.id,
        Sender::Customer,
        &q.client_id,
        &q.name,
        &body,
    )
    .await
    .map_err(file_error)?;
    Ok(axum::Json(serde_json::json!({ "message": message })))
}

/// `GET /attachments/{token}/{name}`: the file, as stored.
pub async fn serve(
    State(state): State<AppState>,
    Path((token, _name)): Path<(String, String)>,
) -> Result<Response, AppError> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound("no such file".into()));
    }
    let file = state
        .store
        .attachment(&token)
        .await?
        .ok_or_else(|| AppError::NotFound("no such file (it may have been deleted)".into()))?;
    let kind = FileKind::from_content_type(&file.content_type)
        .ok_or_else(|| AppError::NotFound("no such file".into()))?;
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if kind.is_image() {
            "inline"
        } else {
            "attachment"
        },
        crate::web::pages::url_encode(&file.name)
    );
    let mut r = file.data.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FILE_CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The token is the key: whoever has the address may see the file; it never changes.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    // The widget shows images on the company's site.
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(r)
}
