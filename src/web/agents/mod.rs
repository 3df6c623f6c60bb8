//! Agents over HTTP: signing in and out, sessions and their checks, the team, canned replies
//! and settings pages with their JSON API, and the console page with its script.
//!
//! - `login.rs`: signing in and out (`/agent/login`, `/agent/logout`) and `GET /agent/api/me`.
//! - `canned.rs`: the canned-reply page and forms (`/agent/canned`) and API (`/agent/api/canned`).
//! - `team.rs`: the accounts page and forms (`/agent/team`) and API (`/agent/api/agents`).
//! - `settings.rs`: the business-hours settings page (`/agent/settings`).
//! - `customers.rs`: the customer's contact card (`/agent/api/customers/{id}`).
//! - `history.rs`: the resolved conversations (`/agent/api/conversations/resolved`).
//! - `console.rs`: the console page (`/agent`) with its script and stylesheet (`assets/`).
//! - `layout.rs`: what the agent pages share: layout, language, error pages, notices, form
//!   errors.
//! - `json.rs`: what the canned-reply and team APIs share: `{items}` lists, body and path id
//!   errors.
//! - `session.rs`: the signed-in agent of a request: the session cookie, CSRF and `Origin`
//!   checks, the extractors.
//! - `text.rs`: the texts of the agent pages in ru/en/de.

pub mod canned;
pub mod console;
pub mod customers;
pub mod files;
pub mod history;
pub mod json;
pub mod layout;
pub mod login;
pub mod session;
pub mod settings;
pub mod team;
pub mod text;
pub mod widget_look;

/// Largest request body of the agents' pages and JSON API (the router's limit for them).
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;
