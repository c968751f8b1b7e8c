//! Bringing an archive's schema up to date, safely when several processes
//! open a new archive at once.
//!
//! The schema version is SQLite's `user_version` (the number of migrations
//! applied, as rusqlite_migration kept it before). A process that finds the
//! schema behind takes an exclusive lock (`BEGIN EXCLUSIVE`, waiting on the
//! busy timeout while another process holds it), reads the version again
//! under the lock and applies only what is still missing, so the others wait
//! and then find the migrated schema. Each migration runs in that one
//! transaction: a failure leaves the archive as it was.

use rusqlite::{Connection, TransactionBehavior};

/// One schema step: `migrations/NAME.sql`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

/// `migration!("0004_fetch")`: the file `migrations/0004_fetch.sql`,
/// embedded at compile time under its name.
macro_rules! migration {
    ($name:literal) => {
        $crate::store::migrate::Migration {
            name: $name,
            sql: include_str!(concat!("../../migrations/", $name, ".sql")),
        }
    };
}
pub(crate) use migration;

/// Why the schema could not be brought up to date: one short line.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("migration {name} (schema version {version}) failed: {reason}")]
    Step {
        name: &'static str,
        version: usize,
        /// SQLite's message alone, without the migration's SQL.
        reason: String,
    },
    #[error(
        "the archive has schema version {found}, newer than this embarc knows ({known}); use a newer embarc"
    )]
    Newer { found: usize, known: usize },
    #[error("cannot read or lock the schema version: {0}")]
    Version(#[from] rusqlite::Error),
}

/// The applied version (`PRAGMA user_version`).
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<usize> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok(usize::try_from(v).unwrap_or(0))
}

/// Apply the migrations `conn`'s database lacks; nothing when it is current.
pub(crate) fn to_latest(
    conn: &mut Connection,
    migrations: &[Migration],
) -> Result<(), MigrationError> {
    let known = migrations.len();
    match version(conn)? {
        v if v == known => return Ok(()),
        v if v > known => return Err(MigrationError::Newer { found: v, known }),
        _ => {}
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    // Another process may have migrated while this one waited for the lock.
    let found = version(&tx)?;
    if found > known {
        return Err(MigrationError::Newer { found, known });
    }
    for (i, m) in migrations.iter().enumerate().skip(found) {
        let step = |e: rusqlite::Error| MigrationError::Step {
            name: m.name,
            version: i + 1,
            reason: short(&e),
        };
        tx.execute_batch(m.sql).map_err(step)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(step)?;
    }
    tx.commit()?;
    Ok(())
}

/// SQLite's own message, without the statement text rusqlite adds.
fn short(e: &rusqlite::Error) -> String {
    let text = match e {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    };
    text.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: Migration = Migration {
        name: "0001_one",
        sql: "CREATE TABLE one (id INTEGER PRIMARY KEY);",
    };
    const BAD: Migration = Migration {
        name: "0002_broken",
        sql: "CREATE TABLE two (id INTEGER PRIMARY KEY);\nCREATE TABLE one (id INTEGER PRIMARY KEY);\n-- a long comment that must not appear in the error\n",
    };

    #[test]
    fn applies_what_is_missing_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        to_latest(&mut conn, &[GOOD]).unwrap();
        assert_eq!(version(&conn).unwrap(), 1);
        // Again: nothing to do, no "table one already exists".
        to_latest(&mut conn, &[GOOD]).unwrap();
        assert_eq!(version(&conn).unwrap(), 1);
    }

    #[test]
    fn a_failed_migration_is_one_short_line_naming_it_and_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        to_latest(&mut conn, &[GOOD]).unwrap();
        let e = to_latest(&mut conn, &[GOOD, BAD]).unwrap_err().to_string();
        assert_eq!(
            e,
            "migration 0002_broken (schema version 2) failed: table one already exists"
        );
        assert_eq!(version(&conn).unwrap(), 1);
        let two: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'two'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(two, 0, "the failed step was rolled back");
    }

    #[test]
    fn a_newer_archive_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 5).unwrap();
        let e = to_latest(&mut conn, &[GOOD]).unwrap_err().to_string();
        assert!(e.contains("schema version 5, newer"), "{e}");
    }
}
