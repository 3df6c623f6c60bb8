//! The public JSON API of the help center: search, articles, "Was this helpful?" votes, and the
//! operators' `/readyz` and `/metrics`.

pub mod articles;
pub mod feedback;
pub mod metrics;
pub mod search;
