-- Live chat. Times are Unix milliseconds (BIGINT) on both backends.

-- A widget user, known by a random token (only its SHA-256 is stored).
CREATE TABLE customers (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    name       TEXT NULL,
    email      TEXT NULL,
    verified   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX customers_email ON customers (email);

-- status: bot | queued | assigned | resolved. last_seq numbers the messages without gaps.
CREATE TABLE conversations (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id    BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    status         TEXT NOT NULL DEFAULT 'bot',
    lang           TEXT NOT NULL,
    page_url       TEXT NULL,
    agent_id       BIGINT NULL,
    agent_name     TEXT NULL,
    offline        BOOLEAN NOT NULL DEFAULT FALSE,
    contact_email  TEXT NULL,
    last_seq       BIGINT NOT NULL DEFAULT 0,
    handoff        TEXT NULL,
    escalation     TEXT NULL,
    created_at     BIGINT NOT NULL,
    queued_at      BIGINT NULL,
    assigned_at    BIGINT NULL,
    first_reply_at BIGINT NULL,
    resolved_at    BIGINT NULL,
    rating         BIGINT NULL,
    rating_comment TEXT NULL,
    rated_at       BIGINT NULL
);
CREATE INDEX conversations_customer ON conversations (customer_id, id);
CREATE INDEX conversations_status ON conversations (status, queued_at);

-- author: customer | bot | agent | system. A client's resend of the same client_id is not stored twice.
CREATE TABLE messages (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    client_id       TEXT NULL,
    author          TEXT NOT NULL,
    agent_id        BIGINT NULL,
    author_name     TEXT NULL,
    private         BOOLEAN NOT NULL DEFAULT FALSE,
    body            TEXT NOT NULL,
    event           TEXT NULL,
    answer          TEXT NULL,
    feedback        BOOLEAN NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, author, client_id)
);

-- Questions the bot did not resolve, with personal data masked: what editors should write next.
CREATE TABLE unresolved_questions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    customer_id     BIGINT NOT NULL,
    seq             BIGINT NOT NULL,
    text            TEXT NOT NULL,
    lang            TEXT NOT NULL,
    page_url        TEXT NULL,
    reason          TEXT NOT NULL,
    shown           TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL,
    UNIQUE (conversation_id, seq)
);
CREATE INDEX unresolved_questions_created ON unresolved_questions (created_at);
