//! The one error type of requests: what went wrong, as the features say it. The HTTP layer
//! answers it (`web::error`: JSON `{code, message}` with the status, HTML for pages); internal
//! details are logged, never shown.

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing at this address.
    #[error("{0}")]
    NotFound(String),
    /// The request needs a signed-in agent.
    #[error("{0}")]
    Unauthorized(String),
    /// The signed-in agent may not do this (role), or the CSRF token is missing or wrong.
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with the current state (e.g. an email already taken).
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than allowed (a file over 10 MiB).
    #[error("{0}")]
    TooLarge(String),
    /// A file of a kind that is not accepted (told from its bytes).
    #[error("{0}")]
    BadFile(String),
    /// Too many requests from this client; try again after `retry_after`.
    #[error("{message}")]
    TooManyRequests {
        /// What was refused and what the limit is.
        message: String,
        /// How long until the client may try again (sent as `Retry-After`, whole seconds).
        retry_after: std::time::Duration,
    },
    /// A failure on our side; logged, answered with a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The stable machine-readable code clients see (`{"code": …}`).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::NotFound(_) => "not_found",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::BadFile(_) => "bad_file",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Internal(_) => "internal",
        }
    }
}
