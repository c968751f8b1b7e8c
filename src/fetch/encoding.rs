//! `Content-Encoding` decoding with a limit on the decoded size.
//!
//! The client asks for gzip, deflate and brotli but decodes them itself, so
//! the bytes as received stay available for the WARC record, and so the
//! decoded size is bounded while decoding: a gzip bomb is cut off at the
//! limit instead of being inflated.

use std::io::Read;

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The decoded body is larger than the limit (in bytes).
    TooLarge(u64),
    /// The encoding is not one we know.
    Unsupported(String),
    /// The body is not valid in its declared encoding.
    Corrupt(String),
}

/// Decode `body` by the `Content-Encoding` header value `encodings` (a
/// comma-separated list, applied in order, so undone in reverse), reading at
/// most `limit` decoded bytes.
pub fn decode(body: Vec<u8>, encodings: Option<&str>, limit: u64) -> Result<Vec<u8>, DecodeError> {
    let list: Vec<String> = encodings
        .unwrap_or("")
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity")
        .collect();
    let mut data = body;
    for enc in list.iter().rev() {
        data = match enc.as_str() {
            "gzip" | "x-gzip" => read_limited(flate2::read::MultiGzDecoder::new(&data[..]), limit)?,
            "deflate" => inflate(&data, limit)?,
            "br" => read_limited(
                brotli_decompressor::Decompressor::new(&data[..], 8192),
                limit,
            )?,
            other => return Err(DecodeError::Unsupported(other.to_string())),
        };
    }
    if data.len() as u64 > limit {
        return Err(DecodeError::TooLarge(limit));
    }
    Ok(data)
}

/// `deflate` is meant to be zlib-wrapped, but some servers send raw deflate.
fn inflate(data: &[u8], limit: u64) -> Result<Vec<u8>, DecodeError> {
    match read_limited(flate2::read::ZlibDecoder::new(data), limit) {
        Err(DecodeError::Corrupt(_)) => {
            read_limited(flate2::read::DeflateDecoder::new(data), limit)
        }
        other => other,
    }
}

fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(DecodeError::TooLarge(limit));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn identity_and_gzip_round_trip() {
        assert_eq!(decode(b"abc".to_vec(), None, 10).unwrap(), b"abc");
        assert_eq!(
            decode(b"abc".to_vec(), Some("identity"), 10).unwrap(),
            b"abc"
        );
        assert_eq!(decode(gzip(b"hello"), Some("gzip"), 10).unwrap(), b"hello");
        assert_eq!(
            decode(gzip(b"hello"), Some("x-gzip"), 10).unwrap(),
            b"hello"
        );
    }

    #[test]
    fn deflate_zlib_and_raw() {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(b"zlib body").unwrap();
        assert_eq!(
            decode(z.finish().unwrap(), Some("deflate"), 100).unwrap(),
            b"zlib body"
        );
        let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        d.write_all(b"raw body").unwrap();
        assert_eq!(
            decode(d.finish().unwrap(), Some("deflate"), 100).unwrap(),
            b"raw body"
        );
    }

    #[test]
    fn brotli() {
        // "hello" compressed with brotli quality 11 (a tiny hand-checked stream).
        let compressed = [0x0b, 0x02, 0x80, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x03];
        assert_eq!(
            decode(compressed.to_vec(), Some("br"), 100).unwrap(),
            b"hello"
        );
    }

    #[test]
    fn a_bomb_is_cut_off_at_the_limit() {
        let bomb = gzip(&vec![0u8; 10 * 1024 * 1024]);
        assert!(bomb.len() < 20_000);
        assert_eq!(
            decode(bomb, Some("gzip"), 1024 * 1024),
            Err(DecodeError::TooLarge(1024 * 1024))
        );
    }

    #[test]
    fn stacked_encodings_are_undone_in_reverse() {
        let twice = gzip(&gzip(b"inner"));
        assert_eq!(decode(twice, Some("gzip, gzip"), 100).unwrap(), b"inner");
    }

    #[test]
    fn unknown_and_corrupt() {
        assert!(matches!(
            decode(b"x".to_vec(), Some("zstd"), 10),
            Err(DecodeError::Unsupported(e)) if e == "zstd"
        ));
        assert!(matches!(
            decode(b"not gzip".to_vec(), Some("gzip"), 10),
            Err(DecodeError::Corrupt(_))
        ));
    }
}
