//! Typed configuration: command-line flags, each also settable from an `OTVET_*` variable,
//! with defaults that work out of the box.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::domain::Lang;
use crate::search::DEFAULT_THRESHOLD;

/// `otvet`: a self-hosted customer-support chatbot and help center.
#[derive(Debug, Parser)]
#[command(name = "otvet", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, accepted without the word `serve` too.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the help center and its API (the default).
    Serve(ServeArgs),
    /// Validate every article; print problems as `file:line: message`; exit 1 on errors.
    Check(CheckArgs),
    /// Measure answer quality on a `queries.jsonl` evaluation set.
    Eval(EvalArgs),
}

/// Where the knowledge base is and how search decides.
#[derive(Debug, Clone, Args)]
pub struct KnowledgeArgs {
    /// Folder of Markdown articles.
    #[arg(long, env = "OTVET_ARTICLES", default_value = "articles")]
    pub articles: PathBuf,
    /// Language of articles whose front matter and folder do not say.
    #[arg(long, env = "OTVET_DEFAULT_LANG", default_value = "ru")]
    pub default_lang: Lang,
    /// Confidence (0..1) a hit needs for the bot to offer it as the answer.
    #[arg(long, env = "OTVET_THRESHOLD", default_value_t = DEFAULT_THRESHOLD)]
    pub threshold: f32,
}

/// Options of `otvet serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "OTVET_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Database URL: `sqlite://path` or `postgres://…`.
    #[arg(long, env = "OTVET_DATABASE", default_value = "sqlite://data/otvet.db")]
    pub database: String,
    /// Secret mixed into the anonymous visitor ids of feedback; generated at the first start and
    /// kept in the database when not given.
    #[arg(long, env = "OTVET_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// Watch the articles folder and apply changes without a restart.
    #[arg(long, env = "OTVET_WATCH", default_value_t = true, action = ArgAction::Set)]
    pub watch: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub knowledge: KnowledgeArgs,
}

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
}

/// What the server needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder of Markdown articles.
    pub articles_dir: PathBuf,
    /// Language of articles that do not say.
    pub default_lang: Lang,
    /// Confidence threshold of the bot.
    pub threshold: f32,
    /// Database URL: `sqlite://path`, `sqlite::memory:` or `postgres://…`.
    pub database_url: String,
    /// Secret of the visitor hashes; `None`: generated once and kept in the database.
    pub secret: Option<String>,
    /// Whether to follow changes in the articles folder.
    pub watch: bool,
}

impl Config {
    /// Defaults for an articles folder: what tests and embedders start from.
    pub fn new(articles_dir: impl Into<PathBuf>) -> Self {
        Config {
            articles_dir: articles_dir.into(),
            default_lang: Lang::Ru,
            threshold: DEFAULT_THRESHOLD,
            // In memory, so that tests and embedders write nothing unless they set a file.
            database_url: "sqlite::memory:".into(),
            secret: None,
            watch: true,
        }
    }
}

impl From<&ServeArgs> for Config {
    fn from(a: &ServeArgs) -> Self {
        Config {
            articles_dir: a.knowledge.articles.clone(),
            default_lang: a.knowledge.default_lang,
            threshold: a.knowledge.threshold,
            database_url: a.database.clone(),
            secret: a.secret.clone().filter(|s| !s.is_empty()),
            watch: a.watch,
        }
    }
}
