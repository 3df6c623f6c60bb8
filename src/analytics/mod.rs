//! Reports for editors, built from what customers asked and searched.
//!
//! - [`gaps`]: the gap report — unresolved chat questions and help-center searches without a
//!   confident hit, grouped into clusters of the same need with the search analyzers (word
//!   forms, typos, the wrong keyboard layout), ranked by the customers they affect, with their
//!   trend, the articles shown, whether an article covers them now, and a Markdown draft per
//!   cluster; plus the articles with the most "No" votes. Also records the searches.
//! - [`routes`]: `/agent/gaps` (page), `/agent/gaps/{cluster}/draft.md` (download) and
//!   `/agent/api/gaps` (JSON), for editors and admins.
//!
//! Queries live in `store/analytics.rs`; `otvet gaps` (`cli/gaps.rs`) prints the same report.

pub mod gaps;
pub mod reports;
