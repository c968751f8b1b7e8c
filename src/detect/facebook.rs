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

use super::dom::{elements, has_class, text_of};
use super::embeds::{from_url, gutenberg, iframe_src, last_post_link};
use super::{Citation, Platform, dates, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Facebook: names, hosts, markers, URL parser, embed matcher.
pub(super) const SPEC: super::platform::Spec = super::platform::Spec {
    platform: Platform::Facebook,
    name: "facebook",
    aliases: &[],
    hosts: &["=fb.watch", "facebook.com", "fb.com"],
    markers: &["facebook", "fb.com", "fb.watch", "fb-post", "fb-video"],
    url: super::urls::facebook::parse,
    embed,
    id_time: None,
    example_url: "https://www.facebook.com/nasa/posts/10159876543210987",
    example_embed: r#"<div class="fb-post" data-href="https://www.facebook.com/nasa/posts/10159876543210987" data-width="500"></div>"#,
};

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
        let all = text_of(bq, None).0;
        match posted_by_words(&all) {
            Some((text, page, date)) => {
                c.text = Some(text.to_string()).filter(|t| !t.is_empty());
                c.author_name = Some(page.to_string());
                c.display_date = Some(date.to_string());
            }
            None => c.text = Some(all).filter(|t| !t.is_empty()),
        }
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
        dates::date_in_words(&after).map(|(start, end)| after[start..end].to_string())
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

/// "Posted by" as Facebook's fallback writes it, in the languages the date
/// parser knows.
const POSTED_BY: &[&str] = &[
    "Posted by",
    "Gepostet von",
    "Publiée par",
    "Publié par",
    "Publicado por",
    "Pubblicato da",
    "Geplaatst door",
    "Опубликовано",
];

/// A fallback whose page is not linked: `TEXT Posted by PAGE on DATE` in
/// any language of [`POSTED_BY`] → (text, page, date).
fn posted_by_words(all: &str) -> Option<(&str, &str, &str)> {
    let (at, words) = POSTED_BY
        .iter()
        .filter_map(|w| all.rfind(w).map(|at| (at, *w)))
        .max_by_key(|&(at, _)| at)?;
    let rest = &all[at + words.len()..];
    let (start, end) = dates::date_in_words(rest)?;
    let page = dates::strip_connector(rest[..start].trim());
    (!page.is_empty()).then(|| (all[..at].trim(), page, &rest[start..end]))
}

#[cfg(test)]
mod tests {
    use super::posted_by_words;

    #[test]
    fn posted_by_lines_without_links() {
        assert_eq!(
            posted_by_words("Text. Posted by Page Name on Monday, February 7, 2022"),
            Some(("Text.", "Page Name", "Monday, February 7, 2022"))
        );
        assert_eq!(
            posted_by_words("Texte. Publiée par Ville de Lyon sur lundi 7 février 2022"),
            Some(("Texte.", "Ville de Lyon", "lundi 7 février 2022"))
        );
        assert_eq!(posted_by_words("Posted by nobody, no date"), None);
        assert_eq!(
            posted_by_words("Posted by on Monday, February 7, 2022"),
            None
        );
    }
}
