//! A byte-level test that rejects pages citing no post before any parse.
//!
//! Every detector starts from one of these markers (a host name, a widget
//! class, or the `(@` of a copied tail), so a page without any of them cannot
//! yield a citation. Matching is ASCII case-insensitive.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::LazyLock;

/// The markers. Keep in step with the detectors: a detector that can fire
/// without one of these is a bug (a test in `tests/` checks each fixture).
pub const MARKERS: &[&str] = &[
    // X / Twitter: hosts, widget classes, AMP, shortcodes, mirrors.
    "twitter",
    "x.com/",
    "tweet",
    "fixupx",
    "fixvx",
    "nitter",
    // A copied tail: `— Name (@handle) Date`.
    "(@",
    // Other platforms.
    "bsky",
    "bluesky",
    "mastodon",
    "/@",
    "/statuses/",
    "threads.",
    "text-post-media",
    "instagr",
    "facebook",
    "fb.com",
    "fb.watch",
    "fb-post",
    "fb-video",
    "tiktok",
    "reddit",
    "redd.it",
    "t.me/",
    "telegram",
    "youtu",
];

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(MARKERS)
        .expect("the marker list is a valid automaton")
});

/// True when the bytes contain at least one platform marker.
pub fn may_cite(bytes: &[u8]) -> bool {
    MATCHER.is_match(bytes)
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
    fn accepts_each_marker_in_any_case() {
        for m in MARKERS {
            let page = format!("<p>a {} b</p>", m.to_ascii_uppercase());
            assert!(may_cite(page.as_bytes()), "{m}");
        }
    }
}
