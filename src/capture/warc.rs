//! WARC/1.1 (ISO 28500) writing and reading, one gzip member per record.
//!
//! Each HTTP exchange becomes a `response` record (status line, headers and
//! the body as received) followed by its `request` record, which names the
//! response in `WARC-Concurrent-To`. Every file starts with a `warcinfo`
//! record. A record being its own gzip member, a reader can start at any
//! record's offset, which is what the archive database stores.
//!
//! The body is kept as received except for transfer coding: HTTP/1.1
//! chunking is undone by the HTTP stack, so a `Transfer-Encoding` header is
//! left out of the stored header block (the database keeps all headers).
//! `Content-Encoding` (gzip, br) is kept, as web archives do.

use crate::fetch::Exchange;
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A new WARC file is started past this size.
const ROTATE_AT: u64 = 1024 * 1024 * 1024;
/// The directory inside the archive that holds the WARC files.
pub const DIR: &str = "warc";

/// The records of one exchange, each a gzip member.
#[derive(Debug, Clone)]
pub struct EncodedExchange {
    /// The response record, then the request record.
    pub members: [Vec<u8>; 2],
    /// `sha256:BASE32` of the body as received.
    pub payload_digest: String,
}

/// Encode one exchange as its response and request records.
pub fn encode_exchange(ex: &Exchange) -> EncodedExchange {
    let response_id = record_id();
    let payload_digest = labelled_sha256(&ex.raw_body);
    let date = warc_date(ex.date);
    let mut block = status_line(ex).into_bytes();
    for (name, value) in &ex.headers {
        if name.eq_ignore_ascii_case("transfer-encoding") {
            continue;
        }
        block.extend_from_slice(name.as_bytes());
        block.extend_from_slice(b": ");
        block.extend_from_slice(value);
        block.extend_from_slice(b"\r\n");
    }
    block.extend_from_slice(b"\r\n");
    block.extend_from_slice(&ex.raw_body);
    let mut fields = vec![
        ("WARC-Type", "response".to_string()),
        ("WARC-Record-ID", response_id.clone()),
        ("WARC-Date", date.clone()),
        ("WARC-Target-URI", ex.url.to_string()),
    ];
    if let Some(addr) = ex.remote_addr {
        fields.push(("WARC-IP-Address", addr.ip().to_string()));
    }
    fields.push(("Content-Type", "application/http;msgtype=response".into()));
    fields.push(("WARC-Payload-Digest", payload_digest.clone()));
    if ex.truncated {
        fields.push(("WARC-Truncated", "length".into()));
    }
    let response = member(&fields, &block);

    let mut request = format!("GET {} HTTP/1.1\r\n", request_target(&ex.url));
    if let Some(host) = ex.url.host_str() {
        match ex.url.port() {
            Some(p) => request.push_str(&format!("Host: {host}:{p}\r\n")),
            None => request.push_str(&format!("Host: {host}\r\n")),
        }
    }
    for (name, value) in &ex.request_headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let fields = vec![
        ("WARC-Type", "request".to_string()),
        ("WARC-Record-ID", record_id()),
        ("WARC-Date", date),
        ("WARC-Target-URI", ex.url.to_string()),
        ("WARC-Concurrent-To", response_id),
        ("Content-Type", "application/http;msgtype=request".into()),
    ];
    let request = member(&fields, request.as_bytes());
    EncodedExchange {
        members: [response, request],
        payload_digest,
    }
}

fn status_line(ex: &Exchange) -> String {
    let reason = crate::fetch::reason_phrase(ex.status).unwrap_or("");
    let version = if ex.version.starts_with("HTTP/") {
        ex.version.as_str()
    } else {
        "HTTP/1.1"
    };
    format!("{version} {} {reason}\r\n", ex.status)
}

fn request_target(url: &url::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// A `warcinfo` record describing the file and the software.
/// The `warcinfo` record (a gzip member) that starts a WARC file named
/// `filename`.
pub fn warcinfo_member(filename: &str) -> Vec<u8> {
    let body = format!(
        "software: embarc/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let fields = vec![
        ("WARC-Type", "warcinfo".to_string()),
        ("WARC-Record-ID", record_id()),
        ("WARC-Date", warc_date(Utc::now())),
        ("WARC-Filename", filename.to_string()),
        ("Content-Type", "application/warc-fields".into()),
    ];
    member(&fields, body.as_bytes())
}

/// One record as a gzip member: header fields (plus `WARC-Block-Digest` and
/// `Content-Length`), a blank line, the block, and two CRLFs.
fn member(fields: &[(&str, String)], block: &[u8]) -> Vec<u8> {
    let mut record = b"WARC/1.1\r\n".to_vec();
    for (name, value) in fields {
        record.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    record
        .extend_from_slice(format!("WARC-Block-Digest: {}\r\n", labelled_sha256(block)).as_bytes());
    record.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    record.extend_from_slice(block);
    record.extend_from_slice(b"\r\n\r\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = gz.write_all(&record);
    gz.finish().unwrap_or_default()
}

fn warc_date(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A random (version 4) UUID as a WARC record id.
fn record_id() -> String {
    let mut b = [0u8; 16];
    fastrand::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `sha256:` and the digest in base32 (RFC 4648), as web archives write it.
pub fn labelled_sha256(data: &[u8]) -> String {
    format!("sha256:{}", base32(&Sha256::digest(data)))
}

fn base32(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(ALPHABET[((n >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SHA-256 and length of everything `reader` gives, read in 64 KiB pieces.
pub fn sha256_of(mut reader: impl Read) -> std::io::Result<([u8; 32], u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok((hasher.finalize().into(), size));
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
}

/// Appends records to the current WARC file of a run, starting a new file
/// past 1 GiB. Files are named by start time and process id, so a run never
/// appends to a file a killed run may have left with a torn record.
pub struct WarcWriter {
    dir: PathBuf,
    stem: String,
    serial: u32,
    current: Option<Open>,
    /// Every file started, relative to the archive directory.
    files: Vec<String>,
}

struct Open {
    /// Relative to the archive directory, as stored in the database.
    name: String,
    file: BufWriter<File>,
    size: u64,
}

impl WarcWriter {
    /// A writer for `ARCHIVE/warc/`; the file is created at the first record.
    pub fn new(archive_dir: &Path) -> WarcWriter {
        let stamp = Utc::now().format("%Y%m%d%H%M%S%3f");
        WarcWriter {
            dir: archive_dir.join(DIR),
            stem: format!("embarc-{stamp}-{}", std::process::id()),
            serial: 0,
            current: None,
            files: Vec::new(),
        }
    }

    /// Append one record (a gzip member); returns the file (relative to the
    /// archive directory) and the record's offset in it.
    pub fn append(&mut self, member: &[u8]) -> std::io::Result<(String, u64)> {
        if self.current.as_ref().is_none_or(|c| c.size >= ROTATE_AT) {
            self.start_file()?;
        }
        let Some(open) = self.current.as_mut() else {
            return Err(std::io::Error::other("no WARC file open"));
        };
        let offset = open.size;
        open.file.write_all(member)?;
        open.size += member.len() as u64;
        Ok((open.name.clone(), offset))
    }

    /// Push written records to the file (before the database refers to them).
    pub fn flush(&mut self) -> std::io::Result<()> {
        match self.current.as_mut() {
            Some(open) => open.file.flush(),
            None => Ok(()),
        }
    }

    /// The files written so far (relative to the archive directory), in
    /// order; all but the last are closed, and the last is once the writer
    /// is dropped.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    fn start_file(&mut self) -> std::io::Result<()> {
        self.flush()?;
        std::fs::create_dir_all(&self.dir)?;
        let file_name = format!("{}-{:05}.warc.gz", self.stem, self.serial);
        self.serial += 1;
        let path = self.dir.join(&file_name);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let mut file = BufWriter::new(file);
        let info = warcinfo_member(&file_name);
        file.write_all(&info)?;
        self.files.push(format!("{DIR}/{file_name}"));
        self.current = Some(Open {
            name: format!("{DIR}/{file_name}"),
            file,
            size: info.len() as u64,
        });
        Ok(())
    }
}

/// One record read back.
#[derive(Debug, Clone)]
pub struct Record {
    /// `WARC/1.1` header fields in order.
    pub fields: Vec<(String, String)>,
    pub block: Vec<u8>,
}

impl Record {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The header text of the record (version line and fields).
    pub fn head(&self) -> String {
        let mut s = String::from("WARC/1.1\r\n");
        for (n, v) in &self.fields {
            s.push_str(&format!("{n}: {v}\r\n"));
        }
        s
    }

    /// For an HTTP response record: the HTTP head and the payload as received.
    pub fn http_parts(&self) -> Option<(&[u8], &[u8])> {
        let end = self.block.windows(4).position(|w| w == b"\r\n\r\n")?;
        Some((&self.block[..end + 2], &self.block[end + 4..]))
    }
}

/// One exchange found in the WARC files: where its response record is and
/// what it answered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listed {
    /// The file, relative to the archive directory (`warc/…`).
    pub file: String,
    pub offset: u64,
    /// `WARC-Date`: when the answer came.
    pub date: String,
    /// The HTTP status of the answer.
    pub status: Option<u16>,
}

/// Every response record for `url` in the archive's WARC files, file by
/// file (oldest first) and in the order written. Reads every file: this is
/// the full account of a URL, not a lookup.
pub fn responses_of(archive_dir: &Path, url: &str) -> std::io::Result<Vec<Listed>> {
    let mut names: Vec<String> = match std::fs::read_dir(archive_dir.join(DIR)) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".warc.gz"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    names.sort();
    let mut found = Vec::new();
    for name in names {
        let file = format!("{DIR}/{name}");
        let mut reader = MemberReader::open(&archive_dir.join(&file), 0)?;
        while let Some((offset, _, record)) = reader.next_record()? {
            if record.field("WARC-Type") != Some("response")
                || record.field("WARC-Target-URI") != Some(url)
            {
                continue;
            }
            let status = record.http_parts().and_then(|(head, _)| {
                let line = head.split(|b| *b == b'\r').next()?;
                std::str::from_utf8(line)
                    .ok()?
                    .split(' ')
                    .nth(1)?
                    .parse()
                    .ok()
            });
            found.push(Listed {
                file: file.clone(),
                offset,
                date: record.field("WARC-Date").unwrap_or_default().to_string(),
                status,
            });
        }
    }
    Ok(found)
}

/// Records read from a WARC file one gzip member at a time, each with the
/// offsets where its member starts and ends.
struct MemberReader {
    input: Counting<std::io::BufReader<File>>,
    path: PathBuf,
}

impl MemberReader {
    fn open(path: &Path, offset: u64) -> std::io::Result<MemberReader> {
        let mut file = File::open(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        file.seek(SeekFrom::Start(offset))?;
        Ok(MemberReader {
            input: Counting {
                inner: std::io::BufReader::new(file),
                pos: offset,
            },
            path: path.to_path_buf(),
        })
    }

    /// The next record and its member's start and end; `None` at the end.
    fn next_record(&mut self) -> std::io::Result<Option<(u64, u64, Record)>> {
        if std::io::BufRead::fill_buf(&mut self.input)?.is_empty() {
            return Ok(None);
        }
        let start = self.input.pos;
        let mut data = Vec::new();
        flate2::bufread::GzDecoder::new(&mut self.input).read_to_end(&mut data)?;
        let record = parse_record(&data).map_err(|e| {
            std::io::Error::new(e.kind(), format!("{}:{start}: {e}", self.path.display()))
        })?;
        Ok(Some((start, self.input.pos, record)))
    }
}

/// A buffered reader that counts the bytes taken from it, so that the
/// offset of each gzip member is known.
struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: std::io::BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: std::io::BufRead> std::io::BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.pos += n as u64;
        self.inner.consume(n);
    }
}

/// A record's gzip member as stored: where it starts, its compressed bytes
/// and the record they hold.
#[derive(Debug, Clone)]
pub struct Member {
    pub offset: u64,
    pub bytes: Vec<u8>,
    pub record: Record,
}

/// Up to `count` consecutive records starting at `offset` of the WARC file
/// `path`, each with its gzip member exactly as stored (to copy it into
/// another WARC file). Fewer at the end of the file.
pub fn members(path: &Path, offset: u64, count: usize) -> std::io::Result<Vec<Member>> {
    let mut reader = MemberReader::open(path, offset)?;
    let mut spans = Vec::new();
    while spans.len() < count
        && let Some(span) = reader.next_record()?
    {
        spans.push(span);
    }
    let mut raw = File::open(path)?;
    spans
        .into_iter()
        .map(|(start, end, record)| {
            raw.seek(SeekFrom::Start(start))?;
            let mut bytes = vec![0; (end - start) as usize];
            raw.read_exact(&mut bytes)?;
            Ok(Member {
                offset: start,
                bytes,
                record,
            })
        })
        .collect()
}

/// Read the record that starts at `offset` of the WARC file `path`.
pub fn read_record(path: &Path, offset: u64) -> std::io::Result<Record> {
    let mut file = File::open(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    file.seek(SeekFrom::Start(offset))?;
    let mut data = Vec::new();
    // One member only: the record that starts here.
    flate2::read::GzDecoder::new(std::io::BufReader::new(file)).read_to_end(&mut data)?;
    parse_record(&data)
}

/// Parse one decompressed record.
pub fn parse_record(data: &[u8]) -> std::io::Result<Record> {
    let bad = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string());
    let end = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of the WARC header"))?;
    let head = std::str::from_utf8(&data[..end]).map_err(|_| bad("WARC header is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    if !lines.next().unwrap_or_default().starts_with("WARC/") {
        return Err(bad("not a WARC record"));
    }
    let fields: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| bad("no Content-Length"))?;
    let block = data
        .get(end + 4..end + 4 + length)
        .ok_or_else(|| bad("the record is shorter than its Content-Length"))?
        .to_vec();
    Ok(Record { fields, block })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "MY======"),
            ("fo", "MZXQ===="),
            ("foo", "MZXW6==="),
            ("foob", "MZXW6YQ="),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI======"),
        ] {
            assert_eq!(base32(input.as_bytes()), want, "{input}");
        }
        // 32 bytes of SHA-256 give 52 characters and four pads.
        assert_eq!(labelled_sha256(b"x").len(), "sha256:".len() + 56);
    }

    #[test]
    fn record_ids_are_v4_uuids() {
        let id = record_id();
        assert_eq!(id.len(), "<urn:uuid:>".len() + 36);
        assert_eq!(&id[24..25], "4");
        assert_ne!(id, record_id());
    }

    #[test]
    fn a_member_reads_back() {
        let m = member(&[("WARC-Type", "resource".into())], b"hello");
        let mut data = Vec::new();
        flate2::read::GzDecoder::new(&m[..])
            .read_to_end(&mut data)
            .unwrap();
        let r = parse_record(&data).unwrap();
        assert_eq!(r.field("warc-type"), Some("resource"));
        assert_eq!(r.field("Content-Length"), Some("5"));
        assert_eq!(r.block, b"hello");
        assert!(data.ends_with(b"hello\r\n\r\n"));
    }
}
