//! The scheduler: runs due work until asked to stop.
//!
//! ```text
//! checks task ── claims due check jobs (a batch) ── check::run ── finish each
//! sources task ─ claims a due [[watch]] source ─── archive::web::run ── finish, next due
//! run ────────── waits; on stop: checks get the grace period, then every
//!                lease still held is given back
//! ```
//!
//! [`Watcher::run`] is an `async fn` on the caller's runtime (the CLI's, or
//! a server's). Each task has its own connection to the archive (SQLite
//! serialises the writes; claims are compare-and-swap), so a long feed does
//! not hold up the checks, and another `watch` process on the same archive
//! shares the work instead of repeating it.

use super::{Settings, Source, SourceKind};
use crate::archive::Summary as ArchiveSummary;
use crate::archive::web::{self as fetch_run, Input};
use crate::check::{self, Checked, Lease, Select, Stopping};
use crate::detect::labels::Rules;
use crate::fetch::{ClientConfig, RequestOpts};
use crate::notify::{self, Receiver, Sent};
use crate::store::{ClaimRequest, JobKind, Store};
use anyhow::Result;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Most article URLs taken from one watched sitemap or feed per run.
const MAX_SOURCE_URLS: usize = 100_000;
/// The longest wait after failures of a source, however many in a row.
const MAX_SOURCE_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// What the scheduler is told to do.
pub struct Watcher {
    pub dir: PathBuf,
    /// Opens a connection to the archive (with the CLI's clock).
    pub open: Arc<dyn Fn() -> Result<Store> + Send + Sync>,
    pub checks: check::Settings,
    /// `[timestamp]`: authorities asked to stamp each WARC file closed.
    pub stamps: Option<check::stamp::StampSettings>,
    pub settings: Settings,
    pub labels: Rules,
    /// Webhook receivers (`[[notify]]`).
    pub receivers: Vec<Receiver>,
    /// The name this process's leases carry.
    pub owner: String,
    /// Run what is due now, then return (instead of waiting for more).
    pub once: bool,
    /// Set by SIGTERM / SIGINT (or a server shutting down).
    pub stop: Arc<AtomicBool>,
}

/// Hears of everything the scheduler does.
pub type OnEvent = Arc<dyn Fn(&Event) + Send + Sync>;

/// Something the scheduler did, for the log.
#[derive(Debug)]
pub enum Event {
    Checked(Checked),
    Archived {
        source: String,
        summary: ArchiveSummary,
        next_due: DateTime<Utc>,
        /// How long reading the source and archiving what it lists took.
        took: Duration,
    },
    SourceFailed {
        source: String,
        error: String,
        next_due: DateTime<Utc>,
        took: Duration,
    },
    Delivered(Sent),
    Stopping {
        released: usize,
    },
}

/// Totals of one `watch` run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Totals {
    pub checks: usize,
    pub sources: usize,
    /// Jobs given back unfinished at shutdown.
    pub released: usize,
}

/// How often the calling thread looks at the workers and the stop flag.
const TICK: Duration = Duration::from_millis(20);

impl Watcher {
    /// Run until stopped (or, with `once`, until nothing is due). After a
    /// stop, work in flight gets the grace period; then every lease still
    /// held is given back and this returns, even if a source is still
    /// being fetched (its thread ends with the process; its transaction
    /// was not committed, and the next run fetches it again).
    pub async fn run(self: Arc<Self>, on_event: OnEvent) -> Result<Totals> {
        let store = (self.open)()?;
        let keys: Vec<String> = self.settings.sources.iter().map(Source::key).collect();
        store.sync_watch_sources(&keys)?;
        store.schedule(&self.settings.policy)?;
        let checks = {
            let (w, e) = (self.clone(), on_event.clone());
            tokio::spawn(async move { w.check_loop(&*e).await })
        };
        let sources = {
            let (w, e) = (self.clone(), on_event.clone());
            tokio::spawn(async move { w.source_loop(&*e).await })
        };
        // Webhooks go out as their checks are recorded (a `once` run sends
        // them at its end, below).
        let deliveries = (!self.once && !self.receivers.is_empty()).then(|| {
            let (w, e) = (self.clone(), on_event.clone());
            tokio::spawn(async move { w.delivery_loop(&*e).await })
        });
        let mut stop_seen: Option<Instant> = None;
        let mut totals = Totals::default();
        loop {
            if checks.is_finished()
                && sources.is_finished()
                && deliveries.as_ref().is_none_or(|d| d.is_finished())
            {
                totals.checks = checks
                    .await
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the checks stopped unexpectedly")))?;
                totals.sources = sources
                    .await
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the sources stopped unexpectedly")))?;
                if let Some(d) = deliveries {
                    d.await.unwrap_or_else(|_| {
                        Err(anyhow::anyhow!("the webhooks stopped unexpectedly"))
                    })?;
                }
                break;
            }
            if self.stopped() && stop_seen.is_none() {
                stop_seen = Some(Instant::now());
            }
            if stop_seen.is_some_and(|t| t.elapsed() >= self.settings.grace + TICK * 10) {
                // What is still running is dropped: its transaction was not
                // committed, and the next run does it again.
                checks.abort();
                sources.abort();
                if let Some(d) = &deliveries {
                    d.abort();
                }
                break;
            }
            tokio::time::sleep(TICK).await;
        }
        if self.once && !self.stopped() && !self.receivers.is_empty() {
            let sent =
                notify::deliver_due(&store, &self.receivers, &self.owner, self.settings.lease)
                    .await?;
            if sent != Sent::default() {
                on_event(&Event::Delivered(sent));
            }
        }
        if self.stopped() {
            totals.released = store.release_all(&self.owner)?;
            on_event(&Event::Stopping {
                released: totals.released,
            });
        }
        Ok(totals)
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Sleep `d`, waking early when asked to stop.
    async fn nap(&self, d: Duration) {
        let until = Instant::now() + d;
        while !self.stopped() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            tokio::time::sleep(left.min(Duration::from_millis(50))).await;
        }
    }

    async fn delivery_loop(&self, on_event: &(dyn Fn(&Event) + Sync)) -> Result<()> {
        let store = (self.open)()?;
        while !self.stopped() {
            let sent =
                notify::deliver_due(&store, &self.receivers, &self.owner, self.settings.lease)
                    .await?;
            if sent == Sent::default() {
                self.nap(self.settings.poll).await;
            } else {
                on_event(&Event::Delivered(sent));
            }
        }
        Ok(())
    }

    async fn check_loop(&self, on_event: &(dyn Fn(&Event) + Sync)) -> Result<usize> {
        let mut store = (self.open)()?;
        store.set_hooks(notify::hooks(&self.receivers));
        let opts = check::Options {
            posts: true,
            articles: true,
            platform: None,
            select: Select::Due(Lease {
                policy: self.settings.policy.clone(),
                owner: self.owner.clone(),
                lease: self.settings.lease,
            }),
            limit: Some(self.settings.batch),
            stop: Some(Stopping {
                flag: self.stop.clone(),
                grace: self.settings.grace,
            }),
            lanes: true,
        };
        let mut total = 0;
        while !self.stopped() {
            let summary = check::run(&store, &self.checks, &opts, &mut |c| {
                on_event(&Event::Checked(c.clone()))
            })
            .await?;
            self.stamp(&store, &summary.warc_files).await;
            total += summary.tally.checked;
            if summary.tally.checked == 0 {
                if self.once {
                    break;
                }
                self.nap(self.settings.poll).await;
            }
        }
        Ok(total)
    }

    async fn source_loop(&self, on_event: &(dyn Fn(&Event) + Sync)) -> Result<usize> {
        let mut store = (self.open)()?;
        // Claims queued by labels are `claim_created` webhooks.
        store.set_hooks(notify::hooks(&self.receivers));
        let mut total = 0;
        while !self.stopped() {
            let claimed = store.claim_jobs(&ClaimRequest {
                owner: &self.owner,
                kind: JobKind::Watch,
                lease: self.settings.lease,
                limit: 1,
                platform: None,
            })?;
            let Some(job) = claimed.into_iter().next() else {
                if self.once {
                    break;
                }
                self.nap(self.settings.poll).await;
                continue;
            };
            let key = job.source.clone().unwrap_or_default();
            let Some(source) = self.settings.sources.iter().find(|s| s.key() == key) else {
                // Configured no more: leave it to the next start's clean-up.
                store.finish_job(job.id, &self.owner, "not configured", false, None)?;
                continue;
            };
            let start = Instant::now();
            let outcome = self.archive(&store, source).await;
            if let Ok(summary) = &outcome {
                self.stamp(&store, &summary.warc_files).await;
            }
            let took = start.elapsed();
            let now = store.clock();
            total += 1;
            match outcome {
                Ok(summary) => {
                    let next_due = after(now, source.every);
                    let result = format!(
                        "archived {} of {} (failed {})",
                        summary.articles,
                        summary.inputs,
                        summary.failures.len()
                    );
                    store.finish_job(job.id, &self.owner, &result, false, Some(next_due))?;
                    on_event(&Event::Archived {
                        source: key,
                        summary,
                        next_due,
                        took,
                    });
                }
                Err(error) => {
                    // Failures back off: every, doubled for each failure in
                    // a row, at most a day (or `every`, if longer).
                    let backoff = source
                        .every
                        .saturating_mul(1u32 << job.failures.min(16))
                        .min(MAX_SOURCE_BACKOFF.max(source.every));
                    let next_due = after(now, backoff);
                    store.finish_job(job.id, &self.owner, &error, true, Some(next_due))?;
                    on_event(&Event::SourceFailed {
                        source: key,
                        error,
                        next_due,
                        took,
                    });
                }
            }
        }
        Ok(total)
    }

    /// Timestamp the WARC files a round closed (`[timestamp]`); a failing
    /// authority is logged and asked again after the next round that closes
    /// a file (not at every poll of an idle scheduler).
    async fn stamp(&self, store: &Store, files: &[String]) {
        let Some(settings) = self.stamps.as_ref().filter(|_| !files.is_empty()) else {
            return;
        };
        match check::stamp::stamp_warcs(store, &self.dir, settings, files).await {
            Ok(s) if s.failed > 0 => tracing::warn!(
                "timestamps: {} granted, {} failed ({})",
                s.granted,
                s.failed,
                s.problem.unwrap_or_default()
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!("timestamps not recorded: {e}"),
        }
    }

    /// Archive what one source lists now. An error is the source itself
    /// failing (unreachable, not a feed); articles that fail are counted in
    /// the summary, as `archive` counts them.
    async fn archive(&self, store: &Store, source: &Source) -> Result<ArchiveSummary, String> {
        let input = match source.kind {
            SourceKind::Feed => Input::Feed(source.location.clone()),
            SourceKind::Sitemap => Input::Sitemap(source.location.clone()),
            SourceKind::List => Input::List(source.location.clone()),
        };
        let opts = fetch_run::Options {
            client: ClientConfig {
                network: self.checks.network.clone(),
                ..ClientConfig::default()
            },
            request: RequestOpts::default(),
            ignore_robots: false,
            refetch: false,
            max_age: None,
            max_source_urls: MAX_SOURCE_URLS,
            now: store.clock(),
            jobs: 2,
            labels: self.labels.clone(),
            // The scheduler gives work in flight its grace period itself.
            stop: None,
        };
        let mut summary = ArchiveSummary::default();
        fetch_run::run(
            store,
            &self.dir,
            vec![input],
            &opts,
            &mut summary,
            Arc::new(|_| {}),
        )
        .await
        .map_err(|e| format!("{e:#}"))?;
        if let Some(f) = summary.failures.iter().find(|f| f.input == source.location) {
            return Err(format!("{} ({})", f.message, f.class));
        }
        Ok(summary)
    }
}

fn after(at: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
