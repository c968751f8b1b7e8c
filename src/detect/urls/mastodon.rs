//! Mastodon and the servers that speak its API (any host no other platform claims): its post URLs (the conventions are in `urls`).

use super::*;

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
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
    if is_excluded_from_mastodon(&link.host) {
        return None;
    }
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
