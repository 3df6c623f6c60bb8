//! Agent accounts, roles, sessions and the agent console.

pub mod session;

use serde::Serialize;

/// What an account may do.
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
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
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
#[derive(Debug, Clone, Serialize)]
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
}
