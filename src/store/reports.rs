//! Reads behind the support analytics (`analytics::reports`): the raw rows of a period, so that
//! the figures — medians, percentiles, days in the business time zone — are computed in Rust the
//! same way on SQLite and PostgreSQL.
//!
//! Times are Unix milliseconds; ranges are half-open, `[from, to)`.

use super::Store;

/// One conversation of a period with what the reports need to know about it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportConversation {
    /// Id.
    pub id: i64,
    /// Started (ms): the conversation's day.
    pub created_at: i64,
    /// Entered the agents' queue (ms); `None`: never escalated.
    pub queued_at: Option<i64>,
    /// Taken by an agent (ms).
    pub assigned_at: Option<i64>,
    /// An agent's first reply (ms).
    pub first_reply_at: Option<i64>,
    /// Resolved (ms).
    pub resolved_at: Option<i64>,
    /// The customer's rating, 1–5.
    pub rating: Option<i64>,
    /// Bot messages carrying an article answer.
    pub answers: i64,
    /// Bot messages saying it found nothing (`event = no_answer`).
    pub no_answers: i64,
    /// Bot answers the customer called helpful ("Did this help?" → Yes, or an option chosen
    /// in a «Вы об этом?» choice).
    pub helpful_answers: i64,
}

/// A bot message of a period that answered with an article or found nothing.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportBotMessage {
    /// Sent (ms).
    pub created_at: i64,
    /// `no_answer` when the bot found nothing.
    pub event: Option<String>,
    /// The answer (JSON of [`crate::domain::Answer`]) when it answered.
    pub answer: Option<String>,
    /// The customer's "Did this help?", once given; on a choice, whether an option was chosen.
    pub feedback: Option<bool>,
    /// The options (JSON of [`crate::domain::Clarify`]) of a «Вы об этом?» message.
    pub clarify: Option<String>,
    /// The option chosen (0-based).
    pub choice: Option<i64>,
}

/// Views of one article on one day.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportViews {
    /// The UTC day the views were counted on (`YYYY-MM-DD`, as `article_views` stores it).
    pub day: String,
    /// Language code.
    pub lang: String,
    /// Article slug.
    pub slug: String,
    /// Distinct visitors that day.
    pub views: i64,
}

/// One visitor's current "Was this helpful?" vote on an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportVote {
    /// Language code.
    pub lang: String,
    /// Article slug.
    pub slug: String,
    /// Yes or no.
    pub helpful: bool,
    /// When the vote was cast or last changed (ms).
    pub at: i64,
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ`, the text form SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ')` writes
/// into `article_feedback`, which sorts like the time it stands for.
fn sqlite_time(ms: i64) -> String {
    let ts = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let dt = ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

impl Store {
    /// The conversations started in `[from, to)`, oldest first, with counts of their bot
    /// answers, "found nothing" replies and answers called helpful.
    pub async fn report_conversations(
        &self,
        from: i64,
        to: i64,
    ) -> anyhow::Result<Vec<ReportConversation>> {
        const SQL: &str = "SELECT c.id, c.created_at, c.queued_at, c.assigned_at, \
             c.first_reply_at, c.resolved_at, c.rating, \
             (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id \
              AND m.author = 'bot' AND m.answer IS NOT NULL) AS answers, \
             (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id \
              AND m.author = 'bot' AND m.event = 'no_answer') AS no_answers, \
             (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id \
              AND m.author = 'bot' AND (m.answer IS NOT NULL OR m.clarify IS NOT NULL) \
              AND m.feedback = TRUE) AS helpful_answers \
             FROM conversations c WHERE c.created_at >= $1 AND c.created_at < $2 \
             ORDER BY c.created_at, c.id";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(from).bind(to).fetch_all(p).await?))
    }

    /// Times (ms) from entering the queue to an agent's first reply, of the conversations
    /// started since `since` that got one. The predicate on `status` and `queued_at` is implied
    /// by the others (a conversation with a first reply is assigned or resolved, and is queued
    /// after it starts) and lets the `(status, queued_at)` index find the rows.
    pub async fn first_reply_samples(&self, since: i64) -> anyhow::Result<Vec<i64>> {
        const SQL: &str = "SELECT first_reply_at - queued_at FROM conversations \
             WHERE status IN ('assigned', 'resolved') AND queued_at >= $1 \
             AND created_at >= $1 AND first_reply_at IS NOT NULL";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).bind(since).fetch_all(p).await?))
    }

    /// Bot messages sent in `[from, to)` that answered with an article or found nothing.
    pub async fn report_bot_messages(
        &self,
        from: i64,
        to: i64,
    ) -> anyhow::Result<Vec<ReportBotMessage>> {
        const SQL: &str = "SELECT created_at, event, answer, feedback, clarify, choice \
             FROM messages WHERE author = 'bot' \
             AND (answer IS NOT NULL OR clarify IS NOT NULL OR event = 'no_answer') \
             AND created_at >= $1 AND created_at < $2 ORDER BY created_at";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(from).bind(to).fetch_all(p).await?))
    }

    /// Article views per day and article for the UTC days `from_day..=to_day` (`YYYY-MM-DD`).
    pub async fn report_views(
        &self,
        from_day: &str,
        to_day: &str,
    ) -> anyhow::Result<Vec<ReportViews>> {
        const SQL: &str = "SELECT day, lang, slug, COUNT(*) AS views FROM article_views \
             WHERE day >= $1 AND day <= $2 GROUP BY day, lang, slug ORDER BY day, lang, slug";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(from_day).bind(to_day).fetch_all(p).await?))
    }

    /// Times (ms) of the help-center searches in `[from, to)` that found nothing confident
    /// (the gap report's `search_log`).
    pub async fn report_search_misses(&self, from: i64, to: i64) -> anyhow::Result<Vec<i64>> {
        const SQL: &str = "SELECT created_at FROM search_log \
             WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).bind(from).bind(to).fetch_all(p).await?))
    }

    /// The "Was this helpful?" votes cast or last changed in `[from, to)`.
    pub async fn report_votes(&self, from: i64, to: i64) -> anyhow::Result<Vec<ReportVote>> {
        match self {
            Store::Sqlite(p) => {
                const SQL: &str = "SELECT lang, slug, helpful, updated_at FROM article_feedback \
                     WHERE updated_at >= $1 AND updated_at < $2 ORDER BY updated_at";
                let rows: Vec<(String, String, bool, String)> = sqlx::query_as(SQL)
                    .bind(sqlite_time(from))
                    .bind(sqlite_time(to))
                    .fetch_all(p)
                    .await?;
                rows.into_iter()
                    .map(|(lang, slug, helpful, at)| {
                        let at: jiff::Timestamp = at
                            .parse()
                            .map_err(|e| anyhow::anyhow!("vote time '{at}': {e}"))?;
                        Ok(ReportVote {
                            lang,
                            slug,
                            helpful,
                            at: at.as_millisecond(),
                        })
                    })
                    .collect()
            }
            Store::Postgres(p) => {
                const SQL: &str = "SELECT lang, slug, helpful, \
                     (EXTRACT(EPOCH FROM updated_at) * 1000)::BIGINT AS at \
                     FROM article_feedback \
                     WHERE updated_at >= to_timestamp($1 / 1000.0) \
                     AND updated_at < to_timestamp($2 / 1000.0) ORDER BY updated_at";
                let rows: Vec<(String, String, bool, i64)> =
                    sqlx::query_as(SQL).bind(from).bind(to).fetch_all(p).await?;
                Ok(rows
                    .into_iter()
                    .map(|(lang, slug, helpful, at)| ReportVote {
                        lang,
                        slug,
                        helpful,
                        at,
                    })
                    .collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_time;

    #[test]
    fn sqlite_times_have_the_stored_form() {
        assert_eq!(sqlite_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(sqlite_time(1_772_960_400_123), "2026-03-08T09:00:00.123Z");
    }
}
