//! Threads: its post URLs (the conventions are in `urls`).

use super::*;

/// `threads.net` / `threads.com`: `/@{user}/post/{code}` and `/t/{code}`.
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
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
