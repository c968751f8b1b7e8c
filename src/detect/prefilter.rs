//! A byte-level test that rejects pages citing no post before any parse.
//!
//! Every detector starts from one of these markers (a host name, a widget
//! class, or the `(@` of a copied tail), so a page without any of them cannot
//! yield a citation. Matching is ASCII case-insensitive.

use super::Platform;
use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::LazyLock;

/// Markers no one platform owns: a copied tail `— Name (@handle) Date`.
const COMMON: &[&str] = &["(@"];

/// Every marker: the common ones, then each platform's (`Spec::markers`).
/// A detector that can fire without one of these is a bug (the registry
/// test checks each platform's example embed).
pub static MARKERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut all: Vec<&'static str> = COMMON.to_vec();
    for p in Platform::ALL {
        for m in p.spec().markers {
            if !all.contains(m) {
                all.push(m);
            }
        }
    }
    all
});

/// Two-byte markers ending in `@` (`(@`, Mastodon's `/@`): no letters,
/// so case does not matter; found by looking at the byte before each `@`.
fn is_short(marker: &str) -> bool {
    marker.len() == 2 && marker.ends_with('@')
}

/// The bytes before `@` of the short markers.
static SHORT: LazyLock<Vec<u8>> = LazyLock::new(|| {
    MARKERS
        .iter()
        .filter(|m| is_short(m))
        .map(|m| m.as_bytes()[0])
        .collect()
});

/// The longer markers, lowercase, for a SIMD (Teddy) search over lowercased
/// chunks; `None` on CPUs without the instructions it needs.
static PACKED: LazyLock<Option<packed::Searcher>> = LazyLock::new(|| {
    packed::Config::new()
        .builder()
        .extend(MARKERS.iter().filter(|m| !is_short(m)))
        .build()
});

/// The portable fallback: an automaton over every marker.
static AUTOMATON: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(MARKERS.iter())
        .expect("the marker list is a valid automaton")
});

/// The longest marker less one byte: how much chunks overlap.
static OVERLAP: LazyLock<usize> =
    LazyLock::new(|| MARKERS.iter().map(|m| m.len()).max().unwrap_or(1) - 1);

/// Bytes lowercased per search, on the stack.
const CHUNK: usize = 16 * 1024;

/// True when the bytes contain at least one platform marker.
pub fn may_cite(bytes: &[u8]) -> bool {
    let Some(searcher) = PACKED.as_ref() else {
        return AUTOMATON.is_match(bytes);
    };
    // Chunks overlap by the longest marker less one byte, so a marker that
    // straddles two chunks is whole in one of them. Each chunk is searched
    // while it is in cache: the two-byte markers by their `@`, the others
    // by the packed searcher.
    // Short inputs (an `href`, a class) are most calls: a buffer their
    // size spares clearing 16 KiB each time.
    if bytes.len() <= SHORT_INPUT {
        return search(searcher, bytes, &mut [0u8; SHORT_INPUT]);
    }
    search(searcher, bytes, &mut [0u8; CHUNK])
}

/// Inputs up to this long are searched in a small buffer.
const SHORT_INPUT: usize = 512;

/// Search `bytes` chunk by chunk, each copied into `buf` and lowercased.
fn search<const N: usize>(searcher: &packed::Searcher, bytes: &[u8], buf: &mut [u8; N]) -> bool {
    let overlap = *OVERLAP;
    let size = N;
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + size).min(bytes.len());
        let source = &bytes[start..end];
        if short_marker(source) {
            return true;
        }
        // Copied and lowercased in one pass.
        let chunk = &mut buf[..end - start];
        for (to, from) in chunk.iter_mut().zip(source) {
            *to = from.to_ascii_lowercase();
        }
        if searcher.find(&*chunk).is_some() {
            return true;
        }
        if end == bytes.len() {
            break;
        }
        start = end - overlap;
    }
    false
}

/// `(@` or `/@` in `chunk`.
fn short_marker(chunk: &[u8]) -> bool {
    memchr::memchr_iter(b'@', chunk).any(|at| at > 0 && SHORT.contains(&chunk[at - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_pages_without_markers() {
        let page = b"<html><body><p>Nothing social here, only prose.</p></body></html>";
        assert!(!may_cite(page));
    }

    #[test]
    fn short_markers_are_found_by_their_at() {
        assert_eq!(SHORT.as_slice(), b"(/");
        for m in MARKERS.iter() {
            assert!(m.is_ascii() && !m.is_empty(), "{m:?}");
        }
    }

    #[test]
    fn markers_across_chunk_edges_are_found() {
        for m in MARKERS.iter() {
            for shift in [0, 1, m.len() / 2, m.len() - 1] {
                let mut page = vec![b'.'; CHUNK * 2];
                let at = CHUNK - shift;
                page[at..at + m.len()].copy_from_slice(m.to_ascii_uppercase().as_bytes());
                assert!(may_cite(&page), "{m} at {at}");
            }
        }
    }

    #[test]
    fn fast_path_agrees_with_the_automaton() {
        let samples: &[&[u8]] = &[
            b"plain prose only",
            b"<a href=https://YOUTU.be/x>",
            b"TwItTeR",
            b"x.co m/",
            b"tweeT",
            b"",
            b"\xff\xfe garbage \x00",
        ];
        for s in samples {
            assert_eq!(may_cite(s), AUTOMATON.is_match(s), "{s:?}");
        }
    }

    #[test]
    fn accepts_each_marker_in_any_case() {
        for m in MARKERS.iter() {
            let page = format!("<p>a {} b</p>", m.to_ascii_uppercase());
            assert!(may_cite(page.as_bytes()), "{m}");
        }
    }
}
