//! `embarc report`: the state of the archive's posts and articles, from
//! their latest checks: counts per platform and per site (gone by reason),
//! articles by state, the oldest and newest deaths, the median time from
//! first seen to gone, the gone posts with the articles citing them and any
//! archived copy, and every change of state. Rendered as text, Markdown or
//! JSON; the numbers come from [`build`], the rendering adds none.

mod render;

pub use render::{history_text, markdown, text};

use crate::store::{CheckRow, StateChange, Store};
use anyhow::Result;
use chrono::DateTime;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Counts of targets by current state.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Tally {
    pub total: usize,
    /// Posts without an id (copied text, short links); articles read from
    /// local files.
    pub not_checkable: usize,
    /// Checkable, but never checked.
    pub unchecked: usize,
    pub alive: usize,
    pub gone: usize,
    pub restricted: usize,
    pub unknown: usize,
    pub gone_by_reason: BTreeMap<String, usize>,
    pub restricted_by_reason: BTreeMap<String, usize>,
    pub unknown_by_reason: BTreeMap<String, usize>,
}

impl Tally {
    fn add(&mut self, checkable: bool, state: Option<&str>, reason: Option<&str>) {
        self.total += 1;
        let reason = reason.unwrap_or("unspecified").to_string();
        match (checkable, state) {
            (false, _) => self.not_checkable += 1,
            (true, None) => self.unchecked += 1,
            (true, Some("alive")) => self.alive += 1,
            (true, Some("gone")) => {
                self.gone += 1;
                *self.gone_by_reason.entry(reason).or_default() += 1;
            }
            (true, Some("restricted")) => {
                self.restricted += 1;
                *self.restricted_by_reason.entry(reason).or_default() += 1;
            }
            (true, Some(_)) => {
                self.unknown += 1;
                *self.unknown_by_reason.entry(reason).or_default() += 1;
            }
        }
    }
}

/// A post that is gone now.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GonePost {
    pub platform: String,
    pub post_id: Option<String>,
    pub post_url: Option<String>,
    pub reason: Option<String>,
    pub first_seen_at: String,
    /// The first check of the current run of `gone` checks.
    pub gone_since: Option<String>,
    pub archived_url: Option<String>,
    /// The articles that cite it.
    pub articles: Vec<String>,
}

/// An article that is gone now.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GoneArticle {
    pub url: String,
    pub reason: Option<String>,
    pub gone_since: Option<String>,
    pub evidence: Option<String>,
    pub archived_url: Option<String>,
}

/// When posts died, as far as the checks saw.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Deaths {
    /// The gone post that has been gone longest.
    pub oldest: Option<GonePost>,
    /// The post that died most recently.
    pub newest: Option<GonePost>,
    /// Median of (gone since − first seen) over gone posts, in seconds.
    pub median_seconds_to_gone: Option<i64>,
}

/// A change of a target's state between two checks (`unknown` checks are
/// passed over: they say nothing about the target).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Transition {
    /// `post` or `article`.
    pub target: &'static str,
    pub url: String,
    pub at: String,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
}

/// Everything `embarc report` shows.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    pub posts: Tally,
    pub by_platform: BTreeMap<String, Tally>,
    /// Each post counts for every site whose articles cite it.
    pub by_site: BTreeMap<String, Tally>,
    pub articles: Tally,
    pub deaths: Deaths,
    pub gone_posts: Vec<GonePost>,
    pub gone_articles: Vec<GoneArticle>,
    pub transitions: Vec<Transition>,
}

/// Build the report from the archive.
pub fn build(store: &Store) -> Result<Report> {
    let changes = store.state_changes()?;
    // The start of each target's current `gone` run: the latest change
    // into `gone` (changes come in check order).
    let mut post_gone_since: HashMap<i64, String> = HashMap::new();
    let mut article_gone_since: HashMap<i64, String> = HashMap::new();
    for c in changes.iter().filter(|c| c.to_state == "gone") {
        match (c.post, c.article) {
            (Some(p), _) => post_gone_since.insert(p, c.checked_at.clone()),
            (_, Some(a)) => article_gone_since.insert(a, c.checked_at.clone()),
            _ => None,
        };
    }
    let mut report = Report::default();
    let mut post_names: HashMap<i64, String> = HashMap::new();
    let mut seconds_to_gone: Vec<i64> = Vec::new();
    store.for_each_post_state(|p| {
        let checkable = p.post_id.is_some();
        let (state, reason) = (p.state.as_deref(), p.reason.as_deref());
        report.posts.add(checkable, state, reason);
        report
            .by_platform
            .entry(p.platform.clone())
            .or_default()
            .add(checkable, state, reason);
        for site in &p.sites {
            report
                .by_site
                .entry(site.clone())
                .or_default()
                .add(checkable, state, reason);
        }
        let name = post_name(&p.platform, p.post_id.as_deref(), p.post_url.as_deref());
        if checkable && state == Some("gone") {
            let gone_since = post_gone_since.get(&p.id).cloned();
            if let Some(s) = gone_since
                .as_deref()
                .and_then(|g| seconds_between(&p.first_seen_at, g))
            {
                seconds_to_gone.push(s);
            }
            report.gone_posts.push(GonePost {
                platform: p.platform,
                post_id: p.post_id,
                post_url: p.post_url,
                reason: p.reason,
                first_seen_at: p.first_seen_at,
                gone_since,
                archived_url: p.archived_url,
                articles: p.article_urls,
            });
        }
        post_names.insert(p.id, name);
        Ok(())
    })?;
    let mut article_urls: HashMap<i64, String> = HashMap::new();
    for a in store.article_states()? {
        let checkable = a.url.starts_with("http://") || a.url.starts_with("https://");
        report
            .articles
            .add(checkable, a.state.as_deref(), a.reason.as_deref());
        if checkable && a.state.as_deref() == Some("gone") {
            report.gone_articles.push(GoneArticle {
                url: a.url.clone(),
                reason: a.reason,
                gone_since: article_gone_since.get(&a.id).cloned(),
                evidence: a.evidence,
                archived_url: a.archived_url,
            });
        }
        article_urls.insert(a.id, a.url);
    }
    report.deaths = deaths(&report.gone_posts, seconds_to_gone);
    report.transitions = changes
        .into_iter()
        .filter_map(|c| transition(c, &post_names, &article_urls))
        .collect();
    Ok(report)
}

/// How a post is named to people: its URL, else `platform:id`.
fn post_name(platform: &str, post_id: Option<&str>, post_url: Option<&str>) -> String {
    match (post_url, post_id) {
        (Some(u), _) => u.to_string(),
        (None, Some(id)) => format!("{platform}:{id}"),
        (None, None) => format!("{platform}: unidentified post"),
    }
}

fn transition(
    c: StateChange,
    posts: &HashMap<i64, String>,
    articles: &HashMap<i64, String>,
) -> Option<Transition> {
    let from = c.from_state?;
    let (target, url) = match (c.post, c.article) {
        (Some(p), _) => ("post", posts.get(&p)?.clone()),
        (_, Some(a)) => ("article", articles.get(&a)?.clone()),
        _ => return None,
    };
    Some(Transition {
        target,
        url,
        at: c.checked_at,
        from,
        to: c.to_state,
        reason: c.reason,
    })
}

fn deaths(gone: &[GonePost], mut seconds_to_gone: Vec<i64>) -> Deaths {
    let dated = || gone.iter().filter(|g| g.gone_since.is_some());
    seconds_to_gone.sort_unstable();
    let n = seconds_to_gone.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(seconds_to_gone[n / 2]),
        _ => Some((seconds_to_gone[n / 2 - 1] + seconds_to_gone[n / 2]) / 2),
    };
    Deaths {
        oldest: dated()
            .min_by(|a, b| a.gone_since.cmp(&b.gone_since))
            .cloned(),
        newest: dated()
            .max_by(|a, b| a.gone_since.cmp(&b.gone_since))
            .cloned(),
        median_seconds_to_gone: median,
    }
}

/// Whole seconds from `from` to `to` (RFC 3339), if both parse.
fn seconds_between(from: &str, to: &str) -> Option<i64> {
    let a = DateTime::parse_from_rfc3339(from).ok()?;
    let b = DateTime::parse_from_rfc3339(to).ok()?;
    Some((b - a).num_seconds())
}

/// One target's checks, oldest first, each with the state it changed from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct History {
    /// `post` or `article`.
    pub target: &'static str,
    pub url: String,
    pub checks: Vec<HistoryRow>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HistoryRow {
    #[serde(flatten)]
    pub check: CheckRow,
    /// The previous definite state, when this check changed it.
    pub changed_from: Option<String>,
}

/// The history of a post (`platform:id`, or a post URL) or an article (its
/// URL as archived); `None` when the archive has no such target.
pub fn history(store: &Store, target: &str) -> Result<Option<History>> {
    let (kind, url, rows) = if let Some(id) = store.find_article(target)? {
        ("article", target.to_string(), store.article_history(id)?)
    } else {
        let Some((platform, post_id)) = post_identity(target) else {
            return Ok(None);
        };
        let Some(id) = store.find_post(&platform, &post_id)? else {
            return Ok(None);
        };
        ("post", target.to_string(), store.post_history(id)?)
    };
    let mut last_definite: Option<String> = None;
    let checks = rows
        .into_iter()
        .map(|check| {
            let mut changed_from = None;
            if check.state != "unknown" {
                if let Some(prev) = &last_definite
                    && *prev != check.state
                {
                    changed_from = Some(prev.clone());
                }
                last_definite = Some(check.state.clone());
            }
            HistoryRow {
                check,
                changed_from,
            }
        })
        .collect();
    Ok(Some(History {
        target: kind,
        url,
        checks,
    }))
}

/// `(platform, post_id)` from a post URL or `platform:id`.
fn post_identity(target: &str) -> Option<(String, String)> {
    if let Some(p) = crate::detect::urls::parse_post_url(target) {
        return Some((p.platform.as_str().to_string(), p.post_id?));
    }
    let (platform, id) = target.split_once(':')?;
    let platform: crate::detect::Platform = platform.parse().ok()?;
    Some((platform.as_str().to_string(), id.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gone(since: &str) -> GonePost {
        GonePost {
            platform: "x".into(),
            post_id: Some(since.into()),
            post_url: None,
            reason: Some("deleted".into()),
            first_seen_at: "2024-01-01T00:00:00.000Z".into(),
            gone_since: Some(since.into()),
            archived_url: None,
            articles: vec![],
        }
    }

    #[test]
    fn deaths_and_medians() {
        let d = deaths(
            &[gone("2024-03-01"), gone("2024-01-05"), gone("2024-02-01")],
            vec![30, 10, 20, 50],
        );
        assert_eq!(d.oldest.unwrap().gone_since.as_deref(), Some("2024-01-05"));
        assert_eq!(d.newest.unwrap().gone_since.as_deref(), Some("2024-03-01"));
        assert_eq!(d.median_seconds_to_gone, Some(25));
        assert_eq!(deaths(&[], vec![7, 1, 3]).median_seconds_to_gone, Some(3));
        assert_eq!(deaths(&[], vec![]).median_seconds_to_gone, None);
    }

    #[test]
    fn targets_are_named_by_url_or_platform_and_id() {
        assert_eq!(
            post_identity("https://twitter.com/jack/status/20"),
            Some(("x".into(), "20".into()))
        );
        assert_eq!(post_identity("twitter:20"), Some(("x".into(), "20".into())));
        assert_eq!(post_identity("nowhere:20"), None);
        assert_eq!(post_identity("just words"), None);
    }
}
