-- embarc archive schema: webhook deliveries.
--
-- A check that changes a target's state (a post found gone, back, or
-- restricted; an article found gone) queues one delivery per `[[notify]]`
-- receiver that wants the event, in the same transaction as the check: a
-- death gives exactly one `post_gone` per receiver, however often it is
-- checked afterwards. The body is built at the first attempt and kept, so
-- every retry sends (and signs) the same bytes.

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,            -- the receiver
    event           TEXT NOT NULL CHECK (event IN ('post_gone', 'post_back', 'post_restricted',
                                                   'article_gone', 'claim_created', 'claim_decided')),
    check_id        INTEGER REFERENCES checks(id),
    post_id         INTEGER REFERENCES posts(id),
    article_id      INTEGER REFERENCES articles(id),
    created_at      TEXT NOT NULL,
    payload         TEXT,                     -- the JSON body as sent; NULL until the first attempt
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    http_status     INTEGER,                  -- of the last attempt
    error           TEXT,                     -- of the last failed attempt
    next_attempt_at TEXT,                     -- pending: when it may be sent
    finished_at     TEXT,                     -- delivered or given up
    claimed_by      TEXT,
    claimed_until   TEXT,
    UNIQUE (url, event, check_id)
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
