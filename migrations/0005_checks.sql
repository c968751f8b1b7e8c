-- embarc archive schema: link-rot checks.
--
-- Every check of a post or an article is appended, never changed: the
-- current state of a target is its latest check, and the history shows when
-- it died and whether it came back.

CREATE TABLE checks (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER REFERENCES posts(id),
    article_id   INTEGER REFERENCES articles(id),
    checked_at   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('alive', 'gone', 'restricted', 'unknown')),
    reason       TEXT,
    http_status  INTEGER,                  -- of the answer that decided
    evidence     TEXT NOT NULL,            -- what each endpoint answered, in short
    endpoint     TEXT NOT NULL,            -- endpoints asked, '+'-joined
    archived_url TEXT,                     -- Wayback copy, for gone targets
    CHECK ((post_id IS NULL) <> (article_id IS NULL)),
    CHECK (
        (state = 'alive' AND reason IS NULL)
        OR (state = 'gone' AND reason IN ('deleted', 'account_suspended', 'account_deleted', 'not_found'))
        OR (state = 'restricted' AND reason IN ('protected', 'private', 'age_restricted', 'login_required', 'withheld'))
        OR (state = 'unknown' AND reason IN ('rate_limited', 'network_error', 'ambiguous', 'unsupported'))
    )
);
CREATE INDEX checks_post ON checks(post_id, id);
CREATE INDEX checks_article ON checks(article_id, id);

-- Each post with its latest check (state NULL: never checked) and the
-- latest archived copy found for it.
CREATE VIEW post_states AS
SELECT p.id, p.platform, p.post_id, p.post_url, p.first_seen_at,
       c.state, c.reason, c.checked_at, c.http_status, c.evidence, c.endpoint,
       (SELECT w.archived_url FROM checks w
         WHERE w.post_id = p.id AND w.archived_url IS NOT NULL
         ORDER BY w.id DESC LIMIT 1) AS archived_url
FROM posts p
LEFT JOIN checks c ON c.id = (SELECT MAX(id) FROM checks WHERE post_id = p.id);

-- Each article with its latest check.
CREATE VIEW article_states AS
SELECT a.id, a.url, a.site, a.first_seen_at,
       c.state, c.reason, c.checked_at, c.http_status, c.evidence, c.endpoint,
       (SELECT w.archived_url FROM checks w
         WHERE w.article_id = a.id AND w.archived_url IS NOT NULL
         ORDER BY w.id DESC LIMIT 1) AS archived_url
FROM articles a
LEFT JOIN checks c ON c.id = (SELECT MAX(id) FROM checks WHERE article_id = a.id);

-- The first definite state of each target and every change after it
-- (alive -> gone, gone -> alive, ...). `unknown` checks say nothing about
-- the target, so they neither start nor end a state.
CREATE VIEW state_changes AS
SELECT id, post_id, article_id, checked_at, from_state, state AS to_state, reason
FROM (
    SELECT c.*, LAG(c.state) OVER (PARTITION BY c.post_id, c.article_id ORDER BY c.id) AS from_state
    FROM checks c
    WHERE c.state <> 'unknown'
)
WHERE from_state IS NULL OR from_state <> state;
