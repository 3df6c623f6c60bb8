//! `otvet customer …`: a customer's right of access and to erasure, from the command line.
//!
//! - `otvet customer export EMAIL` prints one JSON object with everything stored about the
//!   customer records with that email or with a conversation where it was left as a contact
//!   address: the records, their conversations (times, status, rating and its comment, the
//!   handoff packet), every message (agents' private notes included, marked `private`), the
//!   questions kept for the editors' reports, and the conversations where the email was left.
//! - `otvet customer delete EMAIL` deletes all of it in one transaction and prints what was
//!   deleted; a second run says there is nothing to delete (exit status 0 both times). Then the
//!   space the rows leave is cleared ([`Store::scrub_deleted`]: SQLite's write-ahead log
//!   emptied, PostgreSQL's tables vacuumed), so the texts are gone from the files too.
//!
//! Both use `--database` / `OTVET_DATABASE`, like `serve`.

use std::process::ExitCode;

use anyhow::Context;

use crate::config::{CustomerArgs, CustomerCommand};
use crate::store::Store;
use crate::store::privacy::{DeletedCustomerData, normalize};

/// Runs an `otvet customer` command; prints problems as `otvet: …` and exits 1 on them.
pub fn main(args: &CustomerArgs) -> ExitCode {
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

async fn run(store: &Store, command: &CustomerCommand) -> anyhow::Result<()> {
    match command {
        CustomerCommand::Export { email } => {
            let email = checked(email)?;
            let export = store
                .customer_export(&email, crate::domain::now_ms())
                .await?;
            if export.is_empty() {
                eprintln!("otvet: nothing is stored about {email}");
            }
            println!("{}", serde_json::to_string_pretty(&export)?);
            Ok(())
        }
        CustomerCommand::Delete { email } => {
            let email = checked(email)?;
            let deleted = store.delete_customer_data(&email).await?;
            print!("{}", describe(&email, &deleted));
            // Also after "nothing to delete": a run whose clean-up failed is completed this way.
            store
                .scrub_deleted()
                .await
                .context("deleted, but the freed space still holds the old data")?;
            Ok(())
        }
    }
}

/// The email to look for; an empty one is refused (it would match nothing anyway).
fn checked(email: &str) -> anyhow::Result<String> {
    let email = normalize(email);
    anyhow::ensure!(!email.is_empty(), "give the customer's email");
    Ok(email)
}

/// What `delete` prints: one line per customer record, then the totals.
pub fn describe(email: &str, d: &DeletedCustomerData) -> String {
    if d.is_empty() {
        return format!("nothing to delete: nothing is stored about {email}\n");
    }
    let mut out = String::new();
    for (id, name, stored_email) in &d.customers {
        let who = match (name, stored_email) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (Some(n), None) => n.clone(),
            (None, Some(e)) => format!("<{e}>"),
            (None, None) => "no name or email (found by a contact email)".into(),
        };
        out.push_str(&format!("deleted customer {id}: {who}\n"));
    }
    out.push_str(&format!(
        "deleted for {email}: {} customer record(s), {} conversation(s), {} message(s), {} unresolved question(s), {} mail(s), {} file(s)\n",
        d.customers.len(),
        d.conversations,
        d.messages,
        d.unresolved_questions,
        d.mails,
        d.files
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletions_are_described() {
        assert_eq!(
            describe("a@b.c", &DeletedCustomerData::default()),
            "nothing to delete: nothing is stored about a@b.c\n"
        );
        let d = DeletedCustomerData {
            customers: vec![
                (3, Some("Анна".into()), Some("a@b.c".into())),
                (5, None, None),
            ],
            conversations: 2,
            messages: 9,
            unresolved_questions: 1,
            mails: 0,
            files: 0,
        };
        let text = describe("a@b.c", &d);
        assert!(
            text.contains("deleted customer 3: Анна <a@b.c>\n"),
            "{text}"
        );
        assert!(
            text.contains("deleted customer 5: no name or email"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "2 customer record(s), 2 conversation(s), 9 message(s), 1 unresolved question(s), 0 mail(s), 0 file(s)\n"
            ),
            "{text}"
        );
    }
}
