//! Property tests: the detectors never panic, whatever the bytes, and the
//! prefilter never rejects a page that has a citation.

use embarc::detect::{DocKind, Hints, detect, prefilter};
use proptest::prelude::*;

fn hints(kind: DocKind) -> Hints<'static> {
    Hints {
        kind: Some(kind),
        charset: None,
    }
}

/// Fragments that steer random documents into the detectors' paths.
const PIECES: &[&str] = &[
    "<blockquote class=\"twitter-tweet\">",
    "</blockquote>",
    "<p lang=\"en\">",
    "</p>",
    "&mdash;",
    "— ",
    " (@handle) ",
    "(@",
    "<a href=\"https://twitter.com/h/status/1225455484259442691\">",
    "<a href=\"https://x.com/i/status/",
    "</a>",
    "October 22, 2024",
    "16 мая 2018 г.",
    "<iframe data-tweet-id=\"",
    "<amp-twitter data-tweetid=\"123\">",
    "<div class=\"twitter-tweet-rendered\">",
    "<figure class=\"wp-block-embed-twitter\">",
    "[tweet ",
    "pic.twitter.com/abc",
    "\n",
    "> ",
    "<script>",
    "<style>",
    "<br>",
    "\u{1F1FA}\u{1F1E6}",
    "\u{200D}",
    "🚨 BREAKING:",
    "<",
    ">",
    "\"",
    "]",
    "(",
];

fn stitched() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(PIECES).prop_map(str::to_string),
            ".{0,12}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = detect(&bytes, &hints(DocKind::Html));
        let _ = detect(&bytes, &hints(DocKind::Text));
        let _ = detect(&bytes, &Hints { kind: None, charset: Some("shift_jis") });
    }

    #[test]
    fn arbitrary_html_never_panics(doc in stitched()) {
        let html = detect(doc.as_bytes(), &hints(DocKind::Html));
        let text = detect(doc.as_bytes(), &hints(DocKind::Text));
        // Whatever was found was found past the prefilter.
        if !html.citations.is_empty() || !text.citations.is_empty() {
            prop_assert!(prefilter::may_cite(doc.as_bytes()));
        }
        for c in html.citations.iter().chain(&text.citations) {
            if let Some(id) = &c.post_id {
                prop_assert!(!id.is_empty());
            }
        }
    }
}

/// Elements a hostile page might nest deeply (issue 13: 100,000 levels of
/// `<div>` or `<blockquote>`). The benchmark's set "h" times the deep ones;
/// here any depth and element must still find what sits at the bottom.
const NESTABLE: &[&str] = &[
    "div",
    "blockquote",
    "span",
    "section",
    "article",
    "figure",
    "li",
    "em",
    "b",
    "font",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn deep_nesting_of_any_element_keeps_the_link_at_the_bottom(
        tags in prop::collection::vec(prop::sample::select(NESTABLE), 1..4),
        depth in 1usize..1_500,
        copy_marker in any::<bool>(),
    ) {
        let mut doc = String::from("<html><body>");
        if copy_marker {
            // Makes detection gather the page text in a second walk too.
            doc.push_str("<p>Said (@someone) here</p>");
        }
        for i in 0..depth {
            doc.push_str(&format!("<{}>", tags[i % tags.len()]));
        }
        doc.push_str("<a href=\"https://x.com/a/status/1721144944059118002\">post</a>");
        for i in (0..depth).rev() {
            doc.push_str(&format!("</{}>", tags[i % tags.len()]));
        }
        let found = detect(doc.as_bytes(), &hints(DocKind::Html));
        let ids: Vec<_> = found.citations.iter().filter_map(|c| c.post_id.as_deref()).collect();
        prop_assert_eq!(ids, vec!["1721144944059118002"]);
    }

    #[test]
    fn every_tail_on_one_long_line_is_found(
        names in prop::collection::vec("[A-Z][a-z]{0,10}", 1..400),
        dash in prop::sample::select(vec!["—", "–", "―"]),
    ) {
        let mut line = String::new();
        for (i, name) in names.iter().enumerate() {
            line.push_str(&format!("Post number {i} {dash} {name} (@h{i}) March 1, 2024 "));
        }
        let found = detect(line.as_bytes(), &hints(DocKind::Text));
        let handles: Vec<_> = found.citations.iter().filter_map(|c| c.handle.clone()).collect();
        let want: Vec<_> = (0..names.len()).map(|i| format!("h{i}")).collect();
        prop_assert_eq!(handles, want);
    }
}

#[test]
fn deeply_nested_markup_does_not_overflow_the_stack() {
    let mut doc = String::from("<html><body>");
    for _ in 0..5_000 {
        doc.push_str("<div>");
    }
    doc.push_str("<blockquote class=\"twitter-tweet\"><a href=\"https://twitter.com/a/status/20\"></a></blockquote>");
    let found = detect(doc.as_bytes(), &hints(DocKind::Html));
    assert!(found.citations.len() <= 1);
}

#[test]
fn a_hundred_thousand_deep_tree_of_block_inline_or_table_elements_is_read_on_a_small_stack() {
    // Detection runs on tokio's blocking threads (2 MiB stacks): nothing in
    // it may recurse once per level of the tree.
    for tag in ["div", "span", "table"] {
        let mut doc = String::from("<html><body>");
        doc.push_str(&format!("<{tag}>").repeat(100_000));
        doc.push_str("<a href=\"https://x.com/a/status/1721144944059118002\">post</a>");
        doc.push_str(&format!("</{tag}>").repeat(100_000));
        let found = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || detect(doc.as_bytes(), &hints(DocKind::Html)).citations)
            .unwrap()
            .join()
            .unwrap_or_else(|_| panic!("100,000 <{tag}>"));
        let ids: Vec<_> = found.iter().filter_map(|c| c.post_id.as_deref()).collect();
        assert_eq!(ids, ["1721144944059118002"], "<{tag}>");
    }
}

#[test]
fn pages_without_markers_are_rejected_without_a_parse() {
    let d = detect(
        b"<html><body><p>Only prose here.</p></body></html>",
        &hints(DocKind::Html),
    );
    assert!(d.prefiltered);
    assert!(d.citations.is_empty());
}
