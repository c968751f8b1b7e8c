//! Reddit embed shapes (docs/platforms.md §5).
//!
//! * `blockquote.reddit-embed-bq` (and the older `blockquote.reddit-card`):
//!   a link to the post whose text is its title, `by <a>u/user</a>` and the
//!   subreddit. Comment embeds link the comment first (`…/comment/{cid}/`),
//!   then the discussion: the comment is the cited post, and its text is not
//!   in the markup.
//! * iframes from `embed.reddit.com` or `redditmedia.com`;
//! * AMP `<amp-reddit data-src>`; Gutenberg figures with a bare URL.
//!
//! An author shown as `[deleted]` or `[removed]` is not a handle.

use super::dom::{elements, has_class, text_of};
use super::embeds::{from_url, gutenberg, iframe_src};
use super::platform::Spec;
use super::{Citation, Platform, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Reddit: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: Spec = Spec {
    platform: Platform::Reddit,
    name: "reddit",
    aliases: &[],
    hosts: &["reddit.com", "redditmedia.com", "=redd.it"],
    markers: &["reddit", "redd.it"],
    url: urls::reddit::parse,
    embed,
    id_time: None,
    example_url: "https://www.reddit.com/r/news/comments/abc123/some_title/",
    example_embed: r#"<blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/news/comments/abc123/some_title/">Some title</a><br> by <a href="https://www.reddit.com/user/someone/">u/someone</a> in <a href="https://www.reddit.com/r/news/">news</a></blockquote>"#,
};

/// Citations for `node` if it is a Reddit embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    match el.name() {
        "blockquote" if has_class(el, "reddit-embed-bq") || has_class(el, "reddit-card") => {
            Some(blockquote(node).into_iter().collect())
        }
        "iframe" => {
            let src = iframe_src(el).filter(|s| s.contains("reddit"))?;
            let c = from_url(Platform::Reddit, src, "iframe")?;
            Some(vec![c.finish()])
        }
        "amp-reddit" => {
            let c = el
                .attr("data-src")
                .and_then(|u| from_url(Platform::Reddit, u, "amp"));
            Some(c.map(Citation::finish).into_iter().collect())
        }
        "figure" => gutenberg(node, el, Platform::Reddit, &["reddit"]),
        _ => None,
    }
}

fn blockquote(node: NodeRef<'_, Node>) -> Option<Citation> {
    let links: Vec<(NodeRef<'_, Node>, &str, bool)> = elements(node)
        .filter(|(_, e)| e.name() == "a")
        .filter_map(|(n, e)| {
            let href = e.attr("href")?;
            let parsed = urls::parse_post_url(href).filter(|p| p.platform == Platform::Reddit)?;
            let is_comment = parsed.post_id.as_deref().is_some_and(|id| id.contains('/'));
            Some((n, href, is_comment))
        })
        .collect();
    let (anchor, href, is_comment) = links
        .iter()
        .find(|(_, _, comment)| *comment)
        .or_else(|| links.first())
        .copied()?;
    let mut c = from_url(Platform::Reddit, href, "blockquote")?;
    if !is_comment {
        c.text = Some(text_of(anchor, None).0).filter(|t| !t.is_empty());
    }
    c.handle = elements(node)
        .filter(|(_, e)| e.name() == "a")
        .find_map(|(_, e)| user_of(e.attr("href")?))
        .map(str::to_string);
    Some(c.finish())
}

/// The user named by a `reddit.com/user/{u}` or `/u/{u}` profile link.
fn user_of(href: &str) -> Option<&str> {
    let path = href.split_once("reddit.com/")?.1;
    let rest = path
        .strip_prefix("user/")
        .or_else(|| path.strip_prefix("u/"))?;
    let user = rest.split(['/', '?', '#']).next()?;
    let valid = !user.is_empty()
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    // A user's own post (`/user/{u}/comments/…`) is not a profile link.
    let profile = rest[user.len()..]
        .trim_start_matches('/')
        .split(['?', '#'])
        .next()
        .is_none_or(str::is_empty);
    (valid && profile).then_some(user)
}

#[cfg(test)]
mod tests {
    use super::user_of;

    #[test]
    fn users_from_profile_links() {
        assert_eq!(user_of("https://www.reddit.com/user/spez/"), Some("spez"));
        assert_eq!(
            user_of("https://www.reddit.com/u/some-one"),
            Some("some-one")
        );
        assert_eq!(
            user_of("https://old.reddit.com/user/spez?x=1"),
            Some("spez")
        );
        assert_eq!(
            user_of("https://www.reddit.com/user/spez/comments/abc123/title/"),
            None
        );
        assert_eq!(user_of("https://www.reddit.com/r/pics/"), None);
        assert_eq!(user_of("https://www.reddit.com/user/[deleted]/"), None);
    }
}
