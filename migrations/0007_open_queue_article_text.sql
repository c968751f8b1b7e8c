-- The open queue shows the text the article showed: once `check` stores a
-- platform's (possibly edited) text as a snapshot, "latest snapshot" is no
-- longer what the article amplified. Fall back to any text for posts queued
-- by hand, which no article showed.
DROP VIEW open_queue;
CREATE VIEW open_queue AS
SELECT cl.id AS claim_id, cl.label, cl.status, cl.assignee, cl.created_at,
       p.platform, p.post_id, p.post_url, p.handle, p.author_name, p.date,
       (SELECT s.text FROM snapshots s
         WHERE s.post_id = p.id AND s.text IS NOT NULL
         ORDER BY s.source = 'article' DESC, s.id DESC LIMIT 1) AS text
FROM claims cl
JOIN posts p ON p.id = cl.post_id
WHERE cl.status IN ('unstarted', 'in_progress')
ORDER BY cl.created_at, cl.id;
