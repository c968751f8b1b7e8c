//! Small helpers for human output: counts with their nouns, sizes in MiB,
//! archived text made safe for a terminal.

use std::borrow::Cow;

/// `1 post`, `2 posts`, `0 tries`: a count and its noun, in the plural for
/// any count but one (`y` after a consonant becomes `ies`; `s`, `x`, `ch`
/// and `sh` take `es`).
pub fn count(n: impl std::fmt::Display, noun: &str) -> String {
    let n = n.to_string();
    if n == "1" {
        return format!("1 {noun}");
    }
    format!("{n} {}", plural(noun))
}

/// The plural of an English noun, for the regular nouns embarc counts.
pub fn plural(noun: &str) -> String {
    let consonant_y = noun.strip_suffix('y').filter(|stem| {
        stem.chars()
            .last()
            .is_some_and(|c| !"aeiou".contains(c.to_ascii_lowercase()))
    });
    if let Some(stem) = consonant_y {
        format!("{stem}ies")
    } else if ["s", "x", "ch", "sh"].iter().any(|e| noun.ends_with(e)) {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// A size in MiB, as `--max-size` takes it: `20 MiB`, `1.5 MiB`,
/// `0.49 MiB`; under 0.01 MiB, in bytes.
pub fn mib(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes < MIB / 100 {
        return count(bytes, "byte");
    }
    if bytes.is_multiple_of(MIB) {
        return format!("{} MiB", bytes / MIB);
    }
    let m = bytes as f64 / MIB as f64;
    let text = if m >= 10.0 {
        format!("{m:.1}")
    } else {
        format!("{m:.2}")
    };
    format!("{} MiB", text.trim_end_matches('0').trim_end_matches('.'))
}

/// Archived text made safe to print on a terminal: control characters (C0
/// but tab and newline, DEL, C1) and bidirectional overrides and isolates
/// are shown as `\u{1b}`-style escapes, so a post's text or an author's
/// name cannot move the cursor, retitle the window, clear the screen or
/// reorder what follows it. Exports keep the exact text; only human output
/// goes through here.
pub fn escaped(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_on_terminal(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How much of an input or message is echoed back (error messages, the
/// `failures` table): enough to recognise it, not a 64 KiB line.
pub const ECHO: usize = 300;

/// `text` cut to at most `max` bytes (on a character boundary), with its
/// length said when it was cut: `https://a.example/aaaa… (70000 bytes)`.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}… ({} bytes)", &text[..end], text.len()))
}

/// Characters a terminal would act on rather than show.
fn unsafe_on_terminal(c: char) -> bool {
    match c {
        '\t' | '\n' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// An I/O error in words, without the operating system's `(os error N)`.
pub fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_plural_unless_one() {
        assert_eq!(count(1, "post"), "1 post");
        assert_eq!(count(0usize, "post"), "0 posts");
        assert_eq!(count(2i64, "citation"), "2 citations");
        assert_eq!(count(1u32, "try"), "1 try");
        assert_eq!(count(3u32, "try"), "3 tries");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(count(2, "match"), "2 matches");
    }

    #[test]
    fn sizes_in_mib() {
        assert_eq!(mib(20 * 1024 * 1024), "20 MiB");
        assert_eq!(mib(1024 * 1024 + 512 * 1024), "1.5 MiB");
        assert_eq!(mib(512 * 1024), "0.5 MiB");
        assert_eq!(mib(26_542_080), "25.3 MiB");
        assert_eq!(mib(1000), "1000 bytes");
    }

    #[test]
    fn long_text_is_clipped_with_its_length() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip(&"a".repeat(20), 10), "aaaaaaaaaa… (20 bytes)");
        // Never inside a character.
        assert_eq!(clip("ééééé", 3), "é… (10 bytes)");
    }

    #[test]
    fn terminal_controls_are_shown_escaped() {
        assert_eq!(
            escaped("plain text, tab\tand\nnewline"),
            "plain text, tab\tand\nnewline"
        );
        assert!(matches!(escaped("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escaped("\u{1b}]0;owned\u{7}\u{1b}[2Jhi"),
            "\\u{1b}]0;owned\\u{7}\\u{1b}[2Jhi"
        );
        assert_eq!(escaped("a\rb\u{7f}c\u{9b}d"), "a\\u{d}b\\u{7f}c\\u{9b}d");
        assert_eq!(
            escaped("\u{202e}txt.exe\u{2066}"),
            "\\u{202e}txt.exe\\u{2066}"
        );
        assert_eq!(escaped("café — 日本 🙂"), "café — 日本 🙂");
    }
}
