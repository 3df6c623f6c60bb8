//! Agent accounts as the domain knows them: roles, the account, what creating or changing one
//! takes, and the rules for emails, names and caps. Stored by `store/agents.rs`; signed in and
//! managed by `agents` and the HTTP layer.

use serde::Serialize;

use crate::domain::Lang;
use crate::error::AppError;

/// How long a session lasts after its last use (14 days), in milliseconds.
pub const SESSION_TTL_MS: i64 = 14 * 24 * 60 * 60 * 1000;

/// What an account may do. Roles are ordered: an admin may do everything an editor may, an
/// editor everything an agent may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Answers chats.
    Agent,
    /// Answers chats and sees the reports for editors.
    Editor,
    /// Everything, including accounts, business hours and canned replies.
    Admin,
}

impl Role {
    /// The role's name in `lang`, for pages.
    pub fn name(self, lang: Lang) -> &'static str {
        lang.pick(match self {
            Role::Agent => ["оператор", "agent", "Agent"],
            Role::Editor => ["редактор", "editor", "Redakteur"],
            Role::Admin => ["администратор", "admin", "Administrator"],
        })
    }

    /// Every role, lowest first.
    pub const ALL: [Role; 3] = [Role::Agent, Role::Editor, Role::Admin];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "agent" => Ok(Role::Agent),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            _ => Err(format!("'{s}' is not a role: use agent, editor or admin")),
        }
    }
}

/// A support team member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agent {
    /// Account id.
    pub id: i64,
    /// Login email (lower case).
    pub email: String,
    /// Name shown to customers.
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// Cap of open conversations; `None`: the server's `--max-chats`.
    pub max_chats: Option<i64>,
    /// A disabled account cannot sign in and its sessions are gone.
    pub disabled: bool,
    /// When the account was created (Unix ms).
    pub created_at: i64,
}

impl Agent {
    /// Whether the account's role is `role` or above.
    pub fn has_role(&self, role: Role) -> bool {
        self.role >= role
    }

    /// `Ok` when the account's role is `role` or above, else 403 `forbidden`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.has_role(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the {role} role (you are {})",
                self.role
            )))
        }
    }
}

/// A new account for [`crate::Store::create_agent`].
#[derive(Debug, Clone)]
pub struct NewAgent {
    /// Login email; stored trimmed and lower-cased.
    pub email: String,
    /// Name shown to customers.
    pub name: String,
    /// PHC string from [`password::hash_password`].
    pub password_hash: String,
    /// What the account may do.
    pub role: Role,
    /// Cap of open conversations; `None`: the server's default.
    pub max_chats: Option<i64>,
}

/// A change to an account for [`crate::Store::update_agent`]: `None` fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct AgentUpdate {
    /// New name.
    pub name: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// New cap: `Some(None)` goes back to the server's default.
    pub max_chats: Option<Option<i64>>,
    /// Disable (`true`) or enable (`false`) the account. Disabling ends its sessions.
    pub disabled: Option<bool>,
    /// A new PHC password hash. Setting one ends the account's sessions.
    pub password_hash: Option<String>,
}

/// The account behind a valid session, from [`crate::Store::session_agent`].
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// The signed-in account (never a disabled one).
    pub agent: Agent,
    /// The session's CSRF token.
    pub csrf: String,
    /// When the session ends unless used again (Unix ms).
    pub expires_at: i64,
}

/// Largest `max_chats` an account may be given.
pub const MAX_CHATS_LIMIT: i64 = 100;
/// Longest agent name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Longest login email, in bytes.
pub const MAX_EMAIL_BYTES: usize = 254;

/// An email as stored: trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks a login email (after [`normalize_email`]): one `@` with text on both sides, a dot in
/// the domain, no spaces, at most [`MAX_EMAIL_BYTES`].
pub fn validate_email(email: &str) -> Result<(), String> {
    let ok = email.len() <= MAX_EMAIL_BYTES
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if ok {
        Ok(())
    } else {
        Err(format!("'{email}' is not an email address"))
    }
}

/// Checks an agent name (trimmed): 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub fn validate_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if n == 0 {
        Err("the name is empty".into())
    } else if n > MAX_NAME_CHARS {
        Err(format!(
            "the name is longer than {MAX_NAME_CHARS} characters"
        ))
    } else if name.chars().any(char::is_control) {
        Err("the name contains control characters".into())
    } else {
        Ok(())
    }
}

/// Checks a per-agent cap of open conversations: 1 to [`MAX_CHATS_LIMIT`].
pub fn validate_max_chats(max_chats: i64) -> Result<(), String> {
    if (1..=MAX_CHATS_LIMIT).contains(&max_chats) {
        Ok(())
    } else {
        Err(format!("max_chats must be between 1 and {MAX_CHATS_LIMIT}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parsed() {
        assert!(Role::Admin > Role::Editor && Role::Editor > Role::Agent);
        assert_eq!(" Admin ".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
        let agent = Agent {
            id: 1,
            email: "a@b.c".into(),
            name: "A".into(),
            role: Role::Editor,
            max_chats: None,
            disabled: false,
            created_at: 0,
        };
        assert!(agent.require(Role::Agent).is_ok());
        assert!(agent.require(Role::Editor).is_ok());
        assert!(matches!(
            agent.require(Role::Admin),
            Err(AppError::Forbidden(_))
        ));
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(normalize_email("  Anna@Example.COM "), "anna@example.com");
        for good in ["anna@example.com", "o.p+x@mail.shop.ru", "ольга@пример.рф"] {
            assert!(validate_email(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "anna",
            "@example.com",
            "anna@",
            "anna@example",
            "a b@c.d",
            "a@b@c.d",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_caps_are_checked() {
        assert!(validate_name("Ольга").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name(&"x".repeat(81)).is_err());
        assert!(validate_name("a\nb").is_err());
        assert!(validate_max_chats(1).is_ok() && validate_max_chats(100).is_ok());
        assert!(validate_max_chats(0).is_err() && validate_max_chats(101).is_err());
    }
}
