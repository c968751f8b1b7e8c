-- Copies pushed to public archives (`embarc archive --push wayback`): one
-- row per request, whatever came of it, and one per URL a run left unasked
-- (`left`: its budget ran out, the service said to stop, or it was
-- interrupted). A URL with a `saved` row is not pushed again; the others
-- are asked again by the next run that pushes.
CREATE TABLE pushes (
    id           INTEGER PRIMARY KEY,
    url          TEXT NOT NULL,
    post_id      INTEGER REFERENCES posts(id),
    article_id   INTEGER REFERENCES articles(id),
    service      TEXT NOT NULL,              -- 'wayback'
    pushed_at    TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN ('saved', 'refused', 'failed', 'left')),
    snapshot_url TEXT,                       -- the copy, when saved
    snapshot_at  TEXT,                       -- its time, RFC 3339, when saved
    http_status  INTEGER,
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pushes_url ON pushes(url, service, result);
