//! Archiving from the web: the fetch pipeline, beside the local one in
//! [`super`]. [`run`] is an `async fn` for the caller's tokio runtime (the
//! CLI builds one; a server has its own).
//!
//! ```text
//! feeder ──jobs──► dispatcher ──► fetch tasks ──► detection ──outcomes──► writer
//! (blocking        (a window      (robots.txt,    (blocking    (blocking task: WARC
//!  task: lists,     of tasks)      client.get)     tasks, at    file + one SQLite
//!  sitemaps, feeds;                                most `jobs`) transaction a batch)
//!  skips URLs captured before)
//! ```
//!
//! Every channel is bounded, so memory stays flat however long the input
//! list. Each article is written to the WARC file, then recorded in one
//! transaction with its capture; a killed run leaves whole articles or none,
//! and a re-run skips what was captured and fetches the rest.

use super::{Error, Failure, Skip, Summary};
use crate::capture::warc::{self, WarcWriter};
use crate::detect::{self, DocKind, Hints};
use crate::fetch::network::Origin;
use crate::fetch::robots::RobotsCache;
use crate::fetch::sources;
use crate::fetch::{
    Client, ClientConfig, ErrorClass, Exchange, FetchError, RequestOpts, Response, Validators,
};
use crate::store::{
    ArticleOutcome, CaptureInput, FetchedExtra, KnownAnswer, NotModified, Store, StoredFailure,
};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinSet;
use url::Url;

type Result<T, E = Error> = std::result::Result<T, E>;

/// Most outcomes recorded in one transaction.
const BATCH: usize = 64;
/// Deepest nesting of sitemap indexes followed.
const MAX_SITEMAP_DEPTH: usize = 3;

/// One web input of the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// An article URL.
    Url(String),
    /// A file (or `-` for stdin) listing article URLs, one a line.
    List(String),
    /// A sitemap or sitemap index, by URL or file.
    Sitemap(String),
    /// An RSS or Atom feed, by URL or file.
    Feed(String),
}

/// How to fetch.
#[derive(Debug, Clone)]
pub struct Options {
    pub client: ClientConfig,
    pub request: RequestOpts,
    pub ignore_robots: bool,
    /// Fetch even articles captured before.
    pub refetch: bool,
    /// Fetch again articles whose last capture is older than this.
    pub max_age: Option<Duration>,
    /// Most article URLs taken from one sitemap (with its children) or feed.
    pub max_source_urls: usize,
    /// "Now" for `max_age`: the archive's clock (`EMBARC_NOW` in tests).
    pub now: chrono::DateTime<chrono::Utc>,
    /// Threads for detection.
    pub jobs: usize,
    /// The archive's label rules, applied to what detection found.
    pub labels: crate::detect::labels::Rules,
    /// Set (by Ctrl-C) when the run should stop: requests in flight finish
    /// and are recorded, no new one starts.
    pub stop: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl Options {
    fn stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst))
    }
}

/// Where the run is, for progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Inputs finished (archived, failed or skipped).
    pub done: usize,
    /// Inputs known so far (lists and sitemaps are read as the run goes).
    pub seen: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// One article URL to fetch.
struct Job {
    /// The input as the run names it.
    input: String,
    url: Url,
    /// Where the URL came from (the operator, or a sitemap or feed).
    origin: Origin,
    /// Its latest capture, when it was captured before: fetched again
    /// with that answer's validators (a conditional request).
    known: Option<KnownAnswer>,
}

/// What became of one input.
enum Outcome {
    Captured {
        capture: Box<CaptureInput>,
        citations: Vec<detect::Citation>,
        extra: FetchedExtra,
        records: Records,
    },
    Failed {
        failure: Failure,
        http_status: Option<u16>,
        records: Records,
    },
    Skipped {
        reason: &'static str,
        /// A skip that is also kept in the `failures` table (not an article).
        stored: Option<(Failure, Option<u16>)>,
        records: Records,
    },
    /// Fetched again and answered `304 Not Modified`: the last capture is
    /// still current (no new capture, no download).
    NotModified(NotModified),
    /// Interrupted (Ctrl-C) before its answer came: not recorded.
    NotReached,
    /// Answers that are not an input's own (robots.txt, a sitemap, a
    /// feed): written to the WARC file, not counted.
    Kept(Records),
}

/// WARC records (gzip members) to append, and which one the database
/// points at (the final response).
#[derive(Default)]
struct Records {
    members: Vec<Vec<u8>>,
    main: Option<usize>,
}

impl Records {
    /// The records of one request: the answers asked again and the
    /// redirects, then the last answer (the one the database points at).
    fn of(
        retried: &[Exchange],
        hops: &[Exchange],
        last: Option<&Exchange>,
    ) -> (Records, Option<String>) {
        let mut r = Records::default();
        let mut digest = None;
        for ex in retried.iter().chain(hops) {
            r.members.extend(warc::encode_exchange(ex).members);
        }
        if let Some(ex) = last {
            let enc = warc::encode_exchange(ex);
            r.main = Some(r.members.len());
            digest = Some(enc.payload_digest);
            r.members.extend(enc.members);
        }
        (r, digest)
    }
}

/// Shared by every fetch task.
struct Ctx {
    client: Client,
    robots: RobotsCache,
    opts: Options,
    /// At most `opts.jobs` pages in detection at once.
    detecting: Semaphore,
}

/// A progress callback, called by the writer after each batch.
pub type OnProgress = Arc<dyn Fn(Progress) + Send + Sync>;

/// Fetch, detect and record every web input; counts go into `summary`.
/// Runs on the caller's tokio runtime; reading input lists, detection and
/// writing happen on its blocking threads.
pub async fn run(
    store: &Store,
    archive_dir: &Path,
    inputs: Vec<Input>,
    opts: &Options,
    summary: &mut Summary,
    progress: OnProgress,
) -> Result<()> {
    let client = Client::new(&opts.client).map_err(Error::Client)?;
    let ctx = Arc::new(Ctx {
        client,
        robots: RobotsCache::new(),
        opts: opts.clone(),
        detecting: Semaphore::new(opts.jobs.max(1)),
    });
    let seen = Arc::new(AtomicUsize::new(0));
    let (job_tx, job_rx) = mpsc::channel::<Job>(256);
    let (out_tx, out_rx) = mpsc::channel::<Outcome>(128);
    let window = opts.client.limits.concurrency.max(1) * 4 + 64;
    let dispatcher = tokio::spawn(dispatch(job_rx, out_tx.clone(), ctx.clone(), window));
    let feeder = Feeder {
        ctx: ctx.clone(),
        runtime: tokio::runtime::Handle::current(),
        store: store.clone(),
        jobs: job_tx,
        out: out_tx,
        seen: seen.clone(),
        budget: 0,
        taken: std::collections::HashSet::new(),
    };
    let feeding = tokio::task::spawn_blocking(move || feeder.feed(inputs));
    let before = summary.inputs;
    let writer = Writer {
        store: store.clone(),
        warc: WarcWriter::new(archive_dir),
        summary: std::mem::take(summary),
        seen: seen.clone(),
        progress,
    };
    let (written, result) =
        match tokio::task::spawn_blocking(move || writer.write_all(out_rx)).await {
            Ok((writer, result)) => {
                let mut written = writer.summary;
                written.warc_files.extend_from_slice(writer.warc.files());
                (Some(written), result)
            }
            Err(e) => (
                None,
                Err(Error::Internal(format!("the writer stopped: {e}"))),
            ),
        };
    if let Some(written) = written {
        *summary = written;
    }
    if opts.stopped() {
        // Known but never fetched: counted, so the summary adds up.
        let reached = summary.inputs - before;
        let unreached = seen.load(Ordering::SeqCst).saturating_sub(reached);
        summary.inputs += unreached;
        summary.not_reached += unreached;
    }
    // The writer is done (or failed and closed its channel): stop what is
    // still fetching, and wait for the feeder to notice.
    dispatcher.abort();
    let _ = feeding.await;
    result
}

/// Turns inputs into fetch jobs, reading lists, sitemaps and feeds, and
/// skipping articles captured before. Runs on a blocking thread.
struct Feeder {
    ctx: Arc<Ctx>,
    /// To fetch sitemaps and feeds on the async side.
    runtime: tokio::runtime::Handle,
    /// For reads: was this URL captured?
    store: Store,
    jobs: mpsc::Sender<Job>,
    out: mpsc::Sender<Outcome>,
    seen: Arc<AtomicUsize>,
    /// URLs the current sitemap or feed may still add.
    budget: usize,
    /// Every URL taken this run: one listed twice (in a sitemap and a
    /// feed, say) is one input, fetched once.
    taken: std::collections::HashSet<String>,
}

impl Feeder {
    fn feed(mut self, inputs: Vec<Input>) {
        for input in inputs {
            if !self.input(input) {
                break;
            }
        }
    }

    /// Handle one input; false when the run is over (the writer stopped).
    fn input(&mut self, input: Input) -> bool {
        match input {
            Input::Url(u) => self.url(&u, Origin::Operator),
            Input::List(spec) => self.list(&spec),
            Input::Sitemap(spec) => {
                self.budget = self.ctx.opts.max_source_urls;
                self.sitemap(&spec, 0, Origin::Operator)
            }
            Input::Feed(spec) => {
                self.budget = self.ctx.opts.max_source_urls;
                self.feed_doc(&spec)
            }
        }
    }

    fn fail(&self, input: &str, class: &'static str, message: String) -> bool {
        self.seen.fetch_add(1, Ordering::Relaxed);
        self.out
            .blocking_send(Outcome::Failed {
                failure: Failure {
                    input: input.to_string(),
                    class,
                    message,
                },
                http_status: None,
                records: Records::default(),
            })
            .is_ok()
    }

    /// Queue one article URL of this origin.
    fn url(&mut self, raw: &str, origin: Origin) -> bool {
        if self.ctx.opts.stopped() {
            return false;
        }
        let url = match Url::parse(raw.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
            Ok(u) if !matches!(u.scheme(), "http" | "https") => {
                return self.fail(
                    raw,
                    ErrorClass::InvalidUrl.as_str(),
                    sources::unsupported_scheme(u.scheme()),
                );
            }
            Ok(_) => {
                return self.fail(
                    raw,
                    ErrorClass::InvalidUrl.as_str(),
                    "not an http(s) URL with a host".into(),
                );
            }
            Err(e) => {
                return self.fail(
                    raw,
                    ErrorClass::InvalidUrl.as_str(),
                    format!("not a valid URL: {e}; check for typos"),
                );
            }
        };
        let key = url.to_string();
        if !self.taken.insert(key.clone()) {
            return true;
        }
        match self.captured_recently(&key) {
            Ok(true) => {
                self.seen.fetch_add(1, Ordering::Relaxed);
                return self
                    .out
                    .blocking_send(Outcome::Skipped {
                        reason: "already_captured",
                        stored: None,
                        records: Records::default(),
                    })
                    .is_ok();
            }
            Ok(false) => {}
            Err(e) => return self.fail(raw, "database", e.to_string()),
        }
        let known = match self.store.known_answer(&key) {
            Ok(k) => k,
            Err(e) => return self.fail(raw, "database", e.to_string()),
        };
        self.seen.fetch_add(1, Ordering::Relaxed);
        self.jobs
            .blocking_send(Job {
                input: key,
                url,
                origin,
                known,
            })
            .is_ok()
    }

    fn captured_recently(&mut self, url: &str) -> crate::store::Result<bool> {
        if self.ctx.opts.refetch {
            return Ok(false);
        }
        let Some(at) = self.store.last_captured_at(url)? else {
            return Ok(false);
        };
        let Some(max_age) = self.ctx.opts.max_age else {
            return Ok(true);
        };
        let Ok(at) = chrono::DateTime::parse_from_rfc3339(&at) else {
            return Ok(false);
        };
        let age = self.ctx.opts.now.signed_duration_since(at);
        Ok(age.to_std().unwrap_or(Duration::ZERO) <= max_age)
    }

    fn list(&mut self, spec: &str) -> bool {
        use std::io::BufRead;
        let reader: Box<dyn BufRead> = if spec == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            match std::fs::File::open(spec) {
                Ok(f) => Box::new(std::io::BufReader::new(f)),
                Err(e) => {
                    return self.fail(
                        spec,
                        "not_found",
                        format!("cannot read the input list: {e} (check the path)"),
                    );
                }
            }
        };
        for entry in sources::read_list(reader) {
            match entry {
                Ok(l) => {
                    if !self.url(&l, Origin::Operator) {
                        return false;
                    }
                }
                Err(e) => {
                    return self.fail(spec, "io_error", format!("cannot read the input list: {e}"));
                }
            }
        }
        true
    }

    /// Load a sitemap or feed of this origin on the async side and wait
    /// for it here: the document, and the origin of the URLs it lists.
    fn load(
        &self,
        spec: &str,
        origin: Origin,
    ) -> Result<(Vec<u8>, Origin), (&'static str, String)> {
        let (tx, rx) = oneshot::channel();
        let ctx = self.ctx.clone();
        let spec_owned = spec.to_string();
        self.runtime.spawn(async move {
            let mut kept = Vec::new();
            let opts = RequestOpts {
                origin,
                ..ctx.opts.request.clone()
            };
            let loaded = sources::load(&ctx.client, &spec_owned, &opts, &mut kept).await;
            let _ = tx.send((loaded, kept));
        });
        match rx.blocking_recv() {
            Ok((loaded, kept)) => {
                if !kept.is_empty() {
                    let (records, _) = Records::of(&kept, &[], None);
                    // A closed writer ends the run; the load's error says why.
                    let _ = self.out.blocking_send(Outcome::Kept(records));
                }
                loaded.map_err(|e| (e.class.as_str(), e.message))
            }
            Err(_) => Err(("internal", "loading stopped unexpectedly".to_string())),
        }
    }

    fn sitemap(&mut self, spec: &str, depth: usize, origin: Origin) -> bool {
        let (doc, listed) = match self.load(spec, origin) {
            Ok(d) => d,
            Err((class, message)) => return self.fail(spec, class, message),
        };
        let map = match sources::parse_sitemap(&doc) {
            Ok(m) => m,
            Err(e) => {
                return self.fail(
                    spec,
                    "not_a_sitemap",
                    format!("{e} (check the --sitemap argument)"),
                );
            }
        };
        for child in &map.sitemaps {
            if self.budget == 0 {
                return self.fail(
                    child,
                    "too_large",
                    format!(
                        "not read: {} URLs were already taken from this sitemap index (raise --max-source-urls)",
                        self.ctx.opts.max_source_urls
                    ),
                );
            }
            if depth + 1 > MAX_SITEMAP_DEPTH {
                if !self.fail(
                    child,
                    "not_a_sitemap",
                    format!("sitemap indexes nested deeper than {MAX_SITEMAP_DEPTH} levels"),
                ) {
                    return false;
                }
                continue;
            }
            if !self.sitemap(child, depth + 1, listed) {
                return false;
            }
        }
        self.source_urls(spec, &map.urls, listed)
    }

    /// Feed the URLs a sitemap or feed lists, within what is left of its
    /// `--max-source-urls`; one failure says how many were left out.
    fn source_urls(&mut self, spec: &str, urls: &[String], origin: Origin) -> bool {
        let take = urls.len().min(self.budget);
        self.budget -= take;
        if !urls[..take].iter().all(|u| self.url(u, origin)) {
            return false;
        }
        if take == urls.len() {
            return true;
        }
        self.fail(
            spec,
            "too_large",
            format!(
                "{} of its {} URLs left out: at most {} are taken from one sitemap or feed (raise --max-source-urls)",
                urls.len() - take,
                urls.len(),
                self.ctx.opts.max_source_urls
            ),
        )
    }

    fn feed_doc(&mut self, spec: &str) -> bool {
        let (doc, listed) = match self.load(spec, Origin::Operator) {
            Ok(d) => d,
            Err((class, message)) => return self.fail(spec, class, message),
        };
        match sources::parse_feed(&doc) {
            Ok(links) => self.source_urls(spec, &links, listed),
            Err(e) => self.fail(
                spec,
                "not_a_feed",
                format!("{e} (check the --feed argument)"),
            ),
        }
    }
}

/// Start a task per job, at most `window` at once.
async fn dispatch(
    mut jobs: mpsc::Receiver<Job>,
    out: mpsc::Sender<Outcome>,
    ctx: Arc<Ctx>,
    window: usize,
) {
    let window = Arc::new(Semaphore::new(window));
    // Owned here, so that aborting the dispatcher stops every fetch.
    let mut tasks = JoinSet::new();
    while let Some(job) = jobs.recv().await {
        if out.is_closed() {
            break;
        }
        if ctx.opts.stopped() {
            // Interrupted: what is queued is not started (nor recorded).
            continue;
        }
        let Ok(permit) = window.clone().acquire_owned().await else {
            break;
        };
        while tasks.try_join_next().is_some() {}
        let out = out.clone();
        let ctx = ctx.clone();
        tasks.spawn(async move {
            let outcome = fetch_one(&ctx, job).await;
            let robots = ctx.robots.take_answers();
            if !robots.is_empty() {
                let (records, _) = Records::of(&robots, &[], None);
                let _ = out.send(Outcome::Kept(records)).await;
            }
            let _ = out.send(outcome).await;
            drop(permit);
        });
    }
    drop(out);
    while tasks.join_next().await.is_some() {}
}

async fn fetch_one(ctx: &Ctx, job: Job) -> Outcome {
    let Job {
        input,
        url,
        origin,
        known,
    } = job;
    let validators = Validators {
        etag: known.as_ref().and_then(|k| k.etag.clone()),
        last_modified: known.as_ref().and_then(|k| k.last_modified.clone()),
    };
    let request = RequestOpts {
        origin,
        ..ctx.opts.request.clone()
    };
    let fetched = async {
        match robots_check(ctx, &url, &request).await {
            Ok(()) => ctx.client.get_if(&url, &request, &validators).await,
            Err(e) => Err(e),
        }
    };
    // Ctrl-C drops what has no answer yet (most are waiting for their
    // host's turn); answers already received are still recorded.
    let result = tokio::select! {
        result = fetched => result,
        () = stop_asked(&ctx.opts) => return Outcome::NotReached,
    };
    // Only an answer to validators we sent means "what you have is current".
    if let (Ok(response), Some(known)) = (&result, known)
        && response.status() == 304
        && !validators.is_empty()
    {
        return Outcome::NotModified(NotModified {
            article_url: input,
            sha256: known.sha256,
            etag: response.header("etag").map(str::to_string),
            last_modified: response.header("last-modified").map(str::to_string),
        });
    }
    let name = input.clone();
    let labels = ctx.opts.labels.clone();
    // Detection takes a core: at most `jobs` at once.
    let _turn = ctx.detecting.acquire().await;
    match tokio::task::spawn_blocking(move || prepare(input, &url, result, &labels)).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Failed {
            failure: Failure {
                input: name,
                class: "internal",
                message: format!("detection failed: {e}"),
            },
            http_status: None,
            records: Records::default(),
        },
    }
}

/// Resolves once the run is asked to stop (never, without a stop flag).
async fn stop_asked(opts: &Options) {
    if opts.stop.is_none() {
        return std::future::pending().await;
    }
    while !opts.stopped() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn robots_check(ctx: &Ctx, url: &Url, request: &RequestOpts) -> Result<(), FetchError> {
    if ctx.opts.ignore_robots {
        return Ok(());
    }
    ctx.robots.check(&ctx.client, url, request).await
}

/// Turn an answer into an outcome: status and content-type checks,
/// detection and the WARC records (runs on a blocking thread).
fn prepare(
    input: String,
    url: &Url,
    result: Result<Response, FetchError>,
    labels: &crate::detect::labels::Rules,
) -> Outcome {
    let response = match result {
        Ok(r) => r,
        Err(e) => {
            let (records, _) = Records::of(&e.retried, &e.hops, e.exchange.as_deref());
            return Outcome::Failed {
                http_status: e.exchange.as_ref().map(|x| x.status),
                failure: Failure {
                    input,
                    class: e.class.as_str(),
                    message: e.message,
                },
                records,
            };
        }
    };
    let (records, digest) =
        Records::of(&response.retried, &response.hops, Some(&response.exchange));
    let status = response.status();
    // The input is named by the caller: name the URL that answered only
    // when redirects led elsewhere.
    let redirected = if response.hops.is_empty() {
        String::new()
    } else {
        format!(
            " (at {}, after {})",
            response.final_url(),
            crate::words::count(response.hops.len(), "redirect")
        )
    };
    if !(200..300).contains(&status) {
        let reason = crate::fetch::reason_phrase(status)
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        let tries = if response.attempts > 1 {
            format!(", after {}", crate::words::count(response.attempts, "try"))
        } else {
            String::new()
        };
        return Outcome::Failed {
            failure: Failure {
                input,
                class: ErrorClass::HttpStatus.as_str(),
                message: format!("HTTP {status}{reason}{redirected}{tries}"),
            },
            http_status: Some(status),
            records,
        };
    }
    let content_type = response.header("content-type").unwrap_or("").to_string();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (kind, stored_type) = match mime.as_str() {
        "text/html" => (Some(DocKind::Html), "text/html"),
        "application/xhtml+xml" => (Some(DocKind::Html), "application/xhtml+xml"),
        "text/plain" => (Some(DocKind::Text), "text/plain"),
        // Markdown is text to detection, as a `.md` file on disk is.
        "text/markdown" => (Some(DocKind::Text), "text/markdown"),
        "text/x-markdown" => (Some(DocKind::Text), "text/x-markdown"),
        "" => (None, ""),
        _ => {
            return Outcome::Skipped {
                reason: ErrorClass::NotAnArticle.as_str(),
                stored: Some((
                    Failure {
                        input,
                        class: ErrorClass::NotAnArticle.as_str(),
                        message: format!(
                            "Content-Type {mime} is not an article (HTML, XHTML, plain text or Markdown){redirected}"
                        ),
                    },
                    Some(status),
                )),
                records,
            };
        }
    };
    let body = &response.body;
    let kind = kind.unwrap_or_else(|| detect::sniff_kind(body));
    let stored_type = match (stored_type, kind) {
        ("", DocKind::Html) => "text/html",
        ("", DocKind::Text) => "text/plain",
        (t, _) => t,
    };
    let declared = charset_param(&content_type);
    let detection = detect::detect(
        body,
        &Hints {
            kind: Some(kind),
            charset: trusted_charset(declared.as_deref(), body),
        },
    );
    let headers = headers_json(&response.exchange);
    let redirects = (!response.hops.is_empty()).then(|| redirects_json(&response.hops));
    let capture = CaptureInput {
        article_url: input,
        site: url.host_str().unwrap_or_default().to_ascii_lowercase(),
        source: "http",
        http_status: Some(status),
        final_url: Some(response.final_url().to_string()),
        content_type: stored_type,
        encoding: detection.encoding,
        repaired: detection.repaired,
        sha256: hex::encode(Sha256::digest(body)),
        size: body.len() as u64,
        headers: Some(headers),
        warc: None,
        file_mtime_ns: None,
    };
    Outcome::Captured {
        capture: Box::new(capture),
        citations: labels.apply(detection.citations),
        extra: FetchedExtra {
            redirects,
            payload_digest: digest,
            etag: response.header("etag").map(str::to_string),
            last_modified: response.header("last-modified").map(str::to_string),
        },
        records,
    }
}

/// The `charset` parameter of a `Content-Type`.
fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// The declared charset, unless the bytes say otherwise: a body that is
/// valid UTF-8 with non-ASCII characters, declared as a single-byte legacy
/// charset, is a misconfigured server (its default Latin-1 label), not
/// Latin-1 text that happens to form valid UTF-8 sequences.
fn trusted_charset<'a>(declared: Option<&'a str>, body: &[u8]) -> Option<&'a str> {
    let label = declared?;
    let encoding = encoding_rs::Encoding::for_label(label.trim().as_bytes())?;
    let single_byte = encoding.is_single_byte();
    if single_byte && !body.is_ascii() && std::str::from_utf8(body).is_ok() {
        return None;
    }
    Some(label)
}

fn headers_json(ex: &Exchange) -> String {
    let mut map = serde_json::Map::new();
    for (name, value) in &ex.headers {
        let value = String::from_utf8_lossy(value).to_string();
        let name = name.to_ascii_lowercase();
        match map.get_mut(&name) {
            Some(serde_json::Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                map.insert(name, serde_json::Value::String(value));
            }
        }
    }
    serde_json::Value::Object(map).to_string()
}

fn redirects_json(hops: &[Exchange]) -> String {
    let list: Vec<serde_json::Value> = hops
        .iter()
        .map(|h| {
            serde_json::json!({
                "url": h.url.as_str(),
                "status": h.status,
                "location": h.header("location"),
            })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// The single writer: appends WARC records, then records each batch in
/// one transaction. Runs on a blocking thread.
struct Writer {
    store: Store,
    warc: WarcWriter,
    summary: Summary,
    seen: Arc<AtomicUsize>,
    progress: OnProgress,
}

impl Writer {
    /// Drain `rx` (owned, so that an early return closes it and stops the
    /// feeder and the dispatcher); hands itself back with the summary.
    fn write_all(mut self, mut rx: mpsc::Receiver<Outcome>) -> (Writer, Result<()>) {
        let result = self.drain(&mut rx);
        (self, result)
    }

    fn drain(&mut self, rx: &mut mpsc::Receiver<Outcome>) -> Result<()> {
        let mut state = Progress {
            done: 0,
            seen: 0,
            failed: 0,
            skipped: 0,
        };
        let summary = &mut self.summary;
        let warc = &mut self.warc;
        while let Some(first) = rx.blocking_recv() {
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match rx.try_recv() {
                    Ok(o) => batch.push(o),
                    Err(_) => break,
                }
            }
            let mut captures = Vec::new();
            let mut not_modified = Vec::new();
            let mut stored = Vec::new();
            let mut failures = Vec::new();
            for outcome in batch {
                if let Outcome::Kept(records) = &outcome {
                    append(warc, records)?;
                    continue;
                }
                summary.inputs += 1;
                state.done += 1;
                match outcome {
                    Outcome::NotReached => summary.not_reached += 1,
                    // Written above, before the counting.
                    Outcome::Kept(_) => {}
                    Outcome::NotModified(n) => {
                        summary.fetched += 1;
                        // Unchanged, as a file with the same bytes is.
                        summary.add(&ArticleOutcome::default());
                        not_modified.push(n);
                    }
                    Outcome::Captured {
                        mut capture,
                        citations,
                        extra,
                        records,
                    } => {
                        summary.fetched += 1;
                        capture.warc = append(warc, &records)?;
                        captures.push((*capture, citations, extra));
                    }
                    Outcome::Failed {
                        failure,
                        http_status,
                        records,
                    } => {
                        if http_status.is_some() {
                            summary.fetched += 1;
                        }
                        state.failed += 1;
                        stored.push(StoredFailure {
                            input: failure.input.clone(),
                            class: failure.class.to_string(),
                            message: failure.message.clone(),
                            http_status,
                            warc: append(warc, &records)?,
                        });
                        failures.push(failure);
                    }
                    Outcome::Skipped {
                        reason,
                        stored: kept,
                        records,
                    } => {
                        state.skipped += 1;
                        *summary.skipped.entry(reason.to_string()).or_default() += 1;
                        let location = append(warc, &records)?;
                        if let Some((f, http_status)) = kept {
                            summary.fetched += 1;
                            summary.skipped_inputs.push(Skip {
                                input: f.input.clone(),
                                reason,
                                message: f.message.clone(),
                            });
                            stored.push(StoredFailure {
                                input: f.input,
                                class: f.class.to_string(),
                                message: f.message,
                                http_status,
                                warc: location,
                            });
                        }
                    }
                }
            }
            warc.flush().map_err(Error::Warc)?;
            for o in self
                .store
                .record_fetched(&captures, &not_modified, &stored)?
            {
                summary.add(&o);
            }
            summary.failures.extend(failures);
            state.seen = self.seen.load(Ordering::Relaxed).max(state.done);
            (self.progress)(state);
        }
        Ok(())
    }
}

/// Append the records; the location of the main one.
fn append(warc: &mut WarcWriter, records: &Records) -> Result<Option<(String, u64)>> {
    let mut main = None;
    for (i, member) in records.members.iter().enumerate() {
        let at = warc.append(member).map_err(Error::Warc)?;
        if Some(i) == records.main {
            main = Some(at);
        }
    }
    Ok(main)
}

/// Parse a duration like `30d`, `12h`, `90m`, `45s` or `2w`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::duration::parse_or(s, Duration::from_secs(86_400)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("45s"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(14 * 86_400)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3 fortnights").is_err());
        // A bare number is days, as `--max-age` always read it.
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_duration("100ms"), Ok(Duration::from_millis(100)));
    }

    #[test]
    fn charset_header_is_trusted_unless_utf8_says_otherwise() {
        assert_eq!(
            charset_param("text/html; charset=\"ISO-8859-1\""),
            Some("ISO-8859-1".into())
        );
        assert_eq!(charset_param("text/html"), None);
        let utf8 = "café".as_bytes();
        let latin1 = b"caf\xe9";
        assert_eq!(trusted_charset(Some("iso-8859-1"), utf8), None);
        assert_eq!(
            trusted_charset(Some("iso-8859-1"), latin1),
            Some("iso-8859-1")
        );
        assert_eq!(
            trusted_charset(Some("iso-8859-1"), b"plain"),
            Some("iso-8859-1")
        );
        assert_eq!(trusted_charset(Some("shift_jis"), utf8), Some("shift_jis"));
    }
}
