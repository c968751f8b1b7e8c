//! Link-rot checks in the archive: which targets are due, appending checks
//! (with the endpoint's snapshot and `edited` warnings, in one transaction),
//! and the reads that `report` and per-target history are built from.
//!
//! Checks are only ever inserted. A target's current state is its latest
//! check (views `post_states`, `article_states`); `state_changes` lists when
//! each target's definite state began and changed.

use super::{Store, hex_sha256};
use crate::check::{Content, Outcome};
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A latest check that learned nothing about its target (no request reached
/// it: offline, DNS down). It does not make the target fresh for `--stale`,
/// so the next run asks again instead of waiting out the cutoff.
const LEARNED_NOTHING: &str = "(s.state = 'unknown' AND s.reason = 'network_error')";

/// A post that can be checked (it has a platform id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTarget {
    /// The row id in `posts`.
    pub id: i64,
    pub platform: String,
    pub post_id: String,
    pub post_url: Option<String>,
    pub handle: Option<String>,
    /// The state of its latest check, if any.
    pub last_state: Option<String>,
    /// An archived copy found by an earlier check.
    pub archived_url: Option<String>,
}

/// An article that can be checked (an http(s) URL), with the posts its
/// latest reading cited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleTarget {
    pub id: i64,
    pub url: String,
    pub last_state: Option<String>,
    pub archived_url: Option<String>,
    pub cited: Vec<CitedPost>,
}

/// An identified post an article cites, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedPost {
    /// `platform:post_id`.
    pub key: String,
    /// The markup shape it was cited with (`blockquote`, `tombstone`, ...).
    pub shape: String,
}

/// Which targets are due.
#[derive(Debug, Clone, Default)]
pub struct TargetFilter<'a> {
    /// Only posts of this platform (and articles citing one).
    pub platform: Option<&'a str>,
    /// Only targets never checked or last checked before this time (RFC
    /// 3339); `None`: every target, however recently checked.
    pub checked_before: Option<&'a str>,
    pub limit: Option<usize>,
}

/// Targets left out, and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Checked recently enough (`--stale`).
    pub fresh: usize,
    /// Cannot be checked: posts without an id (copied text, short links),
    /// articles read from local files.
    pub not_checkable: usize,
}

/// One check to append.
#[derive(Debug, Clone)]
pub struct NewCheck<'a> {
    pub checked_at: &'a str,
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    pub evidence: &'a str,
    pub endpoint: &'a str,
    pub archived_url: Option<&'a str>,
}

/// An `edited` warning: the endpoint's text differs from what one citation
/// showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditWarning {
    pub citation_id: i64,
    pub detail: String,
}

/// What recording a post's check added besides the check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    pub new_snapshot: bool,
    pub new_warnings: usize,
}

/// One stored check, for history and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRow {
    pub checked_at: String,
    pub state: String,
    pub reason: Option<String>,
    pub http_status: Option<u16>,
    pub evidence: String,
    pub endpoint: String,
    pub archived_url: Option<String>,
}

/// A post with its current state, for `report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostState {
    pub id: i64,
    pub platform: String,
    pub post_id: Option<String>,
    pub post_url: Option<String>,
    pub first_seen_at: String,
    /// `None`: never checked.
    pub state: Option<String>,
    pub reason: Option<String>,
    pub checked_at: Option<String>,
    pub archived_url: Option<String>,
    /// Sites of the articles citing it (distinct, sorted).
    pub sites: Vec<String>,
    /// URLs of the articles citing it (distinct, sorted).
    pub article_urls: Vec<String>,
}

/// An article with its current state, for `report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleState {
    pub id: i64,
    pub url: String,
    pub site: String,
    pub first_seen_at: String,
    pub state: Option<String>,
    pub reason: Option<String>,
    pub checked_at: Option<String>,
    pub evidence: Option<String>,
    pub archived_url: Option<String>,
}

/// A target's first definite state or a change of it (`unknown` checks
/// neither start nor end a state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    pub post: Option<i64>,
    pub article: Option<i64>,
    pub checked_at: String,
    /// `None` for the first definite state.
    pub from_state: Option<String>,
    pub to_state: String,
    pub reason: Option<String>,
}

fn json_strings(s: Option<String>) -> Vec<String> {
    let mut v: Vec<String> = s
        .and_then(|s| serde_json::from_str::<Vec<Option<String>>>(&s).ok())
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    v.sort();
    v.dedup();
    v
}

fn post_target(r: &Row<'_>) -> rusqlite::Result<PostTarget> {
    Ok(PostTarget {
        id: r.get(0)?,
        platform: r.get(1)?,
        post_id: r.get(2)?,
        post_url: r.get(3)?,
        handle: r.get(4)?,
        last_state: r.get(5)?,
        archived_url: r.get(6)?,
    })
}

fn article_target(r: &Row<'_>) -> rusqlite::Result<ArticleTarget> {
    Ok(ArticleTarget {
        id: r.get(0)?,
        url: r.get(1)?,
        last_state: r.get(2)?,
        archived_url: r.get(3)?,
        cited: Vec::new(),
    })
}

fn check_row(r: &Row<'_>) -> rusqlite::Result<CheckRow> {
    Ok(CheckRow {
        checked_at: r.get(0)?,
        state: r.get(1)?,
        reason: r.get(2)?,
        http_status: r.get(3)?,
        evidence: r.get(4)?,
        endpoint: r.get(5)?,
        archived_url: r.get(6)?,
    })
}

impl Store {
    /// Posts due for a check, least recently checked first, and how many
    /// were left out. A target whose latest check learned nothing
    /// ([`LEARNED_NOTHING`]) is due whenever it was checked.
    pub fn posts_to_check(&self, f: &TargetFilter<'_>) -> Result<(Vec<PostTarget>, Skipped)> {
        let limit = f.limit.map_or(-1, |n| n as i64);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT s.id, s.platform, s.post_id, s.post_url, p.handle, s.state, s.archived_url
             FROM post_states s JOIN posts p ON p.id = s.id
             WHERE s.post_id IS NOT NULL
               AND (?1 IS NULL OR s.platform = ?1)
               AND (?2 IS NULL OR s.checked_at IS NULL OR s.checked_at < ?2 OR {LEARNED_NOTHING})
             ORDER BY s.checked_at IS NOT NULL, s.checked_at, s.id
             LIMIT ?3"
        ))?;
        let targets = stmt
            .query_map(params![f.platform, f.checked_before, limit], post_target)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let (fresh, not_checkable): (i64, i64) = self.conn.query_row(
            &format!(
                "SELECT COALESCE(SUM(?2 IS NOT NULL AND post_id IS NOT NULL AND checked_at >= ?2
                                     AND NOT {LEARNED_NOTHING}), 0),
                        COALESCE(SUM(post_id IS NULL), 0)
                 FROM post_states s WHERE (?1 IS NULL OR platform = ?1)"
            ),
            params![f.platform, f.checked_before],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((
            targets,
            Skipped {
                fresh: fresh as usize,
                not_checkable: not_checkable as usize,
            },
        ))
    }

    /// Articles due for a check (http and https only), least recently
    /// checked first, with the posts each cites; and how many were left out.
    pub fn articles_to_check(&self, f: &TargetFilter<'_>) -> Result<(Vec<ArticleTarget>, Skipped)> {
        let limit = f.limit.map_or(-1, |n| n as i64);
        let web = "(s.url LIKE 'http://%' OR s.url LIKE 'https://%')";
        let of_platform =
            "(?1 IS NULL OR EXISTS (SELECT 1 FROM citations c JOIN posts p ON p.id = c.post_id
                             WHERE c.article_id = s.id AND p.platform = ?1))";
        let mut stmt = self.conn.prepare(&format!(
            "SELECT s.id, s.url, s.state, s.archived_url FROM article_states s
             WHERE {web} AND {of_platform}
               AND (?2 IS NULL OR s.checked_at IS NULL OR s.checked_at < ?2 OR {LEARNED_NOTHING})
             ORDER BY s.checked_at IS NOT NULL, s.checked_at, s.id
             LIMIT ?3"
        ))?;
        let mut targets = stmt
            .query_map(params![f.platform, f.checked_before, limit], article_target)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.fill_cited(&mut targets)?;
        let (fresh, not_checkable): (i64, i64) = self.conn.query_row(
            &format!(
                "SELECT COALESCE(SUM(?2 IS NOT NULL AND {web} AND checked_at >= ?2
                                     AND NOT {LEARNED_NOTHING}), 0),
                        COALESCE(SUM(NOT {web}), 0)
                 FROM article_states s WHERE {of_platform}"
            ),
            params![f.platform, f.checked_before],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((
            targets,
            Skipped {
                fresh: fresh as usize,
                not_checkable: not_checkable as usize,
            },
        ))
    }

    /// The posts with these row ids, as targets (those without a platform
    /// id are left out).
    pub fn post_targets(&self, ids: &[i64]) -> Result<Vec<PostTarget>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.platform, s.post_id, s.post_url, p.handle, s.state, s.archived_url
             FROM post_states s JOIN posts p ON p.id = s.id
             WHERE s.id = ?1 AND s.post_id IS NOT NULL",
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(t) = stmt.query_row(params![id], post_target).optional()? {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// The articles with these row ids, as targets.
    pub fn article_targets(&self, ids: &[i64]) -> Result<Vec<ArticleTarget>> {
        let mut out = Vec::with_capacity(ids.len());
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT s.id, s.url, s.state, s.archived_url FROM article_states s WHERE s.id = ?1",
            )?;
            for id in ids {
                if let Some(t) = stmt.query_row(params![id], article_target).optional()? {
                    out.push(t);
                }
            }
        }
        self.fill_cited(&mut out)?;
        Ok(out)
    }

    /// Each article's identified posts, as its latest capture showed them.
    fn fill_cited(&self, targets: &mut [ArticleTarget]) -> Result<()> {
        let mut cited = self.conn.prepare_cached(
            "SELECT DISTINCT p.platform || ':' || p.post_id, c.shape
             FROM citations c JOIN posts p ON p.id = c.post_id
             WHERE c.article_id = ?1 AND p.post_id IS NOT NULL
               AND c.last_capture_id = (SELECT MAX(id) FROM captures WHERE article_id = ?1)
             ORDER BY 1, 2",
        )?;
        for t in targets.iter_mut() {
            t.cited = cited
                .query_map(params![t.id], |r| {
                    Ok(CitedPost {
                        key: r.get(0)?,
                        shape: r.get(1)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
        }
        Ok(())
    }

    /// The text each citation of a post showed (citation id, text).
    pub fn shown_texts(&self, post: i64) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, s.text FROM citations c JOIN snapshots s ON s.id = c.snapshot_id
             WHERE c.post_id = ?1 AND s.text IS NOT NULL AND s.text <> '' ORDER BY c.id",
        )?;
        let rows = stmt
            .query_map(params![post], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Append a check of a post, with what the endpoint showed of it (a new
    /// snapshot only when the content is new) and `edited` warnings, in one
    /// transaction.
    pub fn record_post_check(
        &mut self,
        post: i64,
        check: &NewCheck<'_>,
        content: Option<&Content>,
        warnings: &[EditWarning],
    ) -> Result<Recorded> {
        let tx = self.conn.transaction()?;
        insert_check(&tx, Some(post), None, check)?;
        let mut recorded = Recorded::default();
        if let Some(c) = content {
            let hash = hex_sha256(
                serde_json::to_string(&(&c.text, &c.author_name, &c.handle, &c.posted_at))?
                    .as_bytes(),
            );
            recorded.new_snapshot = tx.execute(
                "INSERT OR IGNORE INTO snapshots (post_id, source, taken_at, text, author_name, handle,
                     posted_at, lang, raw, content_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    post,
                    c.source,
                    check.checked_at,
                    c.text,
                    c.author_name,
                    c.handle,
                    c.posted_at,
                    c.lang,
                    c.raw,
                    hash
                ],
            )? > 0;
        }
        for w in warnings {
            recorded.new_warnings += tx.execute(
                "INSERT OR IGNORE INTO warnings (post_id, citation_id, kind, detail, created_at)
                 VALUES (?1, ?2, 'edited', ?3, ?4)",
                params![post, w.citation_id, w.detail, check.checked_at],
            )?;
        }
        tx.commit()?;
        Ok(recorded)
    }

    /// Append a check of an article.
    pub fn record_article_check(&mut self, article: i64, check: &NewCheck<'_>) -> Result<()> {
        let tx = self.conn.transaction()?;
        insert_check(&tx, None, Some(article), check)?;
        tx.commit()?;
        Ok(())
    }

    /// The row id of the post `platform:post_id`.
    pub fn find_post(&self, platform: &str, post_id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM posts WHERE platform = ?1 AND post_id = ?2",
                params![platform, post_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The row id of the article with this exact URL.
    pub fn find_article(&self, url: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM articles WHERE url = ?1",
                params![url],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every check of a post, oldest first.
    pub fn post_history(&self, post: i64) -> Result<Vec<CheckRow>> {
        self.history("post_id", post)
    }

    /// Every check of an article, oldest first.
    pub fn article_history(&self, article: i64) -> Result<Vec<CheckRow>> {
        self.history("article_id", article)
    }

    fn history(&self, column: &str, id: i64) -> Result<Vec<CheckRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT checked_at, state, reason, http_status, evidence, endpoint, archived_url
             FROM checks WHERE {column} = ?1 ORDER BY id"
        ))?;
        let rows = stmt
            .query_map(params![id], check_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every post with its current state, handed to `f` in id order.
    pub fn for_each_post_state(&self, mut f: impl FnMut(PostState) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, s.platform, s.post_id, s.post_url, s.first_seen_at, s.state, s.reason,
                    s.checked_at, s.archived_url,
                    (SELECT json_group_array(DISTINCT a.site) FROM citations c
                       JOIN articles a ON a.id = c.article_id WHERE c.post_id = s.id),
                    (SELECT json_group_array(DISTINCT a.url) FROM citations c
                       JOIN articles a ON a.id = c.article_id WHERE c.post_id = s.id)
             FROM post_states s ORDER BY s.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            f(PostState {
                id: r.get(0)?,
                platform: r.get(1)?,
                post_id: r.get(2)?,
                post_url: r.get(3)?,
                first_seen_at: r.get(4)?,
                state: r.get(5)?,
                reason: r.get(6)?,
                checked_at: r.get(7)?,
                archived_url: r.get(8)?,
                sites: json_strings(r.get(9)?),
                article_urls: json_strings(r.get(10)?),
            })?;
        }
        Ok(())
    }

    /// Every article with its current state, in id order.
    pub fn article_states(&self) -> Result<Vec<ArticleState>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, url, site, first_seen_at, state, reason, checked_at, evidence, archived_url
             FROM article_states ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ArticleState {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    site: r.get(2)?,
                    first_seen_at: r.get(3)?,
                    state: r.get(4)?,
                    reason: r.get(5)?,
                    checked_at: r.get(6)?,
                    evidence: r.get(7)?,
                    archived_url: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every target's first definite state and each change, in order.
    pub fn state_changes(&self) -> Result<Vec<StateChange>> {
        let mut stmt = self.conn.prepare(
            "SELECT post_id, article_id, checked_at, from_state, to_state, reason
             FROM state_changes ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StateChange {
                    post: r.get(0)?,
                    article: r.get(1)?,
                    checked_at: r.get(2)?,
                    from_state: r.get(3)?,
                    to_state: r.get(4)?,
                    reason: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// The latest check of a post (the one `post_states` shows).
pub(super) fn latest_post_check(conn: &Connection, post: i64) -> Result<Option<CheckRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT checked_at, state, reason, http_status, evidence, endpoint, archived_url
             FROM checks WHERE post_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![post], check_row)
        .optional()?)
}

fn insert_check(
    tx: &rusqlite::Transaction<'_>,
    post: Option<i64>,
    article: Option<i64>,
    c: &NewCheck<'_>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO checks (post_id, article_id, checked_at, state, reason, http_status, evidence,
             endpoint, archived_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            post,
            article,
            c.checked_at,
            c.outcome.state(),
            c.outcome.reason(),
            c.http_status,
            c.evidence,
            c.endpoint,
            c.archived_url
        ],
    )?;
    Ok(())
}
