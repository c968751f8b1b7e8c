//! A cap on the nesting of block elements, applied to the markup before
//! html5ever sees it.
//!
//! For each start tag of a block element (`<div>`, `<blockquote>`, `<ul>`…)
//! the HTML tree builder looks down its stack of open elements for a `<p>`
//! to close; with 100,000 nested `<div>`s that is 100,000 looks of 100,000
//! steps each (57 s for 1.1 MB). Browsers cap the depth of the tree (Chrome
//! at 512); here block start tags past [`MAX_DEPTH`] open blocks are left
//! out, with their end tags, so parsing stays linear. Nothing a real page
//! holds is that deep; what a hostile page nests deeper still has its text
//! and links read, one level up.

use std::borrow::Cow;

/// Open block elements kept, at most.
pub const MAX_DEPTH: usize = 512;

/// The block elements whose start tag makes the tree builder search its
/// stack for a `<p>` to close ("in button scope").
const BLOCKS: &[&[u8]] = &[
    b"address",
    b"article",
    b"aside",
    b"blockquote",
    b"center",
    b"details",
    b"dialog",
    b"dir",
    b"div",
    b"dl",
    b"fieldset",
    b"figcaption",
    b"figure",
    b"footer",
    b"form",
    b"header",
    b"hgroup",
    b"main",
    b"menu",
    b"nav",
    b"ol",
    b"search",
    b"section",
    b"summary",
    b"ul",
];

/// Elements whose content is text, not markup: skipped whole.
const RAW: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"noembed",
    b"noframes",
    b"plaintext",
];

/// A block [`capped`] counts (the name lowercase).
pub(super) fn counts_block(name: &str) -> bool {
    BLOCKS.contains(&name.as_bytes())
}

/// `html` with block elements nested deeper than [`MAX_DEPTH`] left out
/// (borrowed, untouched, when nothing is that deep).
pub fn capped(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    // Start tags left out, per block name, whose end tags go too.
    let mut dropped = [0usize; BLOCKS.len()];
    // Byte ranges left out.
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let lt = at + found;
        at = lt + 1;
        let rest = &bytes[at..];
        if rest.starts_with(b"!--") {
            at = memchr::memmem::find(&rest[3..], b"-->").map_or(bytes.len(), |e| at + 3 + e + 3);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = at + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &bytes[name_start..name_start + name_len];
        let Some(tag_end) = memchr::memchr(b'>', &bytes[name_start..]).map(|e| name_start + e + 1)
        else {
            break;
        };
        if !closing && let Some(raw) = RAW.iter().find(|r| name.eq_ignore_ascii_case(r)) {
            at = find_end_tag(bytes, tag_end, raw);
            continue;
        }
        let Some(block) = BLOCKS.iter().position(|b| name.eq_ignore_ascii_case(b)) else {
            continue;
        };
        if closing {
            if dropped[block] > 0 {
                dropped[block] -= 1;
                cuts.push((lt, tag_end));
            } else {
                depth = depth.saturating_sub(1);
            }
        } else if depth >= MAX_DEPTH {
            dropped[block] += 1;
            cuts.push((lt, tag_end));
        } else if bytes[tag_end - 2] != b'/' {
            depth += 1;
        }
        at = tag_end;
    }
    if cuts.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    for (start, end) in cuts {
        out.push_str(&html[from..start]);
        from = end;
    }
    out.push_str(&html[from..]);
    Cow::Owned(out)
}

/// Where `</name` starts after `from` (any case), or the end.
fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut at = from;
    while let Some(found) = memchr::memmem::find(&bytes[at..], b"</") {
        let start = at + found;
        let candidate = &bytes[start + 2..];
        if candidate.len() >= name.len() && candidate[..name.len()].eq_ignore_ascii_case(name) {
            return start;
        }
        at = start + 2;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(tag: &str, depth: usize, inner: &str) -> String {
        format!(
            "{}{inner}{}",
            format!("<{tag}>").repeat(depth),
            format!("</{tag}>").repeat(depth)
        )
    }

    #[test]
    fn ordinary_pages_are_untouched() {
        let page = "<html><body><div class=a><blockquote>x</blockquote><ul><li>y</ul></div><script>if (a<div) {}</script><!-- <div> --></body></html>";
        assert!(matches!(capped(page), Cow::Borrowed(_)));
        let deep_but_fine = nested("div", MAX_DEPTH, "<a href=x>l</a>");
        assert!(matches!(capped(&deep_but_fine), Cow::Borrowed(_)));
    }

    #[test]
    fn blocks_past_the_cap_are_left_out_with_their_end_tags() {
        let page = nested("DIV", MAX_DEPTH + 10, "<a href=x>l</a>");
        let got = capped(&page);
        assert_eq!(got, nested("DIV", MAX_DEPTH, "<a href=x>l</a>"));
        // Mixed blocks: each name's own end tags go.
        let page = nested("div", MAX_DEPTH - 1, &nested("blockquote", 3, "t"));
        let page = format!("<section>{page}</section><div>after</div>");
        let got = capped(&page);
        assert!(!got.contains("blockquote"), "{}", &got[got.len() - 40..]);
        assert!(got.contains(">t</div>") && got.ends_with("</div></section><div>after</div>"));
    }

    #[test]
    fn markup_inside_raw_text_and_comments_is_not_counted() {
        let js = format!("<script>{}</script>", "s += '<div>';".repeat(2 * MAX_DEPTH));
        let page = format!(
            "{js}<!-- {} -->{}",
            "<div>".repeat(2 * MAX_DEPTH),
            nested("div", 5, "x")
        );
        assert!(matches!(capped(&page), Cow::Borrowed(_)));
    }
}
