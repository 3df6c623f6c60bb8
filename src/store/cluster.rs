//! What the nodes of one database share besides the chat itself: agent presence (rows per
//! agent and node, refreshed by a heartbeat), the round-robin pointer, the assignment lock and,
//! on PostgreSQL, the notifications of the event bus.

use anyhow::Context;
use sqlx::postgres::{PgListener, PgPoolOptions};

use super::Store;

/// Presence rows not refreshed for this long belong to a node that died.
pub const PRESENCE_STALE_MS: i64 = 20_000;

/// The PostgreSQL channel of the chat's events.
pub const CHANNEL: &str = "otvet_chat";

/// The `settings` key of the agent who got the last auto-assigned conversation.
const LAST_ASSIGNED_KEY: &str = "chat.last_assigned";

/// An online agent as assignment needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineAgent {
    /// Account id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Cap of open conversations (the account's, else the server's default; at least 1).
    pub max_chats: i64,
    /// Set away in some console.
    pub away: bool,
}

/// Held while one node assigns conversations: on PostgreSQL an open transaction holding an
/// advisory lock (released when it ends, also when the node dies); nothing on SQLite, where a
/// database belongs to one node. Call [`AssignmentLock::release`]: a dropped transaction is
/// only rolled back when its connection is used again.
pub struct AssignmentLock(Option<sqlx::Transaction<'static, sqlx::Postgres>>);

impl AssignmentLock {
    /// Lets the other nodes assign.
    pub async fn release(self) {
        if let Some(tx) = self.0
            && let Err(e) = tx.commit().await
        {
            tracing::warn!(error = ?e, "releasing the assignment lock failed");
        }
    }
}

impl Store {
    /// Counts a console of `agent` on `node`; returns whether the agent was offline everywhere
    /// before. A console opened while the agent is away elsewhere is away too.
    pub async fn presence_connect(&self, agent: i64, node: &str, now: i64) -> anyhow::Result<bool> {
        const FRESH: &str = "SELECT away FROM agent_presence WHERE agent_id = $1 AND seen_at > $2";
        const UPSERT: &str = "INSERT INTO agent_presence (agent_id, node, sockets, away, seen_at) \
             VALUES ($1, $2, 1, $3, $4) ON CONFLICT (agent_id, node) DO UPDATE \
             SET sockets = agent_presence.sockets + 1, seen_at = excluded.seen_at";
        let _turn = self.write_turn().await;
        let fresh: Vec<bool> = on_pool!(self, p => sqlx::query_scalar(FRESH)
            .bind(agent)
            .bind(now - PRESENCE_STALE_MS)
            .fetch_all(p)
            .await?);
        let away = fresh.iter().any(|a| *a);
        on_pool!(self, p => {
            sqlx::query(UPSERT).bind(agent).bind(node).bind(away).bind(now).execute(p).await?;
        });
        Ok(fresh.is_empty())
    }

    /// A console of `agent` on `node` closed.
    pub async fn presence_disconnect(&self, agent: i64, node: &str) -> anyhow::Result<()> {
        const DEC: &str = "UPDATE agent_presence SET sockets = sockets - 1 \
             WHERE agent_id = $1 AND node = $2";
        const GONE: &str =
            "DELETE FROM agent_presence WHERE agent_id = $1 AND node = $2 AND sockets <= 0";
        let _turn = self.write_turn().await;
        on_pool!(self, p => {
            sqlx::query(DEC).bind(agent).bind(node).execute(p).await?;
            sqlx::query(GONE).bind(agent).bind(node).execute(p).await?;
        });
        Ok(())
    }

    /// Sets an agent away or back online, in every console on every node.
    pub async fn presence_away(&self, agent: i64, away: bool) -> anyhow::Result<()> {
        const SQL: &str = "UPDATE agent_presence SET away = $2 WHERE agent_id = $1";
        let _turn = self.write_turn().await;
        on_pool!(self, p => {
            sqlx::query(SQL).bind(agent).bind(away).execute(p).await?;
        });
        Ok(())
    }

    /// Refreshes this node's rows and drops those of nodes that stopped refreshing theirs;
    /// returns how many rows were dropped (presence changed).
    pub async fn presence_heartbeat(&self, node: &str, now: i64) -> anyhow::Result<u64> {
        const BEAT: &str = "UPDATE agent_presence SET seen_at = $2 WHERE node = $1";
        const STALE: &str = "DELETE FROM agent_presence WHERE seen_at <= $1";
        let _turn = self.write_turn().await;
        Ok(on_pool!(self, p => {
            sqlx::query(BEAT).bind(node).bind(now).execute(p).await?;
            sqlx::query(STALE).bind(now - PRESENCE_STALE_MS).execute(p).await?.rows_affected()
        }))
    }

    /// Forgets this node's consoles (at shutdown).
    pub async fn presence_leave(&self, node: &str) -> anyhow::Result<()> {
        const SQL: &str = "DELETE FROM agent_presence WHERE node = $1";
        let _turn = self.write_turn().await;
        on_pool!(self, p => {
            sqlx::query(SQL).bind(node).execute(p).await?;
        });
        Ok(())
    }

    /// Agents with a console open on any live node, by id; `default_cap` for accounts without
    /// their own cap.
    pub async fn online_agents(
        &self,
        now: i64,
        default_cap: i64,
    ) -> anyhow::Result<Vec<OnlineAgent>> {
        const SQL: &str = "SELECT a.id, a.name, a.max_chats, \
             SUM(CASE WHEN p.away THEN 1 ELSE 0 END) AS away \
             FROM agent_presence p JOIN agents a ON a.id = p.agent_id \
             WHERE p.seen_at > $1 AND NOT a.disabled \
             GROUP BY a.id, a.name, a.max_chats ORDER BY a.id";
        let rows: Vec<(i64, String, Option<i64>, i64)> = on_pool!(self, p => sqlx::query_as(SQL)
            .bind(now - PRESENCE_STALE_MS)
            .fetch_all(p)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(id, name, cap, away)| OnlineAgent {
                id,
                name,
                max_chats: cap.unwrap_or(default_cap).max(1),
                away: away > 0,
            })
            .collect())
    }

    /// The agent who got the last auto-assigned conversation (round-robin across nodes).
    pub async fn last_assigned(&self) -> anyhow::Result<Option<i64>> {
        Ok(self
            .setting(LAST_ASSIGNED_KEY)
            .await?
            .and_then(|v| v.parse().ok()))
    }

    /// Remembers who got the last auto-assigned conversation.
    pub async fn set_last_assigned(&self, agent: i64) -> anyhow::Result<()> {
        let _turn = self.write_turn().await;
        self.put_setting(LAST_ASSIGNED_KEY, &agent.to_string())
            .await
    }

    /// Waits until no other node is assigning (see [`AssignmentLock`]).
    pub async fn assignment_lock(&self) -> anyhow::Result<AssignmentLock> {
        match self {
            Store::Sqlite(_) => Ok(AssignmentLock(None)),
            Store::Postgres(p) => {
                let mut tx = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext('otvet.assign'))")
                    .execute(&mut *tx)
                    .await
                    .context("taking the assignment lock")?;
                Ok(AssignmentLock(Some(tx)))
            }
        }
    }

    /// Sends notifications to every node listening (PostgreSQL only; nothing on SQLite).
    pub async fn notify(&self, payloads: &[String]) -> anyhow::Result<()> {
        if let Store::Postgres(p) = self
            && !payloads.is_empty()
        {
            sqlx::query("SELECT pg_notify($1, x) FROM unnest($2::text[]) AS t(x)")
                .bind(CHANNEL)
                .bind(payloads)
                .execute(p)
                .await?;
        }
        Ok(())
    }

    /// A connection listening on the chat's channel, named `<node>-listen`; `None` on SQLite.
    pub async fn listen(&self, node: &str) -> anyhow::Result<Option<PgListener>> {
        let Store::Postgres(p) = self else {
            return Ok(None);
        };
        let opts = (*p.connect_options())
            .clone()
            .application_name(&format!("{node}-listen"));
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect_lazy_with(opts);
        let mut l = PgListener::connect_with(&pool).await?;
        // The pool only makes the connection; it is not closed with the store's.
        l.ignore_pool_close_event(true);
        l.listen(CHANNEL).await?;
        Ok(Some(l))
    }
}
