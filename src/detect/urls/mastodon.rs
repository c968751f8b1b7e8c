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

/// A server's own URL form: instance, user as written, id.
type Canonical = fn(&str, &str, &str) -> String;

/// Post URLs of servers that speak Mastodon's API, on any host not claimed
/// by another platform:
///
/// * Mastodon: `/@{user}/{id}` (+ `/embed`, `/reblogs`, `/favourites`) and
///   `/users/{user}/statuses/{id}`; the id numeric, at least 6 digits;
/// * Truth Social: `/@{user}/posts/{id}` (numeric);
/// * GoToSocial: `/@{user}/statuses/{id}` (a 26-character ULID);
/// * Pixelfed: `/p/{user}/{id}` (+ `/embed`), the id numeric, 15 digits or
///   more (its ids are 18: shorter numbers under `/p/` are too often a
///   site's own pages);
/// * Akkoma and Pleroma: `/notice/{id}` (a Flake id: 18 to 22 letters and
///   digits, or a numeric id of at least 6 digits).
///
/// The post id is `{instance}/{id}`, the instance's own id (numeric ids
/// normalised, others kept as written: they are case-sensitive); the
/// canonical URL keeps the server's own form.
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
    if is_excluded_from_mastodon(&link.host) {
        return None;
    }
    let segs = link.segs();
    let a = &link.authority;
    let (user, id, canonical): (Option<&str>, String, Canonical) = match segs.as_slice() {
        [at_user, id] | [at_user, id, "embed" | "reblogs" | "favourites"]
            if at_user.starts_with('@') =>
        {
            (
                Some(at_user.strip_prefix('@')?),
                u64_id(id, 6)?,
                |a, u, id| format!("https://{a}/@{u}/{id}"),
            )
        }
        ["users", user, "statuses", id] | ["users", user, "statuses", id, "activity"] => {
            (Some(*user), u64_id(id, 6)?, |a, u, id| {
                format!("https://{a}/@{u}/{id}")
            })
        }
        [at_user, "posts", id] | [at_user, "posts", id, "embed"] => (
            Some(at_user.strip_prefix('@')?),
            u64_id(id, 6)?,
            |a, u, id| format!("https://{a}/@{u}/posts/{id}"),
        ),
        [at_user, "statuses", id] | [at_user, "statuses", id, "embed"] if is_ulid(id) => (
            Some(at_user.strip_prefix('@')?),
            id.to_string(),
            |a, u, id| format!("https://{a}/@{u}/statuses/{id}"),
        ),
        ["p", user, id] | ["p", user, id, "embed"] if is_digits(id, 15, 20) => {
            (Some(*user), u64_id(id, 15)?, |a, u, id| {
                format!("https://{a}/p/{u}/{id}")
            })
        }
        ["notice", id] | ["notice", id, "embed_player"] => {
            let id = u64_id(id, 6).or_else(|| is_flake_id(id).then(|| id.to_string()))?;
            (None, id, |a, _, id| format!("https://{a}/notice/{id}"))
        }
        _ => return None,
    };
    let instance = a.strip_prefix("www.").unwrap_or(a);
    let Some(user) = user else {
        return found(
            Platform::Mastodon,
            format!("{instance}/{id}"),
            canonical(a, "", &id),
            None,
        );
    };
    let (local, remote) = match user.split_once('@') {
        Some((local, remote)) => (local, Some(remote)),
        None => (user, None),
    };
    if !is_word(local, 1, 64, b"_.-") || local.starts_with(['.', '-']) {
        return None;
    }
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
        canonical(a, &written, &id),
        Some(handle),
    )
}

/// A ULID (GoToSocial's ids): 26 characters of Crockford's base32.
fn is_ulid(s: &str) -> bool {
    s.len() == 26
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"ILOU".contains(&b)))
}

/// A Flake id (Akkoma, Pleroma): 18 to 22 ASCII letters and digits, with
/// both (a word alone is a page name).
fn is_flake_id(s: &str) -> bool {
    is_word(s, 18, 22, b"")
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_alphabetic())
}
