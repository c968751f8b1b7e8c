//! The streaming pass against the whole-document walk (issue 17): the same
//! citations on every page, and the pass really reads the ordinary ones
//! itself (a pass that always fell back would agree trivially).
//!
//! Debug builds also compare both paths inside every `detect` call, so every
//! fixture of the other detection tests checks the pass as well.

use embarc::detect::html::{detect_html, detect_html_dom, streams};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

fn agree(page: &str) {
    assert_eq!(
        detect_html(page),
        detect_html_dom(page),
        "the paths disagree on:\n{page}"
    );
}

const TWEET: &str = r#"<blockquote class="twitter-tweet"><p lang="en">Smoke over the bridge</p>&mdash; City Desk (@citydesk) <a href="https://twitter.com/citydesk/status/1404220535211443200">June 13, 2021</a></blockquote>"#;
const LINK: &str = r#"<a href="https://x.com/reporter/status/1588000000000000000">a post</a>"#;
const INSTAGRAM: &str = r#"<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/CxYz123AbC/"><a href="https://www.instagram.com/p/CxYz123AbC/">View</a></blockquote>"#;
const YOUTUBE: &str =
    r#"<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" width="560"></iframe>"#;
const JSON_LD: &str = r#"<script type="application/ld+json">{"@type":"SocialMediaPosting","url":"https://twitter.com/a/status/1404220535211443201"}</script>"#;

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>News</title><meta charset=utf-8>\
         <script>var a = 1 < 2;</script></head><body>{body}</body></html>"
    )
}

/// Layouts a page of each kind of CMS has, each with embeds in the body and
/// in the places the walk skips. The pass reads them all itself.
#[test]
fn ordinary_layouts_stream_and_agree() {
    let layouts = [
        // WordPress: entry content, comments area, related posts.
        format!(
            r#"<div id="page"><nav class="menu"><a href="/">Home</a>{LINK}</nav>
            <main><article class="post"><div class="entry-content"><p>Text {LINK}</p>{TWEET}
            <figure class="wp-block-embed-twitter">{TWEET}</figure></div></article>
            <div id="comments" class="comments-area"><ol class="commentlist"><li>{LINK}</li></ol></div>
            <div class="jp-relatedposts">{TWEET}</div></main></div>"#
        ),
        // A section that holds the article after all (layout wrapper).
        format!(
            r#"<div class="content-sidebar-wrap"><main>{TWEET}</main><aside class="sidebar">{LINK}</aside></div>"#
        ),
        // Table layout, as newsletters and old sites have it.
        format!(
            r#"<table><tr><td><p>Intro</p></td></tr><tr><td>{TWEET}<table><tr><td>{LINK}</td></tr></table></td></tr></table><p>after {LINK}</p>"#
        ),
        // Unclosed paragraphs and list items, blocks inside paragraphs.
        format!(r#"<p>One<p>Two {LINK}<blockquote>{TWEET}</blockquote><ul><li>a<li>{LINK}</ul>"#),
        // Icons in SVG, forms, page data in the head and the body.
        format!(
            r#"<svg viewBox="0 0 1 1"><path d="M0"/><a href="https://x.com/a/status/1"></a></svg>
            <form action="/s"><input name=q></form>{INSTAGRAM}{YOUTUBE}{JSON_LD}
            <div data-props='{{"url":"https://twitter.com/a/status/1404220535211443202"}}'></div>"#
        ),
        // Scripts whose text looks like markup, comments that do.
        format!(
            r#"<script>document.write("<div class='twitter-tweet'>");</script>
            <script><!-- var s = "</div>"; --></script><!-- {TWEET} -->{TWEET}"#
        ),
        // Lazy embeds with their markup in <noscript>, one repeating a
        // live embed, one alone; a tracking pixel's.
        format!(
            r#"<div class="lazy">{TWEET}<noscript>{TWEET}</noscript></div>
            <div class="lazy"><noscript>{INSTAGRAM}</noscript></div>
            <noscript><img src="https://www.facebook.com/tr?id=1"></noscript>"#
        ),
    ];
    for (i, body) in layouts.iter().enumerate() {
        let page = page(body);
        agree(&page);
        assert!(streams(&page), "layout {i} fell back to the whole walk");
        assert!(!detect_html(&page).is_empty(), "layout {i} found nothing");
    }
    // JSON-LD in the head is read by the pass too.
    let head = format!("<html><head>{JSON_LD}</head><body><p>x</p></body></html>");
    agree(&head);
    assert!(streams(&head));
    assert_eq!(detect_html(&head).len(), 1);
}

/// Pages the pass hands to the whole walk: the result is still right.
#[test]
fn pages_the_pass_cannot_follow_fall_back() {
    let cases = [
        // A copied post outside any embed: the text gathering needs the tree.
        format!("<p>Alice (@alice) said so. {LINK}</p>"),
        // The same, written with a character reference.
        format!("<p>Alice &#40;@alice) said so. {LINK}</p>"),
        // A link to a post left open: the tree builder reopens it later.
        r#"<p><a href="https://x.com/a/status/1404220535211443200">one</p><p>two</p>"#.to_string(),
        // A formatting element closed inside an embed it wraps.
        r#"<b><blockquote class="twitter-tweet"><p>Smoke</b> rises</p>&mdash; Desk (@desk) <a href="https://twitter.com/desk/status/1404220535211443200">June 13, 2021</a></blockquote>"#.to_string(),
        // A form closed around open elements.
        format!("<form><div>{LINK}</form>{TWEET}</div>"),
        // A template in the head.
        format!("<head><template><script>{JSON_LD}</script></template></head>{TWEET}"),
    ];
    for (i, page) in cases.iter().enumerate() {
        agree(page);
        assert!(!streams(page), "case {i} should take the whole walk");
    }
}

/// Where the tree builder puts things, the pass must agree with it.
#[test]
fn tree_builder_rules_are_followed() {
    let cases = [
        // Escaped script text: `</script>` inside `<!-- <script>` does not
        // end the script, so the tweet inside is script text, not markup.
        format!("<script><!-- <script> {TWEET} </script> --></script>{LINK}"),
        format!("<script><!-- x </script>{TWEET}"),
        // SVG content is left by HTML tags.
        format!("<svg><g><div>{TWEET}</div></g></svg>"),
        format!("<svg><foreignObject>{TWEET}</foreignObject></svg>"),
        // Foster parenting: an embed straight in a table.
        format!("<table>{TWEET}<tr><td>{LINK}</td></tr></table>"),
        // An embed in a reader section inside an article body counts.
        format!(r#"<div class="entry-content"><div class="comments">{TWEET}</div></div>"#),
        // A section's verdict waits for what follows the embed.
        format!(r#"<div class="related">{TWEET}<main>story</main></div>"#),
        format!(r#"<div class="related">{TWEET}<article class="card">x</article></div>"#),
        // Entities in class values, CJK references in text.
        format!(r#"<div class="tw&#101;et-box">{TWEET}</div><p>&#x5B9A;&#x5b9a;</p>"#),
        // A formatting element closed around a finished embed.
        format!("<b><div>{TWEET}</b></div>"),
        // `</p>` and `</br>` leave foreign content.
        format!("<svg><path/></p>{LINK}{TWEET}"),
        // Unknown end tags stop at special elements.
        format!("<span><div>{TWEET}</span>{LINK}</div>"),
        // Headings close headings; `<li>` closes `<li>` across a `<div>`.
        format!("<h2>a<h3>{LINK}</h3><ul><li><div>{TWEET}<li>{LINK}</ul>"),
        // Raw text elements.
        format!("<textarea>{TWEET}</textarea><title>{LINK}</title><noscript>{TWEET}</noscript>"),
        // Selects hold any content (html5ever 0.40); a new one closes it.
        format!("<select><option>x{TWEET}<select>{LINK}</select>"),
        format!(r#"<main><div class="comments"><select><option></main>{TWEET}"#),
        // Duplicate attributes: the first counts.
        r#"<a href="https://x.com/a/status/1404220535211443200" href="/other">x</a>"#.to_string(),
        // Unclosed at the end of input.
        format!(
            "<div>{LINK}<blockquote class=\"twitter-tweet\"><p>t</p><a href=\"https://twitter.com/a/status/1404220535211443200\">d"
        ),
        // An attribute value that never ends.
        format!("{TWEET}<div class=\"x"),
    ];
    for page in &cases {
        agree(page);
        agree(&self::page(page));
    }
}

/// Pieces of pages in the shapes real pages have, well formed or not.
const PIECES: &[&str] = &[
    TWEET,
    LINK,
    INSTAGRAM,
    YOUTUBE,
    JSON_LD,
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<a href=\"/local\">",
    "</a>",
    "<ul><li>",
    "<li>",
    "</ul>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<td>",
    "<div class=\"comments\">",
    "<section id=\"related-posts\">",
    "<div class=\"entry-content\">",
    "<main>",
    "</main>",
    "<article>",
    "</article>",
    "<nav>",
    "</nav>",
    "<svg><path/>",
    "</svg>",
    "<form>",
    "</form>",
    "<select><option>",
    "</select>",
    "<template>",
    "</template>",
    "<noscript>",
    "</noscript>",
    "<noscript><blockquote class=\"twitter-tweet\">&mdash; A (@a) <a href=\"https://twitter.com/a/status/1404220535211443209\">d</a></blockquote></noscript>",
    "<script>var x = '<div>';</script>",
    "<script><!--",
    "-->",
    "</script>",
    "<!-- c -->",
    "<h2>",
    "</h2>",
    "<span>",
    "</span>",
    "<em>",
    "</em>",
    " text ",
    "(@",
    "&amp;",
    "<br>",
    "<img src=x alt=\"tw profile: X\">",
];

fn assembled() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn generated_pages_agree(body in assembled()) {
        let with_head = page(&body);
        for p in [&body, &with_head] {
            prop_assert_eq!(detect_html(p), detect_html_dom(p), "page:\n{}", p);
        }
    }
}

/// Most generated pages are read by the pass itself: the property above
/// compares the two paths, not the whole walk with itself.
#[test]
fn generated_pages_mostly_stream() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = assembled();
    let (mut total, mut streamed) = (0, 0);
    for _ in 0..300 {
        let body = strategy
            .new_tree(&mut runner)
            .expect("a page is generated")
            .current();
        total += 1;
        streamed += usize::from(streams(&page(&body)));
    }
    assert!(
        streamed * 2 > total,
        "only {streamed} of {total} generated pages streamed"
    );
}

/// An embed-service attribute on a link inside another embed, reached
/// through a broken attribute value (`href="<blockquote class="`): found
/// by the pass as by the walk (a case proptest found).
#[test]
fn a_wrapper_inside_an_embed_behind_a_broken_attribute_agrees() {
    agree(concat!(
        r#"<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc/app.bsky.feed.post/3lbrko3c3s222">"#,
        r#"<a href="<blockquote class="mastodon-embed" data-embed-url="https://a.example/@u/113543671971844242/embed">"#,
        r#"<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc/app.bsky.feed.post/3lbrko3c3s222"></blockquote></blockquote> "#,
    ));
}
