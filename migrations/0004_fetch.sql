-- embarc archive schema: fetching articles from the web.

-- The redirects followed before the capture: JSON array of
-- {"url", "status", "location"} objects, in order (NULL for files).
ALTER TABLE captures ADD COLUMN redirects TEXT;
-- WARC-Payload-Digest of the body as received ('sha256:' + base32); the
-- response record is at (warc_file, warc_offset).
ALTER TABLE captures ADD COLUMN payload_digest TEXT;

-- What a failed fetch answered, and where the answer is kept.
ALTER TABLE failures ADD COLUMN http_status INTEGER;
ALTER TABLE failures ADD COLUMN warc_file TEXT;
ALTER TABLE failures ADD COLUMN warc_offset INTEGER;
CREATE INDEX failures_class ON failures(class);
