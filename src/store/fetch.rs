//! Typed reads and writes for fetching: which URLs are captured already,
//! fetched articles with their redirects and WARC digest, failures with the
//! answer that caused them, and captures to show back.

use super::Result;
use super::{CaptureInput, Store, record_article};
use crate::detect::Citation;
use crate::words::{ECHO, clip};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// What a fetched capture adds to [`CaptureInput`].
#[derive(Debug, Clone, Default)]
pub struct FetchedExtra {
    /// JSON array of the redirects followed.
    pub redirects: Option<String>,
    /// `sha256:BASE32` of the body as received.
    pub payload_digest: Option<String>,
    /// The answer's `ETag` and `Last-Modified` headers, sent back when the
    /// article is fetched again.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The latest web capture of an article, as a conditional request needs
/// it: which capture, and the validators its answer carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownAnswer {
    /// The capture's SHA-256 (hex): what a `304 Not Modified` says is
    /// still there.
    pub sha256: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// An article fetched again whose server answered `304 Not Modified`: its
/// last capture was seen again (no new capture).
#[derive(Debug, Clone)]
pub struct NotModified {
    pub article_url: String,
    /// The capture the server said is unchanged.
    pub sha256: String,
    /// Validators the 304 carried (a server may send new ones); `None`
    /// keeps those stored.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
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

    /// The latest web capture of `article_url` with its validators, if any
    /// (for a conditional request when it is fetched again).
    pub fn known_answer(&self, article_url: &str) -> Result<Option<KnownAnswer>> {
        Ok(self
            .read()?
            .prepare_cached(
                "SELECT c.sha256, c.etag, c.last_modified
                 FROM captures c JOIN articles a ON a.id = c.article_id
                 WHERE a.url = ?1 AND c.source = 'http'
                 ORDER BY COALESCE(c.last_seen_at, c.captured_at) DESC, c.id DESC LIMIT 1",
            )?
            .query_row(params![article_url], |r| {
                Ok(KnownAnswer {
                    sha256: r.get("sha256")?,
                    etag: r.get("etag")?,
                    last_modified: r.get("last_modified")?,
                })
            })
            .optional()?)
    }

    /// Record fetched articles with their citations and fetch details,
    /// articles answered `304 Not Modified`, and failures, in one
    /// transaction.
    pub fn record_fetched(
        &self,
        batch: &[(CaptureInput, Vec<Citation>, FetchedExtra)],
        not_modified: &[NotModified],
        failures: &[StoredFailure],
    ) -> Result<Vec<super::ArticleOutcome>> {
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for (capture, citations, extra) in batch {
            let outcome = record_article(&tx, &now, capture, citations, &self.hooks)?;
            let id = capture_id(&tx, capture)?;
            if outcome.new_capture {
                tx.execute(
                    "UPDATE captures SET redirects = ?2, payload_digest = ?3, etag = ?4,
                         last_modified = ?5
                     WHERE id = ?1",
                    params![
                        id,
                        extra.redirects,
                        extra.payload_digest,
                        extra.etag,
                        extra.last_modified
                    ],
                )?;
            } else {
                // The same bytes may come with new validators: keep the latest.
                tx.execute(
                    "UPDATE captures SET etag = ?2, last_modified = ?3 WHERE id = ?1",
                    params![id, extra.etag, extra.last_modified],
                )?;
            }
            outcomes.push(outcome);
        }
        for n in not_modified {
            tx.execute(
                "UPDATE captures SET last_seen_at = ?3, etag = COALESCE(?4, etag),
                     last_modified = COALESCE(?5, last_modified)
                 WHERE article_id = (SELECT id FROM articles WHERE url = ?1) AND sha256 = ?2",
                params![n.article_url, n.sha256, now, n.etag, n.last_modified],
            )?;
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
            ..FetchedExtra::default()
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
                &[],
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
                &[],
            )
            .unwrap();
        assert!(!again[0].new_capture);
    }

    #[test]
    fn known_answers_and_304s() {
        let s = Store::open_in_memory().unwrap();
        let url = "https://news.example/a";
        assert_eq!(s.known_answer(url).unwrap(), None);
        let extra = FetchedExtra {
            etag: Some("\"e1\"".into()),
            last_modified: Some("Tue, 07 Jan 2020 10:00:00 GMT".into()),
            ..FetchedExtra::default()
        };
        s.record_fetched(&[(capture(url, "aa"), vec![], extra.clone())], &[], &[])
            .unwrap();
        let known = s.known_answer(url).unwrap().unwrap();
        assert_eq!(known.sha256, "aa");
        assert_eq!(known.etag, extra.etag);
        assert_eq!(known.last_modified, extra.last_modified);
        // A 304 with a new ETag: the capture is seen again and keeps the
        // date it had.
        let n = NotModified {
            article_url: url.into(),
            sha256: "aa".into(),
            etag: Some("\"e2\"".into()),
            last_modified: None,
        };
        assert!(s.record_fetched(&[], &[n], &[]).unwrap().is_empty());
        let known = s.known_answer(url).unwrap().unwrap();
        assert_eq!(known.etag.as_deref(), Some("\"e2\""));
        assert_eq!(known.last_modified, extra.last_modified);
        let seen: Option<String> = s
            .write()
            .query_row("SELECT last_seen_at FROM captures", [], |r| r.get(0))
            .unwrap();
        assert!(seen.is_some());
        // A local file is never asked conditionally.
        let mut file = capture("file:///tmp/a.html", "bb");
        file.source = "file";
        s.record_articles(&[(file, vec![])]).unwrap();
        assert_eq!(s.known_answer("file:///tmp/a.html").unwrap(), None);
    }

    #[test]
    fn captures_before_the_validator_columns_take_them_from_their_headers() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        let before = super::super::MIGRATIONS
            .iter()
            .position(|m| m.name == "0014_validators")
            .unwrap();
        super::super::migrate::to_latest(&mut conn, &super::super::MIGRATIONS[..before]).unwrap();
        conn.execute_batch(
            r#"INSERT INTO articles (id, url, site, first_seen_at) VALUES (1, 'u', 's', 't');
               INSERT INTO captures (article_id, captured_at, source, sha256, size, headers)
               VALUES (1, 't', 'http', 'a', 1,
                       '{"etag":"\"x\"","last-modified":"Tue, 07 Jan 2020 10:00:00 GMT"}'),
                      (1, 't', 'http', 'b', 1, '{"content-type":"text/html"}'),
                      (1, 't', 'http', 'c', 1, 'not json');"#,
        )
        .unwrap();
        super::super::migrate::to_latest(&mut conn, super::super::MIGRATIONS).unwrap();
        let rows: Vec<(String, Option<String>, Option<String>)> = conn
            .prepare("SELECT sha256, etag, last_modified FROM captures ORDER BY sha256")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    "a".into(),
                    Some("\"x\"".into()),
                    Some("Tue, 07 Jan 2020 10:00:00 GMT".into())
                ),
                ("b".into(), None, None),
                ("c".into(), None, None),
            ]
        );
    }
}
