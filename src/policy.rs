//! The recheck policy: when a post or an article is checked next, from what
//! is known of its life. Pure: facts and the policy in, a time out.
//!
//! A post is checked at fixed ages after it was first seen (`ages`), then
//! every `then_every`. Once found gone it is checked at `gone_ages` after
//! the death, to catch a return, then every `then_every`. A check that could
//! not learn anything (`unknown`) is tried again sooner, after a back-off
//! that doubles from `RETRY_FIRST`, never later than the policy's own next
//! time. The next time is always the first point of the schedule after the
//! last check, so a scheduler that was stopped for days checks once, not
//! once per missed point.

use crate::config::Recheck;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The first retry after an `unknown` check; doubled for each one in a row.
const RETRY_FIRST: Duration = Duration::from_secs(3600);

/// When targets are checked again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub ages: Vec<Duration>,
    pub then_every: Duration,
    pub gone_ages: Vec<Duration>,
    pub articles_every: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        let d = |s: u64| Duration::from_secs(s);
        const H: u64 = 3600;
        const D: u64 = 24 * H;
        Policy {
            ages: vec![
                d(H),
                d(6 * H),
                d(D),
                d(3 * D),
                d(7 * D),
                d(30 * D),
                d(90 * D),
            ],
            then_every: d(90 * D),
            gone_ages: vec![d(D), d(7 * D), d(30 * D)],
            articles_every: d(7 * D),
        }
    }
}

/// What the schedule of one target depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub first_seen: DateTime<Utc>,
    /// The latest check, of any state.
    pub last_checked: Option<DateTime<Utc>>,
    /// The first check of the current death, when its latest definite
    /// state (`unknown` aside) is gone.
    pub gone_since: Option<DateTime<Utc>>,
    /// `unknown` checks in a row, latest last.
    pub unknown_streak: u32,
}

/// Parse a duration as `embarc.toml` writes them (`90m`, `6h`, `7d`).
pub fn parse_duration(text: &str) -> Result<Duration> {
    Ok(crate::duration::parse(text)?)
}

fn parse_ages(key: &str, ages: &[String]) -> Result<Vec<Duration>> {
    let ages = ages
        .iter()
        .map(|a| parse_duration(a))
        .collect::<Result<Vec<_>>>()
        .with_context(|| format!("[recheck] {key}"))?;
    if ages.windows(2).any(|w| w[0] >= w[1]) {
        bail!("[recheck] {key}: list the ages from the shortest to the longest, each once");
    }
    Ok(ages)
}

fn parse_every(key: &str, text: &str) -> Result<Duration> {
    let d = parse_duration(text).with_context(|| format!("[recheck] {key}"))?;
    if d.is_zero() {
        bail!("[recheck] {key}: must be longer than 0");
    }
    Ok(d)
}

impl Policy {
    /// The policy `[recheck]` sets (unset keys: the defaults).
    pub fn from_config(c: &Recheck) -> Result<Policy> {
        let mut p = Policy::default();
        if let Some(a) = &c.ages {
            p.ages = parse_ages("ages", a)?;
        }
        if let Some(a) = &c.gone_ages {
            p.gone_ages = parse_ages("gone_ages", a)?;
        }
        if let Some(e) = &c.then_every {
            p.then_every = parse_every("then_every", e)?;
        }
        if let Some(e) = &c.articles_every {
            p.articles_every = parse_every("articles_every", e)?;
        }
        Ok(p)
    }

    /// A stable text naming the policy: due times computed under another
    /// are computed again.
    pub fn fingerprint(&self) -> String {
        let list = |v: &[Duration]| {
            v.iter()
                .map(|d| d.as_secs().to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "ages={};then={};gone={};articles={}",
            list(&self.ages),
            self.then_every.as_secs(),
            list(&self.gone_ages),
            self.articles_every.as_secs()
        )
    }

    /// When a post is checked next.
    pub fn next_post_check(&self, f: &Facts) -> DateTime<Utc> {
        let (start, ages) = match f.gone_since {
            Some(g) => (g, &self.gone_ages),
            None => (f.first_seen, &self.ages),
        };
        let Some(last) = f.last_checked else {
            return add(start, ages.first().copied().unwrap_or_default());
        };
        let planned = ages
            .iter()
            .map(|a| add(start, *a))
            .find(|at| *at > last)
            .unwrap_or_else(|| add(last, self.then_every));
        retry(planned, last, f.unknown_streak)
    }

    /// When an article is checked next.
    pub fn next_article_check(&self, f: &Facts) -> DateTime<Utc> {
        let Some(last) = f.last_checked else {
            return add(f.first_seen, self.articles_every);
        };
        retry(add(last, self.articles_every), last, f.unknown_streak)
    }
}

/// After `streak` unknown checks in a row, the sooner of the planned time
/// and the back-off.
fn retry(planned: DateTime<Utc>, last: DateTime<Utc>, streak: u32) -> DateTime<Utc> {
    if streak == 0 {
        return planned;
    }
    let backoff = RETRY_FIRST.saturating_mul(1u32 << (streak - 1).min(16));
    planned.min(add(last, backoff))
}

fn add(at: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn facts(last: Option<&str>) -> Facts {
        Facts {
            first_seen: t("2025-01-01T00:00:00Z"),
            last_checked: last.map(t),
            gone_since: None,
            unknown_streak: 0,
        }
    }

    #[test]
    fn a_new_post_follows_the_ages_then_the_interval() {
        let p = Policy::default();
        assert_eq!(p.next_post_check(&facts(None)), t("2025-01-01T01:00:00Z"));
        // Checked a little late at 1h: next at 6h, not 1h after the check.
        assert_eq!(
            p.next_post_check(&facts(Some("2025-01-01T01:00:05Z"))),
            t("2025-01-01T06:00:00Z")
        );
        // Checked exactly at 6h: the next age.
        assert_eq!(
            p.next_post_check(&facts(Some("2025-01-01T06:00:00Z"))),
            t("2025-01-02T00:00:00Z")
        );
        // Missed several ages (the scheduler was stopped): only the next one.
        assert_eq!(
            p.next_post_check(&facts(Some("2025-01-05T00:00:00Z"))),
            t("2025-01-08T00:00:00Z")
        );
        // Past 90d: every 90d after the last check.
        assert_eq!(
            p.next_post_check(&facts(Some("2025-04-01T00:00:00Z"))),
            t("2025-06-30T00:00:00Z")
        );
    }

    #[test]
    fn a_gone_post_follows_the_gone_ages() {
        let p = Policy::default();
        let mut f = facts(Some("2025-02-01T00:00:00Z"));
        f.gone_since = Some(t("2025-02-01T00:00:00Z"));
        assert_eq!(p.next_post_check(&f), t("2025-02-02T00:00:00Z"));
        f.last_checked = Some(t("2025-02-02T00:00:00Z"));
        assert_eq!(p.next_post_check(&f), t("2025-02-08T00:00:00Z"));
        f.last_checked = Some(t("2025-03-03T00:00:00Z"));
        assert_eq!(p.next_post_check(&f), t("2025-06-01T00:00:00Z"));
    }

    #[test]
    fn unknown_answers_back_off_but_never_past_the_plan() {
        let p = Policy::default();
        let mut f = facts(Some("2025-01-10T00:00:00Z"));
        f.unknown_streak = 1;
        assert_eq!(p.next_post_check(&f), t("2025-01-10T01:00:00Z"));
        f.unknown_streak = 3;
        assert_eq!(p.next_post_check(&f), t("2025-01-10T04:00:00Z"));
        f.unknown_streak = 40;
        // The planned 30d age comes before a huge back-off.
        assert_eq!(p.next_post_check(&f), t("2025-01-31T00:00:00Z"));
    }

    #[test]
    fn articles_every_interval() {
        let p = Policy::default();
        assert_eq!(
            p.next_article_check(&facts(None)),
            t("2025-01-08T00:00:00Z")
        );
        assert_eq!(
            p.next_article_check(&facts(Some("2025-01-09T00:00:00Z"))),
            t("2025-01-16T00:00:00Z")
        );
    }

    #[test]
    fn settings_are_checked_and_named() {
        let c = Recheck {
            ages: Some(vec!["2h".into(), "1h".into()]),
            ..Recheck::default()
        };
        let e = format!("{:#}", Policy::from_config(&c).unwrap_err());
        assert!(
            e.contains("[recheck] ages") && e.contains("shortest"),
            "{e}"
        );
        let c = Recheck {
            then_every: Some("soon".into()),
            ..Recheck::default()
        };
        let e = format!("{:#}", Policy::from_config(&c).unwrap_err());
        assert!(e.contains("then_every") && e.contains("\"soon\""), "{e}");
        let c = Recheck {
            ages: Some(vec!["30m".into(), "12h".into()]),
            articles_every: Some("1d".into()),
            ..Recheck::default()
        };
        let p = Policy::from_config(&c).unwrap();
        assert_eq!(
            p.ages,
            [Duration::from_secs(1800), Duration::from_secs(43200)]
        );
        assert_ne!(p.fingerprint(), Policy::default().fingerprint());
    }
}
