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
    /// Of those, the tokens of packages no longer where they were written:
    /// the token is checked, the file cannot be re-hashed.
    pub timestamps_of_moved_packages: usize,
    /// Stamped packages still where they were written, checked whole as
    /// `verify --wacz` checks one (every file, record, index line and
    /// token beside it).
    pub packages_checked: usize,
    pub warc_files: usize,
    pub warc_records: usize,
    /// Everything missing or altered, or a timestamp that does not verify,
    /// one entry each.
    pub problems: Vec<Problem>,
    /// Timestamps that could not be checked: no trusted root certificate
    /// was given (not a problem of the archive, but nothing is proven).
    pub unchecked: Vec<Problem>,
}

/// One thing that is missing or altered.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// `database`, `capture`, `media`, `warc`, `package`, `index` or
    /// `timestamp` (a token that does not verify).
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
        Problems(&mut self.problems).problem(kind, place, detail);
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
    // A WARC file gone is said once, with what was recorded in it, not
    // once per record.
    let mut missing = Missing::default();
    for c in store.kept_captures()? {
        if missing.gone(dir, &c.warc_file, |n| n.0 += 1) {
            continue;
        }
        report.captures_checked += 1;
        let place = format!(
            "{} of {} ({}:{})",
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
        if missing.gone(dir, &m.warc.file, |n| n.1 += 1) {
            continue;
        }
        report.media_checked += 1;
        let place = format!("{} ({}:{})", m.url, m.warc.file, m.warc.offset);
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
    for (file, counts) in missing.files {
        let Some((captures, media)) = counts else {
            continue;
        };
        let mut what = Vec::new();
        if captures > 0 {
            what.push(crate::words::count(captures, "capture"));
        }
        if media > 0 {
            what.push(crate::words::count(media, "media file"));
        }
        report.problem(
            "warc",
            file,
            format!(
                "the WARC file is missing: {} recorded in it cannot be checked",
                what.join(" and ")
            ),
        );
    }
    let warc_dir = dir.join(warc::DIR);
    let mut files: Vec<_> = match std::fs::read_dir(&warc_dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    // Each WARC file is read once: its records checked and the whole file
    // hashed, for its timestamps.
    let mut hashed = std::collections::HashMap::new();
    for path in files {
        report.warc_files += 1;
        if let (Some(sha), Some(name)) = (check_file(&path, &mut report), path.file_name()) {
            hashed.insert(format!("{}/{}", warc::DIR, name.to_string_lossy()), sha);
        }
    }
    check_timestamps(store, dir, roots, &hashed, &mut report)?;
    Ok(report)
}

/// The WARC files the database names, each with whether it is missing
/// and, if so, how many captures and media files were recorded in it.
#[derive(Default)]
struct Missing {
    files: std::collections::BTreeMap<String, Option<(usize, usize)>>,
}

impl Missing {
    /// Whether `file` (relative to `dir`) is missing; if so, `count` one
    /// more record in it.
    fn gone(&mut self, dir: &Path, file: &str, count: impl FnOnce(&mut (usize, usize))) -> bool {
        let entry = self
            .files
            .entry(file.to_string())
            .or_insert_with(|| (!dir.join(file).exists()).then_some((0, 0)));
        match entry {
            Some(n) => {
                count(n);
                true
            }
            None => false,
        }
    }
}

/// Every granted timestamp: the file it stamps still hashes to the digest
/// stamped (a WARC file of the archive, whose hash `hashed` holds when it
/// was read already; a WACZ where it was written, when it is still there),
/// and the token verifies against `roots`.
fn check_timestamps(
    store: &Store,
    dir: &Path,
    roots: &[Vec<u8>],
    hashed: &std::collections::HashMap<String, [u8; 32]>,
    report: &mut Report,
) -> anyhow::Result<()> {
    // Each package in place is read once, for all of its tokens.
    let mut packages = std::collections::HashMap::new();
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
        let altered = if t.subject.starts_with("wacz:") {
            "package"
        } else {
            "warc"
        };
        let now = match t.subject.strip_prefix("wacz:") {
            Some(path) => {
                let path = Path::new(path);
                if path.exists() {
                    Some(
                        packages
                            .entry(path.to_path_buf())
                            .or_insert_with(|| check_package(path, report))
                            .clone(),
                    )
                } else {
                    report.timestamps_of_moved_packages += 1;
                    None
                }
            }
            None => Some(match hashed.get(&t.subject) {
                Some(sha) => Ok(*sha),
                None => crate::check::stamp::file_sha256(&dir.join(&t.subject))
                    .map_err(|e| e.to_string()),
            }),
        };
        match now {
            Some(Ok(now)) if now != stamped => {
                report.problem(
                    altered,
                    place,
                    format!(
                        "the file changed since it was stamped: it hashes to {} now; the token{} stamped {}",
                        hex::encode(now),
                        t.gen_time
                            .as_deref()
                            .map_or(String::new(), |at| format!(" of {at}")),
                        t.sha256
                    ),
                );
                continue;
            }
            Some(Err(e)) => {
                report.problem(
                    altered,
                    place,
                    format!("the stamped file cannot be read: {e}"),
                );
                continue;
            }
            _ => {}
        }
        if roots.is_empty() {
            report.unchecked.push(Problem {
                kind: "timestamp",
                place,
                detail: "not checked: no trusted root certificates (list the authorities' roots in [timestamp] roots, or pass --roots)".into(),
            });
            continue;
        }
        if let Err(e) = crate::timestamp::verify(&t.token, &stamped, roots) {
            report.problem("timestamp", place, e.to_string());
        }
    }
    Ok(())
}

/// A stamped package still where it was written, checked whole (its
/// tokens' signatures are checked from the archive's own rows): each
/// problem found is the archive's, placed in the package. Returns the
/// SHA-256 of its `datapackage-digest.json`, what its tokens stamp, or why
/// it cannot be read.
fn check_package(path: &Path, report: &mut Report) -> Result<[u8; 32], String> {
    report.packages_checked += 1;
    let shown = path.display();
    match verify_package(path, &[]) {
        Ok(found) => {
            for p in found.problems {
                report.problem(p.kind, format!("{shown}: {}", p.place), p.detail);
            }
            match found.digest {
                Some(digest) => Ok(digest),
                // Unreadable: the reader says why in its own words.
                None => crate::export::wacz::digest_file_sha256(path),
            }
        }
        Err(e) => {
            report.problem("package", shown.to_string(), e.to_string());
            crate::export::wacz::digest_file_sha256(path)
        }
    }
}

/// Every record of one WARC file: readable, and its digests right. Returns
/// the SHA-256 of the whole file, read in the same pass (None when it
/// cannot be read to its end).
fn check_file(path: &Path, report: &mut Report) -> Option<[u8; 32]> {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            report.problem("warc", name, format!("cannot be opened: {e}"));
            return None;
        }
    };
    let mut reader = std::io::BufReader::new(HashingRead {
        inner: file,
        hasher: Sha256::new(),
    });
    let found = check_records(&mut reader, &name, &mut report.problems);
    report.warc_records += found.count;
    // Records after a damaged one are not read: the rest still counts.
    std::io::copy(&mut reader, &mut std::io::sink()).ok()?;
    Some(reader.into_inner().hasher.finalize().into())
}

/// A reader that hashes what it reads.
struct HashingRead<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The records read from a WARC stream.
#[derive(Debug, Default)]
struct Records {
    count: usize,
    /// Where each record starts, and its WARC-Target-URI.
    starts: Vec<(u64, String)>,
    /// Where reading stopped at damage: records after it were not read.
    stopped_at: Option<u64>,
}

/// Problems being collected.
struct Problems<'a>(&'a mut Vec<Problem>);

impl Problems<'_> {
    fn problem(&mut self, kind: &'static str, place: String, detail: String) {
        self.0.push(Problem {
            kind,
            place,
            detail,
        });
    }
}

/// Every record (gzip member) read from `reader`: readable, and its digests
/// right.
fn check_records(reader: &mut impl BufRead, name: &str, problems: &mut Vec<Problem>) -> Records {
    let mut found = Records::default();
    let mut report = Problems(problems);
    let mut offset: u64 = 0;
    loop {
        match reader.fill_buf() {
            Ok([]) => return found,
            Ok(_) => {}
            Err(e) => {
                report.problem(
                    "warc",
                    name.to_string(),
                    format!("cannot be read at byte {offset}: {e}"),
                );
                found.stopped_at = Some(offset);
                return found;
            }
        }
        let mut counted = Counted {
            inner: &mut *reader,
            read: 0,
        };
        let mut data = Vec::new();
        let read = flate2::bufread::GzDecoder::new(&mut counted).read_to_end(&mut data);
        let member_start = offset;
        offset += counted.read;
        if let Err(e) = read {
            report.problem(
                "warc",
                name.to_string(),
                format!("the gzip member at byte {member_start} is damaged ({e}); the records after it were not read in this pass over the file (captures and media are still re-hashed from their own offsets)"),
            );
            found.stopped_at = Some(member_start);
            return found;
        }
        found.count += 1;
        let place = format!("{name}:{member_start}");
        let record = match warc::parse_record(&data) {
            Ok(r) => r,
            Err(e) => {
                report.problem("warc", place, format!("not a WARC record: {e}"));
                continue;
            }
        };
        found.starts.push((
            member_start,
            record
                .field("WARC-Target-URI")
                .unwrap_or_default()
                .to_string(),
        ));
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

/// A timestamp token that verified, and what it says.
#[derive(Debug, Serialize)]
pub struct Verified {
    /// The token's file name.
    pub file: String,
    #[serde(flatten)]
    pub stamp: crate::timestamp::Stamp,
}

/// What `verify --wacz` found in a package.
#[derive(Debug, Default, Serialize)]
pub struct PackageReport {
    /// Files of the package checked against `datapackage.json`.
    pub files_checked: usize,
    /// Records of `archive/data.warc.gz` read, their digests checked.
    pub warc_records: usize,
    /// Lines of `indexes/index.cdx` resolved to a record.
    pub index_lines: usize,
    /// Lines pointing past damage in `archive/data.warc.gz`, not resolved.
    pub index_lines_unread: usize,
    /// Timestamps (`FILE.wacz.tsa-*.tsr` beside it) verified.
    pub timestamps_checked: usize,
    /// What each timestamp that verified says: when, and who signed it.
    pub timestamps: Vec<Verified>,
    pub problems: Vec<Problem>,
    /// Timestamps that could not be checked: no trusted root was given.
    pub unchecked: Vec<Problem>,
    /// SHA-256 of its `datapackage-digest.json` (what a timestamp stamps),
    /// when it could be read.
    #[serde(skip)]
    pub digest: Option<[u8; 32]>,
}

impl PackageReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Largest `datapackage.json`, index or pages file read (a package's own
/// metadata, not its records).
const MAX_META: u64 = 256 * 1024 * 1024;

/// Verify the WACZ package at `path` on its own, as whoever receives it
/// can: `datapackage-digest.json` holds the hash of `datapackage.json`,
/// which holds the hash and size of every file; every record of
/// `archive/data.warc.gz` matches its digests; every index line points at
/// the start of a record of its URL; and every timestamp beside the
/// package (`NAME.tsa-HOST.tsr`) stamps its `datapackage-digest.json` and
/// verifies against `roots`.
pub fn verify_package(path: &Path, roots: &[Vec<u8>]) -> anyhow::Result<PackageReport> {
    let mut report = PackageReport::default();
    let mut problems = Problems(&mut report.problems);
    if path.is_dir() {
        anyhow::bail!(
            "{} is a directory; --wacz takes a package file (a case directory holds one: claim-ID.wacz)",
            path.display()
        );
    }
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    // A file that is not a readable ZIP is a package damaged or cut short
    // on its way (or not a package): not intact, so a problem, not an error.
    let mut zip = match zip::ZipArchive::new(std::io::BufReader::new(file)) {
        Ok(zip) => zip,
        Err(e) => {
            problems.problem(
                "package",
                path.display().to_string(),
                format!(
                    "is not a readable ZIP file: damaged, cut short, or not a WACZ package ({e})"
                ),
            );
            report.unchecked = tokens_beside(path)?
                .iter()
                .map(|t| Problem {
                    kind: "timestamp",
                    place: file_name(t),
                    detail: "not checked: the package it stamps cannot be read".into(),
                })
                .collect();
            return Ok(report);
        }
    };
    let read = |zip: &mut zip::ZipArchive<_>, name: &str| -> Result<Vec<u8>, String> {
        let entry = zip.by_name(name).map_err(|e| format!("missing: {e}"))?;
        let mut bytes = Vec::new();
        entry
            .take(MAX_META)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot be read: {e}"))?;
        Ok(bytes)
    };
    let digest_file = match read(&mut zip, "datapackage-digest.json") {
        Ok(b) => b,
        Err(e) => {
            // A case file's ZIP holds a package; it is not one.
            if let Some(inner) = crate::export::wacz::package_inside(&zip) {
                anyhow::bail!(
                    "{} is not a WACZ package but holds one ({inner}): a case file's ZIP; unzip it and verify {inner}",
                    path.display()
                );
            }
            anyhow::bail!("{}: datapackage-digest.json {e}", path.display())
        }
    };
    let package_file = match read(&mut zip, "datapackage.json") {
        Ok(b) => b,
        Err(e) => anyhow::bail!("{}: datapackage.json {e}", path.display()),
    };
    let said = serde_json::from_slice::<serde_json::Value>(&digest_file)
        .ok()
        .and_then(|v| v["hash"].as_str().map(str::to_string));
    let package_hash = format!("sha256:{}", hex::encode(Sha256::digest(&package_file)));
    if said.as_deref() != Some(package_hash.as_str()) {
        problems.problem(
            "package",
            "datapackage-digest.json".into(),
            format!("says {said:?}, but datapackage.json hashes to {package_hash}"),
        );
    }
    let package: serde_json::Value = serde_json::from_slice(&package_file)
        .map_err(|e| anyhow::anyhow!("{}: datapackage.json is not JSON: {e}", path.display()))?;
    for r in package["resources"].as_array().into_iter().flatten() {
        let Some(name) = r["path"].as_str() else {
            problems.problem(
                "package",
                "datapackage.json".into(),
                format!("a resource without a path: {r}"),
            );
            continue;
        };
        report.files_checked += 1;
        let entry = match zip.by_name(name) {
            Ok(e) => e,
            Err(e) => {
                problems.problem(
                    "package",
                    name.to_string(),
                    format!("listed but missing: {e}"),
                );
                continue;
            }
        };
        let (sha, size) = match crate::capture::warc::sha256_of(entry) {
            Ok(found) => found,
            Err(e) => {
                problems.problem(
                    "package",
                    name.to_string(),
                    format!("cannot be read: it was altered or damaged inside the package ({e})"),
                );
                continue;
            }
        };
        let hash = format!("sha256:{}", hex::encode(sha));
        if r["hash"].as_str() != Some(hash.as_str()) || r["bytes"].as_u64() != Some(size) {
            problems.problem(
                "package",
                name.to_string(),
                format!(
                    "is {hash}, {size} bytes; datapackage.json says {}, {} bytes",
                    r["hash"].as_str().unwrap_or("no hash"),
                    r["bytes"]
                ),
            );
        }
    }
    // The records, and the index lines that point into them.
    let records = match zip.by_name("archive/data.warc.gz") {
        Ok(entry) => check_records(
            &mut std::io::BufReader::new(entry),
            "archive/data.warc.gz",
            problems.0,
        ),
        Err(e) => {
            problems.problem(
                "package",
                "archive/data.warc.gz".into(),
                format!("missing: {e}"),
            );
            Records::default()
        }
    };
    report.warc_records = records.count;
    let index = read(&mut zip, "indexes/index.cdx").unwrap_or_default();
    for (n, line) in String::from_utf8_lossy(&index).lines().enumerate() {
        let place = format!("indexes/index.cdx:{}", n + 1);
        let json = line
            .splitn(3, ' ')
            .nth(2)
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok());
        let Some(json) = json else {
            problems.problem("index", place, "not a CDXJ line (key, time, JSON)".into());
            continue;
        };
        let offset = json["offset"].as_str().and_then(|o| o.parse::<u64>().ok());
        let url = json["url"].as_str().unwrap_or_default();
        let shown = json["offset"]
            .as_str()
            .map_or_else(|| json["offset"].to_string(), str::to_string);
        match records.starts.iter().find(|(at, _)| Some(*at) == offset) {
            Some((_, target)) if target == url => report.index_lines += 1,
            Some((_, target)) => problems.problem(
                "index",
                place,
                format!("points at the record of {target}, not {url}"),
            ),
            None => match (offset, records.stopped_at) {
                (Some(at), Some(stop)) if at >= stop => report.index_lines_unread += 1,
                _ => problems.problem(
                    "index",
                    place,
                    format!("offset {shown} is not the start of a record"),
                ),
            },
        }
    }
    // The timestamps beside it.
    let digest: [u8; 32] = Sha256::digest(&digest_file).into();
    report.digest = Some(digest);
    let mut unchecked = Vec::new();
    for token_path in tokens_beside(path)? {
        report.timestamps_checked += 1;
        let place = file_name(&token_path);
        let token = match std::fs::read(&token_path) {
            Ok(t) => t,
            Err(e) => {
                problems.problem("timestamp", place, format!("cannot be read: {e}"));
                continue;
            }
        };
        if !crate::timestamp::stamps_digest(&token, &digest) {
            problems.problem(
                "timestamp",
                place,
                "is not a timestamp of this package: it stamps other data (left from another file, or the package was altered)".into(),
            );
            continue;
        }
        if roots.is_empty() {
            unchecked.push(Problem {
                kind: "timestamp",
                place,
                detail: "not checked: no trusted root certificates (pass the authority's root with --roots FILE.pem)".into(),
            });
            continue;
        }
        match crate::timestamp::verify(&token, &digest, roots) {
            Ok(stamp) => report.timestamps.push(Verified { file: place, stamp }),
            Err(e) => problems.problem("timestamp", place, e.to_string()),
        }
    }
    report.unchecked = unchecked;
    Ok(report)
}

/// The timestamp files beside the package `path` (`NAME.tsa-*.tsr`),
/// sorted.
fn tokens_beside(path: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let name = file_name(path);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tokens: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().is_some_and(|f| {
                let f = f.to_string_lossy();
                f.starts_with(&format!("{name}.tsa-")) && f.ends_with(".tsr")
            })
        })
        .collect();
    tokens.sort();
    Ok(tokens)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string()
}
