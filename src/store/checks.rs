//! Link-rot checks in the archive: which targets are due, appending checks
//! (with the endpoint's snapshot and `edited` warnings, in one transaction),
//! and the reads that `report` and per-target history are built from.
//!
//! Checks are only ever inserted. A target's current state is its latest
//! check (views `post_states`, `article_states`); `state_changes` lists when
//! each target's definite state began and changed.

use super::Result;
use super::{Store, hex_sha256};
use crate::detect::Platform;
use crate::liveness::{Content, Outcome, State};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A latest check that learned nothing about its target (no request reached
/// it: offline, DNS down). It does not make the target fresh for `--stale`,
/// so the next run asks again instead of waiting out the cutoff.
const LEARNED_NOTHING: &str = "(s.state = 'unknown' AND s.reason = 'network_error')";

/// A post's or an article's latest check, as every row that shows one
/// carries it (flattened into the row's JSON); each field null when it was
/// never checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LatestCheck {
    /// Shown as `state` (`alive`, `gone`, `restricted`, `unknown`) and
    /// `reason` (the reason within the state, null for `alive`).
    #[serde(flatten, serialize_with = "Outcome::serialize_maybe")]
    pub outcome: Option<Outcome>,
    pub checked_at: Option<String>,
    /// The latest archived copy found for it (Wayback Machine).
    pub archived_url: Option<String>,
}

impl LatestCheck {
    /// The columns [`LatestCheck::read`] reads, from the state view
    /// aliased `view` (`post_states`, `article_states`).
    pub(super) fn columns(view: &str) -> String {
        format!(
            "{view}.state AS latest_state, {view}.reason AS latest_reason, \
             {view}.checked_at AS latest_checked_at, {view}.archived_url AS latest_archived_url"
        )
    }

    /// Read from a row that selected [`LatestCheck::columns`].
    pub(super) fn read(r: &impl super::rows::Columns) -> rusqlite::Result<LatestCheck> {
        Ok(LatestCheck {
            outcome: super::rows::outcome(r, "latest_state", "latest_reason")?,
            checked_at: r.get("latest_checked_at")?,
            archived_url: r.get("latest_archived_url")?,
        })
    }

    /// Its state; `None` when never checked.
    pub fn state(&self) -> Option<State> {
        self.outcome.map(Outcome::state)
    }

    /// The reason within its state; `None` for `alive` and when never
    /// checked.
    pub fn reason(&self) -> Option<&'static str> {
        self.outcome.and_then(Outcome::reason)
    }

    /// `gone (deleted)`, `alive`, for people; `None` when never checked.
    pub fn label(&self) -> Option<String> {
        self.outcome.map(Outcome::label)
    }
}

/// A post that can be checked (it has a platform id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTarget {
    /// The row id in `posts`.
    pub id: i64,
    pub platform: Platform,
    pub post_id: String,
    pub post_url: Option<String>,
    pub handle: Option<String>,
    /// The state of its latest check, if any.
    pub last_state: Option<State>,
    /// An archived copy found by an earlier check.
    pub archived_url: Option<String>,
    /// Media URLs not to fetch again: kept, or too large for a limit at
    /// least as large as this run's.
    pub known_media: Vec<String>,
}

/// An article that can be checked (an http(s) URL), with the posts its
/// latest reading cited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleTarget {
    pub id: i64,
    pub url: String,
    pub last_state: Option<State>,
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
    /// Webhook deliveries queued (the check changed the post's state).
    pub deliveries: usize,
}

/// One stored check, for history and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRow {
    pub checked_at: String,
    /// Shown as `state` and `reason`.
    #[serde(flatten, serialize_with = "Outcome::serialize_parts")]
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    pub evidence: String,
    pub endpoint: String,
    pub archived_url: Option<String>,
}

/// How many targets of one group are in one state, for `report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateCount {
    /// The platform (posts), the site (posts by site), or empty (articles).
    pub group: String,
    /// Posts with an id; articles with an http(s) URL.
    pub checkable: bool,
    /// `None`: never checked.
    pub outcome: Option<Outcome>,
    pub count: usize,
}

/// A target whose latest check says it is gone, for `report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoneTarget {
    /// The row id in `posts` or `articles`.
    pub id: i64,
    /// The post's platform; `None` for articles.
    pub platform: Option<Platform>,
    pub post_id: Option<String>,
    /// The post's URL, or the article's.
    pub url: Option<String>,
    pub first_seen_at: String,
    /// Why it is gone (an outcome whose state is `gone`).
    pub outcome: Outcome,
    pub evidence: String,
    /// The first check of its current run of `gone` checks (`unknown`
    /// checks in between do not end the run).
    pub gone_since: Option<String>,
    pub archived_url: Option<String>,
}

/// A change of a target's definite state between two checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// `post` or `article`.
    pub target: &'static str,
    /// The post's URL (else `platform:id`), or the article's URL.
    pub name: String,
    pub checked_at: String,
    pub from_state: State,
    /// The new state with its reason.
    pub to: Outcome,
}

fn post_target(r: &Row<'_>) -> rusqlite::Result<PostTarget> {
    Ok(PostTarget {
        id: r.get("id")?,
        platform: r.get("platform")?,
        post_id: r.get("post_id")?,
        post_url: r.get("post_url")?,
        handle: r.get("handle")?,
        last_state: r.get("state")?,
        archived_url: r.get("archived_url")?,
        known_media: super::rows::json_list(r.get("known_media")?),
    })
}

fn article_target(r: &Row<'_>) -> rusqlite::Result<ArticleTarget> {
    Ok(ArticleTarget {
        id: r.get("id")?,
        url: r.get("url")?,
        last_state: r.get("state")?,
        archived_url: r.get("archived_url")?,
        cited: Vec::new(),
    })
}

/// The columns [`check_row`] reads, from `checks`.
pub(super) const CHECK_COLUMNS: &str =
    "checked_at, state, reason, http_status, evidence, endpoint, archived_url";

pub(super) fn check_row(r: &Row<'_>) -> rusqlite::Result<CheckRow> {
    Ok(CheckRow {
        checked_at: r.get("checked_at")?,
        outcome: super::rows::checked_outcome(r, "state", "reason")?,
        http_status: r.get("http_status")?,
        evidence: r.get("evidence")?,
        endpoint: r.get("endpoint")?,
        archived_url: r.get("archived_url")?,
    })
}

impl Store {
    /// The posts due for a check (row ids), least recently checked first,
    /// and how many were left out. A target whose latest check learned
    /// nothing ([`LEARNED_NOTHING`]) is due whenever it was checked. Ids
    /// only, so that a round over millions of posts holds 8 bytes per post;
    /// [`Store::post_targets`] reads them a few at a time.
    pub fn posts_to_check(&self, f: &TargetFilter<'_>) -> Result<(Vec<i64>, Skipped)> {
        let conn = self.read()?;
        let limit = f.limit.map_or(-1, |n| n as i64);
        let mut stmt = conn.prepare(&format!(
            "SELECT s.id FROM post_states s
             WHERE s.post_id IS NOT NULL
               AND (?1 IS NULL OR s.platform = ?1)
               AND (?2 IS NULL OR s.checked_at IS NULL OR s.checked_at < ?2 OR {LEARNED_NOTHING})
             ORDER BY s.checked_at IS NOT NULL, s.checked_at, s.id
             LIMIT ?3"
        ))?;
        let targets = stmt
            .query_map(params![f.platform, f.checked_before, limit], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        let (fresh, not_checkable): (i64, i64) = conn.query_row(
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

    /// The articles due for a check (http and https only; row ids), least
    /// recently checked first, and how many were left out.
    pub fn articles_to_check(&self, f: &TargetFilter<'_>) -> Result<(Vec<i64>, Skipped)> {
        let conn = self.read()?;
        let limit = f.limit.map_or(-1, |n| n as i64);
        let web = "(s.url LIKE 'http://%' OR s.url LIKE 'https://%')";
        let of_platform =
            "(?1 IS NULL OR EXISTS (SELECT 1 FROM citations c JOIN posts p ON p.id = c.post_id
                             WHERE c.article_id = s.id AND p.platform = ?1))";
        let mut stmt = conn.prepare(&format!(
            "SELECT s.id FROM article_states s
             WHERE {web} AND {of_platform}
               AND (?2 IS NULL OR s.checked_at IS NULL OR s.checked_at < ?2 OR {LEARNED_NOTHING})
             ORDER BY s.checked_at IS NOT NULL, s.checked_at, s.id
             LIMIT ?3"
        ))?;
        let targets = stmt
            .query_map(params![f.platform, f.checked_before, limit], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        let (fresh, not_checkable): (i64, i64) = conn.query_row(
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
    /// id are left out). `media_limit` is `[media] max_size` when media are
    /// fetched: each target's `known_media` is then what needs no asking
    /// again (saved, or too large for a limit at least this large).
    pub fn post_targets(&self, ids: &[i64], media_limit: Option<u64>) -> Result<Vec<PostTarget>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT s.id, s.platform, s.post_id, s.post_url, p.handle, s.state, s.archived_url,
                    CASE WHEN ?2 IS NULL THEN '[]' ELSE
                    (SELECT json_group_array(m.url) FROM post_media m
                     WHERE m.post_id = s.id
                       AND (m.result = 'saved' OR (m.result = 'too_large' AND m.max_size >= ?2)))
                    END AS known_media
             FROM post_states s JOIN posts p ON p.id = s.id
             WHERE s.id = ?1 AND s.post_id IS NOT NULL",
        )?;
        let limit = media_limit.map(|l| l.min(i64::MAX as u64) as i64);
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(t) = stmt.query_row(params![id, limit], post_target).optional()? {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// The articles with these row ids, as targets.
    pub fn article_targets(&self, ids: &[i64]) -> Result<Vec<ArticleTarget>> {
        let conn = self.read()?;
        let mut out = Vec::with_capacity(ids.len());
        {
            let mut stmt = conn.prepare_cached(
                "SELECT s.id, s.url, s.state, s.archived_url FROM article_states s WHERE s.id = ?1",
            )?;
            for id in ids {
                if let Some(t) = stmt.query_row(params![id], article_target).optional()? {
                    out.push(t);
                }
            }
        }
        fill_cited(&conn, &mut out)?;
        Ok(out)
    }

    /// The text each citation of a post showed (citation id, text).
    pub fn shown_texts(&self, post: i64) -> Result<Vec<(i64, String)>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
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
        &self,
        post: i64,
        check: &NewCheck<'_>,
        content: Option<&Content>,
        warnings: &[EditWarning],
    ) -> Result<Recorded> {
        // A savepoint: its own transaction, or part of a batch's.
        let mut conn = self.write();
        let tx = conn.savepoint()?;
        insert_check(&tx, Some(post), None, check)?;
        let mut recorded = Recorded {
            deliveries: super::deliveries::queue_for_check(
                &tx,
                &self.hooks,
                Some(post),
                None,
                check.outcome.state().name(),
                check.checked_at,
            )?,
            ..Recorded::default()
        };
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
    /// Returns the webhook deliveries it queued.
    pub fn record_article_check(&self, article: i64, check: &NewCheck<'_>) -> Result<usize> {
        let mut conn = self.write();
        let tx = conn.savepoint()?;
        insert_check(&tx, None, Some(article), check)?;
        let queued = super::deliveries::queue_for_check(
            &tx,
            &self.hooks,
            None,
            Some(article),
            check.outcome.state().name(),
            check.checked_at,
        )?;
        tx.commit()?;
        Ok(queued)
    }

    /// The row id of the post `platform:post_id` (found through its
    /// unique key, which is exactly that for an identified post).
    pub fn find_post(&self, platform: &str, post_id: &str) -> Result<Option<i64>> {
        Ok(self
            .read()?
            .query_row(
                "SELECT id FROM posts WHERE post_key = ?1 AND platform = ?2 AND post_id = ?3",
                params![super::identified_key(platform, post_id), platform, post_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The row id of the article with this exact URL.
    pub fn find_article(&self, url: &str) -> Result<Option<i64>> {
        Ok(self
            .read()?
            .query_row(
                "SELECT id FROM articles WHERE url = ?1",
                params![url],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every check of a post, oldest first.
    pub fn post_history(&self, post: i64) -> Result<Vec<CheckRow>> {
        history(&*self.read()?, "post_id", post)
    }

    /// Every check of an article, oldest first.
    pub fn article_history(&self, article: i64) -> Result<Vec<CheckRow>> {
        history(&*self.read()?, "article_id", article)
    }

    /// Posts counted by platform, whether checkable, and current state
    /// and reason.
    pub fn post_state_counts(&self) -> Result<Vec<StateCount>> {
        self.state_counts(
            "SELECT p.platform AS grp, p.post_id IS NOT NULL AS checkable, c.state, c.reason, COUNT(*) AS n
             FROM posts p
             LEFT JOIN checks c ON c.id = p.latest_check_id
             GROUP BY 1, 2, 3, 4",
        )
    }

    /// Posts counted by the site of each article citing them (a post counts
    /// once for every site), whether checkable, state and reason.
    pub fn post_state_counts_by_site(&self) -> Result<Vec<StateCount>> {
        self.state_counts(
            "SELECT s.site AS grp, p.post_id IS NOT NULL AS checkable, c.state, c.reason, COUNT(*) AS n
             FROM (SELECT DISTINCT ci.post_id AS post, a.site AS site
                   FROM citations ci JOIN articles a ON a.id = ci.article_id) s
             JOIN posts p ON p.id = s.post
             LEFT JOIN checks c ON c.id = p.latest_check_id
             GROUP BY 1, 2, 3, 4",
        )
    }

    /// Articles counted by whether checkable (an http(s) URL), state and
    /// reason; the group is empty.
    pub fn article_state_counts(&self) -> Result<Vec<StateCount>> {
        self.state_counts(
            "SELECT '' AS grp, a.url LIKE 'http://%' OR a.url LIKE 'https://%' AS checkable,
                    c.state, c.reason, COUNT(*) AS n
             FROM articles a
             LEFT JOIN checks c ON c.id = a.latest_check_id
             GROUP BY 1, 2, 3, 4",
        )
    }

    fn state_counts(&self, sql: &str) -> Result<Vec<StateCount>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StateCount {
                    group: r.get("grp")?,
                    checkable: r.get("checkable")?,
                    outcome: super::rows::outcome(r, "state", "reason")?,
                    count: r.get::<_, i64>("n")? as usize,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every checkable post whose latest check is `gone`, in id order.
    pub fn for_each_gone_post<E: From<super::Error> + From<rusqlite::Error>>(
        &self,
        f: impl FnMut(GoneTarget) -> Result<(), E>,
    ) -> Result<(), E> {
        self.for_each_gone(
            "SELECT p.id, p.platform, p.post_id, p.post_url AS url, p.first_seen_at,
                    c.state, c.reason, c.evidence,
                    (SELECT g.checked_at FROM checks g
                      WHERE g.post_id = p.id AND g.state = 'gone'
                        AND g.id > COALESCE((SELECT MAX(d.id) FROM checks d
                                              WHERE d.post_id = p.id AND d.state IN ('alive', 'restricted')), 0)
                      ORDER BY g.id LIMIT 1) AS gone_since,
                    (SELECT w.archived_url FROM checks w
                      WHERE w.post_id = p.id AND w.archived_url IS NOT NULL ORDER BY w.id DESC LIMIT 1) AS archived_url
             FROM posts p
             JOIN checks c ON c.id = p.latest_check_id
             WHERE c.state = 'gone' AND p.post_id IS NOT NULL
             ORDER BY p.id",
            f,
        )
    }

    /// Every web article whose latest check is `gone`, in id order.
    pub fn for_each_gone_article<E: From<super::Error> + From<rusqlite::Error>>(
        &self,
        f: impl FnMut(GoneTarget) -> Result<(), E>,
    ) -> Result<(), E> {
        self.for_each_gone(
            "SELECT a.id, NULL AS platform, NULL AS post_id, a.url, a.first_seen_at,
                    c.state, c.reason, c.evidence,
                    (SELECT g.checked_at FROM checks g
                      WHERE g.article_id = a.id AND g.state = 'gone'
                        AND g.id > COALESCE((SELECT MAX(d.id) FROM checks d
                                              WHERE d.article_id = a.id AND d.state IN ('alive', 'restricted')), 0)
                      ORDER BY g.id LIMIT 1) AS gone_since,
                    (SELECT w.archived_url FROM checks w
                      WHERE w.article_id = a.id AND w.archived_url IS NOT NULL ORDER BY w.id DESC LIMIT 1) AS archived_url
             FROM articles a
             JOIN checks c ON c.id = a.latest_check_id
             WHERE c.state = 'gone' AND (a.url LIKE 'http://%' OR a.url LIKE 'https://%')
             ORDER BY a.id",
            f,
        )
    }

    fn for_each_gone<E: From<super::Error> + From<rusqlite::Error>>(
        &self,
        sql: &str,
        mut f: impl FnMut(GoneTarget) -> Result<(), E>,
    ) -> Result<(), E> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            f(GoneTarget {
                id: r.get("id")?,
                platform: r.get("platform")?,
                post_id: r.get("post_id")?,
                url: r.get("url")?,
                first_seen_at: r.get("first_seen_at")?,
                outcome: super::rows::checked_outcome(r, "state", "reason")?,
                evidence: r.get("evidence")?,
                gone_since: r.get("gone_since")?,
                archived_url: r.get("archived_url")?,
            })?;
        }
        Ok(())
    }

    /// The URLs of the articles citing a post (distinct, sorted).
    pub fn citing_articles(&self, post: i64) -> Result<Vec<String>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT a.url FROM citations c JOIN articles a ON a.id = c.article_id
             WHERE c.post_id = ?1 ORDER BY a.url",
        )?;
        let rows = stmt
            .query_map(params![post], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// How many changes of state the checks show (first states are not
    /// changes).
    pub fn state_change_count(&self) -> Result<usize> {
        let n: i64 = self.read()?.query_row(
            "SELECT COUNT(*) FROM state_changes WHERE from_state IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// The changes of state, in check order, at most `limit`, handed to `f`.
    pub fn for_each_state_change<E: From<super::Error> + From<rusqlite::Error>>(
        &self,
        limit: Option<usize>,
        mut f: impl FnMut(StateChange) -> Result<(), E>,
    ) -> Result<(), E> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT s.post_id IS NOT NULL AS is_post,
                    CASE WHEN s.post_id IS NOT NULL
                         THEN COALESCE(p.post_url, p.platform || ':' || p.post_id,
                                       p.platform || ': unidentified post')
                         ELSE a.url END AS name,
                    s.checked_at, s.from_state, s.to_state, s.reason
             FROM state_changes s
             LEFT JOIN posts p ON p.id = s.post_id
             LEFT JOIN articles a ON a.id = s.article_id
             WHERE s.from_state IS NOT NULL
             ORDER BY s.id LIMIT ?1",
        )?;
        let mut rows = stmt.query(params![limit.map_or(-1, |n| n as i64)])?;
        while let Some(r) = rows.next()? {
            let is_post: bool = r.get("is_post")?;
            f(StateChange {
                target: if is_post { "post" } else { "article" },
                name: r.get("name")?,
                checked_at: r.get("checked_at")?,
                from_state: r.get("from_state")?,
                to: super::rows::checked_outcome(r, "to_state", "reason")?,
            })?;
        }
        Ok(())
    }
}

/// Each article's identified posts, as its latest capture showed them.
fn fill_cited(conn: &Connection, targets: &mut [ArticleTarget]) -> Result<()> {
    let mut cited = conn.prepare_cached(
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

/// Every check of a post or article (`column`), oldest first.
pub(super) fn history(conn: &Connection, column: &str, id: i64) -> Result<Vec<CheckRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CHECK_COLUMNS}
         FROM checks WHERE {column} = ?1 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map(params![id], check_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn insert_check(
    tx: &Connection,
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
