//! Instagram embed shapes (docs/platforms.md §4).
//!
//! * `blockquote.instagram-media` with the post in `data-instgrm-permalink`
//!   (or the link inside). Its fallback ends with `A post shared by Name
//!   (@handle)`; older versions (up to 12) put the caption in a paragraph
//!   before it, link the name to the profile and add ` on <time
//!   datetime="…">Date</time>`.
//! * the rendered `iframe.instagram-media-rendered` (any iframe loading
//!   `instagram.com/p/{code}/embed`), also inside a mislabelled
//!   `div.twitter-tweet-rendered`;
//! * AMP `<amp-instagram data-shortcode>`; Gutenberg figures with a bare URL.
//!
//! A blockquote naming a profile instead of a post yields nothing.

use super::dom::{elements, has_class, text_of};
use super::embeds::{from_url, gutenberg, iframe_src, last_post_link};
use super::ids::from_id_or_url;
use super::{Citation, Platform, dates};
use chrono::DateTime;
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Instagram: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: super::platform::Spec = super::platform::Spec {
    platform: Platform::Instagram,
    name: "instagram",
    aliases: &[],
    hosts: &["instagram.com", "instagr.am"],
    markers: &["instagr"],
    url: super::urls::instagram::parse,
    embed,
    id_time: None,
    example_url: "https://www.instagram.com/p/C1a2b3c4d5E/",
    example_embed: r#"<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/C1a2b3c4d5E/?utm_source=ig_embed" data-instgrm-version="14"><a href="https://www.instagram.com/p/C1a2b3c4d5E/">View this post on Instagram</a></blockquote>"#,
};

/// Citations for `node` if it is an Instagram embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    match el.name() {
        "blockquote" if has_class(el, "instagram-media") => {
            Some(blockquote(node, el).into_iter().collect())
        }
        "iframe" => {
            let src = iframe_src(el).filter(|s| s.contains("instagr"))?;
            let c = from_url(Platform::Instagram, src, "iframe")?;
            Some(vec![c.finish()])
        }
        "amp-instagram" => {
            let code = el.attr("data-shortcode").unwrap_or_default();
            let c = from_id_or_url(Platform::Instagram, code, "amp", post_url);
            Some(c.map(Citation::finish).into_iter().collect())
        }
        "figure" => gutenberg(node, el, Platform::Instagram, &["instagram"]),
        _ => None,
    }
}

/// The URL of the post with shortcode `code`.
fn post_url(code: &str) -> String {
    format!("https://www.instagram.com/p/{code}/")
}

fn blockquote(node: NodeRef<'_, Node>, el: &Element) -> Option<Citation> {
    let mut c = el
        .attr("data-instgrm-permalink")
        .and_then(|u| from_id_or_url(Platform::Instagram, u, "blockquote", post_url))
        .or_else(|| {
            let (_, href) = last_post_link(node, Platform::Instagram)?;
            from_url(Platform::Instagram, href, "blockquote")
        })?;
    // The paragraphs: the caption (if any), then the "shared by" line,
    // which is the last one naming a `(@handle)`.
    let paragraphs: Vec<(NodeRef<'_, Node>, String)> = elements(node)
        .filter(|(_, e)| e.name() == "p")
        .map(|(n, _)| (n, text_of(n, None).0))
        .collect();
    let Some(shared) = paragraphs.iter().rposition(|(_, t)| t.contains("(@")) else {
        return Some(c.finish());
    };
    let (shared_node, line) = &paragraphs[shared];
    if let Some((name, handle)) = shared_by(line) {
        c.handle = Some(handle.to_string());
        c.author_name = name.map(str::to_string).or_else(|| {
            // Another language: the name is the link to the profile.
            elements(*shared_node)
                .filter(|(_, e)| e.name() == "a")
                .filter(|(_, e)| {
                    e.attr("href")
                        .is_some_and(|h| h.trim_end_matches('/').ends_with(&format!("/{handle}")))
                })
                .map(|(n, _)| text_of(n, None).0)
                .find(|t| !t.is_empty())
        });
    }
    let caption: Vec<&str> = paragraphs[..shared]
        .iter()
        .map(|(_, t)| t.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    c.text = Some(caption.join("\n")).filter(|t| !t.is_empty());
    if let Some((time_node, time)) = elements(*shared_node).find(|(_, e)| e.name() == "time") {
        c.display_date = Some(text_of(time_node, None).0).filter(|d| !d.is_empty());
        c.posted_at_ms = time
            .attr("datetime")
            .and_then(|d| DateTime::parse_from_rfc3339(d.trim()).ok())
            .map(|d| d.timestamp_millis());
    } else if let Some(after) = line
        .rfind("(@")
        .and_then(|at| line[at..].find(')').map(|e| &line[at + e + 1..]))
    {
        // Older embed codes write the date after the handle, in words.
        c.display_date = dates::date_in_words(after).map(|(a, b)| after[a..b].to_string());
    }
    Some(c.finish())
}

/// `A post shared by Name (@handle)[ on Date]`: the name (when the English
/// wording gives it) and the handle.
fn shared_by(line: &str) -> Option<(Option<&str>, &str)> {
    let open = line.rfind("(@")?;
    let close = open + line[open..].find(')')?;
    let handle = &line[open + 2..close];
    let valid = !handle.is_empty()
        && handle
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    if !valid {
        return None;
    }
    let before = line[..open].trim();
    let name = SHARED_BY
        .iter()
        .find_map(|p| {
            before
                .get(..p.len())
                .filter(|head| head.to_lowercase() == p.to_lowercase())
                .map(|_| before[p.len()..].trim())
        })
        .filter(|n| !n.is_empty());
    Some((name, handle))
}

/// "A post shared by" as Instagram's embed code writes it, in the languages
/// the date parser knows.
const SHARED_BY: &[&str] = &[
    "A post shared by",
    "Ein Beitrag geteilt von",
    "Une publication partagée par",
    "Una publicación compartida de",
    "Una publicación compartida por",
    "Un post condiviso da",
    "Uma publicação compartilhada por",
    "Uma publicação partilhada por",
    "Een bericht gedeeld door",
    "Публикация от",
];

#[cfg(test)]
mod tests {
    use super::shared_by;

    #[test]
    fn shared_by_lines() {
        assert_eq!(
            shared_by("A post shared by Some Name (@some.name) on Feb 17, 2017 at 11:11am PST"),
            Some((Some("Some Name"), "some.name"))
        );
        assert_eq!(
            shared_by("A post shared by Name (with) parens (@handle_1)"),
            Some((Some("Name (with) parens"), "handle_1"))
        );
        assert_eq!(
            shared_by("Ein Beitrag geteilt von Name (@handle)"),
            Some((Some("Name"), "handle"))
        );
        assert_eq!(
            shared_by("Beitrag von Name (@handle)"),
            Some((None, "handle"))
        );
        assert_eq!(shared_by("no handle here"), None);
        assert_eq!(shared_by("A post shared by X (@bad handle)"), None);
    }
}
