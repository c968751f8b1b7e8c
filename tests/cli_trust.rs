//! Trust boundary end to end: what an archived page can and cannot make
//! embarc do (terminal output, concurrent first open, bounded inputs,
//! read-only archives, `embarc verify`). The binary on real SQLite archives.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
