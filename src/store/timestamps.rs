//! RFC 3161 timestamps: what each authority was asked to stamp and the
//! tokens it granted.

use super::{Result, Store};
use rusqlite::params;

/// What asking one authority came to, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimestamp<'a> {
    /// `warc/NAME.warc.gz` or `wacz:NAME.wacz`.
    pub subject: &'a str,
    /// Hex SHA-256 of what was stamped.
    pub sha256: &'a str,
    pub tsa: &'a str,
    /// `granted` or `failed`.
    pub result: &'a str,
    pub token: Option<&'a [u8]>,
    pub gen_time: Option<&'a str>,
    pub serial: Option<&'a str>,
    pub signer: Option<&'a str>,
    pub detail: &'a str,
}

/// A token granted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredTimestamp {
    pub subject: String,
    pub sha256: String,
    pub tsa: String,
    #[serde(skip)]
    pub token: Vec<u8>,
    pub gen_time: Option<String>,
    pub serial: Option<String>,
    pub signer: Option<String>,
    pub asked_at: String,
}

impl Store {
    /// Record what an authority answered. A granted row is kept; a failed
    /// one is replaced by the next answer for the same file and digest.
    pub fn record_timestamp(&self, t: &NewTimestamp<'_>) -> Result<()> {
        let now = self.now_text();
        self.write().execute(
            "INSERT INTO timestamps (subject, sha256, tsa, asked_at, result, token, gen_time,
                 serial, signer, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (subject, sha256, tsa) DO UPDATE SET
                 asked_at = excluded.asked_at, result = excluded.result, token = excluded.token,
                 gen_time = excluded.gen_time, serial = excluded.serial,
                 signer = excluded.signer, detail = excluded.detail
             WHERE timestamps.result <> 'granted'",
            params![
                t.subject, t.sha256, t.tsa, now, t.result, t.token, t.gen_time, t.serial, t.signer,
                t.detail
            ],
        )?;
        Ok(())
    }

    /// WARC files an authority of `tsas` has not granted a timestamp for
    /// although one was asked (it failed): to ask again.
    pub fn warcs_to_stamp_again(&self, tsas: &[String]) -> Result<Vec<String>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT f.subject FROM timestamps f
             WHERE f.subject LIKE 'warc/%' AND f.result = 'failed' AND f.tsa = ?1
               AND NOT EXISTS (SELECT 1 FROM timestamps g WHERE g.subject = f.subject
                               AND g.tsa = f.tsa AND g.result = 'granted')
             ORDER BY f.subject",
        )?;
        let mut out: Vec<String> = Vec::new();
        for tsa in tsas {
            for s in stmt.query_map([tsa], |r| r.get::<_, String>(0))? {
                let s = s?;
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Every subject any authority was asked about (granted or failed).
    pub fn stamp_subjects(&self) -> Result<std::collections::HashSet<String>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached("SELECT DISTINCT subject FROM timestamps")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every granted token, or those of `subject`, oldest first.
    pub fn timestamps(&self, subject: Option<&str>) -> Result<Vec<StoredTimestamp>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT subject, sha256, tsa, token, gen_time, serial, signer, asked_at
             FROM timestamps
             WHERE result = 'granted' AND token IS NOT NULL AND (?1 IS NULL OR subject = ?1)
             ORDER BY id",
        )?;
        let rows = stmt.query_map([subject], |r| {
            Ok(StoredTimestamp {
                subject: r.get("subject")?,
                sha256: r.get("sha256")?,
                tsa: r.get("tsa")?,
                token: r.get("token")?,
                gen_time: r.get("gen_time")?,
                serial: r.get("serial")?,
                signer: r.get("signer")?,
                asked_at: r.get("asked_at")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
