//! Threads embed shapes (docs/platforms.md §4): `blockquote.text-post-media` with
//! the post in `data-text-post-permalink` (threads.net or threads.com), or
//! failing that in the link inside; its fallback shows at most
//! `Post by @user`. The rendered iframe loads `…/post/{code}/embed`.

use super::dom::{has_class, text_of};
use super::embeds::{from_url, iframe_src, last_post_link, post_by_handle};
use super::ids::from_id_or_url;
use super::platform::Spec;
use super::{Citation, Platform, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Threads: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: Spec = Spec {
    platform: Platform::Threads,
    name: "threads",
    aliases: &[],
    hosts: &["threads.net", "threads.com"],
    markers: &["threads.", "text-post-media"],
    url: urls::threads::parse,
    embed,
    id_time: None,
    example_url: "https://www.threads.net/@zuck/post/C1a2b3c4d5E",
    example_embed: r#"<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.net/@zuck/post/C1a2b3c4d5E"><a href="https://www.threads.net/@zuck/post/C1a2b3c4d5E">Post by @zuck</a></blockquote>"#,
};

/// Citations for `node` if it is a Threads embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    match el.name() {
        "blockquote" if has_class(el, "text-post-media") => {
            Some(blockquote(node, el).into_iter().collect())
        }
        "iframe" => {
            let src = iframe_src(el).filter(|s| s.contains("threads."))?;
            let c = from_url(Platform::Threads, src, "iframe")?;
            Some(vec![c.finish()])
        }
        _ => None,
    }
}

fn blockquote(node: NodeRef<'_, Node>, el: &Element) -> Option<Citation> {
    let mut c = el
        .attr("data-text-post-permalink")
        .and_then(|u| {
            from_id_or_url(Platform::Threads, u, "blockquote", |code| {
                format!("https://www.threads.net/t/{code}")
            })
        })
        .or_else(|| {
            let (_, href) = last_post_link(node, Platform::Threads)?;
            from_url(Platform::Threads, href, "blockquote")
        })?;
    c.handle = post_by_handle(&text_of(node, None).0);
    Some(c.finish())
}
