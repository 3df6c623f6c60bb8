//! The `/agent/reports` page: the period form, a card per figure with a bar chart per day
//! (inline SVG, server-rendered, no script), the ratings, the per-day table and the articles.
//!
//! Every chart is an `<svg role="img">` with a `<title>` and a `<desc>` summing it up, a
//! `<title>` per bar, and its numbers repeated in the tables below. Colours come from the
//! stylesheet served at `/agent/reports.css` (no inline styles or scripts).

mod cards;
mod charts;
mod dashboard;
mod format;
mod frame;
mod style;
mod texts;

pub(super) use dashboard::render;
pub(super) use frame::render_error;
pub(crate) use style::stylesheet;
