//! One grammar for durations on the command line: `--min-interval 100ms`,
//! the timeouts as `2s`, and the bare numbers each flag took before (in its
//! old unit) still work; a bad one is a usage error that shows the forms.

mod common;

use assert_cmd::Command;
use common::{Reply, Server};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn page(n: usize) -> String {
    format!(
        "<html><body><article><p>Story {n}</p><blockquote class=\"twitter-tweet\"><p>Post</p>&mdash; Desk (@desk) <a href=\"https://twitter.com/desk/status/121438763314656460{n}\">January 7, 2020</a></blockquote></article></body></html>"
    )
}

/// Archives three pages of one host with `interval`; returns the gaps
/// between the starts of the page requests.
fn archive_with(interval: &str, extra: &[&str]) -> Vec<Duration> {
    let starts: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let seen = starts.clone();
    let server = Server::start(move |req| {
        if req.path.starts_with("/story") {
            seen.lock().unwrap().push(Instant::now());
            let n = req.path.trim_start_matches("/story").len();
            Reply::html(page(n))
        } else {
            Reply::status(404, "text/plain", "no")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let urls: Vec<String> = ["/story", "/story1", "/story12"]
        .iter()
        .map(|p| server.url(p))
        .collect();
    let out = Command::cargo_bin("embarc")
        .unwrap()
        .arg("--archive")
        .arg(dir.path())
        .env_remove("EMBARC_ARCHIVE")
        .env("EMBARC_ALLOW_PRIVATE", "1")
        .args([
            "archive",
            "--json",
            "--per-host",
            "1",
            "--min-interval",
            interval,
        ])
        .args(extra)
        .args(&urls)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["new_citations"], 3, "{summary}");
    let mut starts = starts.lock().unwrap().clone();
    starts.sort();
    starts.windows(2).map(|w| w[1] - w[0]).collect()
}

#[test]
fn min_interval_takes_a_duration_and_the_old_bare_milliseconds() {
    let timeouts = [
        "--timeout",
        "5s",
        "--connect-timeout",
        "2s",
        "--stall-timeout",
        "1500ms",
    ];
    for interval in ["250ms", "250"] {
        let gaps = archive_with(interval, &timeouts);
        assert_eq!(gaps.len(), 2);
        for gap in gaps {
            assert!(gap >= Duration::from_millis(200), "{interval}: {gap:?}");
        }
    }
    // The old bare seconds of the timeouts.
    assert_eq!(
        archive_with("0", &["--timeout", "5", "--stall-timeout", "2.5"]).len(),
        2
    );
}

#[test]
fn a_bad_duration_is_a_usage_error_that_shows_the_forms() {
    for (flag, value) in [
        ("--min-interval", "soon"),
        ("--timeout", "1 lightyear"),
        ("--max-age", "3 fortnights"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::cargo_bin("embarc")
            .unwrap()
            .arg("--archive")
            .arg(dir.path())
            .args(["archive", flag, value, "http://127.0.0.1:9/x"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{flag} {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag) && err.contains("100ms"), "{err}");
    }
}
