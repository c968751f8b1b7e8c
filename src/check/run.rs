//! One `check` run: pick the targets that are due, check them a few at a
//! time on the caller's tokio runtime, and record each result as it
//! arrives. Times (`checked_at`, the `--stale` cutoff) come from the store's
//! clock, so `EMBARC_NOW` fixes them. Reads and writes of the store run on
//! blocking threads; a probe never fails (what it could not learn is
//! `unknown`), so one bad target never spoils the run.

use super::checker::Checker;
use super::media::Stored;
use super::outcome::{Content, Outcome, State, Verdict};
use super::settings::Settings;
use super::text::comparable;
use crate::detect::Platform;
use crate::fetch::FetchError;
use crate::policy::Policy;
use crate::store::{
    ArticleTarget, ClaimRequest, EditWarning, JobKind, NewCheck, NewMedia, PostTarget, Recorded,
    Skipped, Store, TargetFilter,
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    pub posts: bool,
    pub articles: bool,
    /// Only posts of this platform (and articles citing one).
    pub platform: Option<Platform>,
    /// Which targets are due.
    pub select: Select,
    /// At most this many posts and this many articles.
    pub limit: Option<usize>,
    /// Set when the run should stop: no new check is started, those in
    /// flight get `Stopping::grace` to finish, the rest are given back.
    pub stop: Option<Stopping>,
    /// Check each platform's posts in a lane of their own, beside the other
    /// platforms' and the articles (each lane `concurrency` checks at a
    /// time, at its endpoints' rates). `false` is the single queue of
    /// before, kept as the benchmark's baseline.
    pub lanes: bool,
}

/// How the due targets are chosen.
#[derive(Debug, Clone)]
pub enum Select {
    /// `--stale`: targets not checked within this long, by the store's
    /// clock; zero: every target.
    Stale(Duration),
    /// The recheck policy: targets whose scheduled time has come, claimed
    /// under a lease so no other process checks them at the same time.
    Due(Lease),
}

/// Who claims due targets, and for how long.
#[derive(Debug, Clone)]
pub struct Lease {
    pub policy: Policy,
    /// A name unique to this process.
    pub owner: String,
    pub lease: Duration,
}

/// A stop request and the time given to checks in flight.
#[derive(Debug, Clone)]
pub struct Stopping {
    pub flag: Arc<AtomicBool>,
    pub grace: Duration,
}

/// One target checked, as reported to people and machines.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Checked {
    /// `post` or `article`.
    pub target: &'static str,
    pub platform: Option<Platform>,
    /// The post's URL (or `platform:id`), or the article's URL.
    pub url: String,
    pub checked_at: String,
    /// Shown as `state` and `reason`.
    #[serde(flatten, serialize_with = "Outcome::serialize_parts")]
    pub outcome: Outcome,
    /// The state of the check before this one.
    pub previous_state: Option<State>,
    pub http_status: Option<u16>,
    pub evidence: String,
    pub endpoint: String,
    pub archived_url: Option<String>,
    /// How long asking took (the endpoints' waits included).
    #[serde(skip)]
    pub took: Duration,
}

impl Checked {
    /// `gone (deleted)`, `alive`: for people and the job's last result.
    pub fn label(&self) -> String {
        self.outcome.label()
    }
}

/// Counts for posts or articles.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub checked: usize,
    /// Left out: checked within `--stale`, or not yet due by the policy.
    pub fresh: usize,
    /// Left out: posts without an id, articles from local files.
    pub not_checkable: usize,
    /// Checked targets by state, and by `state/reason`.
    pub states: BTreeMap<&'static str, usize>,
    pub reasons: BTreeMap<String, usize>,
}

impl Counts {
    fn skipped(&mut self, s: Skipped) {
        self.fresh = s.fresh;
        self.not_checkable = s.not_checkable;
    }

    fn add(&mut self, c: &Checked) {
        self.checked += 1;
        let state = c.outcome.state().name();
        *self.states.entry(state).or_default() += 1;
        if let Some(r) = c.outcome.reason() {
            *self.reasons.entry(format!("{state}/{r}")).or_default() += 1;
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub posts: Counts,
    pub articles: Counts,
    /// Snapshots of what the endpoints showed, new this run.
    pub new_snapshots: usize,
    /// `edited` warnings, new this run (one per citation).
    pub new_warnings: usize,
    /// Posts given a new `edited` warning this run.
    pub edited_posts: usize,
    /// Claimed but given back unchecked, because the run was stopped.
    pub released: usize,
    /// Checks cut off by the end of the grace period (given back too).
    pub abandoned: usize,
    /// The posts' media fetched this run, by result (`saved`,
    /// `too_large`, `refused`, `failed`); absent when `[media]` is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<BTreeMap<&'static str, usize>>,
    /// Why the last medium not kept was not (`URL: reason`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_problem: Option<String>,
    /// The WARC files this run wrote (relative to the archive directory),
    /// all closed once the run returns: to be timestamped.
    #[serde(skip)]
    pub warc_files: Vec<String>,
    /// Targets checked in this run, and how many of them were found gone or
    /// ended `unknown (network_error)`.
    #[serde(skip)]
    pub tally: RunTally,
}

/// What [`Summary::found_rot`] and [`Summary::offline`] are decided from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunTally {
    pub checked: usize,
    pub gone: usize,
    pub network_errors: usize,
}

impl Summary {
    /// Any target found gone in this run (`--fail-on-rot`).
    pub fn found_rot(&self) -> bool {
        self.tally.gone > 0
    }

    /// Every check of this run failed before reaching anything (`unknown
    /// (network_error)`): most likely the machine is offline.
    pub fn offline(&self) -> bool {
        self.tally.checked > 0 && self.tally.network_errors == self.tally.checked
    }

    fn count(&mut self, c: &Checked) {
        self.tally.checked += 1;
        self.tally.gone += usize::from(c.outcome.is_gone());
        self.tally.network_errors += usize::from(c.outcome == Outcome::NetworkError);
    }
}

/// How often a run looks at its stop flag while checks are in flight.
const STOP_POLL: Duration = Duration::from_millis(100);

/// Most results recorded in one transaction.
const BATCH: usize = 1000;
/// Longest a transaction of results stays open.
const BATCH_TIME: Duration = Duration::from_secs(1);
/// Targets read from the store (or claimed for a lane) at a time.
const CHUNK: usize = 256;
/// `--stale`: most targets read in full and waiting, over all lanes.
const READ_AHEAD: usize = 4 * CHUNK;

enum Job {
    Post(PostTarget),
    Article(ArticleTarget),
}

impl Job {
    fn key(&self) -> (bool, i64) {
        match self {
            Job::Post(t) => (true, t.id),
            Job::Article(t) => (false, t.id),
        }
    }

    /// The lane the job waits and runs in (see [`Options::lanes`]).
    fn lane(&self, lanes: bool) -> Lane {
        match self {
            _ if !lanes => ONE_LANE,
            Job::Post(t) => t.platform.as_str(),
            Job::Article(_) => ARTICLES,
        }
    }
}

/// A lane: a platform's name, [`ARTICLES`], or [`ONE_LANE`].
type Lane = &'static str;
const ARTICLES: Lane = "articles";
/// Every job, when lanes are off.
const ONE_LANE: Lane = "all";

/// Jobs waiting to start, by lane, and how many run in each.
#[derive(Default)]
struct Lanes {
    waiting: BTreeMap<Lane, VecDeque<Job>>,
    running: HashMap<Lane, usize>,
}

impl Lanes {
    fn push(&mut self, lanes: bool, jobs: Vec<Job>) {
        for job in jobs {
            self.waiting
                .entry(job.lane(lanes))
                .or_default()
                .push_back(job);
        }
    }

    fn waiting(&self) -> usize {
        self.waiting.values().map(VecDeque::len).sum()
    }

    fn waiting_in(&self, lane: Lane) -> usize {
        self.waiting.get(lane).map_or(0, VecDeque::len)
    }

    /// The jobs that may start now: in each lane, until `concurrency` run
    /// (Bluesky's lane runs a whole `getPosts` batch at once: its posts
    /// share calls, and the endpoint's rate still holds).
    fn startable(&mut self, concurrency: usize) -> Vec<(Lane, Job)> {
        let mut out = Vec::new();
        for (lane, q) in &mut self.waiting {
            let per_lane = if *lane == Platform::Bluesky.as_str() {
                concurrency.max(super::bluesky::BATCH)
            } else {
                concurrency
            };
            let n = self.running.entry(lane).or_default();
            while *n < per_lane
                && let Some(job) = q.pop_front()
            {
                *n += 1;
                out.push((*lane, job));
            }
        }
        out
    }

    fn finished(&mut self, lane: Lane) {
        if let Some(n) = self.running.get_mut(lane) {
            *n = n.saturating_sub(1);
        }
    }

    fn drain(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.waiting)
            .into_values()
            .flatten()
            .collect()
    }
}

/// Where the policy's due jobs are claimed from: one kind, of one platform
/// (or any), feeding one lane.
struct Source {
    kind: JobKind,
    platform: Option<&'static str>,
    lane: Lane,
    /// Nothing more is due (or the limit is reached).
    done: bool,
}

/// A checked target: its verdict, archived copy, and how long it took.
enum Done {
    /// With the post's media fetched (`[media]`), not yet in the WARC.
    Post(
        PostTarget,
        Verdict,
        Option<String>,
        Duration,
        Vec<super::media::Got>,
    ),
    Article(ArticleTarget, Verdict, Option<String>, Duration),
}

impl Done {
    fn key(&self) -> (bool, i64) {
        match self {
            Done::Post(t, ..) => (true, t.id),
            Done::Article(t, ..) => (false, t.id),
        }
    }
}

/// Why a run stopped (a target that cannot be checked is an `unknown`
/// check, not an error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    /// An endpoint's HTTP client could not be built from the settings.
    #[error("{0}")]
    Client(#[source] FetchError),
    /// A task of the run stopped unexpectedly (a bug).
    #[error("{0}")]
    Internal(String),
    /// The answers to keep (`[check] keep_answers`) could not be written.
    #[error("cannot write the endpoints' answers to the WARC file: {0}")]
    Warc(#[source] std::io::Error),
}

type Result<T, E = Error> = std::result::Result<T, E>;

/// Run `f` with a clone of the store on a blocking thread.
async fn blocking<T: Send + 'static>(
    store: &Store,
    f: impl FnOnce(&Store) -> Result<T> + Send + 'static,
) -> Result<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| Error::Internal(format!("a store task stopped: {e}")))?
}

/// Check what `opts` selects, recording every result in `store`; `on_result`
/// hears of each as it is recorded. Runs on the caller's tokio runtime.
pub async fn run(
    store: &Store,
    settings: &Settings,
    opts: &Options,
    on_result: &mut (dyn FnMut(&Checked) + Send),
) -> Result<Summary> {
    let checker = Arc::new(Checker::new(settings).map_err(Error::Client)?);
    // Endpoint answers (`keep_answers`) and media go to the run's WARC file.
    let warc = settings
        .keep_answers
        .as_deref()
        .or(settings.media.as_ref().map(|m| m.dir.as_path()))
        .map(crate::capture::warc::WarcWriter::new);
    let platform = opts.platform.map(Platform::as_str);
    let mut summary = Summary {
        media: settings.media.as_ref().map(|_| BTreeMap::new()),
        ..Summary::default()
    };
    let mut lanes = Lanes::default();
    // `--stale`: due targets not read yet, as (is post, row id).
    let mut due: VecDeque<(bool, i64)> = VecDeque::new();
    // Leased jobs by (is post, row id), when the policy chose the targets.
    let mut leased: HashMap<(bool, i64), i64> = HashMap::new();
    // The policy: where due jobs are claimed from, and how many more posts
    // and articles may be claimed.
    let mut sources: Vec<Source> = Vec::new();
    let limit = opts.limit.unwrap_or(usize::MAX >> 1);
    let mut left: HashMap<JobKind, usize> =
        HashMap::from([(JobKind::CheckPost, limit), (JobKind::CheckArticle, limit)]);
    let owner = match &opts.select {
        Select::Stale(stale) => {
            // The store's clock, so a fixed time (`EMBARC_NOW`) moves the
            // cutoff too. `--stale 0` selects everything, even targets
            // checked at this very time, which a fixed clock makes likely.
            let cutoff = (!stale.is_zero()).then(|| {
                chrono::Duration::from_std(*stale)
                    .ok()
                    .and_then(|d| store.clock().checked_sub_signed(d))
                    .map(time_text)
                    // Longer than any history: only targets never checked are due.
                    .unwrap_or_default()
            });
            let filter = TargetFilter {
                platform,
                checked_before: cutoff.as_deref(),
                limit: opts.limit,
            };
            // The due targets as row ids (8 bytes each); each is read in
            // full shortly before it is checked, a chunk at a time.
            if opts.posts {
                let (ids, skipped) = store.posts_to_check(&filter)?;
                summary.posts.skipped(skipped);
                due.extend(ids.into_iter().map(|id| (true, id)));
            }
            if opts.articles {
                let (ids, skipped) = store.articles_to_check(&filter)?;
                summary.articles.skipped(skipped);
                due.extend(ids.into_iter().map(|id| (false, id)));
            }
            None
        }
        Select::Due(lease) => {
            store.schedule(&lease.policy)?;
            // Due jobs are claimed a chunk at a time as each lane needs
            // them (`claim_next`), so a round over a million due targets
            // holds a few hundred leases and rows per lane, not a million.
            if opts.posts {
                summary.posts.fresh = store.waiting_jobs(JobKind::CheckPost)?;
                let platforms: Vec<Option<&'static str>> = match (opts.lanes, opts.platform) {
                    (_, Some(p)) => vec![Some(p.as_str())],
                    (true, None) => Platform::ALL.iter().map(|p| Some(p.as_str())).collect(),
                    (false, None) => vec![None],
                };
                for platform in platforms {
                    sources.push(Source {
                        kind: JobKind::CheckPost,
                        platform,
                        lane: match (opts.lanes, platform) {
                            (true, Some(p)) => p,
                            _ => ONE_LANE,
                        },
                        done: false,
                    });
                }
            }
            if opts.articles {
                summary.articles.fresh = store.waiting_jobs(JobKind::CheckArticle)?;
                sources.push(Source {
                    kind: JobKind::CheckArticle,
                    platform,
                    lane: if opts.lanes { ARTICLES } else { ONE_LANE },
                    done: false,
                });
            }
            Some(lease.owner.as_str())
        }
    };
    let stop_flag = opts.stop.as_ref().map(|s| s.flag.clone());
    let stopping = || stop_flag.as_ref().is_some_and(|f| f.load(Ordering::SeqCst));
    let mut running: JoinSet<(Lane, Done)> = JoinSet::new();
    let mut deadline: Option<tokio::time::Instant> = None;
    // Results wait here and are recorded in batches: one short transaction
    // for up to BATCH results or BATCH_TIME's worth, whichever comes first,
    // so the write lock is free while checks run (a server's writes get
    // their turn) and a killed run loses at most one batch, which stays
    // due.
    let mut results = Recorder {
        pending: Vec::new(),
        since: None,
        owner: owner.map(str::to_string),
        warc,
        on_result,
    };
    let mut renewed = tokio::time::Instant::now();
    loop {
        if let (Select::Due(lease), Some(owner)) = (&opts.select, owner)
            && renewed.elapsed() >= lease.lease / 3
        {
            // Long runs keep their leases, so no other process takes over
            // targets still waiting here for their platform's rate.
            store.renew_leases(owner, lease.lease)?;
            renewed = tokio::time::Instant::now();
        }
        if stopping() && deadline.is_none() {
            let grace = opts.stop.as_ref().map_or(Duration::ZERO, |s| s.grace);
            deadline = Some(tokio::time::Instant::now() + grace);
            // Nothing new is started; what was claimed for it is given back.
            let unstarted: Vec<i64> = lanes
                .drain()
                .into_iter()
                .filter_map(|j| leased.remove(&j.key()))
                .collect();
            if let Some(owner) = owner {
                results.flush(store, &checker, &mut summary).await?;
                summary.released += store.release(&unstarted, owner)?;
            }
        }
        if deadline.is_none() {
            match (&opts.select, owner) {
                (Select::Due(lease), Some(owner)) => {
                    // Each lane that runs low claims its next chunk.
                    for source in &mut sources {
                        while !source.done && lanes.waiting_in(source.lane) < settings.concurrency {
                            // Results first: their jobs' leases end before
                            // more are taken, so a chunk is all a lane holds.
                            results.flush(store, &checker, &mut summary).await?;
                            let left = left.entry(source.kind).or_default();
                            let claimed = claim_next(
                                store,
                                lease,
                                owner,
                                source,
                                left,
                                checker.media_limit(),
                            )?;
                            leased.extend(claimed.leased);
                            lanes.push(opts.lanes, claimed.jobs);
                        }
                    }
                }
                _ => {
                    // `--stale`: read ahead (a few chunks), so every
                    // platform found in them has work in its lane.
                    while lanes.waiting() < READ_AHEAD && !due.is_empty() {
                        lanes.push(
                            opts.lanes,
                            next_jobs(store, &mut due, checker.media_limit())?,
                        );
                    }
                }
            }
        }
        for (lane, job) in lanes.startable(settings.concurrency) {
            let checker = checker.clone();
            running.spawn(async move { (lane, work(checker, job).await) });
        }
        if results.since.is_some_and(|t| t.elapsed() >= BATCH_TIME) {
            results.flush(store, &checker, &mut summary).await?;
        }
        let next = match deadline {
            Some(d) => match tokio::time::timeout_at(d, running.join_next()).await {
                Ok(next) => next,
                Err(_) => {
                    // The grace period is over: what is still running is
                    // dropped unrecorded and its lease given back.
                    summary.abandoned += running.len();
                    running.abort_all();
                    let rest: Vec<i64> = leased.drain().map(|(_, id)| id).collect();
                    results.flush(store, &checker, &mut summary).await?;
                    if let Some(owner) = owner {
                        store.release(&rest, owner)?;
                    }
                    break;
                }
            },
            None => {
                // Wake up now and then to see whether a stop was asked for.
                match tokio::time::timeout(STOP_POLL, running.join_next()).await {
                    Ok(next) => next,
                    Err(_) => continue,
                }
            }
        };
        let Some(done) = next else {
            break;
        };
        match done {
            Ok((lane, done)) => {
                lanes.finished(lane);
                let job = leased.remove(&done.key());
                results.push(done, job)?;
                if results.pending.len() >= BATCH {
                    results.flush(store, &checker, &mut summary).await?;
                }
            }
            // A probe that panicked is a bug; the run goes on without it
            // (its lease runs out and the job is tried again).
            Err(e) => eprintln!("embarc: error: a check stopped unexpectedly: {e}"),
        }
    }
    results.flush(store, &checker, &mut summary).await?;
    if let Some(mut warc) = results.warc.take() {
        keep(&mut warc, checker.take_answers())?;
        warc.flush().map_err(Error::Warc)?;
        summary.warc_files = warc.files().to_vec();
    }
    if let Select::Due(lease) = &opts.select {
        // The targets just checked get their next times now, so `status`
        // shows them.
        store.schedule(&lease.policy)?;
    }
    Ok(summary)
}

/// Results waiting to be recorded, and where they go once recorded.
struct Recorder<'a> {
    /// Each with its leased job, finished with it, and its post's media.
    pending: Vec<(Done, Option<i64>, Vec<Stored>)>,
    /// When the oldest pending result came.
    since: Option<std::time::Instant>,
    owner: Option<String>,
    /// Where endpoint answers (`[check] keep_answers`) and media are kept.
    warc: Option<crate::capture::warc::WarcWriter>,
    /// Each result goes here once recorded; the run keeps only counts, so
    /// a round over millions of targets holds none of them.
    on_result: &'a mut (dyn FnMut(&Checked) + Send),
}

impl Recorder<'_> {
    /// Take a result; its post's media files go to the WARC file at once,
    /// so no more than the checks in flight hold media in memory.
    fn push(&mut self, mut done: Done, job: Option<i64>) -> Result<()> {
        let mut stored = Vec::new();
        if let Done::Post(.., media) = &mut done {
            for got in std::mem::take(media) {
                stored.push(got.store(self.warc.as_mut()).map_err(Error::Warc)?);
            }
        }
        self.pending.push((done, job, stored));
        self.since.get_or_insert_with(std::time::Instant::now);
        Ok(())
    }

    /// Record what is pending in one transaction on a blocking thread,
    /// then count, keep and report each result.
    async fn flush(
        &mut self,
        store: &Store,
        checker: &Checker,
        summary: &mut Summary,
    ) -> Result<()> {
        self.since = None;
        if self.pending.is_empty() {
            return Ok(());
        }
        // Media records are on disk before the database names them.
        if let Some(warc) = self.warc.as_mut() {
            warc.flush().map_err(Error::Warc)?;
        }
        let done = std::mem::take(&mut self.pending);
        for (.., stored) in &done {
            if let Some(counts) = summary.media.as_mut() {
                for m in stored {
                    *counts.entry(m.result).or_default() += 1;
                    if m.result != "saved" {
                        summary.media_problem = Some(format!("{}: {}", m.url, m.detail));
                    }
                }
            }
        }
        let owner = self.owner.clone();
        let recorded = blocking(store, move |store| {
            store.begin_batch()?;
            let mut out = Vec::with_capacity(done.len());
            for (d, job, stored) in done {
                let (checked, recorded) = record(store, d, &stored)?;
                if let (Some(job), Some(owner)) = (job, &owner) {
                    let unknown = checked.outcome.is_unknown();
                    store.finish_job(job, owner, &checked.label(), unknown, None)?;
                }
                out.push((checked, recorded));
            }
            store.commit_batch()?;
            Ok(out)
        })
        .await?;
        for (checked, recorded) in recorded {
            summary.new_snapshots += usize::from(recorded.new_snapshot);
            summary.new_warnings += recorded.new_warnings;
            summary.edited_posts += usize::from(recorded.new_warnings > 0);
            match checked.target {
                "post" => summary.posts.add(&checked),
                _ => summary.articles.add(&checked),
            }
            (self.on_result)(&checked);
            summary.count(&checked);
        }
        if let Some(warc) = self.warc.as_mut() {
            keep(warc, checker.take_answers())?;
        }
        Ok(())
    }
}

/// Jobs claimed for checking, and their leases by (is post, row id).
struct Claimed {
    jobs: Vec<Job>,
    leased: Vec<((bool, i64), i64)>,
}

/// Claim the next chunk of `source`'s due jobs under the lease, at most
/// `left` (which counts them down). A claimed job whose target cannot be
/// checked (gone from the archive) is finished at once, so it is not
/// claimed again.
fn claim_next(
    store: &Store,
    lease: &Lease,
    owner: &str,
    source: &mut Source,
    left: &mut usize,
    media_limit: Option<u64>,
) -> Result<Claimed> {
    let take = CHUNK.min(*left);
    let claimed = if take == 0 {
        Vec::new()
    } else {
        store.claim_jobs(&ClaimRequest {
            owner,
            kind: source.kind,
            lease: lease.lease,
            limit: take,
            platform: source.platform,
        })?
    };
    *left -= claimed.len();
    source.done = claimed.len() < take || *left == 0;
    let ids: Vec<i64> = claimed.iter().filter_map(|j| j.target).collect();
    let is_post = source.kind == JobKind::CheckPost;
    let jobs: Vec<Job> = if is_post {
        store
            .post_targets(&ids, media_limit)?
            .into_iter()
            .map(Job::Post)
            .collect()
    } else {
        store
            .article_targets(&ids)?
            .into_iter()
            .map(Job::Article)
            .collect()
    };
    let queued: std::collections::HashSet<(bool, i64)> = jobs.iter().map(Job::key).collect();
    let mut leased = Vec::with_capacity(claimed.len());
    for j in &claimed {
        match j.target {
            Some(t) if queued.contains(&(is_post, t)) => leased.push(((is_post, t), j.id)),
            _ => {
                store.finish_job(j.id, owner, "not checkable", false, None)?;
            }
        }
    }
    Ok(Claimed { jobs, leased })
}

/// The next chunk of `--stale` targets, read in full (posts and articles
/// are not mixed in one chunk).
/// Append endpoint answers to the run's WARC file (`[check] keep_answers`).
fn keep(
    warc: &mut crate::capture::warc::WarcWriter,
    answers: Vec<crate::fetch::Exchange>,
) -> Result<()> {
    for ex in &answers {
        for member in crate::capture::warc::encode_exchange(ex).members {
            warc.append(&member).map_err(Error::Warc)?;
        }
    }
    Ok(())
}

fn next_jobs(
    store: &Store,
    due: &mut VecDeque<(bool, i64)>,
    media_limit: Option<u64>,
) -> Result<Vec<Job>> {
    let Some(&(posts, _)) = due.front() else {
        return Ok(Vec::new());
    };
    let mut ids = Vec::with_capacity(CHUNK);
    while ids.len() < CHUNK
        && let Some(&(is_post, id)) = due.front()
        && is_post == posts
    {
        ids.push(id);
        due.pop_front();
    }
    Ok(if posts {
        store
            .post_targets(&ids, media_limit)?
            .into_iter()
            .map(Job::Post)
            .collect()
    } else {
        store
            .article_targets(&ids)?
            .into_iter()
            .map(Job::Article)
            .collect()
    })
}

/// Check one target; look up an archived copy when it is gone.
async fn work(checker: Arc<Checker>, job: Job) -> Done {
    let start = std::time::Instant::now();
    match job {
        Job::Post(t) => {
            let verdict = checker.post(&t).await;
            let archived =
                archived_copy(&checker, &verdict, &t.archived_url, || wayback_urls(&t)).await;
            let media = if verdict.outcome.state() == State::Alive {
                let post = super::checker::PostRef::from_target(&t);
                checker
                    .media(&post, verdict.content.as_ref(), &t.known_media)
                    .await
            } else {
                Vec::new()
            };
            Done::Post(t, verdict, archived, start.elapsed(), media)
        }
        Job::Article(t) => {
            let verdict = checker.article(&t).await;
            let archived =
                archived_copy(&checker, &verdict, &t.archived_url, || vec![t.url.clone()]).await;
            Done::Article(t, verdict, archived, start.elapsed())
        }
    }
}

/// The archived copy of a gone target: the one found before, else the
/// Wayback Machine's.
async fn archived_copy(
    checker: &Checker,
    verdict: &Verdict,
    known: &Option<String>,
    urls: impl FnOnce() -> Vec<String>,
) -> Option<String> {
    if !verdict.outcome.is_gone() {
        return None;
    }
    match known {
        Some(u) => Some(u.clone()),
        None => checker.archived_copy(&urls()).await,
    }
}

/// Where the Wayback Machine may have a post: its URL, and for X the
/// twitter.com form it was archived under for years.
fn wayback_urls(t: &PostTarget) -> Vec<String> {
    let mut urls: Vec<String> = t.post_url.iter().cloned().collect();
    if t.platform == Platform::X {
        let handle = t.handle.as_deref().unwrap_or("i");
        urls.push(format!("https://twitter.com/{handle}/status/{}", t.post_id));
    }
    urls
}

/// Times as the store writes them: RFC 3339 UTC with milliseconds.
fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Record one check; what it reports, and what it added.
fn record(store: &Store, done: Done, media: &[Stored]) -> Result<(Checked, Recorded)> {
    let checked_at = time_text(store.clock());
    Ok(match done {
        Done::Post(t, v, archived, took, _) => {
            let warnings = match &v.content {
                Some(c) => edit_warnings(&store.shown_texts(t.id)?, c),
                None => Vec::new(),
            };
            let recorded = store.record_post_check(
                t.id,
                &new_check(&checked_at, &v, archived.as_deref()),
                v.content.as_ref(),
                &warnings,
            )?;
            let rows: Vec<_> = media.iter().map(media_record).collect();
            store.record_media(t.id, &checked_at, &rows)?;
            let url = t
                .post_url
                .clone()
                .unwrap_or_else(|| format!("{}:{}", t.platform, t.post_id));
            let checked = checked(
                "post",
                Some(t.platform),
                url,
                t.last_state,
                checked_at,
                v,
                archived,
                took,
            );
            (checked, recorded)
        }
        Done::Article(t, v, archived, took) => {
            store.record_article_check(t.id, &new_check(&checked_at, &v, archived.as_deref()))?;
            let checked = checked(
                "article",
                None,
                t.url,
                t.last_state,
                checked_at,
                v,
                archived,
                took,
            );
            (checked, Recorded::default())
        }
    })
}

/// The row that records a medium.
fn media_record(m: &Stored) -> NewMedia<'_> {
    NewMedia {
        kind: m.kind.as_str(),
        url: &m.url,
        named_by: m.named_by,
        result: m.result,
        content_type: m.content_type.as_deref(),
        size: m.size,
        sha256: m.sha256.as_deref(),
        warc: m.warc.as_ref().map(|(f, o)| (f.as_str(), *o)),
        http_status: m.http_status,
        detail: &m.detail,
        max_size: m.max_size,
    }
}

fn new_check<'a>(checked_at: &'a str, v: &'a Verdict, archived: Option<&'a str>) -> NewCheck<'a> {
    NewCheck {
        checked_at,
        outcome: v.outcome,
        http_status: v.http_status,
        evidence: &v.evidence,
        endpoint: &v.endpoint,
        archived_url: archived,
    }
}

#[allow(clippy::too_many_arguments)]
fn checked(
    target: &'static str,
    platform: Option<Platform>,
    url: String,
    previous_state: Option<State>,
    checked_at: String,
    v: Verdict,
    archived_url: Option<String>,
    took: Duration,
) -> Checked {
    Checked {
        target,
        platform,
        url,
        checked_at,
        outcome: v.outcome,
        previous_state,
        http_status: v.http_status,
        evidence: v.evidence,
        endpoint: v.endpoint,
        archived_url,
        took,
    }
}

/// Longest endpoint text quoted in a warning.
const QUOTE_CHARS: usize = 280;

/// An `edited` warning for every citation whose shown text differs from the
/// endpoint's (compared without links and extra whitespace).
pub fn edit_warnings(shown: &[(i64, String)], content: &Content) -> Vec<EditWarning> {
    let Some(theirs) = content
        .text
        .as_deref()
        .map(comparable)
        .filter(|t| !t.is_empty())
    else {
        return Vec::new();
    };
    let quoted: String = theirs.chars().take(QUOTE_CHARS).collect();
    shown
        .iter()
        .filter(|(_, text)| comparable(text) != theirs)
        .map(|(citation_id, _)| EditWarning {
            citation_id: *citation_id,
            detail: format!(
                "{} shows different text from the article's: {quoted:?}",
                content.source
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_differing_copies_are_warned_about() {
        let content = Content {
            source: "x_syndication",
            text: Some("Polls close at 8pm https://t.co/AbC123".into()),
            ..Content::default()
        };
        let shown = vec![
            (1, "Polls close at 8pm pic.twitter.com/AbC123".to_string()),
            (2, "Polls close at  9pm".to_string()),
        ];
        let w = edit_warnings(&shown, &content);
        assert_eq!(
            w,
            [EditWarning {
                citation_id: 2,
                detail:
                    "x_syndication shows different text from the article's: \"Polls close at 8pm\""
                        .into()
            }]
        );
        let silent = Content {
            text: None,
            ..content
        };
        assert!(edit_warnings(&shown, &silent).is_empty());
    }
}
