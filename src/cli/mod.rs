//! The command-line commands: `serve`, `check`, `eval`, `eval-gaps`, `agent`.

pub mod agent;
pub mod check_bank;
pub mod customer;
pub mod eval;
pub mod eval_gaps;
pub mod gaps;
pub mod model;

use std::process::ExitCode;

use crate::articles::Library;
use crate::config::{CheckArgs, Cli, Command, Config, ServeArgs};

/// Runs the command the user asked for.
pub fn main(cli: Cli) -> ExitCode {
    match cli.command {
        None => serve(&cli.serve),
        Some(Command::Serve(args)) => serve(&args),
        Some(Command::Check(args)) => check(&args),
        Some(Command::Eval(args)) => eval::main(&args),
        Some(Command::EvalGaps(args)) => eval_gaps::main(&args),
        Some(Command::Agent(args)) => agent::main(&args),
        Some(Command::Customer(args)) => customer::main(&args),
        Some(Command::Gaps(args)) => gaps::main(&args),
        Some(Command::Model(args)) => model::main(&args),
    }
}

fn serve(args: &ServeArgs) -> ExitCode {
    let mut config = Config::from(args);
    match args.mail.config() {
        Ok(mail) => config.mail = mail,
        Err(e) => {
            eprintln!("otvet: {e}");
            return ExitCode::from(2);
        }
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("otvet: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.addr))?;
        let base = match &args.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", listener.local_addr()?),
        };
        // Tests and scripts read the listening address from this first line.
        eprintln!("otvet: help center on http://{}", listener.local_addr()?);
        eprintln!(
            "otvet: agent console at {base}/agent (the first admin: otvet agent add --role admin --email … --name …)"
        );
        eprintln!("otvet: try the chat at {base}/demo");
        crate::run(config, listener, shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("otvet: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// `otvet check`: prints every problem as `file:line: message`; exit status 1 on errors.
fn check(args: &CheckArgs) -> ExitCode {
    let dir = &args.knowledge.articles;
    if !dir.is_dir() {
        eprintln!("{}: not a folder of articles", dir.display());
        return ExitCode::FAILURE;
    }
    let mut lib = Library::new(dir, args.knowledge.default_lang);
    lib.refresh();
    let cat = lib.catalog();
    for p in &cat.problems {
        println!("{}", with_dir(dir, p));
    }
    let errors = cat.error_count();
    let warnings = cat.problems.len() - errors;
    eprintln!(
        "{} articles published, {errors} error(s), {warnings} warning(s)",
        cat.articles.len()
    );
    let bank_errors = check_bank::run(args);
    if errors > 0 || bank_errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn with_dir(dir: &std::path::Path, p: &crate::articles::Problem) -> String {
    let mut p = p.clone();
    p.file = dir.join(&p.file).display().to_string();
    p.to_string()
}
