-- Per-installation settings (the visitor-hash secret when --secret is not given).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- "Was this helpful?" votes: one row per article and visitor; a new vote replaces the old one.
CREATE TABLE article_feedback (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lang       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    visitor    TEXT NOT NULL,
    helpful    BOOLEAN NOT NULL,
    comment    TEXT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (lang, slug, visitor)
);
