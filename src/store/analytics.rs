//! Storage behind the editors' gap report: unresolved chat questions of a period, help-center
//! searches that found nothing confident (`search_log`), and the "No" votes on articles with
//! their comments.
//!
//! Times are Unix milliseconds; `article_feedback` keeps its own timestamps (ISO text on SQLite,
//! `TIMESTAMPTZ` on PostgreSQL), converted here.

use super::Store;

/// One unresolved question as the gap report reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnresolvedRow {
    /// Row id.
    pub id: i64,
    /// The conversation it was asked in.
    pub conversation_id: i64,
    /// The question's message number in it.
    pub seq: i64,
    /// The customer who asked.
    pub customer_id: i64,
    /// The question, personal data masked.
    pub text: String,
    /// Language code of the conversation.
    pub lang: String,
    /// `no_answer`, `not_helpful` or `escalated`.
    pub reason: String,
    /// JSON array of the articles shown or considered (`bot::Shown`).
    pub shown: String,
    /// When it was asked (ms).
    pub created_at: i64,
    /// 1 when the reason is `escalated` though the bot had answered the question and the
    /// customer did not reject the answer ("No"): a request for a person, not a content gap.
    pub answered: i64,
}

/// A help-center search whose best hit did not clear the threshold.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SearchMissRow {
    /// Row id.
    pub id: i64,
    /// What was typed, personal data masked.
    pub text: String,
    /// Language code.
    pub lang: String,
    /// When (ms).
    pub created_at: i64,
    /// The anonymous visitor id of who searched (none in rows older than `0015_gap_triage`).
    pub visitor: Option<String>,
}

/// A gap-report cluster an editor dismissed (for good) or snoozed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GapDismissalRow {
    /// Row id.
    pub id: i64,
    /// The cluster's id when it was dismissed.
    pub cluster_id: String,
    /// Language code.
    pub lang: String,
    /// Its title then.
    pub title: String,
    /// JSON array of its normalized texts then.
    pub texts: String,
    /// Snoozed until (ms); `None`: dismissed for good.
    pub until_at: Option<i64>,
    /// Who dismissed it.
    pub agent_id: Option<i64>,
    /// When (ms).
    pub created_at: i64,
}

/// What an agent wrote to the customer after a question (not private notes).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgentReplyRow {
    /// The conversation.
    pub conversation_id: i64,
    /// Message number.
    pub seq: i64,
    /// The text as sent (mask before showing).
    pub body: String,
}

/// "Was this helpful?" votes of one article within a period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ArticleVotesRow {
    /// Language code.
    pub lang: String,
    /// Article slug.
    pub slug: String,
    /// "No" votes.
    pub no: i64,
    /// "Yes" votes.
    pub yes: i64,
}

/// The comment of a "No" vote.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NoCommentRow {
    /// Language code.
    pub lang: String,
    /// Article slug.
    pub slug: String,
    /// The comment as the visitor wrote it (mask before showing).
    pub comment: String,
    /// When the vote was cast or last changed (ms).
    pub at: i64,
}

impl Store {
    /// Unresolved questions asked in `[since, until)`, oldest first; at most the `limit` latest.
    pub async fn unresolved_between(
        &self,
        since: i64,
        until: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<UnresolvedRow>> {
        const SQL: &str = "SELECT u.id, u.conversation_id, u.seq, u.customer_id, u.text, u.lang, \
             u.reason, u.shown, u.created_at, \
             CAST(CASE WHEN u.reason = 'escalated' \
               AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = u.conversation_id \
                 AND m.seq > u.seq AND m.author = 'bot' AND m.answer IS NOT NULL) \
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = u.conversation_id \
                 AND m.seq > u.seq AND m.answer IS NOT NULL AND m.feedback = FALSE) \
             THEN 1 ELSE 0 END AS BIGINT) AS answered \
             FROM unresolved_questions u WHERE u.created_at >= $1 AND u.created_at < $2 \
             ORDER BY u.created_at DESC, u.id DESC LIMIT $3";
        let mut rows: Vec<UnresolvedRow> = on_pool!(self, p => sqlx::query_as(SQL)
            .bind(since)
            .bind(until)
            .bind(limit)
            .fetch_all(p)
            .await?);
        rows.reverse();
        Ok(rows)
    }

    /// Records a search that found nothing confident (`text` already masked) by `visitor` (an
    /// anonymous id).
    pub async fn record_search_miss(
        &self,
        text: &str,
        lang: &str,
        visitor: Option<&str>,
        at: i64,
    ) -> anyhow::Result<()> {
        const SQL: &str =
            "INSERT INTO search_log (text, lang, visitor, created_at) VALUES ($1, $2, $3, $4)";
        on_pool!(self, p => {
            sqlx::query(SQL).bind(text).bind(lang).bind(visitor).bind(at).execute(p).await?;
        });
        Ok(())
    }

    /// Searches without a confident hit in `[since, until)`, oldest first; at most the `limit`
    /// latest.
    pub async fn search_misses_between(
        &self,
        since: i64,
        until: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<SearchMissRow>> {
        const SQL: &str = "SELECT id, text, lang, created_at, visitor FROM search_log \
             WHERE created_at >= $1 AND created_at < $2 \
             ORDER BY created_at DESC, id DESC LIMIT $3";
        let mut rows: Vec<SearchMissRow> = on_pool!(self, p => sqlx::query_as(SQL)
            .bind(since)
            .bind(until)
            .bind(limit)
            .fetch_all(p)
            .await?);
        rows.reverse();
        Ok(rows)
    }

    /// Articles with "No" votes cast (or changed) since `since` (ms), most "No" votes first,
    /// then fewest "Yes"; at most `limit`.
    pub async fn most_unhelpful_since(
        &self,
        since: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<ArticleVotesRow>> {
        const SQLITE: &str = "SELECT lang, slug, \
             SUM(CASE WHEN helpful THEN 0 ELSE 1 END) AS no, \
             SUM(CASE WHEN helpful THEN 1 ELSE 0 END) AS yes \
             FROM article_feedback \
             WHERE updated_at >= strftime('%Y-%m-%dT%H:%M:%fZ', $1 / 1000.0, 'unixepoch') \
             GROUP BY lang, slug HAVING SUM(CASE WHEN helpful THEN 0 ELSE 1 END) > 0 \
             ORDER BY no DESC, yes ASC, lang, slug LIMIT $2";
        const POSTGRES: &str = "SELECT lang, slug, \
             SUM(CASE WHEN helpful THEN 0 ELSE 1 END)::BIGINT AS no, \
             SUM(CASE WHEN helpful THEN 1 ELSE 0 END)::BIGINT AS yes \
             FROM article_feedback \
             WHERE updated_at >= to_timestamp($1::DOUBLE PRECISION / 1000.0) \
             GROUP BY lang, slug HAVING SUM(CASE WHEN helpful THEN 0 ELSE 1 END) > 0 \
             ORDER BY no DESC, yes ASC, lang, slug LIMIT $2";
        let sql = match self {
            Store::Sqlite(_) => SQLITE,
            Store::Postgres(_) => POSTGRES,
        };
        Ok(on_pool!(self, p => sqlx::query_as(sql).bind(since).bind(limit).fetch_all(p).await?))
    }

    /// Comments of "No" votes cast (or changed) since `since` (ms), newest first; at most `limit`.
    pub async fn no_vote_comments_since(
        &self,
        since: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<NoCommentRow>> {
        const SQLITE: &str = "SELECT lang, slug, comment, \
             CAST((julianday(updated_at) - 2440587.5) * 86400000.0 AS INTEGER) AS at \
             FROM article_feedback \
             WHERE NOT helpful AND comment IS NOT NULL AND TRIM(comment) <> '' \
             AND updated_at >= strftime('%Y-%m-%dT%H:%M:%fZ', $1 / 1000.0, 'unixepoch') \
             ORDER BY updated_at DESC, id DESC LIMIT $2";
        const POSTGRES: &str = "SELECT lang, slug, comment, \
             (EXTRACT(EPOCH FROM updated_at) * 1000)::BIGINT AS at \
             FROM article_feedback \
             WHERE NOT helpful AND comment IS NOT NULL AND TRIM(comment) <> '' \
             AND updated_at >= to_timestamp($1::DOUBLE PRECISION / 1000.0) \
             ORDER BY updated_at DESC, id DESC LIMIT $2";
        let sql = match self {
            Store::Sqlite(_) => SQLITE,
            Store::Postgres(_) => POSTGRES,
        };
        Ok(on_pool!(self, p => sqlx::query_as(sql).bind(since).bind(limit).fetch_all(p).await?))
    }

    /// Remembers that an editor dismissed (`until_at` `None`) or snoozed a cluster; `texts` is
    /// the JSON array of its normalized texts. Returns the row id.
    #[allow(clippy::too_many_arguments)]
    pub async fn dismiss_gap(
        &self,
        cluster_id: &str,
        lang: &str,
        title: &str,
        texts: &str,
        until_at: Option<i64>,
        agent_id: Option<i64>,
        now: i64,
    ) -> anyhow::Result<i64> {
        const SQL: &str = "INSERT INTO gap_dismissals \
             (cluster_id, lang, title, texts, until_at, agent_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        let (id,): (i64,) = on_pool!(self, p => sqlx::query_as(SQL)
            .bind(cluster_id)
            .bind(lang)
            .bind(title)
            .bind(texts)
            .bind(until_at)
            .bind(agent_id)
            .bind(now)
            .fetch_one(p)
            .await?);
        Ok(id)
    }

    /// Dismissals in force at `now` (for good, or snoozed until later), newest first.
    pub async fn gap_dismissals(&self, now: i64) -> anyhow::Result<Vec<GapDismissalRow>> {
        const SQL: &str = "SELECT id, cluster_id, lang, title, texts, until_at, agent_id, \
             created_at FROM gap_dismissals WHERE until_at IS NULL OR until_at > $1 \
             ORDER BY created_at DESC, id DESC";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(now).fetch_all(p).await?))
    }

    /// Brings a dismissed or snoozed cluster back; whether there was such a dismissal.
    pub async fn undo_gap_dismissal(&self, id: i64) -> anyhow::Result<bool> {
        const SQL: &str = "DELETE FROM gap_dismissals WHERE id = $1";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// What agents wrote to the customer (not private notes) after message `seq` of a
    /// conversation: at most `limit`, oldest first.
    pub async fn agent_replies_after(
        &self,
        conversation_id: i64,
        seq: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<AgentReplyRow>> {
        const SQL: &str = "SELECT conversation_id, seq, body FROM messages \
             WHERE conversation_id = $1 AND seq > $2 AND author = 'agent' AND private = FALSE \
             AND TRIM(body) <> '' ORDER BY seq LIMIT $3";
        Ok(on_pool!(self, p => sqlx::query_as(SQL)
            .bind(conversation_id)
            .bind(seq)
            .bind(limit)
            .fetch_all(p)
            .await?))
    }
}
