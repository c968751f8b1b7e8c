//! Copies pushed to public archives: which URLs a run should push, and what
//! came of each request.

use super::{Result, Store};
use rusqlite::params;

/// A URL to push: an article's, or a post's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    pub url: String,
    pub post: Option<i64>,
    pub article: Option<i64>,
}

/// A copy a public archive saved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SavedCopy {
    pub url: String,
    pub service: String,
    pub snapshot_url: String,
    pub snapshot_at: Option<String>,
}

/// What one push request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPush<'a> {
    pub service: &'a str,
    /// `saved`, `refused`, `failed` or `left` (not asked in this run).
    pub result: &'a str,
    pub snapshot_url: Option<&'a str>,
    pub snapshot_at: Option<&'a str>,
    pub http_status: Option<u16>,
    pub detail: &'a str,
}

impl Store {
    /// The http(s) URLs of the articles captured and the posts first found
    /// at or after `since`, and those an earlier push did not save (it
    /// failed or was refused), that `service` has not saved yet: articles
    /// first, then posts, then earlier attempts, each oldest first; at most
    /// `limit`, each URL once.
    pub fn push_targets(
        &self,
        since: &str,
        service: &str,
        limit: usize,
    ) -> Result<Vec<PushTarget>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT t.url AS url, MIN(t.post) AS post, MIN(t.article) AS article FROM (
                 SELECT a.url AS url, NULL AS post, a.id AS article, 0 AS kind, a.id AS n
                 FROM articles a
                 WHERE EXISTS (SELECT 1 FROM captures c
                               WHERE c.article_id = a.id AND c.captured_at >= ?1)
                   AND (a.url LIKE 'http://%' OR a.url LIKE 'https://%')
                 UNION ALL
                 SELECT p.post_url, p.id, NULL, 1, p.id
                 FROM posts p
                 WHERE p.first_seen_at >= ?1 AND p.post_url IS NOT NULL
                   AND (p.post_url LIKE 'http://%' OR p.post_url LIKE 'https://%')
                 UNION ALL
                 SELECT url, post_id, article_id, 2, MIN(id)
                 FROM pushes WHERE service = ?2
                 GROUP BY url, post_id, article_id) t
             WHERE NOT EXISTS (SELECT 1 FROM pushes s
                               WHERE s.url = t.url AND s.service = ?2 AND s.result = 'saved')
             GROUP BY t.url
             ORDER BY MIN(t.kind), MIN(t.n)
             LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(params![since, service, limit as i64], |r| {
                Ok(PushTarget {
                    url: r.get("url")?,
                    post: r.get("post")?,
                    article: r.get("article")?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The copies saved of `urls`, oldest first.
    pub fn saved_copies(&self, urls: &[String]) -> Result<Vec<SavedCopy>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT url, service, snapshot_url, snapshot_at FROM pushes
             WHERE result = 'saved' AND snapshot_url IS NOT NULL
               AND url IN (SELECT value FROM json_each(?1))
             ORDER BY id",
        )?;
        let rows = stmt
            .query_map([serde_json::to_string(urls)?], |r| {
                Ok(SavedCopy {
                    url: r.get("url")?,
                    service: r.get("service")?,
                    snapshot_url: r.get("snapshot_url")?,
                    snapshot_at: r.get("snapshot_at")?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Record one push request.
    pub fn record_push(&self, target: &PushTarget, push: &NewPush<'_>) -> Result<()> {
        let now = self.now();
        self.write().execute(
            "INSERT INTO pushes (url, post_id, article_id, service, pushed_at, result,
                                 snapshot_url, snapshot_at, http_status, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                target.url,
                target.post,
                target.article,
                push.service,
                now,
                push.result,
                push.snapshot_url,
                push.snapshot_at,
                push.http_status,
                push.detail
            ],
        )?;
        Ok(())
    }
}
