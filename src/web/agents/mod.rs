//! Agents over HTTP: signing in and out, sessions and their checks, the team, canned replies
//! and settings pages with their JSON API, and the console page with its script.

pub mod console;
pub mod routes;
pub mod session;
pub mod settings;
pub mod text;
