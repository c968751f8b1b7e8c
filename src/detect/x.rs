//! X/Twitter embed shapes (PLATFORMS.md §1.1).
//!
//! [`embed`] is offered every element of the page; it claims the element when
//! it is an X embed and returns its citations (one, or none for a wrapper
//! whose inner content belongs to another platform). Ids from attributes
//! are checked for JavaScript float rounding, which some publishers' scripts
//! applied to 18-digit ids: such an id names the wrong post, so it is dropped
//! with a warning rather than stored.

use super::html::{elements, has_class, text_of};
use super::{Citation, Kind, Platform, Warning, dates, text, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Citations for `node` if it is an X embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    let name = el.name();
    if el.attr("data-tweet-id").is_some() || has_class(el, "twitter-tweet-rendered") {
        return rendered(node, el);
    }
    if name == "iframe" {
        if let Some(id) = el.attr("src").and_then(tweet_html_id) {
            return Some(vec![from_id(&id, "iframe").finish()]);
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
        return Some(blockquote(node, None).into_iter().collect());
    }
    if name == "amp-twitter" {
        let id = el
            .attr("data-tweetid")
            .or_else(|| el.attr("data-tweet-id"))?;
        let fallback = elements(node).find(|(_, e)| e.name() == "blockquote");
        let c = match fallback {
            Some((bq, _)) => blockquote(bq, Some(id)),
            None => Some(from_id(id, "amp").finish()),
        };
        return Some(c.into_iter().collect());
    }
    if name == "figure"
        && (has_class(el, "wp-block-embed-twitter")
            || (has_class(el, "wp-block-embed") && has_class(el, "is-provider-twitter")))
    {
        return gutenberg(node);
    }
    None
}

/// A citation known only by its id (rendered iframes, AMP), not finished.
fn from_id(id: &str, shape: &'static str) -> Citation {
    let mut c = Citation::new(Platform::X, Kind::Embed, shape);
    let id = id.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) || id.len() > 20 {
        return c;
    }
    if is_float_rounded(id) {
        c.warnings.push(rounded_warning(id));
        return c;
    }
    let url = format!("https://x.com/i/status/{id}");
    if let Some(parsed) = urls::parse_post_url(&url) {
        c = c.with_url(&url, &parsed);
        c.source_url = None;
    }
    c
}

/// Rendered embeds: `iframe[data-tweet-id]`, `div.twitter-tweet-rendered`.
/// The wrapper class is not trusted: without a tweet id inside, the element
/// is left to the other platforms' matchers.
fn rendered(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    let own = el.attr("data-tweet-id").map(str::to_string);
    let id = own.or_else(|| {
        elements(node).find_map(|(_, e)| {
            e.attr("data-tweet-id")
                .map(str::to_string)
                .or_else(|| e.attr("src").and_then(tweet_html_id))
        })
    })?;
    let shape = if el.name() == "iframe" {
        "iframe"
    } else {
        "rendered"
    };
    Some(vec![from_id(&id, shape).finish()])
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

/// A publish blockquote, stub or tombstone. `known_id` comes from an AMP
/// parent when the fallback blockquote has no status link.
fn blockquote(node: NodeRef<'_, Node>, known_id: Option<&str>) -> Option<Citation> {
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
        return match known_id {
            Some(id) => Some(with_tail(from_id(id, "amp"), node, None).finish()),
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
    if let Some(id) = parsed.post_id.as_deref().filter(|id| is_float_rounded(id)) {
        c.warnings.push(rounded_warning(id));
        c.post_id = None;
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
/// Snowflake time lies within two days of the trailing Unix time.
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
    let mut c = from_id(&id, "publisher-iframe");
    let (fallback, _) = text_of(node, None);
    let fallback = strip_tags(&fallback);
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

/// An id above 2^53 that a JavaScript number printed: trailing zeros and
/// exactly representable as a double. A real id has both properties by
/// chance about once in several thousand.
fn is_float_rounded(id: &str) -> bool {
    let Ok(n) = id.parse::<u64>() else {
        return false;
    };
    n > (1u64 << 53) && id.ends_with("00") && (n as f64) as u64 == n
}

fn rounded_warning(id: &str) -> Warning {
    Warning {
        kind: "rounded_id",
        detail: format!(
            "tweet id {id} was rounded by JavaScript (it is a multiple of a power of two with trailing zeros); the true id is unknown"
        ),
    }
}
