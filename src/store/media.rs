//! A post's own media: what each fetch came to, and the files kept.

use super::{Result, Store};
use rusqlite::{Row, params};
use serde::{Deserialize, Serialize};

/// What fetching one medium came to, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMedia<'a> {
    /// `photo`, `video` or `thumbnail`.
    pub kind: &'a str,
    pub url: &'a str,
    /// The endpoint whose answer named it.
    pub named_by: &'a str,
    /// `saved`, `too_large`, `refused` or `failed`.
    pub result: &'a str,
    pub content_type: Option<&'a str>,
    pub size: Option<u64>,
    pub sha256: Option<&'a str>,
    pub warc: Option<(&'a str, u64)>,
    pub http_status: Option<u16>,
    pub detail: &'a str,
    /// For `too_large`: the limit, in bytes, it was over.
    pub max_size: Option<u64>,
}

/// A medium kept in the archive's WARC files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMedia {
    /// The row id (`/media/{id}` on the web desk).
    pub id: i64,
    pub url: String,
    /// `photo`, `video` or `thumbnail`.
    pub kind: String,
    pub content_type: Option<String>,
    /// Bytes, as received.
    pub size: Option<u64>,
    /// Hex SHA-256 of the file as received.
    pub sha256: Option<String>,
    /// Where its WARC record is.
    pub warc: Option<WarcPlace>,
    pub fetched_at: String,
}

/// A record's place: its file (relative to the archive directory) and
/// offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarcPlace {
    pub file: String,
    pub offset: u64,
}

/// A medium the post's platform named that is not kept, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedMedia {
    pub url: String,
    /// `photo`, `video` or `thumbnail`.
    pub kind: String,
    /// `too_large`, `refused` or `failed`.
    pub result: String,
    pub http_status: Option<u16>,
    /// Why, in words.
    pub detail: String,
    /// When it was last asked for.
    pub fetched_at: String,
}

/// A kept medium, for `embarc verify`.
#[derive(Debug, Clone)]
pub struct KeptMedia {
    pub id: i64,
    pub url: String,
    pub sha256: String,
    pub warc: WarcPlace,
}

/// The columns [`saved_media`] reads, from `post_media`.
const COLUMNS: &str =
    "id, url, kind, content_type, size, sha256, warc_file, warc_offset, fetched_at";

/// A post's media (`p` is `posts`) as one JSON value for the export
/// queries, `[kept, not kept]` (one look-up per post, not two), read back
/// by [`media_lists`]. An archive that never fetched media (they are off
/// by default) skips the look-up: the first test is not correlated, so
/// SQLite runs it once per query, not once per post.
pub(super) const MEDIA_JSON: &str =
    "CASE WHEN NOT EXISTS (SELECT 1 FROM post_media) THEN '[[],[]]' ELSE
    (SELECT json_array(
        json_group_array(json_object(
            'id', m.id, 'url', m.url, 'kind', m.kind, 'content_type', m.content_type,
            'size', m.size, 'sha256', m.sha256,
            'warc', CASE WHEN m.warc_file IS NULL OR m.warc_offset IS NULL THEN NULL
                         ELSE json_object('file', m.warc_file, 'offset', m.warc_offset) END,
            'fetched_at', m.fetched_at)) FILTER (WHERE m.result = 'saved'),
        json_group_array(json_object(
            'url', m.url, 'kind', m.kind, 'result', m.result, 'http_status', m.http_status,
            'detail', m.detail, 'fetched_at', m.fetched_at)) FILTER (WHERE m.result <> 'saved'))
     FROM (SELECT * FROM post_media WHERE post_id = p.id ORDER BY id) m) END";

/// The media of [`MEDIA_JSON`]: kept, and not kept; an unreadable value is
/// none.
pub(super) fn media_lists(json: Option<String>) -> (Vec<SavedMedia>, Vec<MissedMedia>) {
    json.and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default()
}

/// The media of `post` not kept, read on `conn`, in the order first asked.
pub(super) fn post_media_missed(
    conn: &rusqlite::Connection,
    post: i64,
) -> Result<Vec<MissedMedia>> {
    let mut stmt = conn.prepare_cached(
        "SELECT url, kind, result, http_status, detail, fetched_at FROM post_media
         WHERE post_id = ?1 AND result <> 'saved' ORDER BY id",
    )?;
    let rows = stmt.query_map(params![post], |r| {
        Ok(MissedMedia {
            url: r.get("url")?,
            kind: r.get("kind")?,
            result: r.get("result")?,
            http_status: r.get("http_status")?,
            detail: r.get("detail")?,
            fetched_at: r.get("fetched_at")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn saved_media(r: &Row<'_>) -> rusqlite::Result<SavedMedia> {
    let file: Option<String> = r.get("warc_file")?;
    let offset: Option<i64> = r.get("warc_offset")?;
    Ok(SavedMedia {
        id: r.get("id")?,
        url: r.get("url")?,
        kind: r.get("kind")?,
        content_type: r.get("content_type")?,
        size: r
            .get::<_, Option<i64>>("size")?
            .and_then(|s| u64::try_from(s).ok()),
        sha256: r.get("sha256")?,
        warc: place(file, offset),
        fetched_at: r.get("fetched_at")?,
    })
}

fn place(file: Option<String>, offset: Option<i64>) -> Option<WarcPlace> {
    Some(WarcPlace {
        file: file?,
        offset: u64::try_from(offset?).ok()?,
    })
}

/// The media kept for `post` read on `conn`, in the order they were fetched.
pub(super) fn post_media(conn: &rusqlite::Connection, post: i64) -> Result<Vec<SavedMedia>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM post_media WHERE post_id = ?1 AND result = 'saved' ORDER BY id"
    ))?;
    let rows = stmt.query_map([post], saved_media)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Record what fetching a post's media came to. A URL already saved
    /// keeps its row; any other row of the same URL is replaced.
    pub fn record_media(&self, post: i64, fetched_at: &str, media: &[NewMedia<'_>]) -> Result<()> {
        if media.is_empty() {
            return Ok(());
        }
        let mut conn = self.write();
        let tx = conn.savepoint()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO post_media (post_id, url, kind, named_by, fetched_at, result,
                     content_type, size, sha256, warc_file, warc_offset, http_status, detail,
                     max_size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (post_id, url) DO UPDATE SET
                     kind = excluded.kind, named_by = excluded.named_by,
                     fetched_at = excluded.fetched_at, result = excluded.result,
                     content_type = excluded.content_type, size = excluded.size,
                     sha256 = excluded.sha256, warc_file = excluded.warc_file,
                     warc_offset = excluded.warc_offset, http_status = excluded.http_status,
                     detail = excluded.detail, max_size = excluded.max_size
                 WHERE post_media.result <> 'saved'",
            )?;
            for m in media {
                stmt.execute(params![
                    post,
                    m.url,
                    m.kind,
                    m.named_by,
                    fetched_at,
                    m.result,
                    m.content_type,
                    m.size.map(|s| s as i64),
                    m.sha256,
                    m.warc.map(|w| w.0),
                    m.warc.map(|w| w.1 as i64),
                    m.http_status,
                    m.detail,
                    m.max_size.map(|s| s.min(i64::MAX as u64) as i64),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The kept medium with row id `id`.
    pub fn medium(&self, id: i64) -> Result<Option<SavedMedia>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM post_media WHERE id = ?1 AND result = 'saved'"
        ))?;
        Ok(rusqlite::OptionalExtension::optional(
            stmt.query_row([id], saved_media),
        )?)
    }

    /// The media kept for a post, in the order they were fetched.
    pub fn post_media(&self, post: i64) -> Result<Vec<SavedMedia>> {
        post_media(&*self.read()?, post)
    }

    /// The media kept that `f` selects, as it selects captures: of the
    /// claim's post, of the posts the article cites, fetched in the time
    /// range; all when `f` selects nothing. In the order they were fetched.
    pub fn media_of(&self, f: &super::CaptureFilter) -> Result<Vec<SavedMedia>> {
        let conn = self.read()?;
        let time = |t: &Option<chrono::DateTime<chrono::Utc>>| t.map(super::format_time);
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM post_media
             WHERE result = 'saved'
               AND (?1 IS NULL OR post_id IN (SELECT post_id FROM citations WHERE article_id = ?1))
               AND (?2 IS NULL OR post_id = (SELECT post_id FROM claims WHERE id = ?2))
               AND (?3 IS NULL OR fetched_at >= ?3)
               AND (?4 IS NULL OR fetched_at < ?4)
             ORDER BY id"
        ))?;
        let rows = stmt.query_map(
            params![f.article, f.claim, time(&f.since), time(&f.until)],
            saved_media,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every kept medium with its WARC record, oldest first.
    pub fn kept_media(&self) -> Result<Vec<KeptMedia>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT id, url, sha256, warc_file, warc_offset FROM post_media
             WHERE result = 'saved' AND sha256 IS NOT NULL
               AND warc_file IS NOT NULL AND warc_offset IS NOT NULL
             ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KeptMedia {
                id: r.get("id")?,
                url: r.get("url")?,
                sha256: r.get("sha256")?,
                warc: WarcPlace {
                    file: r.get("warc_file")?,
                    offset: u64::try_from(r.get::<_, i64>("warc_offset")?).unwrap_or(u64::MAX),
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
