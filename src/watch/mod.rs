//! Keeping watch: the recheck policy ([`policy`]) and the scheduler that
//! runs due work under leases.

/// The recheck policy lives below the store (`src/policy.rs`), which
/// schedules by it; its old path stays.
pub use crate::policy;
pub mod run;

pub use run::{Event, OnEvent, Totals, Watcher};

use crate::config::Config;
use anyhow::{Context, Result, bail};
use policy::{Policy, parse_duration};
use std::time::Duration;

/// The scheduler's settings, from `embarc.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub policy: Policy,
    /// `[[watch]]` sources, each with its interval.
    pub sources: Vec<Source>,
    /// How long a claimed job is held without renewal.
    pub lease: Duration,
    /// At SIGTERM or SIGINT, how long running jobs get to finish.
    pub grace: Duration,
    /// How often to look for due work when there is none.
    pub poll: Duration,
    /// Most jobs of one kind claimed at a time.
    pub batch: usize,
}

/// A watched source of article URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub kind: SourceKind,
    /// A URL (feeds, sitemaps) or a file (lists; feeds and sitemaps too).
    pub location: String,
    pub every: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Feed,
    Sitemap,
    List,
}

impl Source {
    /// The job's key in the archive: `feed URL`, `sitemap URL`, `list PATH`.
    pub fn key(&self) -> String {
        let kind = match self.kind {
            SourceKind::Feed => "feed",
            SourceKind::Sitemap => "sitemap",
            SourceKind::List => "list",
        };
        format!("{kind} {}", self.location)
    }
}

/// Defaults of `[jobs]`.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
pub const DEFAULT_GRACE: Duration = Duration::from_secs(10);
pub const DEFAULT_POLL: Duration = Duration::from_secs(5);
pub const DEFAULT_BATCH: usize = 200;
/// Default `every` of a `[[watch]]` source.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(30 * 60);

impl Settings {
    /// Check and resolve `[recheck]`, `[[watch]]` and `[jobs]`; errors name
    /// the key.
    pub fn from_config(c: &Config) -> Result<Settings> {
        let policy = Policy::from_config(&c.recheck)?;
        let mut sources = Vec::new();
        for (i, w) in c.watch.iter().enumerate() {
            let n = i + 1;
            let given: Vec<(SourceKind, &String)> = [
                (SourceKind::Feed, &w.feed),
                (SourceKind::Sitemap, &w.sitemap),
                (SourceKind::List, &w.list),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
            .collect();
            let [(kind, location)] = given[..] else {
                bail!("[[watch]] number {n}: give exactly one of feed, sitemap or list");
            };
            let every = match &w.every {
                Some(e) => {
                    parse_duration(e).with_context(|| format!("[[watch]] number {n}: every"))?
                }
                None => DEFAULT_EVERY,
            };
            if every.is_zero() {
                bail!("[[watch]] number {n}: every must be longer than 0");
            }
            sources.push(Source {
                kind,
                location: location.trim().to_string(),
                every,
            });
        }
        let duration = |key: &str, v: &Option<String>, default: Duration| -> Result<Duration> {
            match v {
                Some(v) => parse_duration(v).with_context(|| format!("[jobs] {key}")),
                None => Ok(default),
            }
        };
        let lease = duration("lease", &c.jobs.lease, DEFAULT_LEASE)?;
        if lease < Duration::from_secs(1) {
            bail!("[jobs] lease: give at least 1s");
        }
        Ok(Settings {
            policy,
            sources,
            lease,
            grace: duration("grace", &c.jobs.grace, DEFAULT_GRACE)?,
            poll: duration("poll", &c.jobs.poll, DEFAULT_POLL)?.max(Duration::from_millis(50)),
            batch: c.jobs.batch.unwrap_or(DEFAULT_BATCH).max(1),
        })
    }
}

/// A name for this process's leases, unique among the processes sharing
/// an archive.
pub fn owner_name(what: &str) -> String {
    format!("{what}:{}:{:08x}", std::process::id(), fastrand::u32(..))
}
