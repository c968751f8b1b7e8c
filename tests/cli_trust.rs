//! Trust boundary end to end: what an archived page can and cannot make
//! embarc do (terminal output, concurrent first open, bounded inputs,
//! read-only archives, `embarc verify`). The binary on real SQLite archives.

mod common;

use common::{Reply, Server};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Archive {
    tmp: tempfile::TempDir,
}

impl Archive {
    fn new() -> Archive {
        Archive {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.tmp.path()
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("archive")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_embarc"));
        cmd.arg("--archive")
            .arg(self.dir())
            .args(args)
            .env("EMBARC_NOW", "2026-01-02T03:04:05Z")
            .env_remove("EMBARC_ARCHIVE")
            .env_remove("EMBARC_ALLOW_PRIVATE")
            .env_remove("EMBARC_USER");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

/// A page whose embedded post carries terminal escape sequences in its
/// text and its author's name, and a right-to-left override.
const HOSTILE_PAGE: &str = "<html><body><blockquote class=\"twitter-tweet\"><p lang=\"en\" dir=\"ltr\">BREAKING: dam \u{1b}]0;pwned\u{7} failed \u{1b}[2J now \u{202e}gnp.exe</p>&mdash; Evil \u{1b}[31mName (@evil_h) <a href=\"https://twitter.com/evil_h/status/1721144944059118002\">November 5, 2023</a></blockquote></body></html>";

fn has_raw_controls(s: &str) -> bool {
    s.chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}')
}

#[test]
fn human_output_shows_control_characters_escaped_and_exports_keep_them() {
    let a = Archive::new();
    let page = a.write("hostile.html", HOSTILE_PAGE.as_bytes());
    a.ok(&["archive", page.to_str().unwrap()]);

    let list = a.ok(&["queue"]);
    assert!(
        !has_raw_controls(&list),
        "queue printed raw controls: {list:?}"
    );
    assert!(list.contains("Evil \\u{1b}[31mName (@evil_h)"), "{list}");
    assert!(list.contains("\\u{1b}]0;pwned\\u{7}"), "{list}");
    assert!(list.contains("\\u{202e}gnp.exe"), "{list}");

    let show = a.ok(&["queue", "show", "1"]);
    assert!(
        !has_raw_controls(&show),
        "queue show printed raw controls: {show:?}"
    );
    assert!(show.contains("\\u{1b}[2J"), "{show}");

    // Exports keep the exact text: JSON escapes it, CSV writes it as is.
    let json = a.ok(&["export", "posts", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["author_name"], "Evil \u{1b}[31mName");
    assert!(
        v[0]["text"]
            .as_str()
            .unwrap()
            .contains("\u{1b}]0;pwned\u{7} failed \u{1b}[2J now \u{202e}gnp.exe")
    );
    let csv = a.ok(&["export", "posts", "--format", "csv"]);
    assert!(csv.contains("Evil \u{1b}[31mName"), "{csv:?}");
}

#[test]
fn four_processes_creating_one_archive_at_once_all_succeed() {
    for round in 0..3 {
        let a = Archive::new();
        let pages: Vec<PathBuf> = (0..4)
            .map(|i| {
                a.write(
                    &format!("page{i}.md"),
                    format!("Round {round}, page {i}: https://x.com/someone/status/17211449440591180{i:02}\n").as_bytes(),
                )
            })
            .collect();
        let children: Vec<_> = pages
            .iter()
            .map(|p| {
                a.command(&["archive", p.to_str().unwrap()])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {err}");
        }
        let status = a.ok(&["status", "--json"]);
        let v: serde_json::Value = serde_json::from_str(&status).unwrap();
        assert_eq!(v["tables"]["articles"], 4, "{status}");
    }
}

/// Wait for `child` at most `limit`; kill it and fail past that.
fn finish_within(mut child: std::process::Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn an_endless_input_list_line_fails_the_list_instead_of_filling_memory() {
    let a = Archive::new();
    // As --input-list: a failure of that list, the run goes on (exit 2).
    let child = a
        .command(&["archive", "--json", "--input-list", "/dev/zero"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finish_within(child, Duration::from_secs(60), "--input-list /dev/zero");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = summary["failures"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("line 1 is longer than 64 KiB"),
        "{message}"
    );
    // As `-` on stdin: a clear error, exit 1.
    let child = a
        .command(&["archive", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finish_within(child, Duration::from_secs(60), "`-` reading /dev/zero");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("line 1 is longer than 64 KiB"), "{err}");
}

#[test]
fn long_inputs_are_echoed_clipped_with_their_length() {
    let a = Archive::new();
    let long = format!("/no/such/{}", "x".repeat(20_000));
    let list = a.write("list.txt", format!("{long}\n").as_bytes());
    let out = a
        .command(&["archive", "-"])
        .stdin(std::fs::File::open(&list).unwrap())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.len() < 2_000,
        "the failure list echoes {} bytes",
        err.len()
    );
    assert!(err.contains("(20009 bytes)"), "{err}");
    let conn = rusqlite::Connection::open(a.dir().join("embarc.db")).unwrap();
    let (input, message): (String, String) = conn
        .query_row("SELECT input, message FROM failures", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(
        input.len() < 400 && input.ends_with("… (20009 bytes)"),
        "{input}"
    );
    assert!(message.len() < 400, "{message}");
}

#[test]
fn one_sitemap_or_feed_adds_at_most_max_source_urls() {
    let server = Server::start(|req| {
        Reply::html(format!(
            "<html><body><p>Article {} with no posts.</p></body></html>",
            req.path
        ))
    });
    let a = Archive::new();
    let urls: String = (1..=5)
        .map(|n| format!("<url><loc>{}</loc></url>", server.url(&format!("/a/{n}"))))
        .collect();
    let sitemap = a.write(
        "sitemap.xml",
        format!(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>"#)
            .as_bytes(),
    );
    let out = a
        .command(&[
            "archive",
            "--json",
            "--min-interval",
            "0",
            "--max-source-urls",
            "2",
            "--allow-private",
            "--sitemap",
            sitemap.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = server.all_hits();
    let pages = (1..=5)
        .filter(|n| hits.contains_key(&format!("/a/{n}")))
        .count();
    assert_eq!(pages, 2, "{hits:?}");
    let message = summary["failures"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("3 of its 5 URLs left out: at most 2"),
        "{message}"
    );
}

fn verify(a: &Archive) -> (Option<i32>, serde_json::Value) {
    let out = a.run(&["verify", "--json"]);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("verify --json: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

#[test]
fn verify_finds_a_flipped_warc_byte_and_an_edited_capture_row() {
    let server = Server::start(|_| {
        Reply::html(
            "<html><body><p>As reported <a href=\"https://x.com/a/status/1721144944059118002\">here</a>.</p></body></html>",
        )
    });
    let a = Archive::new();
    a.ok(&[
        "archive",
        "--min-interval",
        "0",
        "--allow-private",
        &server.url("/story"),
    ]);
    let (code, report) = verify(&a);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["captures_checked"], 1);
    assert_eq!(report["warc_files"], 1);
    assert!(report["warc_records"].as_u64().unwrap() >= 2, "{report}");

    // One flipped byte in the WARC file.
    let warc_dir = a.dir().join("warc");
    let file = std::fs::read_dir(&warc_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let original = std::fs::read(&file).unwrap();
    let mut flipped = original.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0x01;
    std::fs::write(&file, &flipped).unwrap();
    let (code, report) = verify(&a);
    assert_eq!(code, Some(2), "{report}");
    let problems = report["problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["kind"] == "warc"), "{report}");

    // The file gone: said once, with what was recorded in it.
    std::fs::remove_file(&file).unwrap();
    let (code, report) = verify(&a);
    assert_eq!(code, Some(2), "{report}");
    let problems = report["problems"].as_array().unwrap();
    let gone: Vec<_> = problems
        .iter()
        .filter(|p| p["detail"].as_str().unwrap().contains("missing"))
        .collect();
    assert_eq!(gone.len(), 1, "{report}");
    assert_eq!(gone[0]["kind"], "warc");
    assert!(
        gone[0]["detail"]
            .as_str()
            .unwrap()
            .contains("the WARC file is missing: 1 capture recorded in it"),
        "{report}"
    );
    assert_eq!(report["captures_checked"], 0, "{report}");

    // The file restored, one capture row edited.
    std::fs::write(&file, &original).unwrap();
    assert_eq!(verify(&a).0, Some(0));
    let conn = rusqlite::Connection::open(a.dir().join("embarc.db")).unwrap();
    conn.execute("UPDATE captures SET sha256 = 'ab' || substr(sha256, 3)", [])
        .unwrap();
    drop(conn);
    let (code, report) = verify(&a);
    assert_eq!(code, Some(2), "{report}");
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{report}");
    assert_eq!(problems[0]["kind"], "capture");
    assert!(
        problems[0]["detail"]
            .as_str()
            .unwrap()
            .contains("the database says ab"),
        "{report}"
    );
}

/// `archive --json` of `args` (no per-host interval, no retries).
fn archive_json(
    a: &Archive,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Option<i32>, serde_json::Value, String) {
    let mut cmd = a.command(&["archive", "--json", "--min-interval", "0", "--retries", "0"]);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let summary =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("archive --json: {stderr}"));
    (out.status.code(), summary, stderr)
}

const PLAIN_PAGE: &str = "<html><body><p>An article without posts.</p></body></html>";

/// A sitemap file listing `urls` (a local file: its entries are content,
/// and count as public).
fn sitemap_file(a: &Archive, name: &str, urls: &[String]) -> String {
    let entries: String = urls
        .iter()
        .map(|u| format!("<url><loc>{u}</loc></url>"))
        .collect();
    let xml = format!(
        r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>"#
    );
    a.write(name, xml.as_bytes()).to_str().unwrap().to_string()
}

#[test]
fn the_operators_internal_urls_are_archived_and_content_naming_them_is_refused_unless_allowed() {
    let server = Server::start(|_| Reply::html(PLAIN_PAGE));
    let a = Archive::new();
    let port = server.addr.port();
    let decimal = |path: &str| format!("http://2130706433:{port}{path}");
    // Named on the command line: the operator's own, no flag needed.
    let (code, summary, stderr) = archive_json(&a, &[&server.url("/a"), &decimal("/d")], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(summary["fetched"], 2, "{summary}");

    // Listed by a sitemap (content): refused before any request.
    let listed = sitemap_file(&a, "s1.xml", &[server.url("/s1"), decimal("/s2")]);
    let (code, summary, stderr) = archive_json(&a, &["--sitemap", &listed], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(summary["failure_classes"]["blocked"], 2, "{summary}");
    assert!(
        stderr.contains("127.0.0.1 is a loopback address")
            && stderr.contains("and content may not lead inward")
            && stderr.contains(
                "pass --allow-private (or set allow_private = true under [network] in embarc.toml)"
            )
            && stderr.contains("(blocked)"),
        "{stderr}"
    );
    assert_eq!(
        server.hits("/s1") + server.hits("/s2"),
        0,
        "nothing was sent"
    );
    let classes = a.ok(&["status", "--json"]);
    assert!(classes.contains("\"failures\""), "{classes}");

    // Allowed by the flag, the variable, or the setting.
    let listed = sitemap_file(&a, "s3.xml", &[server.url("/s3")]);
    let (code, summary, stderr) = archive_json(&a, &["--allow-private", "--sitemap", &listed], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(summary["fetched"], 1, "{summary}");
    let listed = sitemap_file(&a, "s4.xml", &[server.url("/s4")]);
    let (code, summary, stderr) = archive_json(
        &a,
        &["--sitemap", &listed],
        &[("EMBARC_ALLOW_PRIVATE", "1")],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(summary["fetched"], 1, "{summary}");
    std::fs::write(
        a.dir().join("embarc.toml"),
        "[network]\nallow_private = true\n",
    )
    .unwrap();
    let listed = sitemap_file(&a, "s5.xml", &[decimal("/s5")]);
    let (code, summary, stderr) = archive_json(&a, &["--sitemap", &listed], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(summary["fetched"], 1, "{summary}");
    assert_eq!(
        server.hits("/s3") + server.hits("/s4") + server.hits("/s5"),
        3
    );
}

#[test]
fn a_site_on_an_internal_address_may_point_within_its_own_network() {
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let p = port.clone();
    let server = Server::start(move |req| {
        let port = p.get().copied().unwrap_or_default();
        match req.path.as_str() {
            "/moved" => Reply::redirect(301, &format!("http://localhost:{port}/inner")),
            "/sitemap.xml" => Reply::status(
                200,
                "application/xml",
                format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://localhost:{port}/listed</loc></url></urlset>"#
                ),
            ),
            _ => Reply::html(PLAIN_PAGE),
        }
    });
    port.set(server.addr.port()).unwrap();
    let a = Archive::new();
    let (code, summary, stderr) = archive_json(
        &a,
        &[
            &server.url("/moved"),
            "--sitemap",
            &server.url("/sitemap.xml"),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(summary["fetched"], 2, "{summary}\n{stderr}");
    assert_eq!((server.hits("/inner"), server.hits("/listed")), (1, 1));
}

#[test]
fn redirects_and_sitemap_entries_into_internal_hosts_are_refused() {
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let p = port.clone();
    let server = Server::start(move |req| {
        let port = p.get().copied().unwrap_or_default();
        match req.path.as_str() {
            "/to-localhost" => Reply::redirect(301, &format!("http://localhost:{port}/inner")),
            "/to-mapped" => {
                Reply::redirect(302, &format!("http://[::ffff:127.0.0.1]:{port}/inner"))
            }
            "/sitemap.xml" => Reply::status(
                200,
                "application/xml",
                format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://localhost:{port}/listed</loc></url><url><loc>http://127.0.0.1:{port}/ok</loc></url></urlset>"#
                ),
            ),
            _ => Reply::html(PLAIN_PAGE),
        }
    });
    port.set(server.addr.port()).unwrap();
    let a = Archive::new();
    // The operator allows this one intranet host; where it points is
    // checked all the same.
    std::fs::create_dir_all(a.dir()).unwrap();
    std::fs::write(
        a.dir().join("embarc.toml"),
        "[network]\nallow_hosts = [\"127.0.0.1\"]\n",
    )
    .unwrap();
    let (code, summary, stderr) = archive_json(
        &a,
        &[
            &server.url("/to-localhost"),
            &server.url("/to-mapped"),
            "--sitemap",
            &server.url("/sitemap.xml"),
        ],
        &[],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        summary["failure_classes"]["blocked"], 3,
        "{summary}\n{stderr}"
    );
    assert_eq!(summary["fetched"], 1, "{summary}");
    assert!(stderr.contains("it resolves to"), "{stderr}");
    assert!(stderr.contains("after 1 redirect"), "{stderr}");
    assert_eq!(server.hits("/inner"), 0);
    assert_eq!(server.hits("/listed"), 0);
    assert_eq!(server.hits("/ok"), 1);
}

const MASTODON_PAGE: &str = r#"<html><body><p>Story</p><iframe src="https://HOST/@newsroom/113543671971844242/embed" class="mastodon-embed" width="400"></iframe></body></html>"#;

/// `check --posts` through the library, with `internal.example` resolved to
/// 127.0.0.1 by an injected resolver (no name reaches the system's DNS).
async fn check_with_resolver(a: &Archive, allow_private: bool) -> embarc::check::Checked {
    use embarc::check::{self, Settings};
    let store = embarc::store::Store::open(&a.dir().join("embarc.db")).unwrap();
    let mut settings = Settings::resolve(&embarc::config::Config::default(), &|_| None).unwrap();
    settings.retries = 0;
    settings.timeout = Duration::from_secs(5);
    settings.network.allow_private = allow_private;
    settings.network.hosts.insert(
        "internal.example".into(),
        vec!["127.0.0.1".parse().unwrap()],
    );
    let opts = check::Options {
        posts: true,
        articles: false,
        platform: None,
        select: check::Select::Stale(Duration::ZERO),
        stop: None,
        limit: None,
        lanes: true,
    };
    let mut results = Vec::new();
    let summary = check::run(&store, &settings, &opts, &mut |c| results.push(c.clone()))
        .await
        .unwrap();
    assert_eq!(results.len(), 1, "{summary:?}");
    results.remove(0)
}

#[tokio::test]
async fn a_mastodon_embed_whose_host_resolves_inward_is_never_contacted_unless_allowed() {
    // A plain HTTP listener: the check speaks TLS to it, so only whether a
    // connection arrives matters here.
    let server = Server::start(|_| Reply::html(PLAIN_PAGE));
    let a = Archive::new();
    let host = format!("internal.example:{}", server.addr.port());
    let file = a.write(
        "article.html",
        MASTODON_PAGE.replace("HOST", &host).as_bytes(),
    );
    a.ok(&["archive", file.to_str().unwrap()]);

    let r = check_with_resolver(&a, false).await;
    assert_eq!(r.outcome, embarc::check::Outcome::Blocked, "{r:?}");
    assert!(
        r.evidence.contains(&format!(
            "mastodon_api: not asked: refused to connect to {host}: it resolves to 127.0.0.1, a loopback address"
        )) && r.evidence.contains("--allow-private"),
        "{}",
        r.evidence
    );
    assert_eq!(server.connections(), 0, "the instance was never contacted");
    // The refusal is recorded as such, and shown to people.
    let shown = a.ok(&[
        "queue",
        "add",
        &format!("https://{host}/@newsroom/113543671971844242"),
        "--reason",
        "watch it",
        "--by",
        "t",
    ]);
    assert!(!shown.is_empty());
    let claim = a.ok(&["queue", "show", shown.trim()]);
    assert!(claim.contains("unknown (blocked)"), "{claim}");

    let r = check_with_resolver(&a, true).await;
    assert_ne!(r.outcome, embarc::check::Outcome::Blocked, "{r:?}");
    assert!(server.connections() > 0, "allowed, the instance is asked");
}

#[test]
fn an_endpoint_redirected_to_another_host_that_answers_404_is_ambiguous_with_the_hops() {
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let p = port.clone();
    let server = Server::start(move |req| {
        let port = p.get().copied().unwrap_or_default();
        if req.path.starts_with("/masto/") {
            Reply::redirect(302, &format!("http://localhost:{port}/elsewhere"))
        } else {
            Reply::status(404, "application/json", r#"{"error":"Record not found"}"#)
        }
    });
    port.set(server.addr.port()).unwrap();
    let a = Archive::new();
    let page = MASTODON_PAGE.replace("HOST", "social.example");
    let file = a.write("article.html", page.as_bytes());
    a.ok(&["archive", file.to_str().unwrap()]);
    let out = a
        .command(&[
            "check",
            "--posts",
            "--stale",
            "0",
            "--json",
            "--allow-private",
        ])
        .env("EMBARC_MASTODON_URL", server.url("/masto"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let r = &v["results"][0];
    assert_eq!(r["state"], "unknown", "{r}");
    assert_eq!(r["reason"], "ambiguous", "{r}");
    let evidence = r["evidence"].as_str().unwrap();
    let first = server.url("/masto/api/v1/statuses/113543671971844242");
    assert!(
        evidence.contains(&format!(
            "mastodon_api: 404 answered by another host after a redirect: {first} 302 -> http://localhost:{}/elsewhere 404",
            server.addr.port()
        )),
        "{evidence}"
    );
    assert!(server.hits("/elsewhere") >= 1, "the redirect was followed");
}

fn sha256_file(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn a_read_only_archive_is_read_by_every_reading_command_and_refuses_changes() {
    let server = Server::start(|_| Reply::html(HOSTILE_PAGE));
    let a = Archive::new();
    let url = server.url("/story");
    a.ok(&["archive", "--allow-private", "--min-interval", "0", &url]);
    let db = a.dir().join("embarc.db");
    let before = sha256_file(&db);
    let read_only = |args: &[&str]| {
        a.command(args)
            .env("EMBARC_READ_ONLY", "1")
            .output()
            .unwrap()
    };
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["export", "posts", "--format", "json"],
        &["export", "queue", "--format", "csv"],
        &["report"],
        &["queue"],
        &["queue", "--json"],
        &["queue", "show", "1"],
        &["capture", "show", &url],
    ] {
        let out = read_only(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    for args in [
        &["queue", "set", "1", "verified", "--by", "ana"][..],
        &["queue", "note", "1", "seen", "--by", "ana"],
        &["archive", "--allow-private", &url],
    ] {
        let out = read_only(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("embarc: error: the archive is read-only"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(sha256_file(&db), before, "the database was not written");
    assert!(a.ok(&["queue", "show", "1"]).contains("unstarted"));

    // Files on read-only media are read without locks (immutable), and
    // through a WAL file left beside them.
    let media = || embarc::store::Store::open_read_only(&db, true).unwrap();
    let store = media();
    assert_eq!(store.status().unwrap().tables["claims"], 1);
    let refused = store.note_claim(1, "seen", "ana").unwrap_err();
    assert!(
        matches!(refused, embarc::store::Error::ReadOnly { .. }),
        "{refused}"
    );
    drop(store);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let checkpointed = sha256_file(&db);
    assert_eq!(media().status().unwrap().tables["claims"], 1);
    assert_eq!(sha256_file(&db), checkpointed);
}

#[test]
fn check_keeps_its_endpoint_answers_in_warc_only_when_asked() {
    let server = Server::start(|_| {
        Reply::status(404, "application/json", r#"{"error":"Record not found"}"#)
    });
    let a = Archive::new();
    let page = MASTODON_PAGE.replace("HOST", "social.example");
    let file = a.write("article.html", page.as_bytes());
    a.ok(&["archive", file.to_str().unwrap()]);
    let check = || {
        let out = a
            .command(&["check", "--posts", "--stale", "0", "--allow-private"])
            .env("EMBARC_MASTODON_URL", server.url("/masto"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let api = server.url("/masto/api/v1/statuses/113543671971844242");
    // Off by default: nothing is written.
    check();
    assert!(!a.dir().join("warc").exists());
    std::fs::write(
        a.dir().join("embarc.toml"),
        "[check]\nkeep_answers = true\n",
    )
    .unwrap();
    check();
    let out = a.run(&["capture", "show", "--all", "--json", &api]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["status"], 404);
}
