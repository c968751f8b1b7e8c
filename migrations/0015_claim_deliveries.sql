-- embarc archive schema: webhooks for the verification queue.
--
-- A claim entering the queue (`claim_created`) or decided (`claim_decided`:
-- moved to verified, false or inconclusive) queues one delivery per
-- `[[notify]]` receiver that wants the event, in the same transaction as
-- the claim event. The delivery names that event, so its payload says the
-- status, actor and note of the decision it reports, even when the claim
-- has moved on by the time it is sent.

ALTER TABLE deliveries ADD COLUMN claim_event_id INTEGER REFERENCES claim_events(id);
