//! `embarc export wacz`: articles archived from a server on 127.0.0.1,
//! packaged, and the package read back by a reader written here: the ZIP
//! entries, every digest `datapackage.json` names, and each CDXJ line's
//! offset and length resolving to the response record it indexes.

mod common;

use assert_cmd::Command;
use common::{Reply, Server};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// `assert.stderr_contains(text)`: the command's stderr holds `text`.
trait StderrContains {
    fn stderr_contains(self, text: &str) -> Self;
}

impl StderrContains for assert_cmd::assert::Assert {
    fn stderr_contains(self, text: &str) -> Self {
        let stderr = String::from_utf8_lossy(&self.get_output().stderr).into_owned();
        assert!(stderr.contains(text), "stderr lacks {text:?}:\n{stderr}");
        self
    }
}

fn embarc(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("embarc").unwrap();
    c.arg("--archive")
        .arg(dir)
        .env_remove("EMBARC_ARCHIVE")
        .env("EMBARC_ALLOW_PRIVATE", "1");
    c
}

fn article(id: u64, label: &str) -> String {
    format!(
        r#"<!doctype html><html><head><title>News {id}</title></head><body><article>
<p>Reporting on the story.</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{label}The river rose overnight.</p>&mdash; Desk (@newsdesk) <a href="https://twitter.com/newsdesk/status/{id}">January 7, 2020</a></blockquote>
</article></body></html>"#
    )
}

/// Every entry of the package, by name.
fn entries(path: &Path) -> HashMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        assert_eq!(
            f.compression(),
            zip::CompressionMethod::Stored,
            "{name} is stored"
        );
        // Dated when the package was made, not ZIP's 1980 epoch.
        let made = f.last_modified().unwrap();
        assert!(made.year() >= 2026, "{name} dated {made:?}");
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(name, data);
    }
    out
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One gzip member of `warc` at `offset`, exactly `length` bytes long,
/// decompressed: its WARC header fields.
fn record_at(warc: &[u8], offset: usize, length: usize) -> HashMap<String, String> {
    let member = &warc[offset..offset + length];
    let mut cursor = std::io::Cursor::new(member);
    let mut raw = Vec::new();
    flate2::bufread::GzDecoder::new(&mut cursor)
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!(
        cursor.position() as usize,
        length,
        "the length is one member"
    );
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = std::str::from_utf8(&raw[..end]).unwrap();
    let mut lines = head.split("\r\n");
    assert_eq!(lines.next(), Some("WARC/1.1"));
    lines
        .map(|l| {
            let (n, v) = l.split_once(": ").unwrap();
            (n.to_string(), v.to_string())
        })
        .collect()
}

/// Check the package's structure and digests; its CDXJ lines (url, time,
/// record fields) and its pages.
fn check(
    path: &Path,
) -> (
    Vec<serde_json::Value>,
    Vec<serde_json::Value>,
    HashMap<String, Vec<u8>>,
) {
    let files = entries(path);
    for required in [
        "archive/data.warc.gz",
        "indexes/index.cdx",
        "pages/pages.jsonl",
        "datapackage.json",
        "datapackage-digest.json",
    ] {
        assert!(files.contains_key(required), "{required} is in the package");
    }
    let package: serde_json::Value = serde_json::from_slice(&files["datapackage.json"]).unwrap();
    assert_eq!(package["profile"], "data-package");
    assert_eq!(package["wacz_version"], "1.1.1");
    let resources = package["resources"].as_array().unwrap();
    // Every file but the two package files is a resource, with its digest.
    assert_eq!(resources.len(), files.len() - 2);
    for r in resources {
        let data = &files[r["path"].as_str().unwrap()];
        assert_eq!(r["bytes"].as_u64().unwrap(), data.len() as u64, "{r}");
        assert_eq!(r["hash"], format!("sha256:{}", sha256_hex(data)), "{r}");
    }
    let digest: serde_json::Value =
        serde_json::from_slice(&files["datapackage-digest.json"]).unwrap();
    assert_eq!(digest["path"], "datapackage.json");
    assert_eq!(
        digest["hash"],
        format!("sha256:{}", sha256_hex(&files["datapackage.json"]))
    );

    let warc = &files["archive/data.warc.gz"];
    let first = record_at(warc, 0, {
        let mut c = std::io::Cursor::new(&warc[..]);
        let mut sink = Vec::new();
        flate2::bufread::GzDecoder::new(&mut c)
            .read_to_end(&mut sink)
            .unwrap();
        c.position() as usize
    });
    assert_eq!(first["WARC-Type"], "warcinfo");
    let index = std::str::from_utf8(&files["indexes/index.cdx"]).unwrap();
    let lines: Vec<&str> = index.lines().collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "the index is sorted");
    let mut indexed = Vec::new();
    for line in lines {
        let mut parts = line.splitn(3, ' ');
        let (key, time, json) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["filename"], "data.warc.gz");
        let offset: usize = v["offset"].as_str().unwrap().parse().unwrap();
        let length: usize = v["length"].as_str().unwrap().parse().unwrap();
        let record = record_at(warc, offset, length);
        assert_eq!(record["WARC-Type"], "response");
        assert_eq!(record["WARC-Target-URI"], v["url"].as_str().unwrap());
        assert_eq!(record["WARC-Payload-Digest"], v["digest"].as_str().unwrap());
        let date: String = record["WARC-Date"]
            .chars()
            .filter(char::is_ascii_digit)
            .take(14)
            .collect();
        assert_eq!(time, date);
        assert!(key.starts_with("1,0,0,127:"), "{key}");
        assert_eq!(v["status"], "200");
        assert_eq!(v["mime"], "text/html");
        indexed.push(v);
    }
    let pages = std::str::from_utf8(&files["pages/pages.jsonl"]).unwrap();
    let mut pages = pages
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap());
    assert_eq!(pages.next().unwrap()["format"], "json-pages-1.0");
    (indexed, pages.collect(), files)
}

#[test]
fn a_claim_and_an_article_package_their_captures_and_embarc_s_account() {
    let server = Server::start(|req| match req.path.as_str() {
        "/breaking" => Reply::html(article(1214387633146564608, "BREAKING: ")),
        "/other" => Reply::html(article(1214387633146564609, "")),
        _ => Reply::status(404, "text/plain", "no"),
    });
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    embarc(&archive)
        .args(["archive", "--min-interval", "0"])
        .arg(server.url("/breaking"))
        .arg(server.url("/other"))
        .assert()
        .success();

    // The claim (the BREAKING post): the article citing it, and the claim.
    let out = dir.path().join("claim.wacz");
    embarc(&archive)
        .args(["export", "wacz", "--claim", "1", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr_contains("wrote 1 capture (3 WARC records");
    let (indexed, pages, files) = check(&out);
    assert_eq!(indexed.len(), 1);
    assert_eq!(indexed[0]["url"], server.url("/breaking"));
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0]["url"], server.url("/breaking"));
    let doc: serde_json::Value = serde_json::from_slice(&files["embarc/claim-1.json"]).unwrap();
    // One key naming it: validators read some top-level keys (`checks`)
    // of a package's JSON files as their own settings.
    assert_eq!(doc.as_object().unwrap().len(), 1);
    let claim = &doc["claim"];
    assert_eq!(claim["id"], 1);
    assert_eq!(claim["label"], "BREAKING");

    // One article by URL, and everything.
    let out = dir.path().join("article.wacz");
    embarc(&archive)
        .args(["export", "wacz", "--article"])
        .arg(server.url("/other"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (indexed, _, files) = check(&out);
    assert_eq!(indexed.len(), 1);
    assert_eq!(indexed[0]["url"], server.url("/other"));
    let doc: serde_json::Value = serde_json::from_slice(
        files
            .iter()
            .find(|(name, _)| name.starts_with("embarc/article-"))
            .unwrap()
            .1,
    )
    .unwrap();
    assert_eq!(doc.as_object().unwrap().len(), 1);
    assert_eq!(doc["article"]["url"], server.url("/other"));
    let out = dir.path().join("all.wacz");
    embarc(&archive)
        .args(["export", "wacz", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(check(&out).0.len(), 2);
    // A package already written is never replaced.
    embarc(&archive)
        .args(["export", "wacz", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr_contains("is never replaced");
    assert_eq!(check(&out).0.len(), 2);
}

#[test]
fn nothing_to_package_and_missing_out_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let text = dir.path().join("a.txt");
    std::fs::write(&text, "Just words.").unwrap();
    embarc(&archive)
        .arg("archive")
        .arg(&text)
        .assert()
        .success();
    embarc(&archive)
        .args(["export", "wacz"])
        .assert()
        .failure()
        .stderr_contains("needs --out FILE.wacz");
    let out = dir.path().join("x.wacz");
    embarc(&archive)
        .args(["export", "wacz", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr_contains("nothing to package: the archive holds no web capture");
    assert!(!out.exists(), "no file is left behind");
    // The message names only the options given; a window that ends
    // before it starts is said to be one.
    embarc(&archive)
        .args(["export", "wacz", "--since", "2020-01-01", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr_contains("no web capture or kept medium matches --since (articles");
    embarc(&archive)
        .args([
            "export",
            "wacz",
            "--since",
            "2020-01-02",
            "--until",
            "2020-01-01",
            "--out",
        ])
        .arg(&out)
        .assert()
        .failure()
        .stderr_contains("--since (2020-01-02T00:00:00.000Z) is not before --until");
    embarc(&archive)
        .args(["export", "posts", "--claim", "1"])
        .assert()
        .failure()
        .stderr_contains("--claim is for `embarc export wacz` and `embarc export case` only");
}
