//! `embarc archive --push wayback`: the Wayback Machine's Save Page Now
//! played by a server on 127.0.0.1. A copy is recorded with its URL and
//! time; a refusing or slow service never fails or holds up the run.

mod common;

use assert_cmd::Command;
use common::{Reply, Server};
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

const ARTICLE: &str = r#"<!doctype html><html><head><title>Floods</title></head><body><article>
<p>Reporting on the story.</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">The river rose overnight.</p>&mdash; Desk (@newsdesk) <a href="https://twitter.com/newsdesk/status/1214387633146564608">January 7, 2020</a></blockquote>
</article></body></html>"#;

fn embarc(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("embarc").unwrap();
    c.arg("--archive")
        .arg(dir)
        .env_remove("EMBARC_ARCHIVE")
        .env_remove("EMBARC_WAYBACK_SAVE_URL")
        .env("EMBARC_ALLOW_PRIVATE", "1");
    c
}

/// An archive whose `wayback_save` endpoint is `spn`, with `extra` settings.
fn archive_dir(spn: &Server, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("embarc.toml"),
        format!(
            "[endpoints]\nwayback_save = \"{}\"\n[endpoints.rate]\nwayback_save = \"0\"\n{extra}",
            spn.url("")
        ),
    )
    .unwrap();
    dir
}

/// `archive --push wayback --json URL`: its JSON summary.
fn archive(dir: &Path, url: &str) -> serde_json::Value {
    let out = embarc(dir)
        .args([
            "archive",
            "--json",
            "--min-interval",
            "0",
            "--push",
            "wayback",
        ])
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (url, result, snapshot_url, snapshot_at, http_status) of every push.
type Row = (String, String, Option<String>, Option<String>, Option<i64>);

fn pushes(dir: &Path) -> Vec<Row> {
    let conn = Connection::open(dir.join("embarc.db")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT url, result, snapshot_url, snapshot_at, http_status FROM pushes ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn the_article_and_its_new_post_are_saved_once_with_the_copys_url_and_time() {
    let site = Server::start(|_| Reply::html(ARTICLE));
    let spn = Server::start(|req| match req.path.strip_prefix("/save/") {
        Some(url) => Reply::redirect(302, &format!("/web/20250301090000/{url}")),
        None => Reply::html("<html>the copy</html>"),
    });
    let dir = archive_dir(&spn, "");
    let article = site.url("/floods");
    let summary = archive(dir.path(), &article);
    assert_eq!(summary["pushed"]["saved"], 2, "{summary}");
    assert_eq!(summary["pushed"]["left"], 0);
    // Posts are pushed by their canonical URL.
    let post = "https://x.com/newsdesk/status/1214387633146564608";
    let rows = pushes(dir.path());
    let urls: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(urls, [article.as_str(), post]);
    for (url, result, copy, at, _) in &rows {
        assert_eq!(result, "saved");
        assert_eq!(
            copy.as_deref(),
            Some(spn.url(&format!("/web/20250301090000/{url}")).as_str())
        );
        assert_eq!(at.as_deref(), Some("2025-03-01T09:00:00Z"));
    }
    assert_eq!(spn.hits(&format!("/save/{post}")), 1);
    // A claim's case file lists the copies.
    embarc(dir.path())
        .args(["queue", "add", post, "--reason", "check it"])
        .assert()
        .success();
    let case = dir.path().join("case");
    embarc(dir.path())
        .args(["export", "case", "--claim", "1", "--out"])
        .arg(&case)
        .assert()
        .success();
    let summary = std::fs::read_to_string(case.join("summary.html")).unwrap();
    for (url, ..) in &rows {
        let copy = spn.url(&format!("/web/20250301090000/{url}"));
        assert!(summary.contains(&copy), "{copy} in {summary}");
    }
    // Archived again: nothing new to push, nothing asked.
    let summary = archive(dir.path(), &article);
    assert_eq!(summary["pushed"]["saved"], 0, "{summary}");
    assert_eq!(pushes(dir.path()).len(), 2);
    assert_eq!(spn.hits(&format!("/save/{post}")), 1);
}

#[test]
fn a_refusing_service_stops_the_pushes_not_the_run_and_the_next_run_asks_again() {
    let site = Server::start(|_| Reply::html(ARTICLE));
    let refusing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let spn = {
        let refusing = refusing.clone();
        Server::start(move |req| {
            if refusing.load(std::sync::atomic::Ordering::SeqCst) {
                return Reply::status(429, "text/plain", "slow down")
                    .with_header("Retry-After", "3600");
            }
            match req.path.strip_prefix("/save/") {
                Some(url) => Reply::redirect(302, &format!("/web/20250301090000/{url}")),
                None => Reply::html("<html>the copy</html>"),
            }
        })
    };
    let dir = archive_dir(&spn, "[check]\nretries = 0\n");
    let summary = archive(dir.path(), &site.url("/floods"));
    assert_eq!(summary["articles"], 1);
    assert_eq!(summary["pushed"]["refused"], 1, "{summary}");
    assert_eq!(
        summary["pushed"]["left"], 1,
        "the post waits for the next run"
    );
    assert!(
        summary["pushed"]["problem"]
            .as_str()
            .unwrap()
            .contains("429"),
        "{summary}"
    );
    let rows = pushes(dir.path());
    let results: Vec<(&str, Option<i64>)> = rows.iter().map(|r| (r.1.as_str(), r.4)).collect();
    assert_eq!(results, [("refused", Some(429)), ("left", None)]);
    // The service answers again: the next run asks both, each once.
    refusing.store(false, std::sync::atomic::Ordering::SeqCst);
    let summary = archive(dir.path(), &site.url("/floods"));
    assert_eq!(summary["pushed"]["saved"], 2, "{summary}");
    let summary = archive(dir.path(), &site.url("/floods"));
    assert_eq!(summary["pushed"]["saved"], 0, "{summary}");
}

#[test]
fn a_slow_service_is_given_up_within_the_budget() {
    let site = Server::start(|_| Reply::html(ARTICLE));
    let spn = Server::start(|_| Reply::html("late").delayed(Duration::from_secs(20)));
    let dir = archive_dir(
        &spn,
        "[check]\nretries = 0\ntimeout = \"1s\"\n[push]\nbudget = \"3s\"\n",
    );
    let started = Instant::now();
    let summary = archive(dir.path(), &site.url("/floods"));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(summary["articles"], 1);
    assert_eq!(summary["pushed"]["saved"], 0, "{summary}");
    assert!(
        summary["pushed"]["failed"].as_u64().unwrap() >= 1,
        "{summary}"
    );
    assert!(pushes(dir.path()).iter().all(|r| r.1 == "failed"));
}

#[test]
fn push_settings_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("embarc.toml"),
        "[push]\nservices = [\"archive.today\"]\n",
    )
    .unwrap();
    let text = dir.path().join("a.txt");
    std::fs::write(&text, "words").unwrap();
    let out = embarc(dir.path())
        .arg("archive")
        .arg(&text)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid settings in") && err.contains("\"archive.today\" is not a service"),
        "{err}"
    );
    let out = embarc(dir.path())
        .args(["archive", "--push", "archive.today"])
        .arg(&text)
        .output()
        .unwrap();
    assert!(!out.status.success());
}
