//! One `check` run: pick the targets that are due, check them a few at a
//! time on an async runtime, and record each result as it arrives. Times
//! (`checked_at`, the `--stale` cutoff) come from the store's clock, so
//! `EMBARC_NOW` fixes them. The calling thread owns the store and is its
//! only writer; a probe never fails (what it could not learn is `unknown`),
//! so one bad target never spoils the run.

use super::checker::Checker;
use super::outcome::{Content, Verdict};
use super::settings::Settings;
use super::text::comparable;
use crate::detect::Platform;
use crate::store::{
    ArticleTarget, EditWarning, NewCheck, PostTarget, Skipped, Store, TargetFilter,
};
use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    pub posts: bool,
    pub articles: bool,
    /// Only posts of this platform (and articles citing one).
    pub platform: Option<Platform>,
    /// Leave alone targets checked more recently than this, by the store's
    /// clock; zero: check every target.
    pub stale: Duration,
    /// At most this many posts and this many articles.
    pub limit: Option<usize>,
}

/// One target checked, as reported to people and machines.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Checked {
    /// `post` or `article`.
    pub target: &'static str,
    pub platform: Option<String>,
    /// The post's URL (or `platform:id`), or the article's URL.
    pub url: String,
    pub checked_at: String,
    pub state: &'static str,
    pub reason: Option<&'static str>,
    /// The state of the check before this one.
    pub previous_state: Option<String>,
    pub http_status: Option<u16>,
    pub evidence: String,
    pub endpoint: String,
    pub archived_url: Option<String>,
}

/// Counts for posts or articles.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub checked: usize,
    /// Left out: checked within `--stale`.
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
        *self.states.entry(c.state).or_default() += 1;
        if let Some(r) = c.reason {
            *self.reasons.entry(format!("{}/{r}", c.state)).or_default() += 1;
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
    pub results: Vec<Checked>,
}

impl Summary {
    /// Any target found gone in this run (`--fail-on-rot`).
    pub fn found_rot(&self) -> bool {
        self.results.iter().any(|c| c.state == "gone")
    }

    /// Every check of this run failed before reaching anything (`unknown
    /// (network_error)`): most likely the machine is offline.
    pub fn offline(&self) -> bool {
        !self.results.is_empty()
            && self
                .results
                .iter()
                .all(|c| c.state == "unknown" && c.reason == Some("network_error"))
    }
}

enum Job {
    Post(PostTarget),
    Article(ArticleTarget),
}

enum Done {
    Post(PostTarget, Verdict, Option<String>),
    Article(ArticleTarget, Verdict, Option<String>),
}

/// Check what `opts` selects, recording every result in `store`; `on_result`
/// hears of each as it is recorded.
pub fn run(
    store: &mut Store,
    settings: &Settings,
    opts: &Options,
    on_result: &mut dyn FnMut(&Checked),
) -> Result<Summary> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_async(store, settings, opts, on_result))
}

async fn run_async(
    store: &mut Store,
    settings: &Settings,
    opts: &Options,
    on_result: &mut dyn FnMut(&Checked),
) -> Result<Summary> {
    let checker = Arc::new(Checker::new(settings).map_err(|e| anyhow!("{e}"))?);
    // The store's clock, so a fixed time (`EMBARC_NOW`) moves the cutoff too.
    // `--stale 0` selects everything, even targets checked at this very
    // time, which a fixed clock makes likely.
    let cutoff = (!opts.stale.is_zero()).then(|| {
        chrono::Duration::from_std(opts.stale)
            .ok()
            .and_then(|d| store.clock().checked_sub_signed(d))
            .map(time_text)
            // Longer than any history: only targets never checked are due.
            .unwrap_or_default()
    });
    let platform = opts.platform.map(Platform::as_str);
    let filter = TargetFilter {
        platform,
        checked_before: cutoff.as_deref(),
        limit: opts.limit,
    };
    let mut summary = Summary::default();
    let mut queue: VecDeque<Job> = VecDeque::new();
    if opts.posts {
        let (targets, skipped) = store.posts_to_check(&filter)?;
        summary.posts.skipped(skipped);
        queue.extend(targets.into_iter().map(Job::Post));
    }
    if opts.articles {
        let (targets, skipped) = store.articles_to_check(&filter)?;
        summary.articles.skipped(skipped);
        queue.extend(targets.into_iter().map(Job::Article));
    }
    let mut running: JoinSet<Done> = JoinSet::new();
    loop {
        while running.len() < settings.concurrency
            && let Some(job) = queue.pop_front()
        {
            running.spawn(work(checker.clone(), job));
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        match done {
            Ok(done) => {
                let checked = record(store, done, &mut summary)?;
                on_result(&checked);
                summary.results.push(checked);
            }
            // A probe that panicked is a bug; the run goes on without it.
            Err(e) => eprintln!("embarc: error: a check stopped unexpectedly: {e}"),
        }
    }
    Ok(summary)
}

/// Check one target; look up an archived copy when it is gone.
async fn work(checker: Arc<Checker>, job: Job) -> Done {
    match job {
        Job::Post(t) => {
            let verdict = checker.post(&t).await;
            let archived =
                archived_copy(&checker, &verdict, &t.archived_url, || wayback_urls(&t)).await;
            Done::Post(t, verdict, archived)
        }
        Job::Article(t) => {
            let verdict = checker.article(&t).await;
            let archived =
                archived_copy(&checker, &verdict, &t.archived_url, || vec![t.url.clone()]).await;
            Done::Article(t, verdict, archived)
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
    if t.platform == "x" {
        let handle = t.handle.as_deref().unwrap_or("i");
        urls.push(format!("https://twitter.com/{handle}/status/{}", t.post_id));
    }
    urls
}

/// Times as the store writes them: RFC 3339 UTC with milliseconds.
fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn record(store: &mut Store, done: Done, summary: &mut Summary) -> Result<Checked> {
    let checked_at = time_text(store.clock());
    let (checked, counts) = match done {
        Done::Post(t, v, archived) => {
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
            summary.new_snapshots += usize::from(recorded.new_snapshot);
            summary.new_warnings += recorded.new_warnings;
            summary.edited_posts += usize::from(recorded.new_warnings > 0);
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
            );
            (checked, &mut summary.posts)
        }
        Done::Article(t, v, archived) => {
            store.record_article_check(t.id, &new_check(&checked_at, &v, archived.as_deref()))?;
            let checked = checked(
                "article",
                None,
                t.url,
                t.last_state,
                checked_at,
                v,
                archived,
            );
            (checked, &mut summary.articles)
        }
    };
    counts.add(&checked);
    Ok(checked)
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

fn checked(
    target: &'static str,
    platform: Option<String>,
    url: String,
    previous_state: Option<String>,
    checked_at: String,
    v: Verdict,
    archived_url: Option<String>,
) -> Checked {
    Checked {
        target,
        platform,
        url,
        checked_at,
        state: v.outcome.state(),
        reason: v.outcome.reason(),
        previous_state,
        http_status: v.http_status,
        evidence: v.evidence,
        endpoint: v.endpoint,
        archived_url,
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
