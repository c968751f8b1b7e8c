//! Tweets pasted into newsletters as static cards (docs/platforms.md §1.1):
//! no widget, often no status id, links rewritten by trackers.
//!
//! * Substack: a `div` whose class list has the token `tweet`, holding
//!   `.tweet-author-name`, `.tweet-author-handle` (`@handle`), `.tweet-text`
//!   and a date such as `8:44 AM ∙ Mar 15, 2023`; the status id, when it
//!   survives, sits in any `href` (even on a `span`), and web pages may carry
//!   it all as JSON in `data-attrs`. A nested `.quote-tweet` is the quoted
//!   post: nothing of the card is read from inside it.
//! * beehiiv: an email table with an avatar `img` whose `alt` is
//!   `tw profile: Name`, the `@handle` in a span, the text in a `<p>` and the
//!   date in a cell of its own.
//!
//! A card without an id is still a citation, of an unidentified post.

use super::dom::{elements, has_class, text_of};
use super::{Citation, Kind, Platform, dates, urls};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// A Substack static card.
pub(super) fn substack(node: NodeRef<'_, Node>, el: &Element) -> Option<Citation> {
    let mut c = Citation::new(Platform::X, Kind::Embed, "newsletter-card");
    if let Some(attrs) = el
        .attr("data-attrs")
        .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
    {
        let field = |k: &str| attrs.get(k).and_then(|v| v.as_str()).map(str::trim);
        if let Some(url) = field("url")
            && let Some(parsed) = urls::parse_post_url(url).filter(|p| p.platform == Platform::X)
        {
            c = c.with_url(url, &parsed);
        }
        c.author_name = field("name").map(str::to_string);
        c.handle = field("username").map(|h| h.trim_start_matches('@').to_string());
        c.text = field("full_text").map(str::to_string);
        c.display_date = field("date").map(str::to_string);
    }
    // The card's own parts, never the quoted post's.
    let own = || {
        elements(node).filter(|(n, _)| {
            !n.ancestors().take_while(|a| a.id() != node.id()).any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| has_class(e, "quote-tweet"))
            })
        })
    };
    let part = |class: &str| {
        own()
            .find(|(_, e)| has_class(e, class))
            .map(|(n, _)| text_of(n, None).0)
            .filter(|t| !t.is_empty())
    };
    if c.author_name.is_none() {
        c.author_name = part("tweet-author-name");
    }
    if c.handle.is_none() {
        c.handle =
            part("tweet-author-handle").map(|h| h.trim().trim_start_matches('@').to_string());
    }
    if c.text.is_none() {
        c.text = part("tweet-text");
    }
    if c.display_date.is_none() {
        c.display_date = part("tweet-date").or_else(|| {
            own()
                .filter(|(n, _)| n.children().all(|ch| ch.value().is_text()))
                .map(|(n, _)| text_of(n, None).0)
                .find(|t| dates::parse_display_date(t).is_some())
        });
    }
    if c.post_id.is_none()
        && let Some((href, parsed)) = own().find_map(|(_, e)| {
            let href = e.attr("href")?;
            let parsed = urls::parse_post_url(href).filter(|p| p.platform == Platform::X)?;
            Some((href, parsed))
        })
    {
        c = c.with_url(href, &parsed);
    }
    // Without a handle or an id, a `div.tweet` is just a class name.
    (c.handle.is_some() || c.post_id.is_some()).then(|| c.finish())
}

/// A beehiiv card, found from its avatar image.
pub(super) fn beehiiv(node: NodeRef<'_, Node>, el: &Element) -> Option<Citation> {
    let name = el
        .attr("alt")?
        .trim()
        .strip_prefix("tw profile:")
        .map(str::trim)?;
    // The card is the nearest enclosing table that also holds the text
    // and the date (the avatar often sits in a nested header table).
    let card = node
        .ancestors()
        .filter(|a| a.value().as_element().is_some_and(|e| e.name() == "table"))
        .take(4)
        .find(|t| elements(*t).any(|(_, e)| e.name() == "p") && date_cell(*t).is_some())?;
    let mut c = Citation::new(Platform::X, Kind::Embed, "newsletter-card");
    c.author_name = Some(name.to_string()).filter(|n| !n.is_empty());
    c.handle = elements(card)
        .filter(|(n, _)| n.children().all(|ch| ch.value().is_text()))
        .map(|(n, _)| text_of(n, None).0)
        .find(|t| is_handle(t))
        .map(|t| t.trim_start_matches('@').to_string());
    c.text = elements(card)
        .find(|(_, e)| e.name() == "p")
        .map(|(n, _)| text_of(n, None).0)
        .filter(|t| !t.is_empty());
    c.display_date = date_cell(card);
    if let Some((href, parsed)) = elements(card).find_map(|(_, e)| {
        let href = e.attr("href")?;
        let parsed = urls::parse_post_url(href)
            .filter(|p| p.platform == Platform::X && p.post_id.is_some())?;
        Some((href, parsed))
    }) {
        c = c.with_url(href, &parsed);
    }
    c.handle.is_some().then(|| c.finish())
}

/// The text of the first table cell that is a date.
fn date_cell(table: NodeRef<'_, Node>) -> Option<String> {
    elements(table)
        .filter(|(_, e)| matches!(e.name(), "td" | "span" | "p"))
        .map(|(n, _)| text_of(n, None).0)
        .find(|t| dates::parse_display_date(t).is_some())
}

fn is_handle(t: &str) -> bool {
    t.strip_prefix('@').is_some_and(|h| {
        (1..=50).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}
