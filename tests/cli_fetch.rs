//! `embarc archive` on web inputs, end to end: the binary against servers on
//! 127.0.0.1, a real SQLite archive, and the WARC files read back by an
//! independent reader written here.

mod common;

use assert_cmd::Command;
use common::{Reply, Server};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// An article citing one tweet (status id `id`) in a publish blockquote.
fn article(id: u64, text: &str) -> String {
    format!(
        r#"<!doctype html><html><head><title>News {id}</title></head><body><article>
<p>Reporting on the story.</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{text}</p>&mdash; Desk (@newsdesk) <a href="https://twitter.com/newsdesk/status/{id}">January 7, 2020</a></blockquote>
</article></body></html>"#
    )
}

const ID: u64 = 1214387633146564608;

fn embarc(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("embarc").unwrap();
    // The test servers listen on 127.0.0.1, an internal address.
    c.arg("--archive")
        .arg(dir)
        .env_remove("EMBARC_ARCHIVE")
        .env("EMBARC_ALLOW_PRIVATE", "1");
    c
}

/// `archive --json` without the per-host interval (tests add their
/// timeouts and retries).
fn archive_cmd(dir: &Path) -> Command {
    let mut c = embarc(dir);
    c.args(["archive", "--json", "--min-interval", "0"]);
    c
}

fn db(dir: &Path) -> Connection {
    Connection::open(dir.join("embarc.db")).unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn summary(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON summary ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Failure classes by input, from the archive.
fn failures(dir: &Path) -> HashMap<String, (String, Option<i64>)> {
    let conn = db(dir);
    let mut stmt = conn
        .prepare("SELECT input, class, http_status FROM failures")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

// --- An independent WARC reader: gzip member by member, headers by hand. ---

struct WarcRecord {
    offset: u64,
    headers: HashMap<String, String>,
    block: Vec<u8>,
}

fn read_warc(path: &Path) -> Vec<WarcRecord> {
    let data = std::fs::read(path).unwrap();
    let mut records = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        let mut cursor = std::io::Cursor::new(&data[pos..]);
        let mut raw = Vec::new();
        flate2::bufread::GzDecoder::new(&mut cursor)
            .read_to_end(&mut raw)
            .unwrap();
        let used = cursor.position() as usize;
        let text_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = std::str::from_utf8(&raw[..text_end]).unwrap();
        let mut lines = head.split("\r\n");
        assert_eq!(lines.next(), Some("WARC/1.1"));
        let headers: HashMap<String, String> = lines
            .map(|l| {
                let (n, v) = l.split_once(": ").unwrap();
                (n.to_string(), v.to_string())
            })
            .collect();
        let len: usize = headers["Content-Length"].parse().unwrap();
        let block = raw[text_end + 4..text_end + 4 + len].to_vec();
        assert_eq!(
            &raw[text_end + 4 + len..],
            b"\r\n\r\n",
            "record ends with two CRLFs"
        );
        records.push(WarcRecord {
            offset: pos as u64,
            headers,
            block,
        });
        pos += used;
    }
    records
}

fn b32(data: &[u8]) -> String {
    // Bit by bit, unlike the writer's 5-byte groups.
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".as_bytes();
    let bits: Vec<u8> = data
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1))
        .collect();
    let mut s: String = bits
        .chunks(5)
        .map(|c| {
            let mut v = 0usize;
            for i in 0..5 {
                v = (v << 1) | usize::from(*c.get(i).unwrap_or(&0));
            }
            alphabet[v] as char
        })
        .collect();
    while !s.len().is_multiple_of(8) {
        s.push('=');
    }
    s
}

fn sha256_b32(data: &[u8]) -> String {
    format!("sha256:{}", b32(&Sha256::digest(data)))
}

fn warc_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir.join("warc"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn pages_with_embeds_are_archived_with_warc_captures_and_rerun_skips_them() {
    let server = Server::start(|req| match req.path.as_str() {
        "/news/1" => Reply::html(article(ID, "BREAKING: the bridge is closed")),
        "/news/2" => Reply::html("<html><body><p>No posts cited here.</p></body></html>"),
        _ => Reply::status(404, "text/html", "no"),
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (u1, u2) = (server.url("/news/1"), server.url("/news/2"));
    let out = archive_cmd(dir).args([&u1, &u2]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    assert_eq!(s["articles"], 2);
    assert_eq!(s["fetched"], 2);
    assert_eq!(s["new_citations"], 1);
    assert_eq!(s["new_claims"], 1);
    assert_eq!(s["failures"].as_array().unwrap().len(), 0);

    let conn = db(dir);
    let (status, final_url, file, offset, digest, sha): (i64, String, String, i64, String, String) = conn
        .query_row(
            "SELECT c.http_status, c.final_url, c.warc_file, c.warc_offset, c.payload_digest, c.sha256
             FROM captures c JOIN articles a ON a.id = c.article_id WHERE a.url = ?1",
            [&u1],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    assert_eq!((status, final_url.as_str()), (200, u1.as_str()));
    let page = article(ID, "BREAKING: the bridge is closed");
    assert_eq!(sha, hex::encode(Sha256::digest(page.as_bytes())));
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM citations c JOIN posts p ON p.id = c.post_id WHERE p.post_id = '1214387633146564608'"
        ),
        1
    );

    // Read the WARC back independently.
    let files = warc_files(dir);
    assert_eq!(files.len(), 1);
    assert_eq!(dir.join(&file), files[0]);
    let records = read_warc(&files[0]);
    assert_eq!(records[0].headers["WARC-Type"], "warcinfo");
    for r in &records {
        assert_eq!(r.headers["WARC-Block-Digest"], sha256_b32(&r.block));
        assert!(r.headers["WARC-Record-ID"].starts_with("<urn:uuid:"));
        assert!(r.headers.contains_key("WARC-Date"));
    }
    let response = records.iter().find(|r| r.offset == offset as u64).unwrap();
    assert_eq!(response.headers["WARC-Type"], "response");
    assert_eq!(response.headers["WARC-Target-URI"], u1);
    assert_eq!(
        response.headers["Content-Type"],
        "application/http;msgtype=response"
    );
    assert_eq!(response.headers["WARC-IP-Address"], "127.0.0.1");
    let split = response
        .block
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap();
    let http_head = std::str::from_utf8(&response.block[..split]).unwrap();
    assert!(http_head.starts_with("HTTP/1.1 200 OK\r\n"), "{http_head}");
    let payload = &response.block[split + 4..];
    assert_eq!(payload, page.as_bytes());
    assert_eq!(response.headers["WARC-Payload-Digest"], sha256_b32(payload));
    assert_eq!(digest, sha256_b32(payload));
    let request = records
        .iter()
        .find(|r| r.headers.get("WARC-Concurrent-To") == Some(&response.headers["WARC-Record-ID"]))
        .unwrap();
    assert_eq!(request.headers["WARC-Type"], "request");
    let req_text = String::from_utf8_lossy(&request.block);
    assert!(
        req_text.starts_with("GET /news/1 HTTP/1.1\r\n"),
        "{req_text}"
    );
    assert!(req_text.contains("User-Agent: embarc/"));
    // Two articles, and the one robots.txt answer of their host.
    let kept: Vec<&str> = records
        .iter()
        .filter(|r| r.headers["WARC-Type"] == "response")
        .map(|r| r.headers["WARC-Target-URI"].as_str())
        .collect();
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert_eq!(
        kept.iter().filter(|u| u.ends_with("/robots.txt")).count(),
        1,
        "{kept:?}"
    );

    // `capture show` prints it back.
    let shown = embarc(dir)
        .args(["capture", "show", &u1, "--body"])
        .output()
        .unwrap();
    assert!(shown.status.success());
    assert_eq!(shown.stdout, page.as_bytes());
    let shown = embarc(dir).args(["capture", "show", &u1]).output().unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.starts_with("WARC/1.1\r\nWARC-Type: response\r\n"),
        "{text}"
    );
    assert!(text.contains("HTTP/1.1 200 OK"));
    let missing = embarc(dir)
        .args(["capture", "show", &server.url("/nope")])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no capture of"));

    // A second run skips both without fetching.
    let out = archive_cmd(dir).args([&u1, &u2]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = summary(&out);
    assert_eq!(s["skipped"]["already_captured"], 2);
    assert_eq!(s["fetched"], 0);
    assert_eq!((server.hits("/news/1"), server.hits("/news/2")), (1, 1));

    // --refetch fetches again; unchanged content adds no rows.
    let out = archive_cmd(dir).args(["--refetch", &u1]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(summary(&out)["unchanged"], 1);
    assert_eq!(server.hits("/news/1"), 2);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM captures"), 2);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM citations"), 1);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM claims"), 1);

    // --max-age: a capture younger than the age is kept, an older one refetched.
    let out = archive_cmd(dir)
        .args(["--max-age", "1d", &u2])
        .output()
        .unwrap();
    assert_eq!(summary(&out)["skipped"]["already_captured"], 1);
    conn.execute(
        "UPDATE captures SET captured_at = '2000-01-01T00:00:00.000Z'",
        [],
    )
    .unwrap();
    let out = archive_cmd(dir)
        .args(["--max-age", "1d", &u2])
        .output()
        .unwrap();
    assert_eq!(summary(&out)["fetched"], 1);
    assert_eq!(server.hits("/news/2"), 2);

    // The age is measured on the archive's clock (EMBARC_NOW), not the
    // machine's: a week later by that clock, the capture is too old.
    let out = archive_cmd(dir)
        .env("EMBARC_NOW", "2099-01-01T00:00:00.000Z")
        .args(["--max-age", "1d", &u2])
        .output()
        .unwrap();
    assert_eq!(summary(&out)["fetched"], 1);
    assert_eq!(server.hits("/news/2"), 3);
    let out = archive_cmd(dir)
        .env("EMBARC_NOW", "2099-01-01T12:00:00.000Z")
        .args(["--max-age", "1d", &u2])
        .output()
        .unwrap();
    assert_eq!(summary(&out)["skipped"]["already_captured"], 1);
    assert_eq!(server.hits("/news/2"), 3);
}

#[test]
fn redirects_are_recorded_and_loops_fail() {
    let server = Server::start(|req| match req.path.as_str() {
        "/old" => Reply::redirect(301, "/moved"),
        "/moved" => Reply::redirect(302, "/story"),
        "/story" => Reply::html(article(ID, "A story")),
        "/loop-a" => Reply::redirect(302, "/loop-b"),
        "/loop-b" => Reply::redirect(302, "/loop-a"),
        "/to-missing" => Reply::redirect(301, "/missing"),
        _ => Reply::status(404, "text/html", "no"),
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = archive_cmd(dir)
        .args([
            server.url("/old"),
            server.url("/loop-a"),
            server.url("/to-missing"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a loop is a failure");
    let s = summary(&out);
    assert_eq!(s["failure_classes"]["redirect"], 1);
    // A failure after a redirect names the URL that failed.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "    {}: HTTP 404 Not Found (at {}, after 1 redirect) (http_status)\n",
            server.url("/to-missing"),
            server.url("/missing")
        )),
        "{stderr}"
    );
    let conn = db(dir);
    let (final_url, redirects): (String, String) = conn
        .query_row("SELECT final_url, redirects FROM captures", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(final_url, server.url("/story"));
    let hops: serde_json::Value = serde_json::from_str(&redirects).unwrap();
    assert_eq!(hops[0]["url"], server.url("/old"));
    assert_eq!(hops[0]["status"], 301);
    assert_eq!(hops[0]["location"], "/moved");
    assert_eq!(hops[1]["status"], 302);
    assert_eq!(hops.as_array().unwrap().len(), 2);
    let f = failures(dir);
    assert_eq!(f[&server.url("/loop-a")].0, "redirect");
    assert_eq!(server.hits("/loop-a"), 1);
    // Every hop is kept in the WARC file.
    let records = read_warc(&warc_files(dir)[0]);
    let targets: Vec<&str> = records
        .iter()
        .filter(|r| r.headers["WARC-Type"] == "response")
        .map(|r| r.headers["WARC-Target-URI"].as_str())
        .collect();
    for path in ["/old", "/moved", "/story", "/loop-a", "/loop-b"] {
        assert!(
            targets.contains(&server.url(path).as_str()),
            "{path}: {targets:?}"
        );
    }
    // `capture show` finds the capture by its final URL too.
    let shown = embarc(dir)
        .args(["capture", "show", &server.url("/story"), "--body"])
        .output()
        .unwrap();
    assert_eq!(shown.stdout, article(ID, "A story").as_bytes());
}

#[test]
fn error_statuses_fail_with_their_status_and_5xx_is_retried() {
    let server = Server::start(|req| match req.path.as_str() {
        "/missing" => Reply::status(404, "text/html", "not here"),
        "/gone" => Reply::status(410, "text/html", "gone"),
        "/broken" => Reply::status(500, "text/html", "oops"),
        "/ok" => Reply::html(article(ID, "fine")),
        _ => Reply::status(404, "text/html", "no"),
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = archive_cmd(dir)
        .args(["--retries", "1"])
        .args(["/missing", "/gone", "/broken", "/ok"].map(|p| server.url(p)))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let s = summary(&out);
    assert_eq!(s["articles"], 1, "one failure never spoils the rest");
    assert_eq!(s["failure_classes"]["http_status"], 3);
    let f = failures(dir);
    assert_eq!(
        f[&server.url("/missing")],
        ("http_status".into(), Some(404))
    );
    assert_eq!(f[&server.url("/gone")], ("http_status".into(), Some(410)));
    assert_eq!(f[&server.url("/broken")], ("http_status".into(), Some(500)));
    assert_eq!(server.hits("/missing"), 1);
    assert_eq!(server.hits("/broken"), 2, "5xx retried once");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 http_status"), "{stderr}");
    // The input is named once; the tries only when there were several.
    assert!(
        stderr.contains(&format!(
            "    {}: HTTP 410 Gone (http_status)\n",
            server.url("/gone")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "    {}: HTTP 500 Internal Server Error, after 2 tries (http_status)\n",
            server.url("/broken")
        )),
        "{stderr}"
    );
}

#[test]
fn connection_failures_say_what_failed_once() {
    // A port held by a socket that is bound but not listening: connecting
    // is refused, and no other test's server can take the port meanwhile.
    let held = tokio::net::TcpSocket::new_v4().unwrap();
    held.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = held.local_addr().unwrap().port();
    let page = format!("http://127.0.0.1:{port}/page.html");
    let tmp = tempfile::tempdir().unwrap();
    let out = archive_cmd(tmp.path())
        .args(["--retries", "0", &page])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("page.html"))
        .unwrap_or_else(|| panic!("the input is not named: {stderr}"));
    assert_eq!(
        line.trim(),
        format!(
            "{page}: cannot connect to 127.0.0.1:{port} for robots.txt: connection refused (connect)"
        )
    );
    // The message stored and in --json is the same plain one.
    let s = summary(&out);
    assert_eq!(
        s["failures"][0]["message"],
        format!("cannot connect to 127.0.0.1:{port} for robots.txt: connection refused")
    );
    let out = archive_cmd(tmp.path())
        .args(["--retries", "0", "--ignore-robots", &page])
        .output()
        .unwrap();
    assert_eq!(
        summary(&out)["failures"][0]["message"],
        format!("cannot connect to 127.0.0.1:{port}: connection refused")
    );
}

#[test]
fn markdown_is_archived_as_text() {
    let md = format!(
        "# Update\n\nThe statement is at https://x.com/police/status/{ID} and was posted late.\n"
    );
    let server = Server::start(move |req| match req.path.as_str() {
        "/notes.md" => Reply::status(200, "text/markdown; charset=utf-8", md.clone()),
        "/old.md" => Reply::status(
            200,
            "text/x-markdown",
            md.replace(&ID.to_string(), &(ID + 1).to_string()),
        ),
        _ => Reply::status(404, "text/plain", "no"),
    });
    let tmp = tempfile::tempdir().unwrap();
    let out = archive_cmd(tmp.path())
        .args([server.url("/notes.md"), server.url("/old.md")])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    assert_eq!(s["articles"], 2);
    assert_eq!(s["new_citations"], 2);
    assert_eq!(s["skipped"], serde_json::json!({}));
    let conn = db(tmp.path());
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM captures WHERE content_type IN ('text/markdown', 'text/x-markdown')"
        ),
        2
    );
}

#[test]
fn a_429_with_retry_after_is_waited_for() {
    let server = Server::start(|req| {
        if req.seen == 0 {
            Reply::status(429, "text/plain", "slow down").with_header("Retry-After", "1")
        } else {
            Reply::html(article(ID, "after the wait"))
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let out = archive_cmd(tmp.path())
        .args(["--retries", "2", &server.url("/limited")])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(start.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.hits("/limited"), 2);
    assert_eq!(summary(&out)["new_citations"], 1);
}

#[test]
fn stalls_silence_endless_bodies_and_bombs_are_cut_off() {
    let bomb = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![b'<'; 50 * 1024 * 1024]).unwrap();
        e.finish().unwrap()
    };
    let server = Server::start(move |req| match req.path.as_str() {
        "/stall" => Reply::Stall {
            content_length: 100_000,
            sent: b"<html><body><p>the start of".to_vec(),
        },
        "/silent" => Reply::Silent,
        "/endless" => Reply::Endless,
        "/bomb" => Reply::Full {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/html".into()),
                ("Content-Encoding".into(), "gzip".into()),
            ],
            body: bomb.clone(),
            delay: Duration::ZERO,
        },
        _ => Reply::html(article(ID, "fine")),
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let start = Instant::now();
    let out = archive_cmd(dir)
        .args([
            "--timeout",
            "1.5",
            "--stall-timeout",
            "0.5",
            "--max-size",
            "1",
            "--retries",
            "0",
        ])
        .args(["/stall", "/silent", "/endless", "/bomb", "/ok"].map(|p| server.url(p)))
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(2));
    let f = failures(dir);
    assert_eq!(f[&server.url("/stall")].0, "stalled");
    assert_eq!(f[&server.url("/silent")].0, "timeout");
    assert_eq!(f[&server.url("/endless")].0, "too_large");
    assert_eq!(f[&server.url("/bomb")].0, "too_large");
    let s = summary(&out);
    assert_eq!(s["articles"], 1);
    assert_eq!(s["failure_classes"]["too_large"], 2);
    let messages: Vec<String> = s["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("decoded")),
        "{messages:?}"
    );
    // In MiB, as --max-size takes it.
    assert!(
        messages
            .iter()
            .any(|m| m == "the body is larger than the limit of 1 MiB (raise it with --max-size)"),
        "{messages:?}"
    );
}

#[test]
fn a_wrong_charset_header_does_not_garble_utf8_text() {
    let server = Server::start(|req| match req.path.as_str() {
        // UTF-8 bytes, labelled Latin-1 by a misconfigured server.
        "/mislabelled" => Reply::status(
            200,
            "text/html; charset=iso-8859-1",
            article(ID, "Café reopens ☕ after the storm"),
        ),
        // Real Latin-1, correctly labelled.
        "/latin1" => Reply::status(
            200,
            "text/html; charset=iso-8859-1",
            article(1214387633146564609, "Caf\u{e9} ferm\u{e9}")
                .chars()
                .map(|c| c as u32 as u8)
                .collect::<Vec<u8>>(),
        ),
        _ => Reply::status(404, "text/html", "no"),
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = archive_cmd(dir)
        .args([server.url("/mislabelled"), server.url("/latin1")])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conn = db(dir);
    let text = |id: &str| -> String {
        conn.query_row(
            "SELECT s.text FROM snapshots s JOIN posts p ON p.id = s.post_id WHERE p.post_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(
        text("1214387633146564608"),
        "Café reopens ☕ after the storm"
    );
    assert_eq!(text("1214387633146564609"), "Café fermé");
    let encodings: Vec<String> = conn
        .prepare("SELECT c.encoding FROM captures c JOIN articles a ON a.id = c.article_id ORDER BY a.url")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(encodings, vec!["windows-1252", "UTF-8"]);
}

#[test]
fn robots_txt_forbidding_a_path_is_honoured() {
    let server = Server::start(|req| match req.path.as_str() {
        "/robots.txt" => Reply::status(200, "text/plain", "User-agent: *\nDisallow: /private/\n"),
        _ => Reply::html(article(ID, "text")),
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut cmd = embarc(dir);
    cmd.args(["archive", "--json", "--min-interval", "0", "--timeout", "2"]);
    let out = cmd
        .args([server.url("/private/a"), server.url("/public/b")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(f_class(dir, &server.url("/private/a")), "robots");
    assert_eq!(server.hits("/private/a"), 0, "never requested");
    assert_eq!(server.hits("/public/b"), 1);
    assert_eq!(server.hits("/robots.txt"), 1, "fetched once per host");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--ignore-robots"), "{stderr}");

    let out = archive_cmd(dir)
        .args(["--ignore-robots", &server.url("/private/a")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server.hits("/private/a"), 1);
}

fn f_class(dir: &Path, input: &str) -> String {
    failures(dir)[input].0.clone()
}

#[test]
fn a_sitemap_index_and_feeds_expand_into_articles() {
    let gz = |s: String| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(s.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let server = Server::start(move |req| {
        let base = format!("http://{}", req.headers["host"]);
        match req.path.as_str() {
            "/sitemap_index.xml" => Reply::status(
                200,
                "application/xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap-1.xml.gz</loc></sitemap>
<sitemap><loc>{base}/sitemap-2.xml</loc></sitemap>
</sitemapindex>"#
                ),
            ),
            "/sitemap-1.xml.gz" => Reply::status(
                200,
                "application/x-gzip",
                gz(format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/a/1</loc></url><url><loc>{base}/a/2</loc></url></urlset>"#
                )),
            ),
            "/sitemap-2.xml" => Reply::status(
                200,
                "application/xml",
                format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/a/3</loc></url></urlset>"#
                ),
            ),
            "/feed.xml" => Reply::status(
                200,
                "application/rss+xml",
                format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>{base}/</link>
<item><title>Four</title><link>{base}/a/4</link></item></channel></rss>"#
                ),
            ),
            p if p.starts_with("/a/") => {
                let n: u64 = p[3..].parse().unwrap();
                Reply::html(article(ID + n, "from a list"))
            }
            _ => Reply::status(404, "text/html", "no"),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let atom = dir.join("feed.atom");
    std::fs::write(
        &atom,
        format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Desk</title>
<entry><title>Five</title><link rel="alternate" href="{}"/></entry></feed>"#,
            server.url("/a/5")
        ),
    )
    .unwrap();
    let out = archive_cmd(dir)
        .args(["--sitemap", &server.url("/sitemap_index.xml")])
        .args(["--feed", &server.url("/feed.xml")])
        .arg("--feed")
        .arg(&atom)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    assert_eq!(s["articles"], 5);
    assert_eq!(s["new_citations"], 5);
    for n in 1..=5 {
        assert_eq!(server.hits(&format!("/a/{n}")), 1);
    }
    // A document that is not a sitemap is a clear failure.
    let out = archive_cmd(dir)
        .args(["--sitemap", &server.url("/feed.xml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a sitemap"));
}

#[test]
fn input_lists_stdin_and_non_articles() {
    let server = Server::start(|req| match req.path.as_str() {
        "/report.pdf" => Reply::status(200, "application/pdf", "%PDF-1.4"),
        p => Reply::html(article(ID + p.len() as u64, "listed")),
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let list = dir.join("urls.txt");
    std::fs::write(
        &list,
        format!(
            "# articles to archive\n{}\n\n{}\nnot a url\n",
            server.url("/l/1"),
            server.url("/report.pdf")
        ),
    )
    .unwrap();
    let local = dir.join("local.html");
    std::fs::write(&local, article(ID + 100, "a local copy")).unwrap();
    let out = archive_cmd(dir)
        .arg("--input-list")
        .arg(&list)
        .arg("-")
        .write_stdin(format!(
            "{}\n{}\n",
            server.url("/stdin/22"),
            local.display()
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the bad line fails");
    let s = summary(&out);
    assert_eq!(s["articles"], 3, "/l/1, /stdin/22 and the local file");
    assert_eq!(s["skipped"]["not_an_article"], 1);
    assert_eq!(s["failure_classes"]["invalid_url"], 1);
    // Skipped inputs are counted apart from archived ones and named.
    let pdf = server.url("/report.pdf");
    assert_eq!(s["skipped_inputs"][0]["input"], pdf.as_str());
    assert_eq!(s["skipped_inputs"][0]["reason"], "not_an_article");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("embarc: archived 3, skipped 1, failed 1 of 5 inputs into"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "    {pdf}: Content-Type application/pdf is not an article (HTML, XHTML, plain text or Markdown) (not_an_article)\n"
        )),
        "{stderr}"
    );
    assert_eq!(f_class(dir, &server.url("/report.pdf")), "not_an_article");
    assert_eq!(f_class(dir, "not a url"), "invalid_url");
    assert_eq!(server.hits("/stdin/22"), 1);
}

#[test]
fn a_killed_run_resumes_without_refetching_or_duplicates() {
    const N: usize = 40;
    let server = Server::start_with_threads(2, |req| {
        let n: u64 = req.path.trim_start_matches("/k/").parse().unwrap_or(0);
        Reply::html(article(ID + n, &format!("BREAKING: item {n}")))
            .delayed(Duration::from_millis(100))
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let list = dir.join("urls.txt");
    let urls: Vec<String> = (0..N).map(|i| server.url(&format!("/k/{i}"))).collect();
    std::fs::write(&list, urls.join("\n")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("embarc");
    let args = |c: &mut std::process::Command| {
        c.arg("--archive")
            .arg(dir)
            .env("EMBARC_ALLOW_PRIVATE", "1")
            .args([
                "archive",
                "--min-interval",
                "0",
                "--concurrency",
                "2",
                "--per-host",
                "2",
                "--ignore-robots",
            ])
            .arg("--input-list")
            .arg(&list)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
    };
    let mut first = std::process::Command::new(&bin);
    args(&mut first);
    let mut child = first.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let done = Connection::open(dir.join("embarc.db"))
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM captures", [], |r| r.get::<_, i64>(0)))
            .unwrap_or(0);
        if done >= 8 {
            break;
        }
        assert!(Instant::now() < deadline, "the first run made no progress");
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let captured: Vec<String> = db(dir)
        .prepare("SELECT a.url FROM articles a JOIN captures c ON c.article_id = a.id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        captured.len() >= 8 && captured.len() < N,
        "{}",
        captured.len()
    );

    let mut second = std::process::Command::new(&bin);
    args(&mut second);
    let status = second.status().unwrap();
    assert!(status.success());
    let conn = db(dir);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM articles"), N as i64);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM captures"), N as i64);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM citations"), N as i64);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM posts"), N as i64);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM claims"), N as i64);
    assert_eq!(
        count(&conn, "SELECT COUNT(DISTINCT post_id) FROM claims"),
        N as i64
    );
    for url in &captured {
        let path = url.trim_start_matches(&format!("http://{}", server.addr));
        assert_eq!(
            server.hits(path),
            1,
            "{path} was fetched again after the restart"
        );
    }
    // Every capture points at a readable WARC record.
    let mut stmt = conn
        .prepare("SELECT a.url, c.warc_file, c.warc_offset FROM captures c JOIN articles a ON a.id = c.article_id")
        .unwrap();
    let rows: Vec<(String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut by_file: HashMap<String, Vec<WarcRecord>> = HashMap::new();
    for (url, file, offset) in rows {
        let records = by_file
            .entry(file.clone())
            .or_insert_with(|| read_warc_tolerant(&dir.join(&file)));
        let r = records
            .iter()
            .find(|r| r.offset == offset as u64)
            .unwrap_or_else(|| panic!("{url}: no record at {file}:{offset}"));
        assert_eq!(r.headers["WARC-Target-URI"], url);
    }
}

/// Like `read_warc`, but a killed run's file may end in a torn record:
/// the complete records before it are returned.
fn read_warc_tolerant(path: &Path) -> Vec<WarcRecord> {
    let data = std::fs::read(path).unwrap();
    let mut records = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        let mut cursor = std::io::Cursor::new(&data[pos..]);
        let mut raw = Vec::new();
        if flate2::bufread::GzDecoder::new(&mut cursor)
            .read_to_end(&mut raw)
            .is_err()
        {
            break;
        }
        let used = cursor.position() as usize;
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), &data[pos..pos + used]).unwrap();
        let mut one = read_warc(tmp.path());
        one[0].offset = pos as u64;
        records.append(&mut one);
        pos += used;
    }
    records
}

/// Every response record in the archive's WARC files: (target URI, status).
fn responses(dir: &Path) -> Vec<(String, u16)> {
    warc_files(dir)
        .iter()
        .flat_map(|f| read_warc(f))
        .filter(|r| r.headers["WARC-Type"] == "response")
        .map(|r| {
            let line = r.block.split(|b| *b == b'\r').next().unwrap().to_vec();
            let line = String::from_utf8(line).unwrap();
            let status = line.split(' ').nth(1).unwrap().parse().unwrap();
            (r.headers["WARC-Target-URI"].clone(), status)
        })
        .collect()
}

#[test]
fn retried_answers_robots_sitemaps_and_feeds_are_kept_in_warc() {
    let base = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let b = base.clone();
    let server = Server::start(move |req| match (req.path.as_str(), req.seen) {
        ("/robots.txt", _) => Reply::status(200, "text/plain", "User-agent: *\nAllow: /\n"),
        ("/sitemap.xml", _) => Reply::status(
            200,
            "application/xml",
            format!(
                r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{}/a</loc></url></urlset>"#,
                b.get().unwrap()
            ),
        ),
        ("/feed.xml", _) => Reply::status(
            200,
            "application/rss+xml",
            format!(
                r#"<rss version="2.0"><channel><title>t</title><item><link>{}/b</link></item></channel></rss>"#,
                b.get().unwrap()
            ),
        ),
        ("/a", 0) => Reply::status(429, "text/plain", "slow down").with_header("Retry-After", "0"),
        ("/b", 0) => Reply::status(503, "text/plain", "busy"),
        _ => Reply::html("<p>An article.</p>"),
    });
    base.set(server.url("")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = archive_cmd(dir)
        .args(["--retries", "2", "--sitemap"])
        .arg(server.url("/sitemap.xml"))
        .arg("--feed")
        .arg(server.url("/feed.xml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kept = responses(dir);
    let of = |path: &str| -> Vec<u16> {
        kept.iter()
            .filter(|(u, _)| *u == server.url(path))
            .map(|(_, s)| *s)
            .collect()
    };
    assert_eq!(of("/robots.txt"), [200], "{kept:?}");
    assert_eq!(of("/sitemap.xml"), [200], "{kept:?}");
    assert_eq!(of("/feed.xml"), [200], "{kept:?}");
    assert_eq!(of("/a"), [429, 200], "the 429 is kept before the answer");
    assert_eq!(of("/b"), [503, 200], "the 503 is kept before the answer");
    // The capture still points at the answer that was archived.
    let (file, offset): (String, i64) = db(dir)
        .query_row(
            "SELECT c.warc_file, c.warc_offset FROM captures c JOIN articles a ON a.id = c.article_id WHERE a.url = ?1",
            [server.url("/a")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let records = read_warc(&dir.join(&file));
    let record = records.iter().find(|r| r.offset == offset as u64).unwrap();
    // `capture show --all` lists every answer kept for the URL.
    let out = embarc(dir)
        .args(["capture", "show", "--all", "--json"])
        .arg(server.url("/a"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<u64> = listed
        .iter()
        .map(|l| l["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [429, 200]);
    assert_eq!(listed[1]["file"], file.as_str());
    assert_eq!(listed[1]["offset"], offset);
    let out = embarc(dir)
        .args(["capture", "show", "--all"])
        .arg(server.url("/b"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains("  503  warc/") && lines[1].contains("  200  warc/"),
        "{text}"
    );
    assert!(
        record.block.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&record.block[..40])
    );
}
