//! Typed reads: what `status` and the exports show.

use super::Store;
use super::{Error, Result};
use crate::detect::Platform;
use crate::liveness::{Outcome, State};
use chrono::{DateTime, Utc};
use rusqlite::Row;
use rusqlite::types::Value;
use serde::Serialize;
use std::collections::BTreeMap;

/// A row whose columns are read by name: a `Row` (rusqlite looks each name
/// up among the statement's columns, a scan of C strings per read), or an
/// [`Indexed`] row of a long scan, whose names were read once.
pub(super) trait Columns {
    fn get<T: rusqlite::types::FromSql>(&self, name: &str) -> rusqlite::Result<T>;
    /// The index of the column `name`.
    fn index(&self, name: &str) -> rusqlite::Result<usize>;
}

impl Columns for Row<'_> {
    fn get<T: rusqlite::types::FromSql>(&self, name: &str) -> rusqlite::Result<T> {
        Row::get(self, name)
    }

    fn index(&self, name: &str) -> rusqlite::Result<usize> {
        self.as_ref().column_index(name)
    }
}

/// A row of a statement whose column names were read once, before its
/// first row ([`column_names`]): an export reads ~20 columns of each of a
/// million rows by name.
pub(super) struct Indexed<'a, 'r> {
    pub row: &'a Row<'r>,
    pub names: &'a [String],
}

impl Columns for Indexed<'_, '_> {
    fn get<T: rusqlite::types::FromSql>(&self, name: &str) -> rusqlite::Result<T> {
        self.row.get(self.index(name)?)
    }

    fn index(&self, name: &str) -> rusqlite::Result<usize> {
        match self.names.iter().position(|n| n == name) {
            Some(i) => Ok(i),
            // Told apart as SQLite does (without regard to case).
            None => self.row.as_ref().column_index(name),
        }
    }
}

/// The column names of `stmt`, for [`Indexed`] rows.
pub(super) fn column_names(stmt: &rusqlite::Statement<'_>) -> Vec<String> {
    stmt.column_names().into_iter().map(String::from).collect()
}

/// A warning attached to a citation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WarningRow {
    pub kind: String,
    pub detail: String,
}

/// A post's platform, id, URL and who posted it: the fields every row
/// about a post carries (flattened into the row's JSON, in this order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostIdentity {
    pub platform: Platform,
    pub post_id: Option<String>,
    pub post_url: Option<String>,
    pub handle: Option<String>,
    pub author_name: Option<String>,
}

impl PostIdentity {
    /// The columns [`PostIdentity::read`] reads, from the post aliased
    /// `post`; with a snapshot aliased `snapshot`, the handle and author
    /// name it shows win over the post's own.
    pub(super) fn columns(post: &str, snapshot: Option<&str>) -> String {
        let who = |column: &str| match snapshot {
            Some(s) => format!("COALESCE({s}.{column}, {post}.{column}) AS {column}"),
            None => format!("{post}.{column}"),
        };
        format!(
            "{post}.platform, {post}.post_id, {post}.post_url, {}, {}",
            who("handle"),
            who("author_name")
        )
    }

    /// Read from a row that selected [`PostIdentity::columns`].
    pub(super) fn read(r: &impl Columns) -> rusqlite::Result<PostIdentity> {
        Ok(PostIdentity {
            platform: r.get("platform")?,
            post_id: r.get("post_id")?,
            post_url: r.get("post_url")?,
            handle: r.get("handle")?,
            author_name: r.get("author_name")?,
        })
    }
}

/// One row of `embarc export citations`.
#[derive(Debug, Clone, Serialize)]
pub struct CitationRow {
    pub article_url: String,
    pub kind: String,
    #[serde(flatten)]
    pub ident: PostIdentity,
    pub display_date: Option<String>,
    pub posted_at: Option<String>,
    pub date: Option<String>,
    pub text: Option<String>,
    pub media: Vec<String>,
    pub labels: Vec<String>,
    pub warnings: Vec<WarningRow>,
    pub shape: String,
    pub source_url: Option<String>,
    /// The post's current state (its latest check), null when never checked.
    pub state: Option<State>,
}

/// One row of `embarc export posts`.
#[derive(Debug, Clone, Serialize)]
pub struct PostRow {
    #[serde(flatten)]
    pub ident: PostIdentity,
    pub posted_at: Option<String>,
    pub date: Option<String>,
    pub text: Option<String>,
    pub labels: Vec<String>,
    pub first_seen_at: String,
    pub citation_count: i64,
    pub claim_status: Option<String>,
    /// The latest check: state, reason, time and archived copy.
    #[serde(flatten)]
    pub latest: super::LatestCheck,
    /// The post's own media kept by `check` (`[media]`), with their hashes.
    pub media: Vec<super::SavedMedia>,
    /// The media its platform named that are not kept, and why.
    pub media_not_kept: Vec<super::MissedMedia>,
}

/// Counts for `embarc status`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Status {
    pub schema_version: i64,
    pub tables: BTreeMap<String, i64>,
    /// platform -> (posts, citations)
    pub platforms: BTreeMap<String, PlatformCounts>,
    /// Posts known by neither id nor URL (copied text); unresolved short
    /// links are keyed by their URL and are not counted here.
    pub unidentified_posts: i64,
    /// Distinct inputs in `failures` (which keeps a row per failed
    /// attempt: one URL failing in three runs is three rows, one input).
    pub failed_inputs: i64,
    /// Rows of `post_media` whose file was kept (`saved`); the other rows
    /// are media asked for and not kept.
    pub media_kept: i64,
    pub claims_by_status: BTreeMap<String, i64>,
    /// Scheduled work by kind (`embarc watch`, `check` by the policy).
    pub jobs: Vec<super::JobCounts>,
    /// Webhook deliveries by status, and the latest failures.
    pub webhooks: super::DeliveryCounts,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct PlatformCounts {
    pub posts: i64,
    pub citations: i64,
}

pub(super) fn json_list(s: Option<String>) -> Vec<String> {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// Which posts or citations an export writes; every field narrows,
/// `Default` is all.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Cited by an article of this site (its host; subdomains included).
    pub site: Option<String>,
    /// Cited by this article (row id).
    pub article: Option<i64>,
    /// First seen at or after this time (a post when embarc first found it,
    /// a citation when its article was first read with it).
    pub since: Option<DateTime<Utc>>,
    /// First seen before this time.
    pub until: Option<DateTime<Utc>>,
}

impl ExportFilter {
    /// ?1 site, ?2 article id, ?3 since, ?4 until.
    fn params(&self) -> [Value; 4] {
        let time = |t: &Option<DateTime<Utc>>| {
            t.map_or(Value::Null, |t| Value::Text(super::format_time(t)))
        };
        [
            self.site.clone().map_or(Value::Null, Value::Text),
            self.article.map_or(Value::Null, Value::Integer),
            time(&self.since),
            time(&self.until),
        ]
    }
}

/// Whether article `a` passes an [`ExportFilter`]'s ?1 and ?2.
const ARTICLE_MATCHES: &str = "(?1 IS NULL OR a.site = ?1 COLLATE NOCASE OR a.site LIKE '%.' || ?1)
     AND (?2 IS NULL OR a.id = ?2)";

impl Store {
    /// Counts per table, per platform and per claim status.
    pub fn status(&self) -> Result<Status> {
        let mut st = Status {
            schema_version: self.schema_version()?,
            jobs: self.job_counts()?,
            webhooks: self.delivery_counts()?,
            ..Status::default()
        };
        let conn = self.read()?;
        for table in [
            "articles",
            "captures",
            "posts",
            "snapshots",
            "citations",
            "warnings",
            "claims",
            "claim_events",
            "failures",
            "checks",
            "post_media",
            "timestamps",
            "pushes",
        ] {
            let n: i64 =
                conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
            st.tables.insert(table.to_string(), n);
        }
        let mut stmt = conn.prepare(
            "SELECT p.platform, COUNT(DISTINCT p.id), COUNT(c.id)
             FROM posts p LEFT JOIN citations c ON c.post_id = p.id GROUP BY p.platform",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
        for row in rows {
            let (platform, posts, citations) = row?;
            st.platforms
                .insert(platform, PlatformCounts { posts, citations });
        }
        st.unidentified_posts = conn.query_row(
            "SELECT COUNT(*) FROM posts WHERE post_id IS NULL AND post_url IS NULL",
            [],
            |r| r.get(0),
        )?;
        st.failed_inputs =
            conn.query_row("SELECT COUNT(DISTINCT input) FROM failures", [], |r| {
                r.get(0)
            })?;
        st.media_kept = conn.query_row(
            "SELECT COUNT(*) FROM post_media WHERE result = 'saved'",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare("SELECT status, COUNT(*) FROM claims GROUP BY status")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
            let (status, n) = row?;
            st.claims_by_status.insert(status, n);
        }
        Ok(st)
    }

    /// Every citation, by article URL then position, handed to `f`.
    pub fn for_each_citation<E: From<super::Error> + From<rusqlite::Error>>(
        &self,
        filter: &ExportFilter,
        mut f: impl FnMut(CitationRow) -> Result<(), E>,
    ) -> Result<(), E> {
        // Articles in URL order from their index (CROSS JOIN keeps them the
        // outer loop), so only each article's few citations are sorted, not
        // the whole export.
        let conn = self.read()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT a.url AS article_url, c.kind, {ident},
                    s.display_date, p.posted_at, p.date, s.text,
                    COALESCE(s.media, '[]') AS media, COALESCE(s.labels, '[]') AS labels,
                    (SELECT json_group_array(json_object('kind', w.kind, 'detail', w.detail))
                       FROM warnings w WHERE w.citation_id = c.id) AS warnings,
                    c.shape, c.source_url,
                    (SELECT state FROM checks WHERE id = p.latest_check_id) AS state
             FROM articles a
             CROSS JOIN citations c ON c.article_id = a.id
             JOIN posts p ON p.id = c.post_id
             LEFT JOIN snapshots s ON s.id = c.snapshot_id
             WHERE {ARTICLE_MATCHES}
               AND (?3 IS NULL OR (SELECT captured_at FROM captures WHERE id = c.first_capture_id) >= ?3)
               AND (?4 IS NULL OR (SELECT captured_at FROM captures WHERE id = c.first_capture_id) < ?4)
             ORDER BY a.url, c.id",
            ident = PostIdentity::columns("p", Some("s"))
        ))?;
        let names = column_names(&stmt);
        let mut rows = stmt.query(rusqlite::params_from_iter(filter.params()))?;
        while let Some(row) = rows.next()? {
            f(citation_row(&Indexed { row, names: &names })?)?;
        }
        Ok(())
    }

    /// Every post with its latest article snapshot and its latest check,
    /// handed to `f`.
    pub fn for_each_post<E: From<super::Error>>(
        &self,
        filter: &ExportFilter,
        mut f: impl FnMut(PostRow) -> Result<(), E>,
    ) -> Result<(), E> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {ident}, p.posted_at, p.date,
                    s.text, s.labels, p.first_seen_at,
                    (SELECT COUNT(*) FROM citations c WHERE c.post_id = p.id) AS citation_count,
                    (SELECT cl.status FROM claims cl WHERE cl.post_id = p.id) AS claim_status,
                    {latest}, {media} AS media
             FROM posts p
             JOIN post_states ps ON ps.id = p.id
             LEFT JOIN snapshots s ON s.id = (
                 SELECT id FROM snapshots WHERE post_id = p.id AND source = 'article' AND text IS NOT NULL
                 ORDER BY id DESC LIMIT 1)
             WHERE (?3 IS NULL OR p.first_seen_at >= ?3)
               AND (?4 IS NULL OR p.first_seen_at < ?4)
               AND ((?1 IS NULL AND ?2 IS NULL)
                    OR EXISTS (SELECT 1 FROM citations c JOIN articles a ON a.id = c.article_id
                               WHERE c.post_id = p.id AND {ARTICLE_MATCHES}))
             ORDER BY p.id",
            ident = PostIdentity::columns("p", None),
            latest = super::LatestCheck::columns("ps"),
            media = super::media::MEDIA_JSON,
            ))
            .map_err(Error::from)?;
        let names = column_names(&stmt);
        let mut rows = stmt
            .query(rusqlite::params_from_iter(filter.params()))
            .map_err(Error::from)?;
        while let Some(row) = rows.next().map_err(Error::from)? {
            f(post_row(&Indexed { row, names: &names }).map_err(Error::from)?)?;
        }
        Ok(())
    }
}

fn post_row(r: &impl Columns) -> rusqlite::Result<PostRow> {
    let (media, media_not_kept) = super::media::media_lists(r.get("media")?);
    Ok(PostRow {
        ident: PostIdentity::read(r)?,
        posted_at: r.get("posted_at")?,
        date: r.get("date")?,
        text: r.get("text")?,
        labels: json_list(r.get("labels")?),
        first_seen_at: r.get("first_seen_at")?,
        citation_count: r.get("citation_count")?,
        claim_status: r.get("claim_status")?,
        latest: super::LatestCheck::read(r)?,
        media,
        media_not_kept,
    })
}

fn citation_row(r: &impl Columns) -> rusqlite::Result<CitationRow> {
    let warnings: Option<String> = r.get("warnings")?;
    Ok(CitationRow {
        article_url: r.get("article_url")?,
        kind: r.get("kind")?,
        ident: PostIdentity::read(r)?,
        display_date: r.get("display_date")?,
        posted_at: r.get("posted_at")?,
        date: r.get("date")?,
        text: r.get("text")?,
        media: json_list(r.get("media")?),
        labels: json_list(r.get("labels")?),
        warnings: warnings
            .and_then(|w| serde_json::from_str::<Vec<serde_json::Value>>(&w).ok())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| {
                Some(WarningRow {
                    kind: v.get("kind")?.as_str()?.to_string(),
                    detail: v.get("detail")?.as_str()?.to_string(),
                })
            })
            .collect(),
        shape: r.get("shape")?,
        source_url: r.get("source_url")?,
        state: r.get("state")?,
    })
}

/// A platform as stored (its name); a name no platform has is an error,
/// not a string passed on.
impl rusqlite::types::FromSql for Platform {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|e: String| rusqlite::types::FromSqlError::Other(e.into()))
    }
}

/// A state as stored (its name); any other text is an error.
impl rusqlite::types::FromSql for State {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let name = value.as_str()?;
        State::from_name(name).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown state {name:?}").into())
        })
    }
}

impl rusqlite::types::ToSql for State {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.name().into())
    }
}

/// The outcome stored in the columns `state` and `reason` of a row (read by
/// name); `None` when both are null. A pair that is not an outcome is an
/// error.
pub(super) fn outcome(
    r: &impl Columns,
    state: &str,
    reason: &str,
) -> rusqlite::Result<Option<Outcome>> {
    let Some(st) = r.get::<Option<State>>(state)? else {
        return Ok(None);
    };
    let why: Option<String> = r.get(reason)?;
    match Outcome::from_parts(st.name(), why.as_deref()) {
        Some(o) => Ok(Some(o)),
        None => Err(rusqlite::Error::FromSqlConversionFailure(
            r.index(reason)?,
            rusqlite::types::Type::Text,
            format!(
                "{:?} is not a reason for state {st}",
                why.as_deref().unwrap_or("")
            )
            .into(),
        )),
    }
}

/// As [`outcome`], for a row that always has one (a check's own columns).
pub(super) fn checked_outcome(r: &Row<'_>, state: &str, reason: &str) -> rusqlite::Result<Outcome> {
    outcome(r, state, reason)?.ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Null,
            format!("a check without a state (column {state})").into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_state_and_reason_read_as_an_outcome_and_a_wrong_pair_is_an_error() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let read = |st: Option<&str>, why: Option<&str>| {
            conn.query_row("SELECT ?1 AS s, ?2 AS r", [st, why], |r| {
                outcome(r, "s", "r")
            })
        };
        assert_eq!(
            read(Some("gone"), Some("deleted")).unwrap(),
            Some(Outcome::Deleted)
        );
        assert_eq!(read(Some("alive"), None).unwrap(), Some(Outcome::Alive));
        assert_eq!(read(None, None).unwrap(), None);
        let err = read(Some("alive"), Some("deleted"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a reason for state alive"), "{err}");
        let err = read(Some("dead"), None).unwrap_err().to_string();
        assert!(err.contains("unknown state \"dead\""), "{err}");
    }

    #[test]
    fn a_stored_platform_name_reads_as_the_platform_and_an_unknown_one_is_an_error() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let read = |name: &str| conn.query_row("SELECT ?1", [name], |r| r.get::<_, Platform>(0));
        assert_eq!(read("bluesky").unwrap(), Platform::Bluesky);
        assert_eq!(read("x").unwrap(), Platform::X);
        let err = read("friendster").unwrap_err().to_string();
        assert!(err.contains("unknown platform \"friendster\""), "{err}");
    }

    /// One article per site, each citing its own post.
    fn archive(sites: &[&str]) -> Store {
        let store = Store::open_in_memory().unwrap();
        let conn = store.write();
        for (i, site) in sites.iter().enumerate() {
            conn.execute_batch(&format!(
                "INSERT INTO articles (id, url, site, first_seen_at)
                   VALUES ({i}, 'https://{site}/a', '{site}', '2025-01-01T00:00:00Z');
                 INSERT INTO captures (id, article_id, captured_at, source, sha256, size)
                   VALUES ({i}, {i}, '2025-01-01T00:00:00Z', 'http', 'h{i}', 1);
                 INSERT INTO posts (id, post_key, platform, post_id, first_seen_at)
                   VALUES ({i}, 'x:{i}', 'x', '{i}', '2025-01-01T00:00:00Z');
                 INSERT INTO citations (article_id, post_id, kind, occurrence, shape,
                                        first_capture_id, last_capture_id)
                   VALUES ({i}, {i}, 'link', 1, 'link', {i}, {i});"
            ))
            .unwrap();
        }
        drop(conn);
        store
    }

    fn sites_of(store: &Store, site: &str) -> Vec<String> {
        let filter = ExportFilter {
            site: Some(site.to_string()),
            ..ExportFilter::default()
        };
        let mut urls = Vec::new();
        store
            .for_each_citation::<Error>(&filter, |c| {
                urls.push(c.article_url);
                Ok(())
            })
            .unwrap();
        let mut posts = 0;
        store
            .for_each_post::<Error>(&filter, |_| {
                posts += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(posts, urls.len(), "posts and citations agree for {site}");
        urls
    }

    #[test]
    fn site_filter_takes_the_host_and_its_subdomains_only() {
        let store = archive(&[
            "example.org",
            "www.example.org",
            "notexample.org",
            "example.org.evil",
        ]);
        assert_eq!(
            sites_of(&store, "example.org"),
            vec!["https://example.org/a", "https://www.example.org/a"]
        );
        assert_eq!(
            sites_of(&store, "WWW.Example.org"),
            vec!["https://www.example.org/a"]
        );
        assert!(sites_of(&store, "org.evil").len() == 1);
        assert!(sites_of(&store, "other.net").is_empty());
    }
}
