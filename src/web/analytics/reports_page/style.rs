//! The page's stylesheet (`/agent/reports.css`) and its version for cache-busting links.

use std::hash::{Hash, Hasher};

use axum::http::header;
use axum::response::IntoResponse;

/// The page's own styles, on top of the help center's `site.css`.
const REPORTS_CSS: &str = r#"/* /agent/reports */
body:has(.rp) .wrap { max-width: 76rem; }
.rp-nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; align-items: center; }
.rp-nav form { margin: 0; }
.rp-period { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin: 1rem 0 0.5rem; }
.rp-period label { display: flex; flex-direction: column; font-size: 0.95rem; gap: 0.2rem; }
.rp-period input { font: inherit; padding: 0.4rem 0.5rem; border: 2px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); }
.rp-quick { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; padding: 0; margin: 0.5rem 0; }
.rp-note { color: var(--muted); margin: 0.25rem 0 1rem; }
.rp-error { border: 2px solid #b00020; border-radius: 6px; padding: 0.5rem 1rem; }
.rp-cards { list-style: none; padding: 0; margin: 1rem 0; display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); }
.rp-card { border: 1px solid var(--border); border-radius: 8px; padding: 0.75rem 1rem; background: var(--surface); display: flex; flex-direction: column; }
.rp-card h2 { font-size: 0.95rem; font-weight: 600; margin: 0; color: var(--muted); }
.rp-value { font-size: 1.75rem; font-weight: 700; margin: 0.15rem 0; }
.rp-sub { font-size: 0.9rem; color: var(--muted); margin: 0 0 0.5rem; }
.rp-chart { display: block; width: 100%; height: 3.5rem; margin-top: auto; color: var(--link); }
.rp-chart .rp-bar { fill: currentColor; }
.rp-chart .rp-bar:hover { opacity: 0.7; }
.rp-chart .rp-axis { stroke: var(--border); }
.rp-dist { display: block; width: 100%; max-width: 30rem; height: auto; color: var(--link); }
.rp-dist .rp-bar { fill: currentColor; }
.rp-dist text { fill: var(--fg); font-size: 13px; }
.rp-two { display: grid; gap: 1rem 2rem; grid-template-columns: 1fr; }
@media (min-width: 56rem) { .rp-two { grid-template-columns: minmax(0, 1fr) minmax(0, 2fr); } }
.rp-scroll { overflow-x: auto; margin: 0.5rem 0 1.5rem; }
.rp table { display: table; width: 100%; font-size: 0.92rem; margin: 0; }
.rp thead th { vertical-align: bottom; }
.rp-days th, .rp-days td { padding: 0.3em 0.45em; font-size: 0.85rem; }
.rp td.n, .rp th.n { text-align: right; font-variant-numeric: tabular-nums; }
.rp td.n, .rp tbody th[scope=row].rp-day, .rp tfoot th { white-space: nowrap; }
.rp tfoot th, .rp tfoot td { font-weight: 700; }
.rp-defs dt { font-weight: 600; margin-top: 0.6rem; }
.rp-defs dd { margin: 0.15rem 0 0 1rem; }
"#;

/// A short version of the stylesheet, for cache-busting links.
pub(super) fn css_version() -> String {
    let mut h = rustc_hash::FxHasher::default();
    REPORTS_CSS.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// `GET /agent/reports.css`.
pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        REPORTS_CSS,
    )
}
