//! The signed-in agent of a request: the session cookie, CSRF and `Origin` checks.
//!
//! Signing in creates a session: a random 32-byte token goes to the browser in the
//! `otvet_session` cookie (`HttpOnly; SameSite=Strict; Path=/`, plus `Secure` when the public
//! URL is `https://`), only its SHA-256 is stored (`agent_sessions.token_hash`), so a copy of the
//! database does not let anybody sign in. Sessions last 14 days after their last use
//! (`Store::session_agent` slides the expiry, writing at most once a minute); disabling an
//! account or changing its password ends them.
//!
//! Each session also has a random CSRF token ([`AgentSession::csrf`], also in
//! `GET /agent/api/me`). Every state-changing request (any method but GET, HEAD and OPTIONS)
//! must carry it in the `X-CSRF-Token` header or, for HTML forms, the `csrf` form field (read by
//! [`form_csrf`]); it is compared in constant time. Its `Origin`, when the browser sends one, must
//! be this server (the request's `Host` or the configured public URL). Otherwise: 403
//! `{"code":"forbidden"}`.
//!
//! Extractors:
//! - [`AgentSession`] and [`CurrentAgent`] answer JSON (401 `unauthorized` without a valid
//!   session, 403 `forbidden` on a CSRF/`Origin` failure): for `/agent/api/…`.
//! - [`AgentPage`]: for HTML pages; without a session a GET is redirected (303) to
//!   `/agent/login?next=<this page>`, a form post to `/agent/login`; a CSRF/`Origin` failure gets
//!   a short HTML 403 page.
//!
//! Role checks: [`Agent::require`](super::Agent::require) (403 JSON) and
//! [`AgentPage::require`] (403 page).

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::agent::{Agent, Role, SessionInfo};
use crate::domain::now_ms;
use crate::domain::token::{constant_time_eq, token_hash};
use crate::error::AppError;
use crate::web::state::AppState;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "otvet_session";
/// Header that carries the CSRF token of API requests.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Form field that carries the CSRF token of HTML forms.
pub const CSRF_FIELD: &str = "csrf";
pub use crate::domain::agent::SESSION_TTL_MS;
/// Largest form body [`form_csrf`] reads to find the token.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Whether the site is served over HTTPS (then cookies get `Secure`).
fn secure(state: &AppState) -> bool {
    state.config.public_url.as_deref().is_some_and(|u| {
        u.get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    })
}

/// The `Set-Cookie` value that gives the browser session `token` for [`SESSION_TTL_MS`].
pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if secure(state) { "; Secure" } else { "" };
    let max_age = SESSION_TTL_MS / 1000;
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("otvet_session=; Max-Age=0; Path=/"))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    let secure = if secure(state) { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("otvet_session=; Max-Age=0; Path=/"))
}

/// The session token of the request's cookie, if it has a well-formed one.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
}

/// The account and CSRF token of the session in the request's cookie; `None` without a cookie,
/// for an unknown or expired session, a disabled account, or when the database fails (logged).
/// Checks neither CSRF nor `Origin`: for the agent websocket, which must check the `Origin` itself
/// (see [`check_origin`] with `required: true`).
pub async fn session_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<(Agent, String)> {
    let token = session_token(headers)?;
    match state
        .store
        .session_agent(&token_hash(&token), now_ms())
        .await
    {
        Ok(info) => info.map(|s| (s.agent, s.csrf)),
        Err(e) => {
            tracing::error!(error = ?e, "looking up an agent session failed");
            None
        }
    }
}

/// The `host[:port]` of an absolute URL, lower-cased, without a default port.
fn authority_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    Some(
        authority
            .strip_suffix(default_port)
            .map(str::to_string)
            .unwrap_or(authority),
    )
}

/// Checks the `Origin` header: when present it must be this server (the request's `Host`, or the
/// configured public URL); `Sec-Fetch-Site: cross-site` is refused too. With `required` a
/// request without `Origin` is refused as well (the agent websocket, which browsers always send
/// one for). Refusals are 403 `forbidden`.
pub fn check_origin(state: &AppState, headers: &HeaderMap, required: bool) -> Result<(), AppError> {
    let forbidden = || AppError::Forbidden("this request must come from the agent console".into());
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return Err(forbidden());
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return if required { Err(forbidden()) } else { Ok(()) };
    };
    let origin = origin
        .to_str()
        .ok()
        .and_then(authority_of)
        .ok_or_else(forbidden)?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.trim().to_ascii_lowercase());
    let public = state.config.public_url.as_deref().and_then(authority_of);
    let bare = |a: &str| {
        let a = a.strip_suffix(":80").unwrap_or(a);
        a.strip_suffix(":443").unwrap_or(a).to_string()
    };
    let origin = bare(&origin);
    let same = |a: &str| bare(a) == origin;
    if host.as_deref().is_some_and(same) || public.as_deref().is_some_and(same) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// The CSRF token a form carried in its `csrf` field, put in the request's extensions by
/// [`form_csrf`].
#[derive(Debug, Clone)]
pub struct FormCsrf(pub String);

/// Middleware that lets HTML forms carry the CSRF token: for a state-changing
/// `application/x-www-form-urlencoded` request it reads the body (at most [`MAX_FORM_BYTES`],
/// else 413), puts the `csrf` field in the request's extensions as [`FormCsrf`] and passes the
/// body on unchanged. The router table (`web::router`) applies it to the agents' group; other
/// groups taking agent form posts should add `axum::middleware::from_fn(form_csrf)` too.
pub async fn form_csrf(req: Request, next: Next) -> Response {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if is_safe(req.method()) || !is_form {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                axum::Json(serde_json::json!({
                    "code": "payload_too_large",
                    "message": format!("form over {MAX_FORM_BYTES} bytes"),
                })),
            )
                .into_response();
        }
    };
    // The token is hex, which form encoding leaves as it is: no decoding needed, and anything
    // encoded differently is not a valid token anyway.
    let token = bytes
        .split(|&b| b == b'&')
        .filter_map(|pair| pair.strip_prefix(format!("{CSRF_FIELD}=").as_bytes()))
        .find_map(|v| std::str::from_utf8(v).ok())
        .map(str::to_string);
    if let Some(t) = token {
        parts.extensions.insert(FormCsrf(t));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks the CSRF token (header or form field) and the `Origin` of a state-changing request.
fn check_csrf(state: &AppState, parts: &Parts, csrf: &str) -> Result<(), AppError> {
    check_origin(state, &parts.headers, false)?;
    let sent = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.extensions.get::<FormCsrf>().map(|f| f.0.clone()));
    match sent {
        Some(t) if constant_time_eq(t.trim(), csrf) => Ok(()),
        Some(_) => Err(AppError::Forbidden("the CSRF token is wrong".into())),
        None => Err(AppError::Forbidden(
            "the CSRF token is missing: send it in the X-CSRF-Token header or the csrf field"
                .into(),
        )),
    }
}

/// A valid session of the request, with its CSRF token: the JSON extractor. Rejects with 401
/// `unauthorized` without one, with 403 `forbidden` when a state-changing request lacks the
/// CSRF token or comes from another origin.
#[derive(Debug, Clone)]
pub struct AgentSession {
    /// The signed-in account.
    pub agent: Agent,
    /// The session's CSRF token (for pages' forms and `GET /agent/api/me`).
    pub csrf: String,
    /// When the session ends unless used again (Unix ms).
    pub expires_at: i64,
    token: String,
}

impl AgentSession {
    /// The `Set-Cookie` value that renews this session's cookie (its server-side expiry slides
    /// on use; renewing the cookie keeps the browser's copy as long).
    pub fn renew_cookie(&self, state: &AppState) -> HeaderValue {
        session_cookie(state, &self.token)
    }

    /// The stored hash of this session's token (for signing out).
    pub fn token_hash(&self) -> String {
        token_hash(&self.token)
    }
}

/// A looked-up session, kept in the request's extensions so that several extractors of one
/// request query the database once.
#[derive(Clone)]
struct Cached(Option<AgentSession>);

async fn lookup(parts: &mut Parts, state: &AppState) -> Result<Option<AgentSession>, AppError> {
    if let Some(Cached(s)) = parts.extensions.get::<Cached>() {
        return Ok(s.clone());
    }
    let session = match session_token(&parts.headers) {
        None => None,
        Some(token) => state
            .store
            .session_agent(&token_hash(&token), now_ms())
            .await?
            .map(
                |SessionInfo {
                     agent,
                     csrf,
                     expires_at,
                 }| AgentSession {
                    agent,
                    csrf,
                    expires_at,
                    token,
                },
            ),
    };
    parts.extensions.insert(Cached(session.clone()));
    Ok(session)
}

impl FromRequestParts<AppState> for AgentSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = lookup(parts, state)
            .await?
            .ok_or_else(|| AppError::Unauthorized("not signed in, or the session ended".into()))?;
        if !is_safe(&parts.method) {
            check_csrf(state, parts, &session.csrf)?;
        }
        Ok(session)
    }
}

/// The agent whose session cookie came with the request: [`AgentSession`] without the session
/// details. Rejects with 401 JSON without a session, 403 JSON on a CSRF/`Origin` failure.
#[derive(Debug, Clone)]
pub struct CurrentAgent(pub Agent);

impl CurrentAgent {
    /// `Ok` when the agent's role is `role` or above, else 403 `forbidden`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        self.0.require(role)
    }
}

impl FromRequestParts<AppState> for CurrentAgent {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        AgentSession::from_request_parts(parts, state)
            .await
            .map(|s| CurrentAgent(s.agent))
    }
}

/// The signed-in agent of an HTML page or form. Without a session a GET/HEAD is redirected to
/// `/agent/login?next=<path and query>` and a form post to `/agent/login`; a CSRF/`Origin`
/// failure gets an HTML 403 page.
#[derive(Debug, Clone)]
pub struct AgentPage(pub AgentSession);

impl AgentPage {
    /// `Ok` when the agent's role is `role` or above, else the HTML 403 page to answer with
    /// (boxed: a response is large).
    pub fn require(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        role: Role,
    ) -> Result<(), Box<Response>> {
        if self.0.agent.has_role(role) {
            return Ok(());
        }
        let lang = super::layout::lang_of(state, headers);
        let why = super::layout::needs_role(lang, role, self.0.agent.role);
        Err(Box::new(super::layout::forbidden_page(
            state, headers, &why,
        )))
    }
}

impl FromRequestParts<AppState> for AgentPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match AgentSession::from_request_parts(parts, state).await {
            Ok(s) => Ok(AgentPage(s)),
            Err(AppError::Unauthorized(_)) => Err(login_redirect(parts)),
            // A CSRF or `Origin` check failed: the form is stale or from elsewhere.
            Err(AppError::Forbidden(_)) => {
                let lang = super::layout::lang_of(state, &parts.headers);
                Err(super::layout::forbidden_page(
                    state,
                    &parts.headers,
                    super::text::T::FormRefused.in_lang(lang),
                ))
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// 303 to the login page, coming back to this page after signing in when it is a GET.
/// The role guard of a route group (`web::router` puts it on each group once): a request
/// without a session, or whose agent's role is below `role`, is answered here — under
/// `/agent/api/` with JSON 401 `unauthorized` / 403 `forbidden`, elsewhere with the sign-in
/// redirect or the HTML 403 page — and never reaches the handler. The session it looked up is
/// kept for the handler's own extractor, which still checks CSRF and `Origin`.
pub async fn require_role(state: AppState, role: Role, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let api = parts.uri.path().starts_with("/agent/api/");
    let refused = match lookup(&mut parts, &state).await {
        Err(e) => Some(e),
        Ok(None) => Some(AppError::Unauthorized(
            "not signed in, or the session ended".into(),
        )),
        Ok(Some(s)) if s.agent.has_role(role) => None,
        // A page says why in the page's language; the API answers 403 `forbidden`.
        Ok(Some(s)) if !api => {
            let lang = super::layout::lang_of(&state, &parts.headers);
            let why = super::layout::needs_role(lang, role, s.agent.role);
            return super::layout::forbidden_page(&state, &parts.headers, &why);
        }
        Ok(Some(s)) => s.agent.require(role).err(),
    };
    match refused {
        None => next.run(Request::from_parts(parts, body)).await,
        Some(e) if api => e.into_response(),
        Some(AppError::Unauthorized(_)) => login_redirect(&parts),
        Some(AppError::Forbidden(m)) => super::layout::forbidden_page(&state, &parts.headers, &m),
        Some(e) => e.into_response(),
    }
}

/// [`require_role`] for the admins' routes (accounts, settings, changing canned replies).
pub async fn admins_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    require_role(state, Role::Admin, req, next).await
}

/// [`require_role`] for the editors' routes (the gap report and the support dashboard).
pub async fn editors_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    require_role(state, Role::Editor, req, next).await
}

fn login_redirect(parts: &Parts) -> Response {
    let target = if is_safe(&parts.method) {
        let here = parts.uri.path_and_query().map_or("/agent", |p| p.as_str());
        super::login::login_url(here)
    } else {
        "/agent/login".to_string()
    };
    let mut res = Redirect::to(&target).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `next` when it is a path on this site (`/agent/canned?x=1`), else `/agent`: never another
/// site (`//evil.example`, `/\evil.example`, `https://…`).
pub fn local_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= 2_000
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/agent".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::token::new_token;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let t = new_token();
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; b=2"));
        h.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=y; {COOKIE_NAME}={t}; z=w")).unwrap(),
        );
        assert_eq!(session_token(&h), Some(t));
        let mut bad = HeaderMap::new();
        bad.insert(
            header::COOKIE,
            HeaderValue::from_static("otvet_session=../../etc"),
        );
        assert_eq!(session_token(&bad), None);
        assert_eq!(session_token(&HeaderMap::new()), None);
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
        assert!(constant_time_eq("", ""));
    }

    #[test]
    fn authorities_of_origins() {
        assert_eq!(
            authority_of("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            authority_of("https://Help.Example.com:443").as_deref(),
            Some("help.example.com")
        );
        assert_eq!(
            authority_of("https://help.example.com/path").as_deref(),
            Some("help.example.com")
        );
        assert_eq!(authority_of("null"), None);
        assert_eq!(authority_of("ftp://x"), None);
        assert_eq!(authority_of("http://u@x"), None);
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(local_next(Some("/agent/canned?x=1")), "/agent/canned?x=1");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "",
            "/a\nb",
        ] {
            assert_eq!(local_next(Some(bad)), "/agent", "{bad:?}");
        }
        assert_eq!(local_next(None), "/agent");
    }
}
