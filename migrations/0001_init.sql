-- embarc archive schema, version 1.
-- Times are RFC 3339 UTC text; JSON arrays are stored as text.

-- A page that cites posts, identified by its URL (files get file:// URLs).
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    site          TEXT NOT NULL,            -- host name, or 'file'
    first_seen_at TEXT NOT NULL
);

-- One read or fetch of an article.
CREATE TABLE captures (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles(id),
    captured_at  TEXT NOT NULL,
    source       TEXT NOT NULL,             -- 'file' or 'http'
    http_status  INTEGER,
    final_url    TEXT,
    content_type TEXT,                      -- 'text/html' or 'text/plain'
    encoding     TEXT,                      -- encoding the bytes were decoded with
    repaired     INTEGER NOT NULL DEFAULT 0,-- 1 when invalid bytes were repaired
    sha256       TEXT NOT NULL,             -- hex SHA-256 of the bytes as read
    size         INTEGER NOT NULL,
    headers      TEXT,                      -- JSON object, HTTP only
    warc_file    TEXT,                      -- where the raw response is kept
    warc_offset  INTEGER,
    UNIQUE (article_id, sha256)
);

-- One social post. Identified posts are keyed by (platform, post_id);
-- unidentified ones (copied text without a link) by handle + date + text hash.
CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    post_key      TEXT NOT NULL UNIQUE,
    platform      TEXT NOT NULL,
    post_id       TEXT,                     -- NULL when unidentified
    post_url      TEXT,                     -- canonical URL
    handle        TEXT,
    author_name   TEXT,
    posted_at     TEXT,                     -- exact time from the id
    date          TEXT,                     -- YYYY-MM-DD
    first_seen_at TEXT NOT NULL
);
CREATE INDEX posts_platform ON posts(platform, post_id);

-- What was known of a post at one moment from one source. Appended only
-- when the content changes.
CREATE TABLE snapshots (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts(id),
    source       TEXT NOT NULL,             -- 'article' or a platform endpoint
    capture_id   INTEGER REFERENCES captures(id),
    taken_at     TEXT NOT NULL,
    text         TEXT,
    author_name  TEXT,
    handle       TEXT,
    display_date TEXT,                      -- verbatim
    posted_at    TEXT,
    lang         TEXT,
    media        TEXT NOT NULL DEFAULT '[]',-- JSON array
    labels       TEXT NOT NULL DEFAULT '[]',-- JSON array
    raw          TEXT,                      -- raw payload from an endpoint
    content_hash TEXT NOT NULL,
    UNIQUE (post_id, source, content_hash)
);

-- An article citing a post. The n-th citation of the same post with the same
-- kind in one article is one row however often the article is re-read.
CREATE TABLE citations (
    id               INTEGER PRIMARY KEY,
    article_id       INTEGER NOT NULL REFERENCES articles(id),
    post_id          INTEGER NOT NULL REFERENCES posts(id),
    kind             TEXT NOT NULL CHECK (kind IN ('embed', 'link', 'text')),
    occurrence       INTEGER NOT NULL,      -- 1 for the first of its kind
    shape            TEXT NOT NULL,         -- markup shape that produced it
    source_url       TEXT,                  -- the URL as the markup gave it
    snapshot_id      INTEGER REFERENCES snapshots(id),
    first_capture_id INTEGER NOT NULL REFERENCES captures(id),
    last_capture_id  INTEGER NOT NULL REFERENCES captures(id),
    UNIQUE (article_id, post_id, kind, occurrence)
);
CREATE INDEX citations_post ON citations(post_id);

-- A consistency problem worth a verifier's eye.
CREATE TABLE warnings (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id),
    citation_id INTEGER REFERENCES citations(id),
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (citation_id, kind, detail)
);
CREATE INDEX warnings_post ON warnings(post_id);

-- A post in the verification queue. `status` is the latest event's status;
-- the events are the history and are never changed.
CREATE TABLE claims (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL UNIQUE REFERENCES posts(id),
    label      TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'unstarted'
               CHECK (status IN ('unstarted', 'in_progress', 'inconclusive', 'verified', 'false')),
    assignee   TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE claim_events (
    id          INTEGER PRIMARY KEY,
    claim_id    INTEGER NOT NULL REFERENCES claims(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,              -- 'embarc' for automatic events
    action      TEXT NOT NULL,              -- 'created', 'status', 'assign', 'note'
    from_status TEXT,
    to_status   TEXT,
    note        TEXT
);
CREATE INDEX claim_events_claim ON claim_events(claim_id);

-- Inputs that could not be archived, per run, so failures are never silent.
CREATE TABLE failures (
    id      INTEGER PRIMARY KEY,
    input   TEXT NOT NULL,
    class   TEXT NOT NULL,                  -- 'not_found', 'binary', 'too_large', ...
    message TEXT NOT NULL,
    at      TEXT NOT NULL
);

-- Views for questions people ask by hand (sqlite3 archive/embarc.db).

-- Every citation with its article, post and what the article showed.
CREATE VIEW citation_details AS
SELECT c.id            AS citation_id,
       a.url           AS article_url,
       c.kind,
       p.platform,
       p.post_id,
       p.post_url,
       COALESCE(s.handle, p.handle)           AS handle,
       COALESCE(s.author_name, p.author_name) AS author_name,
       s.display_date,
       p.posted_at,
       p.date,
       s.text,
       COALESCE(s.media, '[]')  AS media,
       COALESCE(s.labels, '[]') AS labels,
       c.shape,
       c.source_url
FROM citations c
JOIN articles a ON a.id = c.article_id
JOIN posts p    ON p.id = c.post_id
LEFT JOIN snapshots s ON s.id = c.snapshot_id;

-- Posts with the articles that cite them.
CREATE VIEW posts_with_articles AS
SELECT p.id, p.platform, p.post_id, p.post_url, p.handle, p.author_name, p.date,
       COUNT(c.id) AS citation_count,
       GROUP_CONCAT(DISTINCT a.url) AS article_urls
FROM posts p
LEFT JOIN citations c ON c.post_id = p.id
LEFT JOIN articles a  ON a.id = c.article_id
GROUP BY p.id;

-- The open verification queue, oldest first.
CREATE VIEW open_queue AS
SELECT cl.id AS claim_id, cl.label, cl.status, cl.assignee, cl.created_at,
       p.platform, p.post_id, p.post_url, p.handle, p.author_name, p.date,
       (SELECT s.text FROM snapshots s WHERE s.post_id = p.id ORDER BY s.id DESC LIMIT 1) AS text
FROM claims cl
JOIN posts p ON p.id = cl.post_id
WHERE cl.status IN ('unstarted', 'in_progress')
ORDER BY cl.created_at, cl.id;
