//! The parts of a page detection has to parse, found in one pass over the
//! bytes without building a tree.
//!
//! Most of an article page is markup no detector reads: menus, paragraphs,
//! teaser cards, scripts without a platform marker. Building the tree of
//! all of it was most of detection's time, so [`plan`] streams over the
//! source once with a light stack of open elements (tag name, and what
//! their attributes say: navigation, reader section, article body, table,
//! foreign content) and notes the *regions*: the subtrees of the elements
//! a detector may claim (embed candidates, consent placeholders, links to
//! posts, scripts and props that mention a platform). The walk in `html`
//! then parses only those, each with what its ancestors said.
//!
//! The stack follows the HTML tree builder where that decides whose
//! ancestor an element is and where it ends: blocks close an open `<p>`,
//! `<li>` closes `<li>`, an end tag closes what it finds in scope and
//! unknown end tags stop at special elements, raw text and comments hide
//! markup, foreign content (`<svg>`, `<math>`) honours `/>` and is left by
//! HTML tags, the head ends at the first body element. A region that starts
//! inside a table grows to the outermost table, which the fragment parser
//! then rebuilds with the same foster parenting.
//!
//! Where a page strays from what this stack can follow (misnested
//! formatting around a region, formatting elements waiting to be
//! reconstructed, a region in a `<select>`, `<!--` inside a script, a
//! `<template>` in the head, a form closed around open elements, nesting
//! past half of [`nesting::MAX_DEPTH`]) or where detection needs more than
//! the regions (text outside them that may hold a copied post), [`plan`]
//! returns `None` and the page is parsed whole, as before.

use super::dom::Attrs;
use super::{consent, html, nesting, prefilter, reader};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use memchr::{memchr, memmem};
use std::borrow::Cow;
use std::sync::LazyLock;

/// A subtree to parse: the bytes of one element, from its start tag to the
/// end of its end tag (or to where the tree builder closes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Region {
    pub start: usize,
    pub end: usize,
    /// An ancestor names itself the article body.
    pub in_article: bool,
    /// A `<script>` of the head: read for page data only.
    pub head: bool,
    /// Reader sections around the region (indexes into `Plan::holds`).
    sections: Vec<u32>,
}

/// What the streaming pass found.
#[derive(Debug, Default)]
pub(super) struct Plan {
    regions: Vec<Region>,
    /// Per reader section: it holds part of the article (`<main>`, an
    /// article body), so the walk reads it after all.
    holds: Vec<bool>,
}

impl Plan {
    /// The regions the walk of the whole page would read, in order:
    /// those not inside a reader section that holds no part of the article.
    pub fn read(&self) -> impl Iterator<Item = &Region> {
        self.regions
            .iter()
            .filter(|r| r.sections.iter().all(|&s| self.holds[s as usize]))
    }
}

/// Text that may hold a copied post or a shortcode (`(@`, `[tweet`), also
/// written as character references (`&#` is checked by its value); outside
/// regions it sends the page to the whole parse, whose text gathering
/// reads it.
static TEXT_MARKERS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build([
            "(@", "[tweet", "&#", "&lpar;", "&commat;", "&lsqb;", "&lbrack;",
        ])
        .expect("the text markers are a valid automaton")
});

/// Offsets of the text markers in `b`, in order. A numeric reference counts
/// when its value is `(`, `@` or `[`, read as the parser reads it (leading
/// zeros; `&#x5B;` is `[`, `&#x5B9A;` is not).
fn text_hits(b: &[u8]) -> Vec<usize> {
    TEXT_MARKERS
        .find_iter(b)
        .filter(|m| !b[m.start()..].starts_with(b"&#") || names_marker(&b[m.end()..]))
        .map(|m| m.start())
        .collect()
}

/// The digits after `&#` name `(`, `@` or `[`.
fn names_marker(rest: &[u8]) -> bool {
    let hex = rest.first().is_some_and(|c| c.eq_ignore_ascii_case(&b'x'));
    let digits = &rest[usize::from(hex)..];
    let len = digits
        .iter()
        .take_while(|c| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        })
        .count();
    let value = std::str::from_utf8(&digits[..len])
        .ok()
        .and_then(|v| u32::from_str_radix(v, if hex { 16 } else { 10 }).ok());
    matches!(value, Some(0x28 | 0x40 | 0x5b))
}

/// The regions of `src`, or `None` when the page needs the whole parse.
pub(super) fn plan(src: &str) -> Option<Plan> {
    let mut pass = Pass {
        src,
        hits: text_hits(src.as_bytes()),
        pending: vec![Vec::new()],
        in_head: true,
        ..Pass::default()
    };
    pass.run()?;
    Some(Plan {
        regions: pass.regions,
        holds: pass.holds,
    })
}

const FOREIGN: u8 = 1;
/// Inside an element the walk does not read (`nav`, `template`, `svg`).
const SKIP: u8 = 2;
/// Inside (or being) an element that names itself the article body.
const ARTICLE: u8 = 4;
const TABLE: u8 = 8;
/// An `<a>` whose `href` may name a post, or a formatting element with an
/// embed service's attribute that may: reopened elsewhere by the tree
/// builder, it would cite there too.
const POST_LINK: u8 = 16;
const FORMATTING: u8 = 32;

/// A tag name, lowercase, kept inline (names longer than 15 bytes are
/// compared on their first 15 and their length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Name {
    bytes: [u8; 15],
    len: u8,
}

impl Name {
    fn new(raw: &[u8]) -> Name {
        let mut bytes = [0u8; 15];
        for (b, r) in bytes.iter_mut().zip(raw) {
            *b = r.to_ascii_lowercase();
        }
        Name {
            bytes,
            len: raw.len().min(255) as u8,
        }
    }

    fn str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len).min(15)]).unwrap_or("")
    }
}

/// An open element.
#[derive(Debug, Clone, Copy)]
struct Open {
    name: Name,
    flags: u8,
    /// A reader section (index into `Pass::holds`).
    section: Option<u32>,
    /// Where its start tag begins.
    start: usize,
    /// What the tree builder's rules say about its name ([`kind_of`]),
    /// worked out once: the scope searches pass it many times.
    kind: u8,
}

impl Open {
    fn is(&self, name: &str) -> bool {
        usize::from(self.name.len) == name.len()
            && name.len() <= 15
            && &self.name.bytes[..name.len()] == name.as_bytes()
    }

    fn html(&self) -> bool {
        self.flags & FOREIGN == 0
    }
}

/// The attributes of a start tag as read from the source (values not
/// decoded; [`Pass::start`] sends values with references to the parser).
struct Tag<'t, 'a> {
    attrs: &'t [(Cow<'a, str>, &'a str)],
}

impl Attrs for Tag<'_, '_> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    fn attrs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attrs.iter().map(|(n, v)| (&**n, *v))
    }
}

#[derive(Default)]
struct Pass<'a> {
    src: &'a str,
    stack: Vec<Open>,
    /// Before the body: head elements go to the head, the walk reads only
    /// its scripts.
    in_head: bool,
    /// The stack index of the open region's root.
    root: Option<usize>,
    regions: Vec<Region>,
    holds: Vec<bool>,
    /// Open reader sections.
    sections_open: usize,
    /// Formatting elements closed by something else, which the tree
    /// builder will reopen; one count per marker level (cells, objects).
    pending: Vec<Vec<Open>>,
    /// Open blocks, counted as `nesting::capped` counts them.
    blocks: usize,
    /// Offsets of text markers, and the next one not yet passed.
    hits: Vec<usize>,
    next_hit: usize,
    /// Attributes of the tag being read.
    attrs: Vec<(Cow<'a, str>, &'a str)>,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Read a tag's attributes from `at` (after its name) to its `>`: the
/// offset after `>` and whether it ended `/>`. `None` at the end of input
/// (the tree builder drops such a tag).
fn read_attrs<'a>(
    src: &'a str,
    mut at: usize,
    mut out: Option<&mut Vec<(Cow<'a, str>, &'a str)>>,
) -> Option<(usize, bool)> {
    let b = src.as_bytes();
    loop {
        while b.get(at).is_some_and(|&c| is_ws(c)) {
            at += 1;
        }
        match *b.get(at)? {
            b'>' => return Some((at + 1, false)),
            b'/' => {
                at += 1;
                if b.get(at) == Some(&b'>') {
                    return Some((at + 1, true));
                }
                continue;
            }
            _ => {}
        }
        let name_start = at;
        at += 1;
        while b
            .get(at)
            .is_some_and(|&c| !is_ws(c) && !matches!(c, b'/' | b'>' | b'='))
        {
            at += 1;
        }
        let name_end = at;
        while b.get(at).is_some_and(|&c| is_ws(c)) {
            at += 1;
        }
        let mut value = (at, at);
        if b.get(at) == Some(&b'=') {
            at += 1;
            while b.get(at).is_some_and(|&c| is_ws(c)) {
                at += 1;
            }
            match *b.get(at)? {
                q @ (b'"' | b'\'') => {
                    let end = at + 1 + memchr(q, &b[at + 1..])?;
                    value = (at + 1, end);
                    at = end + 1;
                }
                b'>' => {}
                _ => {
                    let start = at;
                    while b.get(at).is_some_and(|&c| !is_ws(c) && c != b'>') {
                        at += 1;
                    }
                    value = (start, at);
                }
            }
        }
        if let Some(out) = out.as_deref_mut() {
            let raw = &src[name_start..name_end];
            let name = if raw.bytes().any(|c| c.is_ascii_uppercase()) {
                Cow::Owned(raw.to_ascii_lowercase())
            } else {
                Cow::Borrowed(raw)
            };
            if !out.iter().any(|(n, _)| *n == name) {
                out.push((name, &src[value.0..value.1]));
            }
        }
    }
}

/// Where the raw text of `name` that starts at `from` ends: the `<` of its
/// end tag (`</name` and then a space, `/` or `>`), or the end of input.
fn raw_text_end(b: &[u8], from: usize, name: &str) -> usize {
    let mut at = from;
    while let Some(found) = memmem::find(&b[at..], b"</") {
        let lt = at + found;
        let after = lt + 2 + name.len();
        if b.get(lt + 2..after)
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            && b.get(after)
                .is_none_or(|&c| is_ws(c) || c == b'/' || c == b'>')
        {
            return lt;
        }
        at = lt + 2;
    }
    b.len()
}

/// Where the text of a `<script>` that starts at `from` ends. As raw text,
/// except that `<!--` escapes it, and in escaped text `<script` starts a
/// stretch where `</script>` does not end it (until `</script>` or `-->`):
/// the tokenizer's script data states.
fn script_end(b: &[u8], from: usize) -> usize {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let tag_at = |at: usize, name: &[u8]| {
        let after = at + name.len();
        b.get(at..after)
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && b.get(after)
                .is_none_or(|&c| is_ws(c) || c == b'/' || c == b'>')
    };
    let mut state = State::Data;
    let mut at = from;
    while let Some(found) = memchr::memchr2(b'<', b'-', &b[at..]) {
        at += found;
        let rest = &b[at..];
        if rest.starts_with(b"-->") && state != State::Data {
            state = State::Data;
            at += 3;
        } else if rest.starts_with(b"<!--") && state == State::Data {
            state = State::Escaped;
            // `<!-->` and `<!--->` escape nothing.
            at += if b[at + 4..].starts_with(b">") {
                state = State::Data;
                5
            } else {
                4
            };
        } else if rest.starts_with(b"</") && tag_at(at + 2, b"script") {
            if state != State::DoubleEscaped {
                return at;
            }
            state = State::Escaped;
            at += 8;
        } else if state == State::Escaped && rest.starts_with(b"<") && tag_at(at + 1, b"script") {
            state = State::DoubleEscaped;
            at += 7;
        } else {
            at += 1;
        }
    }
    b.len()
}

/// Elements whose content is text up to their end tag.
fn raw_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
    )
}

fn void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "image"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

fn formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// The block containers: their start tags close an open `<p>`, their end
/// tags close the element of their name in scope.
fn container(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "pre"
            | "search"
            | "section"
            | "summary"
            | "ul"
    )
}

/// Start tags that close an open `<p>`.
fn closes_p(name: &str) -> bool {
    container(name)
        || heading(name)
        || matches!(
            name,
            "p" | "form" | "table" | "hr" | "xmp" | "li" | "dd" | "dt"
        )
}

fn heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// End tags that close the element of their name in scope (or nothing).
fn scoped_end(name: &str) -> bool {
    container(name) || matches!(name, "button" | "applet" | "marquee" | "object" | "select")
}

/// MathML text integration points and SVG HTML integration points: special
/// and scope boundaries in foreign content.
fn foreign_scope(name: &str) -> bool {
    matches!(
        name,
        "mi" | "mo" | "mn" | "ms" | "mtext" | "annotation-xml" | "foreignobject" | "desc" | "title"
    )
}

/// The tree builder's special elements: an unknown end tag stops at them.
fn is_special(name: &str, html: bool) -> bool {
    if !html {
        return foreign_scope(name);
    }
    void(name)
        || raw_text(name)
        || closes_p(name) && !matches!(name, "p" | "li" | "dd" | "dt")
        || matches!(
            name,
            "p" | "li"
                | "dd"
                | "dt"
                | "applet"
                | "body"
                | "button"
                | "caption"
                | "colgroup"
                | "frameset"
                | "head"
                | "html"
                | "marquee"
                | "object"
                | "plaintext"
                | "select"
                | "tbody"
                | "td"
                | "template"
                | "tfoot"
                | "th"
                | "thead"
                | "tr"
        )
}

/// Where a search "in scope" stops (html5ever 0.40's default scope,
/// `<select>` included).
fn is_boundary(name: &str, html: bool) -> bool {
    if !html {
        return foreign_scope(name);
    }
    matches!(
        name,
        "applet"
            | "caption"
            | "html"
            | "table"
            | "td"
            | "th"
            | "marquee"
            | "object"
            | "select"
            | "template"
    )
}

/// Elements that start a level of the list of active formatting elements.
fn is_marker(name: &str, html: bool) -> bool {
    html && matches!(
        name,
        "applet" | "caption" | "td" | "th" | "marquee" | "object" | "template"
    )
}

const K_SPECIAL: u8 = 1;
const K_BOUNDARY: u8 = 2;
const K_MARKER: u8 = 4;
const K_INTEGRATION: u8 = 8;
const K_TABLE_SCOPE: u8 = 16;
const K_HEADING: u8 = 32;

/// The tree builder's classes of an element's name.
fn kind_of(name: &str, html: bool) -> u8 {
    let mut kind = 0;
    for (yes, bit) in [
        (is_special(name, html), K_SPECIAL),
        (is_boundary(name, html), K_BOUNDARY),
        (is_marker(name, html), K_MARKER),
        (
            !html && matches!(name, "foreignobject" | "desc" | "title"),
            K_INTEGRATION,
        ),
        (
            html && matches!(name, "html" | "table" | "template"),
            K_TABLE_SCOPE,
        ),
        (html && heading(name), K_HEADING),
    ] {
        if yes {
            kind |= bit;
        }
    }
    kind
}

fn special(e: &Open) -> bool {
    e.kind & K_SPECIAL != 0
}

fn scope_boundary(e: &Open) -> bool {
    e.kind & K_BOUNDARY != 0
}

fn marker(e: &Open) -> bool {
    e.kind & K_MARKER != 0
}

/// Foreign elements whose content is HTML again.
fn integration_point(e: &Open) -> bool {
    e.kind & K_INTEGRATION != 0
}

fn table_scope(e: &Open) -> bool {
    e.kind & K_TABLE_SCOPE != 0
}

/// HTML start tags that end foreign content.
fn breaks_out(name: &str, tag: &Tag<'_, '_>) -> bool {
    matches!(
        name,
        "b" | "big"
            | "blockquote"
            | "body"
            | "br"
            | "center"
            | "code"
            | "dd"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "embed"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "hr"
            | "i"
            | "img"
            | "li"
            | "listing"
            | "menu"
            | "meta"
            | "nobr"
            | "ol"
            | "p"
            | "pre"
            | "ruby"
            | "s"
            | "small"
            | "span"
            | "strong"
            | "strike"
            | "sub"
            | "sup"
            | "table"
            | "tt"
            | "u"
            | "ul"
            | "var"
    ) || name == "font"
        && ["color", "face", "size"]
            .iter()
            .any(|a| tag.attr(a).is_some())
}

/// Start tags before which the tree builder reopens formatting elements
/// closed by something else (html5ever 0.40's "in body" rules).
fn reconstructs(name: &str) -> bool {
    name == "xmp"
        || !(closes_p(name)
            || matches!(
                name,
                "html"
                    | "body"
                    | "head"
                    | "frameset"
                    | "base"
                    | "basefont"
                    | "bgsound"
                    | "link"
                    | "meta"
                    | "noframes"
                    | "script"
                    | "style"
                    | "template"
                    | "title"
                    | "textarea"
                    | "iframe"
                    | "noembed"
                    | "noscript"
                    | "param"
                    | "source"
                    | "track"
                    | "caption"
                    | "col"
                    | "colgroup"
                    | "frame"
                    | "tbody"
                    | "td"
                    | "tfoot"
                    | "th"
                    | "thead"
                    | "tr"
                    | "rb"
                    | "rp"
                    | "rt"
                    | "rtc"
            ))
}

/// Attributes whose values the tests of `scan`, `reader` and `consent`
/// read; one holding a character reference makes its element a region,
/// so that the parser decodes it.
const READ_ATTRS: &[&str] = &["class", "id", "role", "aria-label", "itemprop"];

/// How one tag was closed, for [`Pass::pop_to`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Close {
    /// By its own end tag, which starts at `at` and ends at `end`.
    Own { at: usize, end: usize },
    /// By the tag at the offset (an ancestor's end tag, a block start).
    Implied(usize),
    /// By the end of input.
    Eof,
}

impl Pass<'_> {
    fn run(&mut self) -> Option<()> {
        let src = self.src;
        let b = src.as_bytes();
        let mut at = 0;
        while let Some(found) = memchr(b'<', &b[at..]) {
            let lt = at + found;
            self.text(at, lt, false)?;
            at = lt + 1;
            match b.get(at) {
                Some(b'!') => {
                    at = if b[at..].starts_with(b"!--") {
                        comment_end(b, at + 3)
                    } else if b[at..].starts_with(b"![CDATA[")
                        && self.stack.last().is_some_and(|e| !e.html())
                    {
                        memmem::find(&b[at..], b"]]>").map_or(b.len(), |e| at + e + 3)
                    } else {
                        memchr(b'>', &b[at..]).map_or(b.len(), |e| at + e + 1)
                    };
                }
                Some(b'?') => at = memchr(b'>', &b[at..]).map_or(b.len(), |e| at + e + 1),
                Some(b'/') => {
                    let name_start = at + 1;
                    match b.get(name_start) {
                        Some(c) if c.is_ascii_alphabetic() => {
                            let name_end = name_end(b, name_start);
                            let Some((tag_end, _)) = read_attrs(src, name_end, None) else {
                                return self.finish();
                            };
                            self.end(Name::new(&b[name_start..name_end]), lt, tag_end)?;
                            at = tag_end;
                        }
                        Some(b'>') => at = name_start + 1,
                        Some(_) => {
                            at = memchr(b'>', &b[at..]).map_or(b.len(), |e| at + e + 1);
                        }
                        // `</` at the very end is text.
                        None => {}
                    }
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    let name_end = name_end(b, at);
                    let mut attrs = std::mem::take(&mut self.attrs);
                    attrs.clear();
                    let Some((tag_end, self_closing)) = read_attrs(src, name_end, Some(&mut attrs))
                    else {
                        self.attrs = attrs;
                        return self.finish();
                    };
                    let name = Name::new(&b[at..name_end]);
                    let raw = &src[at..name_end];
                    let content_end = (raw_text(name.str()) && self.raw_allowed()).then(|| {
                        if name.str() == "script" {
                            script_end(b, tag_end)
                        } else {
                            raw_text_end(b, tag_end, name.str())
                        }
                    });
                    let started = self.start(
                        name,
                        raw,
                        &Tag { attrs: &attrs },
                        lt,
                        tag_end,
                        self_closing,
                        content_end,
                    );
                    self.attrs = attrs;
                    started?;
                    at = tag_end;
                    if let Some(end) = content_end {
                        let n = name.str();
                        // Raw text in the head is the head's (never read).
                        if !matches!(n, "script" | "style") && !self.in_head {
                            self.text(tag_end, end, true)?;
                        }
                        at = end;
                    }
                }
                // A `<` that starts no tag is text.
                _ => {}
            }
        }
        self.text(at, b.len(), false)?;
        self.finish()
    }

    /// Raw text is raw in HTML content only (`<style>` in `<svg>` holds
    /// elements).
    fn raw_allowed(&self) -> bool {
        self.stack
            .last()
            .is_none_or(|e| e.html() || integration_point(e))
    }

    /// Text from `from` to `to`: a text marker outside regions, where the
    /// walk reads text, needs the whole parse; text in the head starts
    /// the body unless it is blank.
    fn text(&mut self, from: usize, to: usize, raw: bool) -> Option<()> {
        if from >= to {
            return Some(());
        }
        if self.in_head {
            if self.src.as_bytes()[from..to].iter().all(|&c| is_ws(c)) {
                return Some(());
            }
            self.in_head = false;
        }
        let foreign = self.stack.last().is_some_and(|e| !e.html());
        if !raw && !foreign {
            self.reconstruct();
        }
        while self.hits.get(self.next_hit).is_some_and(|&h| h < from) {
            self.next_hit += 1;
        }
        let hit = self.hits.get(self.next_hit).is_some_and(|&h| h < to);
        let read = self.root.is_none() && self.stack.last().is_none_or(|e| e.flags & SKIP == 0);
        if hit && read {
            return None;
        }
        Some(())
    }

    #[allow(clippy::too_many_arguments)]
    fn start(
        &mut self,
        name: Name,
        raw: &str,
        tag: &Tag<'_, '_>,
        lt: usize,
        tag_end: usize,
        self_closing: bool,
        content_end: Option<usize>,
    ) -> Option<()> {
        let n = name.str();
        if nesting::counts_block(n) && !self_closing {
            if self.blocks >= nesting::MAX_DEPTH / 2 {
                return None;
            }
            self.blocks += 1;
        }
        if self.in_head {
            match n {
                "html" | "head" | "body" => {
                    if n == "body" {
                        self.in_head = false;
                    }
                    return self.ignored(n, tag);
                }
                "base" | "basefont" | "bgsound" | "link" | "meta" => return Some(()),
                "template" => return None,
                "script" | "style" | "title" | "noscript" | "noframes" => {
                    let end = content_end.unwrap_or(tag_end);
                    let head_script = n == "script"
                        && self.root.is_none()
                        && prefilter::may_cite(&self.src.as_bytes()[lt..end]);
                    self.push(name, 0, None, lt);
                    if head_script {
                        self.open_region(self.stack.len() - 1, lt, true);
                    }
                    return Some(());
                }
                _ => self.in_head = false,
            }
        }
        match n {
            "html" | "head" | "body" => return self.ignored(n, tag),
            "frameset" | "plaintext" => return None,
            "caption" | "col" | "colgroup" | "tbody" | "td" | "tfoot" | "th" | "thead" | "tr"
                if !self.stack.iter().any(|e| e.html() && e.is("table")) =>
            {
                return Some(());
            }
            _ => {}
        }
        let foreign = self
            .stack
            .last()
            .filter(|e| !e.html() && !integration_point(e))
            .map(|e| e.flags);
        if let Some(top_flags) = foreign {
            if breaks_out(n, tag) {
                while self
                    .stack
                    .last()
                    .is_some_and(|e| !e.html() && !integration_point(e))
                {
                    let i = self.stack.len() - 1;
                    self.pop_to(i, Close::Implied(lt))?;
                }
            } else {
                // Below a reader section even foreign `<main>` counts.
                if self.sections_open > 0 && reader::holds_article(n, tag) {
                    self.mark_holding();
                }
                if !self_closing {
                    let flags = (top_flags & (SKIP | ARTICLE | TABLE)) | FOREIGN;
                    self.push(name, flags, None, lt);
                }
                return Some(());
            }
        }
        if !self.close_before(n, lt)? {
            return Some(());
        }
        if reconstructs(n) {
            self.reconstruct();
        }

        let parent = self.stack.last().map_or(0, |e| e.flags);
        let mut flags = parent & (SKIP | ARTICLE | TABLE);
        match n {
            "table" => flags |= TABLE,
            "svg" | "math" => flags |= FOREIGN,
            _ => {}
        }
        if formatting(n) {
            flags |= FORMATTING;
        }
        let cites = |v: &str| {
            prefilter::may_cite(v.as_bytes()) || memmem::find(v.as_bytes(), b"&#").is_some()
        };
        // A formatting element the tree builder may reopen elsewhere, with
        // what it cites: a link to a post, or an embed service's attribute
        // (`<a data-embed-url=…>`).
        if n == "a" && tag.attr("href").is_some_and(cites)
            || flags & FORMATTING != 0
                && tag
                    .attrs()
                    .any(|(name, v)| super::wrappers::attr(name) && cites(v))
        {
            flags |= POST_LINK;
        }
        let element = if raw.len() > 15 || raw.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(raw.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw)
        };
        let element = if element == "image" { "img" } else { &element };
        let mut section = None;
        let mut root = false;
        if self.root.is_none() && flags & SKIP == 0 {
            let scan = html::scan(element, tag);
            if scan.outside_article {
                flags |= SKIP;
            } else if self.is_root(element, tag, &scan, flags, lt, content_end) {
                if self.pending.last().is_some_and(|p| !p.is_empty()) {
                    return None;
                }
                root = true;
            } else {
                if scan.maybe_aside && parent & ARTICLE == 0 && reader::marks_section(element, tag)
                {
                    section = Some(self.holds.len() as u32);
                    self.holds.push(false);
                    self.sections_open += 1;
                }
                if matches!(element, "template" | "svg" | "math") {
                    flags |= SKIP;
                }
            }
        }
        if self.root.is_none() && flags & ARTICLE == 0 && reader::is_article_body(tag) {
            flags |= ARTICLE;
        }
        if self.sections_open > 0 && reader::holds_article(element, tag) {
            self.mark_holding();
        }
        let pushed = !(void(element) || self_closing && flags & FOREIGN != 0);
        if root && flags & TABLE != 0 {
            // The outermost table: the fragment parser rebuilds it whole.
            let t = self
                .stack
                .iter()
                .position(|e| e.flags & TABLE != 0)
                .expect("a TABLE flag comes from a table on the stack");
            let start = self.stack[t].start;
            self.regions.retain(|r| r.start < start);
            self.open_region(t, start, false);
        }
        if pushed {
            self.push(name, flags, section, lt);
            if root && flags & TABLE == 0 {
                self.open_region(self.stack.len() - 1, lt, false);
            }
        } else if root && flags & TABLE == 0 {
            let (sections, in_article) = self.context(self.stack.len());
            self.regions.push(Region {
                start: lt,
                end: tag_end,
                in_article,
                head: false,
                sections,
            });
        }
        Some(())
    }

    /// Whether a start tag outside regions starts one: an element some
    /// detector may claim, with everything below it.
    fn is_root(
        &self,
        name: &str,
        tag: &Tag<'_, '_>,
        scan: &html::Scan,
        flags: u8,
        lt: usize,
        content_end: Option<usize>,
    ) -> bool {
        if name == "script" || name == "noscript" {
            let end = content_end.unwrap_or(lt);
            return scan.props || prefilter::may_cite(&self.src.as_bytes()[lt..end.max(lt)]);
        }
        flags & POST_LINK != 0
            || scan.maybe_embed
            || scan.props
            || consent::marks(name, tag)
            || tag
                .attrs()
                .any(|(a, v)| READ_ATTRS.contains(&a) && v.contains('&'))
    }

    /// `<html>`, `<head>` and `<body>` tags after the first are merged into
    /// the elements there are; one a detector might claim needs the parse.
    fn ignored(&self, name: &str, tag: &Tag<'_, '_>) -> Option<()> {
        let scan = html::scan(name, tag);
        (!(scan.maybe_embed || scan.props || consent::marks(name, tag))).then_some(())
    }

    /// What a start tag closes first: an open `<p>`, a list item, a cell.
    /// `Some(false)`: the tag itself is dropped.
    fn close_before(&mut self, n: &str, lt: usize) -> Option<bool> {
        let at = Close::Implied(lt);
        match n {
            "li" | "dd" | "dt" => {
                let same = |e: &Open| {
                    if n == "li" {
                        e.is("li")
                    } else {
                        e.is("dd") || e.is("dt")
                    }
                };
                for i in (0..self.stack.len()).rev() {
                    let e = &self.stack[i];
                    if e.html() && same(e) {
                        self.pop_to(i, at)?;
                        break;
                    }
                    if special(e) && !(e.html() && (e.is("address") || e.is("div") || e.is("p"))) {
                        break;
                    }
                }
            }
            "button" => {
                if let Some(i) = self.in_scope(|e| e.is("button"), scope_boundary) {
                    self.pop_to(i, at)?;
                }
            }
            "a" | "nobr" if self.formatting_open(n).is_some() => {
                self.adoption(n, lt)?;
                if let Some(i) = self.formatting_open(n) {
                    self.remove(i);
                }
            }
            // The parser's `<select>` (html5ever 0.40) holds any content;
            // a new select, an input, an option or a rule close what the
            // open one holds.
            "select" | "input" => {
                if let Some(i) = self.in_scope(|e| e.is("select"), scope_boundary) {
                    self.pop_to(i, at)?;
                    if n == "select" {
                        return Some(false);
                    }
                }
            }
            "option" | "optgroup" | "hr" => {
                if self.in_scope(|e| e.is("select"), scope_boundary).is_some() {
                    while self.stack.last().is_some_and(|e| {
                        e.html()
                            && matches!(
                                e.name.str(),
                                "dd" | "dt"
                                    | "li"
                                    | "optgroup"
                                    | "option"
                                    | "p"
                                    | "rb"
                                    | "rp"
                                    | "rt"
                                    | "rtc"
                            )
                            && !(n == "option" && e.is("optgroup"))
                    }) {
                        let i = self.stack.len() - 1;
                        self.pop_to(i, at)?;
                    }
                } else if n != "hr" && self.stack.last().is_some_and(|e| e.is("option")) {
                    let i = self.stack.len() - 1;
                    self.pop_to(i, at)?;
                }
            }
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" | "colgroup" => {
                let closes: &[&str] = match n {
                    "td" | "th" => &["td", "th"],
                    "tr" => &["td", "th", "tr"],
                    _ => &[
                        "td", "th", "tr", "tbody", "thead", "tfoot", "caption", "colgroup",
                    ],
                };
                let outermost = (0..self.stack.len())
                    .rev()
                    .take_while(|&i| !(self.stack[i].html() && self.stack[i].is("table")))
                    .filter(|&i| self.stack[i].html() && closes.contains(&self.stack[i].name.str()))
                    .last();
                if let Some(i) = outermost {
                    self.pop_to(i, at)?;
                }
            }
            "table" => {
                if self.stack.last().is_some_and(|e| {
                    e.html() && matches!(e.name.str(), "table" | "tbody" | "thead" | "tfoot" | "tr")
                }) && let Some(i) = self.in_scope(|e| e.is("table"), table_scope)
                {
                    self.pop_to(i, at)?;
                }
            }
            _ => {}
        }
        if closes_p(n)
            && let Some(i) = self.in_scope(
                |e| e.is("p"),
                |e| scope_boundary(e) || e.html() && e.is("button"),
            )
        {
            self.pop_to(i, at)?;
        }
        if heading(n)
            && self
                .stack
                .last()
                .is_some_and(|e| e.html() && heading(e.name.str()))
        {
            let i = self.stack.len() - 1;
            self.pop_to(i, at)?;
        }
        Some(true)
    }

    fn end(&mut self, name: Name, lt: usize, tag_end: usize) -> Option<()> {
        let n = name.str();
        if nesting::counts_block(n) {
            self.blocks = self.blocks.saturating_sub(1);
        }
        let own = Close::Own {
            at: lt,
            end: tag_end,
        };
        if self.in_head {
            if matches!(n, "body" | "html" | "br") {
                self.in_head = false;
            } else {
                if let Some(top) = self.stack.last()
                    && top.name == name
                {
                    let i = self.stack.len() - 1;
                    self.pop_to(i, own)?;
                }
                return Some(());
            }
        }
        if matches!(n, "p" | "br") {
            // Leave foreign content first, as HTML start tags do.
            while self
                .stack
                .last()
                .is_some_and(|e| !e.html() && !integration_point(e))
            {
                let i = self.stack.len() - 1;
                self.pop_to(i, Close::Implied(lt))?;
            }
        }
        if self.stack.last().is_some_and(|e| !e.html()) {
            for i in (0..self.stack.len()).rev() {
                let e = &self.stack[i];
                if e.html() {
                    break;
                }
                if e.name == name {
                    return self.pop_to(i, own);
                }
            }
        }
        let found = match n {
            "body" | "html" | "br" => None,
            "p" => self.in_scope(
                |e| e.is("p"),
                |e| scope_boundary(e) || e.html() && e.is("button"),
            ),
            "li" => self.in_scope(
                |e| e.is("li"),
                |e| scope_boundary(e) || e.html() && (e.is("ol") || e.is("ul")),
            ),
            "dd" | "dt" => self.in_scope(|e| e.name == name, scope_boundary),
            _ if heading(n) => self.in_scope(|e| e.kind & K_HEADING != 0, scope_boundary),
            "form" => {
                let i = self.in_scope(|e| e.is("form"), scope_boundary);
                if i.is_some_and(|i| i + 1 != self.stack.len()) {
                    // The form leaves the stack, its open children stay.
                    return None;
                }
                i
            }
            "table" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th" | "caption" | "colgroup" => {
                self.in_scope(|e| e.name == name, table_scope)
            }
            "template" => (0..self.stack.len())
                .rev()
                .find(|&i| self.stack[i].html() && self.stack[i].name == name),
            _ if formatting(n) => return self.adoption(n, lt),
            _ if scoped_end(n) => self.in_scope(|e| e.name == name, scope_boundary),
            _ => {
                let mut found = None;
                for i in (0..self.stack.len()).rev() {
                    let e = &self.stack[i];
                    if e.html() && e.name == name {
                        found = Some(i);
                        break;
                    }
                    if special(e) {
                        break;
                    }
                }
                found
            }
        };
        match found {
            Some(i) => self.pop_to(i, own),
            None => Some(()),
        }
    }

    /// The adoption agency (html5ever's, eight rounds at most), as far as
    /// the stack goes: a formatting element closed around blocks is
    /// replaced by a clone inside the first block, the inline elements in
    /// between leave, and the last round closes the clone with what is
    /// above it. Around (or being) a region's root, or for a link to a
    /// post (cloned, it would be cited twice), the whole parse decides.
    fn adoption(&mut self, n: &str, at: usize) -> Option<()> {
        for _ in 0..8 {
            let Some(i) = self.formatting_open(n) else {
                // Closed earlier and waiting to be reopened: no more.
                if let Some(level) = self.pending.last_mut()
                    && let Some(k) = level.iter().rposition(|e| e.is(n))
                {
                    level.remove(k);
                }
                return Some(());
            };
            if self.stack[i + 1..].iter().any(scope_boundary) {
                return Some(());
            }
            let furthest = self.stack[i + 1..].iter().position(special);
            if furthest.is_some()
                && (self.root.is_some_and(|r| i <= r)
                    || self.stack[i..].iter().any(|e| e.flags & POST_LINK != 0))
            {
                return None;
            }
            let Some(k) = furthest else {
                // The element itself leaves the list; what it holds is
                // closed implied (and reopened later if formatting).
                if self.stack.len() > i + 1 {
                    self.pop_to(i + 1, Close::Implied(at))?;
                }
                return self.pop_to(i, Close::Own { at, end: at });
            };
            let block = i + 1 + k;
            for j in (i + 1..block).rev() {
                if self.stack[j].flags & FORMATTING == 0 {
                    self.remove(j);
                }
            }
            let e = self.remove(i);
            let block = (i..self.stack.len())
                .find(|&j| special(&self.stack[j]))
                .expect("the furthest block is still open");
            // The clone lives in the block now, and inherits from it.
            let clone = Open {
                section: None,
                flags: (self.stack[block].flags & (SKIP | ARTICLE | TABLE)) | FORMATTING,
                ..e
            };
            self.stack.insert(block + 1, clone);
        }
        Some(())
    }

    /// Take the element at `i` out of the stack (the adoption agency).
    fn remove(&mut self, i: usize) -> Open {
        let e = self.stack.remove(i);
        if e.section.is_some() {
            self.section_closed();
        }
        e
    }

    /// The open formatting element `n` at the current marker level.
    fn formatting_open(&self, n: &str) -> Option<usize> {
        for i in (0..self.stack.len()).rev() {
            let e = &self.stack[i];
            if e.flags & FORMATTING != 0 && e.is(n) {
                return Some(i);
            }
            if marker(e) {
                return None;
            }
        }
        None
    }

    fn in_scope(
        &self,
        target: impl Fn(&Open) -> bool,
        boundary: impl Fn(&Open) -> bool,
    ) -> Option<usize> {
        for i in (0..self.stack.len()).rev() {
            let e = &self.stack[i];
            if e.html() && target(e) {
                return Some(i);
            }
            if boundary(e) {
                return None;
            }
        }
        None
    }

    fn push(&mut self, name: Name, flags: u8, section: Option<u32>, start: usize) {
        let e = Open {
            name,
            flags,
            section,
            start,
            kind: kind_of(name.str(), flags & FOREIGN == 0),
        };
        if marker(&e) {
            self.pending.push(Vec::new());
        }
        self.stack.push(e);
    }

    /// Pop the elements from the top down to index `i`, which `how` closes;
    /// the ones above it close implied.
    fn pop_to(&mut self, i: usize, how: Close) -> Option<()> {
        // Where this pass's reopened elements go in the current level (the
        // lower ones, popped later, before the higher ones).
        let mut insert_at: Option<usize> = None;
        while self.stack.len() > i {
            let j = self.stack.len() - 1;
            let e = self.stack.pop().expect("the stack is longer than i");
            let close = match how {
                _ if j == i => how,
                Close::Own { at, .. } => Close::Implied(at),
                other => other,
            };
            if matches!(close, Close::Implied(_)) && e.html() && e.is("template") {
                // Template contents keep their own insertion modes.
                return None;
            }
            if marker(&e) && self.pending.len() > 1 {
                // Closing a cell forgets what it left to reopen.
                self.pending.pop();
                insert_at = None;
            }
            if e.section.is_some() {
                self.section_closed();
            }
            if self.root == Some(j) {
                self.root = None;
                let region = self.regions.last_mut().expect("an open root has a region");
                region.end = match close {
                    Close::Own { end, .. } => end,
                    Close::Implied(at) => {
                        if e.flags & FORMATTING != 0 {
                            return None;
                        }
                        at
                    }
                    Close::Eof => self.src.len(),
                };
            }
            if let Close::Implied(_) = close
                && e.flags & FORMATTING != 0
            {
                if e.flags & POST_LINK != 0 {
                    // Reopened further on: one more link than the regions hold.
                    return None;
                }
                if let Some(level) = self.pending.last_mut() {
                    let k = *insert_at.get_or_insert(level.len());
                    level.insert(k, e);
                }
            }
        }
        Some(())
    }

    /// Reopen the formatting elements closed by something else (the tree
    /// builder does before text and most inline start tags), below the
    /// current node.
    fn reconstruct(&mut self) {
        let Some(level) = self.pending.last_mut() else {
            return;
        };
        if level.is_empty() {
            return;
        }
        for e in std::mem::take(level) {
            let parent = self.stack.last().map_or(0, |p| p.flags);
            self.stack.push(Open {
                flags: (parent & (SKIP | ARTICLE | TABLE)) | FORMATTING,
                section: None,
                ..e
            });
        }
    }

    fn section_closed(&mut self) {
        self.sections_open = self.sections_open.saturating_sub(1);
    }

    /// An element that holds the article opened: every open section holds it.
    fn mark_holding(&mut self) {
        for e in &self.stack {
            if let Some(s) = e.section {
                self.holds[s as usize] = true;
            }
        }
    }

    /// The reader sections and article-body flag of the elements below
    /// stack index `i`.
    fn context(&self, i: usize) -> (Vec<u32>, bool) {
        let sections = self.stack[..i].iter().filter_map(|e| e.section).collect();
        let in_article = i > 0 && self.stack[i - 1].flags & ARTICLE != 0;
        (sections, in_article)
    }

    fn open_region(&mut self, i: usize, start: usize, head: bool) {
        let (sections, in_article) = self.context(i);
        self.root = Some(i);
        self.regions.push(Region {
            start,
            end: self.src.len(),
            in_article,
            head,
            sections,
        });
    }

    fn finish(&mut self) -> Option<()> {
        if !self.stack.is_empty() {
            self.pop_to(0, Close::Eof)?;
        }
        Some(())
    }
}

fn name_end(b: &[u8], from: usize) -> usize {
    from + b[from..]
        .iter()
        .take_while(|&&c| !is_ws(c) && c != b'/' && c != b'>')
        .count()
}

/// Where a comment whose text starts at `from` ends: after `-->` or
/// `--!>`; `<!-->` and `<!--->` are whole comments.
fn comment_end(b: &[u8], from: usize) -> usize {
    if b.get(from) == Some(&b'>') {
        return from + 1;
    }
    if b[from..].starts_with(b"->") {
        return from + 2;
    }
    let mut at = from;
    while let Some(found) = memmem::find(&b[at..], b"--") {
        let dash = at + found;
        if b.get(dash + 2) == Some(&b'>') {
            return dash + 3;
        }
        if b[dash + 2..].starts_with(b"!>") {
            return dash + 4;
        }
        at = dash + 1;
    }
    b.len()
}
