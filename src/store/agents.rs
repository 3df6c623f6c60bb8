//! Storage of agent accounts, their sessions and canned replies (`migrations/*/0004_agents.sql`),
//! and the settings admins change at run time (rows of the `settings` table).
//!
//! Emails are stored trimmed and lower-cased, so lookups are exact. Session tokens are stored
//! only as their SHA-256 (`agent_sessions.token_hash`); the caller hashes.

use super::Store;
use crate::domain::agent::SESSION_TTL_MS;
use crate::domain::agent::{Agent, AgentUpdate, NewAgent, Role, SessionInfo, normalize_email};
use crate::domain::canned::{CannedInput, CannedReply};

/// How often a used session's `last_seen_at` (and sliding expiry) is written at most.
pub const LAST_SEEN_EVERY_MS: i64 = 60_000;

/// The outcome of a write that can collide with a unique value or miss its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved<T> {
    /// Written; the row as it is now.
    Done(T),
    /// Another row already has the unique value (email, shortcut).
    Taken,
    /// No row with that id.
    NotFound,
}

#[derive(sqlx::FromRow)]
struct AgentRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    max_chats: Option<i64>,
    disabled: bool,
    created_at: i64,
}

impl TryFrom<AgentRow> for Agent {
    type Error = anyhow::Error;

    fn try_from(r: AgentRow) -> anyhow::Result<Agent> {
        Ok(Agent {
            role: r
                .role
                .parse::<Role>()
                .map_err(|e| anyhow::anyhow!("agent {}: {e}", r.id))?,
            id: r.id,
            email: r.email,
            name: r.name,
            max_chats: r.max_chats,
            disabled: r.disabled,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AgentWithHash {
    #[sqlx(flatten)]
    agent: AgentRow,
    password_hash: String,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    agent: AgentRow,
    csrf: String,
    expires_at: i64,
    last_seen_at: i64,
}

const AGENT_COLUMNS: &str = "id, email, name, role, max_chats, disabled, created_at";
const CANNED_COLUMNS: &str = "id, shortcut, title, body, created_by, created_at, updated_at";

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

impl Store {
    /// Creates an account; `None` when the email is taken. The email is stored trimmed and
    /// lower-cased; validate the fields first (`agents::validate_*`).
    pub async fn create_agent(&self, new: &NewAgent, now: i64) -> anyhow::Result<Option<Agent>> {
        let sql = format!(
            "INSERT INTO agents (email, name, password_hash, role, max_chats, disabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING \
             RETURNING {AGENT_COLUMNS}"
        );
        let row: Option<AgentRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(normalize_email(&new.email))
            .bind(new.name.trim())
            .bind(&new.password_hash)
            .bind(new.role.as_str())
            .bind(new.max_chats)
            .bind(false)
            .bind(now)
            .fetch_optional(p)
            .await?);
        row.map(Agent::try_from).transpose()
    }

    /// The account with this email (any case), disabled or not, with its password hash.
    pub async fn agent_by_email(&self, email: &str) -> anyhow::Result<Option<(Agent, String)>> {
        let sql = format!("SELECT {AGENT_COLUMNS}, password_hash FROM agents WHERE email = $1");
        let row: Option<AgentWithHash> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(normalize_email(email))
            .fetch_optional(p)
            .await?);
        row.map(|r| Ok((Agent::try_from(r.agent)?, r.password_hash)))
            .transpose()
    }

    /// The account with this id, disabled or not.
    pub async fn agent_by_id(&self, id: i64) -> anyhow::Result<Option<Agent>> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1");
        let row: Option<AgentRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(p)
            .await?);
        row.map(Agent::try_from).transpose()
    }

    /// Whether any account exists (none: the sign-in page says how to create the first admin).
    pub async fn has_agents(&self) -> anyhow::Result<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM agents";
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// Every account, disabled ones included, oldest first.
    pub async fn list_agents(&self) -> anyhow::Result<Vec<Agent>> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY id");
        let rows: Vec<AgentRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(p)
            .await?);
        rows.into_iter().map(Agent::try_from).collect()
    }

    /// How many enabled admin accounts there are.
    pub async fn count_active_admins(&self) -> anyhow::Result<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM agents WHERE role = $1 AND disabled = $2";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL)
            .bind(Role::Admin.as_str())
            .bind(false)
            .fetch_one(p)
            .await?))
    }

    /// Changes the fields of `update` that are `Some`; `None` when there is no such account.
    /// Disabling the account or setting a password ends all its sessions.
    pub async fn update_agent(
        &self,
        id: i64,
        update: &AgentUpdate,
    ) -> anyhow::Result<Option<Agent>> {
        let sql = format!(
            "UPDATE agents SET name = COALESCE($2, name), role = COALESCE($3, role), \
             max_chats = CASE WHEN $4 THEN $5 ELSE max_chats END, \
             disabled = COALESCE($6, disabled), password_hash = COALESCE($7, password_hash) \
             WHERE id = $1 RETURNING {AGENT_COLUMNS}"
        );
        let row: Option<AgentRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .bind(update.name.as_deref().map(str::trim))
            .bind(update.role.map(Role::as_str))
            .bind(update.max_chats.is_some())
            .bind(update.max_chats.flatten())
            .bind(update.disabled)
            .bind(update.password_hash.as_deref())
            .fetch_optional(p)
            .await?);
        let Some(row) = row else {
            return Ok(None);
        };
        if update.disabled == Some(true) || update.password_hash.is_some() {
            self.delete_sessions_of(id).await?;
        }
        Agent::try_from(row).map(Some)
    }

    /// Stores a new session of `agent_id` (`token_hash`: SHA-256 hex of the cookie token) that
    /// lasts `SESSION_TTL_MS` after its last use; also drops sessions that have expired.
    pub async fn create_session(
        &self,
        agent_id: i64,
        token_hash: &str,
        csrf: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        self.delete_expired_sessions(now).await?;
        const SQL: &str = "INSERT INTO agent_sessions \
             (token_hash, agent_id, csrf, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $4)";
        on_pool!(self, p => {
            sqlx::query(SQL)
                .bind(token_hash)
                .bind(agent_id)
                .bind(csrf)
                .bind(now)
                .bind(now + SESSION_TTL_MS)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// The account and CSRF token of a session that has not expired; `None` for an unknown or
    /// expired session or a disabled account. A session used more than [`LAST_SEEN_EVERY_MS`]
    /// after it was last recorded gets `last_seen_at = now` and expires `SESSION_TTL_MS` from
    /// now (so at most one write a minute per session).
    pub async fn session_agent(
        &self,
        token_hash: &str,
        now: i64,
    ) -> anyhow::Result<Option<SessionInfo>> {
        const SQL: &str = "SELECT a.id, a.email, a.name, a.role, a.max_chats, a.disabled, \
             a.created_at, s.csrf, s.expires_at, s.last_seen_at \
             FROM agent_sessions s JOIN agents a ON a.id = s.agent_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = $3";
        let row: Option<SessionRow> = on_pool!(self, p => sqlx::query_as(SQL)
            .bind(token_hash)
            .bind(now)
            .bind(false)
            .fetch_optional(p)
            .await?);
        let Some(row) = row else {
            return Ok(None);
        };
        let mut expires_at = row.expires_at;
        if now - row.last_seen_at >= LAST_SEEN_EVERY_MS {
            const TOUCH: &str = "UPDATE agent_sessions SET last_seen_at = $2, expires_at = $3 \
                 WHERE token_hash = $1";
            expires_at = now + SESSION_TTL_MS;
            on_pool!(self, p => {
                sqlx::query(TOUCH)
                    .bind(token_hash)
                    .bind(now)
                    .bind(expires_at)
                    .execute(p)
                    .await?;
            });
        }
        Ok(Some(SessionInfo {
            agent: Agent::try_from(row.agent)?,
            csrf: row.csrf,
            expires_at,
        }))
    }

    /// Ends one session (signing out); whether it existed.
    pub async fn delete_session(&self, token_hash: &str) -> anyhow::Result<bool> {
        const SQL: &str = "DELETE FROM agent_sessions WHERE token_hash = $1";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(token_hash).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Ends every session of an account; how many there were.
    pub async fn delete_sessions_of(&self, agent_id: i64) -> anyhow::Result<u64> {
        const SQL: &str = "DELETE FROM agent_sessions WHERE agent_id = $1";
        Ok(on_pool!(self, p => sqlx::query(SQL).bind(agent_id).execute(p).await?.rows_affected()))
    }

    /// Removes sessions that expired before `now`; how many.
    pub async fn delete_expired_sessions(&self, now: i64) -> anyhow::Result<u64> {
        const SQL: &str = "DELETE FROM agent_sessions WHERE expires_at <= $1";
        Ok(on_pool!(self, p => sqlx::query(SQL).bind(now).execute(p).await?.rows_affected()))
    }

    /// Every canned reply, by shortcut.
    pub async fn list_canned(&self) -> anyhow::Result<Vec<CannedReply>> {
        let sql = format!("SELECT {CANNED_COLUMNS} FROM canned_replies ORDER BY shortcut");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(p)
            .await?),
        )
    }

    /// One canned reply by id.
    pub async fn canned_reply(&self, id: i64) -> anyhow::Result<Option<CannedReply>> {
        let sql = format!("SELECT {CANNED_COLUMNS} FROM canned_replies WHERE id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(p)
            .await?),
        )
    }

    /// One canned reply by shortcut (as stored: lower case, no `/`).
    pub async fn canned_by_shortcut(&self, shortcut: &str) -> anyhow::Result<Option<CannedReply>> {
        let sql = format!("SELECT {CANNED_COLUMNS} FROM canned_replies WHERE shortcut = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(shortcut)
            .fetch_optional(p)
            .await?),
        )
    }

    /// Creates a canned reply from validated input (`CannedInput::validated`); `None` when the
    /// shortcut is taken.
    pub async fn create_canned(
        &self,
        input: &CannedInput,
        created_by: Option<i64>,
        now: i64,
    ) -> anyhow::Result<Option<CannedReply>> {
        let sql = format!(
            "INSERT INTO canned_replies (shortcut, title, body, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (shortcut) DO NOTHING \
             RETURNING {CANNED_COLUMNS}"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&input.shortcut)
            .bind(&input.title)
            .bind(&input.body)
            .bind(created_by)
            .bind(now)
            .fetch_optional(p)
            .await?),
        )
    }

    /// Creates `starter` once per installation, while there is no canned reply yet: the
    /// `settings` key `starter_canned` remembers it was done, so replies an admin deleted do not
    /// come back. Returns how many were created.
    pub async fn seed_canned_once(
        &self,
        starter: &[CannedInput],
        now: i64,
    ) -> anyhow::Result<usize> {
        const MARK: &str = "INSERT INTO settings (key, value) VALUES ('starter_canned', '1') ON CONFLICT (key) DO NOTHING";
        let first = on_pool!(self, p => sqlx::query(MARK).execute(p).await?.rows_affected()) > 0;
        if !first || !self.list_canned().await?.is_empty() {
            return Ok(0);
        }
        let mut n = 0;
        for c in starter {
            if self.create_canned(c, None, now).await?.is_some() {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Replaces a canned reply's shortcut, title and text with validated input.
    pub async fn update_canned(
        &self,
        id: i64,
        input: &CannedInput,
        now: i64,
    ) -> anyhow::Result<Saved<CannedReply>> {
        let sql = format!(
            "UPDATE canned_replies SET shortcut = $2, title = $3, body = $4, updated_at = $5 \
             WHERE id = $1 RETURNING {CANNED_COLUMNS}"
        );
        let result: Result<Option<CannedReply>, sqlx::Error> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .bind(&input.shortcut)
            .bind(&input.title)
            .bind(&input.body)
            .bind(now)
            .fetch_optional(p)
            .await);
        match result {
            Ok(Some(c)) => Ok(Saved::Done(c)),
            Ok(None) => Ok(Saved::NotFound),
            Err(e) if is_unique_violation(&e) => Ok(Saved::Taken),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a canned reply; whether it existed.
    pub async fn delete_canned(&self, id: i64) -> anyhow::Result<bool> {
        const SQL: &str = "DELETE FROM canned_replies WHERE id = $1";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Stores `value` under `key` in `settings`, replacing what was there (admins' settings such
    /// as the business hours).
    pub async fn put_setting(&self, key: &str, value: &str) -> anyhow::Result<()> {
        const SQL: &str = "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        on_pool!(self, p => {
            sqlx::query(SQL).bind(key).bind(value).execute(p).await?;
        });
        Ok(())
    }

    /// Removes `key` from `settings`; returns whether it was there.
    pub async fn delete_setting(&self, key: &str) -> anyhow::Result<bool> {
        const SQL: &str = "DELETE FROM settings WHERE key = $1";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(key).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Reads and rewrites one login-throttle entry (by the SHA-256 of its key) in a transaction
    /// that holds it, so attempts on every node count: `update` gets the entry (a fresh one
    /// with no attempts when there is none) and returns the new one, or `None` to forget it.
    pub async fn login_attempt<R>(
        &self,
        key_hash: &str,
        now: i64,
        update: impl FnOnce(LoginAttempts) -> (Option<LoginAttempts>, R),
    ) -> anyhow::Result<R> {
        const INSERT: &str = "INSERT INTO login_attempts (key, count, since, locked_until) \
             VALUES ($1, 0, $2, NULL) ON CONFLICT (key) DO NOTHING";
        let select = match self {
            Store::Sqlite(_) => {
                "SELECT count, since, locked_until FROM login_attempts WHERE key = $1"
            }
            Store::Postgres(_) => {
                "SELECT count, since, locked_until FROM login_attempts WHERE key = $1 FOR UPDATE"
            }
        };
        const UPDATE: &str =
            "UPDATE login_attempts SET count = $2, since = $3, locked_until = $4 WHERE key = $1";
        const DELETE: &str = "DELETE FROM login_attempts WHERE key = $1";
        let _turn = self.write_turn().await;
        Ok(on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(INSERT).bind(key_hash).bind(now).execute(&mut *tx).await?;
            let (count, since, locked_until): (i64, i64, Option<i64>) =
                sqlx::query_as(select).bind(key_hash).fetch_one(&mut *tx).await?;
            let (next, out) = update(LoginAttempts { count, since, locked_until });
            match next {
                Some(a) => {
                    sqlx::query(UPDATE)
                        .bind(key_hash)
                        .bind(a.count)
                        .bind(a.since)
                        .bind(a.locked_until)
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    sqlx::query(DELETE).bind(key_hash).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            out
        }))
    }

    /// Forgets login-throttle entries neither locked nor counting anymore.
    pub async fn prune_login_attempts(&self, now: i64, window_ms: i64) -> anyhow::Result<u64> {
        const SQL: &str = "DELETE FROM login_attempts WHERE since < $1 \
             AND (locked_until IS NULL OR locked_until < $2)";
        let _turn = self.write_turn().await;
        Ok(on_pool!(self, p => sqlx::query(SQL)
            .bind(now - window_ms)
            .bind(now)
            .execute(p)
            .await?
            .rows_affected()))
    }
}

/// One (email, client address) pair's recent login attempts (times in Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempts {
    /// Attempts since `since` that failed or are still being checked.
    pub count: i64,
    /// Start of the counting window.
    pub since: i64,
    /// Refused until then.
    pub locked_until: Option<i64>,
}
