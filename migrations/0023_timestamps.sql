-- RFC 3161 timestamps (`[timestamp] tsa`): one row per file and
-- authority asked. `subject` names what was stamped: a WARC file of the
-- archive (`warc/NAME.warc.gz`, stamped when the run that wrote it ends)
-- or an exported WACZ (`wacz:NAME.wacz`, its datapackage-digest.json);
-- `sha256` is the hex digest stamped. A `granted` row holds the token
-- (DER, as the authority signed it, also written beside the file as
-- `.tsr`); a `failed` one says why, and the file is asked for again at
-- the end of the next run.
CREATE TABLE timestamps (
    id           INTEGER PRIMARY KEY,
    subject      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    tsa          TEXT NOT NULL,             -- the authority's URL
    asked_at     TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN ('granted', 'failed')),
    token        BLOB,                      -- the TimeStampToken, DER
    gen_time     TEXT,                      -- the authority's time, RFC 3339
    serial       TEXT,
    signer       TEXT,                      -- the signing certificate's subject
    detail       TEXT NOT NULL DEFAULT '',
    UNIQUE (subject, sha256, tsa)
);
