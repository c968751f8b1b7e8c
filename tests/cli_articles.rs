//! End-to-end tests of `embarc article show|remove` and the export filters
//! `--site`, `--article`, `--since`, `--until` (issue 15 item 10), and of
//! who `--by` names when it is not given (issue 9 item 7).

mod common;

use assert_cmd::Command;
use common::{Reply, Server};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

const BASE_ID: u64 = 1_214_387_633_146_564_608;

fn embarc(archive: &Path) -> Command {
    let mut cmd = Command::cargo_bin("embarc").expect("the embarc binary is built");
    // Web inputs are test servers on 127.0.0.1, an internal address.
    cmd.env("EMBARC_ALLOW_PRIVATE", "1")
        .env_remove("EMBARC_ARCHIVE")
        .env_remove("EMBARC_LOG")
        .env_remove("EMBARC_USER")
        .env_remove("EMBARC_NOW")
        .arg("--archive")
        .arg(archive);
    cmd
}

fn tweet(n: u64, handle: &str, text: &str) -> String {
    format!(
        "<blockquote class=\"twitter-tweet\"><p>{text}</p>&mdash; {handle} (@{handle}) \
         <a href=\"https://twitter.com/{handle}/status/{}\">January 7, 2020</a></blockquote>\n",
        BASE_ID + n
    )
}

fn page(posts: &[String]) -> String {
    format!(
        "<!doctype html><html><body><article><p>Story.</p>{}</article></body></html>",
        posts.concat()
    )
}

/// `one.html` (posts 0 and 1, the second BREAKING) archived on 2025-01-01,
/// `two.html` (posts 1 and 2) on 2025-02-01.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    archive: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let archive = root.join("arc");
    let shared = tweet(1, "bob", "BREAKING: the bridge is closed");
    fs::write(
        root.join("one.html"),
        page(&[tweet(0, "alice", "Only in one"), shared.clone()]),
    )
    .unwrap();
    fs::write(
        root.join("two.html"),
        page(&[shared, tweet(2, "carol", "Only in two")]),
    )
    .unwrap();
    for (file, day) in [("one.html", "2025-01-01"), ("two.html", "2025-02-01")] {
        embarc(&archive)
            .env("EMBARC_NOW", day)
            .arg("archive")
            .arg(root.join(file))
            .assert()
            .success();
    }
    Fixture {
        _dir: dir,
        root,
        archive,
    }
}

fn stdout_json(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn ids(rows: &Value, field: &str) -> Vec<String> {
    let mut ids: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[field].as_str().unwrap_or_default().to_string())
        .collect();
    ids.sort();
    ids
}

fn id(n: u64) -> String {
    (BASE_ID + n).to_string()
}

#[test]
fn article_show_lists_captures_citations_and_checks() {
    let f = fixture();
    let shown = stdout_json(
        embarc(&f.archive)
            .args(["article", "show", "--json"])
            .arg(f.root.join("one.html")),
    );
    assert!(shown["url"].as_str().unwrap().ends_with("/one.html"));
    assert_eq!(shown["captures"].as_array().unwrap().len(), 1);
    assert_eq!(shown["captures"][0]["source"], "file");
    assert_eq!(shown["captures"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(ids(&shown["citations"], "post_id"), vec![id(0), id(1)]);
    assert!(shown["checks"].as_array().unwrap().is_empty());
    // The BREAKING post's claim is named.
    let claimed: Vec<&Value> = shown["citations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["claim"].is_i64())
        .collect();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0]["post_id"], id(1).as_str());

    // By id, as text: the same article.
    let by_id = shown["id"].as_i64().unwrap().to_string();
    let out = embarc(&f.archive)
        .args(["article", "show", &by_id])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("one.html"), "{text}");
    assert!(
        text.contains(&format!("x.com/bob/status/{}", id(1))),
        "{text}"
    );
    assert!(text.contains("claim #"), "{text}");
    assert!(text.contains("captures (1):"), "{text}");
}

#[test]
fn article_show_unknown_says_so() {
    let f = fixture();
    let out = embarc(&f.archive)
        .args(["article", "show", "https://example.org/never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("embarc: error: no article https://example.org/never in the archive"),
        "{err}"
    );
    let out = embarc(&f.archive)
        .args(["article", "show", "999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no article with id 999"));
}

#[test]
fn article_remove_takes_citations_and_orphans_keeps_shared_posts_and_records_who() {
    let f = fixture();
    let out = embarc(&f.archive)
        .args(["article", "remove", "--json", "--by", "editor"])
        .arg(f.root.join("one.html"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let removed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(removed["captures"], 1);
    assert_eq!(removed["citations"], 2);
    // Post 0 was cited only by one.html; post 1 is still cited by two.html.
    assert_eq!(removed["posts"], 1);
    let posts = stdout_json(embarc(&f.archive).args(["export", "posts", "--format", "json"]));
    assert_eq!(ids(&posts, "post_id"), vec![id(1), id(2)]);
    let citations =
        stdout_json(embarc(&f.archive).args(["export", "citations", "--format", "json"]));
    assert!(
        citations
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["article_url"].as_str().unwrap().ends_with("/two.html"))
    );
    // The shared post's claim stays in the queue.
    let queue = stdout_json(embarc(&f.archive).args(["export", "queue", "--format", "json"]));
    assert_eq!(queue.as_array().unwrap().len(), 1);
    // Gone from the archive, and the removal is on record with who did it.
    let out = embarc(&f.archive)
        .args(["article", "show"])
        .arg(f.root.join("one.html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let db = rusqlite::Connection::open(f.archive.join("embarc.db")).unwrap();
    let (actor, url, detail): (String, String, String) = db
        .query_row("SELECT actor, url, detail FROM removals", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(actor, "editor");
    assert!(url.ends_with("/one.html"));
    assert!(detail.contains("\"posts\":1"), "{detail}");
    let check: String = db
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .unwrap_or_default();
    assert_eq!(check, "", "no row points at a removed one");
}

#[test]
fn article_remove_keeps_a_post_whose_claim_a_person_worked_on() {
    let f = fixture();
    // Only one.html cites post 1 after two.html goes; a checker took it.
    embarc(&f.archive)
        .args(["queue", "assign", "1", "dana", "--by", "dana"])
        .assert()
        .success();
    embarc(&f.archive)
        .args(["article", "remove", "--by", "editor"])
        .arg(f.root.join("two.html"))
        .assert()
        .success();
    let out = embarc(&f.archive)
        .args(["article", "remove", "--by", "editor"])
        .arg(f.root.join("one.html"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kept the posts of claims #1"), "{err}");
    let posts = stdout_json(embarc(&f.archive).args(["export", "posts", "--format", "json"]));
    assert_eq!(ids(&posts, "post_id"), vec![id(1)]);
    let queue = stdout_json(embarc(&f.archive).args(["export", "queue", "--format", "json"]));
    assert_eq!(queue[0]["assignee"], "dana");
}

#[test]
fn export_filters_by_article_and_time() {
    let f = fixture();
    let one = f.root.join("one.html");
    let one = one.to_str().unwrap();
    let citations = stdout_json(embarc(&f.archive).args([
        "export",
        "citations",
        "--format",
        "json",
        "--article",
        one,
    ]));
    assert_eq!(ids(&citations, "post_id"), vec![id(0), id(1)]);
    let posts = stdout_json(embarc(&f.archive).args([
        "export",
        "posts",
        "--format",
        "json",
        "--article",
        one,
    ]));
    assert_eq!(ids(&posts, "post_id"), vec![id(0), id(1)]);

    // Citations by when their article was read with them; posts by when
    // first found: post 1 was found on 2025-01-01 with one.html.
    let since = ["--since", "2025-01-15"];
    let citations = stdout_json(
        embarc(&f.archive)
            .args(["export", "citations", "--format", "json"])
            .args(since),
    );
    assert_eq!(ids(&citations, "post_id"), vec![id(1), id(2)]);
    let posts = stdout_json(
        embarc(&f.archive)
            .args(["export", "posts", "--format", "json"])
            .args(since),
    );
    assert_eq!(ids(&posts, "post_id"), vec![id(2)]);
    let posts = stdout_json(embarc(&f.archive).args([
        "export",
        "posts",
        "--format",
        "json",
        "--until",
        "2025-01-15T00:00:00Z",
    ]));
    assert_eq!(ids(&posts, "post_id"), vec![id(0), id(1)]);
    // The queue by when claims were queued.
    let queue = stdout_json(embarc(&f.archive).args([
        "export",
        "queue",
        "--format",
        "json",
        "--since",
        "2025-01-15",
    ]));
    assert!(queue.as_array().unwrap().is_empty());
    let queue = stdout_json(embarc(&f.archive).args([
        "export",
        "queue",
        "--format",
        "json",
        "--article",
        one,
    ]));
    assert_eq!(queue.as_array().unwrap().len(), 1);

    // A bad time or an unknown article: one clear error.
    let out = embarc(&f.archive)
        .args(["export", "posts", "--since", "last tuesday"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a time"), "{err}");
    let out = embarc(&f.archive)
        .args(["export", "posts", "--article", "https://example.org/none"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no article https://example.org/none"));
}

#[test]
fn export_filters_by_site() {
    let f = fixture();
    let body = page(&[tweet(7, "dave", "From the web")]);
    let server = Server::start(move |_| Reply::html(body.clone()));
    embarc(&f.archive)
        .arg("archive")
        .arg(server.url("/story"))
        .assert()
        .success();
    let citations = stdout_json(embarc(&f.archive).args([
        "export",
        "citations",
        "--format",
        "json",
        "--site",
        "127.0.0.1",
    ]));
    assert_eq!(ids(&citations, "post_id"), vec![id(7)]);
    let posts = stdout_json(
        embarc(&f.archive).args(["export", "posts", "--format", "json", "--site", "file"]),
    );
    assert_eq!(ids(&posts, "post_id"), vec![id(0), id(1), id(2)]);
    let none = stdout_json(embarc(&f.archive).args([
        "export",
        "posts",
        "--format",
        "json",
        "--site",
        "example.org",
    ]));
    assert!(none.as_array().unwrap().is_empty());
}

#[test]
fn by_falls_back_to_user_then_the_system_account() {
    let f = fixture();
    // USER when EMBARC_USER is unset.
    embarc(&f.archive)
        .env("USER", "from-user")
        .env_remove("USERNAME")
        .args(["queue", "note", "1", "first"])
        .assert()
        .success();
    // Neither: the operating system's name for the running user.
    embarc(&f.archive)
        .env_remove("USER")
        .env_remove("USERNAME")
        .args(["queue", "note", "1", "second"])
        .assert()
        .success();
    let queue = stdout_json(embarc(&f.archive).args(["export", "queue", "--format", "json"]));
    let actors: Vec<&str> = queue[0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "note")
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors[0], "from-user");
    let system = system_user();
    assert_eq!(actors[1], system);
}

/// The running user's name as `id -un` says it.
fn system_user() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
