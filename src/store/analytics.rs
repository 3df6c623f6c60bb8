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
}

/// A help-center search whose best hit did not clear the threshold.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SearchMissRow {
    /// What was typed, personal data masked.
    pub text: String,
    /// Language code.
    pub lang: String,
    /// When (ms).
    pub created_at: i64,
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
        const SQL: &str = "SELECT id, customer_id, text, lang, reason, shown, created_at \
             FROM unresolved_questions WHERE created_at >= $1 AND created_at < $2 \
             ORDER BY created_at DESC, id DESC LIMIT $3";
        let mut rows: Vec<UnresolvedRow> = on_pool!(self, p => sqlx::query_as(SQL)
            .bind(since)
            .bind(until)
            .bind(limit)
            .fetch_all(p)
            .await?);
        rows.reverse();
        Ok(rows)
    }

    /// Records a search that found nothing confident (`text` already masked).
    pub async fn record_search_miss(&self, text: &str, lang: &str, at: i64) -> anyhow::Result<()> {
        const SQL: &str = "INSERT INTO search_log (text, lang, created_at) VALUES ($1, $2, $3)";
        on_pool!(self, p => {
            sqlx::query(SQL).bind(text).bind(lang).bind(at).execute(p).await?;
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
        const SQL: &str = "SELECT text, lang, created_at FROM search_log \
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
}
