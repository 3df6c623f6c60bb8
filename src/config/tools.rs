//! Options of the commands other than `serve`: `check`, `eval`, `eval-gaps`, `model`, `gaps`,
//! `agent` and `customer`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::KnowledgeArgs;
use crate::domain::Lang;
use crate::semantic::ModelChoice;

/// Options of `otvet check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub knowledge: KnowledgeArgs,
}

/// Options of `otvet eval`.
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub knowledge: KnowledgeArgs,
    /// The `queries.jsonl` file.
    #[arg(long, env = "OTVET_EVAL_QUERIES")]
    pub queries: PathBuf,
    /// Print one JSON object instead of a table.
    #[arg(long, env = "OTVET_EVAL_JSON")]
    pub json: bool,
    /// Also write every query's top hits with their signals to this JSONL file (for calibrating
    /// the confidence model).
    #[arg(long, env = "OTVET_EVAL_DUMP")]
    pub dump: Option<PathBuf>,
    /// File of cached embeddings of this set's articles (none: embedded on every run).
    #[arg(long, env = "OTVET_EVAL_EMBEDDING_CACHE")]
    pub embedding_cache: Option<PathBuf>,
    /// Evaluate a copy of the articles with their `questions:` removed: how the engine does on
    /// a knowledge base nobody annotated with example questions.
    #[arg(long)]
    pub without_questions: bool,
    /// Evaluate a copy with the `questions:` of every other article id removed (sorted; all
    /// language versions of an id alike): a
    /// knowledge base where only some articles were annotated. Answerable queries are reported
    /// as `in_scope:annotated` and `in_scope:bare` by whether their article kept its questions.
    #[arg(long, conflicts_with = "without_questions")]
    pub without_questions_half: bool,
}

/// Options of `otvet eval-gaps`.
#[derive(Debug, Clone, Args)]
pub struct EvalGapsArgs {
    /// An evaluation set folder (`articles/`, `queries.jsonl`); repeat to measure sets together.
    #[arg(long, required = true)]
    pub set: Vec<PathBuf>,
    /// Language of articles whose front matter does not say.
    #[arg(long, default_value = "en")]
    pub default_lang: Lang,
    /// The semantic model, as for `serve` (`off`: words and articles only).
    #[arg(long, env = "OTVET_MODEL", default_value = "builtin", value_parser = ModelChoice::parse)]
    pub model: ModelChoice,
    /// File of cached embeddings of the articles (none: embedded on every run).
    #[arg(long)]
    pub embedding_cache: Option<PathBuf>,
    /// Unanswerable and off-topic queries of the set mixed in as noise: at most this many.
    #[arg(long, default_value_t = usize::MAX, hide_default_value = true)]
    pub noise: usize,
    /// Cluster at most this many texts (labelled first).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Cluster every query against all the articles instead (to time many texts).
    #[arg(long)]
    pub all_queries: bool,
    /// Merge thresholds to measure (`0.2,0.3`; every combination of the lists is measured).
    #[arg(long, value_delimiter = ',')]
    pub merge_threshold: Vec<f32>,
    /// Weights of the shared articles to measure.
    #[arg(long, value_delimiter = ',')]
    pub article_weight: Vec<f32>,
    /// Weights of the embeddings' cosine to measure (0: words and articles only).
    #[arg(long, value_delimiter = ',')]
    pub embedding_weight: Vec<f32>,
    /// Cosines that count as no similarity to measure.
    #[arg(long, value_delimiter = ',')]
    pub embedding_floor: Vec<f32>,
    /// Also print every cluster of several texts with each text's need, to standard error.
    #[arg(long)]
    pub show: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Options of `otvet model`.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// The semantic model, as for `serve`.
    #[arg(long, env = "OTVET_MODEL", default_value = "builtin", value_parser = ModelChoice::parse)]
    pub model: ModelChoice,
    /// Also time the embedding of every query of this `queries.jsonl` (p50, p99, max).
    #[arg(long)]
    pub bench: Option<PathBuf>,
}

/// Options of `otvet gaps`.
#[derive(Debug, Clone, Args)]
pub struct GapsArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub knowledge: KnowledgeArgs,
    /// Database URL: `sqlite://path` or `postgres://…` (the one `serve` uses).
    #[arg(long, env = "OTVET_DATABASE", default_value = "sqlite://data/otvet.db")]
    pub database: String,
    /// The period to report on, up to now: `7d`, `24h`, `2w`…
    #[arg(long, default_value = crate::analytics::gaps::DEFAULT_PERIOD, value_parser = crate::analytics::gaps::parse_period)]
    pub since: i64,
    /// Print the report as JSON.
    #[arg(long, conflicts_with = "draft")]
    pub json: bool,
    /// Print the Markdown article draft of this cluster (an id from the report) instead.
    #[arg(long, value_name = "CLUSTER")]
    pub draft: Option<String>,
}

/// Options of `otvet agent`.
#[derive(Debug, Clone, Args)]
pub struct AgentArgs {
    /// What to do with the accounts.
    #[command(subcommand)]
    pub command: AgentCommand,
    /// Database URL: `sqlite://path` or `postgres://…` (the one `serve` uses).
    #[arg(
        long,
        env = "OTVET_DATABASE",
        default_value = "sqlite://data/otvet.db",
        global = true
    )]
    pub database: String,
}

/// The `otvet agent` commands.
#[derive(Debug, Clone, Subcommand)]
pub enum AgentCommand {
    /// Create an account. Without `--password-stdin` a random password is generated and printed
    /// once.
    Add(AgentAddArgs),
    /// List every account.
    List,
    /// Set a new password (ends the account's sessions). Without `--password-stdin` a random one
    /// is generated and printed once.
    Passwd(AgentPasswdArgs),
    /// Disable an account (it can no longer sign in; its sessions end). Accounts are kept so that
    /// past conversations still show who answered; an admin can enable it again on `/agent/team`.
    Remove(AgentEmailArgs),
}

/// Options of `otvet agent add`.
#[derive(Debug, Clone, Args)]
pub struct AgentAddArgs {
    /// Login email.
    #[arg(long)]
    pub email: String,
    /// Name shown to customers.
    #[arg(long)]
    pub name: String,
    /// `agent`, `editor` or `admin`.
    #[arg(long, default_value = "agent", value_parser = parse_role)]
    pub role: crate::domain::agent::Role,
    /// Open conversations at most (default: the server's `--max-chats`).
    #[arg(long)]
    pub max_chats: Option<i64>,
    /// Read the password from standard input (everything up to the end, without the final line
    /// break) instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

/// Options of `otvet agent passwd`.
#[derive(Debug, Clone, Args)]
pub struct AgentPasswdArgs {
    /// Login email of the account.
    #[arg(long)]
    pub email: String,
    /// Read the new password from standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

/// Options of `otvet agent remove`.
#[derive(Debug, Clone, Args)]
pub struct AgentEmailArgs {
    /// Login email of the account.
    #[arg(long)]
    pub email: String,
}

/// Options of `otvet customer`.
#[derive(Debug, Clone, Args)]
pub struct CustomerArgs {
    /// What to do with the customer's data.
    #[command(subcommand)]
    pub command: CustomerCommand,
    /// Database URL: `sqlite://path` or `postgres://…` (the one `serve` uses).
    #[arg(
        long,
        env = "OTVET_DATABASE",
        default_value = "sqlite://data/otvet.db",
        global = true
    )]
    pub database: String,
}

/// The `otvet customer` commands.
#[derive(Debug, Clone, Subcommand)]
pub enum CustomerCommand {
    /// Print everything stored about the customer as JSON: customer records, conversations,
    /// messages, ratings, unresolved questions, contact emails left.
    Export {
        /// The customer's email.
        email: String,
    },
    /// Delete everything stored about the customer and print what was deleted; deleting again
    /// finds nothing.
    Delete {
        /// The customer's email.
        email: String,
    },
}

fn parse_role(s: &str) -> Result<crate::domain::agent::Role, String> {
    s.parse()
}
