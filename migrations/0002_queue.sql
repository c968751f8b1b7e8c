-- embarc archive schema, version 2: the verification queue.

-- Why a post was queued by hand (`embarc queue add URL --reason TEXT`);
-- NULL for claims that entered the queue by their label.
ALTER TABLE claims ADD COLUMN reason TEXT;

-- For 'assign' events: who the claim was given to.
ALTER TABLE claim_events ADD COLUMN assignee TEXT;

CREATE INDEX claims_status ON claims(status, created_at);

-- Every claim event with the post it concerns, in order.
CREATE VIEW claim_history AS
SELECT e.claim_id, cl.label, p.platform, p.post_url, p.handle,
       e.at, e.actor, e.action, e.from_status, e.to_status, e.assignee, e.note
FROM claim_events e
JOIN claims cl ON cl.id = e.claim_id
JOIN posts p   ON p.id = cl.post_id
ORDER BY e.claim_id, e.id;
