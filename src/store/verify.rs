//! Reads for `embarc verify`: every web capture with its WARC record, and
//! SQLite's own integrity and foreign-key checks.

use super::Result;
use super::Store;

/// A web capture and where its answer is kept.
#[derive(Debug, Clone)]
pub struct KeptCapture {
    pub id: i64,
    pub article_url: String,
    pub sha256: String,
    pub payload_digest: Option<String>,
    pub warc_file: String,
    pub warc_offset: u64,
}

impl Store {
    /// Every capture that has a WARC record, oldest first.
    pub fn kept_captures(&self) -> Result<Vec<KeptCapture>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT c.id, a.url, c.sha256, c.payload_digest, c.warc_file, c.warc_offset
             FROM captures c JOIN articles a ON a.id = c.article_id
             WHERE c.warc_file IS NOT NULL AND c.warc_offset IS NOT NULL
             ORDER BY c.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KeptCapture {
                id: r.get(0)?,
                article_url: r.get(1)?,
                sha256: r.get(2)?,
                payload_digest: r.get(3)?,
                warc_file: r.get(4)?,
                warc_offset: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(u64::MAX),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What `PRAGMA integrity_check` and `PRAGMA foreign_key_check` report,
    /// one line per problem; empty when the database is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let conn = self.read()?;
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                problems.push(format!("integrity_check: {line}"));
            }
        }
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "foreign_key_check: row {} of {} points at a missing row of {}",
                r.get::<_, Option<i64>>(1)?
                    .map_or("?".into(), |v| v.to_string()),
                r.get::<_, String>(0)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            problems.push(row?);
        }
        Ok(problems)
    }
}
