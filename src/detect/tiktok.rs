//! TikTok embed shapes (docs/platforms.md §5).
//!
//! * `blockquote.tiktok-embed` with the video in `cite` and `data-video-id`;
//!   its `<section>` holds a link to the author (`@user`), the caption with
//!   hashtag links, and a `♬` link to the sound. `data-embed-type="creator"`
//!   (or any type other than a video) embeds a profile: not a post.
//! * iframes loading `tiktok.com/embed/v2/{id}` or `/player/v1/{id}`;
//! * AMP `<amp-tiktok data-src>` (an id or a URL); Gutenberg figures.

use super::dom::{elements, has_class, text_of};
use super::embeds::{from_url, gutenberg, iframe_src};
use super::ids::from_id_or_url;
use super::platform::Spec;
use super::{Citation, Platform, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// TikTok: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: Spec = Spec {
    platform: Platform::TikTok,
    name: "tiktok",
    aliases: &[],
    hosts: &["tiktok.com"],
    markers: &["tiktok"],
    url: urls::tiktok::parse,
    embed,
    id_time: None,
    example_url: "https://www.tiktok.com/@scout2015/video/6718335390845095173",
    example_embed: r#"<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@scout2015/video/6718335390845095173" data-video-id="6718335390845095173"><section><a href="https://www.tiktok.com/@scout2015">@scout2015</a></section></blockquote>"#,
};

/// Citations for `node` if it is a TikTok embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    match el.name() {
        "blockquote" if has_class(el, "tiktok-embed") => {
            let is_video = el
                .attr("data-embed-type")
                .is_none_or(|t| t.trim().eq_ignore_ascii_case("video"));
            if !is_video {
                return Some(Vec::new());
            }
            Some(blockquote(node, el).into_iter().collect())
        }
        "iframe" => {
            let src = iframe_src(el).filter(|s| s.contains("tiktok."))?;
            let c = from_url(Platform::TikTok, src, "iframe")?;
            Some(vec![c.finish()])
        }
        "amp-tiktok" => {
            let src = el.attr("data-src").unwrap_or_default();
            let c = from_id_or_url(Platform::TikTok, src, "amp", embed_url);
            Some(c.map(Citation::finish).into_iter().collect())
        }
        "figure" => gutenberg(node, el, Platform::TikTok, &["tiktok"]),
        _ => None,
    }
}

/// The embed URL of the video with id `id`.
fn embed_url(id: &str) -> String {
    format!("https://www.tiktok.com/embed/v2/{id}")
}

fn blockquote(node: NodeRef<'_, Node>, el: &Element) -> Option<Citation> {
    // `cite` names the author too; `data-video-id` helps when `cite` is a
    // short link or missing.
    let cited = el
        .attr("cite")
        .and_then(|u| from_url(Platform::TikTok, u, "blockquote"));
    let mut c = match cited {
        Some(c) if c.post_id.is_some() => c,
        other => el
            .attr("data-video-id")
            .and_then(|id| from_id_or_url(Platform::TikTok, id, "blockquote", embed_url))
            .or(other)?,
    };
    let Some((section, _)) = elements(node).find(|(_, e)| e.name() == "section") else {
        return Some(c.finish());
    };
    let anchors: Vec<(NodeRef<'_, Node>, &Element)> =
        elements(section).filter(|(_, e)| e.name() == "a").collect();
    // The author: a link to a profile whose text is `@user`.
    let author = anchors.iter().find_map(|(n, e)| {
        let shown = text_of(*n, None).0;
        let handle = shown.strip_prefix('@')?;
        let to_profile = e
            .attr("href")
            .is_some_and(|h| h.contains(&format!("/@{handle}")));
        (to_profile && !handle.is_empty()).then(|| handle.to_string())
    });
    // The sound link ends the caption.
    let sound = anchors.iter().find(|(n, e)| {
        e.attr("href").is_some_and(|h| h.contains("/music/"))
            || text_of(*n, None).0.starts_with('♬')
    });
    let (mut caption, _) = text_of(section, sound.map(|(n, _)| n.id()));
    if let Some(handle) = &author
        && let Some(rest) = caption.strip_prefix(&format!("@{handle}"))
    {
        caption = rest.trim().to_string();
    }
    c.handle = author;
    c.text = Some(caption).filter(|t| !t.is_empty());
    Some(c.finish())
}
