//! End-to-end tests of `embarc archive`: the real binary, a temporary
//! archive, and the database inspected with SQL.
//!
//! Every fixture here is written inline by these tests (except the seed
//! article, the project's founding document in `tests/fixtures`).

mod common;

use assert_cmd::Command;
use common::{Reply, Server};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The first of the realistic 19-digit X ids used by the fixtures.
const BASE_ID: u64 = 1_214_387_633_146_564_608;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `embarc --archive DIR` with a clean environment.
fn embarc(archive: &Path) -> Command {
    let mut cmd = Command::cargo_bin("embarc").expect("the embarc binary is built");
    // Web inputs are test servers on 127.0.0.1, an internal address.
    cmd.env("EMBARC_ALLOW_PRIVATE", "1")
        .env_remove("EMBARC_ARCHIVE")
        .env_remove("EMBARC_LOG")
        .arg("--archive")
        .arg(archive);
    cmd
}

/// A publish blockquote as X's embed code writes it.
fn tweet(n: u64, handle: &str, name: &str, text: &str) -> String {
    let id = BASE_ID + n;
    format!(
        "<blockquote class=\"twitter-tweet\"><p lang=\"en\" dir=\"ltr\">{text}</p>&mdash; {name} \
         (@{handle}) <a href=\"https://twitter.com/{handle}/status/{id}?ref_src=twsrc%5Etfw\">\
         January 7, 2020</a></blockquote>\n"
    )
}

fn page(body: &str) -> String {
    format!(
        "<!doctype html>\n<html><head><title>A story</title></head><body><article>\n\
         <p>Reporting from the town hall, where the meeting ran late.</p>\n{body}\
         <p>The council will meet again next week.</p>\n</article></body></html>\n"
    )
}

fn open_db(archive: &Path) -> Connection {
    Connection::open(archive.join("embarc.db")).expect("the archive database opens")
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The archive's tables, without SQLite's own and without the shadow
/// tables of full-text search (how FTS5 splits its index into rows depends
/// on how inserts fell into transactions, not on what is indexed; the
/// search tables themselves stay).
const TABLES: &str =
    "SELECT name FROM sqlite_master m WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
     AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'
                     AND m.name IN (v.name || '_data', v.name || '_idx', v.name || '_docsize',
                                    v.name || '_config', v.name || '_content'))";

/// Row counts of every table in the archive.
fn table_counts(archive: &Path) -> BTreeMap<String, i64> {
    let conn = open_db(archive);
    let mut stmt = conn.prepare(TABLES).unwrap();
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(tables.len() >= 8, "unexpected schema: {tables:?}");
    tables
        .into_iter()
        .map(|t| {
            let n = count(&conn, &format!("SELECT COUNT(*) FROM \"{t}\""));
            (t, n)
        })
        .collect()
}

/// Every row of every table but `runs` (one row per `archive` run), as text:
/// what a run over unchanged inputs must leave exactly as it was.
fn contents_but_runs(archive: &Path) -> BTreeMap<String, Vec<String>> {
    let conn = open_db(archive);
    let tables: Vec<String> = conn
        .prepare(&format!("{TABLES} AND name <> 'runs'"))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = conn
                // Sorted here: a virtual table's rows come in no set order.
                .prepare(&format!("SELECT * FROM \"{t}\""))
                .unwrap();
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

/// Run `archive ... --json` and return (exit code, summary, stderr).
fn archive_json(archive: &Path, inputs: &[&Path]) -> (i32, Value, String) {
    let out = embarc(archive)
        .arg("archive")
        .arg("--json")
        .args(inputs)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the --json summary is not JSON ({e}); stdout: {}; stderr: {stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().expect("exited normally"), summary, stderr)
}

fn export(archive: &Path, what: &str) -> Vec<Value> {
    let out = embarc(archive)
        .args(["export", what, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "export {what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("export is JSON");
    v.as_array().expect("a JSON array").clone()
}

/// (post id or null, kind) of every citation whose article URL ends in `name`.
fn citations_of(archive: &Path, name: &str) -> Vec<(Option<String>, String)> {
    let mut v: Vec<_> = export(archive, "citations")
        .into_iter()
        .filter(|c| c["article_url"].as_str().unwrap().ends_with(name))
        .map(|c| {
            (
                c["post_id"].as_str().map(str::to_string),
                c["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn id(n: u64) -> Option<String> {
    Some((BASE_ID + n).to_string())
}

fn failures(summary: &Value) -> BTreeSet<(String, String)> {
    summary["failures"]
        .as_array()
        .expect("failures is an array")
        .iter()
        .map(|f| {
            assert!(
                !f["message"].as_str().unwrap_or_default().is_empty(),
                "a failure without a message: {f}"
            );
            (
                f["input"].as_str().unwrap().to_string(),
                f["class"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// 1. The seed article yields exactly the two expected posts.
#[test]
fn seed_article_yields_the_expected_posts() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    embarc(&arc)
        .arg("archive")
        .arg(fixture("seed-article.txt"))
        .assert()
        .success();

    let expected: Value =
        serde_json::from_str(&fs::read_to_string(fixture("seed-expected.json")).unwrap()).unwrap();
    let expected = expected["posts"].as_array().unwrap();
    let citations = export(&arc, "citations");
    assert_eq!(
        citations.len(),
        expected.len(),
        "exactly the expected citations: {citations:#?}"
    );
    let posts = export(&arc, "posts");
    assert_eq!(posts.len(), expected.len(), "no other posts: {posts:#?}");

    // Citations come in document order, as the expected posts do.
    for (got, want) in citations.iter().zip(expected) {
        let who = want["handle"].as_str().unwrap();
        for field in [
            "platform",
            "post_id",
            "handle",
            "author_name",
            "display_date",
            "date",
            "text",
            "media",
            "labels",
        ] {
            assert_eq!(got[field], want[field], "{field} of @{who}");
        }
        assert_eq!(got["kind"], "text", "@{who} is a copied embed");
        assert!(got["article_url"].as_str().unwrap().starts_with("file://"));

        let post = posts
            .iter()
            .find(|p| p["handle"] == want["handle"])
            .unwrap_or_else(|| panic!("no post for @{who}"));
        for field in [
            "platform",
            "post_id",
            "author_name",
            "date",
            "text",
            "labels",
        ] {
            assert_eq!(post[field], want[field], "post {field} of @{who}");
        }
        assert_eq!(post["citation_count"], 1);
        let queued = want["in_verification_queue"].as_bool().unwrap();
        if queued {
            assert_eq!(post["claim_status"], "unstarted", "@{who} is queued");
        } else {
            assert!(post["claim_status"].is_null(), "@{who} is not queued");
        }
    }

    let conn = open_db(&arc);
    let queued = expected
        .iter()
        .filter(|p| p["in_verification_queue"] == true)
        .count() as i64;
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM claims"), queued);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM claims WHERE status = 'unstarted' AND label = 'BREAKING'"
        ),
        queued
    );
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM articles"), 1);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM captures"), 1);
}

#[test]
fn status_counts_unidentified_posts_as_part_of_the_posts() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    embarc(&arc)
        .arg("archive")
        .arg(fixture("seed-article.txt"))
        .assert()
        .success();
    let out = embarc(&arc).arg("status").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // The seed's two copied tweets are X posts without a link: the same
    // two posts, not two more.
    assert!(
        text.contains("  of these 2 posts, 2 unidentified (copied text without a link)\n"),
        "{text}"
    );
    assert!(!text.contains("  unidentified "), "{text}");
}

#[test]
fn capture_show_of_a_local_path_says_it_was_captured_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let seed = fixture("seed-article.txt");
    embarc(&arc).arg("archive").arg(&seed).assert().success();
    // The path as given (relative, through `..`), not only its file:// URL.
    let roundabout =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/../tests/fixtures/seed-article.txt");
    for given in [seed.as_path(), roundabout.as_path()] {
        let out = embarc(&arc)
            .args(["capture", "show"])
            .arg(given)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("was captured from a file")
                && err.contains("only web captures are kept in WARC"),
            "{err}"
        );
        assert!(!err.contains("no capture of"), "{err}");
    }
    // A path never archived is still "no capture".
    let other = fixture("seed-expected.json");
    let out = embarc(&arc)
        .args(["capture", "show"])
        .arg(&other)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no capture of"));
}

// 2. Archiving the same input twice adds nothing.
#[test]
fn archiving_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let seed = fixture("seed-article.txt");

    let (code, first, _) = archive_json(&arc, &[&seed]);
    assert_eq!(code, 0);
    assert_eq!(first["new_citations"], 2);
    assert_eq!(first["new_posts"], 2);
    assert_eq!(first["new_claims"], 1);
    assert_eq!(first["unchanged"], 0);
    let before = table_counts(&arc);

    let (code, second, _) = archive_json(&arc, &[&seed]);
    assert_eq!(code, 0);
    assert_eq!(second["inputs"], 1);
    assert_eq!(second["articles"], 1);
    assert_eq!(second["unchanged"], 1);
    assert_eq!(second["new_citations"], 0);
    assert_eq!(second["new_posts"], 0);
    assert_eq!(second["new_claims"], 0);
    assert_eq!(second["failures"], serde_json::json!([]));
    let mut after = table_counts(&arc);
    assert_eq!(after.remove("runs"), Some(2), "each run is recorded");
    let mut before = before;
    before.remove("runs");
    assert_eq!(after, before, "the second run added rows");
}

// 2b. A re-run over unchanged files parses nothing and writes nothing but
// its run record: a file with its size and modification time is not even
// read; one whose time changed is read and hashed but not parsed; a changed
// one is parsed.
#[test]
fn unchanged_files_are_not_parsed_again() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let (one, two) = (dir.path().join("one.html"), dir.path().join("two.html"));
    fs::write(
        &one,
        page(&tweet(1, "cityhall", "City Hall", "The bridge reopens.")),
    )
    .unwrap();
    fs::write(
        &two,
        page(&tweet(2, "roadsdept", "Roads", "Expect delays.")),
    )
    .unwrap();

    let (code, first, _) = archive_json(&arc, &[&one, &two]);
    assert_eq!(code, 0);
    assert_eq!(
        (first["parsed"].as_u64(), first["unchanged"].as_u64()),
        (Some(2), Some(0))
    );
    let before = contents_but_runs(&arc);

    let (code, second, _) = archive_json(&arc, &[&one, &two]);
    assert_eq!(code, 0);
    assert_eq!(second["parsed"], 0, "an unchanged file was parsed again");
    assert_eq!(second["unchanged"], 2);
    assert_eq!(
        contents_but_runs(&arc),
        before,
        "a run over unchanged files wrote more than its run record"
    );
    let runs = count(
        &open_db(&arc),
        "SELECT COUNT(*) FROM runs WHERE parsed = 0 AND unchanged = 2 AND inputs = 2",
    );
    assert_eq!(runs, 1, "the no-op run is recorded as such");

    // Same bytes, new modification time: read and hashed, not parsed; the
    // capture learns the new time, so the next run does not read it.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    fs::File::options()
        .append(true)
        .open(&one)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let (_, third, _) = archive_json(&arc, &[&one, &two]);
    assert_eq!(
        (third["parsed"].as_u64(), third["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    let conn = open_db(&arc);
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM captures"),
        2,
        "no new capture for the same bytes"
    );
    let stored: i64 = conn
        .query_row("SELECT MAX(file_mtime_ns) FROM captures", [], |r| r.get(0))
        .unwrap();
    let expected = later
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    assert_eq!(stored, expected);
    let before = contents_but_runs(&arc);
    let (_, fourth, _) = archive_json(&arc, &[&one, &two]);
    assert_eq!(fourth["parsed"], 0);
    assert_eq!(contents_but_runs(&arc), before);

    // Changed content is parsed.
    fs::write(
        &two,
        page(&tweet(3, "roadsdept", "Roads", "Expect detours.")),
    )
    .unwrap();
    let (_, fifth, _) = archive_json(&arc, &[&one, &two]);
    assert_eq!(
        (fifth["parsed"].as_u64(), fifth["unchanged"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(fifth["new_citations"], 1);
}

// 3. A changed file gets a new capture and only its new citations.
#[test]
fn changed_file_adds_a_capture_and_only_the_new_citation() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let file = dir.path().join("story.html");
    let body = tweet(1, "cityhall", "City Hall", "The bridge reopens on Monday.")
        + &tweet(
            2,
            "roadsdept",
            "Roads Department",
            "Expect delays on Route 9.",
        );
    fs::write(&file, page(&body)).unwrap();

    let (code, first, _) = archive_json(&arc, &[&file]);
    assert_eq!(code, 0);
    assert_eq!(first["new_citations"], 2);

    use std::io::Write;
    fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap()
        .write_all(
            tweet(
                3,
                "mayor",
                "The Mayor",
                "Thanks to the crews who worked all night.",
            )
            .as_bytes(),
        )
        .unwrap();

    let (code, second, _) = archive_json(&arc, &[&file]);
    assert_eq!(code, 0);
    assert_eq!(second["unchanged"], 0, "the file changed");
    assert_eq!(second["new_citations"], 1);
    assert_eq!(second["new_posts"], 1);
    assert_eq!(second["posts_found"], 3);

    let conn = open_db(&arc);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM articles"), 1);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM captures c JOIN articles a ON a.id = c.article_id"
        ),
        2
    );
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM citations"), 3);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM posts"), 3);
    // The two old citations were first seen in the first capture, the new
    // one in the second; all three are in the latest capture.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM citations WHERE first_capture_id = (SELECT MIN(id) FROM captures)"
        ),
        2
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM citations WHERE last_capture_id = (SELECT MAX(id) FROM captures)"
        ),
        3
    );
    assert_eq!(
        citations_of(&arc, "story.html"),
        vec![
            (id(1), "embed".into()),
            (id(2), "embed".into()),
            (id(3), "embed".into())
        ]
    );
}

// 4. Bad inputs fail one by one; the good ones in the same run are archived.
#[cfg(unix)]
#[test]
fn bad_inputs_fail_cleanly_and_good_ones_are_archived() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let d = dir.path().join("in");
    fs::create_dir(&d).unwrap();

    let good1 = d.join("good.html");
    fs::write(
        &good1,
        page(&tweet(
            10,
            "firedept",
            "Fire Department",
            "Crews are on scene.",
        )),
    )
    .unwrap();
    let good2 = d.join("good.txt");
    fs::write(
        &good2,
        format!(
            "The statement is at https://x.com/police/status/{} and was posted late.\n",
            BASE_ID + 11
        ),
    )
    .unwrap();

    let missing = d.join("missing.html");
    let binary = d.join("photo.png");
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0".to_vec();
    png.extend(std::iter::repeat_n(0u8, 512));
    fs::write(&binary, png).unwrap();
    let empty = d.join("empty.html");
    fs::write(&empty, b"").unwrap();
    let big = d.join("huge.html");
    // Sparse: 50 MiB of length without writing 50 MiB.
    fs::File::create(&big)
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();

    // Latin-1 bytes (not UTF-8) and no charset declaration.
    let latin1 = d.join("latin1.html");
    let source = format!(
        "<html><body><p>Caf\u{e9} cr\u{e8}me</p>{}</body></html>",
        tweet(
            12,
            "rene",
            "Ren\u{e9}",
            "Le caf\u{e9} est pr\u{ea}t \u{e0} Montr\u{e9}al"
        )
    );
    // Encode the fixture as Latin-1 (all its characters are below 256).
    let latin1_bytes: Vec<u8> = source
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    assert!(std::str::from_utf8(&latin1_bytes).is_err());
    fs::write(&latin1, &latin1_bytes).unwrap();

    // UTF-8 and Latin-1 in the same file.
    let mixed = d.join("mixed.html");
    let mut bytes = "<html><body><p>Visegr\u{e1}d (UTF-8)</p>"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(
        b"<blockquote class=\"twitter-tweet\"><p lang=\"en\" dir=\"ltr\">Visegr\xc3\xa1d caf\xe9</p>\
          &mdash; Zo\xeb (@zoe) <a href=\"https://twitter.com/zoe/status/",
    );
    bytes.extend_from_slice((BASE_ID + 13).to_string().as_bytes());
    bytes.extend_from_slice(b"\">January 7, 2020</a></blockquote></body></html>");
    assert!(std::str::from_utf8(&bytes).is_err());
    fs::write(&mixed, &bytes).unwrap();

    let locked = d.join("locked");
    fs::create_dir(&locked).unwrap();
    fs::write(
        locked.join("inside.html"),
        page(&tweet(
            14,
            "harbour",
            "Harbour Master",
            "The port is closed.",
        )),
    )
    .unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // Root (as in CI) reads a mode-000 directory anyway; only expect the
    // failure when this process really cannot read it.
    let locked_readable = fs::read_dir(&locked).is_ok();
    // The same for a mode-000 file.
    let locked_file = d.join("locked-file.html");
    fs::write(
        &locked_file,
        page(&tweet(
            15,
            "ferry",
            "Ferry Service",
            "Sailings are cancelled.",
        )),
    )
    .unwrap();
    fs::set_permissions(&locked_file, fs::Permissions::from_mode(0o000)).unwrap();
    let locked_file_readable = fs::File::open(&locked_file).is_ok();

    let inputs: Vec<&Path> = vec![
        &good1,
        &missing,
        &binary,
        &empty,
        &big,
        &latin1,
        &mixed,
        &locked,
        &locked_file,
        &good2,
    ];
    let (code, summary, stderr) = archive_json(&arc, &inputs);
    // Restore the permissions first, so the temporary directory can be removed.
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&locked_file, fs::Permissions::from_mode(0o644)).unwrap();

    assert_eq!(code, 2, "some inputs failed; stderr: {stderr}");
    let mut want: Vec<(&Path, &str, &str)> = vec![
        (
            &missing,
            "not_found",
            "no such file or directory; check the path",
        ),
        (&binary, "binary", "binary"),
        (&empty, "empty", "empty"),
        // In MiB, as --max-size takes it.
        (
            &big,
            "too_large",
            "the file is 50 MiB (52428800 bytes), over the limit of 20 MiB",
        ),
    ];
    if !locked_readable {
        want.push((&locked, "permission_denied", "ermission"));
    }
    if !locked_file_readable {
        want.push((&locked_file, "permission_denied", "ermission"));
    }
    let want_set: BTreeSet<(String, String)> = want
        .iter()
        .map(|(p, class, _)| (p.display().to_string(), class.to_string()))
        .collect();
    assert_eq!(failures(&summary), want_set, "summary: {summary:#}");
    for (path, class, words) in &want {
        let path = path.display().to_string();
        let line = stderr
            .lines()
            .find(|l| l.contains(&path))
            .unwrap_or_else(|| panic!("{path} is not named in stderr:\n{stderr}"));
        assert!(
            line.contains(words) && line.contains(class),
            "unclear message for {path}: {line}"
        );
    }
    assert_eq!(summary["inputs"], 10);
    let archived = 4 + usize::from(locked_readable) + usize::from(locked_file_readable);
    assert_eq!(summary["articles"], archived);

    // The good inputs are archived, with sensibly decoded text.
    assert_eq!(
        citations_of(&arc, "/good.html"),
        vec![(id(10), "embed".into())]
    );
    assert_eq!(
        citations_of(&arc, "/good.txt"),
        vec![(id(11), "link".into())]
    );
    let all = export(&arc, "citations");
    let by_id = |n: u64| {
        let want = (BASE_ID + n).to_string();
        all.iter()
            .find(|c| c["post_id"] == want.as_str())
            .unwrap_or_else(|| panic!("post {want} was not archived: {all:#?}"))
            .clone()
    };
    let rene = by_id(12);
    assert_eq!(
        rene["text"],
        "Le caf\u{e9} est pr\u{ea}t \u{e0} Montr\u{e9}al"
    );
    assert_eq!(rene["author_name"], "Ren\u{e9}");
    assert_eq!(rene["handle"], "rene");
    let zoe = by_id(13);
    assert_eq!(zoe["text"], "Visegr\u{e1}d caf\u{e9}");
    assert_eq!(zoe["author_name"], "Zo\u{eb}");
    if locked_readable {
        assert_eq!(
            citations_of(&arc, "/locked/inside.html"),
            vec![(id(14), "embed".into())]
        );
    }
    if locked_file_readable {
        assert_eq!(
            citations_of(&arc, "/locked-file.html"),
            vec![(id(15), "embed".into())]
        );
    }

    // Failures are remembered in the archive, not only printed.
    let conn = open_db(&arc);
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM failures"),
        want.len() as i64
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM articles"),
        archived as i64
    );
}

// 4b. Declared charsets are honoured: a UTF-8 BOM, `<meta charset>`, and
// `<meta http-equiv>` with a legacy encoding.
#[test]
fn declared_charsets_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let bom = dir.path().join("bom.html");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(
        page(&tweet(60, "h60", "Ren\u{e9}", "Caf\u{e9} \u{2014} open")).as_bytes(),
    );
    fs::write(&bom, bytes).unwrap();

    let latin1 = dir.path().join("latin1.html");
    let source = format!(
        "<html><head><meta charset=\"iso-8859-1\"></head><body>{}</body></html>",
        tweet(61, "h61", "Zo\u{eb}", "Caf\u{e9} cr\u{e8}me")
    );
    let encoded: Vec<u8> = source
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    fs::write(&latin1, encoded).unwrap();

    // windows-1251: Cyrillic letters U+0410..U+044F are bytes 0xC0..0xFF.
    let cyrillic = dir.path().join("cp1251.html");
    let source = format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">\
         </head><body>{}</body></html>",
        tweet(
            62,
            "h62",
            "\u{418}\u{432}\u{430}\u{43d}",
            "\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}, \u{43c}\u{438}\u{440}"
        )
    );
    let encoded: Vec<u8> = source
        .chars()
        .map(|c| match u32::from(c) {
            cp @ 0x410..=0x44F => u8::try_from(cp - 0x410 + 0xC0).unwrap(),
            cp => u8::try_from(cp).expect("ASCII"),
        })
        .collect();
    fs::write(&cyrillic, encoded).unwrap();

    let (code, summary, stderr) = archive_json(&arc, &[&bom, &latin1, &cyrillic]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["new_citations"], 3);
    let all = export(&arc, "citations");
    let text_of = |n: u64| {
        let want = (BASE_ID + n).to_string();
        let c = all
            .iter()
            .find(|c| c["post_id"] == want.as_str())
            .unwrap_or_else(|| panic!("post {want} not found: {all:#?}"));
        (
            c["author_name"].as_str().unwrap().to_string(),
            c["text"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        text_of(60),
        ("Ren\u{e9}".into(), "Caf\u{e9} \u{2014} open".into())
    );
    assert_eq!(
        text_of(61),
        ("Zo\u{eb}".into(), "Caf\u{e9} cr\u{e8}me".into())
    );
    assert_eq!(
        text_of(62),
        (
            "\u{418}\u{432}\u{430}\u{43d}".into(),
            "\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}, \u{43c}\u{438}\u{440}".into()
        )
    );
}

// 4c. UTF-16 with a byte-order mark is decoded like any other article.
#[test]
fn utf16_articles_with_a_bom_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let utf16 = |s: &str| -> Vec<u8> {
        let mut b = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        b
    };
    let html = dir.path().join("utf16.html");
    fs::write(
        &html,
        utf16(&page(&tweet(70, "rene", "Ren\u{e9}", "Caf\u{e9} ouvert"))),
    )
    .unwrap();
    let txt = dir.path().join("utf16.txt");
    fs::write(
        &txt,
        utf16(&format!(
            "The statement: https://x.com/police/status/{}\n",
            BASE_ID + 71
        )),
    )
    .unwrap();

    let (code, summary, stderr) = archive_json(&arc, &[&html, &txt]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["articles"], 2);
    assert_eq!(
        citations_of(&arc, "/utf16.html"),
        vec![(id(70), "embed".into())]
    );
    assert_eq!(
        citations_of(&arc, "/utf16.txt"),
        vec![(id(71), "link".into())]
    );
}

// 5. `-` reads the list of inputs from stdin.
#[test]
fn dash_reads_inputs_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let a = dir.path().join("a.html");
    let b = dir.path().join("b.html");
    let c = dir.path().join("not-listed.html");
    fs::write(&a, page(&tweet(20, "alpha", "Alpha", "First."))).unwrap();
    fs::write(&b, page(&tweet(21, "bravo", "Bravo", "Second."))).unwrap();
    fs::write(&c, page(&tweet(22, "charlie", "Charlie", "Third."))).unwrap();
    let list = format!(
        "# articles for the morning run\n{}\n\n   {}  \n# {}\n",
        a.display(),
        b.display(),
        c.display()
    );

    let out = embarc(&arc)
        .args(["archive", "--json", "-"])
        .write_stdin(list)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["inputs"], 2);
    assert_eq!(summary["articles"], 2);
    assert_eq!(summary["failures"], serde_json::json!([]));
    assert_eq!(
        citations_of(&arc, "/a.html"),
        vec![(id(20), "embed".into())]
    );
    assert_eq!(
        citations_of(&arc, "/b.html"),
        vec![(id(21), "embed".into())]
    );
    assert!(citations_of(&arc, "/not-listed.html").is_empty());
}

// 6. Directories are walked recursively, taking only article extensions.
#[test]
fn directories_are_read_recursively_with_article_extensions_only() {
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let root = dir.path().join("site");
    fs::create_dir_all(root.join("news/2020/01")).unwrap();
    fs::create_dir_all(root.join("assets")).unwrap();
    let link = |n: u64| format!("See https://twitter.com/source/status/{}\n", BASE_ID + n);

    // Taken.
    fs::write(root.join("index.html"), page(&tweet(30, "a", "A", "One."))).unwrap();
    fs::write(
        root.join("news/old.HTM"),
        page(&tweet(31, "b", "B", "Two.")),
    )
    .unwrap();
    fs::write(root.join("news/2020/notes.txt"), link(32)).unwrap();
    fs::write(root.join("news/2020/01/post.md"), link(33)).unwrap();
    fs::write(
        root.join("news/2020/01/deep.htm"),
        page(&tweet(34, "c", "C", "Three.")),
    )
    .unwrap();
    // Not articles: skipped even though they mention posts.
    fs::write(root.join("assets/data.json"), link(40)).unwrap();
    fs::write(root.join("assets/style.css"), link(41)).unwrap();
    fs::write(root.join("assets/logo.png"), link(42)).unwrap();
    fs::write(root.join("news/README"), link(43)).unwrap();
    fs::write(root.join("news/2020/01/post.md.bak"), link(44)).unwrap();

    let (code, summary, stderr) = archive_json(&arc, &[&root]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["inputs"], 5);
    assert_eq!(summary["articles"], 5);

    let urls: BTreeSet<String> = export(&arc, "citations")
        .iter()
        .map(|c| c["article_url"].as_str().unwrap().to_string())
        .collect();
    let names: BTreeSet<&str> = urls.iter().map(|u| u.rsplit('/').next().unwrap()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["index.html", "old.HTM", "notes.txt", "post.md", "deep.htm"])
    );
    let mut ids: Vec<_> = export(&arc, "posts")
        .iter()
        .map(|p| p["post_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        (30..=34)
            .map(|n| (BASE_ID + n).to_string())
            .collect::<Vec<_>>()
    );

    // A file named explicitly is read whatever its extension.
    let (code, summary, _) = archive_json(&arc, &[&root.join("assets/data.json")]);
    assert_eq!(code, 0);
    assert_eq!(summary["new_citations"], 1);
    assert_eq!(
        citations_of(&arc, "/data.json"),
        vec![(id(40), "link".into())]
    );
}

/// Run `cmd` and wait at most `limit` for it; kill it and return None on
/// timeout. Stdout goes to a file (a pipe nobody reads could fill up and
/// stall the child); it is returned with the exit status.
#[cfg(unix)]
fn run_with_timeout(
    mut cmd: std::process::Command,
    stdout: &Path,
    limit: std::time::Duration,
) -> Option<(std::process::ExitStatus, Vec<u8>)> {
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(fs::File::create(stdout).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((status, fs::read(stdout).unwrap()));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

// 6b. A directory holding symlinks back to its parents is walked once.
#[cfg(unix)]
#[test]
fn directory_symlink_cycles_terminate() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let arc = dir.path().join("arc");
    let root = dir.path().join("site");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(
        root.join("sub/story.html"),
        page(&tweet(50, "a", "A", "Once.")),
    )
    .unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    symlink("..", root.join("sub/up-again")).unwrap();

    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("embarc"));
    cmd.env_remove("EMBARC_ARCHIVE")
        .arg("--archive")
        .arg(&arc)
        .args(["archive", "--json"])
        .arg(&root);
    let (status, stdout) = run_with_timeout(
        cmd,
        &dir.path().join("stdout"),
        std::time::Duration::from_secs(10),
    )
    .expect("embarc archive did not finish within 10 s on a directory with symlink cycles");
    assert_eq!(status.code(), Some(0));
    let summary: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(
        summary["inputs"], 1,
        "the one file is read once: {summary:#}"
    );
    assert_eq!(summary["articles"], 1);
}

/// What the generated corpus of the kill test should give.
struct Corpus {
    files: usize,
    /// file name -> sorted (post id, kind) of its citations.
    citations: BTreeMap<String, Vec<(String, String)>>,
    posts: usize,
    claims: usize,
}

/// `n` small articles, each with 1–3 embeds of its own posts and one plain
/// link to one of 25 posts shared between articles; every tenth opens with
/// BREAKING (a claim).
fn write_corpus(dir: &Path, n: usize) -> Corpus {
    const SHARED: u64 = 10_000_000;
    let mut citations = BTreeMap::new();
    let mut posts = 0;
    let mut claims = 0;
    for i in 0..n {
        let k = 1 + i % 3;
        let mut body = String::new();
        let mut cites = Vec::new();
        for j in 0..k {
            let n_id = (i * 8 + j) as u64;
            let text = if j == 0 && i % 10 == 0 {
                claims += 1;
                format!("BREAKING: update number {i} from the river")
            } else {
                format!("Water level report {i}.{j}")
            };
            body += &tweet(n_id, &format!("gauge{i}"), &format!("Gauge {i}"), &text);
            cites.push(((BASE_ID + n_id).to_string(), "embed".to_string()));
            posts += 1;
        }
        let shared = BASE_ID + SHARED + (i % 25) as u64;
        body += &format!(
            "<p>As <a href=\"https://twitter.com/agency/status/{shared}\">the agency said</a>.</p>\n"
        );
        cites.push((shared.to_string(), "link".to_string()));
        cites.sort();
        let name = format!("article-{i:05}.html");
        fs::write(dir.join(&name), page(&body)).unwrap();
        citations.insert(name, cites);
    }
    Corpus {
        files: n,
        citations,
        posts: posts + n.min(25),
        claims,
    }
}

/// Totals that must match between a resumed and a clean run.
fn totals(archive: &Path) -> BTreeMap<String, i64> {
    let mut t = table_counts(archive);
    t.remove("failures");
    t
}

fn assert_consistent(archive: &Path, corpus: &Corpus) {
    let conn = open_db(archive);
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let mut stmt = conn.prepare("PRAGMA foreign_key_check").unwrap();
    let problems = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .count();
    assert_eq!(problems, 0, "foreign key violations");

    // Every article present has all its citations and one capture.
    let mut stmt = conn
        .prepare(
            "SELECT a.url, p.post_id, c.kind FROM articles a
             LEFT JOIN citations c ON c.article_id = a.id
             LEFT JOIN posts p ON p.id = c.post_id",
        )
        .unwrap();
    let mut got: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for row in stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .unwrap()
    {
        let (url, post, kind) = row.unwrap();
        let name = url.rsplit('/').next().unwrap().to_string();
        let entry = got.entry(name).or_default();
        if let (Some(post), Some(kind)) = (post, kind) {
            entry.push((post, kind));
        }
    }
    for (name, mut cites) in got {
        cites.sort();
        let want = corpus
            .citations
            .get(&name)
            .unwrap_or_else(|| panic!("unknown article {name}"));
        assert_eq!(&cites, want, "citations of {name}");
    }
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM articles a WHERE (SELECT COUNT(*) FROM captures c WHERE c.article_id = a.id) <> 1"
        ),
        0,
        "an article without exactly one capture"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM (SELECT article_id, post_id, kind, occurrence FROM citations
             GROUP BY 1, 2, 3, 4 HAVING COUNT(*) > 1)"
        ),
        0,
        "duplicate citations"
    );
}

// 7. A run killed with SIGKILL leaves a consistent archive, and re-running
// completes it to exactly what a clean run gives.
#[cfg(unix)]
#[test]
fn killed_run_leaves_a_consistent_archive_and_rerun_completes_it() {
    use rusqlite::OpenFlags;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let bin = assert_cmd::cargo::cargo_bin("embarc");
    for (attempt, n) in [1500usize, 4000, 10_000].into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("articles");
        fs::create_dir(&input).unwrap();
        let corpus = write_corpus(&input, n);
        let arc = dir.path().join("arc");

        let mut child = std::process::Command::new(&bin)
            .env_remove("EMBARC_ARCHIVE")
            .arg("--archive")
            .arg(&arc)
            .args(["archive", "--jobs", "1"])
            .arg(&input)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();

        // Wait for the first committed article and at least 50 ms, so that
        // the kill lands mid-stream (a read-only connection never creates
        // the database, so it cannot race embarc's own setup).
        let db = arc.join("embarc.db");
        let start = Instant::now();
        let committed = || -> i64 {
            Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .and_then(|c| c.query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0)))
                .unwrap_or(0)
        };
        while (committed() == 0 || start.elapsed() < Duration::from_millis(50))
            && start.elapsed() < Duration::from_secs(10)
            && child.try_wait().unwrap().is_none()
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let killed_with = count(&open_db(&arc), "SELECT COUNT(*) FROM articles");
        if !running || killed_with as usize >= corpus.files {
            eprintln!("attempt {attempt}: the run of {n} files finished before the kill; retrying");
            continue;
        }
        eprintln!("killed after {killed_with} of {n} articles were committed");
        assert_consistent(&arc, &corpus);

        // Re-run: completes the archive.
        let out = embarc(&arc)
            .args(["archive", "--json", "--jobs", "1"])
            .arg(&input)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["articles"], n);
        assert_eq!(summary["unchanged"], killed_with);
        assert_consistent(&arc, &corpus);

        // A clean run into a fresh archive gives the same totals.
        let fresh = dir.path().join("fresh");
        embarc(&fresh).arg("archive").arg(&input).assert().success();
        let resumed = totals(&arc);
        assert_eq!(resumed, totals(&fresh), "resumed vs clean run");
        let links = corpus.files as i64;
        let embeds: i64 = corpus
            .citations
            .values()
            .map(|c| c.len() as i64)
            .sum::<i64>()
            - links;
        assert_eq!(resumed["articles"], n as i64);
        assert_eq!(resumed["captures"], n as i64);
        assert_eq!(resumed["citations"], embeds + links);
        assert_eq!(resumed["posts"], corpus.posts as i64);
        assert_eq!(resumed["claims"], corpus.claims as i64);
        assert_eq!(resumed["claim_events"], corpus.claims as i64);
        return;
    }
    panic!("every run finished before it could be killed; the kill was never tested");
}

/// `304 Not Modified` with the validators a server repeats.
fn not_modified(etag: Option<&str>, last_modified: Option<&str>) -> Reply {
    let mut headers = Vec::new();
    if let Some(e) = etag {
        headers.push(("ETag".to_string(), e.to_string()));
    }
    if let Some(d) = last_modified {
        headers.push(("Last-Modified".to_string(), d.to_string()));
    }
    Reply::Full {
        status: 304,
        headers,
        body: Vec::new(),
        delay: std::time::Duration::ZERO,
    }
}

/// The `If-None-Match` and `If-Modified-Since` a request carried.
type Conditional = (Option<String>, Option<String>);

const LAST_MODIFIED: &str = "Tue, 07 Jan 2020 10:00:00 GMT";

#[test]
fn conditional_refetch_sends_validators_and_a_304_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path();
    // Conditional headers as each path received them, in order.
    let sent: Arc<Mutex<Vec<(String, Conditional)>>> = Arc::default();
    let log = sent.clone();
    // A page changed since the first run: its new version and ETag.
    let changed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = changed.clone();
    let server = Server::start(move |req| {
        let inm = req.headers.get("if-none-match").cloned();
        let ims = req.headers.get("if-modified-since").cloned();
        log.lock()
            .unwrap()
            .push((req.path.clone(), (inm.clone(), ims.clone())));
        let body = |n: u64| page(&tweet(n, "newsdesk", "Desk", "Council votes tonight"));
        match req.path.as_str() {
            // Honours If-None-Match.
            "/etag" if inm.as_deref() == Some("\"v1\"") => not_modified(Some("\"v1\""), None),
            "/etag" => Reply::html(body(1)).with_header("ETag", "\"v1\""),
            // Honours If-Modified-Since only.
            "/date" if ims.as_deref() == Some(LAST_MODIFIED) => not_modified(None, None),
            "/date" => Reply::html(body(2)).with_header("Last-Modified", LAST_MODIFIED),
            // Ignores the headers: the same page again, in full.
            "/deaf" => Reply::html(body(3)).with_header("ETag", "\"d1\""),
            // Changed after the first run: a new version, a new ETag.
            "/news" if flag.load(std::sync::atomic::Ordering::SeqCst) => {
                Reply::html(body(5)).with_header("ETag", "\"n2\"")
            }
            "/news" => Reply::html(body(4)).with_header("ETag", "\"n1\""),
            _ => Reply::status(404, "text/plain", "not here"),
        }
    });
    let urls: Vec<String> = ["/etag", "/date", "/deaf", "/news"]
        .iter()
        .map(|p| server.url(p))
        .collect();
    let run = |extra: &[&str]| {
        let out = embarc(archive)
            .args(["archive", "--json", "--min-interval", "0"])
            .args(extra)
            .args(&urls)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        (summary, String::from_utf8_lossy(&out.stderr).to_string())
    };
    let conditional = |path: &str| -> Vec<Conditional> {
        sent.lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, c)| c.clone())
            .collect()
    };

    let (first, _) = run(&[]);
    assert_eq!(first["articles"], 4);
    assert_eq!(first["unchanged"], 0);
    // A first fetch is unconditional.
    for p in ["/etag", "/date", "/deaf", "/news"] {
        assert_eq!(conditional(p), vec![(None, None)], "{p}");
    }
    let conn = open_db(archive);
    let validators = |path: &str| -> Conditional {
        conn.query_row(
            "SELECT c.etag, c.last_modified FROM captures c JOIN articles a ON a.id = c.article_id
             WHERE a.url = ?1 ORDER BY c.id DESC LIMIT 1",
            [server.url(path)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    assert_eq!(validators("/etag"), (Some("\"v1\"".into()), None));
    assert_eq!(validators("/date"), (None, Some(LAST_MODIFIED.into())));
    let before = table_counts(archive);

    changed.store(true, std::sync::atomic::Ordering::SeqCst);
    let (again, stderr) = run(&["--refetch"]);
    // Each request carried what its page's last answer said.
    assert_eq!(conditional("/etag")[1], (Some("\"v1\"".into()), None));
    assert_eq!(conditional("/date")[1], (None, Some(LAST_MODIFIED.into())));
    assert_eq!(conditional("/deaf")[1], (Some("\"d1\"".into()), None));
    assert_eq!(conditional("/news")[1], (Some("\"n1\"".into()), None));
    // Two 304s and a page sent in full with the same bytes are unchanged;
    // the changed page is a new capture.
    assert_eq!(again["inputs"], 4);
    assert_eq!(again["fetched"], 4);
    assert_eq!(again["articles"], 4);
    assert_eq!(again["unchanged"], 3, "{again}");
    assert!(
        stderr.contains("archived 1, unchanged 3 of 4 inputs"),
        "{stderr}"
    );
    let after = table_counts(archive);
    assert_eq!(after["captures"], before["captures"] + 1);
    assert_eq!(after["citations"], before["citations"] + 1);
    // The 304s were seen again: their capture's last_seen_at is set.
    for p in ["/etag", "/date"] {
        let seen: Option<String> = conn
            .query_row(
                "SELECT c.last_seen_at FROM captures c JOIN articles a ON a.id = c.article_id
                 WHERE a.url = ?1",
                [server.url(p)],
                |r| r.get(0),
            )
            .unwrap();
        assert!(seen.is_some(), "{p}");
    }
    // The changed page's new ETag is the one sent next time.
    assert_eq!(validators("/news"), (Some("\"n2\"".into()), None));
    let (third, _) = run(&["--refetch"]);
    assert_eq!(third["unchanged"], 4, "{third}");
    assert_eq!(conditional("/news")[2], (Some("\"n2\"".into()), None));
    assert_eq!(table_counts(archive)["captures"], after["captures"]);
}
