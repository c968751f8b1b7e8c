-- embarc archive schema, version 3: the content id of the post version an
-- embed showed (Bluesky's data-bluesky-cid), kept with what it showed.
ALTER TABLE snapshots ADD COLUMN cid TEXT;
