//! Consent placeholders: embeds a page keeps behind a click-to-load box.
//!
//! Two-click solutions and consent managers (Borlabs, Embetty, Usercentrics,
//! Sourcepoint, Didomi, Complianz, the "Embed Privacy" plugin, publishers'
//! own "external content" boxes) replace an embed with a placeholder until
//! the reader agrees. The post is still named in the markup: in data
//! attributes (a URL or an id), in a `<template>`, a `<noscript>` or an
//! inert `<script type="text/plain">`, base64-encoded, or as HTML-escaped
//! JSON inside an attribute. [`embed`] reads all of these and reports each
//! post once as an `embed` with shape `consent`; the placeholder's own
//! links are part of it, and the walk drops a link to the same post right
//! beside it.
//!
//! A placeholder that still holds the live embed (a consent wrapper around
//! a `blockquote.twitter-tweet`) is left to the walk: the copies in its
//! attributes are the same post again.

use super::dom::{Attrs, elements};
use super::html::embed as embed_chain;
use super::{Citation, Kind, Platform, urls};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use ego_tree::{NodeId, NodeRef};
use scraper::node::Element;
use scraper::{Html, Node};
use std::sync::LazyLock;

/// Words in class names of placeholders.
pub(super) const CLASS_HINTS: &[&str] = &[
    "brlbs",
    "borlabs",
    "embetty",
    "embed-privacy",
    "privacy-embed",
    "uc-embedding",
    "usercentrics",
    "cmplz-placeholder",
    "consent",
    "two-click",
    "2-click",
    "twoclick",
    "2click",
    "opt-in",
    "optin",
    "external-content",
    "externer-inhalt",
    "content-blocker",
    "contentblocker",
    "didomi",
    "sp-placeholder",
];

/// Prefixes of attribute names that consent managers add.
const ATTR_HINTS: &[&str] = &[
    "data-borlabs",
    "data-usercentrics",
    "data-uc-",
    "data-cmp-",
    "data-consent",
    "data-didomi",
    "data-sp-",
    "data-embed-privacy",
    "data-cookieconsent",
];

static HINT: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(CLASS_HINTS)
        .expect("the class hints are a valid automaton")
});

/// Payloads longer than this are not decoded (no embed is that large).
const MAX_PAYLOAD: usize = 256 * 1024;

/// A tag that is a placeholder by name (Embetty's, heise's opt-in).
pub(super) fn tag(name: &str) -> bool {
    name.starts_with("embetty-") || name == "a-opt-in"
}

/// A class or id value that may name a placeholder.
pub(super) fn hint(value: &str) -> bool {
    HINT.is_match(value)
}

/// An attribute name that consent managers add.
pub(super) fn attr(name: &str) -> bool {
    name.starts_with("data-")
        && ATTR_HINTS
            .iter()
            .any(|p| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p))
}

/// The element looks like a consent placeholder.
pub(super) fn marks(name: &str, el: &impl Attrs) -> bool {
    if tag(name) {
        return true;
    }
    if matches!(name, "script" | "style" | "a" | "html" | "body") {
        return false;
    }
    el.attrs()
        .any(|(a, value)| (a == "class" && hint(value)) || attr(a))
}

/// Citations for a placeholder; `None` lets the walk descend (no
/// placeholder, a live embed inside, or nothing naming a post).
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    if !marks(el.name(), el) {
        return None;
    }
    let live = elements(node)
        .filter(|(n, _)| !in_inert(*n, node))
        .any(|(n, e)| embed_chain(n, e).is_some_and(|found| !found.is_empty()));
    if live {
        return None;
    }
    let mut found = Vec::new();
    if let Some(c) = embetty(el) {
        found.push(c);
    }
    for (n, e) in std::iter::once((node, el)).chain(elements(node)) {
        for (_, value) in e.attrs() {
            found.extend(from_payload(value));
        }
        if e.name() == "template" {
            found.extend(from_tree(n));
        }
        if matches!(e.name(), "noscript" | "script") {
            let text: String = n
                .children()
                .filter_map(|c| c.value().as_text())
                .map(|t| &**t)
                .collect();
            found.extend(from_payload(&text));
        }
    }
    if found.is_empty() {
        found.extend(from_links(node));
    }
    let mut out: Vec<Citation> = Vec::new();
    for mut c in found {
        let key = (c.platform, c.post_id.clone(), c.post_url.clone());
        if out
            .iter()
            .any(|o| (o.platform, o.post_id.clone(), o.post_url.clone()) == key)
        {
            continue;
        }
        c.kind = Kind::Embed;
        c.shape = "consent";
        out.push(c);
    }
    (!out.is_empty()).then_some(out)
}

/// `n` sits inside a `<template>`, `<noscript>` or `<script>` below `top`.
fn in_inert(n: NodeRef<'_, Node>, top: NodeRef<'_, Node>) -> bool {
    n.ancestors()
        .take_while(|a| a.id() != top.id())
        .filter_map(|a| a.value().as_element())
        .any(|e| matches!(e.name(), "template" | "noscript" | "script"))
}

/// Embetty's elements name the post by id: `<embetty-tweet status>`,
/// `<embetty-video type="youtube" video-id>`.
fn embetty(el: &Element) -> Option<Citation> {
    match el.name() {
        "embetty-tweet" => {
            let id = super::ids::tweet_id(el.attr("status")?)?;
            post(&format!("https://x.com/i/status/{id}"), false)
        }
        "embetty-video"
            if el
                .attr("type")
                .is_some_and(|t| t.eq_ignore_ascii_case("youtube")) =>
        {
            let id = el.attr("video-id")?.trim();
            post(&format!("https://www.youtube.com/watch?v={id}"), false)
        }
        _ => None,
    }
}

/// A finished citation for a post URL; `keep_source` records the URL as
/// written.
fn post(raw: &str, keep_source: bool) -> Option<Citation> {
    let parsed = urls::parse_post_url(raw)?;
    let mut c = Citation::new(parsed.platform, Kind::Embed, "consent").with_url(raw, &parsed);
    if !keep_source {
        c.source_url = None;
    }
    Some(c.finish())
}

/// Posts named in an attribute value (for [`super::wrappers`]).
pub(super) fn payload(value: &str) -> Vec<Citation> {
    from_payload(value)
}

/// Posts named in an attribute value or inert text: a post URL, markup (as
/// written, HTML-escaped inside JSON, or base64-encoded), or text with URLs.
fn from_payload(value: &str) -> Vec<Citation> {
    let v = value.trim();
    if v.len() < 8 || v.len() > MAX_PAYLOAD {
        return Vec::new();
    }
    if let Some(c) = post(v, true) {
        return vec![c];
    }
    if let Some(decoded) = base64(v)
        && let Ok(text) = String::from_utf8(decoded)
        && super::prefilter::may_cite(text.as_bytes())
    {
        return from_payload(&text);
    }
    if !super::prefilter::may_cite(v.as_bytes()) {
        return Vec::new();
    }
    let unescaped = entities(&json_unescape(v));
    if unescaped.contains('<') {
        return from_tree(Html::parse_fragment(&unescaped).tree.root());
    }
    unescaped
        .match_indices("http")
        .filter_map(|(at, _)| {
            let rest = &unescaped[at..];
            let end = rest
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ',' | '}' | ']')
                })
                .unwrap_or(rest.len());
            post(&rest[..end], true)
        })
        .collect()
}

/// The few character references that HTML-escaped markup in scripts uses.
fn entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Posts in a string of markup (HTML-escaped or JSON-escaped too), as
/// the platform matchers read them.
pub(super) fn markup_posts(s: &str) -> Vec<Citation> {
    if s.len() > MAX_PAYLOAD {
        return Vec::new();
    }
    let markup = entities(&json_unescape(s));
    from_tree(Html::parse_fragment(&markup).tree.root())
}

/// Embeds in a tree (a template's content, a decoded fragment): what the
/// platform matchers claim, and links to posts outside those.
fn from_tree(root: NodeRef<'_, Node>) -> Vec<Citation> {
    super::html::embeds_below(root, |e| {
        (e.name() == "a")
            .then(|| e.attr("href").and_then(|h| post(h, true)))
            .flatten()
    })
}

/// Links to posts inside the placeholder ("view this post on X").
fn from_links(node: NodeRef<'_, Node>) -> Vec<Citation> {
    elements(node)
        .filter(|(_, e)| e.name() == "a")
        .filter_map(|(_, e)| post(e.attr("href")?, true))
        .collect()
}

/// `\"`, `\/`, `\u003c` and friends undone, for HTML carried in JSON.
fn json_unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Standard or URL-safe base64 (padding optional, whitespace ignored);
/// `None` for anything else, or for short strings that are likely words.
fn base64(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let body = clean
        .strip_suffix(b"==")
        .or_else(|| clean.strip_suffix(b"="))
        .unwrap_or(&clean);
    if body.len() < 16 || body.len() % 4 == 1 {
        return None;
    }
    let value = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in body {
        acc = (acc << 6) | u32::from(value(b)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// A consent placeholder the walk claimed, and the posts it named.
pub(super) type Placeholder = (NodeId, Vec<(Platform, Option<String>)>);

/// Indexes (into `out`) of link citations that repeat a placeholder's post
/// right beside it: in the element just before or after the placeholder.
pub(super) fn links_beside(
    doc: &Html,
    placeholders: &[Placeholder],
    links: &[(usize, NodeId)],
    out: &[Citation],
) -> Vec<usize> {
    if placeholders.is_empty() {
        return Vec::new();
    }
    let element_sibling = |n: Option<NodeRef<'_, Node>>, next: bool| {
        let mut cur = n;
        while let Some(x) = cur {
            if x.value().is_element() {
                return Some(x.id());
            }
            cur = if next {
                x.next_sibling()
            } else {
                x.prev_sibling()
            };
        }
        None
    };
    links
        .iter()
        .filter(|(i, anchor)| {
            let c = &out[*i];
            let Some(a) = doc.tree.get(*anchor) else {
                return false;
            };
            c.post_id.is_some()
                && placeholders.iter().any(|(p, posts)| {
                    let Some(p) = doc.tree.get(*p) else {
                        return false;
                    };
                    let neighbours = [
                        element_sibling(p.prev_sibling(), false),
                        element_sibling(p.next_sibling(), true),
                    ];
                    posts.contains(&(c.platform, c.post_id.clone()))
                        && std::iter::once(a)
                            .chain(a.ancestors())
                            .any(|x| neighbours.contains(&Some(x.id())))
                })
        })
        .map(|(i, _)| *i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_and_refuses() {
        assert_eq!(
            base64("PGJsb2NrcXVvdGU+aGk8L2Jsb2NrcXVvdGU+").as_deref(),
            Some(&b"<blockquote>hi</blockquote>"[..])
        );
        assert_eq!(base64("not base64 at all!"), None);
        assert_eq!(base64("short"), None);
    }

    #[test]
    fn json_escapes() {
        assert_eq!(
            json_unescape(
                r#"{\"html\":\"\u003ca href=\\\"https:\/\/x.com\/a\/status\/20\\\"\u003e\"}"#
            ),
            r#"{"html":"<a href=\"https://x.com/a/status/20\">"}"#
        );
        assert_eq!(json_unescape("plain"), "plain");
    }
}
