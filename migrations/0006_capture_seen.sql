-- A capture whose bytes are read again unchanged is not a new capture, but
-- the time it was last seen matters (`archive --max-age`): keep it.
ALTER TABLE captures ADD COLUMN last_seen_at TEXT;
