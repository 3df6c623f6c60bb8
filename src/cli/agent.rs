//! `otvet agent …`: agent accounts from the command line, without prompts (scriptable).
//!
//! - `otvet agent add --email E --name N [--role admin] [--max-chats 3] [--password-stdin]`
//! - `otvet agent list`
//! - `otvet agent passwd --email E [--password-stdin]`
//! - `otvet agent remove --email E` (disables the account)
//!
//! Passwords come from standard input with `--password-stdin` (all of it, without the final
//! line break); otherwise a random one is generated and printed once on standard output as
//! `password: …`. Every command uses `--database` / `OTVET_DATABASE`, like `serve`.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::agents::password::{generate_password, hash_password, validate_new_password};
use crate::agents::{
    AgentUpdate, NewAgent, Role, normalize_email, validate_email, validate_max_chats, validate_name,
};
use crate::config::{AgentAddArgs, AgentArgs, AgentCommand, AgentEmailArgs, AgentPasswdArgs};
use crate::domain::now_ms;
use crate::store::Store;

/// Runs an `otvet agent` command; prints problems as `otvet: …` and exits 1 on them.
pub fn main(args: &AgentArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("otvet: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        let store = Store::connect(&args.database).await?;
        let result = run(&store, &args.command).await;
        store.close().await;
        result
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("otvet: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(store: &Store, command: &AgentCommand) -> anyhow::Result<()> {
    match command {
        AgentCommand::Add(a) => add(store, a).await,
        AgentCommand::List => list(store).await,
        AgentCommand::Passwd(a) => passwd(store, a).await,
        AgentCommand::Remove(a) => remove(store, a).await,
    }
}

/// The password to set: from standard input, or generated (then also returned for printing).
fn new_password(from_stdin: bool) -> anyhow::Result<(String, Option<String>)> {
    if from_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read the password from standard input")?;
        let p = s
            .strip_suffix("\r\n")
            .or_else(|| s.strip_suffix('\n'))
            .unwrap_or(&s)
            .to_string();
        validate_new_password(&p).map_err(anyhow::Error::msg)?;
        Ok((p, None))
    } else {
        let p = generate_password();
        Ok((p.clone(), Some(p)))
    }
}

fn print_generated(generated: Option<String>) {
    if let Some(p) = generated {
        println!("password: {p}");
        eprintln!("(the password is shown only this once; change it with `otvet agent passwd`)");
    }
}

async fn add(store: &Store, a: &AgentAddArgs) -> anyhow::Result<()> {
    let email = normalize_email(&a.email);
    validate_email(&email).map_err(anyhow::Error::msg)?;
    let name = a.name.trim().to_string();
    validate_name(&name).map_err(anyhow::Error::msg)?;
    if let Some(m) = a.max_chats {
        validate_max_chats(m).map_err(anyhow::Error::msg)?;
    }
    let (password, generated) = new_password(a.password_stdin)?;
    let password_hash = hash_password(&password)?;
    let new = NewAgent {
        email,
        name,
        password_hash,
        role: a.role,
        max_chats: a.max_chats,
    };
    let Some(agent) = store.create_agent(&new, now_ms()).await? else {
        bail!("there is already an account with the email {}", new.email);
    };
    println!(
        "created {} {} <{}> (id {})",
        agent.role, agent.name, agent.email, agent.id
    );
    print_generated(generated);
    Ok(())
}

async fn list(store: &Store) -> anyhow::Result<()> {
    let agents = store.list_agents().await?;
    if agents.is_empty() {
        eprintln!(
            "no accounts yet: create one with `otvet agent add --email … --name … --role admin`"
        );
        return Ok(());
    }
    let email_w = agents
        .iter()
        .map(|a| a.email.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let name_w = agents
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    println!(
        "{:>4}  {:email_w$}  {:name_w$}  {:6}  {:9}  status",
        "id", "email", "name", "role", "max chats"
    );
    for a in &agents {
        let cap = a
            .max_chats
            .map_or_else(|| "default".to_string(), |m| m.to_string());
        let status = if a.disabled { "disabled" } else { "active" };
        println!(
            "{:>4}  {:email_w$}  {:name_w$}  {:6}  {:9}  {status}",
            a.id,
            a.email,
            a.name,
            a.role.as_str(),
            cap
        );
    }
    Ok(())
}

async fn passwd(store: &Store, a: &AgentPasswdArgs) -> anyhow::Result<()> {
    let email = normalize_email(&a.email);
    let Some((agent, _)) = store.agent_by_email(&email).await? else {
        bail!("no account with the email {email}");
    };
    let (password, generated) = new_password(a.password_stdin)?;
    let update = AgentUpdate {
        password_hash: Some(hash_password(&password)?),
        ..AgentUpdate::default()
    };
    store.update_agent(agent.id, &update).await?;
    println!("password of {} changed; its sessions ended", agent.email);
    if agent.disabled {
        eprintln!("note: the account is disabled; an admin can enable it on /agent/team");
    }
    print_generated(generated);
    Ok(())
}

async fn remove(store: &Store, a: &AgentEmailArgs) -> anyhow::Result<()> {
    let email = normalize_email(&a.email);
    let Some((agent, _)) = store.agent_by_email(&email).await? else {
        bail!("no account with the email {email}");
    };
    if agent.disabled {
        println!("{} is already disabled", agent.email);
        return Ok(());
    }
    if agent.role == Role::Admin && store.count_active_admins().await? <= 1 {
        eprintln!(
            "warning: {} was the only enabled admin; create another with \
             `otvet agent add --role admin`",
            agent.email
        );
    }
    let update = AgentUpdate {
        disabled: Some(true),
        ..AgentUpdate::default()
    };
    store.update_agent(agent.id, &update).await?;
    println!("{} disabled; its sessions ended", agent.email);
    Ok(())
}
