//! Checks are appended, never overwritten: a post that dies and comes back
//! shows both transitions in its history and in `report`; `--stale` leaves
//! recently checked targets alone (no request at all); `--limit` and
//! `--platform` select.

mod check_support;
mod common;

use check_support::{archive, embarc, fast_config, sr, states};
use common::{Reply, Server};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const ID: &str = "1581661660728950784";
const POST: &str = "https://x.com/electiondesk/status/1581661660728950784";

fn article() -> String {
    format!(
        r#"<html><body><article><blockquote class="twitter-tweet"><p lang="en" dir="ltr">Polls are open until 8pm</p>&mdash; Election Desk (@electiondesk) <a href="https://twitter.com/electiondesk/status/{ID}">October 16, 2022</a></blockquote>
        <p>Also <a href="https://t.me/newschan/101">on Telegram</a>.</p></article></body></html>"#
    )
}

/// X answers for the post depend on `alive`; Telegram always has it.
fn server(alive: Arc<AtomicBool>) -> Server {
    Server::start(move |req| {
        let json = |status, body: &str| Reply::status(status, "application/json", body);
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        let up = alive.load(Ordering::SeqCst);
        match route {
            "syn" if up => json(
                200,
                &format!(
                    r#"{{"__typename":"Tweet","id_str":"{ID}","text":"Polls are open until 8pm","created_at":"2022-10-16T15:01:40.000Z","lang":"en","user":{{"name":"Election Desk","screen_name":"electiondesk"}}}}"#
                ),
            ),
            "syn" | "xo" => Reply::status(404, "text/plain", "Not Found"),
            "articles" => Reply::html(article()),
            "tg" => Reply::html(
                r#"<div class="tgme_widget_message_bubble"><div class="tgme_widget_message_text">Sirens</div></div>"#,
            ),
            "wb" => json(
                200,
                r#"{"archived_snapshots":{"closest":{"available":true,"status":"200","timestamp":"20221016160000","url":"http://web.archive.org/web/20221016160000/https://x.com/electiondesk/status/1581661660728950784"}}}"#,
            ),
            _ => Reply::status(500, "text/plain", "unexpected"),
        }
    })
}

fn json_out(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_post_that_dies_and_comes_back_shows_both_transitions() {
    let alive = Arc::new(AtomicBool::new(true));
    let server = server(alive.clone());
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), &[("https://news.example/night", &article())]);
    fast_config(dir.path());
    let base = server.url("");
    let check = || {
        let mut c = embarc(dir.path(), &base);
        c.args(["check", "--posts", "--platform", "x", "--stale", "0"]);
        c
    };

    check().assert().success();
    assert_eq!(states(dir.path())[POST], sr("alive", None));
    alive.store(false, Ordering::SeqCst);
    let out = check().output().unwrap();
    // Results on stdout, so they can be piped; the summary on stderr.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("gone (deleted)") && stdout.contains("[was alive]"),
        "{stdout}"
    );
    assert_eq!(states(dir.path())[POST], sr("gone", Some("deleted")));
    alive.store(true, Ordering::SeqCst);
    check().assert().success();
    assert_eq!(states(dir.path())[POST], sr("alive", None));

    // Every check is kept, each change marked.
    let h = json_out(embarc(dir.path(), &base).args(["report", "--json", "--history", POST]));
    let checks = h["checks"].as_array().unwrap();
    let seen: Vec<(&str, Option<&str>, Option<&str>)> = checks
        .iter()
        .map(|c| {
            (
                c["state"].as_str().unwrap(),
                c["reason"].as_str(),
                c["changed_from"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("alive", None, None),
            ("gone", Some("deleted"), Some("alive")),
            ("alive", None, Some("gone")),
        ]
    );
    assert_eq!(
        checks[1]["archived_url"],
        "http://web.archive.org/web/20221016160000/https://x.com/electiondesk/status/1581661660728950784"
    );
    // The same history by platform:id, and as text.
    let text = embarc(dir.path(), &base)
        .args(["report", "--history", &format!("x:{ID}")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("gone (deleted)  [alive -> gone]"), "{text}");
    assert!(text.contains("alive  [gone -> alive]"), "{text}");

    // The report lists both transitions; the post is alive again.
    let r = json_out(embarc(dir.path(), &base).args(["report", "--json", "--list", "transitions"]));
    let transitions: Vec<(&str, &str, &str)> = r["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["url"] == POST)
        .map(|t| {
            (
                t["from"].as_str().unwrap(),
                t["to"].as_str().unwrap(),
                t["target"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        transitions,
        [("alive", "gone", "post"), ("gone", "alive", "post")]
    );
    assert_eq!(r["posts"]["alive"], 1);
    assert_eq!(r["posts"]["gone"], 0);
    assert_eq!(
        r["posts"]["unchecked"], 1,
        "the Telegram post was not checked"
    );
    let text = embarc(dir.path(), &base)
        .args(["report", "--list", "transitions"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("post {POST}  alive -> gone (deleted)")),
        "{text}"
    );
    assert!(
        text.contains(&format!("post {POST}  gone -> alive")),
        "{text}"
    );
    let md = embarc(dir.path(), &base)
        .args(["report", "--markdown", "--list", "transitions"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains(&format!("| post {POST} | gone | alive |")),
        "{md}"
    );
}

#[test]
fn a_second_run_within_stale_sends_no_request() {
    let server = server(Arc::new(AtomicBool::new(true)));
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (server.url("/articles/1"), server.url("/articles/2"));
    archive(dir.path(), &[(&one, &article()), (&two, &article())]);
    fast_config(dir.path());
    let base = server.url("");
    let total = || server.all_hits().values().sum::<usize>();

    let first = json_out(embarc(dir.path(), &base).args(["check", "--stale", "1h", "--json"]));
    assert_eq!(first["posts"]["checked"], 2);
    assert_eq!(first["articles"]["checked"], 2);
    let after_first = total();
    assert!(after_first >= 4, "{:?}", server.all_hits());

    let second = json_out(embarc(dir.path(), &base).args(["check", "--stale", "1h", "--json"]));
    assert_eq!(total(), after_first, "no request the second time");
    assert_eq!(second["posts"]["checked"], 0);
    assert_eq!(second["posts"]["fresh"], 2);
    assert_eq!(second["articles"]["fresh"], 2);
    assert!(second["results"].as_array().unwrap().is_empty());

    // With --stale 0 everything is due again; --limit picks the least
    // recently checked.
    let third = json_out(
        embarc(dir.path(), &base)
            .args(["check", "--posts", "--stale", "0", "--limit", "1", "--json"]),
    );
    assert_eq!(third["posts"]["checked"], 1);
    assert!(total() > after_first);

    // --platform also selects the articles that cite a post of it.
    let none = json_out(embarc(dir.path(), &base).args([
        "check",
        "--articles",
        "--platform",
        "bluesky",
        "--stale",
        "0",
        "--json",
    ]));
    assert_eq!(none["articles"]["checked"], 0);
    let both = json_out(embarc(dir.path(), &base).args([
        "check",
        "--articles",
        "--platform",
        "telegram",
        "--stale",
        "0",
        "--json",
    ]));
    assert_eq!(both["articles"]["checked"], 2);
}

#[test]
fn bad_arguments_and_settings_are_named() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), &[("https://news.example/night", &article())]);
    let out = embarc(dir.path(), "http://127.0.0.1:9")
        .args(["check", "--stale", "soon"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("soon") && err.contains("30m, 1h or 7d"),
        "{err}"
    );

    let out = embarc(dir.path(), "http://127.0.0.1:9")
        .args(["check", "--platform", "myspace"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("myspace"));

    let out = embarc(dir.path(), "http://127.0.0.1:9")
        .env("EMBARC_X_OEMBED_URL", "publish.twitter.com")
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("EMBARC_X_OEMBED_URL"), "{err}");

    let out = embarc(dir.path(), "http://127.0.0.1:9")
        .args(["report", "--history", "https://x.com/nobody/status/1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no post or article"));

    let empty = tempfile::tempdir().unwrap();
    let out = embarc(empty.path(), "http://127.0.0.1:9")
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no archive"));
}

#[test]
fn embarc_now_fixes_checked_at_and_the_stale_cutoff() {
    let server = server(Arc::new(AtomicBool::new(true)));
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (server.url("/articles/1"), server.url("/articles/2"));
    archive(dir.path(), &[(&one, &article()), (&two, &article())]);
    fast_config(dir.path());
    let base = server.url("");
    let total = || server.all_hits().values().sum::<usize>();
    let check = |now: &str, stale: &str| {
        json_out(
            embarc(dir.path(), &base)
                .env("EMBARC_NOW", now)
                .args(["check", "--stale", stale, "--json"]),
        )
    };
    let times = |run: &Value| -> Vec<String> {
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["checked_at"].as_str().unwrap().to_string())
            .collect()
    };

    let first = check("2025-06-01T12:00:00Z", "30m");
    assert_eq!(first["posts"]["checked"], 2);
    assert_eq!(first["articles"]["checked"], 2);
    assert_eq!(times(&first), ["2025-06-01T12:00:00.000Z"; 4]);
    let after_first = total();

    // Ten minutes later by the fixed clock: everything is fresh, nothing is
    // asked (the real clock is long past the cutoff).
    let second = check("2025-06-01T12:10:00Z", "30m");
    assert_eq!(total(), after_first, "no request ten minutes later");
    assert_eq!(second["posts"]["checked"], 0);
    assert_eq!(second["posts"]["fresh"], 2);
    assert_eq!(second["articles"]["fresh"], 2);

    // An hour later: everything is due again.
    let third = check("2025-06-01T13:00:00Z", "30m");
    assert!(total() > after_first, "requests an hour later");
    assert_eq!(third["posts"]["checked"], 2);
    assert_eq!(third["articles"]["checked"], 2);
    assert_eq!(times(&third), ["2025-06-01T13:00:00.000Z"; 4]);

    // --stale 0 means every target, even those checked at this very time.
    let again = check("2025-06-01T13:00:00Z", "0");
    assert_eq!(again["posts"]["checked"], 2);
    assert_eq!(again["articles"]["checked"], 2);

    // The stored history and the exports carry the fixed times.
    let h = json_out(embarc(dir.path(), &base).args(["report", "--json", "--history", POST]));
    let stored: Vec<&str> = h["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["checked_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        stored,
        [
            "2025-06-01T12:00:00.000Z",
            "2025-06-01T13:00:00.000Z",
            "2025-06-01T13:00:00.000Z"
        ]
    );
    let posts = check_support::export(dir.path(), "posts");
    let checked: Vec<&str> = posts
        .iter()
        .filter_map(|p| p["checked_at"].as_str())
        .collect();
    assert_eq!(checked, ["2025-06-01T13:00:00.000Z"; 2]);
}
