//! YouTube embed shapes (docs/platforms.md §5): iframes loading
//! `youtube.com/embed/{id}` or `youtube-nocookie.com/embed/{id}` (also when
//! a lazy loader keeps the URL in `data-src`), AMP `<amp-youtube
//! data-videoid>`, and WordPress figures (`wp-block-embed-youtube`) holding
//! a bare video URL. Playlists (`embed/videoseries`), live channels and
//! channel pages are not posts.

use super::embeds::{from_url, gutenberg, iframe_src};
use super::ids::from_id_or_url;
use super::platform::Spec;
use super::{Citation, Platform, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// YouTube: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: Spec = Spec {
    platform: Platform::YouTube,
    name: "youtube",
    aliases: &[],
    hosts: &["youtube.com", "youtube-nocookie.com", "=youtu.be"],
    markers: &["youtu"],
    url: urls::youtube::parse,
    embed,
    id_time: None,
    example_url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    example_embed: r#"<iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" allowfullscreen></iframe>"#,
};

/// Citations for `node` if it is a YouTube embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    match el.name() {
        "iframe" => {
            let src = iframe_src(el).filter(|s| s.contains("youtu"))?;
            let c = from_url(Platform::YouTube, src, "iframe")?;
            Some(vec![c.finish()])
        }
        "amp-youtube" => {
            let id = el.attr("data-videoid").unwrap_or_default();
            let c = from_id_or_url(Platform::YouTube, id, "amp", |id| {
                format!("https://www.youtube.com/watch?v={id}")
            });
            Some(c.map(Citation::finish).into_iter().collect())
        }
        "figure" => gutenberg(node, el, Platform::YouTube, &["youtube"]),
        _ => None,
    }
}
