//! End-to-end tests of `embarc export` and `embarc status` on a small
//! archive built from fixtures written here.

use assert_cmd::Command;
use serde_json::{Map, Value, json};
use std::fs;
use std::path::{Path, PathBuf};

const BASE_ID: u64 = 1_214_387_633_146_564_608;

fn embarc(archive: &Path) -> Command {
    let mut cmd = Command::cargo_bin("embarc").expect("the embarc binary is built");
    cmd.env_remove("EMBARC_ARCHIVE")
        .env_remove("EMBARC_LOG")
        .arg("--archive")
        .arg(archive);
    cmd
}

fn tweet(n: u64, handle: &str, name: &str, text: &str, date: &str) -> String {
    let id = BASE_ID + n;
    format!(
        "<blockquote class=\"twitter-tweet\"><p lang=\"en\" dir=\"ltr\">{text}</p>&mdash; {name} \
         (@{handle}) <a href=\"https://twitter.com/{handle}/status/{id}?ref_src=twsrc%5Etfw\">\
         {date}</a></blockquote>\n"
    )
}

/// An archive of two articles:
/// - `story.html`: four embeds (a text with a comma, quotes and a line
///   break; a would-be spreadsheet formula; a BREAKING post with a photo, a
///   handle that differs from its link and a date far from its id; a text
///   starting with `@`), and two plain links (one to an embedded post);
/// - `copied.txt`: a post copied as text, without a link (unidentified).
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    archive: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let archive = root.join("arc");
    let jan7 = "January 7, 2020";
    let body = [
        tweet(
            0,
            "alice",
            "Alice Example",
            "Hello, &quot;world&quot;<br>second line",
            jan7,
        ),
        tweet(
            1,
            "mallory",
            "Mallory",
            "=HYPERLINK(\"http://example.com\",\"click\")",
            jan7,
        ),
        // The link names another handle, and the shown date is 56 days
        // from the id's: two warnings.
        tweet(
            2,
            "newsdesk",
            "News Desk",
            "BREAKING: the dam has opened its gates pic.twitter.com/AbCdEf1234",
            "March 3, 2020",
        )
        .replace("twitter.com/newsdesk/", "twitter.com/otherhandle/"),
        tweet(
            4,
            "parkfan",
            "Park Fan",
            "@everyone +1 for the new park",
            jan7,
        ),
    ]
    .concat();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Storm</title></head><body>\
         <article><p>The storm reached the coast overnight.</p>\n{body}\
         <p>As <a href=\"https://x.com/alice/status/{a}\">Alice said</a>, and as \
         <a href=\"https://twitter.com/bob/status/{b}\">Bob reported</a>, roads are shut.</p>\
         </article></body></html>\n",
        a = BASE_ID,
        b = BASE_ID + 3
    );
    fs::write(root.join("story.html"), html).unwrap();
    fs::write(
        root.join("copied.txt"),
        "The council met on Monday and voted to close the bridge.\n\n\
         We will rebuild the bridge by spring, and faster than planned.\n\
         \u{2014} Jane Mayor (@janemayor) January 7, 2020\n\n\
         More prose follows the post.\n",
    )
    .unwrap();
    embarc(&archive)
        .arg("archive")
        .arg(root.join("story.html"))
        .arg(root.join("copied.txt"))
        .assert()
        .success();
    Fixture {
        _dir: dir,
        root,
        archive,
    }
}

/// Run `export WHAT --format FORMAT [extra...]` and return stdout.
fn export(archive: &Path, what: &str, format: &str, extra: &[&str]) -> Vec<u8> {
    let out = embarc(archive)
        .args(["export", what, "--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "export {what} --format {format} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn json_rows(archive: &Path, what: &str) -> Vec<Map<String, Value>> {
    let v: Value = serde_json::from_slice(&export(archive, what, "json", &[])).unwrap();
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|r| r.as_object().expect("rows are objects").clone())
        .collect()
}

const CITATION_FIELDS: &[&str] = &[
    "article_url",
    "kind",
    "platform",
    "post_id",
    "post_url",
    "handle",
    "author_name",
    "display_date",
    "posted_at",
    "date",
    "text",
    "media",
    "labels",
    "warnings",
    "shape",
    "source_url",
];

const POST_FIELDS: &[&str] = &[
    "platform",
    "post_id",
    "post_url",
    "handle",
    "author_name",
    "posted_at",
    "date",
    "text",
    "labels",
    "first_seen_at",
    "citation_count",
    "claim_status",
    "media",
];

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

fn is_day(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
}

fn is_str_or_null(v: &Value) -> bool {
    v.is_string() || v.is_null()
}

fn is_str_list(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

fn check_citation_types(row: &Map<String, Value>) {
    for f in CITATION_FIELDS {
        assert!(row.contains_key(*f), "citation without {f}: {row:?}");
    }
    let ok = |f: &str, good: bool| assert!(good, "citation field {f} has a wrong type: {row:?}");
    ok(
        "article_url",
        row["article_url"]
            .as_str()
            .is_some_and(|s| s.starts_with("file://")),
    );
    ok(
        "kind",
        ["embed", "link", "text"].contains(&row["kind"].as_str().unwrap_or("")),
    );
    ok("platform", row["platform"] == "x");
    ok(
        "post_id",
        row["post_id"].is_null()
            || row["post_id"]
                .as_str()
                .is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit())),
    );
    ok(
        "post_url",
        row["post_url"].is_null()
            || row["post_url"]
                .as_str()
                .is_some_and(|s| s.starts_with("https://")),
    );
    for f in [
        "handle",
        "author_name",
        "display_date",
        "text",
        "shape",
        "source_url",
    ] {
        ok(f, is_str_or_null(&row[f]));
    }
    ok("shape", row["shape"].is_string());
    ok(
        "posted_at",
        row["posted_at"].is_null() || is_rfc3339(&row["posted_at"]),
    );
    ok("date", row["date"].is_null() || is_day(&row["date"]));
    ok("media", is_str_list(&row["media"]));
    ok("labels", is_str_list(&row["labels"]));
    ok(
        "warnings",
        row["warnings"].as_array().is_some_and(|ws| {
            ws.iter()
                .all(|w| w["kind"].is_string() && w["detail"].is_string())
        }),
    );
}

fn check_post_types(row: &Map<String, Value>) {
    for f in POST_FIELDS {
        assert!(row.contains_key(*f), "post without {f}: {row:?}");
    }
    let ok = |f: &str, good: bool| assert!(good, "post field {f} has a wrong type: {row:?}");
    ok("platform", row["platform"] == "x");
    for f in [
        "post_id",
        "post_url",
        "handle",
        "author_name",
        "text",
        "claim_status",
    ] {
        ok(f, is_str_or_null(&row[f]));
    }
    ok(
        "posted_at",
        row["posted_at"].is_null() || is_rfc3339(&row["posted_at"]),
    );
    ok("date", row["date"].is_null() || is_day(&row["date"]));
    ok("labels", is_str_list(&row["labels"]));
    ok("media", row["media"].is_array());
    ok("first_seen_at", is_rfc3339(&row["first_seen_at"]));
    ok(
        "citation_count",
        row["citation_count"].as_i64().is_some_and(|n| n >= 1),
    );
}

/// The CSV cell the exports should write for a JSON value.
fn csv_cell(v: &Value) -> String {
    let raw = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                // A kept medium: its URL and hash.
                m if m.get("sha256").is_some() => format!(
                    "{} sha256:{}",
                    m["url"].as_str().unwrap(),
                    m["sha256"].as_str().unwrap()
                ),
                w => format!(
                    "{}: {}",
                    w["kind"].as_str().unwrap(),
                    w["detail"].as_str().unwrap()
                ),
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => panic!("unexpected JSON value {other}"),
    };
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw
    }
}

fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn exports_have_every_field_with_its_type_in_every_format() {
    let fx = fixture();
    for (what, fields, n) in [("citations", CITATION_FIELDS, 7), ("posts", POST_FIELDS, 6)] {
        let rows = json_rows(&fx.archive, what);
        assert_eq!(rows.len(), n, "{what}: {rows:#?}");
        for row in &rows {
            if what == "citations" {
                check_citation_types(row);
            } else {
                check_post_types(row);
            }
        }

        // JSONL: the same rows, one object per line.
        let jsonl = String::from_utf8(export(&fx.archive, what, "jsonl", &[])).unwrap();
        assert!(jsonl.ends_with('\n'));
        let lines: Vec<Map<String, Value>> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
            .collect();
        assert_eq!(lines, rows, "{what}: JSONL differs from JSON");

        // CSV: a header naming every field, then the same rows as cells.
        let csv_bytes = export(&fx.archive, what, "csv", &[]);
        let (header, records) = parse_csv(&csv_bytes);
        for f in fields {
            assert!(header.iter().any(|h| h == f), "{what} CSV header lacks {f}");
        }
        assert_eq!(records.len(), rows.len(), "{what}: CSV rows");
        for (record, row) in records.iter().zip(&rows) {
            assert_eq!(record.len(), header.len());
            for (h, cell) in header.iter().zip(record) {
                let v = row
                    .get(h)
                    .unwrap_or_else(|| panic!("CSV column {h} is not a JSON field"));
                assert_eq!(cell, &csv_cell(v), "{what} CSV column {h}");
            }
        }

        // --out FILE writes exactly what stdout gets.
        for format in ["json", "jsonl", "csv"] {
            let stdout = export(&fx.archive, what, format, &[]);
            let file = fx.root.join(format!("{what}.{format}"));
            let out = embarc(&fx.archive)
                .args(["export", what, "--format", format, "--out"])
                .arg(&file)
                .output()
                .unwrap();
            assert!(out.status.success());
            assert!(out.stdout.is_empty(), "--out also wrote to stdout");
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(
                said.contains(&format!("{n} rows")),
                "no row count in: {said}"
            );
            assert_eq!(fs::read(&file).unwrap(), stdout, "{what} {format} --out");
        }
    }
}

#[test]
fn exported_values_match_the_fixture() {
    let fx = fixture();
    let cites = json_rows(&fx.archive, "citations");
    let find = |n: u64, kind: &str| {
        let id = (BASE_ID + n).to_string();
        cites
            .iter()
            .find(|c| c["post_id"] == id.as_str() && c["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} citation of {id}: {cites:#?}"))
    };
    let alice = find(0, "embed");
    assert_eq!(alice["text"], "Hello, \"world\"\nsecond line");
    assert_eq!(alice["handle"], "alice");
    assert_eq!(alice["author_name"], "Alice Example");
    assert_eq!(alice["display_date"], "January 7, 2020");
    assert_eq!(alice["date"], "2020-01-07");
    assert_eq!(
        alice["post_url"],
        format!("https://x.com/alice/status/{BASE_ID}")
    );
    assert!(
        alice["article_url"]
            .as_str()
            .unwrap()
            .ends_with("/story.html")
    );
    let news = find(2, "embed");
    assert_eq!(news["labels"], json!(["BREAKING"]));
    assert_eq!(news["media"], json!(["pic.twitter.com/AbCdEf1234"]));
    let mut kinds: Vec<&str> = news["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["date_mismatch", "handle_mismatch"]);
    assert_eq!(find(0, "link")["display_date"], Value::Null);
    assert_eq!(find(3, "link")["text"], Value::Null);
    let copied = cites
        .iter()
        .find(|c| c["kind"] == "text")
        .expect("the copied post");
    assert_eq!(copied["post_id"], Value::Null);
    assert_eq!(copied["post_url"], Value::Null);
    assert_eq!(copied["posted_at"], Value::Null);
    assert_eq!(copied["handle"], "janemayor");
    assert_eq!(copied["date"], "2020-01-07");
    assert!(
        copied["article_url"]
            .as_str()
            .unwrap()
            .ends_with("/copied.txt")
    );

    let posts = json_rows(&fx.archive, "posts");
    let post = |n: u64| {
        let id = (BASE_ID + n).to_string();
        posts
            .iter()
            .find(|p| p["post_id"] == id.as_str())
            .unwrap_or_else(|| panic!("no post {id}"))
    };
    assert_eq!(post(0)["citation_count"], 2, "embedded and linked");
    assert_eq!(post(0)["text"], "Hello, \"world\"\nsecond line");
    assert_eq!(post(2)["claim_status"], "unstarted");
    assert_eq!(post(2)["labels"], json!(["BREAKING"]));
    assert_eq!(post(1)["claim_status"], Value::Null);
    assert_eq!(post(3)["text"], Value::Null, "known only from a link");
}

#[test]
fn csv_quotes_per_rfc4180_and_neutralises_formulas() {
    let fx = fixture();
    for what in ["citations", "posts"] {
        let bytes = export(&fx.archive, what, "csv", &[]);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            !text.starts_with('\u{feff}'),
            "no byte-order mark without --bom"
        );
        // A field with a comma, quotes and a line break is quoted, with
        // its quotes doubled.
        assert!(
            text.contains("\"Hello, \"\"world\"\"\nsecond line\""),
            "{what}: {text}"
        );
        // Formulas come out inert.
        assert!(
            text.contains("\"'=HYPERLINK(\"\"http://example.com\"\",\"\"click\"\")\""),
            "{what}: {text}"
        );
        assert!(!text.contains(",=HYPERLINK("), "{what}: a live formula");
        // Records end in CRLF (RFC 4180); the header is the first record.
        let first_line_end = text.find('\n').unwrap();
        assert_eq!(&text[first_line_end - 1..=first_line_end], "\r\n", "{what}");
        let (header, rows) = parse_csv(&bytes);
        let col = header.iter().position(|h| h == "text").unwrap();
        let texts: Vec<&str> = rows.iter().map(|r| r[col].as_str()).collect();
        assert!(texts.contains(&"Hello, \"world\"\nsecond line"));
        assert!(texts.contains(&"'=HYPERLINK(\"http://example.com\",\"click\")"));
        assert!(texts.contains(&"'@everyone +1 for the new park"));
        for row in &rows {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{what}: live cell {cell:?}"
                );
            }
        }
    }
}

#[test]
fn csv_bom_on_request() {
    let fx = fixture();
    for what in ["citations", "posts"] {
        let plain = export(&fx.archive, what, "csv", &[]);
        let bom = export(&fx.archive, what, "csv", &["--bom"]);
        assert_eq!(&bom[..3], b"\xEF\xBB\xBF");
        assert_eq!(&bom[3..], &plain[..], "the BOM is the only difference");

        let file = fx.root.join(format!("{what}-bom.csv"));
        embarc(&fx.archive)
            .args(["export", what, "--format", "csv", "--bom", "--out"])
            .arg(&file)
            .assert()
            .success();
        assert_eq!(fs::read(&file).unwrap(), bom);
    }
    // A byte-order mark would break JSON readers: --bom with another format
    // is a usage error, and nothing is written.
    for format in ["json", "jsonl"] {
        let out = embarc(&fx.archive)
            .args(["export", "posts", "--format", format, "--bom"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--bom is for --format csv only"), "{err}");
    }
}

#[test]
fn status_json_counts() {
    let fx = fixture();
    let out = embarc(&fx.archive)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let st: Value = serde_json::from_slice(&out.stdout).expect("status --json is JSON");
    assert!(st["schema_version"].as_i64().is_some_and(|v| v >= 1));
    let tables = st["tables"].as_object().expect("tables");
    for (table, n) in [
        ("articles", 2),
        ("captures", 2),
        ("posts", 6),
        ("citations", 7),
        ("snapshots", 5),
        ("warnings", 2),
        ("claims", 1),
        ("claim_events", 1),
        ("failures", 0),
        ("post_media", 0),
        ("timestamps", 0),
        ("pushes", 0),
    ] {
        assert_eq!(tables.get(table), Some(&json!(n)), "{table}: {st:#}");
    }
    assert_eq!(st["platforms"], json!({"x": {"posts": 6, "citations": 7}}));
    assert_eq!(st["unidentified_posts"], 1);
    assert_eq!(st["claims_by_status"], json!({"unstarted": 1}));

    // The human form says the same.
    let out = embarc(&fx.archive).arg("status").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("citations"), "{text}");
    assert!(text.contains("unstarted"), "{text}");
}

#[test]
fn export_and_status_without_an_archive_say_to_archive_first() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let missing = dir.path().join("does-not-exist");
    for archive in [&empty, &missing] {
        let runs: [&[&str]; 5] = [
            &["export", "citations", "--format", "json"],
            &["export", "posts", "--format", "csv"],
            &["export", "posts"],
            &["status"],
            &["status", "--json"],
        ];
        for args in runs {
            let out = embarc(archive).args(args).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("embarc archive") && err.contains("first"),
                "{args:?}: unhelpful message: {err}"
            );
            assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
        }
        assert!(
            !archive.join("embarc.db").exists(),
            "a read command created a database"
        );
    }
    assert!(
        !missing.exists(),
        "a read command created the archive directory"
    );
}
