//! What the embed detectors of the platforms other than X share: reading a
//! post URL from an attribute or from the links inside an embed, the source
//! of a (lazy-loaded) iframe, the `Post by @handle` line of Meta's and
//! Mastodon's fallbacks, and WordPress Gutenberg figures that hold a bare
//! post URL.

use super::dom::{elements, has_class, text_of};
use super::{Citation, Kind, Platform, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// An embed citation of `platform` for the post URL `raw`, not finished.
/// None when `raw` names no post of that platform (a profile, a channel).
pub(super) fn from_url(platform: Platform, raw: &str, shape: &'static str) -> Option<Citation> {
    let parsed = urls::parse_post_url(raw).filter(|p| p.platform == platform)?;
    Some(Citation::new(platform, Kind::Embed, shape).with_url(raw, &parsed))
}

/// The last `<a href>` inside `node` that names a post of `platform`.
pub(super) fn last_post_link<'a>(
    node: NodeRef<'a, Node>,
    platform: Platform,
) -> Option<(NodeRef<'a, Node>, &'a str)> {
    elements(node)
        .filter(|(_, e)| e.name() == "a")
        .filter_map(|(n, e)| {
            let href = e.attr("href")?;
            urls::parse_post_url(href)
                .is_some_and(|p| p.platform == platform)
                .then_some((n, href))
        })
        .last()
}

/// The URL an iframe loads: `src`, or the attribute a lazy loader keeps it
/// in until the frame scrolls into view.
pub(super) fn iframe_src(el: &Element) -> Option<&str> {
    // A lazy loader's attribute names the real frame; `src` then holds a
    // placeholder (`about:blank`, a blank image, a saved page's local copy).
    let lazy = ["data-lazy-src", "data-src"]
        .into_iter()
        .filter_map(|a| el.attr(a))
        .map(str::trim)
        .find(|v| v.contains("//") && !v.starts_with("data:"));
    lazy.or_else(|| {
        el.attr("src")
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.starts_with("about:") && !v.starts_with("data:"))
    })
}

/// The handle in a `Post by @handle` line (Mastodon's and Threads'
/// fallbacks), without the `@`.
pub(super) fn post_by_handle(text: &str) -> Option<String> {
    let rest = &text[text.find("Post by @")? + "Post by @".len()..];
    let handle: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '@'))
        .collect();
    let handle = handle.trim_end_matches(['.', '-', '@']);
    (!handle.is_empty()).then(|| handle.to_string())
}

/// WordPress Gutenberg: `figure.wp-block-embed-{provider}` (or
/// `wp-block-embed is-provider-{provider}`) holding a bare post URL, as
/// saved content has it. A figure that holds the rendered iframe or the
/// fallback blockquote, or no post URL (a profile, a channel, a playlist),
/// is left to the walk (`None`).
pub(super) fn gutenberg(
    node: NodeRef<'_, Node>,
    el: &Element,
    platform: Platform,
    providers: &[&str],
) -> Option<Vec<Citation>> {
    let named = |prefix: &str| {
        el.attr("class")
            .into_iter()
            .flat_map(str::split_ascii_whitespace)
            .any(|t| {
                t.get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
                    && t.get(prefix.len()..)
                        .is_some_and(|name| providers.iter().any(|p| name.eq_ignore_ascii_case(p)))
            })
    };
    let provided =
        named("wp-block-embed-") || (has_class(el, "wp-block-embed") && named("is-provider-"));
    if !provided || elements(node).any(|(_, e)| matches!(e.name(), "iframe" | "blockquote")) {
        return None;
    }
    let (shown, _) = text_of(node, None);
    let found = shown
        .split_whitespace()
        .find_map(|word| from_url(platform, word, "gutenberg"))?;
    Some(vec![found.finish()])
}
