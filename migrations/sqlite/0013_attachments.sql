-- Files in conversations (images and PDF, at most 10 MiB, kind checked from the bytes), kept in
-- the database so that every node serves them. token is random: the file's URL is
-- /attachments/<token>/<name>. They go with their conversation.
CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    token           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    data            BLOB NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX attachments_conversation ON attachments (conversation_id);
CREATE INDEX attachments_created ON attachments (created_at);

-- A message's file (JSON: url, name, type, size).
ALTER TABLE messages ADD COLUMN attachment TEXT NULL;
