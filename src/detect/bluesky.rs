//! Bluesky embed shapes (docs/platforms.md §2).
//!
//! * `blockquote.bluesky-embed` with the post in `data-bluesky-uri` (an
//!   AT-URI, or a `bsky.app` URL in hand-made embeds) and the version in
//!   `data-bluesky-cid`; its fallback shows the text, `— Name (@handle)`
//!   (the handle, or name and handle, inside a link to the profile) and the
//!   date as a link to the post. Without the attribute the post link is used.
//! * the rendered iframe `embed.bsky.app/embed/{did}/app.bsky.feed.post/{rkey}`.
//!
//! The DID is kept when the embed shows it (handles change): a post named by
//! handle whose profile link carries the DID is stored under the DID.

use super::dom::{elements, has_class, text_of};
use super::embeds::{from_url, iframe_src, last_post_link};
use super::platform::Spec;
use super::{Citation, Platform, text, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Bluesky: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: Spec = Spec {
    platform: Platform::Bluesky,
    name: "bluesky",
    aliases: &[],
    hosts: &["bsky.app"],
    markers: &["bsky", "at://", "bluesky"],
    url: urls::bluesky::parse,
    embed,
    id_time: Some(id_time),
    example_url: "https://bsky.app/profile/alice.example.com/post/3k2yihcrp6f2c",
    example_embed: r#"<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3k2yihcrp6f2c"><p lang="en">Hello</p>&mdash; Alice (<a href="https://bsky.app/profile/did:plc:abcdefghijklmnopqrstuvwx">@alice.example.com</a>) <a href="https://bsky.app/profile/did:plc:abcdefghijklmnopqrstuvwx/post/3k2yihcrp6f2c">May 1, 2024</a></blockquote>"#,
};

/// A TID record key's time.
fn id_time(id: &str) -> Option<i64> {
    id.rsplit('/').next().and_then(super::dates::bluesky_tid_ms)
}
/// Citations for `node` if it is a Bluesky embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    match el.name() {
        "blockquote" if has_class(el, "bluesky-embed") => {
            Some(blockquote(node, el).into_iter().collect())
        }
        "iframe" => {
            let src = iframe_src(el).filter(|s| s.contains("bsky.app/"))?;
            let c = from_url(Platform::Bluesky, src, "iframe")?;
            Some(vec![c.finish()])
        }
        _ => None,
    }
}

fn blockquote(node: NodeRef<'_, Node>, el: &Element) -> Option<Citation> {
    let link = last_post_link(node, Platform::Bluesky);
    let raw = el
        .attr("data-bluesky-uri")
        .filter(|u| urls::parse_post_url(u).is_some_and(|p| p.platform == Platform::Bluesky))
        .or(link.map(|(_, href)| href))?;
    let mut c = from_url(Platform::Bluesky, raw, "blockquote")?;
    c.cid = el
        .attr("data-bluesky-cid")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    prefer_did(&mut c, node);
    let date_anchor = link.map(|(n, _)| n);
    let (before, _) = text_of(node, date_anchor.map(|n| n.id()));
    if let Some(tail) = text::split_tail(&before) {
        c.handle = Some(tail.handle.to_string());
        c.author_name = Some(tail.name.to_string()).filter(|n| !n.is_empty());
        c.text = Some(tail.text.to_string()).filter(|t| !t.is_empty());
        if let Some(anchor) = date_anchor {
            c.display_date = Some(text_of(anchor, None).0).filter(|d| !d.is_empty());
        }
    } else {
        c.text = Some(before).filter(|t| !t.is_empty());
    }
    c.lang = elements(node)
        .find_map(|(_, e)| (e.name() == "p").then(|| e.attr("lang")).flatten())
        .map(str::to_string);
    Some(c.finish())
}

/// When the post is named by handle, switch to the DID that the author's
/// profile or post link carries: the last such link, as the tail comes after
/// any mention in the text. The handle stays the URL's handle.
fn prefer_did(c: &mut Citation, node: NodeRef<'_, Node>) {
    let Some(id) = c.post_id.as_deref() else {
        return;
    };
    if id.starts_with("at://did:") {
        return;
    }
    let Some(rkey) = id.rsplit('/').next() else {
        return;
    };
    let did = elements(node)
        .filter(|(_, e)| e.name() == "a")
        .filter_map(|(_, e)| e.attr("href"))
        .filter_map(profile_did)
        .last();
    let Some(did) = did else {
        return;
    };
    let uri = format!("at://{did}/app.bsky.feed.post/{rkey}");
    if let Some(parsed) = urls::parse_post_url(&uri) {
        c.post_id = parsed.post_id;
        c.post_url = Some(parsed.canonical);
    }
}

/// The DID in a `bsky.app/profile/{did}` link (with or without more path).
fn profile_did(href: &str) -> Option<&str> {
    let rest = &href[href.find("bsky.app/profile/")? + "bsky.app/profile/".len()..];
    let did = rest.split(['/', '?', '#']).next()?;
    did.starts_with("did:").then_some(did)
}

#[cfg(test)]
mod tests {
    use super::profile_did;

    #[test]
    fn dids_from_profile_links() {
        assert_eq!(
            profile_did("https://bsky.app/profile/did:plc:abc123?ref_src=embed"),
            Some("did:plc:abc123")
        );
        assert_eq!(
            profile_did("https://bsky.app/profile/did:plc:abc123/post/3kabc"),
            Some("did:plc:abc123")
        );
        assert_eq!(
            profile_did("https://bsky.app/profile/alice.bsky.social"),
            None
        );
        assert_eq!(profile_did("https://example.com/"), None);
    }
}
