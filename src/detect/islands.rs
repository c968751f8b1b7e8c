//! Raw HTML inside plain text or Markdown.
//!
//! Markdown sources (static-site generators, CMS exports, wiki pages) keep
//! an embed's markup as a block of raw HTML among the prose: the
//! `<blockquote class="twitter-tweet">` an embed code produced, an
//! `<iframe>`, an `<amp-…>` element. Read as text, such a block is only a
//! status link. [`split`] separates those blocks from the prose, line by
//! line, so the blocks are read by the HTML walk (embeds, with their text,
//! author and date) and the prose by the text scan (copied posts, links).
//!
//! A block starts at a line whose first character (after up to three
//! spaces, as in CommonMark) opens a tag, and runs until that tag is closed
//! again at the end of a line; a tag that is never closed (or a void one)
//! runs to the next blank line. Code fences are prose: markup shown as code
//! is not an embed. One pass, linear in the text.

/// The text cut in two: its HTML blocks, and the rest with each block left
/// as a blank line (so paragraphs around it stay apart).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Split {
    pub html: String,
    pub text: String,
}

/// Lines after which a block whose tag is still open ends at a blank line.
const MAX_OPEN_LINES: usize = 50;

/// Tags that never close.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Split `text` into its HTML blocks and its prose; `None` when it holds no
/// HTML block.
pub fn split(text: &str) -> Option<Split> {
    let mut out = Split::default();
    let mut fence: Option<&str> = None;
    // The open block's tag, how many of it are open (0: a block that ends
    // at a blank line) and its length in lines.
    let mut block: Option<(String, i64, usize)> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some((tag, depth, lines)) = &mut block {
            out.html.push_str(line);
            *lines += 1;
            let blank = body.trim().is_empty();
            if *depth > 0 {
                *depth += balance(body, tag);
                // A tag left open for long gives the prose back at the
                // next blank line.
                if *depth <= 0 || (blank && *lines > MAX_OPEN_LINES) {
                    block = None;
                }
            } else if blank {
                block = None;
            }
            if block.is_none() {
                out.text.push('\n');
            }
            continue;
        }
        let lead = body.trim_start_matches(' ');
        let indent = body.len() - lead.len();
        if let Some(open) = fence {
            if indent <= 3 && lead.starts_with(open) {
                fence = None;
            }
            out.text.push_str(line);
            continue;
        }
        if indent <= 3 && (lead.starts_with("```") || lead.starts_with("~~~")) {
            fence = Some(&lead[..3]);
            out.text.push_str(line);
            continue;
        }
        match opening_tag(lead).filter(|_| indent <= 3) {
            Some(tag) => {
                out.html.push_str(line);
                if !out.html.ends_with('\n') {
                    out.html.push('\n');
                }
                let depth = if VOID.contains(&tag.as_str()) {
                    0
                } else {
                    balance(body, &tag)
                };
                if depth > 0 || (depth == 0 && !closes(body, &tag)) {
                    block = Some((tag, depth, 0));
                } else {
                    out.text.push('\n');
                }
            }
            None => out.text.push_str(line),
        }
    }
    (!out.html.is_empty()).then_some(out)
}

/// The (lowercase) name of the tag `line` starts with: `<name` followed by
/// a space, `>` or `/`. Markdown autolinks (`<https://…>`) and comparisons
/// are not tags.
fn opening_tag(line: &str) -> Option<String> {
    let rest = line.strip_prefix('<')?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    let after = rest[end..].chars().next();
    let is_tag = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && matches!(after, Some(' ' | '\t' | '>' | '/') | None);
    is_tag.then(|| name.to_ascii_lowercase())
}

/// Opened minus closed `tag` elements in `line` (case-insensitive).
fn balance(line: &str, tag: &str) -> i64 {
    let lower = line.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut depth = 0;
    let mut at = 0;
    while let Some(i) = lower[at..].find('<') {
        let start = at + i + 1;
        let (closing, name_at) = match bytes.get(start) {
            Some(b'/') => (true, start + 1),
            _ => (false, start),
        };
        let name_end = name_at + tag.len();
        if lower.get(name_at..name_end) == Some(tag)
            && !bytes
                .get(name_end)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            depth += if closing { -1 } else { 1 };
        }
        at = start;
    }
    depth
}

/// Whether `line` closes `tag` (a block that opened and closed on one line).
fn closes(line: &str, tag: &str) -> bool {
    line.to_ascii_lowercase().contains(&format!("</{tag}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_alone_is_not_split() {
        assert_eq!(
            split("Just words.\n\nA link <https://x.com/a/status/1>.\n"),
            None
        );
        assert_eq!(split("a < b and c > d\n"), None);
    }

    #[test]
    fn a_block_runs_until_its_tag_closes() {
        let text = "Intro.\n\n<blockquote class=\"twitter-tweet\">\n<p>Hi</p>\n\n&mdash; A (@a)\n</blockquote>\nAfter.\n";
        let s = split(text).unwrap();
        assert!(s.html.starts_with("<blockquote"), "{s:?}");
        assert!(s.html.contains("&mdash; A (@a)\n</blockquote>"), "{s:?}");
        assert!(!s.html.contains("After"), "{s:?}");
        assert!(
            s.text.starts_with("Intro.\n\n") && s.text.ends_with("After.\n"),
            "{s:?}"
        );
    }

    #[test]
    fn a_one_line_block_and_a_void_one_end_at_their_line_or_a_blank_line() {
        let s =
            split("<iframe src=\"u\"></iframe>\nprose\n<img src=x>\nstill html\n\nprose again\n")
                .unwrap();
        assert_eq!(
            s.html,
            "<iframe src=\"u\"></iframe>\n<img src=x>\nstill html\n\n"
        );
        assert!(
            s.text.contains("prose\n") && s.text.contains("prose again\n"),
            "{s:?}"
        );
        assert!(!s.text.contains("still html"), "{s:?}");
    }

    #[test]
    fn a_tag_left_open_gives_the_prose_back_at_a_blank_line_after_a_while() {
        let mut text = String::from("<div class=x>\n\ninside after a blank line\n");
        text.push_str(&"html line\n".repeat(MAX_OPEN_LINES));
        text.push_str("\nprose https://x.com/a/status/20\n");
        let s = split(&text).unwrap();
        assert!(s.html.contains("inside after a blank line"), "{s:?}");
        assert!(!s.html.contains("prose"), "{s:?}");
        assert!(
            s.text.contains("prose https://x.com/a/status/20\n"),
            "{s:?}"
        );
    }

    #[test]
    fn nested_tags_of_the_same_name_are_counted() {
        let s = split("<div>\n<div>inner</div>\n</div>\nprose\n").unwrap();
        assert_eq!(s.html, "<div>\n<div>inner</div>\n</div>\n");
        assert!(s.text.ends_with("prose\n"));
    }

    #[test]
    fn code_fences_are_prose() {
        let text = "```html\n<blockquote class=\"twitter-tweet\"></blockquote>\n```\n";
        assert_eq!(split(text), None);
    }

    #[test]
    fn indented_four_spaces_is_code() {
        assert_eq!(split("    <blockquote>code</blockquote>\n"), None);
    }
}
