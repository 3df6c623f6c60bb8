//! Integration tests of otvet: the HTTP API, search quality on the sample knowledge base,
//! broken articles, the `check` and `eval` commands, and hot reload.
//!
//! Run with `cargo test --test api`; add `-- --nocapture` to see the measured hot-reload times.

mod articles;
mod cli;
mod helpers;
mod reload;
mod search;
