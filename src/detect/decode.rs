//! Turning article bytes into text: BOM, declared charsets, repair.
//!
//! Order of trust: a byte-order mark, then a charset declared outside the
//! bytes (HTTP `Content-Type`), then one declared inside them (`<meta
//! charset>`, `<meta http-equiv>`, or an XML declaration), then UTF-8. Bytes
//! that are not valid UTF-8 in an undeclared or UTF-8 document are repaired
//! one invalid sequence at a time, reading each as Windows-1252, so a file
//! mixing UTF-8 and Latin-1 keeps both parts readable.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// Decoded text and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// The WHATWG name of the encoding used.
    pub encoding: &'static str,
    /// Some bytes were invalid and were repaired.
    pub repaired: bool,
}

/// Decode `bytes`; `declared` is a charset from outside the document, and
/// `html` allows looking for a `<meta>` declaration in the first 4 KiB.
pub fn decode<'a>(bytes: &'a [u8], declared: Option<&str>, html: bool) -> Decoded<'a> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text,
            encoding: encoding.name(),
            repaired: had_errors,
        };
    }
    let declared = declared
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .or_else(|| if html { meta_charset(bytes) } else { None });
    match declared {
        // A page that declares UTF-16 but has no BOM is almost always ASCII-
        // compatible in practice (the declaration was copied); treat as UTF-8.
        Some(enc) if enc != UTF_8 && enc.is_ascii_compatible() => {
            let (text, _, had_errors) = enc.decode(bytes);
            Decoded {
                text,
                encoding: enc.name(),
                repaired: had_errors,
            }
        }
        _ => decode_utf8_repairing(bytes),
    }
}

/// UTF-8, with each invalid sequence read as Windows-1252.
fn decode_utf8_repairing(bytes: &[u8]) -> Decoded<'_> {
    // SIMD validation: most pages are valid UTF-8, and std's check was a
    // few per cent of detection.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8.name(),
            repaired: false,
        },
        Err(_) => {
            let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                let (fixed, _) = WINDOWS_1252.decode_without_bom_handling(chunk.invalid());
                out.push_str(&fixed);
            }
            Decoded {
                text: Cow::Owned(out),
                encoding: UTF_8.name(),
                repaired: true,
            }
        }
    }
}

/// The charset declared in the first 4 KiB of an HTML or XML document.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let at = from + pos + b"charset".len();
        from = at;
        let rest = &lower[at..];
        let rest = trim_start(rest);
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = trim_start(rest);
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || b"-_:.".contains(b)))
            .unwrap_or(rest.len());
        if let Some(enc) = Encoding::for_label(&rest[..end]) {
            return Some(enc);
        }
    }
    // <?xml version="1.0" encoding="...">
    let decl = find(&lower, b"<?xml")?;
    let enc_at = find(&lower[decl..], b"encoding=")? + decl + b"encoding=".len();
    let rest = &lower[enc_at..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))?;
    let end = rest.iter().position(|b| *b == b'"' || *b == b'\'')?;
    Encoding::for_label(&rest[..end])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_without_declaration() {
        let d = decode("Visegrád — ok".as_bytes(), None, true);
        assert_eq!(d.text, "Visegrád — ok");
        assert_eq!(d.encoding, "UTF-8");
        assert!(!d.repaired);
    }

    #[test]
    fn bom_wins_over_meta() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(b"<meta charset=\"iso-8859-1\">caf\xC3\xA9");
        let d = decode(&bytes, None, true);
        assert!(d.text.ends_with("café"));
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn utf16_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "héllo".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&bytes, None, false).text, "héllo");
    }

    #[test]
    fn meta_charset_latin1() {
        let bytes = b"<html><head><meta charset=iso-8859-1></head><p>caf\xE9</p>";
        let d = decode(bytes, None, true);
        assert!(d.text.contains("café"));
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn http_equiv_and_external_declaration() {
        let bytes =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=EUC-JP\">\xA4\xA2";
        assert!(decode(bytes, None, true).text.ends_with('あ'));
        // The external (HTTP) declaration wins over the meta.
        let d = decode(b"<meta charset=euc-jp>caf\xE9", Some("latin1"), true);
        assert!(d.text.ends_with("café"));
    }

    #[test]
    fn xml_declaration() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>caf\xE9</rss>";
        assert!(decode(bytes, None, true).text.ends_with("café</rss>"));
    }

    #[test]
    fn mixed_utf8_and_latin1_keeps_both() {
        let bytes = b"Visegr\xC3\xA1d and caf\xE9";
        let d = decode(bytes, None, false);
        assert_eq!(d.text, "Visegrád and café");
        assert!(d.repaired);
    }

    #[test]
    fn unknown_label_falls_back_to_utf8() {
        let d = decode(b"<meta charset=\"nonsense-42\">ok", None, true);
        assert_eq!(d.encoding, "UTF-8");
    }
}
