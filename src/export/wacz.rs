//! `embarc export wacz`: web captures as a WACZ 1.1.1 package, the format
//! ReplayWeb.page and pywb open.
//!
//! The package is a ZIP file (entries stored, not compressed again):
//! - `archive/data.warc.gz`: a `warcinfo` record, then each capture's
//!   `response` record and its `request` record, then each kept medium's
//!   (the posts' photos, videos, thumbnails), copied byte for byte (gzip
//!   members) from the archive's WARC files;
//! - `indexes/index.cdx` (CDXJ lines, the name the spec gives): one line per response, sorted by SURT key and
//!   time, with the record's offset and length in `data.warc.gz`;
//! - `pages/pages.jsonl`: one page per capture;
//! - `embarc/…json`: embarc's own account of what was asked for (the claim
//!   with its events, snapshots and checks; the article with its captures
//!   and citations), each one object under one key naming it (`{"claim":
//!   …}`): Frictionless, which `wacz validate` runs over every file, reads
//!   a JSON data file's top-level `checks` as validation settings and
//!   rejects the package;
//! - `datapackage.json`: every file above with its SHA-256 and size;
//! - `datapackage-digest.json`: the SHA-256 of `datapackage.json`.

use crate::capture::warc;
use crate::store::{CaptureRow, SavedMedia};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;

/// What a package holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Packaged {
    /// Captures whose records went in.
    pub captures: usize,
    /// Media files whose records went in.
    pub media: usize,
    /// WARC records in `archive/data.warc.gz`: its warcinfo record, and
    /// the responses and requests copied (what `verify --wacz` counts).
    pub records: usize,
    /// Size of the package file.
    pub bytes: u64,
    /// SHA-256 of `datapackage-digest.json`: what a timestamp stamps.
    #[serde(skip)]
    pub digest_sha256: [u8; 32],
}

/// One file of the package and what `datapackage.json` says of it.
struct Resource {
    path: String,
    sha256: String,
    bytes: u64,
}

/// What goes into a package: web captures and media files (each with a
/// WARC record in the archive), and documents (path inside the package,
/// JSON bytes).
#[derive(Debug, Clone, Copy)]
pub struct Contents<'a> {
    pub captures: &'a [CaptureRow],
    pub media: &'a [SavedMedia],
    pub documents: &'a [(String, Vec<u8>)],
}

/// Write the package of `contents` (records from `archive_dir`) to `out`.
pub fn write(
    archive_dir: &Path,
    contents: Contents<'_>,
    out: &Path,
    created: DateTime<Utc>,
) -> anyhow::Result<Packaged> {
    let Contents {
        captures,
        media,
        documents,
    } = contents;
    let file = create_new(out)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let stored = stored_at(created);
    let mut resources = Vec::new();
    let mut packaged = Packaged::default();

    // The records, and the index and pages that point into them.
    zip.start_file("archive/data.warc.gz", stored.large_file(true))?;
    let mut warc = Hashing::new(&mut zip);
    warc.write_all(&warc::warcinfo_member("data.warc.gz"))?;
    packaged.records = 1;
    let mut index = Vec::new();
    let mut pages =
        vec![r#"{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}"#.to_string()];
    for c in captures {
        let (Some(file), Some(offset)) = (&c.warc_file, c.warc_offset) else {
            continue;
        };
        let source = Source {
            what: format!("capture {}", c.id),
            file,
            offset,
            url: &c.article_url,
            date: &c.captured_at,
            mime: c.content_type.as_deref(),
            status: c.http_status.map(|s| s.to_string()),
        };
        let copied = copy(archive_dir, &source, &mut warc, &mut index)?;
        packaged.records += copied.records;
        pages.push(
            serde_json::json!({
                "id": format!("capture-{}", c.id),
                "url": copied.url,
                "ts": copied.date,
                "title": c.article_url,
            })
            .to_string(),
        );
        packaged.captures += 1;
    }
    for m in media {
        let Some(place) = &m.warc else {
            continue;
        };
        let source = Source {
            what: m.url.clone(),
            file: &place.file,
            offset: place.offset,
            url: &m.url,
            date: &m.fetched_at,
            mime: m.content_type.as_deref(),
            status: Some("200".into()),
        };
        packaged.records += copy(archive_dir, &source, &mut warc, &mut index)?.records;
        packaged.media += 1;
    }
    resources.push(warc.finish("archive/data.warc.gz"));

    index.sort();
    let mut text = index.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    resources.push(add(&mut zip, stored, "indexes/index.cdx", text.as_bytes())?);
    let mut text = pages.join("\n");
    text.push('\n');
    resources.push(add(&mut zip, stored, "pages/pages.jsonl", text.as_bytes())?);
    for (path, json) in documents {
        resources.push(add(&mut zip, stored, path, json)?);
    }

    let package = serde_json::json!({
        "profile": "data-package",
        "wacz_version": "1.1.1",
        "created": created.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "software": format!("embarc {}", env!("CARGO_PKG_VERSION")),
        "resources": resources.iter().map(|r| serde_json::json!({
            "name": r.path.rsplit('/').next().unwrap_or(&r.path),
            "path": r.path,
            "hash": format!("sha256:{}", r.sha256),
            "bytes": r.bytes,
        })).collect::<Vec<_>>(),
    });
    let package = serde_json::to_vec_pretty(&package)?;
    let digest = add(&mut zip, stored, "datapackage.json", &package)?;
    let digest = serde_json::to_vec_pretty(&serde_json::json!({
        "path": "datapackage.json",
        "hash": format!("sha256:{}", digest.sha256),
    }))?;
    add(&mut zip, stored, "datapackage-digest.json", &digest)?;
    packaged.digest_sha256 = Sha256::digest(&digest).into();
    let mut file = zip.finish()?;
    file.flush()?;
    packaged.bytes = std::fs::metadata(out).map_or(0, |m| m.len());
    Ok(packaged)
}

/// A response record to copy into the package, and what its index line
/// says when the record does not.
struct Source<'a> {
    /// Named in errors.
    what: String,
    file: &'a str,
    offset: u64,
    url: &'a str,
    date: &'a str,
    mime: Option<&'a str>,
    status: Option<String>,
}

/// What copying a response (and its request) put in the package.
struct Copied {
    records: usize,
    url: String,
    date: String,
}

/// Copy the response record at `source` from `archive_dir` into `warc`,
/// with its request record when the next record is the one that asked, and
/// index it.
fn copy<W: Write>(
    archive_dir: &Path,
    source: &Source<'_>,
    warc: &mut Hashing<W>,
    index: &mut Vec<String>,
) -> anyhow::Result<Copied> {
    let members = warc::members(&archive_dir.join(source.file), source.offset, 2)
        .map_err(|e| anyhow::anyhow!("cannot read the WARC record of {}: {e}", source.what))?;
    let Some((response, rest)) = members.split_first() else {
        anyhow::bail!(
            "{}: no WARC record at {}:{}",
            source.what,
            source.file,
            source.offset
        );
    };
    let id = response.record.field("WARC-Record-ID").unwrap_or_default();
    let url = response
        .record
        .field("WARC-Target-URI")
        .unwrap_or(source.url);
    let date = response.record.field("WARC-Date").unwrap_or(source.date);
    let at = warc.bytes;
    warc.write_all(&response.bytes)?;
    index.push(format!(
        "{} {} {}",
        surt(url),
        timestamp(date),
        serde_json::json!({
            "url": url,
            "mime": source.mime.map_or("", |m| m.split(';').next().unwrap_or(m).trim()),
            "status": source.status,
            "digest": response.record.field("WARC-Payload-Digest"),
            "length": response.bytes.len().to_string(),
            "offset": at.to_string(),
            "filename": "data.warc.gz",
        })
    ));
    let mut records = 1;
    if let Some(request) = rest.first().filter(|m| {
        m.record.field("WARC-Type") == Some("request")
            && m.record.field("WARC-Concurrent-To") == Some(id)
    }) {
        warc.write_all(&request.bytes)?;
        records += 1;
    }
    Ok(Copied {
        records,
        url: url.to_string(),
        date: date.to_string(),
    })
}

/// SHA-256 of the `datapackage-digest.json` inside the WACZ at `path`:
/// what its timestamps stamp.
pub fn digest_file_sha256(path: &Path) -> Result<[u8; 32], String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("{}: not a WACZ (ZIP) file: {e}", path.display()))?;
    if zip.index_for_name("datapackage-digest.json").is_none() {
        return Err(match package_inside(&zip) {
            Some(inner) => format!(
                "{} is a case file's ZIP holding the package {inner}, not a package (a case is stamped when it is written: `embarc export case` again writes it with every timestamp)",
                path.display()
            ),
            None => format!(
                "{}: no datapackage-digest.json: not a WACZ package",
                path.display()
            ),
        });
    }
    let mut entry = zip
        .by_name("datapackage-digest.json")
        .map_err(|e| format!("{}: datapackage-digest.json: {e}", path.display()))?;
    let mut bytes = Vec::new();
    std::io::Read::take(&mut entry, 1 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Sha256::digest(&bytes).into())
}

/// The package a ZIP holds instead of being one (a case file's ZIP):
/// the name of its first `.wacz` entry.
pub fn package_inside<R: std::io::Read + std::io::Seek>(
    zip: &zip::ZipArchive<R>,
) -> Option<String> {
    zip.file_names()
        .filter_map(Result::ok)
        .find(|n| n.ends_with(".wacz"))
        .map(|n| n.to_string())
}

/// ZIP entry options: stored as they are (WARC records are gzip members
/// already), dated `created` (UTC; ZIP has no time zone) rather than ZIP's
/// 1980 epoch.
pub(super) fn stored_at(created: DateTime<Utc>) -> SimpleFileOptions {
    use chrono::{Datelike, Timelike};
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let when = zip::DateTime::from_date_and_time(
        u16::try_from(created.year()).unwrap_or(1980),
        created.month() as u8,
        created.day() as u8,
        created.hour() as u8,
        created.minute() as u8,
        created.second().min(59) as u8,
    );
    match when {
        Ok(when) => options.last_modified_time(when),
        Err(_) => options,
    }
}

/// Create `out`, which must not exist: evidence already written (and maybe
/// handed over) is never replaced.
pub(super) fn create_new(out: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
                "{} exists: evidence already written is never replaced; choose another name",
                out.display()
            ),
            _ => anyhow::anyhow!("cannot create {}: {e}", out.display()),
        })
}

/// Add one whole file to the package.
fn add<W: Write + std::io::Seek>(
    zip: &mut zip::ZipWriter<W>,
    options: SimpleFileOptions,
    path: &str,
    data: &[u8],
) -> anyhow::Result<Resource> {
    zip.start_file(path, options)?;
    let mut w = Hashing::new(zip);
    w.write_all(data)?;
    Ok(w.finish(path))
}

/// A writer that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    fn new(inner: W) -> Self {
        Hashing {
            inner,
            hash: Sha256::new(),
            bytes: 0,
        }
    }

    fn finish(self, path: &str) -> Resource {
        Resource {
            path: path.to_string(),
            sha256: hex::encode(self.hash.finalize()),
            bytes: self.bytes,
        }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `2025-03-01T09:00:00.123Z` as a CDX timestamp, `20250301090000`.
fn timestamp(warc_date: &str) -> String {
    warc_date
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect()
}

/// The SURT form of a URL that CDXJ indexes sort and look up by, as pywb
/// computes it: scheme and `www.` dropped, host labels reversed and joined
/// by commas, `)` before the path, query arguments sorted, all lower case.
pub fn surt(raw: &str) -> String {
    let Ok(url) = url::Url::parse(raw) else {
        return raw.to_ascii_lowercase();
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let mut key: String = match url.host() {
        Some(url::Host::Ipv6(_)) => host,
        // `www.`, `www2.` dropped; IPv4 addresses reversed like names.
        _ => without_www(&host)
            .split('.')
            .rev()
            .collect::<Vec<_>>()
            .join(","),
    };
    if let Some(port) = url.port() {
        key.push_str(&format!(":{port}"));
    }
    key.push(')');
    key.push_str(url.path());
    if let Some(query) = url.query().filter(|q| !q.is_empty()) {
        let mut args: Vec<&str> = query.split('&').collect();
        args.sort_unstable();
        key.push('?');
        key.push_str(&args.join("&"));
    }
    key.to_ascii_lowercase()
}

/// `host` without a leading `www.` or `www2.` (and so on).
fn without_www(host: &str) -> &str {
    let Some(rest) = host.strip_prefix("www") else {
        return host;
    };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.strip_prefix('.').unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surt_keys_as_replay_tools_compute_them() {
        assert_eq!(
            surt("https://www.Example.com/News/A?b=2&a=1#top"),
            "com,example)/news/a?a=1&b=2"
        );
        // As Python's `surt` (pywb's lookups) gives them.
        assert_eq!(
            surt("http://127.0.0.1:8765/a.html"),
            "1,0,0,127:8765)/a.html"
        );
        assert_eq!(surt("https://www.co/"), "co)/");
        assert_eq!(surt("http://www2.example.org/"), "org,example)/");
        assert_eq!(surt("http://example.com:8080/x"), "com,example:8080)/x");
        assert_eq!(surt("http://wwwx.example.com/"), "com,example,wwwx)/");
    }

    #[test]
    fn cdx_timestamps_have_fourteen_digits() {
        assert_eq!(timestamp("2025-03-01T09:00:00.123Z"), "20250301090000");
    }
}
