//! The editors' pages: the gap report (`/agent/gaps`, its drafts and JSON) and the support
//! dashboard (`/agent/reports`, its CSV).

pub mod reports;
pub mod reports_page;
pub mod routes;
