-- Help-center searches whose best hit did not clear the confidence threshold, for the editors'
-- gap report. The text is masked (emails, phone and card numbers) before it is stored.
CREATE TABLE search_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text       TEXT NOT NULL,
    lang       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX search_log_created ON search_log (created_at);
