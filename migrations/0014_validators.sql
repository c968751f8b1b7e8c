-- The validators of a web capture's answer (`ETag`, `Last-Modified`), sent
-- back as `If-None-Match` / `If-Modified-Since` when the article is fetched
-- again: a `304 Not Modified` then costs no download and no new capture.
-- NULL for local files and answers without them.
ALTER TABLE captures ADD COLUMN etag TEXT;
ALTER TABLE captures ADD COLUMN last_modified TEXT;

-- Captures made before this version keep their answer's headers as JSON
-- (names lower-cased): take the validators from there.
UPDATE captures
SET etag = json_extract(headers, '$.etag'),
    last_modified = json_extract(headers, '$."last-modified"')
WHERE source = 'http' AND headers IS NOT NULL AND json_valid(headers);
