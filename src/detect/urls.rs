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
        return bluesky_at_uri(rest);
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
struct Link<'a> {
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

/// Sends the URL to the parser of the platform owning its host. A known host
/// never falls through to the generic Mastodon shape.
fn dispatch(link: &Link, schemeless: bool, depth: u8) -> Option<PostUrl> {
    let h = link.host.as_str();
    if is_x_host(h) {
        x(link)
    } else if on_domain(h, "bsky.app") {
        bluesky(link)
    } else if on_domain(h, "threads.net") || on_domain(h, "threads.com") {
        threads(link)
    } else if on_domain(h, "instagram.com") || on_domain(h, "instagr.am") {
        instagram(link)
    } else if h == "fb.watch" {
        fb_watch(link)
    } else if on_domain(h, "facebook.com") || on_domain(h, "fb.com") {
        facebook(link, depth)
    } else if on_domain(h, "tiktok.com") {
        tiktok(link)
    } else if on_domain(h, "reddit.com") || on_domain(h, "redditmedia.com") || h == "redd.it" {
        reddit(link)
    } else if matches!(h, "t.me" | "telegram.me" | "telegram.dog") {
        telegram(link)
    } else if on_domain(h, "youtube.com") || on_domain(h, "youtube-nocookie.com") || h == "youtu.be"
    {
        youtube(link)
    } else if schemeless || is_excluded_from_mastodon(h) {
        None
    } else {
        mastodon(link)
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

// ---------------------------------------------------------------------------
// X / Twitter
// ---------------------------------------------------------------------------

/// First path segments that are X features, not users.
const X_RESERVED: &[&str] = &[
    "intent",
    "hashtag",
    "search",
    "home",
    "share",
    "explore",
    "settings",
    "notifications",
    "messages",
    "compose",
    "login",
    "logout",
    "signup",
    "account",
    "tos",
    "privacy",
];

fn is_x_host(h: &str) -> bool {
    const DOMAINS: [&str; 6] = [
        "twitter.com",
        "x.com",
        "fxtwitter.com",
        "vxtwitter.com",
        "fixupx.com",
        "fixvx.com",
    ];
    DOMAINS.iter().any(|d| on_domain(h, d))
        || h.strip_prefix("nitter.")
            .is_some_and(|rest| is_hostname(rest, 1))
}

/// `/{user}/status/{id}`, `/{user}/statuses/{id}`, `/i/web/status/{id}`,
/// `/i/status/{id}`, `/#!/{user}/status/{id}`, `/@{user}/status/{id}`, with
/// any trailing view (`/photo/1`, `/analytics`, ...), and the widget iframe
/// `platform.twitter.com/embed/Tweet.html?id={id}`.
fn x(link: &Link) -> Option<PostUrl> {
    let hashbang;
    let segs = match x_hashbang_segments(link.url) {
        Some(from_fragment) => {
            hashbang = from_fragment;
            hashbang.iter().map(String::as_str).collect()
        }
        None => link.segs(),
    };
    let (user, id) = match segs.as_slice() {
        ["embed", "Tweet.html" | "index.html"] => (None, link.query("id")?),
        ["i", "web", "status", id, ..] | ["i", "status", id, ..] => (None, id.to_string()),
        [user, "status" | "statuses", id, ..] => (Some(*user), id.to_string()),
        _ => return None,
    };
    let id = u64_id(&id, 1)?;
    let handle = match user.map(|u| u.strip_prefix('@').unwrap_or(u)) {
        None => None,
        Some(u) if u.eq_ignore_ascii_case("i") => None,
        Some(u) if is_reserved(u, X_RESERVED) || !is_word(u, 1, 50, b"_") => return None,
        Some(u) if is_digits(u, 1, 50) => None,
        Some(u) => Some(u.to_string()),
    };
    let canonical = match &handle {
        Some(h) => format!("https://x.com/{h}/status/{id}"),
        None => format!("https://x.com/i/status/{id}"),
    };
    found(Platform::X, id, canonical, handle)
}

/// Path segments of an old `/#!/user/status/id` URL (also `#%21/`).
fn x_hashbang_segments(url: &Url) -> Option<Vec<String>> {
    if url.path() != "/" {
        return None;
    }
    let fragment = percent_decode(url.fragment()?);
    let rest = fragment.strip_prefix('!')?;
    let rest = rest.split('?').next().unwrap_or_default();
    Some(path_segments(rest))
}

// ---------------------------------------------------------------------------
// Bluesky
// ---------------------------------------------------------------------------

/// `bsky.app/profile/{actor}/post/{rkey}` (also `staging.`) and the embed
/// iframe `embed.bsky.app/embed/{did}/app.bsky.feed.post/{rkey}`.
/// `go.bsky.app` short links (starter packs, not posts) are not recognised.
fn bluesky(link: &Link) -> Option<PostUrl> {
    let segs = link.segs();
    match (link.host.as_str(), segs.as_slice()) {
        ("bsky.app" | "staging.bsky.app", ["profile", actor, "post", rkey, ..]) => {
            bluesky_post(actor, rkey)
        }
        ("embed.bsky.app", ["embed", actor, "app.bsky.feed.post", rkey]) => {
            bluesky_post(actor, rkey)
        }
        _ => None,
    }
}

/// `at://{did-or-handle}/app.bsky.feed.post/{rkey}` (the part after `at://`).
fn bluesky_at_uri(rest: &str) -> Option<PostUrl> {
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let segs = path_segments(rest);
    match segs
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [actor, "app.bsky.feed.post", rkey] => bluesky_post(actor, rkey),
        _ => None,
    }
}

fn bluesky_post(actor: &str, rkey: &str) -> Option<PostUrl> {
    let (actor, handle) = if is_did(actor) {
        (actor.to_string(), None)
    } else if is_hostname(actor, 2) {
        let h = actor.to_ascii_lowercase();
        (h.clone(), Some(h))
    } else {
        return None;
    };
    if !is_word(rkey, 1, 512, b"._:~-") || rkey == "." || rkey == ".." {
        return None;
    }
    found(
        Platform::Bluesky,
        format!("at://{actor}/app.bsky.feed.post/{rkey}"),
        format!("https://bsky.app/profile/{actor}/post/{rkey}"),
        handle,
    )
}

/// `did:{method}:{id}` as the AT Protocol allows it.
fn is_did(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("did:") else {
        return false;
    };
    let Some((method, id)) = rest.split_once(':') else {
        return false;
    };
    is_word(method, 1, 32, b"")
        && method.bytes().all(|b| b.is_ascii_lowercase())
        && is_word(id, 1, 2048, b"._:%-")
        && !id.ends_with([':', '%'])
}

// ---------------------------------------------------------------------------
// Mastodon (any other host)
// ---------------------------------------------------------------------------

/// Hosts that use `/@user/…` paths but are not fediverse servers.
const NOT_MASTODON: &[&str] = &[
    "medium.com",
    "substack.com",
    "linkedin.com",
    "github.com",
    "gitlab.com",
    "pinterest.com",
    "tumblr.com",
    "soundcloud.com",
    "vimeo.com",
    "twitch.tv",
    "spotify.com",
    "snapchat.com",
    "patreon.com",
    "google.com",
    "apple.com",
    "wikipedia.org",
    "archive.org",
];

fn is_excluded_from_mastodon(h: &str) -> bool {
    NOT_MASTODON.iter().any(|d| on_domain(h, d))
}

/// `/@{user}/{id}` (+ `/embed`, `/reblogs`, `/favourites`) and
/// `/users/{user}/statuses/{id}` on any host not claimed by another platform;
/// the id must be numeric with at least 6 digits.
fn mastodon(link: &Link) -> Option<PostUrl> {
    let segs = link.segs();
    let (user, id) = match segs.as_slice() {
        [at_user, id] | [at_user, id, "embed" | "reblogs" | "favourites"] => {
            (at_user.strip_prefix('@')?, *id)
        }
        ["users", user, "statuses", id] | ["users", user, "statuses", id, "activity"] => {
            (*user, *id)
        }
        _ => return None,
    };
    let id = u64_id(id, 6)?;
    let (local, remote) = match user.split_once('@') {
        Some((local, remote)) => (local, Some(remote)),
        None => (user, None),
    };
    if !is_word(local, 1, 64, b"_.-") || local.starts_with(['.', '-']) {
        return None;
    }
    let instance = link
        .authority
        .strip_prefix("www.")
        .unwrap_or(&link.authority);
    let handle = match remote {
        Some(remote) if is_hostname(remote, 2) => {
            format!("{local}@{}", remote.to_ascii_lowercase())
        }
        Some(_) => return None,
        None => format!("{local}@{}", link.host),
    };
    let written = match remote {
        Some(_) => handle.clone(),
        None => local.to_string(),
    };
    found(
        Platform::Mastodon,
        format!("{instance}/{id}"),
        format!("https://{}/@{written}/{id}", link.authority),
        Some(handle),
    )
}

// ---------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------

/// `threads.net` / `threads.com`: `/@{user}/post/{code}` and `/t/{code}`.
fn threads(link: &Link) -> Option<PostUrl> {
    let segs = link.segs();
    let (user, code) = match segs.as_slice() {
        [at_user, "post", code, ..] => (Some(at_user.strip_prefix('@')?), *code),
        ["t", code, ..] => (None, *code),
        _ => return None,
    };
    if !is_shortcode(code) {
        return None;
    }
    let canonical = match user {
        Some(u) if is_word(u, 1, 50, b"._") => format!("https://www.threads.net/@{u}/post/{code}"),
        Some(_) => return None,
        None => format!("https://www.threads.net/t/{code}"),
    };
    found(
        Platform::Threads,
        code.to_string(),
        canonical,
        user.map(str::to_string),
    )
}

/// Instagram/Threads media shortcode (11 characters for public posts,
/// longer for private ones).
fn is_shortcode(code: &str) -> bool {
    is_word(code, 5, 64, b"_-")
}

// ---------------------------------------------------------------------------
// Instagram
// ---------------------------------------------------------------------------

const INSTAGRAM_RESERVED: &[&str] = &[
    "explore",
    "accounts",
    "stories",
    "p",
    "reel",
    "reels",
    "tv",
    "direct",
    "about",
    "legal",
    "developer",
    "audio",
];

/// `/p/{code}`, `/reel/{code}`, `/reels/{code}`, `/tv/{code}` and
/// `/{user}/p/{code}` (also `/{user}/reel/…`), with any suffix such as
/// `/embed/captioned/`. Canonical is always `/p/{code}/`.
fn instagram(link: &Link) -> Option<PostUrl> {
    let segs = link.segs();
    let (user, code) = match segs.as_slice() {
        ["p" | "reel" | "reels" | "tv", code, ..] => (None, *code),
        [user, "p" | "reel" | "tv", code, ..] => (Some(*user), *code),
        _ => return None,
    };
    if !is_shortcode(code) || is_reserved(code, INSTAGRAM_RESERVED) {
        return None;
    }
    if let Some(u) = user
        && (!is_word(u, 1, 50, b"._") || is_reserved(u, INSTAGRAM_RESERVED))
    {
        return None;
    }
    found(
        Platform::Instagram,
        code.to_string(),
        format!("https://www.instagram.com/p/{code}/"),
        user.map(str::to_string),
    )
}

// ---------------------------------------------------------------------------
// Facebook
// ---------------------------------------------------------------------------

/// First path segments that are Facebook features, not pages.
const FACEBOOK_RESERVED: &[&str] = &[
    "groups",
    "watch",
    "events",
    "pages",
    "people",
    "profile.php",
    "sharer.php",
    "share.php",
    "sharer",
    "share",
    "dialog",
    "plugins",
    "photo",
    "photo.php",
    "video",
    "video.php",
    "reel",
    "reels",
    "story.php",
    "permalink.php",
    "hashtag",
    "marketplace",
    "gaming",
    "login",
    "help",
    "settings",
    "search",
    "notes",
    "media",
    "l.php",
    "stories",
];

/// A Facebook object id: numeric, or a `pfbid…` post id when `pfbid` is set.
fn facebook_id(s: &str, pfbid: bool) -> Option<String> {
    let ok = is_digits(s, 1, 25)
        || (pfbid
            && s.strip_prefix("pfbid")
                .is_some_and(|rest| is_word(rest, 10, 200, b"")));
    (ok && s.bytes().any(|b| b != b'0')).then(|| s.to_string())
}

fn facebook_page(page: &str) -> Option<&str> {
    (is_word(page, 1, 100, b"._-") && !is_reserved(page, FACEBOOK_RESERVED)).then_some(page)
}

/// The page's vanity name, if it is one (numeric ids are not handles).
fn vanity(page: &str) -> Option<String> {
    (!is_digits(page, 1, 100)).then(|| page.to_string())
}

/// Canonical forms: posts `https://www.facebook.com/{page}/posts/{id}` (page
/// may be numeric) or `https://www.facebook.com/{id}` when the page is
/// unknown; group posts `…/groups/{group}/posts/{id}`; videos
/// `…/{page}/videos/{id}` or `…/watch/?v={id}`; photos `…/photo/?fbid={id}`;
/// reels `…/reel/{id}`. `plugins/post.php` and `plugins/video.php` iframes are
/// unwrapped through their `href`. `/share/{p,v,r}/{code}` are short links.
fn facebook(link: &Link, depth: u8) -> Option<PostUrl> {
    let segs = link.segs();
    match segs.as_slice() {
        ["plugins", "post.php" | "video.php"] => parse_at_depth(&link.query("href")?, depth + 1)
            .filter(|p| p.platform == Platform::Facebook),
        ["share", kind @ ("p" | "v" | "r"), code, ..] if is_word(code, 3, 64, b"_-") => short_link(
            Platform::Facebook,
            format!("https://www.facebook.com/share/{kind}/{code}/"),
        ),
        ["watch", ..] | ["video.php"] => facebook_video(None, &link.query("v")?),
        ["photo.php"] | ["photo"] => facebook_photo(None, &link.query("fbid")?),
        ["permalink.php"] | ["story.php"] => {
            let id = facebook_id(&link.query("story_fbid")?, true)?;
            let page = link.query("id").filter(|p| is_digits(p, 1, 25));
            facebook_post(page.as_deref(), id)
        }
        ["groups", group, "posts" | "permalink", id, ..] if is_word(group, 1, 100, b"._-") => {
            let id = facebook_id(id, true)?;
            found(
                Platform::Facebook,
                id.clone(),
                format!("https://www.facebook.com/groups/{group}/posts/{id}"),
                None,
            )
        }
        ["reel", id, ..] => {
            let id = facebook_id(id, false)?;
            found(
                Platform::Facebook,
                id.clone(),
                format!("https://www.facebook.com/reel/{id}"),
                None,
            )
        }
        [page, "posts", first, rest @ ..] => {
            let page = facebook_page(page)?;
            // Old shape `/posts/{slug}/{id}`.
            let id = facebook_id(first, true)
                .or_else(|| rest.first().and_then(|id| facebook_id(id, false)))?;
            facebook_post(Some(page), id)
        }
        [page, "videos", first, rest @ ..] => {
            let page = facebook_page(page)?;
            // `/videos/{id}`, `/videos/{slug}/{id}`, `/videos/vb.{page}/{id}`.
            let id = if is_digits(first, 1, 25) {
                *first
            } else {
                rest.first()?
            };
            facebook_video(Some(page), id)
        }
        [page, "photos", first, rest @ ..] => {
            let page = facebook_page(page)?;
            // `/photos/{id}`, `/photos/a.{album}/{id}`, `/photos/pcb.{post}/{id}`.
            let id = if is_digits(first, 1, 25) {
                *first
            } else {
                rest.first()?
            };
            facebook_photo(Some(page), id)
        }
        _ => None,
    }
}

fn facebook_post(page: Option<&str>, id: String) -> Option<PostUrl> {
    let canonical = match page {
        Some(p) => format!("https://www.facebook.com/{p}/posts/{id}"),
        None => format!("https://www.facebook.com/{id}"),
    };
    found(Platform::Facebook, id, canonical, page.and_then(vanity))
}

fn facebook_video(page: Option<&str>, id: &str) -> Option<PostUrl> {
    let id = facebook_id(id, false)?;
    let canonical = match page {
        Some(p) => format!("https://www.facebook.com/{p}/videos/{id}"),
        None => format!("https://www.facebook.com/watch/?v={id}"),
    };
    found(Platform::Facebook, id, canonical, page.and_then(vanity))
}

fn facebook_photo(page: Option<&str>, id: &str) -> Option<PostUrl> {
    let id = facebook_id(id, false)?;
    let canonical = format!("https://www.facebook.com/photo/?fbid={id}");
    found(Platform::Facebook, id, canonical, page.and_then(vanity))
}

/// `fb.watch/{code}`: a short link to a video.
fn fb_watch(link: &Link) -> Option<PostUrl> {
    match link.segs().as_slice() {
        [code] if is_word(code, 3, 32, b"_-") => {
            short_link(Platform::Facebook, format!("https://fb.watch/{code}/"))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// TikTok
// ---------------------------------------------------------------------------

/// `/@{user}/video/{id}`, `/@{user}/photo/{id}`, `/embed/v2/{id}`,
/// `/embed/{id}`, the player iframe `/player/v1/{id}`, `/v/{id}.html`; short links `vm.`/`vt.tiktok.com/{code}`
/// and `tiktok.com/t/{code}`.
fn tiktok(link: &Link) -> Option<PostUrl> {
    let segs = link.segs();
    if matches!(link.host.as_str(), "vm.tiktok.com" | "vt.tiktok.com") {
        return match segs.as_slice() {
            [code, ..] if is_word(code, 4, 32, b"") => {
                short_link(Platform::TikTok, format!("https://{}/{code}/", link.host))
            }
            _ => None,
        };
    }
    let (user, kind, id) = match segs.as_slice() {
        [at_user, kind @ ("video" | "photo"), id, ..] => {
            (Some(at_user.strip_prefix('@')?), *kind, *id)
        }
        ["embed", "v2", id, ..] | ["embed", id, ..] | ["player", "v1", id, ..] => {
            (None, "video", *id)
        }
        ["v", file] => (None, "video", file.strip_suffix(".html").unwrap_or(file)),
        ["t", code, ..] if is_word(code, 4, 32, b"") => {
            return short_link(
                Platform::TikTok,
                format!("https://www.tiktok.com/t/{code}/"),
            );
        }
        _ => return None,
    };
    let id = u64_id(id, 1)?;
    let canonical = match user {
        Some(u) if is_word(u, 1, 50, b"._") => format!("https://www.tiktok.com/@{u}/{kind}/{id}"),
        Some(_) => return None,
        None => format!("https://www.tiktok.com/embed/v2/{id}"),
    };
    found(Platform::TikTok, id, canonical, user.map(str::to_string))
}

// ---------------------------------------------------------------------------
// Reddit
// ---------------------------------------------------------------------------

/// Where a Reddit post lives, as named by its URL.
enum RedditPlace<'a> {
    Subreddit(&'a str),
    User(&'a str),
    Unknown,
}

/// Posts `/r/{sub}/comments/{id36}/…`, `/user/{u}/comments/{id36}/…`,
/// `/comments/{id36}/…`, `/gallery/{id36}`, `redd.it/{id36}`; comments
/// `…/comments/{id36}/{slug}/{cid}/` and `…/comments/{id36}/comment/{cid}/`
/// (`post_id` `{id36}/{cid}`). Ids are lowercased. Canonical
/// `https://www.reddit.com/r/{sub}/comments/{id36}/` (+ `comment/{cid}/`),
/// `…/user/{u}/comments/{id36}/` (+ `comment/{cid}/`), or
/// `…/comments/{id36}/` (+ `_/{cid}/`) when the subreddit is unknown.
/// `/r/{sub}/s/{code}` share links are short links. The embed hosts
/// `embed.reddit.com` and `redditmedia.com` have the same paths.
fn reddit(link: &Link) -> Option<PostUrl> {
    let segs = link.segs();
    if link.host == "redd.it" {
        return match segs.as_slice() {
            [id] => reddit_post(RedditPlace::Unknown, id, &[]),
            _ => None,
        };
    }
    match segs.as_slice() {
        ["r", sub, "s", code, ..] if is_subreddit(sub) && is_word(code, 4, 32, b"") => short_link(
            Platform::Reddit,
            format!("https://www.reddit.com/r/{sub}/s/{code}"),
        ),
        ["r", sub, "comments", id, rest @ ..] if is_subreddit(sub) => {
            reddit_post(RedditPlace::Subreddit(sub), id, rest)
        }
        ["user" | "u", user, "comments", id, rest @ ..] if is_word(user, 1, 50, b"_-") => {
            reddit_post(RedditPlace::User(user), id, rest)
        }
        ["comments", id, rest @ ..] => reddit_post(RedditPlace::Unknown, id, rest),
        ["gallery", id] => reddit_post(RedditPlace::Unknown, id, &[]),
        _ => None,
    }
}

fn reddit_post(place: RedditPlace, id: &str, rest: &[&str]) -> Option<PostUrl> {
    let id = id36(id)?;
    let comment = match rest {
        ["comment", cid, ..] => Some(id36(cid)?),
        [_slug, cid, ..] if *cid != "comment" => id36(cid),
        _ => None,
    };
    let (base, handle) = match place {
        RedditPlace::Subreddit(sub) => (
            format!("https://www.reddit.com/r/{sub}/comments/{id}/"),
            None,
        ),
        RedditPlace::User(u) => (
            format!("https://www.reddit.com/user/{u}/comments/{id}/"),
            Some(u.to_string()),
        ),
        RedditPlace::Unknown => (format!("https://www.reddit.com/comments/{id}/"), None),
    };
    let (post_id, canonical) = match comment {
        None => (id, base),
        Some(cid) => {
            let infix = match place {
                RedditPlace::Unknown => "_",
                _ => "comment",
            };
            (format!("{id}/{cid}"), format!("{base}{infix}/{cid}/"))
        }
    };
    found(Platform::Reddit, post_id, canonical, handle)
}

/// A base-36 Reddit id (lowercased).
fn id36(s: &str) -> Option<String> {
    is_word(s, 1, 13, b"").then(|| s.to_ascii_lowercase())
}

fn is_subreddit(s: &str) -> bool {
    is_word(s, 2, 50, b"_")
}

// ---------------------------------------------------------------------------
// Telegram
// ---------------------------------------------------------------------------

const TELEGRAM_RESERVED: &[&str] = &[
    "s",
    "c",
    "joinchat",
    "addstickers",
    "addemoji",
    "addtheme",
    "addlist",
    "share",
    "proxy",
    "socks",
    "iv",
    "login",
    "setlanguage",
    "bg",
    "invoice",
    "boost",
    "contact",
    "confirmphone",
    "giftcode",
    "m",
];

/// `/{channel}/{id}`, `/s/{channel}/{id}`, `/c/{internal}/{id}`, and forum
/// topics `/{channel}/{topic}/{id}` (stored as `{channel}/{id}`).
fn telegram(link: &Link) -> Option<PostUrl> {
    let segs = link.segs();
    match segs.as_slice() {
        ["c", internal, rest @ ..] => {
            let internal = u64_id(internal, 1)?;
            let id = telegram_message_id(rest)?;
            found(
                Platform::Telegram,
                format!("c/{internal}/{id}"),
                format!("https://t.me/c/{internal}/{id}"),
                None,
            )
        }
        ["s", channel, rest @ ..] | [channel, rest @ ..] => {
            let valid = channel.starts_with(|c: char| c.is_ascii_alphabetic())
                && is_word(channel, 3, 64, b"_")
                && !is_reserved(channel, TELEGRAM_RESERVED);
            if !valid {
                return None;
            }
            let id = telegram_message_id(rest)?;
            found(
                Platform::Telegram,
                format!("{channel}/{id}"),
                format!("https://t.me/{channel}/{id}"),
                Some(channel.to_string()),
            )
        }
        _ => None,
    }
}

/// `{id}` or `{topic}/{id}`.
fn telegram_message_id(rest: &[&str]) -> Option<String> {
    match rest {
        [id] => u64_id(id, 1),
        [topic, id] => u64_id(topic, 1).and_then(|_| u64_id(id, 1)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// YouTube
// ---------------------------------------------------------------------------

/// `/watch?v={id}`, `/embed/{id}`, `/v/{id}`, `/e/{id}`, `/shorts/{id}`,
/// `/live/{id}`, `youtu.be/{id}`; the id is exactly 11 characters.
fn youtube(link: &Link) -> Option<PostUrl> {
    let segs = link.segs();
    let id = if link.host == "youtu.be" {
        match segs.as_slice() {
            // Old links glued parameters to the id: `youtu.be/{id}&t=10`.
            [id] => id.split('&').next().unwrap_or_default().to_string(),
            _ => return None,
        }
    } else {
        match segs.as_slice() {
            ["watch"] => link.query("v")?,
            ["embed" | "v" | "e" | "shorts" | "live", id] => id.to_string(),
            _ => return None,
        }
    };
    // Eleven-character words that are not videos (`/embed/videoseries?list=`).
    if !is_word(&id, 11, 11, b"_-") || matches!(id.as_str(), "videoseries" | "live_stream") {
        return None;
    }
    found(
        Platform::YouTube,
        id.clone(),
        format!("https://www.youtube.com/watch?v={id}"),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `raw` names the post `id` with the given canonical URL and handle.
    #[track_caller]
    fn assert_post(raw: &str, platform: Platform, id: &str, canonical: &str, handle: Option<&str>) {
        let expected = PostUrl {
            platform,
            post_id: Some(id.to_string()),
            canonical: canonical.to_string(),
            handle: handle.map(str::to_string),
            unresolved_short_link: false,
        };
        assert_eq!(parse_post_url(raw), Some(expected), "input: {raw:?}");
    }

    #[track_caller]
    fn assert_short(raw: &str, platform: Platform, canonical: &str) {
        let expected = PostUrl {
            platform,
            post_id: None,
            canonical: canonical.to_string(),
            handle: None,
            unresolved_short_link: true,
        };
        assert_eq!(parse_post_url(raw), Some(expected), "input: {raw:?}");
    }

    #[track_caller]
    fn assert_none(raw: &str) {
        assert_eq!(parse_post_url(raw), None, "input: {raw:?}");
    }

    // ----- X -----------------------------------------------------------------

    const JACK: &str = "https://x.com/jack/status/20";

    #[test]
    fn x_status_paths() {
        let x = Platform::X;
        assert_post(
            "https://twitter.com/jack/status/20",
            x,
            "20",
            JACK,
            Some("jack"),
        );
        assert_post("https://x.com/jack/status/20", x, "20", JACK, Some("jack"));
        assert_post(
            "http://twitter.com/jack/statuses/20",
            x,
            "20",
            JACK,
            Some("jack"),
        );
        assert_post(
            "https://twitter.com/@jack/status/20",
            x,
            "20",
            JACK,
            Some("jack"),
        );
        assert_post(
            "https://twitter.com/jack/status/20/",
            x,
            "20",
            JACK,
            Some("jack"),
        );
        assert_post(
            "https://twitter.com/i/web/status/1225455484259442691",
            x,
            "1225455484259442691",
            "https://x.com/i/status/1225455484259442691",
            None,
        );
        assert_post(
            "https://x.com/i/status/1581661660728950784",
            x,
            "1581661660728950784",
            "https://x.com/i/status/1581661660728950784",
            None,
        );
        // A numeric user id in place of the handle.
        assert_post(
            "https://twitter.com/783214/status/1721144944059118002",
            x,
            "1721144944059118002",
            "https://x.com/i/status/1721144944059118002",
            None,
        );
        // Handles keep their case and underscores.
        assert_post(
            "https://twitter.com/Visegrad24/status/996650856568295425",
            x,
            "996650856568295425",
            "https://x.com/Visegrad24/status/996650856568295425",
            Some("Visegrad24"),
        );
        // Largest u64.
        assert_post(
            "https://x.com/a_b/status/18446744073709551615",
            x,
            "18446744073709551615",
            "https://x.com/a_b/status/18446744073709551615",
            Some("a_b"),
        );
    }

    #[test]
    fn x_hashbang_urls() {
        let x = Platform::X;
        assert_post(
            "https://twitter.com/#!/jack/status/20",
            x,
            "20",
            JACK,
            Some("jack"),
        );
        assert_post(
            "http://twitter.com/#%21/jack/status/20",
            x,
            "20",
            JACK,
            Some("jack"),
        );
        assert_post(
            "https://twitter.com/#!/jack/statuses/20/",
            x,
            "20",
            JACK,
            Some("jack"),
        );
        assert_none("https://twitter.com/#!/jack");
        assert_none("https://twitter.com/#!/search/foo");
    }

    #[test]
    fn x_suffixes() {
        let x = Platform::X;
        for suffix in [
            "/photo/1",
            "/photo/4",
            "/video/1",
            "/analytics",
            "/likes",
            "/retweets",
            "/retweets/with_comments",
            "/quotes",
        ] {
            let raw = format!("https://twitter.com/jack/status/20{suffix}");
            assert_post(&raw, x, "20", JACK, Some("jack"));
        }
    }

    #[test]
    fn x_hosts() {
        let x = Platform::X;
        for host in [
            "www.twitter.com",
            "mobile.twitter.com",
            "m.twitter.com",
            "de.twitter.com",
            "www.x.com",
            "mobile.x.com",
            "TWITTER.COM",
            "Mobile.Twitter.Com",
            "twitter.com.",
            "fxtwitter.com",
            "vxtwitter.com",
            "d.fxtwitter.com",
            "fixupx.com",
            "fixvx.com",
            "nitter.net",
            "nitter.poast.org",
            "nitter.privacydev.net",
        ] {
            let raw = format!("https://{host}/jack/status/20");
            assert_post(&raw, x, "20", JACK, Some("jack"));
        }
    }

    #[test]
    fn x_query_noise() {
        let x = Platform::X;
        for raw in [
            "https://twitter.com/jack/status/20?s=20",
            "https://twitter.com/jack/status/20?s=46&t=AbC-dEf_123",
            "https://twitter.com/jack/status/20?lang=fr",
            "https://twitter.com/jack/status/20?ref_src=twsrc%5Etfw",
            "https://twitter.com/jack/status/20?ref_src=twsrc%5Etfw&amp;ref_url=https%3A%2F%2Fexample.com%2F",
            "https://twitter.com/jack/status/20?ref_src=twsrc%5Etfw&#038;ref_url=x",
            "https://nitter.net/jack/status/20#m",
            "  https://twitter.com/jack/status/20\n",
        ] {
            assert_post(raw, x, "20", JACK, Some("jack"));
        }
    }

    #[test]
    fn x_markdown_escapes_and_protocol_relative() {
        let x = Platform::X;
        assert_post(
            r"https://twitter.com/some\_user/status/20",
            x,
            "20",
            "https://x.com/some_user/status/20",
            Some("some_user"),
        );
        assert_post("//twitter.com/jack/status/20", x, "20", JACK, Some("jack"));
        assert_post("twitter.com/jack/status/20", x, "20", JACK, Some("jack"));
        assert_post("x.com/jack/status/20?s=20", x, "20", JACK, Some("jack"));
    }

    #[test]
    fn x_widget_iframe() {
        assert_post(
            "https://platform.twitter.com/embed/Tweet.html?dnt=false&id=1225455484259442691&lang=en",
            Platform::X,
            "1225455484259442691",
            "https://x.com/i/status/1225455484259442691",
            None,
        );
        assert_none("https://platform.twitter.com/embed/Tweet.html?dnt=false");
        assert_none("https://platform.twitter.com/widgets.js");
    }

    #[test]
    fn x_leading_zeros_are_normalised() {
        assert_post(
            "https://x.com/jack/status/0020",
            Platform::X,
            "20",
            JACK,
            Some("jack"),
        );
    }

    #[test]
    fn x_non_posts() {
        for raw in [
            "https://twitter.com/",
            "https://twitter.com",
            "https://twitter.com/jack",
            "https://twitter.com/jack/",
            "https://twitter.com/jack/with_replies",
            "https://twitter.com/jack/media",
            "https://twitter.com/jack/lists/friends",
            "https://twitter.com/i/lists/123456",
            "https://twitter.com/intent/tweet?text=hi&url=https%3A%2F%2Fexample.com",
            "https://twitter.com/intent/retweet?tweet_id=20",
            "https://twitter.com/intent/status/20",
            "https://twitter.com/share?url=https://example.com",
            "https://twitter.com/hashtag/rust?src=hash",
            "https://twitter.com/search?q=rust",
            "https://twitter.com/home",
            "https://twitter.com/i/events/1234567890",
            "https://twitter.com/i/moments/1234567890",
            "https://twitter.com/i/spaces/1abcdefgh",
            "https://twitter.com/jack/status/",
            "http://x.com/a/status/",
            "http://x.com/a/status/99999999999999999999999",
            "http://x.com/a/status/18446744073709551616",
            "http://x.com/a/status/0",
            "http://x.com/a/status/12ab",
            "http://x.com/a/status/-12",
            "https://x.com/some-user/status/20",
            "https://x.com/status/20",
            "https://t.co/AbCdEf",
            "https://pic.twitter.com/AbCdEf",
            "https://publish.twitter.com/oembed?url=https://twitter.com/jack/status/20",
        ] {
            assert_none(raw);
        }
    }

    #[test]
    fn x_lookalike_hosts() {
        for host in [
            "notx.com",
            "xtwitter.com",
            "twitter.com.evil.example",
            "x.com.evil.example",
            "twitter.co",
            "twittter.com",
            "nitter",
            "mynitter.net",
        ] {
            let raw = format!("https://{host}/jack/status/20");
            assert_none(&raw);
        }
    }

    #[test]
    fn x_userinfo_and_ip_hosts_are_rejected() {
        assert_none("https://user:pass@twitter.com/jack/status/20");
        assert_none("https://twitter.com@evil.example/jack/status/20");
        assert_none("https://127.0.0.1/jack/status/20");
        assert_none("https://[::1]/@jack/1234567");
    }

    // ----- Bluesky -----------------------------------------------------------

    const DID: &str = "did:plc:z72i7hdynmk6r22z27h6tvur";

    #[test]
    fn bluesky_web_urls() {
        let b = Platform::Bluesky;
        assert_post(
            "https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l",
            b,
            "at://bsky.app/app.bsky.feed.post/3l6oveex3ii2l",
            "https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l",
            Some("bsky.app"),
        );
        assert_post(
            &format!("https://bsky.app/profile/{DID}/post/3l6oveex3ii2l"),
            b,
            &format!("at://{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
            &format!("https://bsky.app/profile/{DID}/post/3l6oveex3ii2l"),
            None,
        );
        // Handles are case-insensitive: normalised to lowercase.
        assert_post(
            "https://BSKY.APP/profile/Alice.Example.COM/post/3kabc2def3ghi?ref_src=embed",
            b,
            "at://alice.example.com/app.bsky.feed.post/3kabc2def3ghi",
            "https://bsky.app/profile/alice.example.com/post/3kabc2def3ghi",
            Some("alice.example.com"),
        );
        assert_post(
            "https://staging.bsky.app/profile/alice.bsky.social/post/3kabc2def3ghi/liked-by",
            b,
            "at://alice.bsky.social/app.bsky.feed.post/3kabc2def3ghi",
            "https://bsky.app/profile/alice.bsky.social/post/3kabc2def3ghi",
            Some("alice.bsky.social"),
        );
        assert_post(
            "//bsky.app/profile/did%3Aplc%3Az72i7hdynmk6r22z27h6tvur/post/3kabc2def3ghi",
            b,
            &format!("at://{DID}/app.bsky.feed.post/3kabc2def3ghi"),
            &format!("https://bsky.app/profile/{DID}/post/3kabc2def3ghi"),
            None,
        );
    }

    #[test]
    fn bluesky_at_uris_and_embeds() {
        let b = Platform::Bluesky;
        assert_post(
            &format!("at://{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
            b,
            &format!("at://{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
            &format!("https://bsky.app/profile/{DID}/post/3l6oveex3ii2l"),
            None,
        );
        assert_post(
            "AT://alice.bsky.social/app.bsky.feed.post/3kabc2def3ghi",
            b,
            "at://alice.bsky.social/app.bsky.feed.post/3kabc2def3ghi",
            "https://bsky.app/profile/alice.bsky.social/post/3kabc2def3ghi",
            Some("alice.bsky.social"),
        );
        assert_post(
            &format!("https://embed.bsky.app/embed/{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
            b,
            &format!("at://{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
            &format!("https://bsky.app/profile/{DID}/post/3l6oveex3ii2l"),
            None,
        );
        assert_post(
            "at://did:web:example.com/app.bsky.feed.post/3kabc2def3ghi",
            b,
            "at://did:web:example.com/app.bsky.feed.post/3kabc2def3ghi",
            "https://bsky.app/profile/did:web:example.com/post/3kabc2def3ghi",
            None,
        );
    }

    #[test]
    fn bluesky_non_posts() {
        for raw in [
            "https://bsky.app/",
            "https://bsky.app/profile/alice.bsky.social",
            "https://bsky.app/profile/alice.bsky.social/post",
            "https://bsky.app/profile/alice.bsky.social/post/",
            "https://bsky.app/profile/alice.bsky.social/feed/whats-hot",
            "https://bsky.app/profile/alice.bsky.social/lists/3kabc2def3ghi",
            "https://bsky.app/search?q=rust",
            "https://bsky.app/hashtag/rust",
            "https://bsky.app/profile/not_a_handle/post/3kabc2def3ghi",
            "https://bsky.app/profile/did:/post/3kabc2def3ghi",
            "https://bsky.app/profile/alice.bsky.social/post/..",
            "https://bsky.app/profile/alice.bsky.social/post/a%20b",
            "https://go.bsky.app/AbCdEf",
            "https://embed.bsky.app/static/embed.js",
            "https://embed.bsky.app/oembed?url=at://did:plc:x/app.bsky.feed.post/abc",
            "at://did:plc:z72i7hdynmk6r22z27h6tvur",
            "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.actor.profile/self",
            "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/",
            "at://",
            "notbsky.app/profile/alice.bsky.social/post/3kabc2def3ghi",
            "https://bsky.app.evil.example/profile/alice.bsky.social/post/3kabc2def3ghi",
        ] {
            assert_none(raw);
        }
    }

    // ----- Mastodon ----------------------------------------------------------

    #[test]
    fn mastodon_urls() {
        let m = Platform::Mastodon;
        assert_post(
            "https://mastodon.social/@Gargron/109318821117356215",
            m,
            "mastodon.social/109318821117356215",
            "https://mastodon.social/@Gargron/109318821117356215",
            Some("Gargron@mastodon.social"),
        );
        assert_post(
            "https://mastodon.social/@Gargron/109318821117356215/embed",
            m,
            "mastodon.social/109318821117356215",
            "https://mastodon.social/@Gargron/109318821117356215",
            Some("Gargron@mastodon.social"),
        );
        assert_post(
            "https://Mastodon.Social/users/Gargron/statuses/109318821117356215",
            m,
            "mastodon.social/109318821117356215",
            "https://mastodon.social/@Gargron/109318821117356215",
            Some("Gargron@mastodon.social"),
        );
        // A remote account seen from another instance: the id is that instance's.
        assert_post(
            "https://hachyderm.io/@alice@example.social/111222333444555666",
            m,
            "hachyderm.io/111222333444555666",
            "https://hachyderm.io/@alice@example.social/111222333444555666",
            Some("alice@example.social"),
        );
        // `www.` is dropped from the id, kept in the URL that works.
        assert_post(
            "https://www.example.org/@news/123456",
            m,
            "example.org/123456",
            "https://www.example.org/@news/123456",
            Some("news@example.org"),
        );
        assert_post(
            "//social.example.com/@a.b-c/109318821117356215?ref=x#frag",
            m,
            "social.example.com/109318821117356215",
            "https://social.example.com/@a.b-c/109318821117356215",
            Some("a.b-c@social.example.com"),
        );
    }

    #[test]
    fn mastodon_non_posts() {
        for raw in [
            "https://mastodon.social/@Gargron",
            "https://mastodon.social/@Gargron/with_replies",
            "https://mastodon.social/@Gargron/12345",
            "https://mastodon.social/@Gargron/109318821117356215/history",
            "https://mastodon.social/users/Gargron",
            "https://mastodon.social/tags/rust",
            "https://mastodon.social/Gargron/109318821117356215",
            "https://mastodon.social/@/109318821117356215",
            "https://mastodon.social/@Gargron@/109318821117356215",
            "https://mastodon.social/@Gargron/99999999999999999999999",
            "https://medium.com/@someone/1234567890",
            "https://medium.com/@someone/my-story-1a2b3c4d5e6f",
            "https://blog.medium.com/@someone/1234567890",
            "https://substack.com/@someone/1234567890",
            "https://www.tiktok.com/@someone/1234567890",
            "https://www.youtube.com/@someone/1234567890",
            "https://www.threads.net/@someone/1234567890",
            "https://www.instagram.com/@someone/1234567890",
            "https://x.com/@someone/1234567890",
            // Without a scheme only known platforms are recognised.
            "mastodon.social/@Gargron/109318821117356215",
            "https://localhost/@Gargron/109318821117356215",
        ] {
            assert_none(raw);
        }
    }

    // ----- Threads -----------------------------------------------------------

    #[test]
    fn threads_urls() {
        let t = Platform::Threads;
        let canonical = "https://www.threads.net/@zuck/post/C1a2B3c4D5e";
        for raw in [
            "https://www.threads.net/@zuck/post/C1a2B3c4D5e",
            "https://threads.net/@zuck/post/C1a2B3c4D5e/",
            "https://www.threads.com/@zuck/post/C1a2B3c4D5e?xmt=AQGz",
            "https://threads.com/@zuck/post/C1a2B3c4D5e/media",
            "//www.threads.net/@zuck/post/C1a2B3c4D5e/embed",
        ] {
            assert_post(raw, t, "C1a2B3c4D5e", canonical, Some("zuck"));
        }
        assert_post(
            "https://www.threads.net/t/C1a2B3c4D5e",
            t,
            "C1a2B3c4D5e",
            "https://www.threads.net/t/C1a2B3c4D5e",
            None,
        );
        assert_post(
            r"https://www.threads.net/@mark.z\_1/post/C1a2B3c4D5e",
            t,
            "C1a2B3c4D5e",
            "https://www.threads.net/@mark.z_1/post/C1a2B3c4D5e",
            Some("mark.z_1"),
        );
    }

    #[test]
    fn threads_non_posts() {
        for raw in [
            "https://www.threads.net/",
            "https://www.threads.net/@zuck",
            "https://www.threads.net/@zuck/replies",
            "https://www.threads.net/@zuck/post/",
            "https://www.threads.net/zuck/post/C1a2B3c4D5e",
            "https://www.threads.net/search?q=x",
            "https://www.threads.net/@zuck/post/a!b",
            "https://threads.net.evil.example/@zuck/post/C1a2B3c4D5e",
        ] {
            assert_none(raw);
        }
    }

    // ----- Instagram ---------------------------------------------------------

    #[test]
    fn instagram_urls() {
        let i = Platform::Instagram;
        let canonical = "https://www.instagram.com/p/CaBcDeFgHiJ/";
        for raw in [
            "https://www.instagram.com/p/CaBcDeFgHiJ/",
            "https://instagram.com/p/CaBcDeFgHiJ",
            "https://m.instagram.com/p/CaBcDeFgHiJ/",
            "https://www.instagram.com/p/CaBcDeFgHiJ/?utm_source=ig_embed&amp;utm_campaign=loading",
            "https://www.instagram.com/p/CaBcDeFgHiJ/?utm_source=ig_web_copy_link&igsh=MXh2",
            "https://www.instagram.com/p/CaBcDeFgHiJ/embed/",
            "https://www.instagram.com/p/CaBcDeFgHiJ/embed/captioned/?cr=1&v=14",
            "//www.instagram.com/p/CaBcDeFgHiJ/embed",
            "https://www.instagram.com/reel/CaBcDeFgHiJ/",
            "https://www.instagram.com/reels/CaBcDeFgHiJ/",
            "https://www.instagram.com/tv/CaBcDeFgHiJ/",
            "http://instagr.am/p/CaBcDeFgHiJ/",
            "instagram.com/p/CaBcDeFgHiJ",
        ] {
            assert_post(raw, i, "CaBcDeFgHiJ", canonical, None);
        }
        assert_post(
            "https://www.instagram.com/nasa/p/CaBcDeFgHiJ/",
            i,
            "CaBcDeFgHiJ",
            canonical,
            Some("nasa"),
        );
        assert_post(
            r"https://www.instagram.com/some\_one.x/reel/C-bc\_eFgHiJ/",
            i,
            "C-bc_eFgHiJ",
            "https://www.instagram.com/p/C-bc_eFgHiJ/",
            Some("some_one.x"),
        );
    }

    #[test]
    fn instagram_non_posts() {
        for raw in [
            "https://www.instagram.com/",
            "https://www.instagram.com/nasa/",
            "https://www.instagram.com/nasa/reels/",
            "https://www.instagram.com/nasa/tagged/",
            "https://www.instagram.com/explore/tags/rust/",
            "https://www.instagram.com/explore/p/CaBcDeFgHiJ/",
            "https://www.instagram.com/reels/audio/123456789012/",
            "https://www.instagram.com/stories/nasa/3123456789012345678/",
            "https://www.instagram.com/accounts/login/",
            "https://www.instagram.com/p/",
            "https://www.instagram.com/p/abc/",
            "https://www.instagram.com/embed.js",
            "https://notinstagram.com/p/CaBcDeFgHiJ/",
        ] {
            assert_none(raw);
        }
    }

    // ----- Facebook ----------------------------------------------------------

    #[test]
    fn facebook_page_posts() {
        let f = Platform::Facebook;
        let canonical = "https://www.facebook.com/NASA/posts/10159975468811772";
        for raw in [
            "https://www.facebook.com/NASA/posts/10159975468811772",
            "https://www.facebook.com/NASA/posts/10159975468811772/",
            "https://facebook.com/NASA/posts/10159975468811772?ref=embed_post",
            "https://m.facebook.com/NASA/posts/10159975468811772",
            "https://mbasic.facebook.com/NASA/posts/10159975468811772",
            "https://web.facebook.com/NASA/posts/10159975468811772",
            "https://business.facebook.com/NASA/posts/10159975468811772",
            "https://fb.com/NASA/posts/10159975468811772",
            "//www.facebook.com/NASA/posts/10159975468811772",
            "https://www.facebook.com/NASA/posts/some-old-slug/10159975468811772",
            "https://www.facebook.com/NASA/posts/10159975468811772?comment_id=123&amp;__tn__=R",
        ] {
            assert_post(raw, f, "10159975468811772", canonical, Some("NASA"));
        }
        let pfbid = "pfbid02Xyz7aBcDeFgHiJkLmNoPqRsTuVwXyZ123456789abcdefl";
        assert_post(
            &format!("https://www.facebook.com/some.page/posts/{pfbid}"),
            f,
            pfbid,
            &format!("https://www.facebook.com/some.page/posts/{pfbid}"),
            Some("some.page"),
        );
        // Numeric page: canonical keeps it, but it is not a handle.
        assert_post(
            "https://www.facebook.com/100064424456789/posts/987654321",
            f,
            "987654321",
            "https://www.facebook.com/100064424456789/posts/987654321",
            None,
        );
    }

    #[test]
    fn facebook_permalinks_and_groups() {
        let f = Platform::Facebook;
        for raw in [
            "https://www.facebook.com/permalink.php?story_fbid=987654321&id=100064424456789",
            "https://www.facebook.com/permalink.php?story_fbid=987654321&amp;id=100064424456789",
            "https://m.facebook.com/story.php?story_fbid=987654321&id=100064424456789",
        ] {
            assert_post(
                raw,
                f,
                "987654321",
                "https://www.facebook.com/100064424456789/posts/987654321",
                None,
            );
        }
        assert_post(
            "https://www.facebook.com/story.php?story_fbid=987654321",
            f,
            "987654321",
            "https://www.facebook.com/987654321",
            None,
        );
        for raw in [
            "https://www.facebook.com/groups/rustlang/posts/1234567890/",
            "https://www.facebook.com/groups/rustlang/permalink/1234567890/",
            "https://m.facebook.com/groups/rustlang/permalink/1234567890/?ref=share",
        ] {
            assert_post(
                raw,
                f,
                "1234567890",
                "https://www.facebook.com/groups/rustlang/posts/1234567890",
                None,
            );
        }
    }

    #[test]
    fn facebook_videos_photos_reels() {
        let f = Platform::Facebook;
        for raw in [
            "https://www.facebook.com/NASA/videos/1234567890123456/",
            "https://www.facebook.com/NASA/videos/launch-day/1234567890123456/",
            "https://www.facebook.com/NASA/videos/vb.54971236771/1234567890123456/?type=3",
            "https://graph.facebook.com/NASA/videos/1234567890123456",
        ] {
            assert_post(
                raw,
                f,
                "1234567890123456",
                "https://www.facebook.com/NASA/videos/1234567890123456",
                Some("NASA"),
            );
        }
        for raw in [
            "https://www.facebook.com/watch/?v=1234567890123456",
            "https://www.facebook.com/watch?v=1234567890123456&ref=sharing",
            "https://m.facebook.com/watch/?v=1234567890123456",
            "https://www.facebook.com/video.php?v=1234567890123456",
            "https://www.facebook.com/watch/live/?v=1234567890123456",
        ] {
            assert_post(
                raw,
                f,
                "1234567890123456",
                "https://www.facebook.com/watch/?v=1234567890123456",
                None,
            );
        }
        let photo = "https://www.facebook.com/photo/?fbid=10158000000000001";
        for raw in [
            "https://www.facebook.com/photo.php?fbid=10158000000000001&set=a.1&type=3",
            "https://www.facebook.com/photo/?fbid=10158000000000001&set=a.2",
            "https://www.facebook.com/photo?fbid=10158000000000001",
        ] {
            assert_post(raw, f, "10158000000000001", photo, None);
        }
        for raw in [
            "https://www.facebook.com/NASA/photos/a.67890/10158000000000001/",
            "https://www.facebook.com/NASA/photos/10158000000000001/",
            "https://www.facebook.com/NASA/photos/pcb.555/10158000000000001/?type=3",
        ] {
            assert_post(raw, f, "10158000000000001", photo, Some("NASA"));
        }
        assert_post(
            "https://www.facebook.com/reel/987654321012345",
            f,
            "987654321012345",
            "https://www.facebook.com/reel/987654321012345",
            None,
        );
    }

    #[test]
    fn facebook_plugins_are_unwrapped() {
        let f = Platform::Facebook;
        assert_post(
            "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FNASA%2Fposts%2F10159975468811772&amp;width=500&amp;show_text=true",
            f,
            "10159975468811772",
            "https://www.facebook.com/NASA/posts/10159975468811772",
            Some("NASA"),
        );
        assert_post(
            "//www.facebook.com/plugins/video.php?height=314&href=https%3A%2F%2Fwww.facebook.com%2FNASA%2Fvideos%2F1234567890123456%2F&show_text=false",
            f,
            "1234567890123456",
            "https://www.facebook.com/NASA/videos/1234567890123456",
            Some("NASA"),
        );
        // The href must itself be a Facebook post.
        assert_none(
            "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Ftwitter.com%2Fjack%2Fstatus%2F20",
        );
        assert_none(
            "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FNASA",
        );
        assert_none("https://www.facebook.com/plugins/post.php");
        // Nested wrappers are unwrapped only so far.
        let inner = "https://www.facebook.com/NASA/posts/1";
        let mut raw = inner.to_string();
        for _ in 0..5 {
            raw = format!(
                "https://www.facebook.com/plugins/post.php?href={}",
                raw.replace('%', "%25")
                    .replace('/', "%2F")
                    .replace(':', "%3A")
                    .replace('?', "%3F")
                    .replace('=', "%3D")
                    .replace('&', "%26")
            );
        }
        assert_none(&raw);
    }

    #[test]
    fn facebook_short_links() {
        let f = Platform::Facebook;
        assert_short(
            "https://fb.watch/aBc1-2_xY/",
            f,
            "https://fb.watch/aBc1-2_xY/",
        );
        assert_short(
            "http://FB.WATCH/aBc12xY?mibextid=x",
            f,
            "https://fb.watch/aBc12xY/",
        );
        assert_short(
            "https://www.facebook.com/share/p/1AbCdEfGh2/",
            f,
            "https://www.facebook.com/share/p/1AbCdEfGh2/",
        );
        assert_short(
            "https://m.facebook.com/share/v/1AbCdEfGh2?mibextid=abc",
            f,
            "https://www.facebook.com/share/v/1AbCdEfGh2/",
        );
        assert_short(
            "https://www.facebook.com/share/r/1AbCdEfGh2/",
            f,
            "https://www.facebook.com/share/r/1AbCdEfGh2/",
        );
    }

    #[test]
    fn facebook_non_posts() {
        for raw in [
            "https://www.facebook.com/",
            "https://www.facebook.com/NASA",
            "https://www.facebook.com/NASA/",
            "https://www.facebook.com/NASA/posts/",
            "https://www.facebook.com/NASA/posts/not-an-id",
            "https://www.facebook.com/NASA/videos/",
            "https://www.facebook.com/NASA/photos/",
            "https://www.facebook.com/NASA/about",
            "https://www.facebook.com/profile.php?id=100064424456789",
            "https://www.facebook.com/events/1234567890/",
            "https://www.facebook.com/events/1234567890/posts/123",
            "https://www.facebook.com/sharer.php?u=https%3A%2F%2Fexample.com",
            "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fexample.com",
            "https://www.facebook.com/share.php?u=https%3A%2F%2Fexample.com",
            "https://www.facebook.com/share/1AbCdEfGh2/",
            "https://www.facebook.com/dialog/share?app_id=1&href=x",
            "https://www.facebook.com/dialog/feed?app_id=1",
            "https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2FNASA",
            "https://www.facebook.com/plugins/like.php?href=x",
            "https://www.facebook.com/watch/",
            "https://www.facebook.com/watch/?v=abc",
            "https://www.facebook.com/photo.php?fbid=0",
            "https://www.facebook.com/groups/rustlang/",
            "https://www.facebook.com/hashtag/rust",
            "https://www.facebook.com/permalink.php?id=100064424456789",
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com",
            "https://connect.facebook.net/en_US/sdk.js",
            "https://fb.watch/",
            "https://notfacebook.com/NASA/posts/10159975468811772",
            "https://facebook.com.evil.example/NASA/posts/10159975468811772",
        ] {
            assert_none(raw);
        }
    }

    // ----- TikTok ------------------------------------------------------------

    #[test]
    fn tiktok_urls() {
        let t = Platform::TikTok;
        let canonical = "https://www.tiktok.com/@scout2015/video/6718335390845095173";
        for raw in [
            "https://www.tiktok.com/@scout2015/video/6718335390845095173",
            "https://tiktok.com/@scout2015/video/6718335390845095173/",
            "https://m.tiktok.com/@scout2015/video/6718335390845095173?is_from_webapp=1&amp;sender_device=pc",
            "https://www.tiktok.com/@scout2015/video/6718335390845095173?lang=en&q=x&t=1700000000000",
            "//www.tiktok.com/@scout2015/video/6718335390845095173",
        ] {
            assert_post(raw, t, "6718335390845095173", canonical, Some("scout2015"));
        }
        assert_post(
            r"https://www.tiktok.com/@some\_user.x/photo/7318335390845095173",
            t,
            "7318335390845095173",
            "https://www.tiktok.com/@some_user.x/photo/7318335390845095173",
            Some("some_user.x"),
        );
        let embed = "https://www.tiktok.com/embed/v2/6718335390845095173";
        for raw in [
            "https://www.tiktok.com/embed/v2/6718335390845095173",
            "https://www.tiktok.com/embed/v2/6718335390845095173?lang=en-US",
            "https://www.tiktok.com/embed/6718335390845095173",
            "https://m.tiktok.com/v/6718335390845095173.html",
            "https://www.tiktok.com/v/6718335390845095173",
            "https://www.tiktok.com/player/v1/6718335390845095173?music_info=1",
        ] {
            assert_post(raw, t, "6718335390845095173", embed, None);
        }
    }

    #[test]
    fn tiktok_short_links() {
        let t = Platform::TikTok;
        assert_short(
            "https://vm.tiktok.com/ZMabc123/",
            t,
            "https://vm.tiktok.com/ZMabc123/",
        );
        assert_short(
            "https://vm.tiktok.com/ZMabc123",
            t,
            "https://vm.tiktok.com/ZMabc123/",
        );
        assert_short(
            "http://VT.TikTok.com/ZSxyz789/?k=1",
            t,
            "https://vt.tiktok.com/ZSxyz789/",
        );
        assert_short(
            "https://www.tiktok.com/t/ZTRabc123/",
            t,
            "https://www.tiktok.com/t/ZTRabc123/",
        );
    }

    #[test]
    fn tiktok_non_posts() {
        for raw in [
            "https://www.tiktok.com/",
            "https://www.tiktok.com/@scout2015",
            "https://www.tiktok.com/@scout2015/live",
            "https://www.tiktok.com/@scout2015/video/",
            "https://www.tiktok.com/@scout2015/video/abc",
            "https://www.tiktok.com/scout2015/video/6718335390845095173",
            "https://www.tiktok.com/tag/rust",
            "https://www.tiktok.com/music/some-song-123456789",
            "https://www.tiktok.com/discover/rust",
            "https://www.tiktok.com/embed.js",
            "https://www.tiktok.com/embed/v2/",
            "https://vm.tiktok.com/",
            "https://tiktok.com.evil.example/@scout2015/video/6718335390845095173",
        ] {
            assert_none(raw);
        }
    }

    // ----- Reddit ------------------------------------------------------------

    #[test]
    fn reddit_posts() {
        let r = Platform::Reddit;
        let canonical = "https://www.reddit.com/r/rust/comments/abc123/";
        for raw in [
            "https://www.reddit.com/r/rust/comments/abc123/some_title/",
            "https://reddit.com/r/rust/comments/abc123/",
            "https://old.reddit.com/r/rust/comments/abc123/some_title/",
            "https://new.reddit.com/r/rust/comments/abc123/some_title/?utm_source=share&amp;utm_medium=web2x",
            "https://np.reddit.com/r/rust/comments/abc123/some_title/",
            "https://m.reddit.com/r/rust/comments/abc123",
            "https://sh.reddit.com/r/rust/comments/abc123/some_title/",
            "https://embed.reddit.com/r/rust/comments/abc123/some_title/?embed=true",
            "https://www.redditmedia.com/r/rust/comments/abc123/some_title/?ref_source=embed&amp;embed=true",
            "https://www.reddit.com/r/rust/comments/ABC123/some_title/",
            "https://www.reddit.com/r/rust/comments/abc123/some_title/?context=3",
            "https://www.reddit.com/r/rust/comments/abc123/some_title/.json",
            r"https://www.reddit.com/r/rust/comments/abc123/some\_title/",
            "//www.reddit.com/r/rust/comments/abc123/some_title/",
        ] {
            assert_post(raw, r, "abc123", canonical, None);
        }
        for raw in [
            "https://www.reddit.com/comments/abc123/",
            "https://redd.it/abc123",
            "https://www.reddit.com/gallery/abc123",
        ] {
            assert_post(
                raw,
                r,
                "abc123",
                "https://www.reddit.com/comments/abc123/",
                None,
            );
        }
        assert_post(
            "https://www.reddit.com/user/spez/comments/abc123/some_title/",
            r,
            "abc123",
            "https://www.reddit.com/user/spez/comments/abc123/",
            Some("spez"),
        );
        assert_post(
            "https://www.reddit.com/u/spez/comments/abc123/",
            r,
            "abc123",
            "https://www.reddit.com/user/spez/comments/abc123/",
            Some("spez"),
        );
    }

    #[test]
    fn reddit_comments() {
        let r = Platform::Reddit;
        let canonical = "https://www.reddit.com/r/rust/comments/abc123/comment/def456/";
        for raw in [
            "https://www.reddit.com/r/rust/comments/abc123/some_title/def456/",
            "https://www.reddit.com/r/rust/comments/abc123/comment/def456/",
            "https://old.reddit.com/r/rust/comments/abc123/some_title/def456/?context=3",
            "https://www.reddit.com/r/rust/comments/abc123/comment/DEF456/?utm_source=share",
        ] {
            assert_post(raw, r, "abc123/def456", canonical, None);
        }
        assert_post(
            "https://www.reddit.com/comments/abc123/_/def456/",
            r,
            "abc123/def456",
            "https://www.reddit.com/comments/abc123/_/def456/",
            None,
        );
        assert_post(
            "https://www.reddit.com/user/spez/comments/abc123/title/def456/",
            r,
            "abc123/def456",
            "https://www.reddit.com/user/spez/comments/abc123/comment/def456/",
            Some("spez"),
        );
    }

    #[test]
    fn reddit_short_links() {
        assert_short(
            "https://www.reddit.com/r/rust/s/AbC123xYz",
            Platform::Reddit,
            "https://www.reddit.com/r/rust/s/AbC123xYz",
        );
        assert_short(
            "https://reddit.com/r/rust/s/AbC123xYz/?share_id=1",
            Platform::Reddit,
            "https://www.reddit.com/r/rust/s/AbC123xYz",
        );
    }

    #[test]
    fn reddit_non_posts() {
        for raw in [
            "https://www.reddit.com/",
            "https://www.reddit.com/r/rust",
            "https://www.reddit.com/r/rust/",
            "https://www.reddit.com/r/rust/top/?t=week",
            "https://www.reddit.com/r/rust/wiki/index",
            "https://www.reddit.com/r/rust/comments/",
            "https://www.reddit.com/r/rust/comments/abc-123/",
            "https://www.reddit.com/r/rust/comments/abc123/comment/x-y/",
            "https://www.reddit.com/user/spez",
            "https://www.reddit.com/user/spez/comments/",
            "https://www.reddit.com/search?q=rust",
            "https://redd.it/",
            "https://v.redd.it/abc123xyz",
            "https://i.redd.it/abc123xyz.jpg",
            "https://embed.reddit.com/widgets.js",
            "https://notreddit.com/r/rust/comments/abc123/",
        ] {
            assert_none(raw);
        }
    }

    // ----- Telegram ----------------------------------------------------------

    #[test]
    fn telegram_urls() {
        let t = Platform::Telegram;
        for raw in [
            "https://t.me/durov/123",
            "https://t.me/durov/123/",
            "https://t.me/durov/123?embed=1",
            "https://t.me/durov/123?single",
            "https://t.me/durov/123?embed=1&amp;mode=tme",
            "https://t.me/s/durov/123",
            "https://telegram.me/durov/123",
            "https://www.telegram.me/durov/123",
            "http://T.ME/durov/123",
            "//t.me/durov/123",
            "https://telegram.dog/durov/123",
            "t.me/durov/123",
            // A forum topic: the message id is unique in the chat.
            "https://t.me/durov/7/123",
        ] {
            assert_post(raw, t, "durov/123", "https://t.me/durov/123", Some("durov"));
        }
        assert_post(
            r"https://t.me/some\_channel/4567",
            t,
            "some_channel/4567",
            "https://t.me/some_channel/4567",
            Some("some_channel"),
        );
        assert_post(
            "https://t.me/c/1234567890/42",
            t,
            "c/1234567890/42",
            "https://t.me/c/1234567890/42",
            None,
        );
    }

    #[test]
    fn telegram_non_posts() {
        for raw in [
            "https://t.me/",
            "https://t.me/durov",
            "https://t.me/s/durov",
            "https://t.me/durov/",
            "https://t.me/durov/abc",
            "https://t.me/durov/0",
            "https://t.me/joinchat/AAAAAEkk2WdoDrB4-Q8-gg",
            "https://t.me/+AbCdEfGhIjK",
            "https://t.me/addstickers/SomePack",
            "https://t.me/share/url?url=https%3A%2F%2Fexample.com",
            "https://t.me/c/1234567890",
            "https://t.me/c/abc/42",
            "https://t.me/iv?url=x&rhash=y",
            "https://t.me/durov/123/456/789",
            "https://t.me/1channel/123",
            "https://telegram.org/js/telegram-widget.js?22",
            "https://not-t.me/durov/123",
        ] {
            assert_none(raw);
        }
    }

    // ----- YouTube -----------------------------------------------------------

    const RICK: &str = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";

    #[test]
    fn youtube_urls() {
        let y = Platform::YouTube;
        for raw in [
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtube.com/watch?v=dQw4w9WgXcQ",
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
            "https://music.youtube.com/watch?v=dQw4w9WgXcQ&si=AbCdEf",
            "https://www.youtube.com/watch?feature=share&amp;v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL1234567890abcdef&index=3",
            "https://www.youtube.com/watch/?v=dQw4w9WgXcQ#t=30",
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0&amp;autoplay=1",
            "https://www.youtube.com/embed/dQw4w9WgXcQ?list=PL1234567890abcdef",
            "//www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "https://youtube-nocookie.com/embed/dQw4w9WgXcQ?start=10",
            "https://www.youtube.com/v/dQw4w9WgXcQ?version=3",
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
            "https://youtube.com/shorts/dQw4w9WgXcQ?feature=share",
            "https://www.youtube.com/live/dQw4w9WgXcQ?si=xyz",
            "https://youtu.be/dQw4w9WgXcQ",
            "https://youtu.be/dQw4w9WgXcQ?si=AbCdEfGh&t=10",
            "http://youtu.be/dQw4w9WgXcQ&feature=youtu.be",
            "youtu.be/dQw4w9WgXcQ",
            "HTTPS://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ",
        ] {
            assert_post(raw, y, "dQw4w9WgXcQ", RICK, None);
        }
        assert_post(
            r"https://youtu.be/a\_b-c\_d-e\_f",
            y,
            "a_b-c_d-e_f",
            "https://www.youtube.com/watch?v=a_b-c_d-e_f",
            None,
        );
    }

    #[test]
    fn youtube_non_posts() {
        for raw in [
            "https://www.youtube.com/",
            "https://www.youtube.com/watch",
            "https://www.youtube.com/watch?v=",
            "https://www.youtube.com/watch?v=tooShort",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",
            "https://www.youtube.com/watch?v=dQw4w9WgX%21Q",
            "https://www.youtube.com/playlist?list=PL1234567890abcdef",
            "https://www.youtube.com/embed/videoseries?list=PL1234567890abcdef",
            "https://www.youtube.com/embed/live_stream?channel=UC1234567890",
            "https://www.youtube.com/channel/UC1234567890abcdefghij",
            "https://www.youtube.com/c/SomeChannel",
            "https://www.youtube.com/@SomeChannel",
            "https://www.youtube.com/@SomeChannel/videos",
            "https://www.youtube.com/user/SomeUser",
            "https://www.youtube.com/results?search_query=rust",
            "https://www.youtube.com/hashtag/rust",
            "https://www.youtube.com/iframe_api",
            "https://img.youtube.com/vi/dQw4w9WgXcQ/0.jpg",
            "https://youtu.be/",
            "https://youtu.be/dQw4w9WgXcQ/extra",
            "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
            "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        ] {
            assert_none(raw);
        }
    }

    // ----- Malformed input and robustness ------------------------------------

    #[test]
    fn malformed_input() {
        for raw in [
            "",
            "   ",
            "https://",
            "http://",
            "//",
            "https:///jack/status/20",
            "javascript:alert(1)",
            "JavaScript:alert('https://twitter.com/jack/status/20')",
            "mailto:jack@twitter.com",
            "data:text/html,https://twitter.com/jack/status/20",
            "ftp://twitter.com/jack/status/20",
            "file:///twitter.com/jack/status/20",
            "not a url",
            "https://exa mple.com/@a/1234567",
            "https://%%%/",
            "at://did:plc:x",
            "@jack",
            "#!/jack/status/20",
            "https://twitter.com/jack/status/２０",
            "https://twïtter.com/jack/status/20",
        ] {
            assert_none(raw);
        }
    }

    #[test]
    fn garbage_never_panics() {
        let garbage: String = (0..5 * 1024)
            .map(|i| char::from(b"%&#!@/:?\\.a1_-"[i % 14]))
            .collect();
        assert_none(&garbage);
        assert_none(&format!("https://twitter.com/{garbage}"));
        assert_none(&format!("https://mastodon.social/@{garbage}/1234567"));
        let unicode: String = "ü𝄞\u{202e}é%ff%fe".repeat(400);
        assert_none(&unicode);
        assert_none(&format!("https://{unicode}/@a/1234567"));
        assert_none(&format!("at://{unicode}/app.bsky.feed.post/x"));
        // Too long to be worth parsing, even if it would otherwise match.
        assert_none(&format!(
            "https://x.com/jack/status/20?pad={}",
            "a".repeat(20_000)
        ));
    }

    /// Every URL used in the positive tests above, for the property tests below.
    const POSITIVES: &[&str] = &[
        "https://twitter.com/#!/jack/status/20",
        "https://twitter.com/i/web/status/1225455484259442691",
        "https://platform.twitter.com/embed/Tweet.html?id=1225455484259442691",
        "https://bsky.app/profile/did%3Aplc%3Az72i7hdynmk6r22z27h6tvur/post/3kabc2def3ghi",
        "at://alice.bsky.social/app.bsky.feed.post/3kabc2def3ghi",
        "https://embed.bsky.app/embed/did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l",
        "https://mastodon.social/users/Gargron/statuses/109318821117356215",
        "https://hachyderm.io/@alice@example.social/111222333444555666",
        "https://www.threads.com/@zuck/post/C1a2B3c4D5e?xmt=AQGz",
        "https://www.threads.net/t/C1a2B3c4D5e",
        "https://www.instagram.com/nasa/reel/CaBcDeFgHiJ/embed/captioned/",
        "https://www.facebook.com/NASA/posts/some-old-slug/10159975468811772",
        "https://www.facebook.com/permalink.php?story_fbid=987654321&id=100064424456789",
        "https://m.facebook.com/groups/rustlang/permalink/1234567890/?ref=share",
        "https://www.facebook.com/NASA/videos/vb.54971236771/1234567890123456/?type=3",
        "https://www.facebook.com/watch/?v=1234567890123456",
        "https://www.facebook.com/NASA/photos/a.67890/10158000000000001/",
        "https://www.facebook.com/reel/987654321012345",
        "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FNASA%2Fposts%2F10159975468811772",
        "https://fb.watch/aBc1-2_xY/",
        "https://www.facebook.com/share/p/1AbCdEfGh2/",
        "https://m.tiktok.com/@scout2015/video/6718335390845095173?is_from_webapp=1",
        "https://www.tiktok.com/@some_user.x/photo/7318335390845095173",
        "https://m.tiktok.com/v/6718335390845095173.html",
        "https://vm.tiktok.com/ZMabc123/",
        "https://www.tiktok.com/t/ZTRabc123/",
        "https://old.reddit.com/r/rust/comments/abc123/some_title/def456/?context=3",
        "https://www.reddit.com/comments/abc123/_/def456/",
        "https://www.reddit.com/u/spez/comments/abc123/title/def456/",
        "https://redd.it/abc123",
        "https://www.reddit.com/r/rust/s/AbC123xYz",
        "https://t.me/s/durov/123?embed=1",
        "https://t.me/c/1234567890/42",
        "https://www.youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ?si=AbCdEfGh",
    ];

    #[test]
    fn canonical_urls_parse_back_to_the_same_post() {
        for raw in POSITIVES {
            let first = parse_post_url(raw).unwrap_or_else(|| panic!("not recognised: {raw}"));
            let again = parse_post_url(&first.canonical)
                .unwrap_or_else(|| panic!("canonical not recognised: {}", first.canonical));
            // Instagram's `/p/{code}/` and Facebook's `photo/?fbid=` drop the
            // user; nothing else may change.
            if again.handle.is_none() && first.handle.is_some() {
                assert!(
                    matches!(first.platform, Platform::Instagram | Platform::Facebook),
                    "input: {raw}"
                );
            }
            let first = PostUrl {
                handle: again.handle.clone(),
                ..first
            };
            assert_eq!(again, first, "input: {raw}");
        }
    }

    #[test]
    fn prefixes_and_mutations_never_panic() {
        for raw in POSITIVES {
            for (i, _) in raw.char_indices() {
                let _ = parse_post_url(&raw[..i]);
                let _ = parse_post_url(&raw[i..]);
                let mut mutated = raw.to_string();
                mutated.insert(i, '%');
                let _ = parse_post_url(&mutated);
                mutated.replace_range(i..=i, "é");
                let _ = parse_post_url(&mutated);
            }
        }
    }

    #[test]
    fn unrelated_sites_are_not_posts() {
        for raw in [
            "https://example.com/",
            "https://www.nytimes.com/2024/01/01/world/some-article.html",
            "https://example.com/news/123456789",
            "https://example.com/@section/article-title",
            "https://web.archive.org/web/20200101000000/https://twitter.com/jack/status/20",
        ] {
            assert_none(raw);
        }
    }
}
