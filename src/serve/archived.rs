//! Archived bodies, read back from their WARC records: for the capture view
//! (served as untrusted, see [`crate::serve::pages::capture`]) and for the
//! paragraph around each citation ([`super::context`]).

use super::context::{self, Wanted};
use crate::capture::warc;
use crate::fetch::encoding;
use crate::store::{CaptureRow, PostCitation, Store};
use anyhow::{Context, Result, anyhow};
use std::collections::HashMap;
use std::path::Path;

/// Largest decoded body read back (bodies were limited when fetched).
const MAX_BODY: u64 = 64 << 20;

/// A stored body as it was received, its `Content-Encoding` undone.
pub struct Body {
    pub bytes: Vec<u8>,
    /// HTML (else plain text or Markdown).
    pub html: bool,
}

impl Body {
    /// The body as text, decoded as it was when archived.
    pub fn text(&self, encoding: Option<&str>) -> String {
        crate::detect::decode::decode(&self.bytes, encoding, self.html)
            .text
            .into_owned()
    }
}

/// Whether a capture's content type is HTML.
pub fn is_html(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|t| t.to_ascii_lowercase().contains("html"))
}

/// The body of capture `c`; `None` for a capture of a local file (files
/// are not kept in WARC).
pub fn body(dir: &Path, c: &CaptureRow) -> Result<Option<Body>> {
    let (Some(file), Some(offset)) = (&c.warc_file, c.warc_offset) else {
        return Ok(None);
    };
    Ok(Some(Body {
        bytes: payload(dir, file, offset)?,
        html: is_html(c.content_type.as_deref()),
    }))
}

/// The body of the response record at `file:offset` in the archive in
/// `dir`, its `Content-Encoding` undone.
pub fn payload(dir: &Path, file: &str, offset: u64) -> Result<Vec<u8>> {
    let path = dir.join(file);
    let record = warc::read_record(&path, offset)
        .with_context(|| format!("cannot read the record at {}:{offset}", path.display()))?;
    let (head, payload) = record
        .http_parts()
        .ok_or_else(|| anyhow!("the record at {file}:{offset} holds no HTTP response"))?;
    let encodings = String::from_utf8_lossy(head)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-encoding"))
        .map(|(_, v)| v.trim().to_string());
    encoding::decode(payload.to_vec(), encodings.as_deref(), MAX_BODY)
        .map_err(|e| anyhow!("cannot decode the stored body at {file}:{offset}: {e:?}"))
}

/// Fill in the paragraph around each citation from its capture, reading
/// each capture once. A capture that cannot be read leaves its citations
/// without one (and says why in the log).
pub fn fill_paragraphs(store: &Store, dir: &Path, cites: &mut [PostCitation]) -> Result<()> {
    let mut texts: HashMap<i64, Option<(String, bool)>> = HashMap::new();
    for cite in cites.iter_mut() {
        if let std::collections::hash_map::Entry::Vacant(slot) = texts.entry(cite.capture) {
            let text = match store.capture_row(cite.capture)? {
                Some(c) => match body(dir, &c) {
                    Ok(b) => b.map(|b| (b.text(c.encoding.as_deref()), b.html)),
                    Err(e) => {
                        tracing::warn!("{e:#}");
                        None
                    }
                },
                None => None,
            };
            slot.insert(text);
        }
        if let Some(Some((text, html))) = texts.get(&cite.capture) {
            let wanted = Wanted {
                kind: &cite.kind,
                source_url: cite.source_url.as_deref(),
                text: cite.text.as_deref(),
            };
            cite.paragraph = context::paragraphs(text, *html, &[wanted]).pop().flatten();
        }
    }
    Ok(())
}
