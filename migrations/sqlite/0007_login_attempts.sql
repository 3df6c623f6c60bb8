-- The login throttle, shared by every node: failed (or still running) sign-in attempts per
-- SHA-256 of (email, client address); see src/agents/password.rs. Times are Unix ms.
CREATE TABLE login_attempts (
    key          TEXT PRIMARY KEY,
    count        BIGINT NOT NULL,
    since        BIGINT NOT NULL,
    locked_until BIGINT NULL
);
