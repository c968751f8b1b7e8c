//! X / Twitter: its post URLs (the conventions are in `urls`).

use super::*;

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

/// `/{user}/status/{id}`, `/{user}/statuses/{id}`, `/i/web/status/{id}`,
/// `/i/status/{id}`, `/#!/{user}/status/{id}`, `/@{user}/status/{id}`, with
/// any trailing view (`/photo/1`, `/analytics`, ...), and the widget iframe
/// `platform.twitter.com/embed/Tweet.html?id={id}`.
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
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
