//! TikTok: its post URLs (the conventions are in `urls`).

use super::*;

/// `/@{user}/video/{id}`, `/@{user}/photo/{id}`, `/embed/v2/{id}`,
/// `/embed/{id}`, the player iframe `/player/v1/{id}`, `/v/{id}.html`; short links `vm.`/`vt.tiktok.com/{code}`
/// and `tiktok.com/t/{code}`.
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
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
