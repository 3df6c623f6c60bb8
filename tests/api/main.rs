//! Integration tests of otvet: the HTTP API, search quality on the sample knowledge base,
//! broken articles, the `check` and `eval` commands, hot reload, and storage (SQLite, and
//! PostgreSQL when `OTVET_TEST_POSTGRES_URL` is set), the shipped nginx and HAProxy configs in
//! front of two nodes, and the help center in Chromium.
//!
//! Run with `cargo test --test api`; add `-- --nocapture` to see the measured hot-reload times.

mod abuse;
mod agents;
mod answers;
mod architecture;
mod articles;
mod attachments;
mod bank;
mod browser;
mod bytes;
mod chat;
mod cli;
mod cluster;
mod console;
mod contracts;
mod first_run;
mod gaps;
mod hardening;
mod help_center_chat;
mod helpers;
mod limits;
mod mail;
mod ops;
mod pages;
mod privacy;
mod proxies;
mod reload;
mod reports;
mod roles;
mod search;
mod semantic;
mod store;
mod ui_language;
mod widget;
mod ws;
