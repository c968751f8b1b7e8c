//! Facebook: its post URLs (the conventions are in `urls`).

use super::*;

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
pub(crate) fn parse(link: &Link, depth: u8) -> Option<PostUrl> {
    if link.host == "fb.watch" {
        return fb_watch(link);
    }
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
