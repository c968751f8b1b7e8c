//! `embarc report` on a fixture archive whose checks have known times: the
//! numbers per platform, per site and for articles, the deaths and the
//! median time to gone, the gone posts with their articles and archived
//! copies, and the transitions, in JSON, text and Markdown; the whole
//! report compared byte for byte with `tests/fixtures/expected/report.*`
//! (written by the report as it was before it was aggregated in SQL; run
//! with `EMBARC_UPDATE_EXPECTED=1` to rewrite them after an intended
//! change, and review the diff).

mod check_support;

use check_support::archive_at;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use embarc::check::Outcome;
use embarc::store::{NewCheck, Store};
use serde_json::{Value, json};
use std::path::Path;

const A1: &str = "https://daily.example/a1";
const A2: &str = "https://daily.example/a2";
const W1: &str = "https://weekly.example/w1";
const LOCAL: &str = "file:///tmp/local.html";
const X1: &str = "https://x.com/waterboard/status/1001";
const X2: &str = "https://x.com/waterboard/status/1002";
const X3: &str = "https://x.com/waterboard/status/1003";
const B1: &str = "https://bsky.app/profile/did:plc:abc123/post/3kb1";

fn a(url: &str) -> String {
    format!("<p><a href=\"{url}\">a post</a></p>")
}

/// Build the archive: four articles on three sites, eight posts, and checks
/// at first-seen + N days.
fn fixture(dir: &Path) {
    let a1 = format!(
        "<article><blockquote class=\"twitter-tweet\"><p lang=\"en\" dir=\"ltr\">Dam levels critical</p>&mdash; Water Board (@waterboard) <a href=\"https://twitter.com/waterboard/status/1001\">March 1, 2024</a></blockquote>{}{}<p>Roads are flooded near the school \u{2014} Town Hall (@townhall) March 3, 2024</p></article>",
        a("https://twitter.com/waterboard/status/1002"),
        a(B1)
    );
    let a2 = format!(
        "<article>{}{}</article>",
        a("https://twitter.com/waterboard/status/1002"),
        a("https://mastodon.social/@alice/109000000000000001")
    );
    let w1 = format!(
        "<article>{}{}{}</article>",
        a("https://twitter.com/waterboard/status/1003"),
        a("https://twitter.com/waterboard/status/1001"),
        a("https://t.me/newschan/101")
    );
    let local = format!(
        "<article>{}</article>",
        a("https://twitter.com/waterboard/status/1004")
    );
    // A fixed time, so that the report is the same on every run.
    archive_at(
        dir,
        "2024-05-01T08:00:00Z",
        &[(A1, &a1), (A2, &a2), (W1, &w1), (LOCAL, &local)],
    );

    let store = Store::open(&dir.join("embarc.db")).unwrap();
    let first_seen: String = rusqlite::Connection::open(dir.join("embarc.db"))
        .unwrap()
        .query_row("SELECT MAX(first_seen_at) FROM posts", [], |r| r.get(0))
        .unwrap();
    let f: DateTime<Utc> = first_seen.parse().unwrap();
    let day = |n: i64| (f + Duration::days(n)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let post = |s: &Store, platform: &str, id: &str| s.find_post(platform, id).unwrap().unwrap();
    let (x1, x2, x3) = (
        post(&store, "x", "1001"),
        post(&store, "x", "1002"),
        post(&store, "x", "1003"),
    );
    let b1 = post(
        &store,
        "bluesky",
        "at://did:plc:abc123/app.bsky.feed.post/3kb1",
    );
    let m1 = post(&store, "mastodon", "mastodon.social/109000000000000001");
    let t1 = post(&store, "telegram", "newschan/101");
    let art = |s: &Store, url: &str| s.find_article(url).unwrap().unwrap();
    let (a1, a2, w1) = (art(&store, A1), art(&store, A2), art(&store, W1));

    enum T {
        Post(i64),
        Article(i64),
    }
    // In time order, as a sequence of runs would append them.
    let checks = [
        (T::Post(x1), 1, Outcome::Alive, None),
        (T::Post(x2), 1, Outcome::RateLimited, None),
        (T::Post(x3), 1, Outcome::Alive, None),
        (T::Post(m1), 1, Outcome::Unsupported, None),
        (T::Post(t1), 1, Outcome::Private, None),
        (T::Article(a1), 1, Outcome::Alive, None),
        (T::Article(w1), 1, Outcome::LoginRequired, None),
        (T::Post(x2), 2, Outcome::AccountSuspended, None),
        (T::Post(x3), 2, Outcome::Deleted, None),
        (
            T::Article(a2),
            2,
            Outcome::NotFound,
            Some("http://web.archive.org/web/2/a2"),
        ),
        (
            T::Post(x1),
            3,
            Outcome::Deleted,
            Some("http://web.archive.org/web/3/x1001"),
        ),
        (T::Article(w1), 3, Outcome::NetworkError, None),
        (T::Post(x3), 5, Outcome::Alive, None),
        (T::Post(b1), 6, Outcome::Deleted, None),
    ];
    for (target, n, outcome, archived) in checks {
        let at = day(n);
        let check = NewCheck {
            checked_at: &at,
            outcome,
            http_status: Some(200),
            evidence: "fixture",
            endpoint: "fixture",
            archived_url: archived,
        };
        match target {
            T::Post(id) => {
                store.record_post_check(id, &check, None, &[]).unwrap();
            }
            T::Article(id) => {
                store.record_article_check(id, &check).unwrap();
            }
        }
    }
}

fn report(dir: &Path, args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("embarc")
        .unwrap()
        .arg("--archive")
        .arg(dir)
        .arg("report")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The counts of a tally, in a fixed order.
fn counts(t: &Value) -> Value {
    json!([
        t["total"],
        t["alive"],
        t["gone"],
        t["restricted"],
        t["unknown"],
        t["unchecked"],
        t["not_checkable"],
        t["gone_by_reason"]
    ])
}

#[test]
fn json_numbers() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let r: Value = serde_json::from_str(&report(dir.path(), &["--json", "--list", "all"])).unwrap();

    assert_eq!(
        counts(&r["posts"]),
        json!([8, 1, 3, 1, 1, 1, 1, {"account_suspended": 1, "deleted": 2}])
    );
    assert_eq!(r["posts"]["restricted_by_reason"], json!({"private": 1}));
    assert_eq!(r["posts"]["unknown_by_reason"], json!({"unsupported": 1}));
    assert_eq!(
        counts(&r["by_platform"]["x"]),
        json!([5, 1, 2, 0, 0, 1, 1, {"account_suspended": 1, "deleted": 1}])
    );
    assert_eq!(
        counts(&r["by_platform"]["bluesky"]),
        json!([1, 0, 1, 0, 0, 0, 0, {"deleted": 1}])
    );
    assert_eq!(
        counts(&r["by_platform"]["mastodon"]),
        json!([1, 0, 0, 0, 1, 0, 0, {}])
    );
    assert_eq!(
        counts(&r["by_platform"]["telegram"]),
        json!([1, 0, 0, 1, 0, 0, 0, {}])
    );
    assert_eq!(
        counts(&r["by_site"]["daily.example"]),
        json!([5, 0, 3, 0, 1, 0, 1, {"account_suspended": 1, "deleted": 2}])
    );
    assert_eq!(
        counts(&r["by_site"]["weekly.example"]),
        json!([3, 1, 1, 1, 0, 0, 0, {"deleted": 1}])
    );
    assert_eq!(
        counts(&r["by_site"]["file"]),
        json!([1, 0, 0, 0, 0, 1, 0, {}])
    );
    assert_eq!(
        counts(&r["articles"]),
        json!([4, 1, 1, 0, 1, 0, 1, {"not_found": 1}])
    );
    assert_eq!(
        r["articles"]["unknown_by_reason"],
        json!({"network_error": 1})
    );

    // Deaths: X2 died on day 2, X1 on day 3, B1 on day 6 (its first check);
    // X3 died on day 2 but came back, so it is not among them.
    let deaths = &r["deaths"];
    assert_eq!(deaths["oldest"]["post_url"], X2);
    assert_eq!(deaths["newest"]["post_url"], B1);
    assert_eq!(deaths["median_seconds_to_gone"], 3 * 86_400);

    let gone: Vec<(&str, &str, Value, Value)> = r["gone_posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["post_url"].as_str().unwrap(),
                g["reason"].as_str().unwrap(),
                g["articles"].clone(),
                g["archived_url"].clone(),
            )
        })
        .collect();
    assert_eq!(
        gone,
        [
            (
                X1,
                "deleted",
                json!([A1, W1]),
                json!("http://web.archive.org/web/3/x1001")
            ),
            (X2, "account_suspended", json!([A1, A2]), Value::Null),
            (B1, "deleted", json!([A1]), Value::Null),
        ]
    );
    assert_eq!(
        r["gone_articles"],
        json!([{
            "url": A2, "reason": "not_found", "gone_since": r["gone_articles"][0]["gone_since"],
            "evidence": "fixture", "archived_url": "http://web.archive.org/web/2/a2"
        }])
    );

    let transitions: Vec<(&str, &str, &str)> = r["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["url"].as_str().unwrap(),
                t["from"].as_str().unwrap(),
                t["to"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        transitions,
        [
            (X3, "alive", "gone"),
            (X1, "alive", "gone"),
            (X3, "gone", "alive")
        ],
        "unknown checks are no transitions (W1: restricted, then unknown)"
    );
}

#[test]
fn text_and_markdown_show_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let text = report(dir.path(), &["--list", "all"]);
    assert!(text.starts_with("Posts: 8\n"), "{text}");
    assert!(
        text.contains("  alive 1, gone 3 (account_suspended 1, deleted 2), restricted 1 (private 1), unknown 1 (unsupported 1), unchecked 1, not checkable 1\n"),
        "{text}"
    );
    let row = |name: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .find(|w| w.first().map(String::as_str) == Some(name))
            .unwrap_or_default()
    };
    assert_eq!(
        row("x"),
        [
            "x",
            "5",
            "1",
            "2",
            "0",
            "0",
            "1",
            "1",
            "account_suspended",
            "1,",
            "deleted",
            "1"
        ]
    );
    assert_eq!(
        row("weekly.example"),
        [
            "weekly.example",
            "3",
            "1",
            "1",
            "1",
            "0",
            "0",
            "0",
            "deleted",
            "1"
        ]
    );
    assert!(text.contains("Articles: 4\n  alive 1, gone 1 (not_found 1), restricted 0, unknown 1 (network_error 1), unchecked 0, not checkable 1\n"), "{text}");
    assert!(
        text.contains("  median time from first seen to gone: 3d 0h\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("  oldest: {X2} (account_suspended, gone since ")),
        "{text}"
    );
    assert!(
        text.contains(&format!("  newest: {B1} (deleted, gone since ")),
        "{text}"
    );
    assert!(
        text.contains(&format!("Gone posts: 3\n  {X1} (deleted, gone since ")),
        "{text}"
    );
    assert!(
        text.contains(&format!("    archived: http://web.archive.org/web/3/x1001\n    cited by: {A1}\n    cited by: {W1}\n")),
        "{text}"
    );
    assert!(text.contains("Transitions: 3\n"), "{text}");

    let md = report(dir.path(), &["--markdown", "--list", "all"]);
    assert!(md.contains("| platform | total | alive | gone | restricted | unknown | unchecked | not checkable | gone by reason |\n"), "{md}");
    assert!(
        md.contains("| **all** | 8 | 1 | 3 | 1 | 1 | 1 | 1 | account_suspended 1, deleted 2 |\n"),
        "{md}"
    );
    assert!(
        md.contains("| x | 5 | 1 | 2 | 0 | 0 | 1 | 1 | account_suspended 1, deleted 1 |\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "| daily.example | 5 | 0 | 3 | 0 | 1 | 0 | 1 | account_suspended 1, deleted 2 |\n"
        ),
        "{md}"
    );
    assert!(
        md.contains(&format!("| {X2} | account_suspended | ")),
        "{md}"
    );
    assert!(
        md.contains("- Median time from first seen to gone: 3d 0h\n"),
        "{md}"
    );
}

#[test]
fn exports_carry_the_current_state() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let posts = check_support::export(dir.path(), "posts");
    let x1 = posts.iter().find(|p| p["post_url"] == X1).unwrap();
    assert_eq!(x1["state"], "gone");
    assert_eq!(x1["reason"], "deleted");
    assert_eq!(x1["archived_url"], "http://web.archive.org/web/3/x1001");
    let x3 = posts.iter().find(|p| p["post_url"] == X3).unwrap();
    assert_eq!(
        (x3["state"].as_str(), x3["reason"].as_str()),
        (Some("alive"), None)
    );
    let never = posts
        .iter()
        .find(|p| p["post_url"] == "https://x.com/waterboard/status/1004")
        .unwrap();
    assert!(never["state"].is_null() && never["checked_at"].is_null());

    let out = assert_cmd::Command::cargo_bin("embarc")
        .unwrap()
        .arg("--archive")
        .arg(dir.path())
        .args(["export", "posts", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",claim_status,state,reason,checked_at,archived_url,media,media_not_kept"),
        "{csv}"
    );
    let citations = check_support::export(dir.path(), "citations");
    let states: Vec<(&str, &str, Option<&str>)> = citations
        .iter()
        .filter(|c| c["post_id"] == "1002")
        .map(|c| {
            (
                c["article_url"].as_str().unwrap(),
                c["post_id"].as_str().unwrap(),
                c["state"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [(A1, "1002", Some("gone")), (A2, "1002", Some("gone"))]
    );
}

/// By default the report is summaries: the long lists are counted, not
/// listed, and `--list NAME --limit N` shows the first N of one.
#[test]
fn lists_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let all: Value =
        serde_json::from_str(&report(dir.path(), &["--json", "--list", "all"])).unwrap();
    let summary: Value = serde_json::from_str(&report(dir.path(), &["--json"])).unwrap();
    for (list, count) in [
        ("gone_posts", "gone_post_count"),
        ("gone_articles", "gone_article_count"),
        ("transitions", "transition_count"),
    ] {
        assert_eq!(summary[list], json!([]), "{list} listed unasked");
        assert_eq!(
            summary[count],
            all[list].as_array().unwrap().len(),
            "{count}"
        );
        assert_eq!(all[count], summary[count]);
    }
    for key in ["posts", "by_platform", "by_site", "articles", "deaths"] {
        assert_eq!(summary[key], all[key], "{key} differs without lists");
    }

    let text = report(dir.path(), &[]);
    assert!(
        text.contains("Gone posts: 3\n  (not listed: add --list gone)\n"),
        "{text}"
    );
    assert!(!text.contains("cited by:"), "{text}");
    assert!(
        text.contains("Transitions: 3\n  (not listed: add --list transitions)\n"),
        "{text}"
    );

    let first = report(dir.path(), &["--list", "gone", "--limit", "1"]);
    let gone = first.split("Gone posts: 3\n").nth(1).unwrap();
    let gone = gone.split("\n\nGone articles").next().unwrap();
    assert_eq!(
        gone.lines().filter(|l| l.starts_with("  https://")).count(),
        1,
        "{gone}"
    );
    assert!(gone.ends_with("  (and 2 more: raise --limit)"), "{gone}");
    assert!(first.contains("Gone articles: 1\n  (not listed: add --list gone-articles)\n"));

    let limited: Value = serde_json::from_str(&report(
        dir.path(),
        &["--json", "--list", "transitions,gone", "--limit", "2"],
    ))
    .unwrap();
    assert_eq!(
        limited["transitions"],
        json!(all["transitions"].as_array().unwrap()[..2])
    );
    assert_eq!(
        limited["gone_posts"],
        json!(all["gone_posts"].as_array().unwrap()[..2])
    );
    assert_eq!(limited["gone_articles"], json!([]));

    let md = report(dir.path(), &["--markdown"]);
    assert!(
        md.contains("## Gone posts\n\n3 in all (not listed: add --list gone).\n"),
        "{md}"
    );
}

fn compare_with_expected(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/expected")
        .join(name);
    if std::env::var_os("EMBARC_UPDATE_EXPECTED").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if expected != actual {
        for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
            assert_eq!(e, a, "{name}: first difference at line {}", i + 1);
        }
        assert_eq!(expected, actual, "{name} differs in length");
    }
}

/// The whole report, with every list, is byte for byte what the report
/// printed before it was aggregated in SQL (JSON: the same values, plus the
/// counts of the lists).
#[test]
fn whole_report_matches_the_expected_files() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    compare_with_expected("report.txt", &report(dir.path(), &["--list", "all"]));
    compare_with_expected(
        "report.md",
        &report(dir.path(), &["--markdown", "--list", "all"]),
    );
    let json = report(dir.path(), &["--json", "--list", "all"]);
    let mut now: Value = serde_json::from_str(&json).unwrap();
    for count in ["gone_post_count", "gone_article_count", "transition_count"] {
        now.as_object_mut().unwrap().remove(count);
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/expected/report.json");
    if std::env::var_os("EMBARC_UPDATE_EXPECTED").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
        return;
    }
    let before: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(now, before);
}
