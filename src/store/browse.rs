//! Typed reads for browsing the archive: one post with everything known of
//! it, one article with its captures and the posts it cites, one capture.
//! Each is a fixed number of queries, whatever the post or article holds.

use super::Result;
use super::checks::{CheckRow, history};
use super::queue::ClaimSnapshot;
use super::rows::json_list;
use super::{LatestCheck, Store, WarningRow};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// Everything known about one post (`/posts/{id}`).
#[derive(Debug, Clone, Serialize)]
pub struct PostDetail {
    /// The row id (`/posts/{id}`).
    pub id: i64,
    #[serde(flatten)]
    pub ident: super::PostIdentity,
    pub posted_at: Option<String>,
    pub date: Option<String>,
    pub first_seen_at: String,
    /// Its latest check.
    #[serde(flatten)]
    pub latest: LatestCheck,
    /// Its claim in the verification queue, if it is one.
    pub claim: Option<i64>,
    /// Every snapshot, oldest first.
    pub snapshots: Vec<ClaimSnapshot>,
    /// Every check, oldest first.
    pub checks: Vec<CheckRow>,
    pub warnings: Vec<WarningRow>,
    /// Every citation of it, in the order they were found.
    pub citations: Vec<PostCitation>,
    /// Its own media kept by `check` (`[media]`).
    pub media: Vec<super::SavedMedia>,
    /// The media its platform named that are not kept, and why.
    pub media_not_kept: Vec<super::MissedMedia>,
}

/// An article citing a post, and where to find the words around it.
#[derive(Debug, Clone, Serialize)]
pub struct PostCitation {
    /// The article's row id (`/articles/{id}`).
    pub article: i64,
    pub article_url: String,
    pub kind: String,
    pub occurrence: i64,
    pub shape: String,
    pub source_url: Option<String>,
    /// What the article showed of the post (its snapshot), if anything.
    pub text: Option<String>,
    pub first_captured_at: String,
    pub last_captured_at: String,
    /// The latest capture it was seen in (`/captures/{id}`).
    pub capture: i64,
    /// The article's paragraph around it, read from that capture by the
    /// caller (the store does not read WARC files); null when unknown.
    pub paragraph: Option<String>,
}

/// One article with its captures and the posts it cites (`/articles/{id}`).
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    pub id: i64,
    pub url: String,
    /// Host name, or `file`.
    pub site: String,
    pub first_seen_at: String,
    /// Its latest check.
    #[serde(flatten)]
    pub latest: LatestCheck,
    /// Every capture, oldest first.
    pub captures: Vec<CaptureRow>,
    /// Every citation, in the order they were found.
    pub citations: Vec<ArticlePost>,
}

/// One capture of an article: when, what came back, its SHA-256 and where
/// the raw answer is kept (WARC file and offset; null for local files).
#[derive(Debug, Clone, Serialize)]
pub struct CaptureRow {
    /// The row id (`/captures/{id}`).
    pub id: i64,
    pub article: i64,
    pub article_url: String,
    pub captured_at: String,
    /// Last read again unchanged.
    pub last_seen_at: Option<String>,
    /// `file` or `http`.
    pub source: String,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub content_type: Option<String>,
    pub encoding: Option<String>,
    pub sha256: String,
    pub size: i64,
    pub payload_digest: Option<String>,
    pub warc_file: Option<String>,
    pub warc_offset: Option<u64>,
}

/// A post an article cites.
#[derive(Debug, Clone, Serialize)]
pub struct ArticlePost {
    /// The post's row id (`/posts/{id}`).
    pub post: i64,
    #[serde(flatten)]
    pub ident: super::PostIdentity,
    pub kind: String,
    pub occurrence: i64,
    pub shape: String,
    pub source_url: Option<String>,
    /// What the article showed of the post, if anything.
    pub text: Option<String>,
    /// The post's claim in the queue, if it is one.
    pub claim: Option<i64>,
}

/// The columns [`capture_row`] reads, from `captures c` joined to
/// `articles a`.
const CAPTURE_COLUMNS: &str = "c.id, c.article_id, a.url AS article_url, c.captured_at,
     c.last_seen_at, c.source, c.http_status, c.final_url, c.content_type, c.encoding,
     c.sha256, c.size, c.payload_digest, c.warc_file, c.warc_offset";

fn capture_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaptureRow> {
    Ok(CaptureRow {
        id: r.get("id")?,
        article: r.get("article_id")?,
        article_url: r.get("article_url")?,
        captured_at: r.get("captured_at")?,
        last_seen_at: r.get("last_seen_at")?,
        source: r.get("source")?,
        http_status: r.get("http_status")?,
        final_url: r.get("final_url")?,
        content_type: r.get("content_type")?,
        encoding: r.get("encoding")?,
        sha256: r.get("sha256")?,
        size: r.get("size")?,
        payload_digest: r.get("payload_digest")?,
        warc_file: r.get("warc_file")?,
        warc_offset: r.get::<_, Option<i64>>("warc_offset")?.map(|o| o as u64),
    })
}

/// Which web captures an evidence package holds (all when nothing is set).
#[derive(Debug, Clone, Default)]
pub struct CaptureFilter {
    /// Captures of this article (its row id).
    pub article: Option<i64>,
    /// Captures of the articles citing this claim's post.
    pub claim: Option<i64>,
    /// Captured at or after.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Captured before.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

impl Store {
    /// The web captures kept in WARC files that `f` selects, oldest first.
    pub fn kept_web_captures(&self, f: &CaptureFilter) -> Result<Vec<CaptureRow>> {
        let conn = self.read()?;
        let time = |t: &Option<chrono::DateTime<chrono::Utc>>| t.map(super::format_time);
        let mut stmt = conn.prepare(&format!(
            "SELECT {CAPTURE_COLUMNS} FROM captures c JOIN articles a ON a.id = c.article_id
             WHERE c.warc_file IS NOT NULL AND c.warc_offset IS NOT NULL
               AND (?1 IS NULL OR c.article_id = ?1)
               AND (?2 IS NULL OR c.article_id IN (
                     SELECT ci.article_id FROM citations ci
                     JOIN claims cl ON cl.post_id = ci.post_id WHERE cl.id = ?2))
               AND (?3 IS NULL OR c.captured_at >= ?3)
               AND (?4 IS NULL OR c.captured_at < ?4)
             ORDER BY c.captured_at, c.id"
        ))?;
        let rows = stmt
            .query_map(
                rusqlite::params![f.article, f.claim, time(&f.since), time(&f.until)],
                capture_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Everything known about post `id` (its row id); `None` when there is
    /// no such post.
    pub fn post_detail(&self, id: i64) -> Result<Option<PostDetail>> {
        let conn = self.read()?;
        let head = conn
            .prepare_cached(&format!(
                "SELECT p.id, {}, p.posted_at, p.date, p.first_seen_at, {},
                        (SELECT id FROM claims WHERE post_id = p.id) AS claim
                 FROM posts p JOIN post_states ps ON ps.id = p.id
                 WHERE p.id = ?1",
                super::PostIdentity::columns("p", None),
                LatestCheck::columns("ps")
            ))?
            .query_row([id], |r| {
                Ok(PostDetail {
                    id: r.get("id")?,
                    ident: super::PostIdentity::read(r)?,
                    posted_at: r.get("posted_at")?,
                    date: r.get("date")?,
                    first_seen_at: r.get("first_seen_at")?,
                    latest: LatestCheck::read(r)?,
                    claim: r.get("claim")?,
                    snapshots: Vec::new(),
                    checks: Vec::new(),
                    warnings: Vec::new(),
                    citations: Vec::new(),
                    media: Vec::new(),
                    media_not_kept: Vec::new(),
                })
            })
            .optional()?;
        let Some(mut post) = head else {
            return Ok(None);
        };
        post.snapshots = snapshots(&conn, id)?;
        post.media = super::media::post_media(&conn, id)?;
        post.media_not_kept = super::media::post_media_missed(&conn, id)?;
        post.checks = history(&conn, "post_id", id)?;
        post.warnings = conn
            .prepare_cached(
                "SELECT kind, detail FROM warnings WHERE post_id = ?1
                 GROUP BY kind, detail ORDER BY MIN(id)",
            )?
            .query_map([id], |r| {
                Ok(WarningRow {
                    kind: r.get(0)?,
                    detail: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        post.citations = conn
            .prepare_cached(
                "SELECT c.article_id, a.url, c.kind, c.occurrence, c.shape, c.source_url, s.text,
                        fc.captured_at, lc.captured_at, c.last_capture_id
                 FROM citations c
                 JOIN articles a  ON a.id = c.article_id
                 JOIN captures fc ON fc.id = c.first_capture_id
                 JOIN captures lc ON lc.id = c.last_capture_id
                 LEFT JOIN snapshots s ON s.id = c.snapshot_id
                 WHERE c.post_id = ?1 ORDER BY c.id",
            )?
            .query_map([id], |r| {
                Ok(PostCitation {
                    article: r.get(0)?,
                    article_url: r.get(1)?,
                    kind: r.get(2)?,
                    occurrence: r.get(3)?,
                    shape: r.get(4)?,
                    source_url: r.get(5)?,
                    text: r.get(6)?,
                    first_captured_at: r.get(7)?,
                    last_captured_at: r.get(8)?,
                    capture: r.get(9)?,
                    paragraph: None,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(post))
    }

    /// Article `id` (its row id) with its captures and citations; `None`
    /// when there is no such article.
    pub fn article_view(&self, id: i64) -> Result<Option<ArticleView>> {
        let conn = self.read()?;
        let head = conn
            .prepare_cached(&format!(
                "SELECT id, url, site, first_seen_at, {}
                 FROM article_states WHERE id = ?1",
                LatestCheck::columns("article_states")
            ))?
            .query_row([id], |r| {
                Ok(ArticleView {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    site: r.get(2)?,
                    first_seen_at: r.get(3)?,
                    latest: LatestCheck::read(r)?,
                    captures: Vec::new(),
                    citations: Vec::new(),
                })
            })
            .optional()?;
        let Some(mut article) = head else {
            return Ok(None);
        };
        article.captures = conn
            .prepare_cached(&format!(
                "SELECT {CAPTURE_COLUMNS} FROM captures c JOIN articles a ON a.id = c.article_id
                 WHERE c.article_id = ?1 ORDER BY c.captured_at, c.id"
            ))?
            .query_map([id], capture_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        article.citations = conn
            .prepare_cached(&format!(
                "SELECT p.id AS post, {}, c.kind, c.occurrence, c.shape, c.source_url, s.text,
                        cl.id AS claim
                 FROM citations c
                 JOIN posts p ON p.id = c.post_id
                 LEFT JOIN snapshots s ON s.id = c.snapshot_id
                 LEFT JOIN claims cl ON cl.post_id = p.id
                 WHERE c.article_id = ?1 ORDER BY c.id",
                super::PostIdentity::columns("p", Some("s"))
            ))?
            .query_map([id], |r| {
                Ok(ArticlePost {
                    post: r.get("post")?,
                    ident: super::PostIdentity::read(r)?,
                    kind: r.get("kind")?,
                    occurrence: r.get("occurrence")?,
                    shape: r.get("shape")?,
                    source_url: r.get("source_url")?,
                    text: r.get("text")?,
                    claim: r.get("claim")?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(article))
    }

    /// Capture `id`; `None` when there is no such capture.
    pub fn capture_row(&self, id: i64) -> Result<Option<CaptureRow>> {
        Ok(self
            .read()?
            .prepare_cached(&format!(
                "SELECT {CAPTURE_COLUMNS} FROM captures c JOIN articles a ON a.id = c.article_id
                 WHERE c.id = ?1"
            ))?
            .query_row([id], capture_row)
            .optional()?)
    }

    /// The row id of the post claim `id` is about; `None` when there is no
    /// such claim.
    pub fn claim_post(&self, id: i64) -> Result<Option<i64>> {
        Ok(self
            .read()?
            .prepare_cached("SELECT post_id FROM claims WHERE id = ?1")?
            .query_row(params![id], |r| r.get(0))
            .optional()?)
    }
}

/// Every snapshot of post `post`, oldest first.
pub(super) fn snapshots(conn: &Connection, post: i64) -> Result<Vec<ClaimSnapshot>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.source, a.url, s.taken_at, s.text, s.author_name, s.handle, s.display_date,
                    s.posted_at, s.lang, s.media, s.labels
             FROM snapshots s
             LEFT JOIN captures c ON c.id = s.capture_id
             LEFT JOIN articles a ON a.id = c.article_id
             WHERE s.post_id = ?1 ORDER BY s.id",
        )?
        .query_map([post], |r| {
            Ok(ClaimSnapshot {
                source: r.get(0)?,
                article_url: r.get(1)?,
                taken_at: r.get(2)?,
                text: r.get(3)?,
                author_name: r.get(4)?,
                handle: r.get(5)?,
                display_date: r.get(6)?,
                posted_at: r.get(7)?,
                lang: r.get(8)?,
                media: json_list(r.get(9)?),
                labels: json_list(r.get(10)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}
