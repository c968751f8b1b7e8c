-- `posts_platform` was (platform, post_id): post ids are random with
-- respect to the order posts are found in, so every archiving transaction
-- rewrote most of that index's pages (write amplification). Posts are
-- looked up by id through `post_key` (`platform:post_id`, unique); this
-- index only serves filters by platform, and on (platform) alone new rows
-- land at the end of their platform's range.
DROP INDEX posts_platform;
CREATE INDEX posts_platform ON posts(platform);
