//! The paragraph around a citation, read from the stored capture of the
//! article: what a reader saw next to the post. Pure: text in, text out.
//!
//! A link's paragraph is the block that holds it. An embed or a copied
//! post is the post itself, so its paragraph is the article's own text
//! just before it (or just after, when nothing comes before).

use scraper::{ElementRef, Html, Node};

/// Longest paragraph shown; longer ones are cut around the citation's end.
pub const MAX_CHARS: usize = 600;

/// What to look for.
#[derive(Debug, Clone, Copy)]
pub struct Wanted<'a> {
    /// `embed`, `link` or `text`.
    pub kind: &'a str,
    /// The post's URL as the markup gave it.
    pub source_url: Option<&'a str>,
    /// What the article showed of the post.
    pub text: Option<&'a str>,
}

/// Blocks that are a paragraph of the article's own text.
const PARAGRAPHS: &[&str] = &[
    "p",
    "li",
    "dd",
    "dt",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figcaption",
    "pre",
];
/// Containers an embed sits in.
const EMBEDS: &[&str] = &["blockquote", "figure", "iframe", "aside"];
/// Never the article's text.
const SKIPPED: &[&str] = &["script", "style", "noscript", "template", "head"];

/// Whitespace collapsed.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most [`MAX_CHARS`] characters, with an ellipsis where cut.
fn clip(s: String) -> String {
    if s.chars().count() <= MAX_CHARS {
        return s;
    }
    let cut: String = s.chars().take(MAX_CHARS).collect();
    format!("{}…", cut.trim_end())
}

/// The first words of a post's text, to find a copy of it.
fn head(text: &str) -> Option<String> {
    let t = squash(text);
    let h: String = t.chars().take(40).collect();
    (h.chars().count() >= 8).then_some(h)
}

/// The paragraph around each of `wanted` in a document (`html` or plain
/// text / Markdown); `None` where it cannot be found.
pub fn paragraphs(body: &str, html: bool, wanted: &[Wanted<'_>]) -> Vec<Option<String>> {
    if html {
        let doc = Html::parse_document(body);
        wanted.iter().map(|w| in_html(&doc, w).map(clip)).collect()
    } else {
        let paras: Vec<String> = body
            .split("\n\n")
            .map(squash)
            .filter(|p| !p.is_empty())
            .collect();
        wanted
            .iter()
            .map(|w| in_text(&paras, w).map(clip))
            .collect()
    }
}

fn in_text(paras: &[String], w: &Wanted<'_>) -> Option<String> {
    if w.kind == "link"
        && let Some(url) = w.source_url
        && let Some(p) = paras.iter().find(|p| p.contains(url))
    {
        return Some(p.clone());
    }
    let head = w.text.and_then(head)?;
    let at = paras.iter().position(|p| p.contains(&head))?;
    let before = at.checked_sub(1).and_then(|i| paras.get(i));
    before.or_else(|| paras.get(at + 1)).cloned()
}

fn text_of(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    for node in el.descendants() {
        if let Node::Text(t) = node.value() {
            let skipped = node.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| SKIPPED.contains(&e.name()))
            });
            if !skipped {
                out.push_str(t);
            }
        }
    }
    squash(&out)
}

fn name(el: ElementRef<'_>) -> &str {
    el.value().name()
}

fn in_html(doc: &Html, w: &Wanted<'_>) -> Option<String> {
    let start = w
        .source_url
        .and_then(|url| element_with_url(doc, url))
        .or_else(|| {
            w.text
                .and_then(head)
                .and_then(|h| element_with_text(doc, &h))
        })?;
    let embedded = w.kind != "link"
        || start
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| EMBEDS.contains(&name(a)));
    if !embedded {
        let block = std::iter::once(start)
            .chain(start.ancestors().filter_map(ElementRef::wrap))
            .find(|e| PARAGRAPHS.contains(&name(*e)))?;
        let t = text_of(block);
        return (!t.is_empty()).then_some(t);
    }
    // The outermost embed container around the citation (or the element
    // itself), then the nearest paragraph before it, else after it.
    let container = std::iter::once(start)
        .chain(start.ancestors().filter_map(ElementRef::wrap))
        .filter(|e| EMBEDS.contains(&name(*e)))
        .last()
        .unwrap_or(start);
    let near = |siblings: &mut dyn Iterator<Item = ego_tree::NodeRef<'_, Node>>| {
        siblings
            .filter_map(ElementRef::wrap)
            .filter(|e| !SKIPPED.contains(&name(*e)) && !EMBEDS.contains(&name(*e)))
            .map(text_of)
            .find(|t| !t.is_empty())
    };
    // Before it, or before the block it sits in, up to the body.
    let before = std::iter::once(container)
        .chain(container.ancestors().filter_map(ElementRef::wrap))
        .take_while(|e| !matches!(name(*e), "body" | "html"))
        .find_map(|e| near(&mut e.prev_siblings()));
    before.or_else(|| near(&mut container.next_siblings()))
}

/// The first element with an attribute holding `url` (its link, source,
/// `cite` or data attribute).
fn element_with_url<'a>(doc: &'a Html, url: &str) -> Option<ElementRef<'a>> {
    doc.root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().attrs().any(|(_, v)| v == url || v.contains(url)))
}

/// The innermost element whose own text holds `head`.
fn element_with_text<'a>(doc: &'a Html, head: &str) -> Option<ElementRef<'a>> {
    doc.root_element()
        .descendants()
        .filter(|n| {
            n.value()
                .as_text()
                .is_some_and(|t| squash(t).contains(head))
        })
        .find_map(|n| n.parent().and_then(ElementRef::wrap))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><head><title>t</title><script>var p = "https://x.com/a/status/1";</script></head>
<body><article>
<p>The river rose overnight, officials said.</p>
<blockquote class="twitter-tweet"><p>BREAKING: the dam holds</p>&mdash; Dam (@dam) <a href="https://twitter.com/dam/status/111">March 1</a></blockquote>
<p>Residents were told to wait. As <a href="https://x.com/mayor/status/222">the mayor wrote</a>, help is coming.</p>
<ul><li>See also <a href="https://x.com/other/status/333">this</a> list item.</li></ul>
</article></body></html>"#;

    fn want<'a>(kind: &'a str, url: Option<&'a str>, text: Option<&'a str>) -> Wanted<'a> {
        Wanted {
            kind,
            source_url: url,
            text,
        }
    }

    #[test]
    fn a_link_gets_its_own_paragraph_and_an_embed_the_one_before() {
        let got = paragraphs(
            PAGE,
            true,
            &[
                want("link", Some("https://x.com/mayor/status/222"), None),
                want("embed", Some("https://twitter.com/dam/status/111"), None),
                want("link", Some("https://x.com/other/status/333"), None),
                want("link", Some("https://x.com/none/status/9"), None),
            ],
        );
        assert_eq!(
            got,
            vec![
                Some("Residents were told to wait. As the mayor wrote, help is coming.".into()),
                Some("The river rose overnight, officials said.".into()),
                Some("See also this list item.".into()),
                None,
            ]
        );
    }

    #[test]
    fn a_copied_post_is_found_by_its_words_in_html_and_text() {
        let html = "<p>Intro words here.</p><div><p>BREAKING: copied post text goes here</p><p>— Dam (@dam)</p></div>";
        let got = paragraphs(
            html,
            true,
            &[want(
                "text",
                None,
                Some("BREAKING: copied post text goes here"),
            )],
        );
        // The copy has nothing before it in its own block: the paragraph
        // before that block is the one around it.
        assert_eq!(got, vec![Some("Intro words here.".into())]);
        let text = "Intro words here.\n\nBREAKING: copied post text goes here\n— Dam (@dam) March 1\n\nAfter.";
        let got = paragraphs(
            text,
            false,
            &[
                want("text", None, Some("BREAKING: copied post text goes here")),
                want("link", Some("https://x.com/q/status/5"), None),
            ],
        );
        assert_eq!(got, vec![Some("Intro words here.".into()), None]);
    }

    #[test]
    fn long_paragraphs_are_clipped() {
        let long = format!(
            "<p>{} <a href=\"https://x.com/a/status/1\">x</a></p>",
            "word ".repeat(400)
        );
        let got = paragraphs(
            &long,
            true,
            &[want("link", Some("https://x.com/a/status/1"), None)],
        );
        let p = got[0].clone().unwrap();
        assert!(
            p.ends_with('…') && p.chars().count() <= MAX_CHARS + 1,
            "{p}"
        );
    }
}
