//! End to end: articles citing posts of several platforms are archived by
//! the real binary, and `status --json` and the exports show each post's
//! platform. Fixtures are written inline; names, handles and ids are invented.

use assert_cmd::Command;
use rusqlite::Connection;
use serde_json::{Value, json};
use std::fs;
use std::path::Path;

fn embarc(archive: &Path) -> Command {
    let mut cmd = Command::cargo_bin("embarc").expect("the embarc binary is built");
    cmd.env_remove("EMBARC_ARCHIVE")
        .env_remove("EMBARC_LOG")
        .arg("--archive")
        .arg(archive);
    cmd
}

fn page(body: &str) -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Storm</title></head><body><article>\n\
         <p>The storm reached the harbour overnight.</p>\n{body}\n\
         <p>Roads reopen tomorrow.</p>\n</article></body></html>\n"
    )
}

/// One embed (or link) per platform, a short link, and a tweet.
const MIXED: &str = r#"
<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:riverdesk7q2xw4kz3m5n6p/app.bsky.feed.post/3lbrko3c3s222" data-bluesky-cid="bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5zc6wgcqdy3lmvy"><p lang="en">BREAKING: The river bridge is closed.</p>&mdash; River Desk (<a href="https://bsky.app/profile/did:plc:riverdesk7q2xw4kz3m5n6p">@riverdesk.bsky.social</a>) <a href="https://bsky.app/profile/did:plc:riverdesk7q2xw4kz3m5n6p/post/3lbrko3c3s222">November 25, 2024 at 12:49 PM</a></blockquote>
<iframe src="https://social.example.org/@newsroom/113543671971844242/embed" class="mastodon-embed" width="400"></iframe>
<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.com/@city.hall/post/DCa1B2c3D4e"><a href="https://www.threads.com/@city.hall/post/DCa1B2c3D4e">View on Threads</a></blockquote>
<div class="twitter-tweet-rendered"><iframe class="instagram-media instagram-media-rendered" src="https://www.instagram.com/p/DAbCdEfGhIj/embed/captioned/?cr=1&amp;v=14"></iframe></div>
<div class="fb-post" data-href="https://www.facebook.com/CityTransit/posts/712345678901234/"><blockquote cite="https://www.facebook.com/CityTransit/posts/712345678901234/" class="fb-xfbml-parse-ignore"><p>Line 4 is suspended.</p>Posted by <a href="https://www.facebook.com/CityTransit">City Transit</a> on <a href="https://www.facebook.com/CityTransit/posts/712345678901234/">Monday, February 7, 2022</a></blockquote></div>
<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@harbour.cat/video/7441234567890123456" data-video-id="7441234567890123456"><section><a title="@harbour.cat" href="https://www.tiktok.com/@harbour.cat?refer=embed">@harbour.cat</a> The harbour cat has a new hat</section></blockquote>
<blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/harbourtown/comments/1gz9abc/the_ferry_is_back/">The ferry is back!</a><br> by <a href="https://www.reddit.com/user/ferry_fan/">u/ferry_fan</a></blockquote>
<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="harbour_news/4821"></script>
<iframe src="https://www.youtube-nocookie.com/embed/Ab3dE6gH9jK" allowfullscreen></iframe>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Bridge update soon.</p>&mdash; Road Desk (@roaddesk) <a href="https://twitter.com/roaddesk/status/1861012345678901234">November 25, 2024</a></blockquote>
<p>Watch <a href="https://vm.tiktok.com/ZMabc123/">this clip</a> and <a href="https://youtu.be/Ab3dE6gH9jK">the video again</a>.</p>
"#;

/// A second article: the same short link, and a Bluesky link by handle.
const SECOND: &str = r#"<p>Again, <a href="https://vm.tiktok.com/ZMabc123/">the clip</a> and
<a href="https://bsky.app/profile/votedesk.bsky.social/post/3lbrko3c3s222">the vote desk</a>.</p>"#;

struct Fixture {
    _dir: tempfile::TempDir,
    archive: std::path::PathBuf,
}

fn archived() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("mixed.html"), page(MIXED)).unwrap();
    fs::write(root.join("second.html"), page(SECOND)).unwrap();
    let archive = root.join("arc");
    let out = embarc(&archive)
        .arg("archive")
        .arg(root.join("mixed.html"))
        .arg(root.join("second.html"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Fixture { _dir: dir, archive }
}

fn citations(archive: &Path) -> Vec<Value> {
    let out = embarc(archive)
        .args(["export", "citations", "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn status_counts_posts_and_citations_per_platform() {
    let fx = archived();
    let out = embarc(&fx.archive)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let st: Value = serde_json::from_slice(&out.stdout).unwrap();
    let counts = |posts: i64, citations: i64| json!({"posts": posts, "citations": citations});
    assert_eq!(
        st["platforms"],
        json!({
            // The embed by DID and the link by handle are two keys: offline,
            // a handle cannot be resolved to its DID.
            "bluesky": counts(2, 2),
            "mastodon": counts(1, 1),
            "threads": counts(1, 1),
            "instagram": counts(1, 1),
            "facebook": counts(1, 1),
            // The video, and the short link cited by both articles.
            "tiktok": counts(2, 3),
            "reddit": counts(1, 1),
            "telegram": counts(1, 1),
            // The embed and a link to the same video.
            "youtube": counts(1, 2),
            "x": counts(1, 1),
        }),
        "{st:#}"
    );
    assert_eq!(st["unidentified_posts"], 0);
    assert_eq!(st["claims_by_status"], json!({"unstarted": 1}));

    let out = embarc(&fx.archive).arg("status").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "bluesky",
        "mastodon",
        "threads",
        "instagram",
        "facebook",
        "tiktok",
        "reddit",
        "telegram",
        "youtube",
        "x ",
    ] {
        assert!(text.contains(&format!("  {name}")), "{name}: {text}");
    }
    // Counts of one are singular.
    let x = text.lines().find(|l| l.starts_with("  x ")).unwrap();
    assert_eq!(
        x.split_whitespace().collect::<Vec<_>>(),
        ["x", "1", "post", "1", "citation"],
        "{text}"
    );
    assert!(
        !text.contains(" 1 posts") && !text.contains(" 1 citations"),
        "{text}"
    );
    // No unidentified posts: no line for them.
    assert!(!text.contains("unidentified"), "{text}");
}

#[test]
fn exports_show_each_platform() {
    let fx = archived();
    let rows = citations(&fx.archive);
    let seen: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("-").to_string();
            let file = s("article_url").rsplit('/').next().unwrap().to_string();
            (file, s("platform"), s("kind"), s("post_id"))
        })
        .collect();
    let want = [
        (
            "mixed.html",
            "bluesky",
            "embed",
            "at://did:plc:riverdesk7q2xw4kz3m5n6p/app.bsky.feed.post/3lbrko3c3s222",
        ),
        (
            "mixed.html",
            "mastodon",
            "embed",
            "social.example.org/113543671971844242",
        ),
        ("mixed.html", "threads", "embed", "DCa1B2c3D4e"),
        ("mixed.html", "instagram", "embed", "DAbCdEfGhIj"),
        ("mixed.html", "facebook", "embed", "712345678901234"),
        ("mixed.html", "tiktok", "embed", "7441234567890123456"),
        ("mixed.html", "reddit", "embed", "1gz9abc"),
        ("mixed.html", "telegram", "embed", "harbour_news/4821"),
        ("mixed.html", "youtube", "embed", "Ab3dE6gH9jK"),
        ("mixed.html", "x", "embed", "1861012345678901234"),
        ("mixed.html", "tiktok", "link", "-"),
        ("mixed.html", "youtube", "link", "Ab3dE6gH9jK"),
        ("second.html", "tiktok", "link", "-"),
        (
            "second.html",
            "bluesky",
            "link",
            "at://votedesk.bsky.social/app.bsky.feed.post/3lbrko3c3s222",
        ),
    ]
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()));
    assert_eq!(seen, want);

    // What the embeds showed, and the time from ids that encode it.
    let bsky = &rows[0];
    assert_eq!(bsky["handle"], "riverdesk.bsky.social");
    assert_eq!(bsky["author_name"], "River Desk");
    assert_eq!(bsky["posted_at"], "2024-11-25T12:49:00.000Z");
    assert_eq!(bsky["labels"], json!(["BREAKING"]));
    assert_eq!(rows[1]["posted_at"], "2024-11-25T12:49:00.000Z");
    assert_eq!(rows[1]["handle"], "newsroom@social.example.org");
    assert_eq!(rows[4]["author_name"], "City Transit");
    assert_eq!(rows[4]["date"], "2022-02-07");

    // The short link: kept as a link with its URL and a warning.
    let short = &rows[10];
    assert_eq!(short["post_url"], "https://vm.tiktok.com/ZMabc123/");
    assert_eq!(short["warnings"][0]["kind"], "unresolved_short_link");

    // The CSV has the platform column too.
    let out = embarc(&fx.archive)
        .args(["export", "citations", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "platform").unwrap();
    let platforms: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(col).unwrap())
        .collect();
    assert_eq!(platforms[..3], ["bluesky", "mastodon", "threads"]);

    // Posts: the short link is one post, keyed by its URL, cited twice.
    let out = embarc(&fx.archive)
        .args(["export", "posts", "--format", "json"])
        .output()
        .unwrap();
    let posts: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(posts.len(), 12);
    let short: Vec<&Value> = posts
        .iter()
        .filter(|p| p["post_url"] == "https://vm.tiktok.com/ZMabc123/")
        .collect();
    assert_eq!(short.len(), 1);
    assert_eq!(short[0]["platform"], "tiktok");
    assert_eq!(short[0]["post_id"], Value::Null);
    assert_eq!(short[0]["citation_count"], 2);
}

#[test]
fn bluesky_cid_is_kept_and_rerunning_adds_nothing() {
    let fx = archived();
    let db = Connection::open(fx.archive.join("embarc.db")).unwrap();
    let cid: String = db
        .query_row(
            "SELECT s.cid FROM snapshots s JOIN posts p ON p.id = s.post_id
             WHERE p.platform = 'bluesky' AND s.cid IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        cid,
        "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5zc6wgcqdy3lmvy"
    );
    let before = citations(&fx.archive);
    let dir = fx.archive.parent().unwrap();
    let out = embarc(&fx.archive)
        .arg("archive")
        .arg(dir.join("mixed.html"))
        .arg(dir.join("second.html"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(citations(&fx.archive), before);
}

#[test]
fn a_snapshot_first_seen_without_its_cid_learns_it() {
    let dir = tempfile::tempdir().unwrap();
    let with_cid = MIXED.lines().nth(1).unwrap();
    let without = with_cid.replace(
        " data-bluesky-cid=\"bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5zc6wgcqdy3lmvy\"",
        "",
    );
    assert_ne!(with_cid, without);
    fs::write(dir.path().join("a.html"), page(&without)).unwrap();
    fs::write(dir.path().join("b.html"), page(with_cid)).unwrap();
    let archive = dir.path().join("arc");
    for file in ["a.html", "b.html"] {
        let out = embarc(&archive)
            .arg("archive")
            .arg(dir.path().join(file))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let db = Connection::open(archive.join("embarc.db")).unwrap();
    let rows: Vec<Option<String>> = db
        .prepare("SELECT cid FROM snapshots")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // The same shown content is one snapshot, now with its content id.
    assert_eq!(
        rows,
        [Some(
            "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5zc6wgcqdy3lmvy".to_string()
        )]
    );
}
