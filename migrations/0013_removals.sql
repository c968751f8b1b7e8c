-- What `embarc article remove` took out of the archive, by whom and when.
-- The removed captures' WARC records stay on disk; `detail` lists them.
CREATE TABLE removals (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    kind   TEXT NOT NULL CHECK (kind IN ('article')),
    url    TEXT NOT NULL,
    detail TEXT NOT NULL                    -- JSON: counts, kept claims, WARC records
);
