//! Storage of the questions the bot did not resolve (texts masked), for the reports.

use super::Store;
use super::chat::ConversationRow;

impl Store {
    /// Records a question the bot did not resolve (text already masked). A later reason for
    /// the same message replaces the earlier one.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_unresolved(
        &self,
        conv: &ConversationRow,
        seq: i64,
        text: &str,
        reason: &str,
        shown_json: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        let _turn = self.write_turn().await;
        const SQL: &str = "INSERT INTO unresolved_questions \
             (conversation_id, customer_id, seq, text, lang, page_url, reason, shown, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (conversation_id, seq) DO UPDATE SET reason = excluded.reason, \
             shown = excluded.shown";
        on_pool!(self, p => {
            sqlx::query(SQL)
                .bind(conv.id)
                .bind(conv.customer_id)
                .bind(seq)
                .bind(text)
                .bind(&conv.lang)
                .bind(conv.page_url.as_deref())
                .bind(reason)
                .bind(shown_json)
                .bind(now)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Unresolved questions since `since`: (text, lang, reason, shown JSON, created_at).
    pub async fn unresolved_since(
        &self,
        since: i64,
    ) -> anyhow::Result<Vec<(String, String, String, String, i64)>> {
        const SQL: &str = "SELECT text, lang, reason, shown, created_at FROM unresolved_questions \
             WHERE created_at >= $1 ORDER BY created_at";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(since).fetch_all(p).await?))
    }
}
