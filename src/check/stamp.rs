//! Trusted timestamps (`[timestamp] tsa`): every configured Time-Stamp
//! Authority is asked to stamp the SHA-256 of each WARC file a run closed
//! (and of each WACZ's `datapackage-digest.json`); each token granted is
//! checked against the request (imprint, nonce), recorded in the archive
//! and written beside the file as `NAME.tsa-HOST.tsr`. An authority that
//! fails or refuses is recorded too and asked again after the next run;
//! it never fails the run. What a token proves is `crate::timestamp`'s.

use crate::store::{NewTimestamp, Store};
use crate::timestamp::{self, Stamp};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[timestamp]` resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampSettings {
    /// The authorities' URLs, each asked.
    pub tsa: Vec<String>,
    pub timeout: Duration,
}

impl StampSettings {
    /// `[timestamp] tsa` of `config`; `None` when none is configured.
    pub fn from_config(config: &crate::config::Config) -> anyhow::Result<Option<StampSettings>> {
        for t in &config.timestamp.tsa {
            match url::Url::parse(t) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => anyhow::bail!(
                    "[timestamp] tsa: {t:?} is not an http(s) URL of a Time-Stamp Authority"
                ),
            }
        }
        let timeout = match &config.timestamp.timeout {
            Some(text) => crate::duration::parse(text)
                .map_err(|e| anyhow::anyhow!("[timestamp] timeout = {text:?}: {e}"))?,
            None => Duration::from_secs(30),
        };
        Ok((!config.timestamp.tsa.is_empty()).then(|| StampSettings {
            tsa: config.timestamp.tsa.clone(),
            timeout,
        }))
    }
}

/// What a round of stamping came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StampSummary {
    pub granted: usize,
    pub failed: usize,
    /// What the last failure said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Every failure, as `AUTHORITY: why` (for a package's own report).
    #[serde(skip)]
    pub problems: Vec<String>,
}

/// A token an authority granted, checked against the request.
#[derive(Debug, Clone)]
pub struct Granted {
    pub tsa: String,
    pub token: Vec<u8>,
    pub stamp: Stamp,
}

/// Ask every authority of `settings` to stamp `digest`: each one's token,
/// or why there is none.
pub async fn stamp_digest(
    settings: &StampSettings,
    digest: &[u8; 32],
) -> Vec<(String, Result<Granted, String>)> {
    let client = match crate::fetch::tsa::client(settings.timeout) {
        Ok(c) => c,
        Err(e) => {
            return settings
                .tsa
                .iter()
                .map(|t| (t.clone(), Err(e.clone())))
                .collect();
        }
    };
    let mut out = Vec::new();
    for tsa in &settings.tsa {
        let request = timestamp::request(digest);
        let got = match crate::fetch::tsa::ask(&client, tsa, &request.der).await {
            Ok(answer) => timestamp::read_response(&answer, digest, request.nonce)
                .and_then(|token| {
                    let stamp = timestamp::inspect(&token)?;
                    Ok(Granted {
                        tsa: tsa.clone(),
                        token,
                        stamp,
                    })
                })
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        out.push((tsa.clone(), got));
    }
    out
}

/// Where the token of `tsa` for `file` is written: beside it, named after
/// the authority's host (`NAME.tsa-freetsa.org.tsr`).
pub fn token_path(file: &Path, tsa: &str) -> PathBuf {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    file.with_file_name(timestamp::token_file_name(&name, tsa))
}

/// SHA-256 of a file.
pub fn file_sha256(path: &Path) -> std::io::Result<[u8; 32]> {
    Ok(crate::capture::warc::sha256_of(std::fs::File::open(path)?)?.0)
}

/// Stamp the WARC files `files` (relative to the archive directory `dir`;
/// closed), and those an authority failed to stamp before: record each
/// answer and write each token beside its file.
pub async fn stamp_warcs(
    store: &Store,
    dir: &Path,
    settings: &StampSettings,
    files: &[String],
) -> Result<StampSummary, crate::store::Error> {
    let mut subjects: Vec<String> = files.to_vec();
    let mut add = |more: Vec<String>| {
        for s in more {
            if !subjects.contains(&s) {
                subjects.push(s);
            }
        }
    };
    add(store.warcs_to_stamp_again(&settings.tsa)?);
    add(never_asked(store, dir)?);
    let mut summary = StampSummary::default();
    for subject in subjects {
        let path = dir.join(&subject);
        let digest = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || file_sha256(&path))
                .await
                .map_err(|e| {
                    crate::store::Error::Unexpected(format!("a hashing task stopped: {e}"))
                })?
        };
        let digest = match digest {
            Ok(d) => d,
            Err(e) => {
                summary.failed += 1;
                summary.problem = Some(format!("{subject}: cannot be read: {e}"));
                continue;
            }
        };
        stamp_subject(
            store,
            settings,
            &subject,
            &digest,
            Some(&path),
            &mut summary,
        )
        .await?;
    }
    Ok(summary)
}

/// Ask every authority to stamp `digest`, the SHA-256 of `subject`; record
/// each answer (and write each token beside `beside`, when given), counting
/// it in `summary`. Returns what each authority answered.
pub async fn stamp_subject(
    store: &Store,
    settings: &StampSettings,
    subject: &str,
    digest: &[u8; 32],
    beside: Option<&Path>,
    summary: &mut StampSummary,
) -> Result<Vec<(String, Result<Granted, String>)>, crate::store::Error> {
    let got = stamp_digest(settings, digest).await;
    let hex = hex::encode(digest);
    for (tsa, g) in &got {
        record(store, subject, &hex, tsa, g, beside, summary)?;
    }
    Ok(got)
}

/// At most this many WARC files never asked about are stamped by one run.
const SWEEP: usize = 100;

/// WARC files in `ARCHIVE/warc/` no authority was ever asked about: left by
/// a run that failed or was killed before it could stamp them, or written
/// before `[timestamp]` was set. Only files whose writer is gone are taken
/// (a file's name carries its writer's process id; on Linux a process that
/// still runs may still be writing it), at most [`SWEEP`] a run, oldest
/// first.
fn never_asked(store: &Store, dir: &Path) -> Result<Vec<String>, crate::store::Error> {
    let Ok(entries) = std::fs::read_dir(dir.join(crate::capture::warc::DIR)) else {
        return Ok(Vec::new());
    };
    let asked = store.stamp_subjects()?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".warc.gz"))
        .map(|n| format!("{}/{n}", crate::capture::warc::DIR))
        .filter(|subject| !asked.contains(subject))
        .filter(|subject| writer_gone(subject))
        .collect();
    names.sort();
    names.truncate(SWEEP);
    Ok(names)
}

/// Whether the process that wrote `warc/embarc-STAMP-PID-NNNNN.warc.gz` is
/// gone (this process's own files are closed when it stamps). Without
/// `/proc`, only this process's files are known to be closed.
fn writer_gone(subject: &str) -> bool {
    let pid = subject
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".warc.gz"))
        .and_then(|n| n.rsplit('-').nth(1))
        .and_then(|p| p.parse::<u32>().ok());
    match pid {
        Some(pid) if pid == std::process::id() => true,
        Some(pid) => {
            Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
        }
        None => false,
    }
}

/// Record one authority's answer for `subject` (and write its token beside
/// `beside`, when given), counting it in `summary`.
fn record(
    store: &Store,
    subject: &str,
    sha256: &str,
    tsa: &str,
    got: &Result<Granted, String>,
    beside: Option<&Path>,
    summary: &mut StampSummary,
) -> Result<(), crate::store::Error> {
    let mut detail = String::new();
    let mut granted = got.as_ref().ok();
    // A token granted but not written beside the file is kept in the
    // archive all the same; the file has no timestamp of this authority
    // beside it, which is a failure to say.
    let mut unwritten = false;
    if let (Some(g), Some(file)) = (granted, beside)
        && let Err(e) = write_new(&token_path(file, tsa), &g.token)
    {
        detail = format!("granted, but the token could not be written beside the file: {e}");
        unwritten = true;
    }
    if let Err(e) = got {
        detail = e.clone();
        granted = None;
    }
    let gen_time = granted.map(|g| {
        g.stamp
            .gen_time
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    });
    store.record_timestamp(&NewTimestamp {
        subject,
        sha256,
        tsa,
        result: if granted.is_some() {
            "granted"
        } else {
            "failed"
        },
        token: granted.map(|g| g.token.as_slice()),
        gen_time: gen_time.as_deref(),
        serial: granted.map(|g| g.stamp.serial.as_str()),
        signer: granted.map(|g| g.stamp.tsa.as_str()),
        detail: &detail,
    })?;
    if granted.is_some() && !unwritten {
        summary.granted += 1;
    } else {
        summary.failed += 1;
        summary.problem = Some(format!("{subject} at {tsa}: {detail}"));
        summary.problems.push(format!("{tsa}: {detail}"));
    }
    Ok(())
}

/// Write `bytes` to a new file at `path`; an existing one is left as it is
/// when it holds the same bytes, else it is an error.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut f) => std::io::Write::write_all(&mut f, bytes),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if std::fs::read(path)? == bytes {
                Ok(())
            } else {
                Err(std::io::Error::other(format!(
                    "{} exists with other content (left from another file?); move it away",
                    path.display()
                )))
            }
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_named_after_their_authority() {
        assert_eq!(
            token_path(Path::new("a/warc/x.warc.gz"), "https://freetsa.org/tsr"),
            Path::new("a/warc/x.warc.gz.tsa-freetsa.org_tsr.tsr")
        );
        assert_eq!(
            token_path(Path::new("x.wacz"), "http://127.0.0.1:8080/ts"),
            Path::new("x.wacz.tsa-127.0.0.1-8080_ts.tsr")
        );
        assert_eq!(
            token_path(Path::new("x.wacz"), "http://timestamp.digicert.com/"),
            Path::new("x.wacz.tsa-timestamp.digicert.com.tsr")
        );
        // Two authorities on one host (and port) have files of their own.
        let a = token_path(Path::new("x.wacz"), "http://127.0.0.1:9/a");
        let b = token_path(Path::new("x.wacz"), "http://127.0.0.1:9/b");
        let q = token_path(Path::new("x.wacz"), "http://127.0.0.1:9/a?x=1");
        assert!(a != b && a != q && b != q, "{a:?} {b:?} {q:?}");
        assert_eq!(
            token_path(Path::new("x.wacz"), "not a url"),
            Path::new("x.wacz.tsa-tsa.tsr")
        );
    }

    #[test]
    fn a_files_writer_is_read_from_its_name() {
        let mine = format!("warc/embarc-20261207-{}-00000.warc.gz", std::process::id());
        assert!(writer_gone(&mine));
        // PID 1 runs as long as the system does.
        assert!(!writer_gone("warc/embarc-20261207-1-00000.warc.gz"));
        assert!(!writer_gone("warc/other.warc.gz"));
        if Path::new("/proc/self").exists() {
            assert!(writer_gone("warc/embarc-20261207-4294967295-00000.warc.gz"));
        }
    }

    #[test]
    fn only_http_authorities_are_taken() {
        let config: crate::config::Config =
            toml::from_str("[timestamp]\ntsa = [\"file:///etc/passwd\"]\n").unwrap();
        let e = StampSettings::from_config(&config).unwrap_err().to_string();
        assert!(e.contains("not an http(s) URL"), "{e}");
        let none: crate::config::Config = toml::from_str("").unwrap();
        assert!(StampSettings::from_config(&none).unwrap().is_none());
    }
}
