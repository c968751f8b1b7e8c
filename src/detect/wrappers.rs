//! Embed-service wrappers: an element that an embedding service or a CMS
//! block turns into an embed in the browser, naming the post in its own
//! attributes instead of in a platform's markup. Iframely keeps the
//! embedded page in `data-embedded-url`; oEmbed blocks in
//! `data-oembed-url` or `data-embed-url`; Squarespace's video and embed
//! blocks keep the embed's markup HTML-escaped in `data-html`, or as the
//! `html` and `url` fields of the JSON in `data-block-json`.
//!
//! A wrapper is an `embed` with shape `wrapper`. One that still holds the
//! live embed (a saved page after the script ran) is left to the walk,
//! which reads the embed itself with its text and author; a consent
//! placeholder (which uses the same attributes) is left to `consent`.

use super::dom::elements;
use super::html::embed as embed_chain;
use super::{Citation, Kind, consent, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Attributes whose value is the embedded post's URL.
const URL_ATTRS: &[&str] = &["data-embedded-url", "data-oembed-url", "data-embed-url"];

/// Attributes whose value is the embed's markup, or JSON describing it.
const MARKUP_ATTRS: &[&str] = &[
    "data-html",
    "data-embed-html",
    "data-block-json",
    "data-oembed",
];

/// Whether the attribute `name` is one a wrapper names its post in (the
/// walk's cheap first test).
pub(super) fn attr(name: &str) -> bool {
    name.starts_with("data-") && (URL_ATTRS.contains(&name) || MARKUP_ATTRS.contains(&name))
}

/// The posts a wrapper names; `None` when `el` is none, holds the live
/// embed, or names no post.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    // Consent placeholders keep posts in the same attributes: they are
    // `consent`'s.
    if !el.attrs().any(|(a, _)| attr(a)) || consent::marks(el.name(), el) {
        return None;
    }
    if elements(node).any(|(n, e)| embed_chain(n, e).is_some_and(|found| !found.is_empty())) {
        return None;
    }
    let mut found = Vec::new();
    for (a, value) in el.attrs() {
        if URL_ATTRS.contains(&a) {
            if let Some(parsed) = urls::parse_post_url(value.trim()) {
                found.push(
                    Citation::new(parsed.platform, Kind::Embed, "wrapper")
                        .with_url(value.trim(), &parsed)
                        .finish(),
                );
            }
        } else if MARKUP_ATTRS.contains(&a) {
            found.extend(consent::payload(value));
        }
    }
    let mut out: Vec<Citation> = Vec::new();
    for mut c in found {
        if out
            .iter()
            .any(|o| o.platform == c.platform && o.post_id == c.post_id)
        {
            continue;
        }
        c.kind = Kind::Embed;
        c.shape = "wrapper";
        out.push(c);
    }
    (!out.is_empty()).then_some(out)
}
