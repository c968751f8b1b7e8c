//! `embarc verify`: is the archive what it was when it was written?
//!
//! Re-computes the SHA-256 of every web capture from its WARC record (the
//! body as received, its Content-Encoding undone, as the archiver hashed
//! it), checks the block and payload digests of every record in every WARC
//! file, and asks SQLite for its integrity and foreign-key checks. What it
//! proves: the database and the WARC files agree with each other and with
//! the digests written alongside each record. What it cannot prove: that
//! nobody rewrote a record and its digests and the database together (keep
//! a copy of the digests elsewhere for that).

use crate::capture::warc;
use crate::store::Store;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{BufRead, Read};
use std::path::Path;

/// What `verify` found.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub captures_checked: usize,
    /// Posts' media files re-hashed from their WARC records.
    pub media_checked: usize,
    /// RFC 3161 timestamps checked: the file still has the digest stamped,
    /// and the token's signature chains to a configured root.
    pub timestamps_checked: usize,
    pub warc_files: usize,
    pub warc_records: usize,
    /// Everything missing or altered, one entry each.
    pub problems: Vec<Problem>,
}

/// One thing that is missing or altered.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// `database`, `capture`, `media`, `warc` (or `timestamp`).
    pub kind: &'static str,
    /// The capture, file or table concerned.
    pub place: String,
    pub detail: String,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, kind: &'static str, place: String, detail: String) {
        self.problems.push(Problem {
            kind,
            place,
            detail,
        });
    }
}

/// Largest body decoded while re-hashing (the archiver's own bound is lower).
const MAX_BODY: u64 = 1 << 30;

/// Verify the archive in `dir` whose database `store` is open; its
/// timestamps against the trusted root certificates `roots` (DER).
pub fn verify(store: &Store, dir: &Path, roots: &[Vec<u8>]) -> anyhow::Result<Report> {
    let mut report = Report::default();
    for line in store.integrity_problems()? {
        report.problem("database", "embarc.db".into(), line);
    }
    for c in store.kept_captures()? {
        report.captures_checked += 1;
        let place = format!(
            "capture {} of {} ({}:{})",
            c.id, c.article_url, c.warc_file, c.warc_offset
        );
        let record = match warc::read_record(&dir.join(&c.warc_file), c.warc_offset) {
            Ok(r) => r,
            Err(e) => {
                report.problem(
                    "capture",
                    place,
                    format!("its WARC record cannot be read: {e}"),
                );
                continue;
            }
        };
        let Some((head, payload)) = record.http_parts() else {
            report.problem(
                "capture",
                place,
                "its WARC record holds no HTTP response".into(),
            );
            continue;
        };
        if let Some(kept) = &c.payload_digest
            && *kept != warc::labelled_sha256(payload)
        {
            report.problem(
                "capture",
                place.clone(),
                format!("the record's payload does not match the digest in the database ({kept})"),
            );
        }
        let encodings = String::from_utf8_lossy(head)
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-encoding"))
            .map(|(_, v)| v.trim().to_string());
        match crate::fetch::encoding::decode(payload.to_vec(), encodings.as_deref(), MAX_BODY) {
            Ok(body) => {
                let sha = hex::encode(Sha256::digest(&body));
                if sha != c.sha256 {
                    report.problem(
                        "capture",
                        place,
                        format!(
                            "the body's SHA-256 is {sha}, the database says {}",
                            c.sha256
                        ),
                    );
                }
            }
            Err(e) => report.problem(
                "capture",
                place,
                format!("the body cannot be decoded: {e:?}"),
            ),
        }
    }
    for m in store.kept_media()? {
        report.media_checked += 1;
        let place = format!("medium {} ({}:{})", m.url, m.warc.file, m.warc.offset);
        match warc::read_record(&dir.join(&m.warc.file), m.warc.offset) {
            Ok(record) => match record.http_parts() {
                Some((_, payload)) => {
                    let sha = hex::encode(Sha256::digest(payload));
                    if sha != m.sha256 {
                        report.problem(
                            "media",
                            place,
                            format!(
                                "the file's SHA-256 is {sha}, the database says {}",
                                m.sha256
                            ),
                        );
                    }
                }
                None => report.problem(
                    "media",
                    place,
                    "its WARC record holds no HTTP response".into(),
                ),
            },
            Err(e) => report.problem(
                "media",
                place,
                format!("its WARC record cannot be read: {e}"),
            ),
        }
    }
    check_timestamps(store, dir, roots, &mut report)?;
    let warc_dir = dir.join("warc");
    let mut files: Vec<_> = match std::fs::read_dir(&warc_dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    for path in files {
        report.warc_files += 1;
        check_file(&path, &mut report);
    }
    Ok(report)
}

/// Every granted timestamp: the file it stamps still hashes to the digest
/// stamped (a WARC file of the archive; a WACZ where it was written, when
/// it is still there), and the token verifies against `roots`.
fn check_timestamps(
    store: &Store,
    dir: &Path,
    roots: &[Vec<u8>],
    report: &mut Report,
) -> anyhow::Result<()> {
    for t in store.timestamps(None)? {
        report.timestamps_checked += 1;
        let place = format!("{} ({})", t.subject, t.tsa);
        let Some(stamped) = hex::decode(&t.sha256)
            .ok()
            .and_then(|d| <[u8; 32]>::try_from(d).ok())
        else {
            report.problem(
                "timestamp",
                place,
                format!("the stored digest {:?} is not SHA-256", t.sha256),
            );
            continue;
        };
        let now = match t.subject.strip_prefix("wacz:") {
            Some(path) => {
                let path = Path::new(path);
                path.exists()
                    .then(|| crate::export::wacz::digest_file_sha256(path))
            }
            None => Some(
                crate::check::stamp::file_sha256(&dir.join(&t.subject)).map_err(|e| e.to_string()),
            ),
        };
        match now {
            Some(Ok(now)) if now != stamped => {
                report.problem(
                    "timestamp",
                    place,
                    format!(
                        "the file changed since it was stamped: its SHA-256 is {}, {} stamped {}",
                        hex::encode(now),
                        t.gen_time.as_deref().unwrap_or("the token"),
                        t.sha256
                    ),
                );
                continue;
            }
            Some(Err(e)) => {
                report.problem(
                    "timestamp",
                    place,
                    format!("the stamped file cannot be read: {e}"),
                );
                continue;
            }
            _ => {}
        }
        if roots.is_empty() {
            report.problem(
                "timestamp",
                place,
                "no trusted root certificates: list the authorities' roots in [timestamp] roots to check who signed it".into(),
            );
            continue;
        }
        if let Err(e) = crate::timestamp::verify(&t.token, &stamped, roots) {
            report.problem("timestamp", place, e.to_string());
        }
    }
    Ok(())
}

/// Every record of one WARC file: readable, and its digests right.
fn check_file(path: &Path, report: &mut Report) {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            report.problem("warc", name, format!("cannot be opened: {e}"));
            return;
        }
    };
    let mut reader = std::io::BufReader::new(file);
    let mut offset: u64 = 0;
    loop {
        match reader.fill_buf() {
            Ok([]) => return,
            Ok(_) => {}
            Err(e) => {
                report.problem(
                    "warc",
                    name,
                    format!("cannot be read at byte {offset}: {e}"),
                );
                return;
            }
        }
        let mut counted = Counted {
            inner: &mut reader,
            read: 0,
        };
        let mut data = Vec::new();
        let read = flate2::bufread::GzDecoder::new(&mut counted).read_to_end(&mut data);
        let member_start = offset;
        offset += counted.read;
        if let Err(e) = read {
            report.problem(
                "warc",
                name,
                format!("the gzip member at byte {member_start} is damaged ({e}); records after it were not checked"),
            );
            return;
        }
        report.warc_records += 1;
        let place = format!("{name}:{member_start}");
        let record = match warc::parse_record(&data) {
            Ok(r) => r,
            Err(e) => {
                report.problem("warc", place, format!("not a WARC record: {e}"));
                continue;
            }
        };
        if let Some(kept) = record.field("WARC-Block-Digest")
            && kept != warc::labelled_sha256(&record.block)
        {
            report.problem(
                "warc",
                place.clone(),
                format!("the block does not match WARC-Block-Digest {kept}"),
            );
        }
        if let Some(kept) = record.field("WARC-Payload-Digest")
            && let Some((_, payload)) = record.http_parts()
            && kept != warc::labelled_sha256(payload)
        {
            report.problem(
                "warc",
                place,
                format!("the payload does not match WARC-Payload-Digest {kept}"),
            );
        }
    }
}

/// A `BufRead` that counts the bytes taken from it (the compressed size of
/// each gzip member, so the next one's offset is known).
struct Counted<'a, R> {
    inner: &'a mut R,
    read: u64,
}

impl<R: BufRead> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.read += amt as u64;
        self.inner.consume(amt);
    }
}
