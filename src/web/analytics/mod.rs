//! The editors' pages: the gap report (`/agent/gaps`, its drafts and JSON, dismissing and
//! snoozing its clusters) and the support
//! dashboard (`/agent/reports`, its CSV).

pub mod gap_actions;
pub mod reports;
pub mod reports_page;
pub mod routes;
