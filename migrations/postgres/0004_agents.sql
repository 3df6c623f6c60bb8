-- Agent accounts, their sessions and canned replies. Times are Unix milliseconds (BIGINT).

-- A support team member. email is stored lower-case (normalized by the application);
-- password_hash is a PHC string (argon2id); role: agent | editor | admin;
-- max_chats NULL means the server's --max-chats. Accounts are disabled, never deleted.
CREATE TABLE agents (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'editor', 'admin')),
    max_chats     BIGINT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);

-- A signed-in browser. The cookie holds a random token; only its SHA-256 (hex) is stored.
-- expires_at slides forward while the session is used; csrf is the token state-changing
-- requests of this session must carry.
CREATE TABLE agent_sessions (
    token_hash   TEXT PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    csrf         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX agent_sessions_agent ON agent_sessions (agent_id);
CREATE INDEX agent_sessions_expires ON agent_sessions (expires_at);

-- Prepared answers agents insert by shortcut (`greet`); the body may contain {customer_name}
-- and {agent_name}.
CREATE TABLE canned_replies (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shortcut   TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by BIGINT NULL REFERENCES agents (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
