//! `/metrics`: the archive and the scheduler in Prometheus' text format.
//!
//! Gauges are read from the archive on each scrape (jobs by kind and state,
//! posts and articles by state, claims by status, webhook deliveries by
//! status), so they hold whichever process did the work. Counters and
//! histograms are this server's own scheduler's, since it started: checks
//! by target and state with their durations, watched sources run and
//! failed with their durations, webhooks delivered and failed.

use crate::store::Store;
use crate::watch::Event;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the duration histograms' buckets.
const BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// What this server's scheduler did since it started.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    /// (target, state) -> checks.
    checks: BTreeMap<(&'static str, &'static str), u64>,
    check_seconds: Histogram,
    sources_run: u64,
    sources_failed: u64,
    source_seconds: Histogram,
    webhooks_delivered: u64,
    webhooks_failed: u64,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Observations at or under each of [`BUCKETS`].
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, d: Duration) {
        let s = d.as_secs_f64();
        for (bound, n) in BUCKETS.iter().zip(&mut self.counts) {
            if s <= *bound {
                *n += 1;
            }
        }
        self.count += 1;
        self.sum += s;
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, n) in BUCKETS.iter().zip(self.counts) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum {}", self.sum);
        let _ = writeln!(out, "{name}_count {}", self.count);
    }
}

impl Metrics {
    /// Count what the scheduler reports.
    pub fn observe(&self, e: &Event) {
        let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match e {
            Event::Checked(k) => {
                *c.checks
                    .entry((k.target, k.outcome.state().name()))
                    .or_default() += 1;
                c.check_seconds.observe(k.took);
            }
            Event::Archived { took, .. } => {
                c.sources_run += 1;
                c.source_seconds.observe(*took);
            }
            Event::SourceFailed { took, .. } => {
                c.sources_run += 1;
                c.sources_failed += 1;
                c.source_seconds.observe(*took);
            }
            Event::Delivered(sent) => {
                c.webhooks_delivered += sent.delivered as u64;
                c.webhooks_failed += sent.failed as u64;
            }
            Event::Stopping { .. } => {}
        }
    }

    /// The whole text answer: the archive's gauges, then this server's
    /// counters.
    pub fn render(&self, store: &Store) -> crate::store::Result<String> {
        let mut out = String::new();
        gauge_header(&mut out, "embarc_jobs", "Scheduled jobs by kind and state.");
        for j in store.job_counts()? {
            for (state, n) in [
                ("total", j.total),
                ("due", j.due),
                ("running", j.running),
                ("failing", j.failing),
                ("unscheduled", j.unscheduled),
            ] {
                let _ = writeln!(
                    out,
                    "embarc_jobs{{kind=\"{}\",state=\"{state}\"}} {n}",
                    j.kind
                );
            }
        }
        gauge_header(
            &mut out,
            "embarc_posts",
            "Posts by platform and state (their latest check; unchecked: none yet).",
        );
        let mut posts: BTreeMap<(String, String), usize> = BTreeMap::new();
        for s in store.post_state_counts()? {
            let state = s.outcome.map_or("unchecked", |o| o.state().name());
            *posts.entry((s.group, state.to_string())).or_default() += s.count;
        }
        for ((platform, state), n) in posts {
            let _ = writeln!(
                out,
                "embarc_posts{{platform=\"{}\",state=\"{state}\"}} {n}",
                label(&platform)
            );
        }
        gauge_header(&mut out, "embarc_articles", "Articles by state.");
        let mut articles: BTreeMap<String, usize> = BTreeMap::new();
        for s in store.article_state_counts()? {
            *articles
                .entry(
                    s.outcome
                        .map_or("unchecked", |o| o.state().name())
                        .to_string(),
                )
                .or_default() += s.count;
        }
        for (state, n) in articles {
            let _ = writeln!(out, "embarc_articles{{state=\"{state}\"}} {n}");
        }
        gauge_header(&mut out, "embarc_claims", "Claims in the queue by status.");
        for (status, n) in store.claim_counts(&Default::default())? {
            let _ = writeln!(out, "embarc_claims{{status=\"{status}\"}} {n}");
        }
        gauge_header(
            &mut out,
            "embarc_webhook_deliveries",
            "Webhook deliveries by status.",
        );
        let d = store.delivery_counts()?;
        for (status, n) in [
            ("pending", d.pending),
            ("delivered", d.delivered),
            ("failed", d.failed),
        ] {
            let _ = writeln!(out, "embarc_webhook_deliveries{{status=\"{status}\"}} {n}");
        }

        let c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        counter_header(
            &mut out,
            "embarc_checks_total",
            "Checks this server's scheduler made, by target and state.",
        );
        for ((target, state), n) in &c.checks {
            let _ = writeln!(
                out,
                "embarc_checks_total{{target=\"{target}\",state=\"{state}\"}} {n}"
            );
        }
        c.check_seconds.write(
            &mut out,
            "embarc_check_duration_seconds",
            "Time to check one target (endpoint waits included).",
        );
        for (name, help, n) in [
            (
                "embarc_watch_runs_total",
                "Watched sources read by this server's scheduler.",
                c.sources_run,
            ),
            (
                "embarc_watch_failures_total",
                "Watched sources that failed.",
                c.sources_failed,
            ),
            (
                "embarc_webhooks_delivered_total",
                "Webhooks delivered by this server's scheduler.",
                c.webhooks_delivered,
            ),
            (
                "embarc_webhooks_failed_total",
                "Webhooks given up on by this server's scheduler.",
                c.webhooks_failed,
            ),
        ] {
            counter_header(&mut out, name, help);
            let _ = writeln!(out, "{name} {n}");
        }
        c.source_seconds.write(
            &mut out,
            "embarc_watch_duration_seconds",
            "Time to read one watched source and archive what it lists.",
        );
        Ok(out)
    }
}

fn gauge_header(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
}

fn counter_header(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
}

/// A label value as the format requires: backslash, quote and newline
/// escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_count_cumulatively_and_labels_are_escaped() {
        let mut h = Histogram::default();
        h.observe(Duration::from_millis(70));
        h.observe(Duration::from_secs(3));
        h.observe(Duration::from_secs(120));
        let mut out = String::new();
        h.write(&mut out, "t", "help");
        assert!(out.contains("t_bucket{le=\"0.05\"} 0\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"0.1\"} 1\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"5\"} 2\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"60\"} 2\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("t_count 3\n"), "{out}");
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
