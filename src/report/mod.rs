//! `embarc report`: the state of the archive's posts and articles, from
//! their latest checks: counts per platform and per site (gone by reason),
//! articles by state, the oldest and newest deaths, the median time from
//! first seen to gone, the gone posts with the articles citing them and any
//! archived copy, and every change of state. Rendered as text, Markdown or
//! JSON; the numbers come from [`build`], the rendering adds none.

mod render;

pub use render::{history_text, markdown, text};

use crate::detect::Platform;
use crate::liveness::State;
use crate::store::{CheckRow, GoneTarget, StateCount, Store};
use anyhow::Result;
use chrono::DateTime;
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// Count `n` targets in one state.
    fn add(&mut self, c: &StateCount) {
        let n = c.count;
        self.total += n;
        let Some(outcome) = c.outcome.filter(|_| c.checkable) else {
            match c.checkable {
                false => self.not_checkable += n,
                true => self.unchecked += n,
            }
            return;
        };
        let reason = outcome.reason().unwrap_or("unspecified").to_string();
        match outcome.state() {
            State::Alive => self.alive += n,
            State::Gone => {
                self.gone += n;
                *self.gone_by_reason.entry(reason).or_default() += n;
            }
            State::Restricted => {
                self.restricted += n;
                *self.restricted_by_reason.entry(reason).or_default() += n;
            }
            State::Unknown => {
                self.unknown += n;
                *self.unknown_by_reason.entry(reason).or_default() += n;
            }
        }
    }
}

/// A post that is gone now.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GonePost {
    pub platform: Platform,
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

/// The long lists a report shows besides its summaries (none by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lists {
    pub gone_posts: bool,
    pub gone_articles: bool,
    pub transitions: bool,
    /// At most this many entries in each list.
    pub limit: Option<usize>,
}

impl Lists {
    /// Every list, whole.
    pub fn all() -> Lists {
        Lists {
            gone_posts: true,
            gone_articles: true,
            transitions: true,
            limit: None,
        }
    }
}

/// Everything `embarc report` shows. The lists hold what [`Lists`] asked
/// for; the counts are always whole.
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
    /// How many posts are gone (`gone_posts` lists those asked for).
    pub gone_post_count: usize,
    pub gone_article_count: usize,
    pub transition_count: usize,
    /// Which lists were asked for.
    #[serde(skip)]
    pub lists: Lists,
}

/// Build the report from the archive: the numbers aggregated in SQL, the
/// gone posts read one at a time (for the deaths), and only the lists
/// asked for kept.
pub fn build(store: &Store, lists: Lists) -> Result<Report> {
    let mut report = Report {
        lists,
        ..Report::default()
    };
    for c in store.post_state_counts()? {
        report.posts.add(&c);
        report
            .by_platform
            .entry(c.group.clone())
            .or_default()
            .add(&c);
    }
    for c in store.post_state_counts_by_site()? {
        report.by_site.entry(c.group.clone()).or_default().add(&c);
    }
    for c in store.article_state_counts()? {
        report.articles.add(&c);
    }
    let limit = lists.limit.unwrap_or(usize::MAX);
    let mut seconds_to_gone: Vec<i64> = Vec::new();
    // The gone post gone longest (the first of equals) and the one that
    // died last (the last of equals).
    let mut oldest: Option<GoneTarget> = None;
    let mut newest: Option<GoneTarget> = None;
    store.for_each_gone_post(|p| {
        report.gone_post_count += 1;
        if let Some(g) = p.gone_since.as_deref() {
            if let Some(s) = seconds_between(&p.first_seen_at, g) {
                seconds_to_gone.push(s);
            }
            if oldest
                .as_ref()
                .is_none_or(|o| Some(g) < o.gone_since.as_deref())
            {
                oldest = Some(p.clone());
            }
            if newest
                .as_ref()
                .is_none_or(|n| Some(g) >= n.gone_since.as_deref())
            {
                newest = Some(p.clone());
            }
        }
        if lists.gone_posts && report.gone_posts.len() < limit {
            report.gone_posts.push(gone_post(store, p)?);
        }
        Ok::<(), anyhow::Error>(())
    })?;
    report.deaths = Deaths {
        oldest: oldest.map(|p| gone_post(store, p)).transpose()?,
        newest: newest.map(|p| gone_post(store, p)).transpose()?,
        median_seconds_to_gone: median(seconds_to_gone),
    };
    store.for_each_gone_article(|a| {
        report.gone_article_count += 1;
        if lists.gone_articles && report.gone_articles.len() < limit {
            report.gone_articles.push(GoneArticle {
                url: a.url.unwrap_or_default(),
                reason: a.outcome.reason().map(String::from),
                gone_since: a.gone_since,
                evidence: Some(a.evidence),
                archived_url: a.archived_url,
            });
        }
        Ok::<(), anyhow::Error>(())
    })?;
    report.transition_count = store.state_change_count()?;
    if lists.transitions {
        store.for_each_state_change(lists.limit, |c| {
            report.transitions.push(Transition {
                target: c.target,
                url: c.name,
                at: c.checked_at,
                from: c.from_state.name().into(),
                to: c.to.state().name().into(),
                reason: c.to.reason().map(String::from),
            });
            Ok::<(), anyhow::Error>(())
        })?;
    }
    Ok(report)
}

/// A gone post with the articles citing it.
fn gone_post(store: &Store, p: GoneTarget) -> Result<GonePost> {
    Ok(GonePost {
        articles: store.citing_articles(p.id)?,
        platform: p
            .platform
            .ok_or_else(|| anyhow::anyhow!("the gone post {} has no platform", p.id))?,
        post_id: p.post_id,
        post_url: p.url,
        reason: p.outcome.reason().map(String::from),
        first_seen_at: p.first_seen_at,
        gone_since: p.gone_since,
        archived_url: p.archived_url,
    })
}

/// The median of whole seconds (the mean of the middle two for an even
/// count).
fn median(mut v: Vec<i64>) -> Option<i64> {
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2),
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
    pub changed_from: Option<State>,
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
    let mut last_definite: Option<State> = None;
    let checks = rows
        .into_iter()
        .map(|check| {
            let mut changed_from = None;
            let state = check.outcome.state();
            if state != State::Unknown {
                changed_from = last_definite.filter(|prev| *prev != state);
                last_definite = Some(state);
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

    #[test]
    fn medians() {
        assert_eq!(median(vec![30, 10, 20, 50]), Some(25));
        assert_eq!(median(vec![7, 1, 3]), Some(3));
        assert_eq!(median(vec![]), None);
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
