//! Security headers on every response: a Content-Security-Policy that allows only our own
//! scripts, no MIME sniffing, a referrer policy that never leaks a page's path elsewhere, and,
//! when the site is served over HTTPS, Strict-Transport-Security.

use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy of every page: scripts, styles, fonts and requests only from this origin; images
/// may also be `data:` URLs; inline `style` attributes allowed (brand colour), inline scripts not;
/// no plugins, no `<base>` hijacking, forms post only here, no framing by other sites.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'self'";

/// The layers that set the headers (each keeps a header a handler already set).
pub fn layers() -> [SetResponseHeaderLayer<HeaderValue>; 3] {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    [
        set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        set(header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    ]
}

/// What `Strict-Transport-Security` says: browsers use only HTTPS for this host for a year.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// The layer that sets `Strict-Transport-Security` when the public URL is `https://`; none
/// otherwise (over plain HTTP the header is ignored by browsers, and a site that is not yet on
/// HTTPS must not be pinned to it).
pub fn hsts(public_url: Option<&str>) -> Option<SetResponseHeaderLayer<HeaderValue>> {
    public_url
        .is_some_and(|u| u.starts_with("https://"))
        .then(|| {
            SetResponseHeaderLayer::if_not_present(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
            )
        })
}
