//! Mastodon embed shapes, on any instance (docs/platforms.md §3).
//!
//! * up to 4.2: `iframe.mastodon-embed` loading `https://{instance}/@{user}/{id}/embed`
//!   (an iframe without the class counts when its source has that shape);
//! * 4.3 and later: `blockquote.mastodon-embed` with the same URL in
//!   `data-embed-url` and a link to the post inside. Its fallback says
//!   `Post by @user@instance`; a hand-made fallback may instead copy the post
//!   with a `— Name (@user@instance) Date` tail, which is read when present.
//!
//! The post id is `{instance}/{id}` and its time is `id >> 16`.

use super::dom::{has_class, text_of};
use super::embeds::{from_url, iframe_src, last_post_link, post_by_handle};
use super::platform::Spec;
use super::{Citation, Platform, dates, text, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Mastodon: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: Spec = Spec {
    platform: Platform::Mastodon,
    name: "mastodon",
    aliases: &[],
    hosts: &[],
    markers: &["mastodon", "/@", "/statuses/", "pixelfed", "/notice/"],
    url: urls::mastodon::parse,
    embed,
    id_time: Some(id_time),
    example_url: "https://mastodon.social/@Gargron/109312345678901234",
    example_embed: r#"<iframe src="https://mastodon.social/@Gargron/109312345678901234/embed" class="mastodon-embed" width="400"></iframe>"#,
};

/// A Mastodon id's time (`id >> 16`).
fn id_time(id: &str) -> Option<i64> {
    id.rsplit('/')
        .next()
        .and_then(|n| n.parse::<u64>().ok())
        .and_then(dates::mastodon_id_ms)
}
/// Citations for `node` if it is a Mastodon embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    match el.name() {
        "blockquote" if has_class(el, "mastodon-embed") => {
            Some(blockquote(node, el).into_iter().collect())
        }
        "iframe" => {
            let src = iframe_src(el)?;
            let trimmed = src.split(['?', '#']).next().unwrap_or(src);
            if !has_class(el, "mastodon-embed")
                && !trimmed.trim_end_matches('/').ends_with("/embed")
            {
                return None;
            }
            let c = from_url(Platform::Mastodon, src, "iframe")?;
            Some(vec![c.finish()])
        }
        _ => None,
    }
}

fn blockquote(node: NodeRef<'_, Node>, el: &Element) -> Option<Citation> {
    let link = last_post_link(node, Platform::Mastodon);
    let mut c = el
        .attr("data-embed-url")
        .and_then(|u| from_url(Platform::Mastodon, u, "blockquote"))
        .or_else(|| link.and_then(|(_, href)| from_url(Platform::Mastodon, href, "blockquote")))?;
    let (all, _) = text_of(node, None);
    // A copied post: the tail ends before the last post link (its date).
    let date_anchor = link.map(|(n, _)| n);
    let (before, _) = text_of(node, date_anchor.map(|n| n.id()));
    if let Some(tail) = text::split_tail(&before) {
        c.handle = Some(tail.handle.to_string());
        c.author_name = Some(tail.name.to_string()).filter(|n| !n.is_empty());
        c.text = Some(tail.text.to_string()).filter(|t| !t.is_empty());
        c.display_date = date_anchor
            .map(|a| text_of(a, None).0)
            .filter(|d| dates::parse_display_date(d).is_some());
    } else {
        c.handle = post_by_handle(&all);
    }
    Some(c.finish())
}
