//! Bluesky: its post URLs (the conventions are in `urls`).

use super::*;

/// `bsky.app/profile/{actor}/post/{rkey}` (also `staging.`) and the embed
/// iframe `embed.bsky.app/embed/{did}/app.bsky.feed.post/{rkey}`.
/// `go.bsky.app` short links (starter packs, not posts) are not recognised.
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
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
pub(super) fn at_uri(rest: &str) -> Option<PostUrl> {
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
