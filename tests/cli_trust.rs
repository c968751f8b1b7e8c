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
    a.ok(&["archive", "--min-interval", "0", &server.url("/story")]);
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
