//! Reading the parsed DOM: class tokens, element descendants, visible text.
//! Shared by the walk (`html`) and every platform's embed matcher.

use ego_tree::{NodeId, NodeRef};
use scraper::Node;
use scraper::node::Element;

/// Elements that start a new line of visible text.
pub(super) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "blockquote"
            | "figure"
            | "figcaption"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "aside"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "pre"
            | "dd"
            | "dt"
            | "hr"
    )
}

/// Append text with runs of whitespace collapsed to one space.
pub(super) fn push_collapsed(buf: &mut String, text: &str) {
    let mut last_space = buf.ends_with([' ', '\n']) || buf.is_empty();
    for c in text.chars() {
        if c.is_whitespace() {
            if !last_space {
                buf.push(' ');
                last_space = true;
            }
        } else {
            buf.push(c);
            last_space = false;
        }
    }
}

/// The attributes of an element: one the parser built, or a start tag the
/// streaming pass ([`super::regions`]) read. The tests that decide what an
/// element may be (embed, reader section, placeholder) take either, so both
/// paths decide alike.
pub(super) trait Attrs {
    /// The first value of the attribute `name` (lowercase).
    fn attr(&self, name: &str) -> Option<&str>;
    /// Every attribute, names lowercase, the first of duplicates only.
    fn attrs(&self) -> impl Iterator<Item = (&str, &str)>;
}

impl Attrs for Element {
    fn attr(&self, name: &str) -> Option<&str> {
        Element::attr(self, name)
    }

    fn attrs(&self) -> impl Iterator<Item = (&str, &str)> {
        Element::attrs(self)
    }
}

/// Class-token test, ASCII case-insensitive (class lists vary in case).
pub(super) fn has_class(el: &Element, token: &str) -> bool {
    el.attr("class").is_some_and(|c| {
        c.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case(token))
    })
}

/// The element descendants of `node` (not `node` itself), in order.
pub(super) fn elements<'a>(
    node: NodeRef<'a, Node>,
) -> impl Iterator<Item = (NodeRef<'a, Node>, &'a Element)> {
    node.descendants()
        .skip(1)
        .filter_map(|n| n.value().as_element().map(|e| (n, e)))
}

/// Visible text of `node`, stopping before `stop` (when given). Block
/// elements and `<br>` become line breaks; whitespace runs collapse; lines
/// are trimmed and empty lines dropped. Returns the text and whether `stop`
/// was reached.
pub(super) fn text_of(node: NodeRef<'_, Node>, stop: Option<NodeId>) -> (String, bool) {
    let mut buf = String::new();
    let mut reached = false;
    let mut edges = node.traverse();
    while let Some(edge) = edges.next() {
        match edge {
            ego_tree::iter::Edge::Open(n) => {
                if Some(n.id()) == stop {
                    reached = true;
                    break;
                }
                match n.value() {
                    Node::Text(t) => push_collapsed(&mut buf, t),
                    Node::Element(e) if e.name() == "br" || is_block(e.name()) => buf.push('\n'),
                    Node::Element(e) if matches!(e.name(), "script" | "style") => {
                        // Skip the subtree.
                        for inner in edges.by_ref() {
                            if matches!(inner, ego_tree::iter::Edge::Close(c) if c.id() == n.id()) {
                                break;
                            }
                        }
                    }
                    _ => {}
                }
            }
            ego_tree::iter::Edge::Close(n) => {
                if n.value().as_element().is_some_and(|e| is_block(e.name())) {
                    buf.push('\n');
                }
            }
        }
    }
    let lines: Vec<&str> = buf
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    (lines.join("\n"), reached)
}
