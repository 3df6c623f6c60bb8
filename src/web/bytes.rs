//! Bytes as sent: the scripts compressed once with the best brotli and gzip settings (the
//! widget also without comments and indentation), everything else compressed on the fly
//! (`tower-http`, brotli quality 4 or gzip, by `Accept-Encoding`), and `ETag` /
//! `If-None-Match` so that a browser that has a response already gets `304 Not Modified`.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest response body given an `ETag` on the fly (larger ones pass as they are).
pub const MAX_TAGGED_BYTES: usize = 1024 * 1024;

/// A response body compressed ahead of time, in every encoding offered.
pub struct Precompressed {
    identity: Bytes,
    gzip: Bytes,
    br: Bytes,
    tag: String,
    content_type: &'static str,
}

/// A content coding the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// Brotli.
    Br,
    /// Gzip.
    Gzip,
    /// As it is.
    Identity,
}

impl Precompressed {
    /// Compresses `body` (brotli quality 11, gzip level 9).
    pub fn new(body: impl Into<Vec<u8>>, content_type: &'static str) -> Precompressed {
        let identity: Vec<u8> = body.into();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = gz.write_all(&identity);
        let gzip = gz.finish().unwrap_or_default();
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
            let _ = w.write_all(&identity);
        }
        Precompressed {
            tag: content_tag(&identity),
            identity: identity.into(),
            gzip: gzip.into(),
            br: br.into(),
            content_type,
        }
    }

    /// The body in one coding.
    pub fn body(&self, coding: Coding) -> &Bytes {
        match coding {
            Coding::Br => &self.br,
            Coding::Gzip => &self.gzip,
            Coding::Identity => &self.identity,
        }
    }

    /// The response to a request with `headers`: the best coding it accepts, or 304 when it
    /// has this version already.
    pub fn respond(&self, headers: &HeaderMap, cache: HeaderValue) -> Response {
        let coding = accepted(headers);
        let etag = format!(
            "\"{}{}\"",
            self.tag,
            match coding {
                Coding::Br => "-br",
                Coding::Gzip => "-gz",
                Coding::Identity => "",
            }
        );
        let etag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\""));
        let mut r = if matches(headers, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut r = Body::from(self.body(coding).clone()).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
            if let Some(v) = match coding {
                Coding::Br => Some("br"),
                Coding::Gzip => Some("gzip"),
                Coding::Identity => None,
            } {
                r.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static(v));
            }
            r
        };
        let h = r.headers_mut();
        h.insert(header::ETAG, etag);
        h.insert(header::CACHE_CONTROL, cache);
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        r
    }
}

/// A short hash of a body, for `ETag`s.
fn content_tag(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::domain::token::hex(&sha2::Sha256::digest(bytes)[..10])
}

/// The best coding `Accept-Encoding` allows: brotli, then gzip (a `q=0` refuses one).
pub fn accepted(headers: &HeaderMap) -> Coding {
    let Some(v) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Coding::Identity;
    };
    let mut br = false;
    let mut gzip = false;
    for part in v.split(',') {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        match name.as_str() {
            "br" => br = true,
            "gzip" | "x-gzip" => gzip = true,
            "*" => {
                br = true;
                gzip = true;
            }
            _ => {}
        }
    }
    if br {
        Coding::Br
    } else if gzip {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// Whether `If-None-Match` names `etag` (weak or strong, or `*`).
fn matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(want) = etag.to_str().ok().map(|e| e.trim_start_matches("W/")) else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == want || t == "*")
}

/// A script without its comment lines, indentation and blank lines (every line kept a line of
/// its own, so no statement changes). Safe for scripts whose only multi-line template literals
/// hold CSS, as the widget's does.
pub fn minify_js(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for line in src.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        out.push_str(t);
        out.push('\n');
    }
    out
}

/// The line of the widget's source the server fills in with the admin's look.
const DEFAULTS_LINE: &str = "const DEFAULTS = {};";

/// The widget script as sent, with `defaults` (a JSON object: the admin's look) in it:
/// minified and compressed once per look (the last one is kept).
pub fn widget(source: &str, defaults: &str) -> std::sync::Arc<Precompressed> {
    static WIDGET: std::sync::Mutex<Option<(String, std::sync::Arc<Precompressed>)>> =
        std::sync::Mutex::new(None);
    let mut cached = WIDGET.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((d, p)) = cached.as_ref()
        && d == defaults
    {
        return p.clone();
    }
    let script =
        minify_js(source).replacen(DEFAULTS_LINE, &format!("const DEFAULTS = {defaults};"), 1);
    let p = std::sync::Arc::new(Precompressed::new(script, "text/javascript; charset=utf-8"));
    *cached = Some((defaults.to_string(), p.clone()));
    p
}

/// Middleware: a weak `ETag` on every successful `GET` response that has none (pages, JSON,
/// stylesheets), and `304` when the client's `If-None-Match` names it. Responses that must not be
/// stored (`no-store`) and large or streamed bodies pass as they are.
pub async fn etags(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let conditional = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    if !(method == Method::GET || method == Method::HEAD)
        || res.status() != StatusCode::OK
        || res.headers().contains_key(header::ETAG)
        || res.headers().contains_key(header::CONTENT_ENCODING)
        || res
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"))
    {
        return res;
    }
    use axum::body::HttpBody as _;
    let small = res
        .body()
        .size_hint()
        .upper()
        .is_some_and(|n| n <= MAX_TAGGED_BYTES as u64);
    if !small {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TAGGED_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let etag = format!("W/\"{}\"", content_tag(&bytes));
    let Ok(etag) = HeaderValue::from_str(&etag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let mut h = HeaderMap::new();
    if let Some(c) = conditional {
        h.insert(header::IF_NONE_MATCH, c);
    }
    parts.headers.insert(header::ETAG, etag.clone());
    if matches(&h, &etag) {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(v) = parts.headers.get(&name) {
                r.headers_mut().insert(name, v.clone());
            }
        }
        return r;
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, accept.parse().unwrap());
        h
    }

    #[test]
    fn codings_are_negotiated() {
        assert_eq!(accepted(&with("gzip, deflate, br, zstd")), Coding::Br);
        assert_eq!(accepted(&with("gzip")), Coding::Gzip);
        assert_eq!(accepted(&with("br;q=0, gzip;q=0.5")), Coding::Gzip);
        assert_eq!(accepted(&with("identity")), Coding::Identity);
        assert_eq!(accepted(&with("*")), Coding::Br);
        assert_eq!(accepted(&HeaderMap::new()), Coding::Identity);
    }

    #[test]
    fn precompressed_bodies_decode_to_the_original() {
        let text = "const x = 1;\n".repeat(500);
        let p = Precompressed::new(text.clone(), "text/javascript");
        let mut out = String::new();
        use std::io::Read;
        flate2::read::GzDecoder::new(&p.body(Coding::Gzip)[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
        let mut out = Vec::new();
        brotli::Decompressor::new(&p.body(Coding::Br)[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, text.as_bytes());
        assert!(p.body(Coding::Br).len() < 200);
    }

    #[test]
    fn minifying_keeps_every_statement() {
        let src = "// a comment\nfunction f() {\n    const u = 'https://x.y/z'; // trailing kept\n\n    return u;\n}\n";
        assert_eq!(
            minify_js(src),
            "function f() {\nconst u = 'https://x.y/z'; // trailing kept\nreturn u;\n}\n"
        );
    }

    #[test]
    fn if_none_match_is_read_weak_or_strong() {
        let etag = HeaderValue::from_static("\"abc-br\"");
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            "W/\"x\", \"abc-br\"".parse().unwrap(),
        );
        assert!(matches(&h, &etag));
        h.insert(header::IF_NONE_MATCH, "\"abc\"".parse().unwrap());
        assert!(!matches(&h, &etag));
    }
}
