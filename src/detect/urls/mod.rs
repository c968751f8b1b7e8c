//! Recognising URLs that point at a single post on a known platform.
//!
//! [`parse_post_url`] takes one URL as found in an article (an `href`, an
//! iframe `src`, a `data-*` attribute or a link in plain text) and says which
//! post it names. It does no I/O: short links that only a redirect could
//! resolve are reported as such, with no post id.
//!
//! Conventions, per platform (`post_id` / `canonical` / `handle`):
//!
//! | platform  | `post_id`                              | `canonical`                                          | `handle`                       |
//! |-----------|----------------------------------------|------------------------------------------------------|--------------------------------|
//! | X         | decimal status id                      | `https://x.com/{handle}/status/{id}` or `https://x.com/i/status/{id}` | the URL's user segment, unless numeric or `i` |
//! | Bluesky   | `at://{did-or-handle}/app.bsky.feed.post/{rkey}` | `https://bsky.app/profile/{did-or-handle}/post/{rkey}` | the handle (lowercased), never a DID |
//! | Mastodon  | `{host}/{id}` (lowercase, no `www.`, `:port` kept) | `https://{host as written}/@{user}/{id}`             | `{user}@{host}`, or `user@remote` as written |
//! | Threads   | shortcode                              | `https://www.threads.net/@{user}/post/{code}` or `https://www.threads.net/t/{code}` | user |
//! | Instagram | shortcode                              | `https://www.instagram.com/p/{code}/` (also for reels and IGTV: Instagram redirects) | user when the path names one |
//! | Facebook  | numeric id or `pfbid…`                 | see `facebook()` below                               | page vanity name (never numeric) |
//! | TikTok    | numeric id                             | `https://www.tiktok.com/@{user}/video/{id}` (`/photo/` for photo posts) or `https://www.tiktok.com/embed/v2/{id}` | user |
//! | Reddit    | id36 of the post, or `{id36}/{cid}` for a comment | `https://www.reddit.com/r/{sub}/comments/{id36}/` (+ `comment/{cid}/`), see `reddit()` below | user for `/user/{u}/comments/…` only |
//! | Telegram  | `{channel}/{id}` or `c/{internal}/{id}` | `https://t.me/{channel}/{id}`                       | channel (public channels only) |
//! | YouTube   | 11-character video id                  | `https://www.youtube.com/watch?v={id}`               | none |
//!
//! Short links (`vm.tiktok.com`, `vt.tiktok.com`, `tiktok.com/t/…`, `fb.watch`,
//! `facebook.com/share/{p,v,r}/…`, `reddit.com/r/{sub}/s/…`) come back with
//! `unresolved_short_link = true`, no `post_id`, and the cleaned short URL
//! (https, lowercase host, no query) as `canonical`.
//!
//! Handles are kept as written (never "corrected": lookalike handles exist),
//! except Bluesky handles, which the protocol defines as case-insensitive.
//! Query strings and fragments never reach a canonical URL.

use url::{Host, Url};

use super::platform::Platform;

pub(super) mod bluesky;
pub(super) mod facebook;
pub(super) mod instagram;
pub(super) mod mastodon;
pub(super) mod reddit;
pub(super) mod telegram;
pub(super) mod threads;
pub(super) mod tiktok;
pub(super) mod x;
pub(super) mod youtube;

/// A URL recognised as naming one post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostUrl {
    pub platform: Platform,
    /// Stable id of the post on its platform; None only for short links that cannot be resolved offline.
    pub post_id: Option<String>,
    /// Canonical URL to store (see below); for unresolvable short links, the short URL itself (cleaned).
    pub canonical: String,
    /// Author handle/user named by the URL, without '@', when the URL names one (never guessed).
    pub handle: Option<String>,
    /// True for short links (vm.tiktok.com, vt.tiktok.com, fb.watch, ...) whose post cannot be known without following a redirect.
    pub unresolved_short_link: bool,
}

/// Longest input considered; anything longer is not a URL worth parsing.
const MAX_INPUT_LEN: usize = 16 * 1024;

/// How many `plugins/post.php?href=…` wrappers are unwrapped.
const MAX_DEPTH: u8 = 2;

/// Recognise a URL pointing at ONE post of a known platform. Returns None for anything else: profiles, timelines, hashtags, search, intent/share buttons, channels, playlists, lists, events, homepages, malformed URLs.
pub fn parse_post_url(raw: &str) -> Option<PostUrl> {
    parse_at_depth(raw, 0)
}

fn parse_at_depth(raw: &str, depth: u8) -> Option<PostUrl> {
    if raw.len() > MAX_INPUT_LEN || depth > MAX_DEPTH {
        return None;
    }
    let cleaned = clean_input(raw);
    if let Some(rest) = strip_prefix_ignore_case(&cleaned, "at://") {
        return bluesky::at_uri(rest);
    }
    let (url, schemeless) = parse_web_url(&cleaned)?;
    let link = Link::new(&url)?;
    dispatch(&link, schemeless, depth)
}

// ---------------------------------------------------------------------------
// Input cleaning and URL parsing
// ---------------------------------------------------------------------------

/// HTML character references that survive in attribute values copied verbatim.
const ENTITIES: [(&str, &str); 16] = [
    ("&amp;", "&"),
    ("&#38;", "&"),
    ("&#038;", "&"),
    ("&#x26;", "&"),
    ("&#X26;", "&"),
    ("&#47;", "/"),
    ("&#x2f;", "/"),
    ("&#x2F;", "/"),
    ("&#61;", "="),
    ("&#x3d;", "="),
    ("&#x3D;", "="),
    ("&#63;", "?"),
    ("&#x3f;", "?"),
    ("&#x3F;", "?"),
    ("&#58;", ":"),
    ("&#35;", "#"),
];

/// Trims, decodes the few HTML entities seen in URLs (also double-escaped
/// `&amp;amp;`) and drops markdown escapes (`\_`, `\-`, ...).
fn clean_input(raw: &str) -> String {
    let mut s = raw.trim().to_string();
    for _ in 0..3 {
        if !s.contains('&') {
            break;
        }
        let next = ENTITIES
            .iter()
            .fold(s.clone(), |acc, (entity, plain)| acc.replace(entity, plain));
        if next == s {
            break;
        }
        s = next;
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(char::is_ascii_punctuation) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Parses an http(s) URL; protocol-relative and scheme-less input get
/// `https:`. Returns whether the scheme was missing altogether.
fn parse_web_url(s: &str) -> Option<(Url, bool)> {
    let (text, schemeless) = if s.starts_with("//") {
        (format!("https:{s}"), false)
    } else if has_scheme(s) {
        (s.to_string(), false)
    } else {
        (format!("https://{s}"), true)
    };
    let url = Url::parse(&text).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    Some((url, schemeless))
}

/// True when `s` starts with `scheme:` (a scheme has no dot, so `x.com:443/…`
/// is a scheme-less host with a port).
fn has_scheme(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-')
        }
        None => false,
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// Decodes `%XX` escapes; invalid UTF-8 is replaced, never an error.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && hex.iter().all(u8::is_ascii_hexdigit)
            && let Some(b) = std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A parsed web URL with the parts every platform parser needs.
pub(crate) struct Link<'a> {
    url: &'a Url,
    /// Lowercase host, without a trailing dot or a leading `www.`.
    host: String,
    /// Lowercase host as written (keeps `www.`), plus `:port` when not the default.
    authority: String,
    /// Non-empty, percent-decoded path segments.
    segs: Vec<String>,
}

impl<'a> Link<'a> {
    fn new(url: &'a Url) -> Option<Self> {
        let Some(Host::Domain(domain)) = url.host() else {
            return None;
        };
        let full = domain.trim_end_matches('.').to_ascii_lowercase();
        if !full.contains('.') {
            return None;
        }
        let host = full.strip_prefix("www.").unwrap_or(&full).to_string();
        let authority = match url.port() {
            Some(port) => format!("{full}:{port}"),
            None => full,
        };
        let segs = path_segments(url.path());
        Some(Link {
            url,
            host,
            authority,
            segs,
        })
    }

    fn segs(&self) -> Vec<&str> {
        self.segs.iter().map(String::as_str).collect()
    }

    /// The decoded value of the first query parameter called `name`.
    fn query(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
    }
}

fn path_segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

/// True when `host` is `domain` or one of its subdomains.
fn on_domain(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

/// Sends the URL to the parser of the platform owning its host (each
/// platform's `Spec::hosts`). A known host never falls through to a
/// platform that takes any host (the fediverse); a scheme-less one never
/// reaches it.
fn dispatch(link: &Link, schemeless: bool, depth: u8) -> Option<PostUrl> {
    let h = link.host.as_str();
    let specs = Platform::ALL.map(Platform::spec);
    if let Some(spec) = specs
        .iter()
        .find(|s| s.hosts.iter().any(|pattern| host_is(h, pattern)))
    {
        return (spec.url)(link, depth);
    }
    if schemeless {
        return None;
    }
    specs
        .iter()
        .filter(|s| s.hosts.is_empty())
        .find_map(|s| (s.url)(link, depth))
}

/// Whether `host` (lowercase, no `www.`) is one a `Spec::hosts` pattern
/// names: `domain` (and its subdomains), `=host` (that host only), or
/// `prefix.*` (any host name after the prefix).
pub(super) fn host_is(host: &str, pattern: &str) -> bool {
    if let Some(exact) = pattern.strip_prefix('=') {
        host == exact
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        host.strip_prefix(prefix)
            .is_some_and(|rest| is_hostname(rest, 1))
    } else {
        on_domain(host, pattern)
    }
}

// ---------------------------------------------------------------------------
// Small validators and constructors
// ---------------------------------------------------------------------------

/// ASCII letters and digits plus the bytes in `extra`, `min..=max` long.
fn is_word(s: &str, min: usize, max: usize, extra: &[u8]) -> bool {
    (min..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

fn is_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// A positive decimal id of at most 20 digits that fits in a `u64`, normalised.
fn u64_id(s: &str, min_digits: usize) -> Option<String> {
    if !is_digits(s, min_digits, 20) {
        return None;
    }
    s.parse::<u64>()
        .ok()
        .filter(|&n| n > 0)
        .map(|n| n.to_string())
}

/// A DNS name with at least `min_labels` labels.
fn is_hostname(s: &str, min_labels: usize) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= min_labels
        && labels
            .iter()
            .all(|l| is_word(l, 1, 63, b"-") && !l.starts_with('-') && !l.ends_with('-'))
}

/// Instagram/Threads media shortcode (11 characters for public posts,
/// longer for private ones).
fn is_shortcode(code: &str) -> bool {
    is_word(code, 5, 64, b"_-")
}
fn is_reserved(word: &str, reserved: &[&str]) -> bool {
    reserved.iter().any(|r| r.eq_ignore_ascii_case(word))
}

fn found(
    platform: Platform,
    post_id: String,
    canonical: String,
    handle: Option<String>,
) -> Option<PostUrl> {
    Some(PostUrl {
        platform,
        post_id: Some(post_id),
        canonical,
        handle,
        unresolved_short_link: false,
    })
}

fn short_link(platform: Platform, canonical: String) -> Option<PostUrl> {
    Some(PostUrl {
        platform,
        post_id: None,
        canonical,
        handle: None,
        unresolved_short_link: true,
    })
}

#[cfg(test)]
mod tests;
