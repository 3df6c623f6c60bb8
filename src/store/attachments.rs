//! Storage of files in conversations: the bytes, by their random token, with their
//! conversation (deleted with it, and by the retention sweep).

use super::Store;

/// A stored file as it is served.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredFile {
    /// Its conversation.
    pub conversation_id: i64,
    /// File name.
    pub name: String,
    /// MIME type (checked from the bytes when stored).
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Store {
    /// Stores a file of a conversation under `token`.
    pub async fn add_attachment(
        &self,
        conversation_id: i64,
        token: &str,
        name: &str,
        content_type: &str,
        data: &[u8],
        now: i64,
    ) -> anyhow::Result<i64> {
        const SQL: &str = "INSERT INTO attachments (conversation_id, token, name, content_type, \
             size, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        let _turn = self.write_turn().await;
        let size = i64::try_from(data.len())?;
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL)
            .bind(conversation_id)
            .bind(token)
            .bind(name)
            .bind(content_type)
            .bind(size)
            .bind(data)
            .bind(now)
            .fetch_one(p)
            .await?))
    }

    /// The file with this token.
    pub async fn attachment(&self, token: &str) -> anyhow::Result<Option<StoredFile>> {
        const SQL: &str = "SELECT conversation_id, name, content_type, data FROM attachments \
             WHERE token = $1";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(token).fetch_optional(p).await?))
    }
}
