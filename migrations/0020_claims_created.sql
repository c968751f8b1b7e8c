-- The queue in creation order, newest or oldest first, over every status:
-- read from this index in order instead of sorting every claim for each
-- page (the open queue has its own partial index, claims_open).
CREATE INDEX claims_created ON claims(created_at, id);
