-- embarc archive schema: `unknown (blocked)`, a check the network policy
-- refused (the endpoint's host is an internal address).
--
-- The reasons are a CHECK constraint of `checks`. Adding one to the list
-- only widens it (every existing row still passes, nothing on disk
-- changes), which SQLite allows by editing the table's definition in
-- sqlite_schema (https://www.sqlite.org/lang_altertable.html#otheralter)
-- instead of copying a table of millions of checks with its triggers and
-- views. RESET reloads the schema in this connection.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
                     '''ambiguous'', ''unsupported'')',
                     '''ambiguous'', ''unsupported'', ''blocked'')')
 WHERE type = 'table' AND name = 'checks';
PRAGMA writable_schema = RESET;
-- Any schema change moves the schema cookie, so connections of other
-- processes that read the old definition read it again.
CREATE TABLE schema_cookie_0015 (x INTEGER);
DROP TABLE schema_cookie_0015;
