//! One walk over an HTML document: embeds, links and copied posts.
//!
//! The walk visits elements in document order. Each element is first offered
//! to the platform embed matchers (one module per platform); an element they
//! claim is not descended into, so a status link inside an embed is never
//! also a link citation. `<script>` elements are offered too (Telegram's
//! widget is one), but never read inside.
//! `<a href>` elements outside embeds that point at a post become `link`
//! citations. Contents of `<script>`, `<style>`, `<template>` and `<head>`
//! are never read as markup (class names there prove nothing); a
//! `<noscript>`'s markup is handed to [`fallback`], which keeps the embeds
//! nothing else on the page shows. The visible
//! text outside embeds is gathered, with block elements as line breaks, for
//! posts copied as plain text and Jetpack shortcodes.

use super::dom::{Attrs, elements, is_block, push_collapsed};
use super::{
    Citation, Kind, Platform, consent, fallback, pagedata, reader, regions, text, urls, wrappers,
};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use ego_tree::{NodeId, NodeRef};
use scraper::node::Element;
use scraper::{Html, Node};
use std::collections::HashSet;
use std::sync::LazyLock;

/// Detect every cited post in an HTML document.
///
/// The streaming pass ([`regions`]) finds the subtrees a detector may
/// claim; only those are parsed and walked. Pages the pass cannot follow,
/// or where the text around the regions matters, take the whole-document
/// walk ([`detect_html_dom`]); both give the same citations.
///
/// Debug builds (every test) walk the whole document as well and panic
/// when the two disagree, so each fixture of the suite checks the pass.
pub fn detect_html(source: &str) -> Vec<Citation> {
    let found = regions::plan(source).and_then(|plan| from_regions(source, &plan));
    #[cfg(debug_assertions)]
    if let Some(found) = &found {
        let whole = detect_html_dom(source);
        assert!(
            *found == whole,
            "the streaming pass and the whole-document walk disagree on:\n{source}\n\nregions: {found:#?}\n\nwhole: {whole:#?}"
        );
    }
    found.unwrap_or_else(|| detect_html_dom(source))
}

/// Whether the streaming pass alone detects `source` (tests and the
/// benchmark: a page that always fell back would prove nothing).
#[doc(hidden)]
pub fn streams(source: &str) -> bool {
    regions::plan(source).is_some_and(|plan| from_regions(source, &plan).is_some())
}

/// Citations from the regions alone; `None` when one of them needs the page
/// around it (text that may hold a copied post, a consent placeholder whose
/// neighbours count).
fn from_regions(source: &str, plan: &regions::Plan) -> Option<Vec<Citation>> {
    let mut out = Vec::new();
    let mut page_data = Vec::new();
    let mut fallbacks = Vec::new();
    for region in plan.read() {
        let doc = Html::parse_fragment(&source[region.start..region.end]);
        if region.head {
            page_data.extend(head_scripts(doc.tree.root()));
            continue;
        }
        let mut walker = Walker {
            in_article: region.in_article,
            ..Walker::default()
        };
        walker.walk(doc.tree.root());
        if walker.copy_marker || !walker.placeholders.is_empty() {
            return None;
        }
        out.append(&mut walker.out);
        page_data.append(&mut walker.page_data);
        fallbacks.append(&mut walker.fallbacks);
    }
    let mut out = with_page_data(out, page_data);
    fallback::add(&mut out, fallbacks, source);
    Some(out)
}

/// Page data repeats what the markup embeds (server-rendered pages): only
/// posts the markup does not embed are added, each once.
fn with_page_data(mut out: Vec<Citation>, page_data: Vec<Citation>) -> Vec<Citation> {
    for c in page_data {
        let same = |o: &Citation| {
            o.kind == Kind::Embed && o.platform == c.platform && o.post_id == c.post_id
        };
        if c.post_id.is_some() && !out.iter().any(same) {
            out.push(c);
        }
    }
    out
}

/// The page data of the scripts below `node` (the head's).
fn head_scripts(node: NodeRef<'_, Node>) -> Vec<Citation> {
    elements(node)
        .filter(|(_, e)| e.name() == "script")
        .flat_map(|(n, e)| pagedata::script(e, &text_of(n)))
        .collect()
}

/// The text of a raw-text element (`<script>`, `<noscript>`).
fn text_of(node: NodeRef<'_, Node>) -> String {
    node.children()
        .filter_map(|c| c.value().as_text())
        .map(|t| &**t)
        .collect()
}

/// The walk over the whole document: one walk finds embeds and links and
/// notes whether visible text outside the embeds could hold a copied post
/// (`(@`) or a shortcode (`[tweet`); only then does a second walk gather
/// that text. Public for the tests and the benchmark that compare it with
/// [`detect_html`]; not part of the API.
#[doc(hidden)]
pub fn detect_html_dom(source: &str) -> Vec<Citation> {
    // Linear time on hostile nesting: html5ever's tree builder is
    // quadratic in the depth of nested blocks.
    let doc = Html::parse_document(&super::nesting::capped(source));
    let mut walker = Walker::default();
    walker.walk(doc.tree.root());
    let beside = consent::links_beside(&doc, &walker.placeholders, &walker.links, &walker.out);
    let out: Vec<Citation> = std::mem::take(&mut walker.out)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !beside.contains(i))
        .map(|(_, c)| c)
        .collect();
    let mut out = with_page_data(out, std::mem::take(&mut walker.page_data));
    fallback::add(&mut out, std::mem::take(&mut walker.fallbacks), source);
    if walker.copy_marker {
        let mut texts = Walker {
            text: Some(String::new()),
            embeds: walker.embeds,
            ..Walker::default()
        };
        texts.walk(doc.tree.root());
        let page_text = texts.text.unwrap_or_default();
        let copied = text::copied_posts(&page_text);
        // A copied post's status link is part of the copy, not a link
        // citation of its own (one link per copy).
        for c in &copied {
            if let Some(url) = &c.source_url
                && let Some(i) = out.iter().position(|l| {
                    l.kind == Kind::Link && l.source_url.as_deref() == Some(url.trim())
                })
            {
                out.remove(i);
            }
        }
        out.extend(copied);
        out.extend(text::shortcodes(&page_text));
    }
    out
}

#[derive(Default)]
struct Walker {
    out: Vec<Citation>,
    /// Elements claimed by an embed matcher.
    embeds: HashSet<NodeId>,
    /// Visible text outside embeds was seen with `(@` or `[tweet` in it.
    copy_marker: bool,
    /// Link citations: their index in `out` and their `<a>`.
    links: Vec<(usize, NodeId)>,
    /// Posts named only in page data (JSON in scripts and `data-props`).
    page_data: Vec<Citation>,
    /// Embeds in `<noscript>` fallbacks, judged at the end ([`fallback`]).
    fallbacks: Vec<Citation>,
    /// Consent placeholders and the posts they named.
    placeholders: Vec<consent::Placeholder>,
    /// An ancestor of the walked tree names itself the article body (the
    /// tree is a region the streaming pass cut out).
    in_article: bool,
    /// Gathering mode (second walk): the visible text outside `embeds`,
    /// with block elements as line breaks; no matching.
    text: Option<String>,
}

impl Walker {
    fn walk(&mut self, root: NodeRef<'_, Node>) {
        let mut next = root.first_child();
        while let Some(node) = next {
            let descend = self.visit(node);
            next = descend.then(|| node.first_child()).flatten();
            let mut cur = node;
            while next.is_none() {
                if let Some(sibling) = cur.next_sibling() {
                    next = Some(sibling);
                    break;
                }
                match cur.parent() {
                    Some(parent) if parent.id() != root.id() => {
                        self.leave(parent);
                        cur = parent;
                    }
                    _ => break,
                }
            }
        }
    }

    /// Handle one node; true when its children should be visited.
    fn visit(&mut self, node: NodeRef<'_, Node>) -> bool {
        match node.value() {
            Node::Text(t) => {
                match &mut self.text {
                    Some(buf) => push_collapsed(buf, t),
                    None => self.copy_marker |= t.contains("(@") || t.contains("[tweet"),
                }
                false
            }
            Node::Element(el) => {
                let name = el.name();
                let attrs = scan(name, el);
                if attrs.outside_article
                    || (attrs.maybe_aside
                        && reader::marks_section(name, el)
                        && !reader::part_of_article(node, self.in_article))
                {
                    return false;
                }
                if self.text.is_some() {
                    if self.embeds.contains(&node.id()) {
                        self.line_break();
                        return false;
                    }
                } else if attrs.maybe_embed
                    && let Some(found) = embed(node, el)
                {
                    self.out.extend(found);
                    self.embeds.insert(node.id());
                    return false;
                } else if attrs.maybe_aside
                    && let Some(found) = consent::embed(node, el)
                {
                    let posts = found.iter().map(|c| (c.platform, c.post_id.clone()));
                    self.placeholders.push((node.id(), posts.collect()));
                    self.out.extend(found);
                    self.embeds.insert(node.id());
                    return false;
                }
                if self.text.is_none() {
                    if name == "head" {
                        // JSON-LD sits in the head, which is never walked.
                        self.page_data.extend(head_scripts(node));
                    } else if name == "script" {
                        self.page_data.extend(pagedata::script(el, &text_of(node)));
                    } else if name == "noscript" {
                        self.fallbacks.extend(fallback::noscript(&text_of(node)));
                    } else if attrs.props {
                        let props = ["data-props", "data-react-props"];
                        for value in props.iter().filter_map(|a| el.attr(a)) {
                            self.page_data.extend(pagedata::props(value));
                        }
                    }
                }
                if matches!(
                    name,
                    "script" | "noscript" | "style" | "template" | "head" | "svg" | "math"
                ) {
                    return false;
                }
                if name == "a" {
                    match &mut self.text {
                        None => {
                            if let Some(c) = link(el) {
                                self.links.push((self.out.len(), node.id()));
                                self.out.push(c);
                            }
                        }
                        // A link to a post becomes `[text](url)` in the page
                        // text, so a copied tail keeps its status link.
                        Some(buf) if post_href(el).is_some() => {
                            buf.push('[');
                            if !node.has_children() {
                                close_link(buf, el);
                            }
                        }
                        Some(_) => {}
                    }
                }
                if name == "br" || is_block(name) {
                    self.line_break();
                }
                true
            }
            _ => false,
        }
    }

    fn leave(&mut self, node: NodeRef<'_, Node>) {
        let Some(el) = node.value().as_element() else {
            return;
        };
        if is_block(el.name()) {
            self.line_break();
        }
        if el.name() == "a"
            && let Some(buf) = &mut self.text
            && post_href(el).is_some()
        {
            close_link(buf, el);
        }
    }

    fn line_break(&mut self) {
        if let Some(buf) = &mut self.text {
            buf.push('\n');
        }
    }
}

/// The embed matchers, in the order of `Platform::ALL` (X first). Each
/// looks at the element's name (and class) before anything else, so an
/// element that is no candidate costs a few comparisons. A wrapper X does
/// not claim (a `twitter-tweet-rendered` div without a tweet id) is
/// descended into, where the inner iframe decides the platform.
pub(super) fn embed(node: NodeRef<'_, Node>, el: &Element) -> Option<Vec<Citation>> {
    Platform::ALL
        .iter()
        .find_map(|p| (p.spec().embed)(node, el))
        .or_else(|| wrappers::embed(node, el))
}

/// Every embed below `root` (a parsed fragment: a template's content, a
/// fallback's markup), in order; an element inside a claimed one is not
/// offered again. `other` sees each element no matcher claimed.
pub(super) fn embeds_below(
    root: NodeRef<'_, Node>,
    mut other: impl FnMut(&Element) -> Option<Citation>,
) -> Vec<Citation> {
    let mut out = Vec::new();
    let mut claimed: Vec<NodeId> = Vec::new();
    for (n, e) in elements(root) {
        if n.ancestors().any(|a| claimed.contains(&a.id())) {
            continue;
        }
        if let Some(found) = embed(n, e) {
            out.extend(found);
            claimed.push(n.id());
        } else if let Some(c) = other(e) {
            out.push(c);
        }
    }
    out
}

/// The words of a reader section and of a consent placeholder in one
/// automaton: a class or id that may name either, in one pass.
static ASIDE_HINT: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(reader::SECTION_WORDS.iter().chain(consent::CLASS_HINTS))
        .expect("the section and placeholder words are a valid automaton")
});

/// What one pass over an element's attributes says about it.
pub(super) struct Scan {
    /// Navigation: not the article's own content, so posts there are not
    /// cited by it (reader sections are `reader`'s to judge).
    pub(super) outside_article: bool,
    /// Worth offering to the embed matchers: a tag embeds use, a tweet id,
    /// or a class naming a tweet or a Facebook plugin. Everything else (most
    /// of a page) is rejected here without the matchers' attribute lookups.
    pub(super) maybe_embed: bool,
    /// Worth a closer look as a reader section or a consent placeholder:
    /// a class or id with one of their words, an ARIA role or label, a
    /// consent manager's attribute.
    pub(super) maybe_aside: bool,
    /// React-style props: JSON in `data-props` for `pagedata`.
    pub(super) props: bool,
}

pub(super) fn scan(name: &str, el: &impl Attrs) -> Scan {
    let mut scan = Scan {
        outside_article: name == "nav",
        maybe_embed: matches!(name, "blockquote" | "iframe" | "script" | "figure")
            || name.starts_with("amp-"),
        maybe_aside: consent::tag(name),
        props: false,
    };
    for (attr, value) in el.attrs() {
        match attr {
            "class" => {
                scan.maybe_aside |= ASIDE_HINT.is_match(value);
                scan.maybe_embed |= value.split_ascii_whitespace().any(|token| {
                    let t = token.as_bytes();
                    t.windows(5).any(|w| w.eq_ignore_ascii_case(b"tweet"))
                        || t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(b"fb-"))
                });
            }
            "id" => scan.maybe_aside |= ASIDE_HINT.is_match(value),
            "role" | "aria-label" => scan.maybe_aside = true,
            "data-props" | "data-react-props" => scan.props = true,
            "data-tweet-id" => scan.maybe_embed = true,
            _ if wrappers::attr(attr) => scan.maybe_embed = true,
            _ if consent::attr(attr) => scan.maybe_aside = true,
            // A newsletter card's avatar (beehiiv).
            "alt" => scan.maybe_embed |= value.trim_start().starts_with("tw profile:"),
            _ => {}
        }
    }
    scan
}

/// The `href` of an `<a>` that points at a post.
fn post_href(el: &Element) -> Option<&str> {
    let href = el.attr("href")?;
    // Most links on a page are the site's own: the marker scan rejects
    // them faster than the URL parser.
    if !super::prefilter::may_cite(href.as_bytes()) {
        return None;
    }
    urls::parse_post_url(href).map(|_| href)
}

/// End a `[text` opened for a post link: `](url)`.
fn close_link(buf: &mut String, el: &Element) {
    if let Some(href) = el.attr("href") {
        buf.push_str("](");
        buf.push_str(href.trim());
        buf.push(')');
    }
}

/// A link citation for an `<a href>` that points at a post.
fn link(el: &Element) -> Option<Citation> {
    let href = post_href(el)?;
    let parsed = urls::parse_post_url(href)?;
    Some(
        Citation::new(parsed.platform, Kind::Link, "anchor")
            .with_url(href, &parsed)
            .finish(),
    )
}
