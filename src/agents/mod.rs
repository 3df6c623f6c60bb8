//! Agent accounts, roles, sessions and the pages agents manage their team and canned replies on.
//!
//! - [`password`]: argon2id hashing (off the async threads), the dummy verification that keeps
//!   unknown emails as slow as known ones, and the in-memory login throttle.
//! - [`session`]: the `otvet_session` cookie, [`session::CurrentAgent`] / [`session::AgentSession`]
//!   (JSON 401/403) and [`session::AgentPage`] (redirect to the login page) extractors, CSRF and
//!   `Origin` checks, and [`session::session_from_headers`] for the agent websocket.
//! - [`canned`]: canned replies (validation, [`canned::fill_placeholders`]).
//! - [`routes`]: `/agent/login`, `/agent/logout`, `/agent/canned`, `/agent/team` and the JSON API
//!   under `/agent/api/`.
//! - [`settings`]: `/agent/settings`, where admins change the business hours live.
//!
//! Roles: agents chat and read canned replies; editors also see the editors' reports; admins also
//! manage accounts, business hours and canned replies (every such handler calls
//! [`Agent::require`]`(Role::Admin)`).
//!
//! Accounts are stored by `Store` methods in `store/agents.rs`; `otvet agent …` (`cli/agent.rs`)
//! creates them from the command line.

pub mod password;

pub use crate::domain::agent::{
    Agent, AgentUpdate, MAX_CHATS_LIMIT, MAX_EMAIL_BYTES, MAX_NAME_CHARS, NewAgent, Role,
    SessionInfo, normalize_email, validate_email, validate_max_chats, validate_name,
};
