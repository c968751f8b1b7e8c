//! Reddit: its post URLs (the conventions are in `urls`).

use super::*;

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
pub(crate) fn parse(link: &Link, _depth: u8) -> Option<PostUrl> {
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
