-- A file's size (already in `size`) and modification time (nanoseconds
-- since the epoch) when it was read: `archive` does not read a file again
-- while both still match one of its captures. NULL for web captures.
ALTER TABLE captures ADD COLUMN file_mtime_ns INTEGER;

-- One row per `archive` run: what it did. A re-run over unchanged inputs
-- writes this row and nothing else.
CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,
    command      TEXT NOT NULL,             -- 'archive'
    started_at   TEXT NOT NULL,
    finished_at  TEXT NOT NULL,
    inputs       INTEGER NOT NULL,
    parsed       INTEGER NOT NULL,          -- articles read and parsed
    new_captures INTEGER NOT NULL,
    unchanged    INTEGER NOT NULL,          -- articles whose bytes were archived before
    failed       INTEGER NOT NULL
);
