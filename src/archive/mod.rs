//! `embarc archive`: local inputs here (files, directories, lists on
//! stdin), web inputs in [`web`].
//!
//! Local inputs are expanded into files, read and detected on worker
//! threads (one per core), and handed through a bounded channel to the
//! caller's thread, which records them through the store in batches (each
//! whole) inside transactions of up to [`COMMIT_BATCHES`] batches. A
//! failed input is reported and stored as a failure; it
//! never stops the run.

pub mod web;

use crate::detect::labels::Rules;
use crate::detect::{self, DocKind, Hints};
use crate::fetch::FetchError;
use crate::store::{ArticleOutcome, CaptureInput, RunRecord, Store};
use crate::words;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why a run stopped (an input that fails is a [`Failure`], not an error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    #[error("cannot write the WARC file: {0}")]
    Warc(#[source] std::io::Error),
    /// The HTTP client could not be built from the settings.
    #[error("{0}")]
    Client(#[source] FetchError),
    /// A task of the pipeline stopped unexpectedly (a bug).
    #[error("{0}")]
    Internal(String),
}

/// Default largest article read, in bytes (20 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// Extensions taken from directories (explicit file arguments are always read).
pub const ARTICLE_EXTENSIONS: &[&str] = &[
    "html", "htm", "xhtml", "shtml", "txt", "text", "md", "markdown",
];

#[derive(Debug, Clone)]
pub struct Options {
    pub max_bytes: u64,
    /// Worker threads for reading and detection.
    pub jobs: usize,
    /// The label phrases that make a post a claim (from `embarc.toml`).
    pub labels: Rules,
    /// Set (by Ctrl-C) when the run should stop: the files being read are
    /// recorded, no new one is started.
    pub stop: Option<Arc<AtomicBool>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_bytes: DEFAULT_MAX_BYTES,
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            labels: Rules::default(),
            stop: None,
        }
    }
}

/// One input that could not be archived.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    pub input: String,
    /// `not_found`, `permission_denied`, `not_a_file`, `io_error`, `empty`,
    /// `too_large`, `binary`, `database`.
    pub class: &'static str,
    pub message: String,
}

/// One input skipped as not an article: not archived, and not an error.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Skip {
    pub input: String,
    /// `not_an_article`.
    pub reason: &'static str,
    pub message: String,
}

/// What a run did, for people (stderr) and machines (`--json`).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    pub inputs: usize,
    pub articles: usize,
    pub unchanged: usize,
    pub posts_found: usize,
    pub new_posts: usize,
    pub new_citations: usize,
    pub new_claims: usize,
    /// Local articles read and parsed this run; those archived before (same
    /// size and modification time, or same bytes) are not.
    pub parsed: usize,
    pub failures: Vec<Failure>,
    /// Web inputs fetched (answered, whatever the status).
    pub fetched: usize,
    /// Inputs skipped, per reason: `already_captured`, `not_an_article`.
    pub skipped: BTreeMap<String, usize>,
    /// The inputs skipped as not articles, each with why (those already
    /// captured are only counted: a resumed run would list thousands).
    pub skipped_inputs: Vec<Skip>,
    /// Failures counted per class.
    pub failure_classes: BTreeMap<String, usize>,
    /// Files in directories left alone for their extension (not inputs:
    /// named with `--verbose`).
    pub other_extensions: usize,
    /// Inputs not reached because the run was interrupted (Ctrl-C).
    pub not_reached: usize,
    /// The WARC files this run wrote (relative to the archive directory),
    /// all closed once the run returns: to be timestamped.
    #[serde(skip)]
    pub warc_files: Vec<String>,
}

impl Summary {
    /// What the run did, as `runs` keeps it.
    pub fn run_record(&self, started_at: String) -> RunRecord {
        RunRecord {
            started_at,
            inputs: self.inputs,
            parsed: self.parsed,
            new_captures: self.articles - self.unchanged,
            unchanged: self.unchanged,
            failed: self.failures.len(),
        }
    }

    pub fn add(&mut self, o: &ArticleOutcome) {
        self.articles += 1;
        self.unchanged += usize::from(!o.new_capture);
        self.posts_found += o.citations;
        self.new_posts += o.new_posts;
        self.new_citations += o.new_citations;
        self.new_claims += o.new_claims;
    }

    /// Inputs skipped, whatever the reason.
    pub fn skipped_count(&self) -> usize {
        self.skipped.values().sum()
    }

    /// Fill `failure_classes` from `failures`.
    pub fn count_failure_classes(&mut self) {
        self.failure_classes.clear();
        for f in &self.failures {
            *self.failure_classes.entry(f.class.to_string()).or_default() += 1;
        }
    }
}

/// The command-line inputs expanded into files.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The files to read, found as they are needed (see [`Files`]).
    pub files: Files,
    /// How many files [`Expanded::files`] yields (counted by a first walk
    /// that keeps no paths).
    pub count: usize,
    /// Inputs that cannot be expanded.
    pub failures: Vec<Failure>,
    /// Files found in directories but left alone for their extension.
    pub other_extensions: Vec<PathBuf>,
    /// Directories named as inputs in which no article file was found.
    pub empty_dirs: Vec<PathBuf>,
}

/// Expand the command-line inputs into files (and failures for those that
/// cannot be expanded). `-` reads a list of inputs from `stdin`.
pub fn expand_inputs(args: &[String], stdin: &mut dyn BufRead) -> Expanded {
    let mut found = Expanded::default();
    let mut queue: Vec<String> = Vec::new();
    for arg in args {
        if arg == "-" {
            for entry in crate::fetch::sources::read_list(&mut *stdin) {
                match entry {
                    Ok(l) => queue.push(l),
                    Err(e) => found.failures.push(Failure {
                        input: "-".into(),
                        class: "io_error",
                        message: format!("cannot read the input list from stdin: {e}"),
                    }),
                }
            }
        } else {
            queue.push(arg.clone());
        }
    }
    let mut inputs = Vec::new();
    for input in queue {
        let path = PathBuf::from(&input);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => {
                let before = found.count;
                for entry in Walk::new(vec![path.clone()]) {
                    match entry {
                        Entry::Article(_) => found.count += 1,
                        Entry::Other(p) => found.other_extensions.push(p),
                        Entry::Unreadable(dir, e) => {
                            found
                                .failures
                                .push(io_failure(&dir.display().to_string(), &e));
                        }
                    }
                }
                if found.count == before {
                    found.empty_dirs.push(path.clone());
                }
                inputs.push(path);
            }
            Ok(_) => {
                found.count += 1;
                inputs.push(path);
            }
            Err(e) => found
                .failures
                .push(match crate::fetch::sources::other_scheme(&input) {
                    Some(scheme) => Failure {
                        message: crate::fetch::sources::unsupported_scheme(&scheme),
                        input,
                        class: "invalid_url",
                    },
                    None => io_failure(&input, &e),
                }),
        }
    }
    found.files = Files(Walk::new(inputs));
    found
}

/// The article files of the inputs, in order: a file named as an input as
/// it is, a directory walked (each directory's entries sorted, symbolic
/// links to directories not followed, since they can loop; links to files
/// followed) one directory at a time as the files are needed. A run over a
/// million files holds the listings of the directories being walked, never
/// every path.
#[derive(Debug, Default)]
pub struct Files(Walk);

impl Iterator for Files {
    type Item = PathBuf;

    fn next(&mut self) -> Option<PathBuf> {
        // Unreadable directories and other files were reported when the
        // inputs were expanded.
        self.0.find_map(|e| match e {
            Entry::Article(path) => Some(path),
            _ => None,
        })
    }
}

/// What a walk over the inputs meets.
enum Entry {
    Article(PathBuf),
    /// A file in a directory whose extension is not an article's.
    Other(PathBuf),
    Unreadable(PathBuf, std::io::Error),
}

#[derive(Debug, Default)]
struct Walk {
    /// The inputs not reached yet (files and directories).
    inputs: std::vec::IntoIter<PathBuf>,
    /// The sorted listings of the directories being walked, innermost last,
    /// each entry with its type as the directory listing gave it (no
    /// `stat` per file).
    open: Vec<std::vec::IntoIter<(PathBuf, Option<std::fs::FileType>)>>,
}

impl Walk {
    fn new(inputs: Vec<PathBuf>) -> Walk {
        Walk {
            inputs: inputs.into_iter(),
            open: Vec::new(),
        }
    }

    /// Open `dir`'s sorted listing; the failure to read it otherwise.
    fn enter(&mut self, dir: PathBuf) -> Option<Entry> {
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                let mut paths: Vec<(PathBuf, Option<std::fs::FileType>)> = entries
                    .filter_map(|e| e.ok().map(|e| (e.path(), e.file_type().ok())))
                    .collect();
                paths.sort_by(|a, b| a.0.cmp(&b.0));
                self.open.push(paths.into_iter());
                None
            }
            Err(e) => Some(Entry::Unreadable(dir, e)),
        }
    }
}

impl Iterator for Walk {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            let Some(listing) = self.open.last_mut() else {
                let input = self.inputs.next()?;
                if input.is_dir() {
                    if let Some(failed) = self.enter(input) {
                        return Some(failed);
                    }
                    continue;
                }
                return Some(Entry::Article(input));
            };
            let Some((path, kind)) = listing.next() else {
                self.open.pop();
                continue;
            };
            // A link to a directory is not followed; a link to a file is
            // (its target's type decides).
            let is_dir = match kind {
                Some(t) if t.is_symlink() => {
                    if path.is_dir() {
                        continue;
                    }
                    false
                }
                Some(t) => t.is_dir(),
                None => path.is_dir(),
            };
            if is_dir {
                if let Some(failed) = self.enter(path) {
                    return Some(failed);
                }
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ARTICLE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                return Some(Entry::Article(path));
            } else {
                return Some(Entry::Other(path));
            }
        }
    }
}

/// A failure to read `input`, in one message with one hint (the class is
/// printed after it in parentheses, so the message holds none).
fn io_failure(input: &str, e: &std::io::Error) -> Failure {
    let (class, hint) = match e.kind() {
        std::io::ErrorKind::NotFound => ("not_found", "check the path"),
        std::io::ErrorKind::PermissionDenied => {
            ("permission_denied", "check the file's permissions")
        }
        _ => ("io_error", "the file could not be read"),
    };
    Failure {
        input: input.to_string(),
        class,
        message: format!("{}; {hint}", io_text(e)),
    }
}

pub use crate::words::io_text;

/// A file read and detected, ready to be recorded.
type Prepared = (CaptureInput, Vec<detect::Citation>);

/// What became of one file.
enum Found {
    /// Read and parsed: record it.
    Parsed(Prepared),
    /// Its bytes are a capture archived before (only its modification time
    /// changed): not parsed; the capture's `last_seen_at` and time are
    /// brought up to date.
    Seen {
        url: String,
        sha256: String,
        mtime_ns: Option<i64>,
    },
    /// The same size and modification time as a capture: not even read.
    Unchanged(String),
}

/// A file's modification time in nanoseconds since the epoch.
fn mtime_ns(meta: &std::fs::Metadata) -> Option<i64> {
    let t = meta.modified().ok()?;
    let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(d.as_nanos()).ok()
}

/// Read one file and detect its citations, unless `known` (a reader of the
/// archive) shows it was archived before: same size and modification time
/// (not read), or same bytes (read and hashed, not parsed).
/// Read, hash and detect one file. `buf` is the worker's buffer, kept
/// between files (a fresh one per file cost a page fault per 4 KiB read).
fn read_file(
    path: &Path,
    max_bytes: u64,
    known: Option<&Store>,
    buf: &mut Vec<u8>,
) -> Result<Found, Failure> {
    let input = path.display().to_string();
    let fail = |class, message: String| Failure {
        input: input.clone(),
        class,
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| io_failure(&input, &e))?;
    if !meta.is_file() {
        return Err(fail("not_a_file", "not a regular file".into()));
    }
    if meta.len() > max_bytes {
        return Err(fail(
            "too_large",
            format!(
                "the file is {} ({}), over the limit of {} (raise it with --max-size)",
                words::mib(meta.len()),
                words::count(meta.len(), "byte"),
                words::mib(max_bytes)
            ),
        ));
    }
    let article_url = file_url(path);
    let mtime = mtime_ns(&meta);
    let lookup = |what: crate::store::Result<bool>| {
        what.map_err(|e| {
            fail(
                "database",
                format!("cannot look the file up in the archive: {e:#}"),
            )
        })
    };
    if let (Some(store), Some(t)) = (known, mtime)
        && lookup(store.file_unchanged(&article_url, meta.len(), t))?
    {
        return Ok(Found::Unchanged(article_url));
    }
    buf.clear();
    // An outlier page is not kept for the rest of the run.
    buf.shrink_to(KEEP_BUFFER.max(meta.len() as usize));
    buf.reserve(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(max_bytes + 1).read_to_end(buf))
        .map_err(|e| io_failure(&input, &e))?;
    let bytes = &buf[..];
    if bytes.len() as u64 > max_bytes {
        return Err(fail(
            "too_large",
            format!(
                "over the limit of {} (the file grew while read)",
                words::mib(max_bytes)
            ),
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(fail(
            "empty",
            "the file is empty: nothing to archive".into(),
        ));
    }
    if looks_binary(bytes) {
        return Err(fail(
            "binary",
            "binary data, not an HTML or text article".into(),
        ));
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    if let Some(store) = known
        && lookup(store.has_capture(&article_url, &sha256))?
    {
        return Ok(Found::Seen {
            url: article_url,
            sha256,
            mtime_ns: mtime,
        });
    }
    let kind = doc_kind(path).unwrap_or_else(|| detect::sniff_kind(bytes));
    let detection = detect::detect(
        bytes,
        &Hints {
            kind: Some(kind),
            charset: None,
        },
    );
    let capture = CaptureInput {
        article_url,
        site: "file".into(),
        source: "file",
        http_status: None,
        final_url: None,
        content_type: match kind {
            DocKind::Html => "text/html",
            DocKind::Text => "text/plain",
        },
        encoding: detection.encoding,
        repaired: detection.repaired,
        sha256,
        size: bytes.len() as u64,
        headers: None,
        warc: None,
        file_mtime_ns: mtime,
    };
    Ok(Found::Parsed((capture, detection.citations)))
}

/// The `file://` URL an article read from `path` is archived under: the
/// canonical absolute path (symbolic links and `..` resolved).
pub fn file_url(path: &Path) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    url::Url::from_file_path(&absolute)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("file://{}", absolute.display()))
}

/// Document kind from the file extension, if it says.
fn doc_kind(path: &Path) -> Option<DocKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" | "xhtml" | "shtml" => Some(DocKind::Html),
        "txt" | "text" | "md" | "markdown" => Some(DocKind::Text),
        _ => None,
    }
}

/// NUL bytes in the first 8 KiB of a document without a UTF-16 byte-order
/// mark mean binary data (images, archives, executables).
fn looks_binary(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    bytes[..bytes.len().min(8192)].contains(&0)
}

/// Archive local inputs into `store`. `on_done` is called after each input
/// (for progress). Failures are collected in the summary, not returned. A
/// file archived before is not parsed again (`Summary::parsed` counts those
/// that were).
pub fn run(
    store: &Store,
    files: impl Iterator<Item = PathBuf> + Send,
    total: usize,
    mut failures: Vec<Failure>,
    opts: &Options,
    on_done: &(dyn Fn(&str) + Sync),
) -> crate::store::Result<Summary> {
    let mut summary = Summary {
        inputs: total + failures.len(),
        ..Summary::default()
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    let stopped = || opts.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst));
    // One read-only connection per worker, opened before any of them runs.
    let mut readers = Vec::new();
    for _ in 0..opts.jobs.max(1) {
        readers.push(store.reader()?);
    }
    let work = Mutex::new(files);
    let (tx, rx) = sync_channel::<Result<Found, Failure>>(256);
    let result = std::thread::scope(|scope| {
        for reader in readers {
            let tx = tx.clone();
            let (work, done, stopped) = (&work, &done, &stopped);
            scope.spawn(move || {
                let mut buf = Vec::new();
                loop {
                    if stopped() {
                        break;
                    }
                    let next = work.lock().map(|mut w| w.next()).unwrap_or(None);
                    let Some(path) = next else { break };
                    let read = read_file(&path, opts.max_bytes, reader.as_ref(), &mut buf).map(
                        |r| match r {
                            Found::Parsed((capture, citations)) => {
                                Found::Parsed((capture, opts.labels.apply(citations)))
                            }
                            other => other,
                        },
                    );
                    done.fetch_add(1, Ordering::SeqCst);
                    if tx.send(read).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        write_all(store, rx, &mut summary, &mut failures, on_done)
    });
    for f in &failures {
        // A failure the database cannot take is still in the summary.
        let _ = store.record_failure(&f.input, f.class, &f.message);
    }
    summary.failures = failures;
    summary.not_reached = total.saturating_sub(done.into_inner());
    result.map(|()| summary)
}

/// Bytes of read buffer a worker keeps between files.
const KEEP_BUFFER: usize = 8 << 20;

/// Most articles recorded in one write.
const BATCH: usize = 2000;
/// A writer that has caught up with the workers records what it holds once
/// it has this many articles, so writing overlaps reading and detection
/// (a run's last batch is then short instead of the whole run).
const CAUGHT_UP: usize = 64;
/// Longest a batch waits for more articles before it is recorded.
const BATCH_WAIT: Duration = Duration::from_millis(500);
/// Most articles that share one transaction, and longest it stays open:
/// every commit writes each index page the batches touched (random keys,
/// such as posts', touch most of them) to the WAL again, so longer
/// transactions write less. A run starts with a transaction per batch (its
/// first articles are visible at once) and doubles the articles per
/// transaction up to these limits. A killed run loses at most one open
/// transaction (its articles are recorded whole or not at all, and a re-run
/// records them).
const COMMIT_ARTICLES: usize = 16 * BATCH;
const COMMIT_EVERY: Duration = Duration::from_secs(10);

/// The single writer: drain the channel in batches of articles, each
/// batch whole (a savepoint), in transactions of up to [`COMMIT_BATCHES`]
/// batches or [`COMMIT_EVERY`].
fn write_all(
    store: &Store,
    // Owned, so that an early return drops it and unblocks the workers.
    rx: Receiver<Result<Found, Failure>>,
    summary: &mut Summary,
    failures: &mut Vec<Failure>,
    on_done: &(dyn Fn(&str) + Sync),
) -> crate::store::Result<()> {
    let written = write_batches(store, rx, summary, failures, on_done);
    // What was recorded is kept, even when a later batch failed.
    let committed = store.commit_batch();
    written.and(committed)
}

fn write_batches(
    store: &Store,
    rx: Receiver<Result<Found, Failure>>,
    summary: &mut Summary,
    failures: &mut Vec<Failure>,
    on_done: &(dyn Fn(&str) + Sync),
) -> crate::store::Result<()> {
    let mut batch: Vec<Prepared> = Vec::new();
    let mut seen: Vec<(String, String, Option<i64>)> = Vec::new();
    // When the open transaction began, and the articles it holds.
    let mut open: Option<Instant> = None;
    let mut in_open = 0;
    // Articles per transaction: doubled at each commit, up to the limit.
    let mut per_commit = 1;
    loop {
        let first = match open {
            None => match rx.recv() {
                Ok(item) => item,
                Err(_) => break,
            },
            // Nothing comes for a while: commit rather than hold the lock.
            Some(since) => match rx.recv_timeout(COMMIT_EVERY.saturating_sub(since.elapsed())) {
                Ok(item) => item,
                Err(RecvTimeoutError::Timeout) => {
                    store.commit_batch()?;
                    open = None;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            },
        };
        let deadline = Instant::now() + BATCH_WAIT;
        let mut next = Some(first);
        while let Some(item) = next.take() {
            match item {
                Ok(Found::Parsed(p)) => {
                    on_done(&p.0.article_url);
                    summary.parsed += 1;
                    batch.push(p);
                }
                Ok(Found::Seen {
                    url,
                    sha256,
                    mtime_ns,
                }) => {
                    on_done(&url);
                    summary.add(&ArticleOutcome::default());
                    seen.push((url, sha256, mtime_ns));
                }
                Ok(Found::Unchanged(url)) => {
                    on_done(&url);
                    summary.add(&ArticleOutcome::default());
                }
                Err(f) => {
                    on_done(&f.input);
                    failures.push(f);
                }
            }
            let held = batch.len() + seen.len();
            if held < BATCH {
                next = match rx.try_recv() {
                    Ok(item) => Some(item),
                    // Caught up: record what there is, unless it is little.
                    Err(TryRecvError::Empty) if held >= CAUGHT_UP => None,
                    Err(TryRecvError::Empty) => {
                        let left = deadline.saturating_duration_since(Instant::now());
                        rx.recv_timeout(left).ok()
                    }
                    Err(TryRecvError::Disconnected) => None,
                };
            }
        }
        if batch.is_empty() && seen.is_empty() {
            continue;
        }
        if open.is_none() {
            store.begin_batch()?;
            open = Some(Instant::now());
            in_open = 0;
        }
        in_open += batch.len() + seen.len();
        if !batch.is_empty() {
            for o in store.record_articles(&batch)? {
                summary.add(&o);
            }
            batch.clear();
        }
        if !seen.is_empty() {
            store.record_seen(&seen)?;
            seen.clear();
        }
        if in_open >= per_commit || open.is_some_and(|since| since.elapsed() >= COMMIT_EVERY) {
            store.commit_batch()?;
            open = None;
            per_commit = (in_open * 2).min(COMMIT_ARTICLES);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_expand_to_sorted_files_counted_before_they_are_walked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("in");
        for f in [
            "b.html",
            "a.txt",
            "sub/z.htm",
            "sub/deeper/m.md",
            "notes.pdf",
            "c.HTML",
        ] {
            let path = root.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
        }
        std::fs::create_dir_all(root.join("empty")).unwrap();
        let single = dir.path().join("single.bin");
        std::fs::write(&single, "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
        let args = [
            root.display().to_string(),
            single.display().to_string(),
            dir.path().join("missing.html").display().to_string(),
            root.join("empty").display().to_string(),
        ];
        let expanded = expand_inputs(&args, &mut &b""[..]);
        let names = |paths: &[PathBuf]| -> Vec<String> {
            paths
                .iter()
                .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
                .collect()
        };
        assert_eq!(expanded.count, 6);
        assert_eq!(names(&expanded.other_extensions), ["in/notes.pdf"]);
        assert_eq!(names(&expanded.empty_dirs), ["in/empty"]);
        assert_eq!(expanded.failures.len(), 1);
        assert_eq!(expanded.failures[0].class, "not_found");
        // A file named as an input is read whatever its extension; the
        // symbolic link back up is not followed.
        let files: Vec<PathBuf> = expanded.files.collect();
        assert_eq!(
            names(&files),
            [
                "in/a.txt",
                "in/b.html",
                "in/c.HTML",
                "in/sub/deeper/m.md",
                "in/sub/z.htm",
                "single.bin"
            ]
        );
    }
}
