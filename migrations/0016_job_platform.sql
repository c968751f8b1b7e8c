-- embarc archive schema: each post's job knows its platform.
--
-- `check` runs each platform's posts in a lane of their own, at that
-- platform's rates, beside the others; each lane claims its due jobs by
-- platform. With the platform on the job and an index on (kind, platform,
-- due_at), that claim is an index range, however many posts of other
-- platforms are due (a post's platform never changes).

ALTER TABLE jobs ADD COLUMN platform TEXT;

UPDATE jobs SET platform = (SELECT p.platform FROM posts p WHERE p.id = jobs.post_id)
WHERE kind = 'check_post';

DROP TRIGGER jobs_new_post;
CREATE TRIGGER jobs_new_post AFTER INSERT ON posts WHEN NEW.post_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO jobs (kind, post_id, platform) VALUES ('check_post', NEW.id, NEW.platform);
END;

CREATE INDEX jobs_lane ON jobs(kind, platform, due_at);
