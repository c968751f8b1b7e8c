//! `embarc check` without `--stale` follows the `[recheck]` policy: a post
//! is checked at the ages after it was first seen and not in between, a
//! gone post at the ages after its death, articles every `articles_every`;
//! a changed policy reschedules everything. The clock is `EMBARC_NOW`, and
//! the requests are counted at the local endpoints.

mod check_support;
mod common;
#[path = "check_support/x_post.rs"]
mod x_post;

use check_support::{archive_at, embarc, fast_config};
use common::{Reply, Server};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TEXT: &str = "Polls are open until 8pm";
const T0: &str = "2025-03-01T00:00:00Z";

/// Run `check` at `at` ("+1h" style offsets from T0 are spelled out by the
/// callers) and return the number of checks it made and its stderr.
fn check_at(dir: &Path, server: &Server, at: &str, args: &[&str]) -> (u64, String) {
    let out = embarc(dir, &server.url(""))
        .env("EMBARC_NOW", at)
        .args(["check", "--json"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["results"].as_array().unwrap().len() as u64, stderr)
}

#[test]
fn a_post_is_checked_at_the_policy_ages_and_not_between() {
    let alive = Arc::new(AtomicBool::new(true));
    let server = x_post::server(TEXT, alive.clone());
    let dir = tempfile::tempdir().unwrap();
    archive_at(
        dir.path(),
        T0,
        &[("https://news.example/a", &x_post::article(TEXT))],
    );
    fast_config(dir.path());
    // Requests to X's syndication endpoint, whatever the query.
    let syn = || -> usize {
        server
            .all_hits()
            .iter()
            .filter(|(p, _)| p.starts_with("/syn"))
            .map(|(_, n)| n)
            .sum()
    };
    let posts = ["--posts"];
    // Nothing due: the summary says how to check now anyway.
    let out = embarc(dir.path(), &server.url(""))
        .env("EMBARC_NOW", "2025-03-01T00:10:00Z")
        .args(["check", "--posts"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("not due yet by the [recheck] policy (`--stale 0` checks them now)"),
        "{said}"
    );

    // Default ages: 1h, 6h, 1d, 3d, ...
    for (at, checks) in [
        ("2025-03-01T00:30:00Z", 0),
        ("2025-03-01T01:00:00Z", 1),
        ("2025-03-01T01:00:00Z", 0),
        ("2025-03-01T03:00:00Z", 0),
        ("2025-03-01T05:59:59Z", 0),
        ("2025-03-01T06:00:01Z", 1),
        ("2025-03-01T12:00:00Z", 0),
        // The scheduler was away for days: one check, not one per missed age.
        ("2025-03-05T00:00:00Z", 1),
        ("2025-03-06T00:00:00Z", 0),
    ] {
        let before = syn();
        let (n, _) = check_at(dir.path(), &server, at, &posts);
        assert_eq!(n, checks, "checks at {at}");
        assert_eq!(syn() - before, checks as usize, "requests at {at}");
    }

    // The post dies at the 7d age; then it is checked 1d, 7d, 30d after.
    alive.store(false, Ordering::SeqCst);
    assert_eq!(
        check_at(dir.path(), &server, "2025-03-08T00:00:00Z", &posts).0,
        1
    );
    for (at, checks) in [
        ("2025-03-08T12:00:00Z", 0),
        ("2025-03-09T00:00:00Z", 1),
        ("2025-03-10T00:00:00Z", 0),
        ("2025-03-15T00:00:00Z", 1),
    ] {
        assert_eq!(
            check_at(dir.path(), &server, at, &posts).0,
            checks,
            "at {at}"
        );
    }

    // `--stale` keeps its meaning: by the last check, not the policy.
    assert_eq!(
        check_at(
            dir.path(),
            &server,
            "2025-03-16T00:00:00Z",
            &["--posts", "--stale", "12h"]
        )
        .0,
        1
    );

    // A new policy reschedules: checks every 2 days from now on.
    let toml = std::fs::read_to_string(dir.path().join("embarc.toml")).unwrap();
    std::fs::write(
        dir.path().join("embarc.toml"),
        format!("{toml}\n[recheck]\ngone_ages = []\nthen_every = \"2d\"\n"),
    )
    .unwrap();
    assert_eq!(
        check_at(dir.path(), &server, "2025-03-17T00:00:00Z", &posts).0,
        0
    );
    assert_eq!(
        check_at(dir.path(), &server, "2025-03-18T00:00:00Z", &posts).0,
        1
    );
}

#[test]
fn articles_follow_articles_every() {
    let server = x_post::server(TEXT, Arc::new(AtomicBool::new(true)));
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/articles/one");
    archive_at(dir.path(), T0, &[(&url, &x_post::article(TEXT))]);
    fast_config(dir.path());
    let toml = std::fs::read_to_string(dir.path().join("embarc.toml")).unwrap();
    std::fs::write(
        dir.path().join("embarc.toml"),
        format!("{toml}\n[recheck]\narticles_every = \"2d\"\n"),
    )
    .unwrap();
    let arts = ["--articles"];
    for (at, checks) in [
        ("2025-03-02T00:00:00Z", 0),
        ("2025-03-03T00:00:00Z", 1),
        ("2025-03-04T00:00:00Z", 0),
        ("2025-03-05T00:00:01Z", 1),
    ] {
        assert_eq!(
            check_at(dir.path(), &server, at, &arts).0,
            checks,
            "at {at}"
        );
    }
    assert_eq!(server.hits("/articles/one"), 2);
}

#[test]
fn a_broken_policy_is_named() {
    let dir = tempfile::tempdir().unwrap();
    archive_at(
        dir.path(),
        T0,
        &[("https://news.example/a", &x_post::article(TEXT))],
    );
    std::fs::write(
        dir.path().join("embarc.toml"),
        "[recheck]\nages = [\"6h\", \"1h\"]\n",
    )
    .unwrap();
    let out = embarc(dir.path(), "http://127.0.0.1:9")
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid settings") && err.contains("[recheck] ages"),
        "{err}"
    );
}

/// Each platform's posts run in a lane of their own: Bluesky posts due
/// after slow X posts are checked while the X posts wait for their
/// endpoint, not after them (one check at a time per lane here).
#[test]
fn platforms_are_checked_side_by_side() {
    const N: u64 = 6;
    let quotes: String = (0..N)
        .map(|i| {
            format!(
                r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Report {i}</p>&mdash; Desk (@desk) <a href="https://twitter.com/desk/status/{}">October 16, 2022</a></blockquote>"#,
                1_581_661_660_728_950_784u64 + i
            )
        })
        .chain((0..N).map(|i| {
            format!(
                r#"<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc/app.bsky.feed.post/3kpost{i}" data-bluesky-cid="bafyreia"><p lang="en">Report {i}</p>&mdash; Desk (<a href="https://bsky.app/profile/did:plc:abc">@desk.bsky.social</a>) <a href="https://bsky.app/profile/did:plc:abc/post/3kpost{i}">November 25, 2024 at 12:49 PM</a></blockquote>"#
            )
        }))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    archive_at(
        dir.path(),
        T0,
        &[(
            "https://news.example/a",
            &format!("<html><body><article>{quotes}</article></body></html>"),
        )],
    );
    check_support::config_with_concurrency(dir.path(), 1);
    // The order the endpoints were asked about each post in.
    let asked: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let log = asked.clone();
    let server = Server::start_with_threads(4, move |req| {
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        let q = check_support::query(&req.path);
        match route {
            "syn" => {
                log.lock().unwrap().push("x");
                Reply::status(
                    200,
                    "application/json",
                    format!(
                        r#"{{"__typename":"Tweet","id_str":"{}","text":"Report","user":{{"name":"Desk","screen_name":"desk"}}}}"#,
                        q.get("id").cloned().unwrap_or_default()
                    ),
                )
                .delayed(Duration::from_millis(300))
            }
            // getPosts: every post it is asked about, in one answer.
            "bsky" if req.path.contains("getPosts") => {
                let query = req.path.split_once('?').map(|(_, q)| q).unwrap_or_default();
                let posts: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
                    .filter(|(k, _)| k == "uris")
                    .map(|(_, uri)| {
                        log.lock().unwrap().push("bluesky");
                        format!(
                            r#"{{"uri":"{uri}","cid":"bafyreia","author":{{"did":"did:plc:abc","handle":"desk.bsky.social","displayName":"Desk"}},"record":{{"$type":"app.bsky.feed.post","text":"Report","createdAt":"2024-04-21T15:09:00.000Z"}}}}"#
                        )
                    })
                    .collect();
                Reply::status(
                    200,
                    "application/json",
                    format!(r#"{{"posts":[{}]}}"#, posts.join(",")),
                )
            }
            "bsky" => {
                log.lock().unwrap().push("bluesky");
                Reply::status(
                    200,
                    "application/json",
                    format!(
                        r#"{{"thread":{{"$type":"app.bsky.feed.defs#threadViewPost","post":{{"uri":"{}","cid":"bafyreia","author":{{"did":"did:plc:abc","handle":"desk.bsky.social","displayName":"Desk"}},"record":{{"$type":"app.bsky.feed.post","text":"Report","createdAt":"2024-04-21T15:09:00.000Z"}}}},"replies":[]}}}}"#,
                        q.get("uri").cloned().unwrap_or_default()
                    ),
                )
            }
            _ => Reply::status(500, "text/plain", "unexpected"),
        }
    });
    let (checked, stderr) = check_at(dir.path(), &server, "2025-03-01T01:00:00Z", &["--posts"]);
    assert_eq!(checked, 2 * N, "{stderr}");
    let asked = asked.lock().unwrap();
    assert_eq!(asked.len() as u64, 2 * N, "{asked:?}");
    // Every Bluesky post was asked about before the second X post (one
    // queue would have asked all six X posts first, 300 ms each).
    let second_x = asked
        .iter()
        .enumerate()
        .filter(|(_, p)| **p == "x")
        .nth(1)
        .map(|(i, _)| i)
        .unwrap();
    assert_eq!(
        asked[..second_x]
            .iter()
            .filter(|p| **p == "bluesky")
            .count() as u64,
        N,
        "{asked:?}"
    );
}
