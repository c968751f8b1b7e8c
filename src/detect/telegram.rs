//! Telegram embed shapes (docs/platforms.md §5).
//!
//! * the widget script `<script src="…/telegram-widget.js"
//!   data-telegram-post="{channel}/{id}">`: the walk never reads inside
//!   scripts, but the element itself is offered to this matcher first;
//! * the iframe the widget renders, loading `t.me/{channel}/{id}?embed=1`.
//!
//! A script naming only a channel, and the other widgets (discussion,
//! login), are not posts.

use super::embeds::{from_url, iframe_src};
use super::platform::Spec;
use super::{Citation, Platform, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Telegram: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: Spec = Spec {
    platform: Platform::Telegram,
    name: "telegram",
    aliases: &[],
    hosts: &["=t.me", "=telegram.me", "=telegram.dog"],
    markers: &["t.me/", "telegram"],
    url: urls::telegram::parse,
    embed,
    id_time: None,
    example_url: "https://t.me/durov/123",
    example_embed: r#"<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="durov/123" data-width="100%"></script>"#,
};

/// Citations for `node` if it is a Telegram embed; `None` lets the walk descend.
pub(super) fn embed(_node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    match el.name() {
        "script" => {
            let post = el.attr("data-telegram-post")?.trim();
            let url = if post.contains("t.me/") || post.contains("telegram.") {
                post.to_string()
            } else {
                format!("https://t.me/{}", post.trim_start_matches('/'))
            };
            let c = from_url(Platform::Telegram, &url, "script").map(|mut c| {
                c.source_url = None;
                c.finish()
            });
            Some(c.into_iter().collect())
        }
        "iframe" => {
            let src = iframe_src(el).filter(|s| s.contains("t.me/") || s.contains("telegram."))?;
            let c = from_url(Platform::Telegram, src, "iframe")?;
            Some(vec![c.finish()])
        }
        _ => None,
    }
}
