//! The archive: SQLite, the only module that knows SQL.
//!
//! [`Store::open`] applies the migrations in `migrations/` in order, turns on
//! WAL, foreign keys and a busy timeout. Writes are typed: one call records a
//! batch of articles, each with its capture and citations, in one
//! transaction (a savepoint inside a [`Store::begin_batch`] one), so a
//! killed process leaves either a whole article or none.
//!
//! A [`Store`] is cheap to clone and can be shared between threads: every
//! clone writes through the one writer connection (behind a lock, so writes
//! queue up) and reads through a small pool of read-only connections, so a
//! reader never waits for a long write (WAL). Errors are [`Error`]s a caller
//! can match.

mod accounts;
mod articles;
mod browse;
mod checks;
mod deliveries;
mod error;
mod fetch;
mod jobs;
mod media;
mod migrate;
mod pushes;
mod queue;
mod rows;
mod search;
mod timestamps;
mod verify;

pub use accounts::{AccountError, ApiToken, Session, User};
pub use articles::Removed;
pub use browse::{ArticlePost, ArticleView, CaptureFilter, CaptureRow, PostCitation, PostDetail};
pub use checks::{
    ArticleTarget, CheckRow, CitedPost, EditWarning, GoneTarget, LatestCheck, NewCheck, PostTarget,
    Recorded, Skipped, StateChange, StateCount, TargetFilter,
};
pub use deliveries::{Delivery, DeliveryCounts, EventData, Hook};
pub use error::{Error, Result};
pub use fetch::{CaptureRef, FailedAnswer, FetchedExtra, KnownAnswer, NotModified, StoredFailure};
pub use jobs::{ClaimRequest, ClaimedJob, JobCounts, JobKind, JobRow};
pub use media::{KeptMedia, MissedMedia, NewMedia, SavedMedia, WarcPlace};
pub use migrate::MigrationError;
use migrate::migration;
pub use pushes::{NewPush, PushTarget, SavedCopy};
pub use search::{ArticleHit, MAX_HITS, PostHit, SearchPage, fts_query};
pub use timestamps::{NewTimestamp, StoredTimestamp};
pub use verify::KeptCapture;

pub use queue::{
    Claim, ClaimCitation, ClaimDetail, ClaimEvent, ClaimFilter, ClaimPage, ClaimPost,
    ClaimSnapshot, ClaimSort, HandAdded, LIVENESS, Relabelled,
};
pub use rows::{CitationRow, ExportFilter, PostIdentity, PostRow, Status, WarningRow};

use crate::detect::{Citation, Kind};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The schema, one file per version; never edit a shipped one, add a file.
const MIGRATIONS: &[migrate::Migration] = &[
    migration!("0001_init"),
    migration!("0002_queue"),
    migration!("0003_snapshot_cid"),
    migration!("0004_fetch"),
    migration!("0005_checks"),
    migration!("0006_capture_seen"),
    migration!("0007_open_queue_article_text"),
    migration!("0008_accounts"),
    migration!("0009_jobs"),
    migration!("0010_unchanged_files"),
    migration!("0011_fast_views"),
    migration!("0012_deliveries"),
    migration!("0013_removals"),
    migration!("0014_validators"),
    migration!("0015_claim_deliveries"),
    migration!("0016_job_platform"),
    migration!("0017_check_blocked"),
    migration!("0018_platform_index"),
    migration!("0019_search"),
    migration!("0020_claims_created"),
    migration!("0021_pushes"),
    migration!("0022_media"),
    migration!("0023_timestamps"),
    migration!("0024_media_limit"),
];

/// How long a write waits for another process's write, and a read for a
/// free reader.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Read-only connections kept open beside the writer.
const READERS: u32 = 4;

/// An open archive database: one writer and a pool of readers. Clones share
/// both (see the module docs).
#[derive(Clone)]
pub struct Store {
    writer: Arc<Mutex<Connection>>,
    /// None for an in-memory archive: its reads use the writer.
    readers: Option<r2d2::Pool<SqliteConnectionManager>>,
    /// A fixed time for every write instead of the clock (reproducible runs).
    clock: Option<chrono::DateTime<chrono::Utc>>,
    /// Webhook receivers: a check that changes a state queues deliveries.
    hooks: Vec<Hook>,
}

/// Switch `conn` to WAL. While another process creates the same archive,
/// the switch can answer "database is locked" at once instead of calling
/// the busy handler, so it is tried again for up to [`BUSY_TIMEOUT`].
fn enter_wal(conn: &Connection) -> rusqlite::Result<()> {
    let start = std::time::Instant::now();
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// What can go wrong while preparing the writer connection.
enum SetupError {
    Sqlite(rusqlite::Error),
    Migration(MigrationError),
}

impl From<rusqlite::Error> for SetupError {
    fn from(e: rusqlite::Error) -> SetupError {
        SetupError::Sqlite(e)
    }
}

impl From<MigrationError> for SetupError {
    fn from(e: MigrationError) -> SetupError {
        SetupError::Migration(e)
    }
}

/// A connection to read with: a pooled reader, or the writer of an
/// in-memory archive.
enum Reader<'a> {
    Pooled(r2d2::PooledConnection<SqliteConnectionManager>),
    Writer(MutexGuard<'a, Connection>),
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Reader::Pooled(c) => c,
            Reader::Writer(c) => c,
        }
    }
}

/// One read or fetch of an article, as stored in `captures`.
#[derive(Debug, Clone)]
pub struct CaptureInput {
    pub article_url: String,
    /// Host name, or `file` for local files.
    pub site: String,
    /// `file` or `http`.
    pub source: &'static str,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub content_type: &'static str,
    pub encoding: &'static str,
    pub repaired: bool,
    pub sha256: String,
    pub size: u64,
    pub headers: Option<String>,
    pub warc: Option<(String, u64)>,
    /// A local file's modification time (nanoseconds since the epoch), so
    /// that a later run can leave the file unread while it stays the same.
    pub file_mtime_ns: Option<i64>,
}

/// What one `archive` run did, kept in `runs`.
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    pub started_at: String,
    pub inputs: usize,
    pub parsed: usize,
    pub new_captures: usize,
    pub unchanged: usize,
    pub failed: usize,
}

/// What recording one article added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleOutcome {
    /// False when this exact capture was archived before (nothing was added).
    pub new_capture: bool,
    pub citations: usize,
    pub new_citations: usize,
    pub new_posts: usize,
    pub new_claims: usize,
}

impl Store {
    /// Open (creating if needed) the archive database at `path` and bring its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let open_error = |reason| Error::Open {
            path: path.to_path_buf(),
            reason,
        };
        let conn = Connection::open(path).map_err(open_error)?;
        // A file that is not a database fails here, on its first read.
        let writer = Self::setup(conn).map_err(|e| match e {
            SetupError::Sqlite(source) => open_error(source),
            SetupError::Migration(reason) => Error::Migration {
                path: path.to_path_buf(),
                reason,
            },
        })?;
        let manager = SqliteConnectionManager::file(path)
            .with_flags(
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_init(|c| c.busy_timeout(BUSY_TIMEOUT));
        let readers = reader_pool(manager);
        Ok(Store {
            writer: Arc::new(Mutex::new(writer)),
            readers: Some(readers),
            clock: None,
            hooks: Vec::new(),
        })
    }

    /// Open an existing archive only to read it: no migration, no change of
    /// journal mode, and every write refused ([`Error::ReadOnly`]). With
    /// `immutable` (files on read-only media) SQLite takes no locks and
    /// creates no `-shm` file, which is right only when nothing can write
    /// the file; without it, other processes may write meanwhile. A
    /// non-empty `-wal` file beside it holds writes not yet in the file
    /// (an immutable open would not see them): it is read through, as
    /// SQLite reads a WAL on read-only media.
    pub fn open_read_only(path: &Path, immutable: bool) -> Result<Store> {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let pending = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
        let immutable = immutable && !pending;
        let open_error = |reason| Error::Open {
            path: path.to_path_buf(),
            reason,
        };
        let absolute = std::path::absolute(path).map_err(|e| Error::ReadOnly {
            detail: format!(" and its path cannot be read: {e}"),
        })?;
        let mut uri = url::Url::from_file_path(&absolute).map_err(|()| Error::ReadOnly {
            detail: format!(" and {} is not a usable path", path.display()),
        })?;
        uri.set_query(Some(if immutable {
            "mode=ro&immutable=1"
        } else {
            "mode=ro"
        }));
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(uri.as_str(), flags).map_err(open_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        let found = migrate::version(&conn).map_err(open_error)?;
        let known = MIGRATIONS.len();
        if found > known {
            return Err(Error::Migration {
                path: path.to_path_buf(),
                reason: MigrationError::Newer { found, known },
            });
        }
        if found < known {
            return Err(Error::ReadOnly {
                detail: format!(
                    " and its schema (version {found}) is older than this embarc's ({known}): open it once where it can be written, to upgrade it"
                ),
            });
        }
        let manager = SqliteConnectionManager::file(uri.as_str())
            .with_flags(flags)
            .with_init(|c| c.busy_timeout(BUSY_TIMEOUT));
        let readers = reader_pool(manager);
        Ok(Store {
            writer: Arc::new(Mutex::new(conn)),
            readers: Some(readers),
            clock: None,
            hooks: Vec::new(),
        })
    }

    /// True when the archive was opened only to read it (every write is
    /// refused with [`Error::ReadOnly`]).
    pub fn is_read_only(&self) -> bool {
        self.write().is_readonly(rusqlite::MAIN_DB).unwrap_or(false)
    }

    /// A private in-memory archive (tests, dry runs). Its reads and writes
    /// share one connection.
    pub fn open_in_memory() -> Result<Store> {
        let writer = Self::setup(Connection::open_in_memory()?).map_err(|e| match e {
            SetupError::Sqlite(e) => Error::from(e),
            SetupError::Migration(reason) => Error::Migration {
                path: ":memory:".into(),
                reason,
            },
        })?;
        Ok(Store {
            writer: Arc::new(Mutex::new(writer)),
            readers: None,
            clock: None,
            hooks: Vec::new(),
        })
    }

    /// A handle for worker threads that look things up while the owner of
    /// the store writes: a clone (its reads use the pool of read-only
    /// connections); `None` for an in-memory archive, whose reads would
    /// wait for the writer.
    pub fn reader(&self) -> Result<Option<Store>> {
        Ok(self.readers.is_some().then(|| self.clone()))
    }

    fn setup(mut conn: Connection) -> Result<Connection, SetupError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        enter_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A page cache large enough for a batch's index pages (they would
        // otherwise spill into the WAL mid-transaction and be written again
        // at commit), and a WAL checkpointed every 64 MiB rather than every
        // 4 MiB, so a page changed by many batches reaches the database
        // file fewer times.
        conn.pragma_update(None, "cache_size", -32_768)?;
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
        // Recording an article runs a score of statements per article;
        // each is prepared once and kept (the default cache holds 16).
        conn.set_prepared_statement_cache_capacity(64);
        migrate::to_latest(&mut conn, MIGRATIONS)?;
        Ok(conn)
    }

    /// The writer connection; writes from other clones wait here.
    fn write(&self) -> MutexGuard<'_, Connection> {
        // A writer that panicked left no open transaction behind (the
        // transaction rolled back when it was dropped): carry on.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection to read with.
    fn read(&self) -> Result<Reader<'_>> {
        match &self.readers {
            Some(pool) => Ok(Reader::Pooled(pool.get()?)),
            None => Ok(Reader::Writer(self.write())),
        }
    }

    /// Record `at` as the time of every write instead of reading the clock
    /// (the CLI sets it from `EMBARC_NOW` for reproducible runs and tests).
    pub fn with_clock(mut self, at: chrono::DateTime<chrono::Utc>) -> Store {
        self.clock = Some(at);
        self
    }

    /// The archive's clock: the fixed time of [`Store::with_clock`], else
    /// now. Writers that compute times themselves (`check`'s `checked_at`
    /// and `--stale` cutoff) read it here, so one fixed time covers them too.
    pub fn clock(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.unwrap_or_else(chrono::Utc::now)
    }

    /// The time to record for a write.
    fn now(&self) -> String {
        format_time(self.clock())
    }

    /// The schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .read()?
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// True when this exact content of `article_url` was archived before.
    pub fn has_capture(&self, article_url: &str, sha256: &str) -> Result<bool> {
        let found = self
            .read()?
            .query_row(
                "SELECT 1 FROM captures c JOIN articles a ON a.id = c.article_id
                 WHERE a.url = ?1 AND c.sha256 = ?2",
                params![article_url, sha256],
                |_| Ok(()),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// True when `article_url` has a capture of a file that had this size
    /// and modification time: the file is unchanged and need not be read.
    pub fn file_unchanged(&self, article_url: &str, size: u64, mtime_ns: i64) -> Result<bool> {
        let found = self
            .read()?
            .prepare_cached(
                "SELECT 1 FROM captures
                 WHERE article_id = (SELECT id FROM articles WHERE url = ?1)
                   AND size = ?2 AND file_mtime_ns = ?3",
            )?
            .query_row(params![article_url, size as i64, mtime_ns], |_| Ok(()))
            .optional()?;
        Ok(found.is_some())
    }

    /// Keep what an `archive` run did (the only write of a run over
    /// unchanged inputs).
    pub fn record_run(&self, run: &RunRecord) -> Result<()> {
        self.write().execute(
            "INSERT INTO runs (command, started_at, finished_at, inputs, parsed, new_captures,
                 unchanged, failed)
             VALUES ('archive', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                run.started_at,
                self.now(),
                run.inputs as i64,
                run.parsed as i64,
                run.new_captures as i64,
                run.unchanged as i64,
                run.failed as i64
            ],
        )?;
        Ok(())
    }

    /// The time to record for a write, for callers that note when something
    /// started (RFC 3339).
    pub fn now_text(&self) -> String {
        self.now()
    }

    /// Record articles with their citations, in one transaction.
    pub fn record_articles(
        &self,
        batch: &[(CaptureInput, Vec<Citation>)],
    ) -> Result<Vec<ArticleOutcome>> {
        let now = self.now();
        let mut conn = self.write();
        // A savepoint: its own transaction, or part of a batch's.
        let tx = conn.savepoint()?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for (capture, citations) in batch {
            outcomes.push(record_article(&tx, &now, capture, citations, &self.hooks)?);
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// Files read again whose bytes are a capture already archived
    /// (`(article URL, SHA-256, modification time)`): the capture was seen
    /// again, at its new modification time. One transaction.
    pub fn record_seen(&self, seen: &[(String, String, Option<i64>)]) -> Result<()> {
        let now = self.now();
        let mut conn = self.write();
        let tx = conn.savepoint()?;
        {
            let mut update = tx.prepare_cached(
                "UPDATE captures SET last_seen_at = ?3, file_mtime_ns = COALESCE(?4, file_mtime_ns)
                 WHERE article_id = (SELECT id FROM articles WHERE url = ?1) AND sha256 = ?2",
            )?;
            for (url, sha256, mtime_ns) in seen {
                update.execute(params![url, sha256, now, mtime_ns])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Start one transaction for the writes that follow (each still whole
    /// on its own), until [`Store::commit_batch`]: many small writes in one
    /// transaction write each changed page once instead of once per write.
    pub fn begin_batch(&self) -> Result<()> {
        let conn = self.write();
        if conn.is_autocommit() {
            conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        Ok(())
    }

    /// Commit the batch [`Store::begin_batch`] started, if one is open.
    pub fn commit_batch(&self) -> Result<()> {
        let conn = self.write();
        if !conn.is_autocommit() {
            conn.execute_batch("COMMIT")?;
        }
        Ok(())
    }

    /// Remember an input that could not be archived (input and message
    /// clipped to [`crate::words::ECHO`] bytes, with their length).
    pub fn record_failure(&self, input: &str, class: &str, message: &str) -> Result<()> {
        use crate::words::{ECHO, clip};
        self.write().execute(
            "INSERT INTO failures (input, class, message, at) VALUES (?1, ?2, ?3, ?4)",
            params![clip(input, ECHO), class, clip(message, ECHO), self.now()],
        )?;
        Ok(())
    }
}

/// The pool of read-only connections: opened when first needed and kept
/// for reuse.
fn reader_pool(manager: SqliteConnectionManager) -> r2d2::Pool<SqliteConnectionManager> {
    r2d2::Pool::builder()
        .max_size(READERS)
        .min_idle(Some(0))
        .connection_timeout(BUSY_TIMEOUT)
        .build_unchecked(manager)
}

/// Times are stored as RFC 3339 UTC text with milliseconds.
pub(crate) fn format_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The key of an identified post: `platform:id`.
fn identified_key(platform: &str, id: &str) -> String {
    format!("{platform}:{id}")
}

/// The key that makes a post unique: (platform, id) when identified, else
/// handle (or name) + day + a hash of the text.
fn post_key(c: &Citation) -> Option<String> {
    let platform = c.platform.as_str();
    if let Some(id) = &c.post_id {
        return Some(identified_key(platform, id));
    }
    if let Some(url) = &c.post_url {
        // Unresolved short links: the short URL is all we know.
        return Some(format!("{platform}:url:{url}"));
    }
    let who = c
        .handle
        .as_deref()
        .map(|h| h.to_lowercase())
        .or_else(|| c.author_name.clone())?;
    let day = c
        .date
        .map(|d| d.to_string())
        .or_else(|| c.display_date.clone())
        .unwrap_or_default();
    let text_hash = hex_sha256(c.text.as_deref().unwrap_or_default().as_bytes());
    Some(format!("{platform}:~{who}:{day}:{}", &text_hash[..16]))
}

fn ms_to_rfc3339(ms: Option<i64>) -> Option<String> {
    ms.and_then(crate::detect::dates::ms_to_rfc3339)
}

pub(crate) fn record_article(
    tx: &Connection,
    now: &str,
    cap: &CaptureInput,
    citations: &[Citation],
    hooks: &[Hook],
) -> Result<ArticleOutcome> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO articles (url, site, first_seen_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![cap.article_url, cap.site, now])?;
    let article_id: i64 = tx
        .prepare_cached("SELECT id FROM articles WHERE url = ?1")?
        .query_row(params![cap.article_url], |r| r.get(0))?;
    let inserted = tx.prepare_cached("INSERT OR IGNORE INTO captures (article_id, captured_at, source, http_status, final_url,
             content_type, encoding, repaired, sha256, size, headers, warc_file, warc_offset,
             file_mtime_ns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")?
        .execute(params![
            article_id,
            now,
            cap.source,
            cap.http_status,
            cap.final_url,
            cap.content_type,
            cap.encoding,
            cap.repaired,
            cap.sha256,
            cap.size as i64,
            cap.headers,
            cap.warc.as_ref().map(|w| &w.0),
            cap.warc.as_ref().map(|w| w.1 as i64),
            cap.file_mtime_ns,
        ],
    )?;
    let mut outcome = ArticleOutcome {
        citations: citations.len(),
        ..ArticleOutcome::default()
    };
    if inserted == 0 {
        tx.prepare_cached(
            "UPDATE captures SET last_seen_at = ?3, file_mtime_ns = COALESCE(?4, file_mtime_ns)
             WHERE article_id = ?1 AND sha256 = ?2",
        )?
        .execute(params![article_id, cap.sha256, now, cap.file_mtime_ns])?;
        return Ok(outcome);
    }
    outcome.new_capture = true;
    let capture_id = tx.last_insert_rowid();
    let mut occurrences: HashMap<(String, Kind), i64> = HashMap::new();
    for c in citations {
        let Some(key) = post_key(c) else { continue };
        let n = occurrences.entry((key.clone(), c.kind)).or_insert(0);
        *n += 1;
        let occurrence = *n;
        let (post_row, new_post) = upsert_post(tx, now, &key, c)?;
        outcome.new_posts += usize::from(new_post);
        let snapshot = insert_snapshot(tx, now, post_row, capture_id, c)?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM citations WHERE article_id = ?1 AND post_id = ?2 AND kind = ?3 AND occurrence = ?4",
                params![article_id, post_row, c.kind.as_str(), occurrence],
                |r| r.get(0),
            )
            .optional()?;
        let citation_id = match existing {
            Some(id) => {
                tx.prepare_cached("UPDATE citations SET last_capture_id = ?2, snapshot_id = COALESCE(?3, snapshot_id) WHERE id = ?1")?
        .execute(params![id, capture_id, snapshot],
                )?;
                id
            }
            None => {
                tx.prepare_cached("INSERT INTO citations (article_id, post_id, kind, occurrence, shape, source_url,
                         snapshot_id, first_capture_id, last_capture_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)")?
        .execute(params![article_id, post_row, c.kind.as_str(), occurrence, c.shape, c.source_url, snapshot, capture_id],
                )?;
                outcome.new_citations += 1;
                tx.last_insert_rowid()
            }
        };
        for w in &c.warnings {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO warnings (post_id, citation_id, kind, detail, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![post_row, citation_id, w.kind, w.detail, now])?;
        }
        if let Some(label) = c.labels.first() {
            let added = tx.prepare_cached("INSERT OR IGNORE INTO claims (post_id, label, status, created_at) VALUES (?1, ?2, 'unstarted', ?3)")?
        .execute(params![post_row, label, now],
            )?;
            if added > 0 {
                let claim_id = tx.last_insert_rowid();
                tx.prepare_cached(
                    "INSERT INTO claim_events (claim_id, at, actor, action, to_status, note)
                     VALUES (?1, ?2, 'embarc', 'created', 'unstarted', ?3)",
                )?
                .execute(params![
                    claim_id,
                    now,
                    format!("labelled {label} in {}", cap.article_url)
                ])?;
                deliveries::queue_for_claim(tx, hooks, claim_id, "claim_created", now)?;
                outcome.new_claims += 1;
            }
        }
    }
    Ok(outcome)
}

/// Insert the post or fill in what it lacked; returns (row id, inserted).
fn upsert_post(tx: &Connection, now: &str, key: &str, c: &Citation) -> Result<(i64, bool)> {
    let handle = c.handle.as_ref().or(c.url_handle.as_ref());
    let posted_at = ms_to_rfc3339(c.posted_at_ms);
    let date = c.date.map(|d| d.to_string());
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM posts WHERE post_key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        tx.prepare_cached(
            "UPDATE posts SET post_url = COALESCE(post_url, ?2), handle = COALESCE(handle, ?3),
                 author_name = COALESCE(author_name, ?4), posted_at = COALESCE(posted_at, ?5),
                 date = COALESCE(date, ?6)
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            c.post_url,
            handle,
            c.author_name,
            posted_at,
            date
        ])?;
        return Ok((id, false));
    }
    tx.prepare_cached("INSERT INTO posts (post_key, platform, post_id, post_url, handle, author_name, posted_at, date, first_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?
        .execute(params![key, c.platform.as_str(), c.post_id, c.post_url, handle, c.author_name, posted_at, date, now],
    )?;
    Ok((tx.last_insert_rowid(), true))
}

/// Keep what the article showed of the post, once per distinct content.
fn insert_snapshot(
    tx: &Connection,
    now: &str,
    post: i64,
    capture: i64,
    c: &Citation,
) -> Result<Option<i64>> {
    if c.text.is_none()
        && c.author_name.is_none()
        && c.handle.is_none()
        && c.display_date.is_none()
        && c.cid.is_none()
    {
        return Ok(None);
    }
    let media = serde_json::to_string(&c.media)?;
    let labels = serde_json::to_string(&c.labels)?;
    let hash = snapshot_hash(
        &c.text,
        &c.author_name,
        &c.handle,
        &c.display_date,
        &media,
        &labels,
    )?;
    tx.prepare_cached("INSERT OR IGNORE INTO snapshots (post_id, source, capture_id, taken_at, text, author_name, handle,
             display_date, posted_at, lang, media, labels, content_hash, cid)
         VALUES (?1, 'article', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")?
        .execute(params![
            post,
            capture,
            now,
            c.text,
            c.author_name,
            c.handle,
            c.display_date,
            ms_to_rfc3339(c.posted_at_ms),
            c.lang,
            media,
            labels,
            hash,
            c.cid
        ],
    )?;
    let id = tx.prepare_cached("SELECT id FROM snapshots WHERE post_id = ?1 AND source = 'article' AND content_hash = ?2")?
        .query_row(params![post, hash],
        |r| r.get(0),
    )?;
    // The content id is not part of the content's identity (a post's
    // record does not change while its shown content stays the same), but a
    // snapshot first seen without it learns it.
    if c.cid.is_some() {
        tx.prepare_cached("UPDATE snapshots SET cid = ?2 WHERE id = ?1 AND cid IS NULL")?
            .execute(params![id, c.cid])?;
    }
    Ok(Some(id))
}

/// The identity of a snapshot's content, as `UNIQUE (post_id, source,
/// content_hash)` compares it; `media` and `labels` are the stored JSON.
fn snapshot_hash(
    text: &Option<String>,
    author_name: &Option<String>,
    handle: &Option<String>,
    display_date: &Option<String>,
    media: &str,
    labels: &str,
) -> Result<String> {
    let content = serde_json::to_string(&(text, author_name, handle, display_date, media, labels))?;
    Ok(hex_sha256(content.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn switching_to_wal_waits_for_a_lock_that_answers_busy_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("embarc.db");
        let holder = Connection::open(&path).unwrap();
        holder
            .execute_batch("BEGIN EXCLUSIVE; CREATE TABLE t (x);")
            .unwrap();
        let (locked, wait) = mpsc::channel();
        let release = std::thread::spawn(move || {
            locked.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(300));
            holder.execute_batch("COMMIT").unwrap();
        });
        wait.recv().unwrap();
        // No busy handler: every attempt while the lock is held answers
        // "database is locked" at once, as the switch sometimes does.
        let conn = Connection::open(&path).unwrap();
        conn.busy_timeout(Duration::ZERO).unwrap();
        assert!(conn.pragma_update(None, "journal_mode", "WAL").is_err());
        enter_wal(&conn).unwrap();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        release.join().unwrap();
    }

    #[test]
    fn readers_do_not_wait_for_a_long_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("embarc.db")).unwrap();
        store.record_failure("a", "not_found", "first").unwrap();
        // A write in progress: the writer is held and its transaction open.
        let mut writer = store.write();
        let tx = writer.transaction().unwrap();
        tx.execute(
            "INSERT INTO failures (input, class, message, at) VALUES ('b', 'x', 'y', 'z')",
            [],
        )
        .unwrap();
        let reader = store.clone();
        let (done, heard) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(reader.status().map(|s| s.tables["failures"]));
        });
        // The reader answers while the write is still open, and sees only
        // what was committed.
        let seen = heard
            .recv_timeout(Duration::from_secs(10))
            .unwrap()
            .unwrap();
        assert_eq!(seen, 1);
        tx.commit().unwrap();
        drop(writer);
        assert_eq!(store.status().unwrap().tables["failures"], 2);
    }

    #[test]
    fn clones_share_one_writer() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("embarc.db")).unwrap();
        std::thread::scope(|s| {
            for t in 0..4 {
                let store = store.clone();
                s.spawn(move || {
                    for i in 0..25 {
                        store.record_failure(&format!("{t}/{i}"), "x", "y").unwrap();
                    }
                });
            }
        });
        assert_eq!(store.status().unwrap().tables["failures"], 100);
    }

    #[test]
    fn a_file_that_is_not_an_archive_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("embarc.db");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let Err(e) = Store::open(&path) else {
            panic!("a text file opened as an archive")
        };
        assert!(matches!(e, Error::Open { .. }), "{e:?}");
        assert!(e.to_string().contains("embarc.db"), "{e}");
    }
}
