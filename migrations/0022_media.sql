-- A post's own media (photos, videos, thumbnails) as its platform's
-- endpoint named them, fetched by `check` when `[media]` is on. One row
-- per post and URL: the latest attempt. A `saved` medium is a WARC record
-- (warc_file, warc_offset) whose body hashes to `sha256`; a URL saved or
-- `too_large` is not asked again, the others are asked at the next check.
CREATE TABLE post_media (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts(id),
    url          TEXT NOT NULL,              -- the variant kept, or the best one
    kind         TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'thumbnail')),
    named_by     TEXT NOT NULL,              -- the endpoint whose answer named it
    fetched_at   TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN ('saved', 'too_large', 'refused', 'failed')),
    content_type TEXT,
    size         INTEGER,                    -- bytes, as received
    sha256       TEXT,                       -- hex, of the body as received
    warc_file    TEXT,
    warc_offset  INTEGER,
    http_status  INTEGER,
    detail       TEXT NOT NULL DEFAULT '',
    UNIQUE (post_id, url)
);
