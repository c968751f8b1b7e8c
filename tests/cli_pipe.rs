//! A reader that goes away (`embarc … | head`) stops embarc quietly: no
//! panic, no "Broken pipe" error.

use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn closed_stdout_ends_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a");
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed-article.txt"
    );
    let bin = assert_cmd::cargo::cargo_bin("embarc");
    let ok = Command::new(&bin)
        .arg("--archive")
        .arg(&archive)
        .args(["archive", seed])
        .output()
        .unwrap();
    assert!(ok.status.success());
    for args in [
        vec!["status", "--json"],
        vec!["queue"],
        vec!["export", "citations", "--format", "json"],
    ] {
        let mut child = Command::new(&bin)
            .arg("--archive")
            .arg(&archive)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before embarc writes anything.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert!(
                status.success() || status.signal() == Some(libc::SIGPIPE),
                "{args:?}: {status:?}"
            );
        }
    }
}
