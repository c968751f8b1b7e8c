//! Typed reads and writes for fetching: which URLs are captured already,
//! fetched articles with their redirects and WARC digest, failures with the
//! answer that caused them, and captures to show back.

use super::Result;
use super::{CaptureInput, Store, record_article};
use crate::detect::Citation;
use crate::words::{ECHO, clip};
use rusqlite::{OptionalExtension, params};

/// What a fetched capture adds to [`CaptureInput`].
#[derive(Debug, Clone, Default)]
pub struct FetchedExtra {
    /// JSON array of the redirects followed.
    pub redirects: Option<String>,
    /// `sha256:BASE32` of the body as received.
    pub payload_digest: Option<String>,
}

/// A failed input with what is known of the answer.
#[derive(Debug, Clone)]
pub struct StoredFailure {
    pub input: String,
    pub class: String,
    pub message: String,
    pub http_status: Option<u16>,
    pub warc: Option<(String, u64)>,
}

/// Where a stored capture is, for `embarc capture show`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaptureRef {
    pub article_url: String,
    pub captured_at: String,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub sha256: String,
    pub payload_digest: Option<String>,
    pub redirects: Option<String>,
    pub warc_file: Option<String>,
    pub warc_offset: Option<u64>,
}

/// A failed web input whose answer is kept in WARC (a 404, a 500, a
/// redirect loop's last hop), for `embarc capture show`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FailedAnswer {
    pub input: String,
    pub class: String,
    pub message: String,
    pub failed_at: String,
    pub http_status: Option<u16>,
    pub warc_file: String,
    pub warc_offset: u64,
}

impl Store {
    /// The latest failure of `url` whose answer was kept in WARC, if any.
    pub fn latest_failed_answer(&self, url: &str) -> Result<Option<FailedAnswer>> {
        Ok(self
            .read()?
            .query_row(
                "SELECT input, class, message, at, http_status, warc_file, warc_offset
                 FROM failures
                 WHERE input = ?1 AND warc_file IS NOT NULL AND warc_offset IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                params![url],
                |r| {
                    Ok(FailedAnswer {
                        input: r.get(0)?,
                        class: r.get(1)?,
                        message: r.get(2)?,
                        failed_at: r.get(3)?,
                        http_status: r.get(4)?,
                        warc_file: r.get(5)?,
                        warc_offset: r.get::<_, i64>(6)? as u64,
                    })
                },
            )
            .optional()?)
    }

    /// When `article_url`'s bytes were last read (a new capture or an
    /// unchanged one), if ever (RFC 3339).
    pub fn last_captured_at(&self, article_url: &str) -> Result<Option<String>> {
        Ok(self.read()?.query_row(
                "SELECT MAX(COALESCE(c.last_seen_at, c.captured_at)) FROM captures c JOIN articles a ON a.id = c.article_id
                 WHERE a.url = ?1",
                params![article_url],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Record fetched articles with their citations and fetch details, and
    /// failures, in one transaction.
    pub fn record_fetched(
        &self,
        batch: &[(CaptureInput, Vec<Citation>, FetchedExtra)],
        failures: &[StoredFailure],
    ) -> Result<Vec<super::ArticleOutcome>> {
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for (capture, citations, extra) in batch {
            let outcome = record_article(&tx, &now, capture, citations)?;
            if outcome.new_capture {
                tx.execute(
                    "UPDATE captures SET redirects = ?2, payload_digest = ?3 WHERE id = ?1",
                    params![
                        capture_id(&tx, capture)?,
                        extra.redirects,
                        extra.payload_digest
                    ],
                )?;
            }
            outcomes.push(outcome);
        }
        for f in failures {
            tx.execute(
                "INSERT INTO failures (input, class, message, at, http_status, warc_file, warc_offset)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    clip(&f.input, ECHO),
                    f.class,
                    clip(&f.message, ECHO),
                    now,
                    f.http_status,
                    f.warc.as_ref().map(|w| &w.0),
                    f.warc.as_ref().map(|w| w.1 as i64)
                ],
            )?;
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// The latest capture of `url` (matched as the article URL, else as the
    /// final URL after redirects).
    pub fn latest_capture(&self, url: &str) -> Result<Option<CaptureRef>> {
        Ok(self.read()?.query_row(
                "SELECT a.url, c.captured_at, c.http_status, c.final_url, c.sha256, c.payload_digest,
                        c.redirects, c.warc_file, c.warc_offset
                 FROM captures c JOIN articles a ON a.id = c.article_id
                 WHERE a.url = ?1 OR c.final_url = ?1
                 ORDER BY (a.url = ?1) DESC, c.captured_at DESC, c.id DESC LIMIT 1",
                params![url],
                |r| {
                    Ok(CaptureRef {
                        article_url: r.get(0)?,
                        captured_at: r.get(1)?,
                        http_status: r.get(2)?,
                        final_url: r.get(3)?,
                        sha256: r.get(4)?,
                        payload_digest: r.get(5)?,
                        redirects: r.get(6)?,
                        warc_file: r.get(7)?,
                        warc_offset: r.get::<_, Option<i64>>(8)?.map(|o| o as u64),
                    })
                },
            )
            .optional()?)
    }
}

/// The id of the capture of `capture`'s article with its SHA-256.
fn capture_id(tx: &rusqlite::Transaction<'_>, capture: &CaptureInput) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT c.id FROM captures c JOIN articles a ON a.id = c.article_id
         WHERE a.url = ?1 AND c.sha256 = ?2",
        params![capture.article_url, capture.sha256],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(url: &str, sha: &str) -> CaptureInput {
        CaptureInput {
            article_url: url.into(),
            site: "news.example".into(),
            source: "http",
            http_status: Some(200),
            final_url: Some(format!("{url}?final")),
            content_type: "text/html",
            encoding: "UTF-8",
            repaired: false,
            sha256: sha.into(),
            size: 3,
            headers: Some("{}".into()),
            warc: Some(("warc/x.warc.gz".into(), 42)),
            file_mtime_ns: None,
        }
    }

    #[test]
    fn fetched_captures_keep_redirects_and_digest() {
        let s = Store::open_in_memory().unwrap();
        assert_eq!(s.last_captured_at("https://news.example/a").unwrap(), None);
        let extra = FetchedExtra {
            redirects: Some(r#"[{"url":"u","status":301}]"#.into()),
            payload_digest: Some("sha256:AAAA".into()),
        };
        let failure = StoredFailure {
            input: "https://news.example/b".into(),
            class: "http_status".into(),
            message: "HTTP 404".into(),
            http_status: Some(404),
            warc: Some(("warc/x.warc.gz".into(), 7)),
        };
        let out = s
            .record_fetched(
                &[(
                    capture("https://news.example/a", "aa"),
                    vec![],
                    extra.clone(),
                )],
                &[failure],
            )
            .unwrap();
        assert!(out[0].new_capture);
        assert!(
            s.last_captured_at("https://news.example/a")
                .unwrap()
                .is_some()
        );
        let c = s.latest_capture("https://news.example/a").unwrap().unwrap();
        assert_eq!(c.redirects, extra.redirects);
        assert_eq!(c.payload_digest.as_deref(), Some("sha256:AAAA"));
        assert_eq!(c.warc_offset, Some(42));
        let by_final = s
            .latest_capture("https://news.example/a?final")
            .unwrap()
            .unwrap();
        assert_eq!(by_final.article_url, "https://news.example/a");
        let (status, offset): (i64, i64) = s
            .write()
            .query_row(
                "SELECT http_status, warc_offset FROM failures WHERE class = 'http_status'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((status, offset), (404, 7));
        // The same content again adds nothing.
        let again = s
            .record_fetched(
                &[(capture("https://news.example/a", "aa"), vec![], extra)],
                &[],
            )
            .unwrap();
        assert!(!again[0].new_capture);
    }
}
