//! Text helpers for what endpoints return: HTML to plain text, entities, and
//! the normal form in which an endpoint's text and an article's copy of it
//! are compared (an edited post, or an altered embed, differs there).

use regex::Regex;
use scraper::{Html, Selector};
use std::sync::LazyLock;

/// Links, which the two sides print differently: endpoints give X's `t.co`
/// wrappers where embeds show `pic.twitter.com/…` for media and a shortened
/// display form (`example.com/pa…`) for other links.
static LINKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:https?://\S+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*)").expect("valid regex")
});

/// The form in which two copies of a post's text are compared: without
/// links (`t.co`, `pic.twitter.com`, display URLs), whitespace collapsed,
/// trimmed.
pub fn comparable(text: &str) -> String {
    let without = LINKS.replace_all(text, " ");
    without.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of an HTML fragment: paragraphs and `<br>` become line breaks,
/// entities are decoded, tags dropped.
pub fn html_to_text(html: &str) -> String {
    let fragment = Html::parse_fragment(html);
    let mut out = String::new();
    for node in fragment.root_element().descendants() {
        match node.value() {
            scraper::Node::Text(t) => out.push_str(t),
            scraper::Node::Element(e) if e.name() == "br" => out.push('\n'),
            scraper::Node::Element(e) if e.name() == "p" && !out.is_empty() => out.push_str("\n\n"),
            _ => {}
        }
    }
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// The text of the first element matching `selector` in an HTML document.
pub fn first_text(html: &str, selector: &str) -> Option<String> {
    let sel = Selector::parse(selector).ok()?;
    let doc = Html::parse_document(html);
    let el = doc.select(&sel).next()?;
    let text = html_to_text(&el.inner_html());
    (!text.is_empty()).then_some(text)
}

/// The value of `attr` on the first element matching `selector`.
pub fn first_attr(html: &str, selector: &str, attr: &str) -> Option<String> {
    let sel = Selector::parse(selector).ok()?;
    let doc = Html::parse_document(html);
    let value = doc.select(&sel).next()?.value().attr(attr)?;
    Some(value.to_string())
}

/// Undo the entities X's syndication leaves in tweet text.
pub fn unescape_basic(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// An endpoint's time as RFC 3339 UTC with milliseconds, like every time
/// in the archive.
pub fn rfc3339(text: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_whitespace_do_not_count() {
        assert_eq!(
            comparable("Honored to be here.\n pic.twitter.com/AbCdEf12"),
            comparable("Honored to be here. https://t.co/XyZ123")
        );
        assert_eq!(
            comparable("Read this example.com/2024/long-pa… now"),
            comparable("Read this https://t.co/Q1w2E3 now")
        );
        assert_ne!(
            comparable("Honored to be here."),
            comparable("Honoured to be here.")
        );
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_to_text("<p>First &amp; <a href=\"x\">#tag</a></p><p>Second<br>line</p>"),
            "First & #tag\n\nSecond\nline"
        );
        assert_eq!(
            first_text("<div class=\"m\"><b>hi</b> there</div>", ".m").as_deref(),
            Some("hi there")
        );
        assert_eq!(first_text("<div></div>", ".m"), None);
        assert_eq!(
            first_attr(
                "<time datetime=\"2024-01-02T03:04:05+00:00\">x</time>",
                "time",
                "datetime"
            )
            .as_deref(),
            Some("2024-01-02T03:04:05+00:00")
        );
        assert_eq!(unescape_basic("a &amp;lt; b &gt; c"), "a &lt; b > c");
    }
}
