//! The `otvet` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OTVET_LOG")
                .unwrap_or_else(|_| "info,tower_http=warn,tantivy=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    otvet::cli::main(otvet::config::Cli::parse())
}
