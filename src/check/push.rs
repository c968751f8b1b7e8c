//! Pushing copies to a public archive: the Wayback Machine's Save Page Now
//! (`embarc archive --push wayback`), docs/platforms.md §6.
//!
//! Anonymous Save Page Now takes `GET /save/URL` and answers with the new
//! copy: a redirect to `/web/TIMESTAMP/URL` (followed here, so the final
//! URL names it) or its path in `Content-Location`. It limits anonymous
//! use, so requests go one at a time at the endpoint's rate (`wayback_save`,
//! 4 a minute by default), a 429 stops the pushes of the run (the rest are
//! pushed by the next run), and the run as a whole has a time budget: a
//! refusing or slow service never holds up or fails an archive run. Every
//! request is recorded, whatever came of it; a URL once saved is not pushed
//! again.

use super::ask::{Answer, Endpoint};
use super::settings::{self, Settings};
use crate::store::{NewPush, PushTarget, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The only service so far.
pub const WAYBACK: &str = "wayback";

/// `[push]` resolved: the services to push to after each run, and the
/// limits of a run's pushes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushConfig {
    pub services: Vec<String>,
    pub max: usize,
    pub budget: Duration,
}

impl PushConfig {
    /// Read and check `[push]`.
    pub fn from_config(config: &crate::config::Config) -> anyhow::Result<PushConfig> {
        let push = &config.push;
        for s in &push.services {
            if s != WAYBACK {
                anyhow::bail!(
                    "[push] services: {s:?} is not a service embarc pushes to (only \"wayback\")"
                );
            }
        }
        let budget = match &push.budget {
            Some(text) => crate::duration::parse(text)
                .map_err(|e| anyhow::anyhow!("[push] budget = {text:?}: {e}"))?,
            None => Duration::from_secs(300),
        };
        Ok(PushConfig {
            services: push.services.clone(),
            max: push.max.unwrap_or(100),
            budget,
        })
    }
}

/// What a run pushes and for how long.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Articles captured and posts first found at or after this time
    /// (the store's clock, RFC 3339).
    pub since: String,
    /// At most this many requests.
    pub max: usize,
    /// No new request after this long.
    pub budget: Duration,
    pub stop: Option<Arc<AtomicBool>>,
}

/// What a run's pushes came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PushSummary {
    pub saved: usize,
    pub refused: usize,
    pub failed: usize,
    /// Due but not asked: the budget ran out, the service said to stop, or
    /// the run was interrupted (the next run pushes them).
    pub left: usize,
    /// What the last request that did not save answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// What one request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    Saved {
        snapshot_url: String,
        snapshot_at: String,
    },
    /// The service answered but made no copy (`http_status`); a 429 stops
    /// the run's pushes.
    Refused { http_status: u16, detail: String },
    /// No answer (network, timeout).
    Failed { detail: String },
}

impl Pushed {
    /// The row that records it.
    fn as_record(&self) -> NewPush<'_> {
        let none = NewPush {
            service: WAYBACK,
            result: "failed",
            snapshot_url: None,
            snapshot_at: None,
            http_status: None,
            detail: "",
        };
        match self {
            Pushed::Saved {
                snapshot_url,
                snapshot_at,
            } => NewPush {
                result: "saved",
                snapshot_url: Some(snapshot_url),
                snapshot_at: Some(snapshot_at.as_str()).filter(|t| !t.is_empty()),
                ..none
            },
            Pushed::Refused {
                http_status,
                detail,
            } => NewPush {
                result: "refused",
                http_status: Some(*http_status),
                detail,
                ..none
            },
            Pushed::Failed { detail } => NewPush { detail, ..none },
        }
    }
}

/// Ask Save Page Now for a copy of `url`.
pub async fn save(endpoint: &Endpoint, url: &str) -> Pushed {
    let Some(base) = endpoint.base() else {
        return Pushed::Failed {
            detail: "no wayback_save endpoint configured".into(),
        };
    };
    // Everything after `/save/` is the URL, its query included.
    let Ok(ask) = url::Url::parse(&format!(
        "{}/save/{url}",
        base.as_str().trim_end_matches('/')
    )) else {
        return Pushed::Failed {
            detail: format!("cannot ask to save {url:?}: not a URL"),
        };
    };
    match endpoint.get(&ask).await {
        Answer::Http(r) => {
            let status = r.status();
            let copy = Some(r.final_url().clone())
                .filter(|u| u.path().starts_with("/web/"))
                .or_else(|| {
                    r.header("content-location")
                        .filter(|p| p.starts_with("/web/"))
                        .and_then(|p| base.join(p).ok())
                });
            match copy.filter(|_| status < 400) {
                Some(copy) => Pushed::Saved {
                    snapshot_at: snapshot_time(copy.path()).unwrap_or_default(),
                    snapshot_url: copy.to_string(),
                },
                None => Pushed::Refused {
                    http_status: status,
                    detail: format!("HTTP {status} without a copy"),
                },
            }
        }
        Answer::Failed(e) => Pushed::Failed {
            detail: e.to_string(),
        },
        Answer::Held => Pushed::Refused {
            http_status: 429,
            detail: "the service asked to wait longer than embarc waits".into(),
        },
    }
}

/// `/web/20250301090000/https://…` → `2025-03-01T09:00:00Z`.
fn snapshot_time(path: &str) -> Option<String> {
    let ts = path.strip_prefix("/web/")?.split('/').next()?;
    let digits: String = ts.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 14 {
        return None;
    }
    let d = |r: std::ops::Range<usize>| &digits[r];
    Some(format!(
        "{}-{}-{}T{}:{}:{}Z",
        d(0..4),
        d(4..6),
        d(6..8),
        d(8..10),
        d(10..12),
        d(12..14)
    ))
}

/// Push what `opts` selects, one request at a time, recording each.
pub async fn run(
    store: &Store,
    settings: &Settings,
    opts: &PushOptions,
) -> Result<PushSummary, crate::store::Error> {
    let mut summary = PushSummary::default();
    let targets: Vec<PushTarget> = {
        let store = store.clone();
        let (since, max) = (opts.since.clone(), opts.max);
        tokio::task::spawn_blocking(move || store.push_targets(&since, WAYBACK, max))
            .await
            .map_err(|e| crate::store::Error::Unexpected(format!("a store task stopped: {e}")))??
    };
    if targets.is_empty() {
        return Ok(summary);
    }
    let endpoint = match Endpoint::new(&settings::WAYBACK_SAVE, settings, None) {
        Ok(e) => e,
        Err(e) => {
            summary.left = targets.len();
            tracing::warn!("cannot push: {e}");
            return Ok(summary);
        }
    };
    let started = Instant::now();
    let stopped = || opts.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst));
    let mut stop_reason = None;
    let mut asked = 0;
    for target in &targets {
        let left = opts.budget.saturating_sub(started.elapsed());
        if left.is_zero() {
            stop_reason = Some("not asked: the run's push budget ran out");
            break;
        }
        if stopped() {
            stop_reason = Some("not asked: the run was interrupted");
            break;
        }
        asked += 1;
        let pushed = match tokio::time::timeout(left, save(&endpoint, &target.url)).await {
            Ok(p) => p,
            Err(_) => Pushed::Failed {
                detail: format!(
                    "the push budget of {} ran out",
                    humantime::format_duration(opts.budget)
                ),
            },
        };
        let push = pushed.as_record();
        store.record_push(target, &push)?;
        if push.result != "saved" {
            summary.problem = Some(format!("{}: {}", target.url, push.detail));
        }
        match pushed {
            Pushed::Saved { .. } => summary.saved += 1,
            Pushed::Refused { http_status, .. } => {
                summary.refused += 1;
                if http_status == 429 {
                    stop_reason = Some("not asked: the service said to slow down (429)");
                    break;
                }
            }
            Pushed::Failed { .. } => summary.failed += 1,
        }
    }
    // What was not asked is recorded too, so the next run asks it.
    if let Some(reason) = stop_reason {
        let unasked = Pushed::Failed {
            detail: reason.to_string(),
        };
        let left = NewPush {
            result: "left",
            ..unasked.as_record()
        };
        for target in &targets[asked..] {
            store.record_push(target, &left)?;
            summary.left += 1;
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copys_time_is_read_from_its_path() {
        assert_eq!(
            snapshot_time("/web/20250301090000/https://example.org/a").as_deref(),
            Some("2025-03-01T09:00:00Z")
        );
        assert_eq!(
            snapshot_time("/web/20250301090000id_/https://example.org/a").as_deref(),
            Some("2025-03-01T09:00:00Z")
        );
        assert_eq!(snapshot_time("/web/2025/x"), None);
        assert_eq!(snapshot_time("/save/x"), None);
    }
}
