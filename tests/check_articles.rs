//! `embarc check --articles` against a local server: live pages, moved
//! pages, soft 404s, 404/410, paywalls, rate limits, server errors,
//! timeouts, TLS failures, and pages whose embeds changed. (DNS failures
//! are classified like TLS ones; that is tested without a lookup, in
//! `check::ask`, so the tests never ask a real resolver.)

mod check_support;
mod common;

use check_support::{archive, embarc, embarc_strict, fast_config, query};
use common::{Reply, Req, Server};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

fn tweet(id: &str, text: &str) -> String {
    format!(
        r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{text}</p>&mdash; City Desk (@citydesk) <a href="https://twitter.com/citydesk/status/{id}?ref_src=twsrc%5Etfw">March 1, 2024</a></blockquote>"#
    )
}

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>Story</title></head><body><article><h1>Story</h1>{body}</article></body></html>"
    )
}

/// The page as archived: three embedded tweets.
fn original() -> String {
    page(&format!(
        "{}{}{}",
        tweet("1764000000000000001", "Crews on site"),
        tweet("1764000000000000002", "Road closed"),
        tweet("1764000000000000003", "Detour via Elm St")
    ))
}

fn handler(req: &Req) -> Reply {
    match req.path.as_str() {
        "/a/live" => Reply::html(original()),
        // One embed removed, one replaced by a publisher's tombstone.
        "/a/changed" => Reply::html(page(&format!(
            "{}<blockquote class=\"twitter-tweet\"><a href=\"https://twitter.com/citydesk/status/1764000000000000002\">Tweet may have been deleted</a></blockquote>",
            tweet("1764000000000000001", "Crews on site")
        ))),
        "/a/moved" => Reply::redirect(301, "/2024/03/new-slug"),
        "/2024/03/new-slug" => Reply::html(original()),
        "/a/retired" => Reply::redirect(302, "/"),
        "/" => Reply::html(page("<p>Home page</p>")),
        "/a/missing" => Reply::status(404, "text/html", page("<p>Not here</p>")),
        "/a/removed" => Reply::status(410, "text/html", page("<p>Removed</p>")),
        "/a/paywall" => Reply::status(403, "text/html", page("<p>Subscribe</p>")),
        "/a/login" => Reply::status(401, "text/html", page("<p>Sign in</p>")),
        "/a/busy" => Reply::status(429, "text/plain", "slow down"),
        "/a/broken" => Reply::status(503, "text/plain", "maintenance"),
        "/a/slow" => Reply::html(original()).delayed(Duration::from_secs(3)),
        p if p.starts_with("/wb/wayback/available") => {
            let url = query(p).get("url").cloned().unwrap_or_default();
            if url.ends_with("/a/missing") {
                Reply::status(
                    200,
                    "application/json",
                    format!(
                        r#"{{"url":"{url}","archived_snapshots":{{"closest":{{"status":"200","available":true,"url":"http://web.archive.org/web/20240301000000/{url}","timestamp":"20240301000000"}}}}}}"#
                    ),
                )
            } else {
                Reply::status(200, "application/json", r#"{"archived_snapshots":{}}"#)
            }
        }
        _ => Reply::status(500, "text/plain", "unexpected"),
    }
}

/// `check --json` results by URL.
fn results(stdout: &[u8]) -> HashMap<String, Value> {
    let summary: Value = serde_json::from_slice(stdout).unwrap();
    summary["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["url"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

#[test]
fn articles_are_classified_and_changed_embeds_are_evidence() {
    let server = Server::start_with_threads(2, handler);
    let dir = tempfile::tempdir().unwrap();
    let base = server.url("");
    let url = |p: &str| format!("{base}{p}");
    let paths = [
        "/a/live",
        "/a/changed",
        "/a/moved",
        "/a/retired",
        "/a/missing",
        "/a/removed",
        "/a/paywall",
        "/a/login",
        "/a/busy",
        "/a/broken",
        "/a/slow",
    ];
    let tls = format!("https://{}/a/tls", server.addr);
    let mut articles: Vec<(String, String)> = paths.iter().map(|p| (url(p), original())).collect();
    articles.push((tls.clone(), original()));
    articles.push(("file:///home/desk/story.html".into(), original()));
    let borrowed: Vec<(&str, &str)> = articles
        .iter()
        .map(|(u, h)| (u.as_str(), h.as_str()))
        .collect();
    archive(dir.path(), &borrowed);
    fast_config(dir.path());

    let out = embarc(dir.path(), &base)
        .args(["check", "--articles", "--stale", "24h", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = results(&out.stdout);
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["articles"]["not_checkable"], 1, "the local file");
    assert_eq!(summary["posts"]["checked"], 0, "--articles checks no post");

    let state = |u: &str| {
        let r = &got[u];
        (
            r["state"].as_str().unwrap().to_string(),
            r["reason"].as_str().map(str::to_string),
        )
    };
    let expect = |u: &str, s: &str, r: Option<&str>| {
        assert_eq!(
            state(u),
            (s.to_string(), r.map(str::to_string)),
            "{u}: {}",
            got[u]
        );
    };
    expect(&url("/a/live"), "alive", None);
    expect(&url("/a/changed"), "alive", None);
    expect(&url("/a/moved"), "alive", None);
    expect(&url("/a/retired"), "gone", Some("not_found"));
    expect(&url("/a/missing"), "gone", Some("not_found"));
    expect(&url("/a/removed"), "gone", Some("deleted"));
    expect(&url("/a/paywall"), "restricted", Some("login_required"));
    expect(&url("/a/login"), "restricted", Some("login_required"));
    expect(&url("/a/busy"), "unknown", Some("rate_limited"));
    expect(&url("/a/broken"), "unknown", Some("network_error"));
    expect(&url("/a/slow"), "unknown", Some("network_error"));
    expect(&tls, "unknown", Some("network_error"));

    let evidence = |u: &str| got[u]["evidence"].as_str().unwrap().to_string();
    assert_eq!(evidence(&url("/a/live")), "article: 200");
    assert_eq!(
        evidence(&url("/a/changed")),
        "article: 200; embeds changed: 1 post no longer cited (x:1764000000000000003); 1 post now a tombstone (x:1764000000000000002)"
    );
    assert_eq!(
        evidence(&url("/a/moved")),
        format!(
            "article: 200 after a redirect to {}",
            url("/2024/03/new-slug")
        )
    );
    assert_eq!(
        evidence(&url("/a/retired")),
        format!(
            "article: redirected to {} (soft 404) (asked twice)",
            url("/")
        )
    );
    assert_eq!(evidence(&url("/a/missing")), "article: 404 (asked twice)");
    assert_eq!(evidence(&tls), "article: no answer (tls)");
    assert_eq!(got[&url("/a/missing")]["http_status"], 404);
    assert_eq!(server.hits("/a/missing"), 2, "a 404 is asked twice");
    assert_eq!(server.hits("/a/live"), 1);

    // Gone articles are looked up in the Wayback Machine.
    assert_eq!(
        got[&url("/a/missing")]["archived_url"],
        format!(
            "http://web.archive.org/web/20240301000000/{}",
            url("/a/missing")
        )
    );
    assert!(got[&url("/a/removed")]["archived_url"].is_null());
    assert!(got[&url("/a/live")]["archived_url"].is_null());
    let asked: Vec<String> = server
        .all_hits()
        .keys()
        .filter(|p| p.starts_with("/wb/"))
        .map(|p| query(p)["url"].clone())
        .collect();
    assert!(!asked.contains(&url("/a/live")));

    // The report counts them.
    let out = embarc(dir.path(), &base)
        .args(["report", "--json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &report["articles"];
    assert_eq!(
        (
            a["total"].as_u64(),
            a["alive"].as_u64(),
            a["gone"].as_u64(),
            a["restricted"].as_u64(),
            a["unknown"].as_u64(),
            a["not_checkable"].as_u64()
        ),
        (Some(13), Some(3), Some(3), Some(2), Some(4), Some(1))
    );
    assert_eq!(a["gone_by_reason"]["not_found"], 2);
    assert_eq!(a["gone_by_reason"]["deleted"], 1);
    assert_eq!(report["gone_article_count"], 3);
    assert_eq!(
        report["gone_articles"],
        serde_json::json!([]),
        "listed unasked"
    );
}

#[test]
fn fail_on_rot_exits_2_only_when_a_checked_target_is_gone() {
    let server = Server::start(handler);
    let dir = tempfile::tempdir().unwrap();
    let live = server.url("/a/live");
    let missing = server.url("/a/missing");
    archive(dir.path(), &[(&live, &original()), (&missing, &original())]);
    fast_config(dir.path());
    let base = server.url("");
    embarc(dir.path(), &base)
        .args([
            "check",
            "--articles",
            "--fail-on-rot",
            "--limit",
            "1",
            "--stale",
            "24h",
        ])
        .assert()
        .code(0);
    embarc(dir.path(), &base)
        .args(["check", "--articles", "--fail-on-rot", "--stale", "24h"])
        .assert()
        .code(2);
    // Without the flag, rot is reported but the run is a success.
    embarc(dir.path(), &base)
        .args(["check", "--articles", "--stale", "0"])
        .assert()
        .code(0);
}

#[test]
fn an_article_on_an_internal_address_is_not_asked_again_unless_allowed() {
    let server = Server::start(handler);
    let dir = tempfile::tempdir().unwrap();
    let live = server.url("/a/live");
    archive(dir.path(), &[(&live, &original())]);
    fast_config(dir.path());
    let hits = server.hits("/a/live");
    // An archived article's URL is asked again as content: it may have come
    // from a sitemap, and its name may resolve inward by now.
    let out = embarc_strict(dir.path(), &server.url(""))
        .args(["check", "--articles", "--stale", "0", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\"unknown\"") && text.contains("\"blocked\""),
        "{text}"
    );
    assert_eq!(server.hits("/a/live"), hits, "the article was not asked");
}
