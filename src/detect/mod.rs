//! Detection: bytes of an article in, the social posts it cites out.
//!
//! Everything here is pure: no I/O, no clock, no database. [`detect`] decodes
//! the bytes ([`decode`]), rejects pages without any platform marker before
//! parsing ([`prefilter`]), then walks the HTML once ([`html`]) or scans plain
//! text ([`text`]); raw HTML blocks inside text or Markdown ([`islands`]) go
//! to the HTML walk.

mod bluesky;
mod cards;
mod consent;
pub mod dates;
pub mod decode;
mod dom;
mod embeds;
mod facebook;
mod fallback;
pub mod html;
mod ids;
mod instagram;
mod islands;
pub mod labels;
mod mastodon;
mod nesting;
mod pagedata;
pub mod platform;
pub mod prefilter;
mod reader;
mod reddit;
mod regions;
mod telegram;
pub mod text;
mod threads;
mod tiktok;
pub mod urls;
mod wrappers;
mod x;
mod youtube;

use chrono::NaiveDate;
use serde::Serialize;

pub use platform::Platform;

/// How an article cites a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An embed widget (or what is left of one: stub, tombstone, rendered iframe).
    Embed,
    /// A plain `<a href>` (or bare URL in text) pointing at the post.
    Link,
    /// A copy of the embed as plain text, ending in a `— Name (@handle) Date` tail.
    Text,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Embed => "embed",
            Kind::Link => "link",
            Kind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "embed" => Some(Kind::Embed),
            "link" => Some(Kind::Link),
            "text" => Some(Kind::Text),
            _ => None,
        }
    }
}

/// A consistency problem worth a verifier's eye.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable machine name: `handle_mismatch`, `date_mismatch`,
    /// `publisher_tombstone`, `unresolved_short_link`, `rounded_id`.
    pub kind: &'static str,
    /// Human explanation naming the values involved.
    pub detail: String,
}

/// One citation of a post found in an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub platform: Platform,
    pub kind: Kind,
    /// The platform's id of the post; `None` for an unidentified post.
    pub post_id: Option<String>,
    /// Canonical URL of the post (see `urls`), when known.
    pub post_url: Option<String>,
    /// The URL exactly as the markup gave it.
    pub source_url: Option<String>,
    /// Handle named by the post URL (never shown text).
    pub url_handle: Option<String>,
    /// Handle as the embed showed it, without `@`.
    pub handle: Option<String>,
    pub author_name: Option<String>,
    /// The date as shown, verbatim.
    pub display_date: Option<String>,
    /// Exact time from the id (Snowflake, Mastodon, Bluesky TID) or from a
    /// machine-readable timestamp in the embed, Unix milliseconds.
    pub posted_at_ms: Option<i64>,
    /// Day of the post: from the id when it encodes time, else the display date.
    pub date: Option<NaiveDate>,
    pub text: Option<String>,
    pub lang: Option<String>,
    /// `pic.twitter.com/…` and other media references kept from the text.
    pub media: Vec<String>,
    pub labels: Vec<String>,
    pub warnings: Vec<Warning>,
    /// The platform's content hash of the version the embed showed
    /// (Bluesky's `data-bluesky-cid`).
    pub cid: Option<String>,
    /// Which markup shape produced it (`blockquote`, `stub`, `tombstone`,
    /// `iframe`, `amp`, `gutenberg`, `shortcode`, `anchor`, `plain-text`, ...).
    pub shape: &'static str,
}

impl Citation {
    /// An empty citation of `platform`, to be filled by a detector.
    pub fn new(platform: Platform, kind: Kind, shape: &'static str) -> Citation {
        Citation {
            platform,
            kind,
            post_id: None,
            post_url: None,
            source_url: None,
            url_handle: None,
            handle: None,
            author_name: None,
            display_date: None,
            posted_at_ms: None,
            date: None,
            text: None,
            lang: None,
            media: Vec::new(),
            labels: Vec::new(),
            warnings: Vec::new(),
            cid: None,
            shape,
        }
    }

    /// Set the post identity from a recognised URL.
    pub fn with_url(mut self, raw: &str, parsed: &urls::PostUrl) -> Citation {
        self.post_id = parsed.post_id.clone();
        self.post_url = Some(parsed.canonical.clone());
        self.source_url = Some(raw.trim().to_string());
        self.url_handle = parsed.handle.clone();
        if parsed.unresolved_short_link {
            self.warnings.push(Warning {
                kind: "unresolved_short_link",
                detail: format!(
                    "{} is a short link; the post it points to is unknown until it is followed",
                    parsed.canonical
                ),
            });
        }
        self
    }

    /// Fill the derived fields: time from the id, date, labels and the
    /// consistency warnings. Called once by every detector on what it built.
    pub(crate) fn finish(mut self) -> Citation {
        let platform = self.platform;
        let id_ms = self
            .post_id
            .as_deref()
            .zip(platform.spec().id_time)
            .and_then(|(id, time)| time(id));
        let shown = self
            .display_date
            .as_deref()
            .and_then(dates::parse_display_date);
        self.posted_at_ms = self.posted_at_ms.or(id_ms);
        self.date = self
            .posted_at_ms
            .and_then(dates::ms_to_date)
            .or(shown.map(|d| d.date));
        if let (Some(id_day), Some(shown)) = (self.posted_at_ms.and_then(dates::ms_to_date), shown)
            && (id_day - shown.date).num_days().abs() > 1
        {
            self.warnings.push(Warning {
                kind: "date_mismatch",
                detail: format!(
                    "shown date {:?} is {} days from the date the post id encodes ({id_day})",
                    self.display_date.as_deref().unwrap_or_default(),
                    (id_day - shown.date).num_days().abs()
                ),
            });
        }
        if let (Some(shown), Some(from_url)) = (&self.handle, &self.url_handle)
            && !platform.same_handle(shown, from_url)
        {
            self.warnings.push(Warning {
                kind: "handle_mismatch",
                detail: format!("the embed shows @{shown} but its link names @{from_url}"),
            });
        }
        if let Some(text) = &self.text {
            self.labels = labels::labels(text);
            if platform == Platform::X {
                self.media = text::media_refs(text);
            }
        }
        self
    }
}

/// What kind of document the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Html,
    Text,
}

/// Limits and hints for one detection.
#[derive(Debug, Clone, Default)]
pub struct Hints<'a> {
    /// The document kind if known (from a file extension or Content-Type).
    pub kind: Option<DocKind>,
    /// A charset declared outside the bytes (HTTP `Content-Type`).
    pub charset: Option<&'a str>,
}

/// The result of detecting one document.
#[derive(Debug, Clone, Default)]
pub struct Detection {
    pub citations: Vec<Citation>,
    /// The encoding the bytes were decoded with.
    pub encoding: &'static str,
    /// The bytes were not valid in their encoding and were repaired.
    pub repaired: bool,
    /// The prefilter found no platform marker, so nothing was parsed.
    pub prefiltered: bool,
}

/// Detect every cited post in a document.
pub fn detect(bytes: &[u8], hints: &Hints<'_>) -> Detection {
    let kind = hints.kind.unwrap_or_else(|| sniff_kind(bytes));
    // UTF-16 hides ASCII markers behind NUL bytes: decode before filtering.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let decoded = decode::decode(bytes, None, false);
        let mut d = detect(decoded.text.as_bytes(), hints);
        d.encoding = decoded.encoding;
        d.repaired |= decoded.repaired;
        return d;
    }
    if !prefilter::may_cite(bytes) {
        return Detection {
            encoding: "unparsed",
            prefiltered: true,
            ..Detection::default()
        };
    }
    let decoded = decode::decode(bytes, hints.charset, kind == DocKind::Html);
    let citations = match kind {
        DocKind::Html => html::detect_html(&decoded.text),
        DocKind::Text => match islands::split(&decoded.text) {
            // Embed markup kept raw among the prose (Markdown sources).
            Some(parts) => {
                let mut found = html::detect_html(&parts.html);
                found.extend(text::detect_text(&parts.text));
                found
            }
            None => text::detect_text(&decoded.text),
        },
    };
    Detection {
        citations,
        encoding: decoded.encoding,
        repaired: decoded.repaired,
        prefiltered: false,
    }
}

/// Guess HTML or text from the first bytes: markup tags near the start.
pub fn sniff_kind(bytes: &[u8]) -> DocKind {
    let head = &bytes[..bytes.len().min(2048)];
    let lower = head.to_ascii_lowercase();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    let starts_with_tag = lower
        .iter()
        .copied()
        .find(|b| !(b.is_ascii_whitespace() || *b >= 0x80))
        == Some(b'<');
    if starts_with_tag || has(b"<html") || has(b"<body") || has(b"<p>") || has(b"<div") {
        DocKind::Html
    } else {
        DocKind::Text
    }
}
