-- embarc archive schema: scheduled work.
--
-- One job per checkable post, per web article and per `[[watch]]` source.
-- `due_at` is when it should run next (indexed, so the due set is a range
-- scan, never a pass over every post); NULL means "to be scheduled": the
-- scheduler computes it from the recheck policy in `embarc.toml`. A process
-- takes a job by setting `claimed_by` and `claimed_until` in one
-- compare-and-swap UPDATE (only where no lease is held or it has expired),
-- so two processes never run the same job, and the work of a killed one is
-- taken up again once its lease expires.

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('check_post', 'check_article', 'watch')),
    post_id       INTEGER UNIQUE REFERENCES posts(id),
    article_id    INTEGER UNIQUE REFERENCES articles(id),
    source        TEXT UNIQUE,              -- watch: 'feed URL', 'sitemap URL', 'list PATH'
    due_at        TEXT,                     -- next run; NULL: to be scheduled
    claimed_by    TEXT,                     -- the process holding the lease
    claimed_until TEXT,                     -- the lease ends then
    failures      INTEGER NOT NULL DEFAULT 0, -- in a row (checks: `unknown` answers)
    last_run_at   TEXT,
    last_result   TEXT,                     -- short text of the last run's outcome
    CHECK ((kind = 'check_post') = (post_id IS NOT NULL)),
    CHECK ((kind = 'check_article') = (article_id IS NOT NULL)),
    CHECK ((kind = 'watch') = (source IS NOT NULL))
);
CREATE INDEX jobs_due ON jobs(due_at);

-- Small facts about the archive itself (the fingerprint of the recheck
-- policy the due times were computed with).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

INSERT INTO jobs (kind, post_id)
SELECT 'check_post', id FROM posts WHERE post_id IS NOT NULL;
INSERT INTO jobs (kind, article_id)
SELECT 'check_article', id FROM articles WHERE url LIKE 'http://%' OR url LIKE 'https://%';

CREATE TRIGGER jobs_new_post AFTER INSERT ON posts WHEN NEW.post_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO jobs (kind, post_id) VALUES ('check_post', NEW.id);
END;

CREATE TRIGGER jobs_new_article AFTER INSERT ON articles
WHEN NEW.url LIKE 'http://%' OR NEW.url LIKE 'https://%'
BEGIN
    INSERT OR IGNORE INTO jobs (kind, article_id) VALUES ('check_article', NEW.id);
END;

-- A new check (from any command) makes its target's next time to be
-- computed again, and counts `unknown` answers in a row for the back-off.
CREATE TRIGGER jobs_post_checked AFTER INSERT ON checks WHEN NEW.post_id IS NOT NULL
BEGIN
    UPDATE jobs SET due_at = NULL,
        failures = CASE WHEN NEW.state = 'unknown' THEN failures + 1 ELSE 0 END
    WHERE post_id = NEW.post_id;
END;

CREATE TRIGGER jobs_article_checked AFTER INSERT ON checks WHEN NEW.article_id IS NOT NULL
BEGIN
    UPDATE jobs SET due_at = NULL,
        failures = CASE WHEN NEW.state = 'unknown' THEN failures + 1 ELSE 0 END
    WHERE article_id = NEW.article_id;
END;
