//! Instagram: its post URLs (the conventions are in `urls`).

use super::*;

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
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
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
