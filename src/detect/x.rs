//! X/Twitter embed shapes (docs/platforms.md §1.1).
//!
//! [`embed`] is offered every element of the page; it claims the element when
//! it is an X embed and returns its citations (one, or none for a wrapper
//! whose inner content belongs to another platform). Id attributes may
//! hold a bare id or a status URL; when an embed names its post in several
//! places, [`ids::resolve`] picks one (an exact id over its JavaScript
//! rounding).

use super::dom::{elements, has_class, text_of};
use super::platform::Spec;
use super::{Citation, Kind, Platform, Warning, dates, ids, text, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// X / Twitter: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: Spec = Spec {
    platform: Platform::X,
    name: "x",
    aliases: &["twitter"],
    hosts: &[
        "twitter.com",
        "x.com",
        "fxtwitter.com",
        "vxtwitter.com",
        "fixupx.com",
        "fixvx.com",
        "nitter.*",
    ],
    markers: &[
        "twitter",
        "x.com/",
        "tweet",
        "fixupx",
        "fixvx",
        "nitter",
        // Newsletter cards: avatars from X's image host, beehiiv's alt text.
        "twimg",
        "tw profile",
    ],
    url: urls::x::parse,
    embed,
    id_time: Some(id_time),
    example_url: "https://x.com/jack/status/20",
    example_embed: r#"<blockquote class="twitter-tweet"><p lang="en">just setting up my twttr</p>&mdash; jack (@jack) <a href="https://twitter.com/jack/status/20">March 21, 2006</a></blockquote>"#,
};

/// A Snowflake id's time.
fn id_time(id: &str) -> Option<i64> {
    id.parse::<u64>().ok().and_then(dates::snowflake_ms)
}
/// Citations for `node` if it is an X embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    let name = el.name();
    if name == "blockquote" && (has_class(el, "twitter-tweet") || has_class(el, "twitter-video")) {
        let own: Vec<(&str, &str)> = ["data-tweet-id", "data-tweetid", "data-id"]
            .into_iter()
            .filter_map(|a| Some((a, el.attr(a)?)))
            .collect();
        return Some(blockquote(node, &own).into_iter().collect());
    }
    if el.attr("data-tweet-id").is_some() || has_class(el, "twitter-tweet-rendered") {
        return rendered(node, el);
    }
    if name == "iframe" {
        if let Some(id) = el.attr("src").and_then(tweet_html_id) {
            return from_ids(&[("the iframe's src", &id)], "iframe").map(|c| vec![c.finish()]);
        }
        if let Some(c) = publisher_iframe(node, el) {
            return Some(vec![c]);
        }
        return None;
    }
    if name == "div"
        && has_class(el, "tweet")
        && let Some(c) = super::cards::substack(node, el)
    {
        return Some(vec![c]);
    }
    if name == "img"
        && el
            .attr("alt")
            .is_some_and(|a| a.trim_start().starts_with("tw profile:"))
    {
        return super::cards::beehiiv(node, el).map(|c| vec![c]);
    }
    if has_class(el, "twitter-tweet") || has_class(el, "twitter-video") {
        return Some(blockquote(node, &[]).into_iter().collect());
    }
    if name == "amp-twitter" {
        let id = ["data-tweetid", "data-tweet-id"]
            .into_iter()
            .find_map(|a| el.attr(a).map(|v| (a, v)))?;
        let fallback = elements(node).find(|(_, e)| e.name() == "blockquote");
        let c = match fallback {
            Some((bq, _)) => blockquote(bq, &[id]),
            None => from_ids(&[(id.0, id.1)], "amp").map(Citation::finish),
        };
        return Some(c.into_iter().collect());
    }
    if name == "figure"
        && (has_class(el, "wp-block-embed-twitter")
            || has_class(el, "wp-block-embed-x")
            || (has_class(el, "wp-block-embed")
                && (has_class(el, "is-provider-twitter") || has_class(el, "is-provider-x"))))
    {
        return gutenberg(node);
    }
    None
}

/// A citation known only by the ids attributes give (each bare or a status
/// URL, most trusted first), not finished; None when none names a tweet.
fn from_ids(found: &[(&str, &str)], shape: &'static str) -> Option<Citation> {
    let named: Vec<(&str, String)> = found
        .iter()
        .filter_map(|(place, v)| Some((*place, ids::tweet_id(v)?)))
        .collect();
    let (id, warning) = ids::resolve(&named)?;
    let mut c = with_id(Citation::new(Platform::X, Kind::Embed, shape), &id);
    c.warnings.extend(warning);
    Some(c)
}

/// Set the post to the tweet `id`, keeping a handle the citation knows.
fn with_id(mut c: Citation, id: &str) -> Citation {
    let handle = c.url_handle.clone().unwrap_or_else(|| "i".to_string());
    let url = format!("https://x.com/{handle}/status/{id}");
    if let Some(parsed) = urls::parse_post_url(&url) {
        let source = c.source_url.take();
        c = c.with_url(&url, &parsed);
        c.source_url = source;
    }
    c
}

/// Rendered embeds: `iframe[data-tweet-id]`, `div.twitter-tweet-rendered`.
/// The wrapper class is not trusted: without a tweet id inside, the element
/// is left to the other platforms' matchers. Every id the element and its
/// inner iframe give is weighed, so one rounded copy cannot hide the exact id.
fn rendered(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    let mut found: Vec<(&str, String)> = Vec::new();
    let mut offer = |place: &'static str, value: Option<String>| {
        if let Some(v) = value {
            found.push((place, v));
        }
    };
    for attr in ["data-tweet-id", "data-id"] {
        offer(attr, el.attr(attr).map(str::to_string));
    }
    offer("the iframe's src", el.attr("src").and_then(tweet_html_id));
    for (_, e) in elements(node) {
        offer(
            "an inner data-tweet-id",
            e.attr("data-tweet-id").map(str::to_string),
        );
        offer(
            "the inner iframe's src",
            e.attr("src").and_then(tweet_html_id),
        );
    }
    let found: Vec<(&str, &str)> = found.iter().map(|(p, v)| (*p, v.as_str())).collect();
    let c = from_ids(&found, "")?;
    let shape = if el.name() == "iframe" {
        "iframe"
    } else {
        "rendered"
    };
    Some(vec![Citation { shape, ..c }.finish()])
}

/// The `id` query parameter of a `platform.twitter.com/embed/Tweet.html` src.
fn tweet_html_id(src: &str) -> Option<String> {
    if !src.contains("/embed/Tweet.html") {
        return None;
    }
    let query = src.split_once('?')?.1;
    query
        .split(['&', '#'])
        .filter_map(|kv| kv.strip_prefix("id="))
        .map(|v| v.trim_start_matches("amp;"))
        .find(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string)
}

/// A publish blockquote, stub or tombstone. `known` are ids from
/// attributes (of an AMP parent, or of the blockquote itself), weighed
/// against the status link's, or used when there is no status link.
fn blockquote(node: NodeRef<'_, Node>, known: &[(&str, &str)]) -> Option<Citation> {
    // The status link: the last anchor pointing at an X post.
    let status = elements(node)
        .filter(|(_, e)| e.name() == "a")
        .filter_map(|(n, e)| {
            let href = e.attr("href")?;
            let parsed = urls::parse_post_url(href)?;
            (parsed.platform == Platform::X && parsed.post_id.is_some())
                .then_some((n, href, parsed))
        })
        .last();
    let Some((anchor, href, parsed)) = status else {
        let shape = if known.is_empty() {
            "blockquote"
        } else {
            "amp"
        };
        return match from_ids(known, shape) {
            Some(c) => Some(with_tail(c, node, None).finish()),
            // A blockquote with the class but no status link and no id:
            // an unidentified post if it shows a tail, else nothing.
            None => {
                let c = with_tail(
                    Citation::new(Platform::X, Kind::Embed, "blockquote"),
                    node,
                    None,
                );
                c.handle.is_some().then(|| c.finish())
            }
        };
    };
    let mut c = Citation::new(Platform::X, Kind::Embed, "blockquote").with_url(href, &parsed);
    if !known.is_empty() {
        let mut found = vec![("the status link", href)];
        found.extend_from_slice(known);
        if let Some(resolved) = from_ids(&found, "blockquote") {
            if resolved.post_id != c.post_id {
                c = with_id(c, resolved.post_id.as_deref().unwrap_or_default());
            }
            c.warnings.extend(resolved.warnings);
        }
    }
    let (anchor_text, _) = text_of(anchor, None);
    let c = with_tail(c, node, Some(anchor));
    if c.handle.is_some() {
        let mut c = c;
        c.display_date = Some(anchor_text).filter(|t| !t.is_empty());
        return Some(c.finish());
    }
    // No tail: a stub (only the link) or a publisher's tombstone.
    let (before, _) = text_of(node, Some(anchor.id()));
    let mut c = c;
    if before.is_empty() && looks_like_tombstone(&anchor_text) {
        c.shape = "tombstone";
        c.warnings.push(Warning {
            kind: "publisher_tombstone",
            detail: format!(
                "the publisher replaced the embed with {:?}: the post was probably gone when the page was saved",
                anchor_text.lines().next().unwrap_or_default()
            ),
        });
    } else if before.is_empty() {
        c.shape = "stub";
    } else {
        c.text = Some(before);
    }
    Some(c.finish())
}

/// Fill handle, name, text and language from the blockquote's tail, which
/// ends just before `anchor` (or at the end of the blockquote).
fn with_tail(
    mut c: Citation,
    node: NodeRef<'_, Node>,
    anchor: Option<NodeRef<'_, Node>>,
) -> Citation {
    let (before, _) = text_of(node, anchor.map(|a| a.id()));
    if let Some(tail) = text::split_tail(&before) {
        c.handle = Some(tail.handle.to_string());
        c.author_name = Some(tail.name.to_string()).filter(|n| !n.is_empty());
        c.text = Some(tail.text.to_string()).filter(|t| !t.is_empty());
        c.lang = elements(node)
            .find_map(|(_, e)| (e.name() == "p").then(|| e.attr("lang")).flatten())
            .map(str::to_string);
    }
    c
}

fn looks_like_tombstone(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "deleted",
        "unavailable",
        "no longer available",
        "removed",
        "not available",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// WordPress Gutenberg: a figure holding a bare status URL (saved content).
/// A figure holding a blockquote is left to the blockquote matcher; one
/// holding a timeline or profile yields nothing.
fn gutenberg(node: NodeRef<'_, Node>) -> Option<Vec<Citation>> {
    if elements(node).any(|(_, e)| has_class(e, "twitter-tweet") || e.name() == "blockquote") {
        return None;
    }
    let (shown, _) = text_of(node, None);
    let raw = shown.split_whitespace().find(|w| w.contains("/status"))?;
    let parsed = urls::parse_post_url(raw).filter(|p| p.platform == Platform::X)?;
    Some(vec![
        Citation::new(Platform::X, Kind::Embed, "gutenberg")
            .with_url(raw, &parsed)
            .finish(),
    ])
}

/// A publisher's own tweet iframe whose id or name carries the tweet id
/// followed by other digits (user id, Unix time), with an optional
/// "Twitter: Name - text" fallback inside. The tweet id is the prefix whose
/// Snowflake time lies within two days of the trailing Unix time. A status
/// link in the fallback is a second source for the id.
fn publisher_iframe(node: NodeRef<'_, Node>, el: &Element) -> Option<Citation> {
    let attr = [el.attr("id"), el.attr("name")]
        .into_iter()
        .flatten()
        .find(|v| v.to_ascii_lowercase().contains("tweet"))?;
    let digits: String = attr
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.len() < 26 {
        return None;
    }
    let unix: i64 = digits[digits.len() - 10..].parse().ok()?;
    let id = (15..=19)
        .rev()
        .filter(|&n| n + 10 <= digits.len())
        .find_map(|n| {
            let candidate = &digits[..n];
            let ms = candidate
                .parse::<u64>()
                .ok()
                .and_then(dates::snowflake_ms)?;
            ((ms / 1000 - unix).abs() <= 2 * 86_400).then(|| candidate.to_string())
        })?;
    let (raw_fallback, _) = text_of(node, None);
    let mut found = vec![("the iframe's id", id.as_str())];
    found.extend(
        raw_fallback
            .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
            .filter(|w| w.contains("/status"))
            .map(|w| {
                (
                    "a status link in the fallback",
                    w.trim_start_matches("href="),
                )
            }),
    );
    let mut c = from_ids(&found, "publisher-iframe")?;
    let fallback = strip_tags(&raw_fallback);
    if let Some(rest) = fallback.trim().strip_prefix("Twitter:")
        && let Some((name, body)) = rest.split_once(" - ")
    {
        c.author_name = Some(name.trim().to_string());
        c.text = Some(body.trim().to_string()).filter(|t| !t.is_empty());
    }
    Some(c.finish())
}

/// Iframe content is raw text to an HTML parser: drop the tags in it.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out
}
