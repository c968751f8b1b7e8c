//! One article as a whole: what `embarc article show` prints and what
//! `embarc article remove` takes out of the archive.

use super::{CheckRow, Error, Result, Store};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

/// An article with everything the archive knows of it.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleDetail {
    pub id: i64,
    pub url: String,
    pub site: String,
    pub first_seen_at: String,
    /// Every read or fetch of the article, oldest first.
    pub captures: Vec<ArticleCapture>,
    /// The posts it cites, in the order they were found.
    pub citations: Vec<ArticleCitation>,
    /// Re-checks of the article's own URL, oldest first.
    pub checks: Vec<CheckRow>,
}

/// One capture of an article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleCapture {
    pub captured_at: String,
    /// `file` or `http`.
    pub source: String,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub sha256: String,
    pub size: i64,
    /// Where the answer is kept (web captures only): file and offset.
    pub warc_file: Option<String>,
    pub warc_offset: Option<u64>,
}

/// One citation of a post by the article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleCitation {
    /// `embed`, `link` or `text`.
    pub kind: String,
    pub shape: String,
    pub platform: String,
    pub post_id: Option<String>,
    pub post_url: Option<String>,
    pub handle: Option<String>,
    pub date: Option<String>,
    /// The text the article showed.
    pub text: Option<String>,
    /// The post's latest liveness state; null when never checked.
    pub state: Option<String>,
    /// The post's claim in the verification queue, if any.
    pub claim_id: Option<i64>,
}

/// What `remove_article` took out and what it kept.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Removed {
    pub article_url: String,
    pub captures: usize,
    pub citations: usize,
    /// Posts no other article cites, removed with their snapshots and checks.
    pub posts: usize,
    /// Posts no other article cites, kept because a person worked on their
    /// claim (a status, an assignment or a note): their claim ids.
    pub kept_claims: Vec<i64>,
    /// The WARC records of the removed captures, which stay on disk.
    pub warc_records: Vec<String>,
}

impl Store {
    /// The article with this URL (or final URL), or this row id when `key`
    /// is a number.
    pub fn lookup_article(&self, key: &str) -> Result<Option<i64>> {
        let conn = self.read()?;
        if let Ok(id) = key.parse::<i64>() {
            return Ok(conn
                .query_row("SELECT id FROM articles WHERE id = ?1", [id], |r| r.get(0))
                .optional()?);
        }
        Ok(conn
            .query_row(
                "SELECT id FROM articles WHERE url = ?1
                 UNION ALL
                 SELECT article_id FROM captures WHERE final_url = ?1
                 LIMIT 1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Everything about article `id`.
    pub fn article_detail(&self, id: i64) -> Result<ArticleDetail> {
        let conn = self.read()?;
        let (url, site, first_seen_at) = conn
            .query_row(
                "SELECT url, site, first_seen_at FROM articles WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: format!("no article with id {id} in the archive"),
            })?;
        let mut stmt = conn.prepare(
            "SELECT captured_at, source, http_status, final_url, sha256, size, warc_file, warc_offset
             FROM captures WHERE article_id = ?1 ORDER BY captured_at, id",
        )?;
        let captures = stmt
            .query_map([id], |r| {
                Ok(ArticleCapture {
                    captured_at: r.get("captured_at")?,
                    source: r.get("source")?,
                    http_status: r.get("http_status")?,
                    final_url: r.get("final_url")?,
                    sha256: r.get("sha256")?,
                    size: r.get("size")?,
                    warc_file: r.get("warc_file")?,
                    warc_offset: r.get::<_, Option<i64>>("warc_offset")?.map(|o| o as u64),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(stmt);
        let mut stmt = conn.prepare(
            "SELECT c.kind, c.shape, p.platform, p.post_id, p.post_url,
                    COALESCE(s.handle, p.handle) AS handle, p.date, s.text,
                    (SELECT state FROM checks WHERE id = p.latest_check_id) AS state,
                    (SELECT id FROM claims WHERE post_id = p.id) AS claim_id
             FROM citations c
             JOIN posts p ON p.id = c.post_id
             LEFT JOIN snapshots s ON s.id = c.snapshot_id
             WHERE c.article_id = ?1 ORDER BY c.id",
        )?;
        let citations = stmt
            .query_map([id], |r| {
                Ok(ArticleCitation {
                    kind: r.get("kind")?,
                    shape: r.get("shape")?,
                    platform: r.get("platform")?,
                    post_id: r.get("post_id")?,
                    post_url: r.get("post_url")?,
                    handle: r.get("handle")?,
                    date: r.get("date")?,
                    text: r.get("text")?,
                    state: r.get("state")?,
                    claim_id: r.get("claim_id")?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(stmt);
        drop(conn);
        let checks = self.article_history(id)?;
        Ok(ArticleDetail {
            id,
            url,
            site,
            first_seen_at,
            captures,
            citations,
            checks,
        })
    }

    /// Take article `id` out of the archive: its captures (their WARC
    /// records stay on disk), citations, checks and jobs, and the posts no
    /// other article cites unless a person worked on their claim. One
    /// transaction, recorded in `removals` with `actor`.
    pub fn remove_article(&self, id: i64, actor: &str) -> Result<Removed> {
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let removed = remove_in(&tx, id)?;
        tx.execute(
            "INSERT INTO removals (at, actor, kind, url, detail) VALUES (?1, ?2, 'article', ?3, ?4)",
            params![now, actor, removed.article_url, serde_json::to_string(&removed)?],
        )?;
        tx.commit()?;
        Ok(removed)
    }
}

/// The deletes of [`Store::remove_article`], children before parents (the
/// archive enforces foreign keys).
fn remove_in(tx: &Transaction<'_>, id: i64) -> Result<Removed> {
    let article_url: String = tx
        .query_row("SELECT url FROM articles WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: format!("no article with id {id} in the archive"),
        })?;
    let mut removed = Removed {
        article_url,
        ..Removed::default()
    };
    let mut stmt = tx.prepare(
        "SELECT warc_file, warc_offset FROM captures
         WHERE article_id = ?1 AND warc_file IS NOT NULL ORDER BY id",
    )?;
    removed.warc_records = stmt
        .query_map([id], |r| {
            Ok(format!(
                "{}:{}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    // The posts only this article cites.
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS removing_posts (id INTEGER PRIMARY KEY);
         DELETE FROM removing_posts;",
    )?;
    tx.execute(
        "INSERT INTO removing_posts (id)
         SELECT DISTINCT c.post_id FROM citations c WHERE c.article_id = ?1
           AND NOT EXISTS (SELECT 1 FROM citations o
                           WHERE o.post_id = c.post_id AND o.article_id <> ?1)",
        [id],
    )?;
    // A claim a person worked on outlives the article: keep its post.
    let mut stmt = tx.prepare(
        "SELECT cl.id FROM claims cl JOIN removing_posts r ON r.id = cl.post_id
         WHERE cl.status <> 'unstarted' OR cl.assignee IS NOT NULL
            OR EXISTS (SELECT 1 FROM claim_events e WHERE e.claim_id = cl.id AND e.actor <> 'embarc')
         ORDER BY cl.id",
    )?;
    removed.kept_claims = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    drop(stmt);
    tx.execute(
        "DELETE FROM removing_posts
         WHERE id IN (SELECT post_id FROM claims WHERE id IN (SELECT value FROM json_each(?1)))",
        [serde_json::to_string(&removed.kept_claims)?],
    )?;
    tx.execute(
        "DELETE FROM warnings WHERE citation_id IN (SELECT id FROM citations WHERE article_id = ?1)",
        [id],
    )?;
    removed.citations = tx.execute("DELETE FROM citations WHERE article_id = ?1", [id])?;
    // Snapshots of surviving posts that came from these captures keep their
    // text; only the link to the capture goes.
    tx.execute(
        "UPDATE snapshots SET capture_id = NULL
         WHERE capture_id IN (SELECT id FROM captures WHERE article_id = ?1)",
        [id],
    )?;
    tx.execute_batch(
        "DELETE FROM deliveries WHERE post_id IN (SELECT id FROM removing_posts)
            OR check_id IN (SELECT c.id FROM checks c JOIN removing_posts r ON r.id = c.post_id);
         DELETE FROM state_change_log WHERE post_id IN (SELECT id FROM removing_posts);
         UPDATE posts SET latest_check_id = NULL WHERE id IN (SELECT id FROM removing_posts);
         DELETE FROM checks WHERE post_id IN (SELECT id FROM removing_posts);
         DELETE FROM jobs WHERE post_id IN (SELECT id FROM removing_posts);
         DELETE FROM warnings WHERE post_id IN (SELECT id FROM removing_posts);
         DELETE FROM claim_events WHERE claim_id IN
             (SELECT id FROM claims WHERE post_id IN (SELECT id FROM removing_posts));
         DELETE FROM claims WHERE post_id IN (SELECT id FROM removing_posts);
         DELETE FROM snapshots WHERE post_id IN (SELECT id FROM removing_posts);",
    )?;
    removed.posts = tx.execute(
        "DELETE FROM posts WHERE id IN (SELECT id FROM removing_posts)",
        [],
    )?;
    tx.execute(
        "DELETE FROM deliveries WHERE article_id = ?1
            OR check_id IN (SELECT id FROM checks WHERE article_id = ?1)",
        [id],
    )?;
    tx.execute("DELETE FROM state_change_log WHERE article_id = ?1", [id])?;
    tx.execute(
        "UPDATE articles SET latest_check_id = NULL WHERE id = ?1",
        [id],
    )?;
    tx.execute("DELETE FROM checks WHERE article_id = ?1", [id])?;
    tx.execute("DELETE FROM jobs WHERE article_id = ?1", [id])?;
    removed.captures = tx.execute("DELETE FROM captures WHERE article_id = ?1", [id])?;
    tx.execute("DELETE FROM articles WHERE id = ?1", [id])?;
    tx.execute_batch("DELETE FROM removing_posts;")?;
    Ok(removed)
}
