//! What a new user meets first, through the binary: one error prefix, one
//! help style, help that matches the README, `check` results on stdout and
//! its summary on stderr, offline runs, bad list entries, skipped files.

mod check_support;
mod common;

use assert_cmd::Command;
use check_support::{archive, fast_config};
use common::{Reply, Server};
use std::path::Path;

const ID: &str = "1581661660728950784";
const POST: &str = "https://x.com/electiondesk/status/1581661660728950784";

/// `embarc --archive DIR` with a clean environment.
fn embarc(archive: &Path) -> Command {
    let mut cmd = Command::cargo_bin("embarc").expect("the embarc binary is built");
    // Web inputs are test servers on 127.0.0.1, an internal address.
    cmd.env("EMBARC_ALLOW_PRIVATE", "1")
        .env_remove("EMBARC_ARCHIVE")
        .env_remove("EMBARC_LOG")
        .env_remove("EMBARC_NOW")
        .arg("--archive")
        .arg(archive);
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn tweet_page(text: &str) -> String {
    format!(
        r#"<html><body><article><blockquote class="twitter-tweet"><p lang="en" dir="ltr">{text}</p>&mdash; Election Desk (@electiondesk) <a href="https://twitter.com/electiondesk/status/{ID}">October 16, 2022</a></blockquote></article></body></html>"#
    )
}

#[test]
fn argument_errors_carry_the_same_prefix_as_every_other_error() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["archive", "--bogus"],
        vec!["queue", "show", "abc"],
        vec!["check", "--stale", "soon"],
        vec!["frobnicate"],
    ] {
        let out = embarc(dir.path()).args(&args).output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.starts_with("embarc: error: "), "{args:?}: {err}");
        assert!(!err.contains("\nerror:"), "{args:?}: {err}");
    }
    // Errors embarc raises itself read the same way.
    let out = embarc(&dir.path().join("none"))
        .args(["status"])
        .output()
        .unwrap();
    assert!(text(&out.stderr).starts_with("embarc: error: no archive"));
    // Help is not an error: stdout, exit 0.
    let out = embarc(dir.path()).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("Usage: embarc"));
}

#[test]
fn every_command_has_the_same_help_style() {
    let dir = tempfile::tempdir().unwrap();
    // Every command `embarc --help` lists, and each one's subcommands.
    let listed = |args: &[String]| -> Vec<String> {
        let out = embarc(dir.path())
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        let help = text(&out.stdout);
        help.split("Commands:\n")
            .nth(1)
            .map(|list| {
                list.lines()
                    .take_while(|l| l.starts_with("  "))
                    .filter_map(|l| l.split_whitespace().next())
                    .filter(|c| *c != "help")
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut commands: Vec<Vec<String>> = vec![Vec::new()];
    for top in listed(&[]) {
        let top = vec![top];
        for sub in listed(&top) {
            commands.push(vec![top[0].clone(), sub]);
        }
        commands.push(top);
    }
    assert!(commands.len() > 15, "{commands:?}");
    for command in &commands {
        let out = embarc(dir.path()).args(command).arg("-h").output().unwrap();
        let help = text(&out.stdout);
        assert!(out.status.success(), "{command:?}");
        // The compact form: one line per option, the archive as README
        // names it, possible values inline.
        assert!(help.contains("--archive <DIR>"), "{command:?}:\n{help}");
        assert!(!help.contains("Possible values:"), "{command:?}:\n{help}");
        assert!(!help.contains("\n\n      --"), "{command:?}:\n{help}");
        // Each description is one imperative phrase (`Find …`, `Show …`,
        // `Manage …`), not a noun phrase, without a closing full stop.
        let about = help.lines().next().unwrap_or_default();
        let first = about.split_whitespace().next().unwrap_or_default();
        assert!(
            first.starts_with(char::is_uppercase)
                && !["The", "A", "An", "Accounts", "API"].contains(&first)
                && !about.ends_with('.'),
            "{command:?}: {about}"
        );
    }
    // The README's words.
    let out = embarc(dir.path())
        .args(["archive", "--help"])
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("RSS 2.0, RSS 1.0 or Atom"));
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains("RSS 2.0, RSS 1.0 or Atom"));
}

/// X's endpoints: the post is gone, and its text was edited before.
fn gone_server() -> Server {
    Server::start(|req| {
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        match route {
            "syn" | "xo" => Reply::status(404, "text/plain", "Not Found"),
            "wb" => Reply::status(200, "application/json", r#"{"archived_snapshots":{}}"#),
            _ => Reply::status(500, "text/plain", "unexpected"),
        }
    })
}

#[test]
fn check_prints_results_on_stdout_and_only_the_summary_asked_for_on_stderr() {
    let server = gone_server();
    let dir = tempfile::tempdir().unwrap();
    archive(
        dir.path(),
        &[("https://news.example/night", &tweet_page("Polls are open"))],
    );
    fast_config(dir.path());
    let out = check_support::embarc(dir.path(), &server.url(""))
        .args(["check", "--posts", "--stale", "24h"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    let result = stdout
        .lines()
        .find(|l| l.contains("gone"))
        .unwrap_or_else(|| panic!("no result on stdout: {stdout}"));
    assert!(result.contains(POST), "{result}");
    assert!(!stderr.contains(POST), "{stderr}");
    assert!(
        stderr.contains("embarc: 1 post checked (gone 1)"),
        "{stderr}"
    );
    // --posts asked for posts only: no article line.
    assert!(!stderr.contains("article"), "{stderr}");
}

/// Two copies of one post with the same text, and X now showing other text.
#[test]
fn edited_counts_posts_not_citations() {
    let server = Server::start(|req| {
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        match route {
            "syn" => Reply::status(
                200,
                "application/json",
                format!(
                    r#"{{"__typename":"Tweet","id_str":"{ID}","text":"Polls close at 9pm","created_at":"2022-10-16T15:01:40.000Z","lang":"en","user":{{"name":"Election Desk","screen_name":"electiondesk"}}}}"#
                ),
            ),
            "xo" => Reply::status(
                200,
                "application/json",
                r#"{"html":"<p>Polls close at 9pm</p>"}"#,
            ),
            _ => Reply::status(500, "text/plain", "unexpected"),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let page = tweet_page("Polls close at 8pm");
    archive(
        dir.path(),
        &[
            ("https://news.example/a", &page),
            ("https://news.example/b", &page),
            ("https://other.example/c", &page),
        ],
    );
    fast_config(dir.path());
    let out = check_support::embarc(dir.path(), &server.url(""))
        .args(["check", "--posts", "--stale", "24h"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("1 post shows now different text"),
        "{stderr}"
    );
    let json = check_support::embarc(dir.path(), &server.url(""))
        .args(["check", "--posts", "--stale", "0", "--json"])
        .output()
        .unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    // The warnings were made by the first run; none is new now.
    assert_eq!(summary["edited_posts"], 0, "{summary}");
}

/// Every request closes the connection at once: as offline as a test on
/// 127.0.0.1 can be.
fn unreachable() -> Server {
    Server::start(|_| Reply::Raw(Vec::new()))
}

#[test]
fn an_offline_run_is_said_once_and_leaves_every_target_due() {
    let server = unreachable();
    let dir = tempfile::tempdir().unwrap();
    archive(
        dir.path(),
        &[("https://news.example/night", &tweet_page("Polls are open"))],
    );
    fast_config(dir.path());
    let check = || {
        let mut c = check_support::embarc(dir.path(), &server.url(""));
        c.args(["check", "--posts", "--stale", "24h"]);
        c
    };
    let out = check().output().unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(text(&out.stdout).contains("unknown (network_error)"));
    assert_eq!(
        stderr
            .matches("no request reached the network: offline?")
            .count(),
        1,
        "{stderr}"
    );
    let asked: usize = server.all_hits().values().sum();
    // The next run asks again: a check that learned nothing is not fresh.
    let out = check().output().unwrap();
    let stderr = text(&out.stderr);
    assert!(stderr.contains("1 post checked"), "{stderr}");
    assert!(stderr.contains("0 checked within --stale"), "{stderr}");
    assert!(server.all_hits().values().sum::<usize>() > asked);
}

#[test]
fn bad_list_entries_get_one_clear_message_each() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("a");
    let out = embarc(&arc)
        .args(["archive", "-", "gopher://old.example/1"])
        .write_stdin("not a url\nftp://files.example/story.html\nmailto:desk@news.example\n")
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let line = |input: &str| {
        stderr
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{input}:")))
            .unwrap_or_else(|| panic!("{input} is not named:\n{stderr}"))
            .to_string()
    };
    assert_eq!(
        line("not a url").trim(),
        "not a url: no such file or directory; check the path (not_found)"
    );
    for (input, scheme) in [
        ("ftp://files.example/story.html", "ftp"),
        ("mailto:desk@news.example", "mailto"),
        ("gopher://old.example/1", "gopher"),
    ] {
        assert_eq!(
            line(input).trim(),
            format!(
                "{input}: unsupported scheme {scheme}: embarc fetches http:// and https:// URLs only (invalid_url)"
            )
        );
    }
    // One parenthesis per line: the class.
    for l in stderr.lines().filter(|l| l.starts_with("    ")) {
        assert_eq!(l.matches('(').count(), 1, "{l}");
    }
}

#[test]
fn an_input_list_names_other_schemes_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, "ftp://files.example/story.html\n").unwrap();
    let out = embarc(&dir.path().join("a"))
        .args(["archive", "--input-list"])
        .arg(&list)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "ftp://files.example/story.html: unsupported scheme ftp: embarc fetches http:// and https:// URLs only (invalid_url)"
        ),
        "{stderr}"
    );
}

#[test]
fn files_skipped_for_their_extension_are_counted_and_named_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    std::fs::create_dir_all(src.join("img")).unwrap();
    std::fs::write(src.join("story.html"), tweet_page("Polls are open")).unwrap();
    std::fs::write(src.join("photo.jpg"), b"\xff\xd8\xff").unwrap();
    std::fs::write(src.join("img/logo.png"), b"\x89PNG").unwrap();
    std::fs::write(src.join("notes.docx"), b"PK").unwrap();
    let arc = dir.path().join("a");
    let out = embarc(&arc).arg("archive").arg(&src).output().unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("skipped 3 files with other extensions; name them with --verbose"),
        "{stderr}"
    );
    assert!(!stderr.contains("photo.jpg"), "{stderr}");
    let out = embarc(&arc)
        .args(["archive", "--verbose", "--json"])
        .arg(&src)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    for name in ["photo.jpg", "img/logo.png", "notes.docx"] {
        assert!(
            stderr.lines().any(|l| l.trim().ends_with(name)),
            "{name}: {stderr}"
        );
    }
    assert!(!stderr.lines().any(|l| l.trim().ends_with("story.html")));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["other_extensions"], 3);
    assert_eq!(summary["inputs"], 1);
}

/// A port on 127.0.0.1 that was ours and is closed now: connecting is refused.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn an_archive_run_that_reaches_nothing_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let base = closed_port();
    let urls: Vec<String> = (1..=4).map(|n| format!("{base}/story/{n}")).collect();
    let out = embarc(&dir.path().join("a"))
        .args(["archive", "--retries", "0"])
        .args(&urls)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr
            .matches("no request reached the network: offline?")
            .count(),
        1,
        "{stderr}"
    );
    assert!(!stderr.contains("/story/2"), "{stderr}");
}

/// An archive of two BREAKING posts (claims 1 and 2) from one local file;
/// the second post's id ends in zeros, as a JavaScript rounding would (a real id).
fn queue_archive(dir: &Path) -> std::path::PathBuf {
    let page = dir.join("story.html");
    std::fs::write(
        &page,
        format!(
            "<html><body><article>{}<p>Meanwhile:</p>{}</article></body></html>",
            tweet_page("BREAKING: Polls are open"),
            r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">BREAKING: Bridge closed after the storm</p>&mdash; City Desk (@citydesk) <a href="https://twitter.com/citydesk/status/1214387633146566400">January 7, 2020</a></blockquote>"#
        ),
    )
    .unwrap();
    let arc = dir.join("a");
    embarc(&arc).arg("archive").arg(&page).assert().success();
    arc
}

#[test]
fn queue_lists_open_claims_unless_asked_for_all() {
    let dir = tempfile::tempdir().unwrap();
    let arc = queue_archive(dir.path());
    let by = ["--by", "ana"];
    embarc(&arc)
        .args(["queue", "set", "1", "verified"])
        .args(by)
        .assert()
        .success();
    let out = embarc(&arc).arg("queue").output().unwrap();
    let (list, summary) = (text(&out.stdout), text(&out.stderr));
    assert!(!list.contains("#1  "), "{list}");
    assert!(list.contains("#2  unstarted"), "{list}");
    assert!(
        summary.contains("1 open claim (1 unstarted); 1 decided claim not shown (--all lists it)"),
        "{summary}"
    );
    let out = embarc(&arc).args(["queue", "--all"]).output().unwrap();
    let list = text(&out.stdout);
    assert!(list.contains("#1  verified") && list.contains("#2  unstarted"));
    assert!(text(&out.stderr).contains("embarc: 2 claims (1 unstarted, 1 verified)"));
    // --status still picks any status.
    let out = embarc(&arc)
        .args(["queue", "--status", "verified"])
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("#1  verified"));
}

#[test]
fn a_claim_can_be_unassigned() {
    let dir = tempfile::tempdir().unwrap();
    let arc = queue_archive(dir.path());
    embarc(&arc)
        .args(["queue", "assign", "1", "bo", "--by", "ana"])
        .assert()
        .success();
    let out = embarc(&arc)
        .args(["queue", "assign", "1", "--none", "--by", "ana"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr).trim(),
        "embarc: claim 1: unassigned, by ana"
    );
    let show = embarc(&arc).args(["queue", "show", "1"]).output().unwrap();
    let show = text(&show.stdout);
    assert!(show.contains("assigned   (nobody)"), "{show}");
    assert!(show.contains("ana  unassigned"), "{show}");
    // Nothing to take back now; and a name or --none must be given.
    let out = embarc(&arc)
        .args(["queue", "assign", "1", "--none", "--by", "ana"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("claim 1 is not assigned to anyone"));
    let out = embarc(&arc)
        .args(["queue", "assign", "1", "--by", "ana"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("embarc: error: "));
}

#[test]
fn the_csv_last_note_is_a_persons_note() {
    let dir = tempfile::tempdir().unwrap();
    let arc = queue_archive(dir.path());
    let last_note = |arc: &Path| -> Vec<String> {
        let out = embarc(arc)
            .args(["export", "queue", "--format", "csv"])
            .output()
            .unwrap();
        let csv = text(&out.stdout);
        let mut rows = csv.lines();
        let header: Vec<&str> = rows.next().unwrap().split(',').collect();
        let at = header.iter().position(|h| *h == "last_note").unwrap();
        rows.map(|r| csv_cells(r)[at].clone()).collect()
    };
    assert_eq!(last_note(&arc), ["", ""]);
    embarc(&arc)
        .args(["queue", "note", "2", "Asked the council", "--by", "ana"])
        .assert()
        .success();
    assert_eq!(last_note(&arc), ["", "Asked the council"]);
}

/// The cells of one CSV line (quotes as RFC 4180 writes them).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

#[test]
fn queue_show_keeps_an_id_that_only_looks_rounded() {
    // 1214387633146566400 ends in zeros and is exact as a double, as a
    // JavaScript rounding would be; alone, it is a real id and is kept.
    let dir = tempfile::tempdir().unwrap();
    let arc = queue_archive(dir.path());
    let out = embarc(&arc).args(["queue", "show", "2"]).output().unwrap();
    let show = text(&out.stdout);
    assert!(show.contains("post       x 1214387633146566400"), "{show}");
    assert!(
        show.contains("url        https://x.com/citydesk/status/1214387633146566400\n"),
        "{show}"
    );
    assert!(!show.contains("rounded"), "{show}");
}

#[test]
fn capture_show_of_a_url_that_answered_404_shows_the_failed_exchange() {
    let server = Server::start(|req| match req.path.as_str() {
        "/story" => Reply::html(tweet_page("Polls are open")),
        _ => Reply::status(404, "text/html", "<h1>No such story</h1>"),
    });
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("a");
    let missing = server.url("/missing");
    let out = embarc(&arc)
        .args(["archive", "--retries", "0"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));

    let out = embarc(&arc)
        .args(["capture", "show"])
        .arg(&missing)
        .output()
        .unwrap();
    let (record, said) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{said}");
    assert!(record.starts_with("WARC/1.1\r\n"), "{record}");
    assert!(record.contains("WARC-Type: response"), "{record}");
    assert!(
        record.contains(&format!("WARC-Target-URI: {missing}")),
        "{record}"
    );
    assert!(record.contains("HTTP/1.1 404"), "{record}");
    assert!(record.ends_with("<h1>No such story</h1>"), "{record}");
    assert!(
        said.contains(&format!("{missing} was not archived: it answered HTTP 404")),
        "{said}"
    );
    assert!(said.contains(".warc.gz:"), "{said}");

    let out = embarc(&arc)
        .args(["capture", "show", "--json"])
        .arg(&missing)
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["failure"]["http_status"], 404, "{info}");
    assert_eq!(info["failure"]["class"], "http_status", "{info}");
    assert!(info["warc_record"].is_array(), "{info}");

    // A URL never asked for is still "no capture".
    let out = embarc(&arc)
        .args(["capture", "show"])
        .arg(server.url("/never"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no capture of"));
}

/// `embarc --archive DIR` to spawn and signal (assert_cmd only runs to the end).
fn spawnable(archive: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("embarc"));
    cmd.env("EMBARC_ALLOW_PRIVATE", "1")
        .env_remove("EMBARC_ARCHIVE")
        .env_remove("EMBARC_LOG")
        .env_remove("EMBARC_NOW")
        .arg("--archive")
        .arg(archive);
    cmd
}

/// Send SIGINT to a running child, as Ctrl-C in its terminal would.
fn interrupt(child: &std::process::Child) {
    // SAFETY: kill(2) on the pid of a child this test started and has not
    // waited for yet, so the pid is still that child's.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0, "SIGINT could not be sent");
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row(sql, [], |r| r.get(0)))
        .unwrap_or(0)
}

#[test]
fn ctrl_c_during_check_finishes_what_is_in_flight_and_says_how_to_resume() {
    // Every post is alive, after a short wait.
    let server = Server::start(|req| {
        let id = check_support::query(&req.path)
            .get("id")
            .cloned()
            .unwrap_or_default();
        Reply::status(
            200,
            "application/json",
            format!(
                r#"{{"__typename":"Tweet","id_str":"{id}","text":"Polls are open","created_at":"2022-10-16T15:01:40.000Z","user":{{"name":"Election Desk","screen_name":"electiondesk"}}}}"#
            ),
        )
        .delayed(std::time::Duration::from_millis(300))
    });
    let dir = tempfile::tempdir().unwrap();
    let posts = 8;
    let page: String = (0..posts)
        .map(|n| {
            let id = 1_581_661_660_728_950_784u64 + n;
            format!(
                r#"<blockquote class="twitter-tweet"><p>Polls are open</p>&mdash; Election Desk (@electiondesk) <a href="https://twitter.com/electiondesk/status/{id}">October 16, 2022</a></blockquote>"#
            )
        })
        .collect();
    archive(dir.path(), &[("https://news.example/night", &page)]);
    check_support::config_with_concurrency(dir.path(), 1);
    let run = || {
        let mut cmd = spawnable(dir.path());
        for (var, path) in check_support::ENDPOINTS {
            cmd.env(var, server.url(path));
        }
        cmd.args(["check", "--posts", "--stale", "1h"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd
    };
    let mut child = run().spawn().unwrap();
    wait_until("the first request", || {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("check ended before any request: {status}: {err}");
        }
        server.all_hits().values().sum::<usize>() > 0
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains(" checked (alive "), "{stderr}");
    assert!(
        stderr
            .trim_end()
            .ends_with("embarc: interrupted: run the same command again to resume"),
        "{stderr}"
    );
    let db = dir.path().join("embarc.db");
    let checked = count(&db, "SELECT COUNT(DISTINCT post_id) FROM checks");
    assert!(checked >= 1 && checked < posts as i64, "{checked} checked");
    // The same command finishes the rest, checking none twice.
    let out = run().output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT post_id) FROM checks"),
        posts as i64
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM checks"), posts as i64);
}

#[test]
fn ctrl_c_during_archive_records_the_current_batch_and_says_how_to_resume() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    std::fs::create_dir(&src).unwrap();
    let files = 3000;
    for n in 0..files {
        let id = 1_214_387_633_146_564_608u64 + n;
        std::fs::write(
            src.join(format!("{n:05}.html")),
            format!(
                r#"<html><body><article><p>Story {n}.</p><blockquote class="twitter-tweet"><p>Update {n}</p>&mdash; City Desk (@citydesk) <a href="https://twitter.com/citydesk/status/{id}">January 7, 2020</a></blockquote></article></body></html>"#
            ),
        )
        .unwrap();
    }
    let arc = dir.path().join("a");
    let db = arc.join("embarc.db");
    let run = || {
        let mut cmd = spawnable(&arc);
        cmd.args(["archive", "--jobs", "1"])
            .arg(&src)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd
    };
    let child = run().spawn().unwrap();
    wait_until("the first articles", || {
        count(&db, "SELECT COUNT(*) FROM articles") > 0
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let archived = count(&db, "SELECT COUNT(*) FROM articles");
    assert!(
        archived < files as i64,
        "{archived} archived: not interrupted"
    );
    // The summary adds up: archived and not reached make every input.
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("embarc: archived {archived}, not reached ")),
        "{stderr}"
    );
    assert!(first.contains(&format!("of {files} inputs")), "{stderr}");
    assert!(
        stderr
            .trim_end()
            .ends_with("embarc: interrupted: run the same command again to resume"),
        "{stderr}"
    );
    let out = run().output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM articles"), files as i64);
}

#[test]
fn ctrl_c_during_web_archiving_records_what_was_fetched() {
    let server = Server::start(|req| {
        if req.path == "/robots.txt" {
            return Reply::status(404, "text/plain", "");
        }
        Reply::html(tweet_page("Polls are open")).delayed(std::time::Duration::from_millis(200))
    });
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("a");
    let db = arc.join("embarc.db");
    let urls: Vec<String> = (0..20)
        .map(|n| server.url(&format!("/story/{n}")))
        .collect();
    let run = || {
        let mut cmd = spawnable(&arc);
        cmd.args([
            "archive",
            "--concurrency",
            "1",
            "--per-host",
            "1",
            "--min-interval",
            "0",
        ])
        .args(&urls)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        cmd
    };
    let child = run().spawn().unwrap();
    wait_until("the first page", || {
        server
            .all_hits()
            .keys()
            .any(|path| path.starts_with("/story/"))
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("not reached"), "{stderr}");
    assert!(stderr.contains("of 20 inputs"), "{stderr}");
    assert!(
        stderr
            .trim_end()
            .ends_with("embarc: interrupted: run the same command again to resume"),
        "{stderr}"
    );
    let archived = count(&db, "SELECT COUNT(*) FROM articles");
    assert!(archived < 20, "{archived}");
    let out = run().output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM articles"), 20);
}

#[test]
fn summaries_count_every_kind_of_input_the_same_way() {
    let server = Server::start(|req| match req.path.as_str() {
        "/robots.txt" => Reply::status(404, "text/plain", ""),
        _ => Reply::html(tweet_page("Polls are open")),
    });
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("a");
    let file = dir.path().join("story.html");
    std::fs::write(&file, tweet_page("Polls are open")).unwrap();
    let url = server.url("/story");
    let first_line = |args: &[&str]| {
        let out = embarc(&arc).args(args).output().unwrap();
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        stderr.lines().next().unwrap_or_default().to_string()
    };
    let file_arg = file.to_str().unwrap();
    let archived = first_line(&["archive", file_arg]);
    assert!(
        archived.starts_with("embarc: archived 1 of 1 input"),
        "{archived}"
    );
    let archived = first_line(&["archive", &url]);
    assert!(
        archived.starts_with("embarc: archived 1 of 1 input"),
        "{archived}"
    );
    // Again: a file read again with the same bytes and a URL captured
    // before are both `unchanged`, in the same words.
    for input in [file_arg, url.as_str()] {
        let again = first_line(&["archive", input]);
        assert!(
            again.starts_with("embarc: archived 0, unchanged 1 of 1 input"),
            "{input}: {again}"
        );
    }
}

#[test]
fn a_url_in_both_a_sitemap_and_a_feed_is_one_input() {
    let server = Server::start(|req| match req.path.as_str() {
        "/robots.txt" => Reply::status(404, "text/plain", ""),
        _ => Reply::html(tweet_page("Polls are open")),
    });
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/story");
    let other = server.url("/other");
    let sitemap = dir.path().join("sitemap.xml");
    std::fs::write(
        &sitemap,
        format!(
            r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{url}</loc></url><url><loc>{other}</loc></url></urlset>"#
        ),
    )
    .unwrap();
    let feed = dir.path().join("feed.xml");
    std::fs::write(
        &feed,
        format!(
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><item><title>Story</title><link>{url}</link></item></channel></rss>"#
        ),
    )
    .unwrap();
    let out = embarc(&dir.path().join("a"))
        .args(["archive", "--json", "--sitemap"])
        .arg(&sitemap)
        .arg("--feed")
        .arg(&feed)
        .arg(&url)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.starts_with("embarc: archived 2 of 2 inputs"),
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["inputs"], 2, "{summary}");
    assert_eq!(server.hits("/story"), 1);
}

#[test]
fn status_counts_a_failed_input_once_however_often_it_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("a");
    let missing = dir.path().join("missing.html");
    for _ in 0..3 {
        let out = embarc(&arc).arg("archive").arg(&missing).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
    }
    let out = embarc(&arc).arg("status").output().unwrap();
    let status = text(&out.stdout);
    let line = status
        .lines()
        .find(|l| l.trim_start().starts_with("failures"))
        .unwrap_or_else(|| panic!("{status}"));
    assert!(line.contains(" 3 "), "{line}");
    assert!(line.contains("1 input failed"), "{line}");
    let out = embarc(&arc).args(["status", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["failed_inputs"], 1);
    assert_eq!(json["tables"]["failures"], 3);
}

#[test]
fn every_platform_is_named_where_a_platform_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["queue", "list", "--help"][..], &["check", "--help"][..]] {
        let out = embarc(dir.path()).args(args).output().unwrap();
        let help = text(&out.stdout);
        for p in embarc::detect::Platform::ALL {
            assert!(
                help.contains(p.as_str()),
                "{args:?} does not name {p}:\n{help}"
            );
        }
        assert!(help.contains("x (or twitter)"), "{help}");
    }
    let out = embarc(dir.path())
        .args([
            "queue",
            "add",
            "https://example.org/a",
            "--reason",
            "r",
            "--by",
            "t",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    for p in embarc::detect::Platform::ALL {
        assert!(err.contains(p.as_str()), "{err}");
    }
}

#[test]
fn a_new_archive_reads_plainly_and_export_follows_the_out_files_extension() {
    let dir = tempfile::tempdir().unwrap();
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed-article.txt"
    );
    embarc(dir.path())
        .args(["archive", seed])
        .assert()
        .success();
    let status = text(&embarc(dir.path()).arg("status").output().unwrap().stdout);
    assert!(
        status.contains("jobs (the [recheck] policy and [[watch]] sources):\n  none yet"),
        "{status}"
    );
    // A copied post has no id: nothing to check, and the claim says so.
    let export = text(
        &embarc(dir.path())
            .args(["export", "queue", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    );
    let claims: serde_json::Value = serde_json::from_str(&export).unwrap();
    let copied = claims
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["post"]["post_id"].is_null())
        .expect("a claim about a copied post");
    let shown = embarc(dir.path())
        .args(["queue", "show", &copied["id"].to_string()])
        .output()
        .unwrap();
    let shown = text(&shown.stdout);
    assert!(shown.contains("not checkable (no post id)"), "{shown}");
    assert!(!shown.contains("(embarc check)"), "{shown}");

    // An empty directory is not a silent success.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = embarc(dir.path())
        .arg("archive")
        .arg(&empty)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(
        err.contains("warning:") && err.contains("holds no article files (.html, .htm"),
        "{err}"
    );

    for (file, format, starts) in [
        ("posts.csv", None, "platform,"),
        ("posts.json", None, "["),
        ("posts.jsonl", None, "{"),
        ("posts.txt", None, "{"),
        ("forced.csv", Some("jsonl"), "{"),
    ] {
        let out = dir.path().join(file);
        let mut cmd = embarc(dir.path());
        cmd.args(["export", "posts", "--out"]).arg(&out);
        if let Some(f) = format {
            cmd.args(["--format", f]);
        }
        cmd.assert().success();
        let written = std::fs::read_to_string(&out).unwrap();
        assert!(written.starts_with(starts), "{file}: {written}");
    }
}

/// An archive this embarc cannot open is one line saying why, once: not a
/// database, or a schema newer than this embarc knows.
#[test]
fn an_archive_that_cannot_be_opened_is_said_once() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("junk");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("embarc.db"), vec![0x5a_u8; 8192]).unwrap();
    let out = embarc(&junk).arg("status").output().unwrap();
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert_eq!(said.matches("not a database").count(), 1, "{said}");

    let newer = tmp.path().join("newer");
    let article = tmp.path().join("article.txt");
    std::fs::write(&article, "A story that cites nothing.\n").unwrap();
    embarc(&newer)
        .arg("archive")
        .arg(&article)
        .assert()
        .success();
    let db = rusqlite::Connection::open(newer.join("embarc.db")).unwrap();
    db.pragma_update(None, "user_version", 9999).unwrap();
    drop(db);
    let out = embarc(&newer).arg("status").output().unwrap();
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert_eq!(said.matches("schema version 9999").count(), 1, "{said}");
    assert!(said.contains("use a newer embarc"), "{said}");
}
