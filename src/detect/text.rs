//! Posts copied into plain text or Markdown, and post URLs in running text.
//!
//! A copied embed collapses to the post's text followed by a tail line:
//! `— Name (@handle) Date`, sometimes with the date as a (Markdown) link to
//! the post. Plain text does not mark where the post starts, so the rule is:
//!
//! * Lines are taken upwards from the tail (or from the text before the dash
//!   when the tail shares its line) while they fit together within the
//!   platform's length limit (X: 280 weighted characters, counted the way X
//!   counts them: URLs as 23, media links as 0, emoji and CJK as 2; Bluesky:
//!   300; Mastodon: 500).
//! * A blank line, a line holding another tail, or the start of a Markdown
//!   quote ends the post; inside a Markdown quote (`> …`) the quote is the post.
//!
//! Article paragraphs in copies are long lines, so the first paragraph above
//! a post rarely fits in the budget together with it; a short introductory
//! line directly above a short post can be swallowed, which is the price of
//! having no markup to go by.

use super::{Citation, Kind, Platform, dates, urls};
use regex::Regex;
use std::sync::LazyLock;

/// `(@handle)` in a tail: X handles, or dotted Bluesky/Mastodon handles.
static HANDLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(@([A-Za-z0-9_](?:[A-Za-z0-9_.\-@]{0,98}[A-Za-z0-9_])?)\)").expect("valid regex")
});

/// Bare URLs and Markdown link targets in text.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:https?://|at://)[^\s<>"'\]\[)(]+(?:\([^\s()]*\)[^\s<>"'\]\[)(]*)?"#)
        .expect("valid regex")
});

/// [`URL`] only at the start of the text.
static URL_HERE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^(?:{})", URL.as_str())).expect("valid regex"));

/// `pic.twitter.com/…` media references.
static MEDIA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bpic\.(?:twitter|x)\.com/[A-Za-z0-9]+").expect("valid regex"));

/// Jetpack `[tweet …]` shortcodes in saved WordPress content.
static SHORTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\[tweet\s+(?:[a-z]+=)?["']?(https?://[^\s"'\]]+|\d{1,20})"#).expect("valid regex")
});

/// The media references in a post's text, in order, without duplicates.
pub fn media_refs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in MEDIA.find_iter(text) {
        if !out.iter().any(|x| x == m.as_str()) {
            out.push(m.as_str().to_string());
        }
    }
    out
}

/// Detect copied posts and post links in plain text or Markdown.
pub fn detect_text(text: &str) -> Vec<Citation> {
    let mut out = copied_posts(text);
    // URLs that are not the status link of a copied post are link citations.
    let used: std::collections::HashSet<String> =
        out.iter().filter_map(|c| c.source_url.clone()).collect();
    for m in URL.find_iter(text) {
        let raw = trim_url(m.as_str());
        if used.contains(raw) {
            continue;
        }
        if let Some(parsed) = urls::parse_post_url(raw) {
            out.push(
                Citation::new(parsed.platform, Kind::Link, "url")
                    .with_url(raw, &parsed)
                    .finish(),
            );
        }
    }
    out.extend(shortcodes(text));
    out
}

/// Jetpack `[tweet URL]` / `[tweet ID]` shortcodes: embeds saved as text.
pub fn shortcodes(text: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    for caps in SHORTCODE.captures_iter(text) {
        let arg = &caps[1];
        let citation = if arg.bytes().all(|b| b.is_ascii_digit()) {
            let url = format!("https://x.com/i/status/{arg}");
            urls::parse_post_url(&url)
                .map(|p| Citation::new(Platform::X, Kind::Embed, "shortcode").with_url(arg, &p))
        } else {
            urls::parse_post_url(arg)
                .filter(|p| p.platform == Platform::X)
                .map(|p| Citation::new(Platform::X, Kind::Embed, "shortcode").with_url(arg, &p))
        };
        out.extend(citation.map(Citation::finish));
    }
    out
}

/// Trailing punctuation from prose is not part of a URL.
fn trim_url(url: &str) -> &str {
    url.trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_', '>'])
}

/// A tail found on a line.
struct Tail<'a> {
    /// Byte offset (in the line) of the dash that opens the tail.
    dash: usize,
    /// Byte offset (in the line) just after the tail.
    end: usize,
    name: &'a str,
    handle: &'a str,
    display_date: String,
    status_url: Option<&'a str>,
}

/// Copied posts: every tail in the text, with the lines above it.
pub(crate) fn copied_posts(text: &str) -> Vec<Citation> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    // Where the previous post ended: (line index, byte offset in that line).
    let mut floor: (usize, usize) = (0, 0);
    for (i, line) in lines.iter().enumerate() {
        if !line.contains("(@") {
            continue;
        }
        let mut line_floor = if floor.0 == i { floor.1 } else { 0 };
        let mut found = tails(line);
        // A status link alone on the next line belongs to a tail that ends
        // its line without one (copies often break the line before it).
        if let Some(last) = found.last_mut()
            && last.status_url.is_none()
            && line[last.end..].trim().is_empty()
            && let Some(next) = lines.get(i + 1).map(|l| trim_url(unquote(l).trim()))
            && next.split_whitespace().count() == 1
            && urls::parse_post_url(next).is_some()
        {
            last.status_url = Some(next);
        }
        for tail in found {
            if tail.dash < line_floor {
                continue;
            }
            let same_line = &line[line_floor..tail.dash];
            let above_floor = if floor.0 == i { None } else { Some(floor) };
            let body = post_body(&lines, i, same_line, above_floor, tail.handle);
            out.push(text_citation(&tail, body));
            line_floor = tail.end;
            floor = (i, tail.end);
        }
        if floor.0 == i && floor.1 > 0 {
            // Lines above the next tail start after this line.
            floor = (i + 1, 0);
        }
    }
    out
}

fn text_citation(tail: &Tail<'_>, body: Option<String>) -> Citation {
    let handle = tail.handle.to_string();
    let platform = if handle.contains('.') && !handle.contains('@') {
        Platform::Bluesky
    } else if handle.contains('@') {
        Platform::Mastodon
    } else {
        Platform::X
    };
    let mut c = Citation::new(platform, Kind::Text, "plain-text");
    if let Some(raw) = tail.status_url
        && let Some(parsed) = urls::parse_post_url(raw)
    {
        c = Citation::new(parsed.platform, Kind::Text, "plain-text").with_url(raw, &parsed);
    }
    c.handle = Some(handle);
    c.author_name = Some(tail.name.to_string()).filter(|n| !n.is_empty());
    c.display_date = Some(tail.display_date.clone());
    c.text = body.filter(|b| !b.is_empty());
    c.finish()
}

/// The tails on one line, left to right.
fn tails(line: &str) -> Vec<Tail<'_>> {
    let mut out = Vec::new();
    for caps in HANDLE.captures_iter(line) {
        let (Some(whole), Some(handle)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        // The name runs back from `(@` to the last dash before it, within
        // reach of a 64-character name (so a line of dashless `(@x)` costs
        // its length, not its length squared).
        let mut from = whole.start().saturating_sub(NAME_REACH);
        while !line.is_char_boundary(from) {
            from -= 1;
        }
        let before = &line[..whole.start()];
        let Some(dash) = before[from..].rfind(['—', '–', '―']).map(|d| from + d) else {
            continue;
        };
        let dash_len = before[dash..].chars().next().map_or(1, char::len_utf8);
        let name = before[dash + dash_len..].trim();
        if name.chars().count() > 64 {
            continue;
        }
        // The date follows, bare or as `[date](url)`.
        let after = &line[whole.end()..];
        let trimmed = after.trim_start();
        let offset = whole.end() + (after.len() - trimmed.len());
        let (date_text, status_url, used) = if let Some(inner) = trimmed.strip_prefix('[') {
            let Some(close) = inner.find("](") else {
                continue;
            };
            let Some(end) = inner[close + 2..].find(')') else {
                continue;
            };
            let url = &inner[close + 2..close + 2 + end];
            (inner[..close].trim(), Some(url), 1 + close + 2 + end + 1)
        } else {
            match dates::parse_display_date_prefix(trimmed) {
                Some((_, len)) => (trimmed[..len].trim(), None, len),
                None => continue,
            }
        };
        if dates::parse_display_date(date_text).is_none() {
            continue;
        }
        // A bare status URL right after the date belongs to the tail too.
        let mut end = offset + used;
        let mut status_url = status_url;
        let rest = &line[end..];
        let lead = rest.len() - rest.trim_start().len();
        // Only a URL right here: searching the rest of the line for one
        // would cost the line's length for every tail on it.
        if status_url.is_none()
            && let Some(m) = URL_HERE.find(&rest[lead..])
        {
            status_url = Some(trim_url(m.as_str()));
            end += lead + m.end();
        }
        out.push(Tail {
            dash,
            end,
            name,
            handle: handle.as_str(),
            display_date: date_text.to_string(),
            status_url,
        });
    }
    out
}

/// Bytes before `(@` searched for the tail's dash: a 64-character name in
/// four-byte characters, and the spaces around it.
const NAME_REACH: usize = 64 * 4 + 64;

/// The post's text: `same_line` (text before the dash on the tail's line),
/// then whole lines upwards while they fit the platform's budget.
fn post_body(
    lines: &[&str],
    tail_line: usize,
    same_line: &str,
    floor: Option<(usize, usize)>,
    handle: &str,
) -> Option<String> {
    let budget = if handle.contains('@') {
        500
    } else if handle.contains('.') {
        300
    } else {
        280
    };
    let tail_is_quoted = lines[tail_line].trim_start().starts_with('>');
    let first_line = floor.map_or(0, |(l, _)| l);
    let mut parts: Vec<String> = Vec::new();
    let mut used = 0usize;
    let same = unquote(same_line).trim();
    if !same.is_empty() {
        let fitted = fit_suffix(same, budget);
        used += weight(&fitted);
        let complete = fitted.len() == same.len();
        parts.push(fitted);
        if !complete {
            return Some(parts.join("\n"));
        }
    }
    let mut i = tail_line;
    while i > first_line {
        i -= 1;
        let raw = lines[i];
        if tail_is_quoted {
            if !raw.trim_start().starts_with('>') {
                break;
            }
            parts.push(unquote(raw).trim().to_string());
            continue;
        }
        let line = raw.trim();
        if line.is_empty() || !tails(raw).is_empty() {
            break;
        }
        let w = weight(line) + usize::from(!parts.is_empty());
        if used + w > budget {
            break;
        }
        used += w;
        parts.push(line.to_string());
    }
    if tail_is_quoted {
        // Blank quote lines at the edges are not part of the post.
        while parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
    }
    parts.reverse();
    let text = parts.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A line without its Markdown quote markers.
fn unquote(line: &str) -> &str {
    let mut s = line.trim_start();
    while let Some(rest) = s.strip_prefix('>') {
        s = rest.trim_start();
    }
    s
}

/// The longest tail of `s`, starting at a sentence boundary, that fits the
/// budget (all of `s` when it fits).
fn fit_suffix(s: &str, budget: usize) -> String {
    if weight(s) <= budget {
        return s.to_string();
    }
    let mut starts: Vec<usize> = s
        .match_indices(['.', '!', '?', '。'])
        .map(|(i, m)| i + m.len())
        .collect();
    starts.retain(|&i| s[i..].starts_with(char::is_whitespace));
    for start in starts {
        let candidate = s[start..].trim();
        if weight(candidate) <= budget {
            return candidate.to_string();
        }
    }
    String::new()
}

/// Length of a post as X counts it: URLs 23, media links 0, characters
/// outside Latin/General Punctuation 2, an emoji sequence 2.
pub fn weight(s: &str) -> usize {
    let mut total = 0usize;
    let mut rest = s;
    while !rest.is_empty() {
        let media = MEDIA.find(rest);
        let url = URL.find(rest);
        let next = match (media, url) {
            (Some(m), Some(u)) => Some(if m.start() <= u.start() {
                (m, 0)
            } else {
                (u, 23)
            }),
            (Some(m), None) => Some((m, 0)),
            (None, Some(u)) => Some((u, 23)),
            (None, None) => None,
        };
        let (plain, after) = match next {
            Some((m, w)) => {
                total += w;
                (&rest[..m.start()], &rest[m.end()..])
            }
            None => (rest, ""),
        };
        total += weight_chars(plain);
        rest = after;
    }
    total
}

fn weight_chars(s: &str) -> usize {
    let mut total = 0;
    let mut after_zwj = false;
    let mut pending_flag = false;
    for c in s.chars() {
        let cp = c as u32;
        let w = match cp {
            0x200D => {
                after_zwj = true;
                continue;
            }
            0xFE00..=0xFE0F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F => 0,
            0x1F1E6..=0x1F1FF => {
                // Regional indicators: a pair is one flag emoji.
                pending_flag = !pending_flag;
                if pending_flag { 2 } else { 0 }
            }
            0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247 => 1,
            _ => 2,
        };
        if after_zwj {
            after_zwj = false;
            continue;
        }
        total += w;
    }
    total
}

/// A `— Name (@handle)` tail at the end of `before` (the text of an embed
/// up to its status link), split into the post text, name and handle.
pub(crate) struct TailParts<'a> {
    pub text: &'a str,
    pub name: &'a str,
    pub handle: &'a str,
}

/// Split `before` at the last `(@handle)` that ends it (only whitespace
/// after), taking the name back to the last dash. Names may contain
/// parentheses, `@` and emoji, so the anchor is the last handle, not the first.
pub(crate) fn split_tail(before: &str) -> Option<TailParts<'_>> {
    let m = HANDLE
        .captures_iter(before)
        .filter(|c| {
            c.get(0)
                .is_some_and(|w| before[w.end()..].trim().is_empty())
        })
        .last()?;
    let whole = m.get(0)?;
    let handle = m.get(1)?.as_str();
    let head = &before[..whole.start()];
    let dash = head.rfind(['—', '–', '―'])?;
    let dash_len = head[dash..].chars().next().map_or(1, char::len_utf8);
    let name = head[dash + dash_len..].trim();
    if name.chars().count() > 64 {
        return None;
    }
    Some(TailParts {
        text: head[..dash].trim(),
        name,
        handle,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_counts_like_x() {
        assert_eq!(weight("hello"), 5);
        assert_eq!(
            weight("see https://example.com/a/very/long/path/indeed"),
            4 + 23
        );
        assert_eq!(weight("x pic.twitter.com/abcDEF12"), 2);
        assert_eq!(weight("🇺🇦🇰🇷"), 4);
        assert_eq!(weight("日本"), 4);
        assert_eq!(weight("👩‍👩‍👧"), 2);
    }

    #[test]
    fn media_refs_in_order() {
        assert_eq!(
            media_refs("a pic.twitter.com/AAA b pic.twitter.com/BBB pic.twitter.com/AAA"),
            ["pic.twitter.com/AAA", "pic.twitter.com/BBB"]
        );
    }
}
