-- The email channel. Times are Unix milliseconds.

-- Where a conversation came from: chat | email.
ALTER TABLE conversations ADD COLUMN channel TEXT NOT NULL DEFAULT 'chat';
-- The subject of the mail that started it (email conversations).
ALTER TABLE conversations ADD COLUMN subject TEXT NULL;
-- Agent messages up to this seq reached the customer (shown in an open widget, or mailed):
-- a reply by email carries only the later ones.
ALTER TABLE conversations ADD COLUMN customer_seen_seq BIGINT NOT NULL DEFAULT 0;
-- The customer asked for the transcript by email when the conversation is resolved.
ALTER TABLE conversations ADD COLUMN wants_transcript BOOLEAN NOT NULL DEFAULT FALSE;

-- Mail to send. kind: autoreply | reply | transcript | rating | bot_answer;
-- status: pending | sent | failed | skipped. A row is composed on its first attempt (subject,
-- body, upto_seq are then kept, so a retry sends the same mail) and claimed by one node at a
-- time through locked_until. message_id is ours, stable across retries.
CREATE TABLE mail_outbox (
    id              BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    lang            TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    in_reply_to     TEXT NULL,
    subject         TEXT NULL,
    body            TEXT NULL,
    upto_seq        BIGINT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        BIGINT NOT NULL DEFAULT 0,
    not_before      BIGINT NOT NULL,
    locked_until    BIGINT NULL,
    last_error      TEXT NULL,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, not_before);
CREATE INDEX mail_outbox_conversation ON mail_outbox (conversation_id, kind, status);

-- Mail received on the support mailbox, by Message-ID: read once, whichever node reads it.
-- outcome: what became of it (conversation | reply | ignored_auto | ignored_limit | bounce ...).
CREATE TABLE mail_inbound (
    message_id      TEXT PRIMARY KEY,
    conversation_id BIGINT NULL REFERENCES conversations (id) ON DELETE SET NULL,
    sender          TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    received_at     BIGINT NOT NULL
);
CREATE INDEX mail_inbound_sender ON mail_inbound (sender, received_at);
