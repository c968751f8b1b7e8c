//! Facebook embed shapes (docs/platforms.md §4).
//!
//! * `div.fb-post` / `div.fb-video` with the post in `data-href`, usually
//!   holding a fallback `blockquote[cite]`: the text, then `Posted by <a
//!   href="{page}">Page</a> on <a href="{post}">Date</a>` (videos: a title
//!   link first, and the date as plain text). A div without fallback content
//!   is a `stub`.
//! * the fallback blockquote alone (`blockquote.fb-xfbml-parse-ignore`)
//!   when a CMS dropped the div;
//! * iframes loading `facebook.com/plugins/post.php?href=…` or `video.php`;
//! * AMP `<amp-facebook data-href>`; Gutenberg figures with a bare URL.
//!
//! Page plugins (`div.fb-page`, `plugins/page.php`), profiles and comment
//! embeds are not posts. Facebook shows no handle: the page's vanity name
//! comes from the post URL only.

use super::embeds::{from_url, gutenberg, iframe_src, last_post_link};
use super::html::{elements, has_class, text_of};
use super::{Citation, Platform, dates, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Citations for `node` if it is a Facebook embed; `None` lets the walk descend.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    match el.name() {
        "div" if has_class(el, "fb-post") || has_class(el, "fb-video") => {
            Some(plugin(node, el).into_iter().collect())
        }
        "blockquote" if has_class(el, "fb-xfbml-parse-ignore") => {
            let c = el
                .attr("cite")
                .and_then(|u| from_url(Platform::Facebook, u, "blockquote"))?;
            Some(vec![with_fallback(c, node).finish()])
        }
        "iframe" => {
            let src = iframe_src(el).filter(|s| s.contains("facebook."))?;
            let c = from_url(Platform::Facebook, src, "iframe")?;
            Some(vec![c.finish()])
        }
        "amp-facebook" => {
            if el.attr("data-embed-as") == Some("comment") {
                return Some(Vec::new());
            }
            let c = el
                .attr("data-href")
                .and_then(|u| from_url(Platform::Facebook, u, "amp"));
            Some(c.map(Citation::finish).into_iter().collect())
        }
        "figure" => gutenberg(node, el, Platform::Facebook, &["facebook"]),
        _ => None,
    }
}

/// `div.fb-post` / `div.fb-video`: the post from `data-href`, else from the
/// fallback's `cite`, else from its last post link.
fn plugin(node: NodeRef<'_, Node>, el: &Element) -> Option<Citation> {
    let fallback = elements(node).find(|(_, e)| e.name() == "blockquote");
    let from_cite = || {
        let (_, bq) = fallback?;
        from_url(Platform::Facebook, bq.attr("cite")?, "blockquote")
    };
    let from_link = || {
        let (_, href) = last_post_link(node, Platform::Facebook)?;
        from_url(Platform::Facebook, href, "blockquote")
    };
    let c = el
        .attr("data-href")
        .and_then(|u| from_url(Platform::Facebook, u, "blockquote"))
        .or_else(from_cite)
        .or_else(from_link)?;
    let mut c = match fallback {
        Some((bq, _)) => with_fallback(c, bq),
        None => c,
    };
    if c.text.is_none() && c.author_name.is_none() && text_of(node, None).0.is_empty() {
        c.shape = "stub";
    }
    Some(c.finish())
}

/// Text, page name and display date from a fallback blockquote.
fn with_fallback(mut c: Citation, bq: NodeRef<'_, Node>) -> Citation {
    let anchors: Vec<(NodeRef<'_, Node>, &str)> = elements(bq)
        .filter(|(_, e)| e.name() == "a")
        .filter_map(|(n, e)| Some((n, e.attr("href")?)))
        .collect();
    // The page: the last link to Facebook that is not a post.
    let author = anchors.iter().rposition(|(_, href)| {
        href.contains("facebook.com") && urls::parse_post_url(href).is_none()
    });
    let Some(author_at) = author else {
        c.text = Some(text_of(bq, None).0).filter(|t| !t.is_empty());
        return c;
    };
    let author = anchors[author_at].0;
    c.author_name = Some(text_of(author, None).0).filter(|n| !n.is_empty());
    // The date: a post link after the page link, or a date in the text after it.
    let date_link = anchors[author_at + 1..]
        .iter()
        .find(|(_, href)| {
            urls::parse_post_url(href).is_some_and(|p| p.platform == Platform::Facebook)
        })
        .map(|(n, _)| text_of(*n, None).0)
        .filter(|d| !d.is_empty());
    c.display_date = date_link.or_else(|| {
        let after: String = author
            .next_siblings()
            .map(|n| text_of(n, None).0)
            .collect::<Vec<_>>()
            .join(" ");
        date_in(&after).map(str::to_string)
    });
    // The text: everything before the paragraph of the "Posted by" line,
    // or before the page link and the words leading to it.
    let in_paragraph = author
        .parent()
        .filter(|p| p.id() != bq.id() && p.value().as_element().is_some_and(|e| e.name() == "p"));
    let stop = in_paragraph.unwrap_or(author);
    let (mut before, _) = text_of(bq, Some(stop.id()));
    if in_paragraph.is_none()
        && let Some(prefix) = author.prev_sibling().and_then(|n| n.value().as_text())
    {
        let prefix = prefix.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(rest) = before.strip_suffix(prefix.as_str()) {
            before = rest.trim_end().to_string();
        }
    }
    c.text = Some(before).filter(|t| !t.is_empty());
    c
}

/// The first display date in `text` starting at a word, without the
/// preposition before it ("on Monday, February 7, 2022" → "Monday,
/// February 7, 2022").
fn date_in(text: &str) -> Option<&str> {
    const CONNECTORS: &[&str] = &["on ", "am ", "le ", "el ", "il ", "em ", "op "];
    let starts = std::iter::once(0).chain(
        text.char_indices()
            .filter(|&(_, c)| c.is_whitespace())
            .map(|(i, c)| i + c.len_utf8()),
    );
    for start in starts {
        if let Some((_, len)) = dates::parse_display_date_prefix(&text[start..]) {
            let shown = text[start..start + len].trim();
            let bare = CONNECTORS.iter().find_map(|c| {
                shown
                    .get(..c.len())
                    .filter(|head| head.eq_ignore_ascii_case(c))
                    .map(|_| shown[c.len()..].trim_start())
            });
            return Some(bare.unwrap_or(shown));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::date_in;

    #[test]
    fn dates_after_words() {
        assert_eq!(
            date_in("on Monday, February 7, 2022"),
            Some("Monday, February 7, 2022")
        );
        assert_eq!(date_in("am 7. Februar 2022"), Some("7. Februar 2022"));
        assert_eq!(
            date_in("Facebook on Friday, December 5, 2014"),
            Some("Friday, December 5, 2014")
        );
        assert_eq!(date_in("no date here"), None);
        assert_eq!(date_in(""), None);
    }
}
