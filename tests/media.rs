//! `check --media` / `[media]`: a post's own media, named by its platform's
//! answer, fetched from a local server, kept as WARC records with their
//! SHA-256, listed on the post in the exports, size-limited (a video is its
//! best variant under the limit), fetched once, and checked by `verify`.

mod check_support;
mod common;

use check_support::{archive, embarc, export, fast_config};
use common::{Reply, Req, Server};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::path::Path;

const X_ID: &str = "1581661660728950784";
const MASTO_ID: &str = "112233445566778899";

/// A file's bytes: `n` bytes made from its name, so each differs.
fn bytes(name: &str, n: usize) -> Vec<u8> {
    name.bytes().cycle().take(n).collect()
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn json(body: String) -> Reply {
    Reply::status(200, "application/json", body)
}

/// The endpoints and the media server, one server.
fn handler(req: &Req) -> Reply {
    {
        let base = format!("http://{}", req.headers["host"]);
        let path = req.path.as_str();
        let m = |name: &str| format!("{base}/m/{name}");
        if path.starts_with("/syn") {
            return json(format!(
                r#"{{"__typename":"Tweet","id_str":"{X_ID}","text":"Water is rising","created_at":"2022-10-16T15:01:40.000Z","user":{{"name":"Desk","screen_name":"desk"}},
                "mediaDetails":[
                  {{"type":"photo","media_url_https":"{photo}"}},
                  {{"type":"photo","media_url_https":"{missing}"}},
                  {{"type":"photo","media_url_https":"{page}"}},
                  {{"type":"video","media_url_https":"{poster}","video_info":{{"variants":[
                    {{"content_type":"application/x-mpegURL","url":"{hls}"}},
                    {{"bitrate":256000,"content_type":"video/mp4","url":"{small}"}},
                    {{"bitrate":2176000,"content_type":"video/mp4","url":"{huge}"}},
                    {{"bitrate":832000,"content_type":"video/mp4","url":"{big}"}},
                    {{"bitrate":632000,"content_type":"video/mp4","url":"{mid}"}}]}}}}]}}"#,
                photo = m("photo.jpg"),
                missing = m("missing.jpg"),
                page = m("page.jpg"),
                poster = m("poster.jpg"),
                hls = m("v.m3u8"),
                small = m("small.mp4"),
                huge = m("huge.mp4"),
                big = m("big.mp4"),
                mid = m("mid.mp4"),
            ));
        }
        if path == format!("/masto/api/v1/statuses/{MASTO_ID}") {
            return json(format!(
                r#"{{"id":"{MASTO_ID}","created_at":"2024-03-01T10:00:00.000Z","content":"<p>Posted</p>","account":{{"acct":"newsroom","display_name":"Newsroom"}},
                "media_attachments":[{{"type":"image","url":"{img}","preview_url":"{m}/m/unused.png"}},{{"type":"audio","url":"{m}/m/a.mp3"}}]}}"#,
                img = m("masto.png"),
                m = base,
            ));
        }
        match path {
            "/yt/vi/dQw4w9WgXcQ/0.jpg" => Reply::status(200, "image/jpeg", bytes("probe", 100)),
            "/yt/vi/dQw4w9WgXcQ/hqdefault.jpg" => {
                Reply::status(200, "image/jpeg", bytes("ytthumb", 3000))
            }
            "/m/photo.jpg" => Reply::status(200, "image/jpeg", bytes("photo", 40_000)),
            "/m/poster.jpg" => Reply::status(200, "image/jpeg", bytes("poster", 5_000)),
            "/m/masto.png" => Reply::status(200, "image/png", bytes("masto", 7_000)),
            "/m/missing.jpg" => Reply::status(404, "text/plain", "Not Found"),
            "/m/page.jpg" => Reply::html("<html><body>Log in to see this</body></html>"),
            // Over the 1 MiB limit: one says so up front, one never ends.
            "/m/big.mp4" => Reply::status(200, "video/mp4", bytes("big", 1_500_000)),
            "/m/huge.mp4" => Reply::Endless,
            "/m/mid.mp4" => Reply::status(200, "video/mp4", bytes("mid", 600_000)),
            "/m/small.mp4" => Reply::status(200, "video/mp4", bytes("small", 100_000)),
            _ => Reply::status(500, "text/plain", "unexpected"),
        }
    }
}

const ARTICLE: &str = r#"<html><body><article>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Water is rising</p>&mdash; Desk (@desk) <a href="https://twitter.com/desk/status/1581661660728950784">October 16, 2022</a></blockquote>
<p>And <a href="https://truthsocial.com/@newsroom/posts/112233445566778899">this post</a>.</p>
<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>
</article></body></html>"#;

fn setup(media: &str) -> (Server, tempfile::TempDir) {
    setup_with(media, handler)
}

fn setup_with(
    media: &str,
    handler: impl Fn(&Req) -> Reply + Send + Sync + 'static,
) -> (Server, tempfile::TempDir) {
    setup_article(media, ARTICLE, handler)
}

fn setup_article(
    media: &str,
    article: &str,
    handler: impl Fn(&Req) -> Reply + Send + Sync + 'static,
) -> (Server, tempfile::TempDir) {
    let server = Server::start(handler);
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), &[("https://news.example/floods", article)]);
    fast_config(dir.path());
    let mut config = std::fs::read_to_string(dir.path().join("embarc.toml")).unwrap();
    config = config.replace("[endpoints.rate]\n", "[endpoints.rate]\nmedia = \"0\"\n");
    config.push_str(media);
    std::fs::write(dir.path().join("embarc.toml"), config).unwrap();
    (server, dir)
}

fn check(dir: &Path, server: &Server, extra: &[&str]) -> String {
    let out = embarc(dir, &server.url(""))
        .args(["check", "--posts", "--stale", "0"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// (url, result, detail) of every post_media row.
fn rows(dir: &Path) -> Vec<(String, String, String)> {
    let db = Connection::open(dir.join("embarc.db")).unwrap();
    let mut st = db
        .prepare("SELECT url, result, detail FROM post_media ORDER BY url")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .map(|(u, r, d): (String, String, String)| {
            (u.rsplit('/').next().unwrap().to_string(), r, d)
        })
        .collect()
}

fn post<'a>(posts: &'a [serde_json::Value], platform: &str) -> &'a serde_json::Value {
    posts.iter().find(|p| p["platform"] == platform).unwrap()
}

#[test]
fn media_are_fetched_hashed_kept_in_warc_and_listed_on_the_post() {
    let (server, dir) = setup("\n[media]\nenabled = true\nmax_size = 1\n");
    let stderr = check(dir.path(), &server, &[]);
    assert!(stderr.contains("5 media files of posts kept"), "{stderr}");
    // What was not kept says why, in the summary.
    assert!(
        stderr.contains("not kept: refused 2 (last: http://")
            && stderr.contains("/m/page.jpg: not an image or a video: text/html"),
        "{stderr}"
    );
    // `status` counts the files kept apart from the media asked for.
    let status = embarc(dir.path(), &server.url(""))
        .args(["status", "--json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["media_kept"], 5, "{status}");
    assert_eq!(
        status["tables"]["post_media"].as_u64().unwrap() as usize,
        rows(dir.path()).len(),
        "{status}"
    );
    let status = embarc(dir.path(), &server.url(""))
        .arg("status")
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.contains("(5 files kept;"), "{status}");

    let posts = export(dir.path(), "posts");
    let x = &post(&posts, "x")["media"];
    let listed: Vec<(&str, &str)> = x
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["url"].as_str().unwrap().rsplit('/').next().unwrap(),
                m["kind"].as_str().unwrap(),
            )
        })
        .collect();
    // The best MP4 under the limit, not the playlist, not every variant.
    assert_eq!(
        listed,
        [
            ("photo.jpg", "photo"),
            ("mid.mp4", "video"),
            ("poster.jpg", "thumbnail")
        ]
    );
    for (m, name, n, ctype) in [
        (&x[0], "photo", 40_000, "image/jpeg"),
        (&x[1], "mid", 600_000, "video/mp4"),
    ] {
        let body = bytes(name, n);
        assert_eq!(m["sha256"], sha(&body), "{m}");
        assert_eq!(m["size"], n as u64);
        assert_eq!(m["content_type"], ctype);
        // The WARC record at the listed place holds exactly these bytes.
        let file = dir.path().join(m["warc"]["file"].as_str().unwrap());
        let record =
            embarc::capture::warc::read_record(&file, m["warc"]["offset"].as_u64().unwrap())
                .unwrap();
        assert_eq!(record.field("WARC-Type"), Some("response"));
        assert!(record.field("WARC-Target-URI").unwrap().ends_with(&format!(
            "/m/{name}.{}",
            if name == "mid" { "mp4" } else { "jpg" }
        )));
        let (_, payload) = record.http_parts().unwrap();
        assert_eq!(payload, &body[..]);
    }
    let masto = &post(&posts, "mastodon")["media"];
    assert_eq!(masto.as_array().unwrap().len(), 1, "{masto}");
    assert_eq!(masto[0]["sha256"], sha(&bytes("masto", 7_000)));
    let yt = &post(&posts, "youtube")["media"];
    assert_eq!(yt[0]["kind"], "thumbnail");
    assert_eq!(yt[0]["sha256"], sha(&bytes("ytthumb", 3000)));

    // What was not kept is recorded with the reason.
    let rows = rows(dir.path());
    let row = |name: &str| rows.iter().find(|r| r.0 == name).cloned().unwrap();
    assert_eq!(row("missing.jpg").1, "refused");
    assert_eq!(row("page.jpg").1, "refused");
    assert!(row("page.jpg").2.contains("text/html"), "{rows:?}");
    // Larger variants were not downloaded past the limit; smaller ones not asked.
    assert_eq!(server.hits("/m/big.mp4"), 1);
    assert_eq!(server.hits("/m/huge.mp4"), 1);
    assert_eq!(server.hits("/m/small.mp4"), 0);
    assert_eq!(server.hits("/m/v.m3u8"), 0);
    assert_eq!(server.hits("/m/a.mp3"), 0);

    // CSV lists the same files and hashes.
    let csv = embarc(dir.path(), &server.url(""))
        .args(["export", "posts", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",media,media_not_kept")
    );
    assert!(
        csv.contains(&format!(
            "/m/photo.jpg sha256:{}",
            sha(&bytes("photo", 40_000))
        )),
        "{csv}"
    );

    // What was not kept is listed with why, in the export and the claim's
    // case file beside what was.
    let posts = export(dir.path(), "posts");
    let missed = &post(&posts, "x")["media_not_kept"];
    let missed_row = |name: &str| {
        missed
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["url"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} in {missed}"))
    };
    assert_eq!(missed_row("missing.jpg")["result"], "refused");
    assert_eq!(missed_row("missing.jpg")["http_status"], 404);
    assert!(
        missed_row("page.jpg")["detail"]
            .as_str()
            .unwrap()
            .contains("text/html")
    );
    assert!(csv.contains("/m/missing.jpg (refused: HTTP 404)"), "{csv}");
    embarc(dir.path(), &server.url(""))
        .args(["queue", "add", "--reason", "dam story"])
        .arg(format!("https://x.com/desk/status/{X_ID}"))
        .assert()
        .success();
    let case = dir.path().join("case");
    embarc(dir.path(), &server.url(""))
        .args(["export", "case", "--claim", "1", "--out"])
        .arg(&case)
        .assert()
        .success();
    let claim: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case.join("claim.json")).unwrap()).unwrap();
    assert!(
        claim["kept_media"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["sha256"] == sha(&bytes("photo", 40_000))),
        "{claim}"
    );
    assert_eq!(claim["media_not_kept"], *missed);
    // `queue show` lists them for people too, with hashes and reasons.
    let shown = embarc(dir.path(), &server.url(""))
        .args(["queue", "show", "1"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("media kept ("), "{shown}");
    assert!(
        shown.contains(&format!("sha256 {}", sha(&bytes("photo", 40_000)))),
        "{shown}"
    );
    assert!(shown.contains("media not kept ("), "{shown}");
    assert!(
        shown.contains("refused") && shown.contains("/m/missing.jpg"),
        "{shown}"
    );
    let summary = std::fs::read_to_string(case.join("summary.html")).unwrap();
    assert!(summary.contains("Named by the platform but not kept"));
    assert!(summary.contains("/m/missing.jpg"), "{summary}");

    // A second check fetches nothing kept before; what failed is asked again.
    check(dir.path(), &server, &[]);
    assert_eq!(server.hits("/m/photo.jpg"), 1);
    assert_eq!(server.hits("/m/mid.mp4"), 1);
    assert_eq!(server.hits("/yt/vi/dQw4w9WgXcQ/hqdefault.jpg"), 1);
    assert_eq!(server.hits("/m/missing.jpg"), 2);

    // `verify` re-hashes every kept medium from its WARC record.
    let ok = embarc(dir.path(), &server.url(""))
        .args(["verify", "--json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert!(ok.status.success(), "{report}");
    assert_eq!(report["media_checked"], 5);
    let db = Connection::open(dir.path().join("embarc.db")).unwrap();
    db.execute(
        "UPDATE post_media SET sha256 = ?1 WHERE url LIKE '%photo.jpg'",
        [sha(b"something else")],
    )
    .unwrap();
    let bad = embarc(dir.path(), &server.url(""))
        .args(["verify", "--json"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let report: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    let problems = report["problems"].to_string();
    assert!(problems.contains("photo.jpg"), "{problems}");
}

#[test]
fn a_bluesky_video_is_kept_as_the_file_uploaded_to_the_authors_server() {
    const BSKY_ARTICLE: &str = r#"<html><body><article>
<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc123/app.bsky.feed.post/3kvideo" data-bluesky-cid="bafyreia"><p lang="en">Flood video</p>&mdash; Reporter (<a href="https://bsky.app/profile/did:plc:abc123">@reporter.bsky.social</a>) <a href="https://bsky.app/profile/did:plc:abc123/post/3kvideo">Apr 21, 2024 at 15:09</a></blockquote>
</article></body></html>"#;
    let (server, dir) = setup_article("\n[media]\nenabled = true\n", BSKY_ARTICLE, |req| {
        let base = format!("http://{}", req.headers["host"]);
        let path = req.path.as_str();
        if path.starts_with("/bsky/xrpc/app.bsky.feed.getPosts") {
            return json(format!(
                r#"{{"posts":[{{"uri":"at://did:plc:abc123/app.bsky.feed.post/3kvideo","cid":"bafyreia","author":{{"did":"did:plc:abc123","handle":"reporter.bsky.social","displayName":"Reporter"}},"record":{{"$type":"app.bsky.feed.post","text":"Flood video","createdAt":"2024-04-21T15:09:00.000Z"}},"embed":{{"$type":"app.bsky.embed.video#view","cid":"bafkvideo","playlist":"{base}/m/v.m3u8","thumbnail":"{base}/m/bthumb.jpg"}},"indexedAt":"2024-04-21T15:09:01.000Z"}}]}}"#
            ));
        }
        match path {
            "/plc/did:plc:abc123" => json(format!(
                r##"{{"id":"did:plc:abc123","service":[{{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"{base}/pds"}}]}}"##
            )),
            "/pds/xrpc/com.atproto.sync.getBlob?did=did%3Aplc%3Aabc123&cid=bafkvideo" => {
                Reply::status(200, "video/mp4", bytes("uploaded", 300_000))
            }
            "/m/bthumb.jpg" => Reply::status(200, "image/jpeg", bytes("bthumb", 2_000)),
            _ => Reply::status(404, "text/plain", "Not Found"),
        }
    });
    check(dir.path(), &server, &[]);
    let posts = export(dir.path(), "posts");
    let media = &post(&posts, "bluesky")["media"];
    let video = media
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "video")
        .unwrap_or_else(|| panic!("{media} {:?}", server.all_hits()));
    assert_eq!(video["sha256"], sha(&bytes("uploaded", 300_000)));
    assert_eq!(video["content_type"], "video/mp4");
    assert!(
        media
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "thumbnail")
    );
    // The HLS playlist is never asked.
    assert_eq!(server.hits("/m/v.m3u8"), 0);
}

#[test]
fn a_video_too_large_is_asked_again_only_when_the_limit_is_raised() {
    let (server, dir) = setup_with("\n[media]\nenabled = true\nmax_size = 1\n", |req| {
        let base = format!("http://{}", req.headers["host"]);
        match req.path.as_str() {
            p if p.starts_with("/syn") => json(format!(
                r#"{{"__typename":"Tweet","id_str":"{X_ID}","text":"Water is rising","created_at":"2022-10-16T15:01:40.000Z","user":{{"name":"Desk","screen_name":"desk"}},
                "mediaDetails":[{{"type":"video","media_url_https":"","video_info":{{"variants":[
                    {{"bitrate":832000,"content_type":"video/mp4","url":"{base}/m/big.mp4"}}]}}}}]}}"#
            )),
            "/m/big.mp4" => Reply::status(200, "video/mp4", bytes("big", 1_500_000)),
            _ => Reply::status(404, "text/plain", "Not Found"),
        }
    });
    let result = |dir: &Path| {
        rows(dir)
            .into_iter()
            .find(|r| r.0 == "big.mp4")
            .map(|r| r.1)
            .unwrap()
    };
    check(dir.path(), &server, &[]);
    assert_eq!(result(dir.path()), "too_large");
    // The same limit: not asked again, and the summary says nothing new
    // was there to keep.
    let said = check(dir.path(), &server, &[]);
    assert_eq!(server.hits("/m/big.mp4"), 1);
    assert!(
        said.contains("no new media files of posts to keep"),
        "{said}"
    );

    let config = dir.path().join("embarc.toml");
    let raised = std::fs::read_to_string(&config)
        .unwrap()
        .replace("max_size = 1\n", "max_size = 2\n");
    std::fs::write(&config, raised).unwrap();
    check(dir.path(), &server, &[]);
    assert_eq!(server.hits("/m/big.mp4"), 2);
    assert_eq!(result(dir.path()), "saved");
    let x = export(dir.path(), "posts");
    let media = &post(&x, "x")["media"];
    assert_eq!(media[0]["sha256"], sha(&bytes("big", 1_500_000)), "{media}");
}

#[test]
fn media_are_off_by_default_and_limited_to_the_kinds_asked_for() {
    let (server, dir) = setup("");
    let stderr = check(dir.path(), &server, &[]);
    assert!(!stderr.contains("media file"), "{stderr}");
    let hits = server.all_hits();
    assert!(
        hits.keys()
            .all(|p| !p.starts_with("/m/") && !p.ends_with("hqdefault.jpg")),
        "{hits:?}"
    );
    assert!(
        export(dir.path(), "posts")
            .iter()
            .all(|p| p["media"] == serde_json::json!([]))
    );

    // `--media` turns it on for one run, `types` picks the kinds.
    std::fs::write(
        dir.path().join("embarc.toml"),
        std::fs::read_to_string(dir.path().join("embarc.toml")).unwrap()
            + "\n[media]\ntypes = [\"photo\"]\n",
    )
    .unwrap();
    check(dir.path(), &server, &["--media"]);
    assert_eq!(server.hits("/m/photo.jpg"), 1);
    assert_eq!(server.hits("/m/masto.png"), 1);
    assert_eq!(server.hits("/m/mid.mp4"), 0);
    assert_eq!(server.hits("/m/poster.jpg"), 0);
    assert_eq!(server.hits("/yt/vi/dQw4w9WgXcQ/hqdefault.jpg"), 0);
}

#[test]
fn a_kind_of_media_embarc_does_not_know_is_a_clear_error() {
    let (server, dir) = setup("\n[media]\nenabled = true\ntypes = [\"audio\"]\n");
    let out = embarc(dir.path(), &server.url(""))
        .args(["check", "--posts"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"audio\" is not a kind of media"),
        "{stderr}"
    );
}

/// Settings that keep nothing, or a size written in bytes, are refused by
/// every command that reads the file (not only by the `check` that would
/// fetch), naming the file.
#[test]
fn media_settings_that_keep_nothing_are_refused_by_every_command() {
    for (media, said) in [
        ("types = [\"image\"]", "\"image\" is not a kind of media"),
        ("types = []", "types = [] keeps nothing"),
        ("max_size = 0", "0 MiB keeps nothing"),
        ("max_size = 26214400", "is in MiB"),
    ] {
        let (server, dir) = setup(&format!("\n[media]\n{media}\n"));
        for command in [&["status"][..], &["export", "posts"], &["check", "--posts"]] {
            let out = embarc(dir.path(), &server.url(""))
                .args(command)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{media}, {command:?}: {stderr}");
            assert!(
                stderr.contains("invalid settings in") && stderr.contains(said),
                "{media}, {command:?}: {stderr}"
            );
        }
    }
}

#[test]
fn the_warc_file_a_check_wrote_is_timestamped_when_the_run_ends() {
    if !common::have_openssl("the_warc_file_a_check_wrote_is_timestamped_when_the_run_ends") {
        return;
    }
    let tsa = std::sync::Arc::new(common::TestTsa::new(common::TsaKind::Ec));
    let t = tsa.clone();
    let tsa_server = Server::start(move |req| {
        Reply::status(200, "application/timestamp-reply", t.reply(&req.body))
    });
    let (server, dir) = setup(&format!(
        "\n[media]\nenabled = true\n[timestamp]\ntsa = [\"{}\"]\nroots = [\"{}\"]\n",
        tsa_server.url("/tsr"),
        tsa.root_pem.display()
    ));
    let stderr = check(dir.path(), &server, &[]);
    assert!(
        stderr.contains("timestamps: 1 granted, 0 failed"),
        "{stderr}"
    );
    let ok = embarc(dir.path(), &server.url(""))
        .args(["verify", "--json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert!(ok.status.success(), "{report}");
    assert_eq!(report["timestamps_checked"], 1);
    assert_eq!(report["media_checked"], 5);
}

#[test]
fn a_wacz_of_the_article_holds_its_posts_media_records() {
    let (server, dir) = setup("\n[media]\nenabled = true\nmax_size = 1\n");
    check(dir.path(), &server, &[]);
    let wacz = dir.path().join("floods.wacz");
    let out = embarc(dir.path(), &server.url(""))
        .args([
            "export",
            "wacz",
            "--article",
            "https://news.example/floods",
            "--out",
        ])
        .arg(&wacz)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Read it back independently: each CDXJ line's offset and length
    // cut a gzip member of data.warc.gz whose payload is the file kept.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&wacz).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut bytes).unwrap();
        bytes
    };
    let index = String::from_utf8(read("indexes/index.cdx")).unwrap();
    let data = read("archive/data.warc.gz");
    let mut found = Vec::new();
    for line in index.lines() {
        let json: serde_json::Value =
            serde_json::from_str(line.splitn(3, ' ').nth(2).unwrap()).unwrap();
        let offset: usize = json["offset"].as_str().unwrap().parse().unwrap();
        let length: usize = json["length"].as_str().unwrap().parse().unwrap();
        let mut record = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&data[offset..offset + length]),
            &mut record,
        )
        .unwrap();
        let url = json["url"].as_str().unwrap().to_string();
        let name = url.rsplit('/').next().unwrap().to_string();
        found.push((name, json["mime"].as_str().unwrap().to_string(), record));
    }
    let photo = found
        .iter()
        .find(|f| f.0 == "photo.jpg")
        .expect("the photo is indexed");
    assert_eq!(photo.1, "image/jpeg");
    assert!(
        photo
            .2
            .ends_with(&[bytes("photo", 40_000), b"\r\n\r\n".to_vec()].concat())
    );
    assert!(found.iter().any(|f| f.0 == "mid.mp4" && f.1 == "video/mp4"));
    assert!(found.iter().any(|f| f.0 == "masto.png"));
    assert!(found.iter().any(|f| f.0 == "hqdefault.jpg"));

    // `verify --wacz` agrees: every file, record and index line intact.
    let out = embarc(dir.path(), &server.url(""))
        .args(["verify", "--json", "--wacz"])
        .arg(&wacz)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{report}");
    assert_eq!(report["index_lines"], 5);
    assert_eq!(
        report["warc_records"], 11,
        "warcinfo, then a response and a request each"
    );
    // A package cut short on its way is reported as not intact (exit 2),
    // not as a mistake in the command; a directory is a mistake.
    let bytes_of = std::fs::read(&wacz).unwrap();
    let cut = dir.path().join("cut.wacz");
    std::fs::write(&cut, &bytes_of[..bytes_of.len() / 2]).unwrap();
    let out = embarc(dir.path(), &server.url(""))
        .args(["verify", "--wacz"])
        .arg(&cut)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("damaged, cut short"), "{said}");
    // A record damaged inside a sound ZIP: the index lines past the damage
    // are not reached, and are not called wrong.
    let first = index
        .lines()
        .map(|l| {
            let json: serde_json::Value =
                serde_json::from_str(l.splitn(3, ' ').nth(2).unwrap()).unwrap();
            json["offset"].as_str().unwrap().parse::<usize>().unwrap()
        })
        .min()
        .unwrap();
    let damaged = dir.path().join("damaged.wacz");
    {
        let mut from = zip::ZipArchive::new(std::fs::File::open(&wacz).unwrap()).unwrap();
        let mut to = zip::ZipWriter::new(std::fs::File::create(&damaged).unwrap());
        for i in 0..from.len() {
            let mut e = from.by_index(i).unwrap();
            let name = e.name().unwrap().to_string();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
            if name == "archive/data.warc.gz" {
                for b in &mut bytes[first + 20..first + 60] {
                    *b ^= 0x5a;
                }
            }
            let stored = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            to.start_file(name, stored).unwrap();
            std::io::Write::write_all(&mut to, &bytes).unwrap();
        }
        to.finish().unwrap();
    }
    let out = embarc(dir.path(), &server.url(""))
        .args(["verify", "--json", "--wacz"])
        .arg(&damaged)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["kind"] == "warc" && p["detail"].as_str().unwrap().contains("is damaged")),
        "{report}"
    );
    assert!(problems.iter().all(|p| p["kind"] != "index"), "{report}");
    assert_eq!(report["index_lines_unread"], 5, "{report}");

    let out = embarc(dir.path(), &server.url(""))
        .args(["verify", "--wacz"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("is a directory; --wacz takes a package file")
    );

    // Media follow the selection captures do: all of them without one,
    // none fetched after a time that is still to come.
    let all = dir.path().join("all.wacz");
    let out = embarc(dir.path(), &server.url(""))
        .args(["export", "wacz", "--out"])
        .arg(&all)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && said.contains("5 media files"),
        "{said}"
    );
    let out = embarc(dir.path(), &server.url(""))
        .args(["export", "wacz", "--since", "2999-01-01", "--out"])
        .arg(dir.path().join("none.wacz"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to package"));
}
