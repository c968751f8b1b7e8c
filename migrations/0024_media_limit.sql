-- The size limit (bytes) a `too_large` medium was over. A later check with
-- a larger `[media] max_size` asks for it again; one with the same or a
-- smaller limit does not.
ALTER TABLE post_media ADD COLUMN max_size INTEGER;
