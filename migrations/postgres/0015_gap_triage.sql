-- The gap report's triage: who searched (an anonymous visitor id, so that a need is ranked by
-- the people it cost, not by how often one person retyped it), and the clusters editors
-- dismissed or snoozed. A cluster's id is a hash of its most central text, which may change when
-- new texts join it, so a dismissal also keeps the cluster's texts (normalized, JSON array): a
-- later cluster of the same language is hidden when its id is the same or when at least half of
-- its distinct texts were in the dismissed one. `until_at` NULL: dismissed for good; else
-- snoozed until then (ms).
ALTER TABLE search_log ADD COLUMN visitor TEXT NULL;

CREATE TABLE gap_dismissals (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    lang       TEXT NOT NULL,
    title      TEXT NOT NULL,
    texts      TEXT NOT NULL,
    until_at   BIGINT NULL,
    agent_id   BIGINT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX gap_dismissals_until ON gap_dismissals (until_at);
