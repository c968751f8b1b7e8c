//! `[timestamp] tsa`: every WARC file a run closes, and every exported
//! WACZ and case file, is stamped by a local Time-Stamp Authority (OpenSSL's
//! `ts` behind an HTTP server on 127.0.0.1); tokens are kept in the archive
//! and beside the files, OpenSSL verifies them independently, `verify`
//! checks them against the configured roots and rejects altered files, and
//! a failing authority never fails a run (it is asked again next time).

mod common;

use assert_cmd::Command;
use common::{Reply, Server, TestTsa, TsaKind, openssl};
use rusqlite::Connection;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const ARTICLE: &str = r#"<!doctype html><html><head><title>Floods</title></head><body><article>
<p>Reporting on the story.</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">BREAKING: the dam holds</p>&mdash; Desk (@newsdesk) <a href="https://twitter.com/newsdesk/status/1214387633146564608">January 7, 2020</a></blockquote>
</article></body></html>"#;

fn embarc(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("embarc").unwrap();
    c.arg("--archive")
        .arg(dir)
        .env_remove("EMBARC_ARCHIVE")
        .env("EMBARC_ALLOW_PRIVATE", "1");
    c
}

/// The TSA over HTTP: `openssl ts -reply` for each POSTed query, or 503
/// while `down` is set.
fn tsa_server(tsa: Arc<TestTsa>, down: Arc<AtomicBool>) -> Server {
    Server::start(move |req| {
        if down.load(Ordering::SeqCst) {
            return Reply::status(503, "text/plain", "maintenance");
        }
        assert_eq!(req.method, "POST");
        assert_eq!(req.headers["content-type"], "application/timestamp-query");
        Reply::status(200, "application/timestamp-reply", tsa.reply(&req.body))
    })
}

/// An archive configured with the TSA at `tsa_url`, trusting `root`.
fn archive_dir(root: &Path, tsa_url: &str, parent: &Path) -> PathBuf {
    let archive = parent.join("archive");
    std::fs::create_dir_all(&archive).unwrap();
    std::fs::copy(root, archive.join("roots.pem")).unwrap();
    std::fs::write(
        archive.join("embarc.toml"),
        format!("[timestamp]\ntsa = [\"{tsa_url}\"]\nroots = [\"roots.pem\"]\n"),
    )
    .unwrap();
    archive
}

fn warc_files(archive: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(archive.join("warc"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    files.sort();
    files
}

/// `(subject, result)` of every timestamps row.
fn rows(archive: &Path) -> Vec<(String, String)> {
    let db = Connection::open(archive.join("embarc.db")).unwrap();
    let mut st = db
        .prepare("SELECT subject, result FROM timestamps ORDER BY id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn verify(archive: &Path) -> (bool, serde_json::Value) {
    let out = embarc(archive).args(["verify", "--json"]).output().unwrap();
    (
        out.status.success(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

/// `openssl ts -verify` of `token` over `data` with the CA file `root`.
fn openssl_verifies(tsa: &TestTsa, data: &Path, token: &Path, root: &Path) -> bool {
    let out = std::process::Command::new("openssl")
        .args(["ts", "-verify", "-data"])
        .arg(data)
        .arg("-in")
        .arg(token)
        .args(["-token_in", "-CAfile"])
        .arg(root)
        .env("OPENSSL_CONF", tsa.dir().join("ca.cnf"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).contains("Verification: OK")
}

/// A TSA of `kind` (answering 503 while `down` is set), a site serving the
/// article, and an archive configured with both.
struct Setup {
    tsa: Arc<TestTsa>,
    down: Arc<AtomicBool>,
    server: Server,
    site: Server,
    tmp: tempfile::TempDir,
    archive: PathBuf,
}

impl Setup {
    /// Requests the authority received.
    fn tsa_hits(&self) -> usize {
        self.server.hits("/tsr")
    }
}

fn setup(kind: TsaKind, down: bool) -> Setup {
    let tsa = Arc::new(TestTsa::new(kind));
    let down = Arc::new(AtomicBool::new(down));
    let server = tsa_server(tsa.clone(), down.clone());
    let site = Server::start(|_| Reply::html(ARTICLE));
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_dir(&tsa.root_pem, &server.url("/tsr"), tmp.path());
    Setup {
        tsa,
        down,
        server,
        site,
        tmp,
        archive,
    }
}

/// `embarc archive URL` on the setup's archive: its stderr.
fn archive_url(s: &Setup, path: &str) -> String {
    let out = embarc(&s.archive)
        .args(["archive", "--min-interval", "0"])
        .arg(s.site.url(path))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{said}");
    said
}

#[test]
fn warc_files_are_stamped_when_a_run_ends_and_verified_against_the_roots() {
    if !common::have_openssl(
        "warc_files_are_stamped_when_a_run_ends_and_verified_against_the_roots",
    ) {
        return;
    }
    let s = setup(TsaKind::Rsa, false);
    let (tsa, server, archive) = (&s.tsa, &s.server, &s.archive);
    let said = archive_url(&s, "/dam");
    assert!(said.contains("timestamps: 1 granted, 0 failed"), "{said}");
    let files = warc_files(archive);
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert_eq!(
        rows(archive),
        [(format!("warc/{name}"), "granted".to_string())]
    );

    // The token beside the file is the standard thing: OpenSSL verifies it.
    let port = server.addr.port();
    let token = archive
        .join("warc")
        .join(format!("{name}.tsa-127.0.0.1-{port}_tsr.tsr"));
    assert!(openssl_verifies(tsa, &files[0], &token, &tsa.root_pem));

    let (ok, report) = verify(archive);
    assert!(ok, "{report}");
    assert_eq!(report["timestamps_checked"], 1);

    // Another authority's root does not vouch for it.
    let other = TestTsa::named(TsaKind::Ec, "other");
    std::fs::copy(&other.root_pem, archive.join("roots.pem")).unwrap();
    let (ok, report) = verify(archive);
    assert!(!ok);
    assert!(
        report["problems"].to_string().contains("timestamp"),
        "{report}"
    );
    std::fs::copy(&tsa.root_pem, archive.join("roots.pem")).unwrap();

    // A WARC file changed after it was stamped is reported.
    let mut bytes = std::fs::read(&files[0]).unwrap();
    bytes.extend_from_slice(&openssl(tsa.dir(), &["rand", "1"]).stdout);
    std::fs::write(&files[0], &bytes).unwrap();
    let (ok, report) = verify(archive);
    assert!(!ok);
    let problems = report["problems"].to_string();
    assert!(
        problems.contains("changed since it was stamped"),
        "{problems}"
    );
}

#[test]
fn a_failing_authority_never_fails_the_run_and_is_asked_again() {
    if !common::have_openssl("a_failing_authority_never_fails_the_run_and_is_asked_again") {
        return;
    }
    let s = setup(TsaKind::Ec, true);
    let archive = &s.archive;
    let said = archive_url(&s, "/one");
    assert!(
        said.contains("0 granted, 1 failed") && said.contains("HTTP 503"),
        "{said}"
    );
    assert_eq!(rows(archive)[0].1, "failed");

    // A case file made while the authority is down is written, with a
    // warning and exit code 2: nothing in it proves when it was made.
    let out = embarc(archive)
        .args(["export", "case", "--claim", "1", "--out"])
        .arg(s.tmp.path().join("case-down"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("warning: claim-1.wacz is written, but not stamped")
            && said.contains("nothing in it proves when it was made")
            && said.contains(&format!("{}: HTTP 503", s.server.url("/tsr")))
            && said.contains("`embarc export case --claim 1 --out NEW` writes the case again"),
        "{said}"
    );
    assert!(s.tmp.path().join("case-down/claim-1.wacz").exists());

    // Back up: the next run stamps its own file and the one left over.
    s.down.store(false, Ordering::SeqCst);
    archive_url(&s, "/two");
    let rows = rows(archive);
    let granted: Vec<&str> = rows
        .iter()
        .filter(|r| r.1 == "granted")
        .map(|r| r.0.as_str())
        .collect();
    assert_eq!(granted.len(), 2, "{rows:?}");
    let warcs = rows.iter().filter(|r| r.0.starts_with("warc/")).count();
    assert_eq!(warcs, 2, "the failed row is replaced: {rows:?}");
    let (ok, report) = verify(archive);
    assert!(ok, "{report}");
    assert_eq!(report["timestamps_checked"], 2);

    // `embarc stamp` asks again for the package: its token is written
    // beside it and it verifies on its own; asked once more, nothing is
    // asked.
    let package = s.tmp.path().join("case-down/claim-1.wacz");
    let before = s.tsa_hits();
    let out = embarc(archive).arg("stamp").arg(&package).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    // The case's own lists were written without it: said.
    assert!(
        said.contains(
            "belongs to a case file, whose SHA256SUMS and summary.html do not list this timestamp"
        ),
        "{said}"
    );
    assert_eq!(s.tsa_hits(), before + 1);
    let out = embarc(archive)
        .args(["verify", "--json", "--wacz"])
        .arg(&package)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{report}");
    assert_eq!(report["timestamps_checked"], 1);
    let (ok, report) = verify(archive);
    assert!(ok, "{report}");
    assert_eq!(
        report["timestamps_checked"], 3,
        "the failed row is replaced"
    );
    let out = embarc(archive).arg("stamp").arg(&package).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("beside it already"));
    assert_eq!(s.tsa_hits(), before + 1);
    // Not a package: said, exit 2.
    let out = embarc(archive)
        .arg("stamp")
        .arg(s.tmp.path().join("case-down/summary.html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not stamped"));
}

/// The bytes of entry `name` of the ZIP file `zip`.
fn entry(zip: &Path, name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut bytes = Vec::new();
    z.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn wacz_packages_and_case_files_carry_timestamps_of_their_digest() {
    if !common::have_openssl("wacz_packages_and_case_files_carry_timestamps_of_their_digest") {
        return;
    }
    let s = setup(TsaKind::Rsa, false);
    let (tsa, server, tmp, archive) = (&s.tsa, &s.server, &s.tmp, &s.archive);
    archive_url(&s, "/dam");
    let port = server.addr.port();

    // WACZ: the token beside it stamps its datapackage-digest.json.
    let wacz = tmp.path().join("dam.wacz");
    embarc(archive)
        .args(["export", "wacz", "--claim", "1", "--out"])
        .arg(&wacz)
        .assert()
        .success();
    let token = tmp
        .path()
        .join(format!("dam.wacz.tsa-127.0.0.1-{port}_tsr.tsr"));
    let digest = tmp.path().join("datapackage-digest.json");
    std::fs::write(&digest, entry(&wacz, "datapackage-digest.json")).unwrap();
    assert!(openssl_verifies(tsa, &digest, &token, &tsa.root_pem));
    let (ok, report) = verify(archive);
    assert!(ok, "{report}");
    assert_eq!(
        report["timestamps_checked"], 2,
        "the WARC file and the WACZ"
    );

    // Whoever receives the package checks it on its own, without an
    // archive: files, records, index and the timestamp beside it.
    let (ok, report) = verify_alone(&wacz, &tsa.root_pem);
    assert!(ok, "{report}");
    assert_eq!(report["timestamps_checked"], 1);
    // It says when the authority stamped it, and who signed.
    let stamped = &report["timestamps"][0];
    assert!(
        stamped["tsa"].as_str().unwrap().contains(&tsa.tsa_cn),
        "{stamped}"
    );
    let when = stamped["gen_time"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(when).is_ok(),
        "{stamped}"
    );
    let said = Command::cargo_bin("embarc")
        .unwrap()
        .current_dir(tmp.path())
        .env_remove("EMBARC_ARCHIVE")
        .args(["verify", "--wacz"])
        .arg(&wacz)
        .arg("--roots")
        .arg(&tsa.root_pem)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&said.stdout);
    assert!(said.contains(&format!("stamped {when} by")), "{said}");
    // Without a root (and no archive to take roots from) the token is not
    // checked: said, not called altered.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("embarc")
        .unwrap()
        .current_dir(elsewhere.path())
        .env_remove("EMBARC_ARCHIVE")
        .args(["verify", "--wacz"])
        .arg(&wacz)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("intact; 1 timestamp not checked: no trusted root"),
        "{said}"
    );
    assert!(!said.contains("altered"), "{said}");
    assert_eq!(report["warc_records"], 3, "warcinfo, response, request");
    assert_eq!(report["index_lines"], 1);
    assert!(report["files_checked"].as_u64().unwrap() >= 4);
    let other = TestTsa::named(TsaKind::Ec, "other");
    let (ok, report) = verify_alone(&wacz, &other.root_pem);
    assert!(!ok);
    assert!(
        report["problems"].to_string().contains("not trusted"),
        "{report}"
    );
    // A case file's ZIP is not itself a package: the error says what to do.
    let zipped = tmp.path().join("case.zip");
    embarc(archive)
        .args(["export", "case", "--claim", "1", "--out"])
        .arg(&zipped)
        .assert()
        .success();
    let out = Command::cargo_bin("embarc")
        .unwrap()
        .current_dir(tmp.path())
        .args(["verify", "--wacz"])
        .arg(&zipped)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(said.contains("unzip it and verify claim-1.wacz"), "{said}");
    // One file changed inside the package (the ZIP itself still sound).
    let altered = tmp.path().join("altered.wacz");
    {
        let mut from = zip::ZipArchive::new(std::fs::File::open(&wacz).unwrap()).unwrap();
        let mut to = zip::ZipWriter::new(std::fs::File::create(&altered).unwrap());
        for i in 0..from.len() {
            let mut e = from.by_index(i).unwrap();
            let name = e.name().unwrap().to_string();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            if name == "pages/pages.jsonl" {
                bytes = String::from_utf8(bytes)
                    .unwrap()
                    .replace("/dam", "/elsewhere")
                    .into_bytes();
            }
            to.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut to, &bytes).unwrap();
        }
        to.finish().unwrap();
    }
    let (ok, report) = verify_alone(&altered, &tsa.root_pem);
    assert!(!ok);
    let problems = report["problems"].to_string();
    assert!(problems.contains("pages/pages.jsonl"), "{problems}");

    // Case file: the token is one of its files, listed in SHA256SUMS and
    // explained in the summary.
    let case = tmp.path().join("case");
    embarc(archive)
        .args(["export", "case", "--claim", "1", "--out"])
        .arg(&case)
        .assert()
        .success();
    let token_name = format!("claim-1.wacz.tsa-127.0.0.1-{port}_tsr.tsr");
    let sums = std::fs::read_to_string(case.join("SHA256SUMS")).unwrap();
    assert!(sums.contains(&token_name), "{sums}");
    std::fs::write(
        &digest,
        entry(&case.join("claim-1.wacz"), "datapackage-digest.json"),
    )
    .unwrap();
    assert!(openssl_verifies(
        tsa,
        &digest,
        &case.join(&token_name),
        &tsa.root_pem
    ));
    let summary = std::fs::read_to_string(case.join("summary.html")).unwrap();
    assert!(summary.contains("Trusted timestamps"));
    assert!(summary.contains(&token_name));
    assert!(summary.contains("openssl ts -verify"));
    // The archive's own stamp of the WARC file the capture came from.
    assert!(
        summary.contains("stamped when the run that wrote it ended"),
        "{summary}"
    );
}

#[test]
fn silent_garbage_and_endless_authorities_fail_alone_and_never_hold_the_run() {
    if !common::have_openssl(
        "silent_garbage_and_endless_authorities_fail_alone_and_never_hold_the_run",
    ) {
        return;
    }
    let s = setup(TsaKind::Ec, false);
    let hostile = Server::start(|req| match req.path.as_str() {
        "/silent" => Reply::Silent,
        "/html" => Reply::html("<html>Sign in</html>"),
        "/endless" => Reply::Endless,
        _ => Reply::status(404, "text/plain", "no"),
    });
    std::fs::write(
        s.archive.join("embarc.toml"),
        format!(
            "[timestamp]\ntsa = [\"{}\", \"{}\", \"{}\", \"{}\"]\nroots = [\"roots.pem\"]\ntimeout = \"1s\"\n",
            hostile.url("/silent"),
            hostile.url("/html"),
            hostile.url("/endless"),
            s.server.url("/tsr")
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let said = archive_url(&s, "/dam");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{said}"
    );
    assert!(said.contains("1 granted, 3 failed"), "{said}");
    let db = Connection::open(s.archive.join("embarc.db")).unwrap();
    let details: Vec<(String, String)> = db
        .prepare("SELECT tsa, detail FROM timestamps WHERE result = 'failed' ORDER BY tsa")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let detail = |path: &str| {
        details
            .iter()
            .find(|(t, _)| t.ends_with(path))
            .map(|(_, d)| d.clone())
            .unwrap()
    };
    assert!(detail("/silent").contains("timed out"), "{details:?}");
    assert!(
        detail("/html").contains("not a readable RFC 3161 timestamp"),
        "{details:?}"
    );
    let endless = detail("/endless");
    assert!(
        endless.contains("larger than") || endless.contains("timed out"),
        "{details:?}"
    );
    let (ok, report) = verify(&s.archive);
    assert!(ok, "{report}");
    assert_eq!(report["timestamps_checked"], 1);
}

#[test]
fn warc_files_left_unstamped_are_swept_once_their_writer_is_gone() {
    if !common::have_openssl("warc_files_left_unstamped_are_swept_once_their_writer_is_gone") {
        return;
    }
    let s = setup(TsaKind::Ec, false);
    archive_url(&s, "/one");
    let warc = s.archive.join("warc");
    let first = warc_files(&s.archive).remove(0);
    // A file a killed run left (its process is gone), and one a running
    // process may still be writing (PID 1 runs as long as the system).
    let left = "embarc-20200101000000000-4294967295-00000.warc.gz";
    let busy = "embarc-20200101000000000-1-00000.warc.gz";
    std::fs::copy(&first, warc.join(left)).unwrap();
    std::fs::copy(&first, warc.join(busy)).unwrap();
    let said = archive_url(&s, "/two");
    assert!(said.contains("2 granted, 0 failed"), "{said}");
    let subjects: Vec<String> = rows(&s.archive).into_iter().map(|r| r.0).collect();
    assert!(subjects.contains(&format!("warc/{left}")), "{subjects:?}");
    assert!(!subjects.contains(&format!("warc/{busy}")), "{subjects:?}");
}

/// What a receiving party or an operator trips over: two authorities on
/// one host, a token file left from another package, a package altered
/// where it was written, a cut-short package with its token beside it, and
/// the hints that say how to ask again.
#[test]
fn token_files_are_never_shared_replaced_or_taken_for_a_stamp() {
    if !common::have_openssl("token_files_are_never_shared_replaced_or_taken_for_a_stamp") {
        return;
    }
    let s = setup(TsaKind::Rsa, false);
    let archive = &s.archive;
    archive_url(&s, "/dam");
    let out_dir = s.tmp.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();

    // Two authorities on one host and port, told apart by their path:
    // a token file each, both verifying.
    std::fs::write(
        archive.join("embarc.toml"),
        format!(
            "[timestamp]\ntsa = [\"{}\", \"{}\"]\nroots = [\"roots.pem\"]\n",
            s.server.url("/tsr"),
            s.server.url("/tsr/b")
        ),
    )
    .unwrap();
    let two = out_dir.join("two.wacz");
    let out = embarc(archive)
        .args(["export", "wacz", "--claim", "1", "--out"])
        .arg(&two)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("2 timestamps of"), "{said}");
    let tokens: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("two.wacz.tsa-"))
        .collect();
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    let (_, report) = verify_alone(&two, &s.tsa.root_pem);
    assert_eq!(report["timestamps_checked"], 2, "{report}");
    assert_eq!(report["problems"], serde_json::json!([]), "{report}");

    // A token file left beside a new package's name (from another
    // package) is not replaced, and not counted: the export warns, naming
    // it, and exits 2; `stamp` says it is in the way; `verify` finds it.
    std::fs::write(
        archive.join("embarc.toml"),
        format!(
            "[timestamp]\ntsa = [\"{}\"]\nroots = [\"roots.pem\"]\n",
            s.server.url("/tsr")
        ),
    )
    .unwrap();
    let first = out_dir.join("first.wacz");
    embarc(archive)
        .args(["export", "wacz", "--claim", "1", "--out"])
        .arg(&first)
        .assert()
        .success();
    let port = s.server.addr.port();
    let name = |package: &str| format!("{package}.tsa-127.0.0.1-{port}_tsr.tsr");
    let stale = std::fs::read(out_dir.join(name("first.wacz"))).unwrap();
    let second = out_dir.join("second.wacz");
    std::fs::write(out_dir.join(name("second.wacz")), &stale).unwrap();
    // Its own time, so that its digest differs from the first package's.
    let out = embarc(archive)
        .env("EMBARC_NOW", "2030-01-01T00:00:00Z")
        .args(["export", "wacz", "--claim", "1", "--out"])
        .arg(&second)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("is written, but not stamped") && said.contains("exists with other content"),
        "{said}"
    );
    let shown = second.display().to_string();
    assert!(
        said.contains(&format!("`embarc stamp {shown}` asks again")),
        "the hint names the package as given: {said}"
    );
    assert_eq!(
        std::fs::read(out_dir.join(name("second.wacz"))).unwrap(),
        stale,
        "never replaced"
    );
    let hits = s.tsa_hits();
    let out = embarc(archive).arg("stamp").arg(&second).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("is not a timestamp of this package") && !said.contains("already"),
        "{said}"
    );
    assert_eq!(
        s.tsa_hits(),
        hits,
        "no authority asked while a file is in the way"
    );
    let (ok, report) = verify(archive);
    assert!(!ok, "{report}");
    let problems = report["problems"].to_string();
    assert!(
        problems.contains("second.wacz") && problems.contains("stamps other data"),
        "{problems}"
    );
    // Moved away, `stamp` asks and the package is stamped.
    std::fs::remove_file(out_dir.join(name("second.wacz"))).unwrap();
    embarc(archive).arg("stamp").arg(&second).assert().success();
    assert_eq!(
        verify_alone(&second, &s.tsa.root_pem).1["timestamps_checked"],
        1
    );

    // A package altered where it was written: `verify` of the archive
    // checks it whole, though the stamped datapackage-digest.json is the
    // same.
    let before = std::fs::read(&first).unwrap();
    let at = before
        .windows(4)
        .position(|w| w == b"/dam")
        .expect("the page URL is in the package");
    let mut altered = before.clone();
    altered[at + 1] = b'D';
    std::fs::write(&first, &altered).unwrap();
    let (ok, report) = verify(archive);
    assert!(!ok, "{report}");
    assert!(
        report["problems"].to_string().contains("first.wacz"),
        "{report}"
    );
    assert!(
        report["packages_checked"].as_u64().unwrap() >= 2,
        "{report}"
    );
    std::fs::write(&first, &before).unwrap();
    let (ok, report) = verify(archive);
    assert!(ok, "{report}");

    // Cut short with its token beside it: the token is there, not checked.
    let cut = out_dir.join("cut.wacz");
    std::fs::write(&cut, &before[..before.len() / 2]).unwrap();
    std::fs::copy(
        out_dir.join(name("first.wacz")),
        out_dir.join(name("cut.wacz")),
    )
    .unwrap();
    let out = embarc(archive)
        .args(["verify", "--wacz"])
        .arg(&cut)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("1 timestamp beside it") && !said.contains("no timestamp"),
        "{said}"
    );

    // A case file's ZIP takes no token: `stamp` says what it is.
    s.down.store(true, Ordering::SeqCst);
    let zipped = out_dir.join("case.zip");
    let out = embarc(archive)
        .args(["export", "case", "--claim", "1", "--out"])
        .arg(&zipped)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("`embarc export case --claim 1 --out NEW` writes the case again"),
        "{said}"
    );
    s.down.store(false, Ordering::SeqCst);
    let out = embarc(archive).arg("stamp").arg(&zipped).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("is a case file's ZIP holding the package claim-1.wacz"),
        "{said}"
    );
}

/// `verify --wacz --json` of `wacz` with the roots `root`, no archive, run
/// from the package's directory: whether it passed, and its report.
fn verify_alone(wacz: &Path, root: &Path) -> (bool, serde_json::Value) {
    let out = Command::cargo_bin("embarc")
        .unwrap()
        .env_remove("EMBARC_ARCHIVE")
        .current_dir(wacz.parent().unwrap())
        .args(["verify", "--json", "--wacz"])
        .arg(wacz)
        .arg("--roots")
        .arg(root)
        .output()
        .unwrap();
    (
        out.status.success(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}
