//! `embarc export case`: one claim's case file, as a directory and as a
//! ZIP, checked file by file against its `SHA256SUMS`.

mod common;

use assert_cmd::Command;
use common::{Reply, Server};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

fn embarc(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("embarc").unwrap();
    c.arg("--archive")
        .arg(dir)
        .env_remove("EMBARC_ARCHIVE")
        .env("EMBARC_ALLOW_PRIVATE", "1");
    c
}

/// An article citing a BREAKING post whose text holds markup.
const ARTICLE: &str = r#"<!doctype html><html><head><title>Floods</title></head><body><article>
<p>Reporting on the story.</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">BREAKING: the dam &lt;script&gt;alert(1)&lt;/script&gt; holds pic.twitter.com/AbCdEf1234</p>&mdash; Desk (@newsdesk) <a href="https://twitter.com/newsdesk/status/1214387633146564608">January 7, 2020</a></blockquote>
</article></body></html>"#;

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file of the case and its bytes; each matches its line in
/// `SHA256SUMS`, and `SHA256SUMS` names every other file.
fn checked(files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    let sums = String::from_utf8(files["SHA256SUMS"].clone()).unwrap();
    let mut named = Vec::new();
    for line in sums.lines() {
        let (sha, name) = line.split_once("  ").unwrap();
        assert_eq!(sha, sha256_hex(&files[name]), "{name}");
        named.push(name.to_string());
    }
    let mut others: Vec<String> = files
        .keys()
        .filter(|n| *n != "SHA256SUMS")
        .cloned()
        .collect();
    others.sort();
    named.sort();
    assert_eq!(named, others);
    files
}

#[test]
fn a_claims_case_file_holds_its_package_its_account_and_their_digests() {
    let site = Server::start(|_| Reply::html(ARTICLE));
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    embarc(&archive)
        .args(["archive", "--min-interval", "0"])
        .arg(site.url("/dam"))
        .assert()
        .success();

    let out = dir.path().join("case");
    embarc(&archive)
        .args(["export", "case", "--claim", "1", "--out"])
        .arg(&out)
        .assert()
        .success();
    let files: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    let files = checked(files);
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["SHA256SUMS", "claim-1.wacz", "claim.json", "summary.html"]
    );
    let claim: serde_json::Value = serde_json::from_slice(&files["claim.json"]).unwrap();
    assert_eq!(claim["id"], 1);
    assert!(!claim["snapshots"].as_array().unwrap().is_empty());
    // The package opens and holds the article's capture.
    let mut wacz =
        zip::ZipArchive::new(std::io::Cursor::new(files["claim-1.wacz"].clone())).unwrap();
    let mut index = String::new();
    wacz.by_name("indexes/index.cdx")
        .unwrap()
        .read_to_string(&mut index)
        .unwrap();
    assert!(index.contains(&site.url("/dam")), "{index}");
    // The summary shows the post as the article showed it, escaped, with
    // the article, the capture's SHA-256 and the package's.
    let summary = String::from_utf8(files["summary.html"].clone()).unwrap();
    assert!(
        summary.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{summary}"
    );
    assert!(!summary.contains("<script>alert"), "{summary}");
    assert!(summary.contains("pic.twitter.com/AbCdEf1234"));
    assert!(summary.contains(&site.url("/dam")));
    assert!(summary.contains(&sha256_hex(&files["claim-1.wacz"])));
    assert!(summary.contains("https://x.com/newsdesk/status/1214387633146564608"));

    assert!(summary.contains("Never checked"), "{summary}");
    assert!(summary.contains("None saved by embarc"), "{summary}");
    assert!(summary.contains("sha256sum -c SHA256SUMS"));

    // The same as a ZIP (the id as `embarc queue` shows it); a file that
    // exists is never replaced.
    let zipped = dir.path().join("case.zip");
    embarc(&archive)
        .args(["export", "case", "--claim", "#1", "--out"])
        .arg(&zipped)
        .assert()
        .success();
    let before = std::fs::read(&zipped).unwrap();
    let out = embarc(&archive)
        .args(["export", "case", "--claim", "1", "--out"])
        .arg(&zipped)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is never replaced"));
    assert_eq!(std::fs::read(&zipped).unwrap(), before);
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zipped).unwrap()).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        files.insert(f.name().unwrap().to_string(), data);
    }
    assert_eq!(checked(files).len(), 4);
    // A directory that holds something is never written into.
    let out = embarc(&archive)
        .args(["export", "case", "--claim", "1", "--out"])
        .arg(dir.path().join("case"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"));
    // Outputs it cannot or must not write: each refused with why, nothing
    // left behind.
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    for (out, why) in [
        ("notes.txt", "is never replaced"),
        ("missing/case.zip", "the directory"),
        ("missing/case", "the directory"),
        ("case.tar.gz", "is neither"),
    ] {
        let said = embarc(&archive)
            .args(["export", "case", "--claim", "1", "--out"])
            .arg(dir.path().join(out))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&said.stderr);
        assert!(!said.status.success(), "{out}");
        assert!(stderr.contains(why), "{out}: {stderr}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(!dir.path().join("missing").exists());
    assert!(!dir.path().join("case.tar.gz").exists());
    // No such claim.
    let out = embarc(&archive)
        .args(["export", "case", "--claim", "9", "--out"])
        .arg(dir.path().join("nine"))
        .output()
        .unwrap();
    assert!(!out.status.success());
}
