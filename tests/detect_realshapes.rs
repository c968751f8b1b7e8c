//! Embed shapes found missing in a held-out test on real pages nobody had
//! tuned for (issue 10): fixtures written here reproduce each class.

use embarc::detect::{Citation, DocKind, Hints, Kind, Platform, detect};

fn html(body: &str) -> Vec<Citation> {
    page_with_head("", body)
}

/// The citations of a whole HTML page.
fn detect_page(page: &str) -> Vec<Citation> {
    detect(
        page.as_bytes(),
        &Hints {
            kind: Some(DocKind::Html),
            charset: None,
        },
    )
    .citations
}

fn ids(found: &[Citation]) -> Vec<(Platform, Kind, String)> {
    found
        .iter()
        .map(|c| (c.platform, c.kind, c.post_id.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn lazy_iframes_whose_src_is_a_placeholder() {
    for src in [
        "https://news.example/wp-content/plugins/lazy/blank.gif",
        "./Saved_files/frame.html",
        "about:blank",
        "",
    ] {
        let found = html(&format!(
            "<iframe src=\"{src}\" data-lazy-src=\"https://www.youtube.com/embed/AbCdEfGhIjK\"></iframe>\
             <iframe src=\"{src}\" data-src=\"https://www.youtube-nocookie.com/embed/ZyXwVuTsRqP?rel=0\"></iframe>"
        ));
        assert_eq!(
            ids(&found),
            vec![
                (Platform::YouTube, Kind::Embed, "AbCdEfGhIjK".into()),
                (Platform::YouTube, Kind::Embed, "ZyXwVuTsRqP".into()),
            ],
            "src={src:?}"
        );
    }
    // After the loader ran (a saved page): both name the same frame, once.
    let found = html(
        "<iframe src=\"https://www.youtube.com/embed/AbCdEfGhIjK\" \
         data-lazy-src=\"https://www.youtube.com/embed/AbCdEfGhIjK\"></iframe>",
    );
    assert_eq!(found.len(), 1);
    // A lazy attribute that is not a URL does not hide a real src.
    let found = html(
        "<iframe src=\"https://www.youtube.com/embed/AbCdEfGhIjK\" data-src=\"true\"></iframe>",
    );
    assert_eq!(
        ids(&found),
        vec![(Platform::YouTube, Kind::Embed, "AbCdEfGhIjK".into())]
    );
}

#[test]
fn gutenberg_figures_of_the_x_provider() {
    for class in [
        "wp-block-embed is-type-rich is-provider-x wp-block-embed-x",
        "wp-block-embed is-provider-x",
        "wp-block-embed-x",
    ] {
        let found = html(&format!(
            "<figure class=\"{class}\"><div class=\"wp-block-embed__wrapper\">\n\
             https://twitter.com/example_user/status/1900000000000000001\n</div></figure>"
        ));
        assert_eq!(
            ids(&found),
            vec![(Platform::X, Kind::Embed, "1900000000000000001".into())],
            "{class}"
        );
    }
}

fn text(doc: &str) -> Vec<Citation> {
    detect(
        doc.as_bytes(),
        &Hints {
            kind: Some(DocKind::Text),
            charset: None,
        },
    )
    .citations
}

#[test]
fn embed_markup_kept_raw_in_a_markdown_source_is_read_as_an_embed() {
    let doc = "---\ntitle: A story\n---\n\n# A story\n\nThe minister wrote on Tuesday:\n\n\
<blockquote class=\"twitter-tweet\" data-lang=\"en\">\n\
<p lang=\"en\" dir=\"ltr\">We will publish the report in full.</p>\n\n\
&mdash; Jane Minister (@janeminister) <a href=\"https://twitter.com/janeminister/status/1404220535211443200?ref_src=twsrc%5Etfw\">June 13, 2021</a>\n\
</blockquote>\n<script async src=\"https://platform.twitter.com/widgets.js\" charset=\"utf-8\"></script>\n\n\
Critics answered in [a thread](https://bsky.app/profile/critic.example/post/3kabcdefghi2x) \
and at https://mastodon.social/@critic/111222333444555666.\n\n\
To embed a post yourself, paste its code:\n\n```html\n\
<blockquote class=\"twitter-tweet\" data-tweet-id=\"20\">…</blockquote>\n```\n";
    let found = text(doc);
    assert_eq!(
        ids(&found),
        vec![
            (Platform::X, Kind::Embed, "1404220535211443200".into()),
            (
                Platform::Bluesky,
                Kind::Link,
                "at://critic.example/app.bsky.feed.post/3kabcdefghi2x".into()
            ),
            (
                Platform::Mastodon,
                Kind::Link,
                "mastodon.social/111222333444555666".into()
            ),
        ],
        "{found:#?}"
    );
    let tweet = &found[0];
    assert_eq!(tweet.handle.as_deref(), Some("janeminister"));
    assert_eq!(tweet.author_name.as_deref(), Some("Jane Minister"));
    assert_eq!(
        tweet.text.as_deref(),
        Some("We will publish the report in full.")
    );
    assert_eq!(
        tweet.date.map(|d| d.to_string()).as_deref(),
        Some("2021-06-13")
    );
}

#[test]
fn iframes_and_other_platforms_embeds_in_markdown() {
    let doc = "Some prose.\n\n\
<iframe src=\"https://www.youtube.com/embed/AbCdEfGhIjK\" width=\"560\" height=\"315\"></iframe>\n\
More prose.\n\n\
<blockquote class=\"instagram-media\" data-instgrm-permalink=\"https://www.instagram.com/p/CxYzAbCdEfG/\">\n\
<div><a href=\"https://www.instagram.com/p/CxYzAbCdEfG/\">View this post</a></div>\n\
</blockquote>\n";
    let found = text(doc);
    assert_eq!(
        ids(&found),
        vec![
            (Platform::YouTube, Kind::Embed, "AbCdEfGhIjK".into()),
            (Platform::Instagram, Kind::Embed, "CxYzAbCdEfG".into()),
        ],
        "{found:#?}"
    );
}

/// A page with `head` metadata and `body` inside the article.
fn page_with_head(head: &str, body: &str) -> Vec<Citation> {
    detect_page(&format!(
        "<!doctype html><html><head><title>t</title>{head}</head><body><article><p>Text.</p>{body}</article></body></html>"
    ))
}

const NOSCRIPT_TWEET: &str = "<noscript><blockquote class=\"twitter-tweet\"><p lang=\"en\" dir=\"ltr\">The bridge reopens at noon.</p>&mdash; Harbour Desk (@harbourdesk) <a href=\"https://twitter.com/harbourdesk/status/1712345678901234567?ref_src=twsrc%5Etfw\">October 12, 2023</a></blockquote></noscript>";

#[test]
fn embeds_kept_only_as_a_noscript_fallback_are_embeds() {
    // Lazy-loading boxes in several styles: a script fills the box, the
    // embed's markup waits in <noscript>.
    for wrapper in [
        "<div class=\"lazy-embed\" data-provider=\"twitter\">{}</div>",
        "<figure class=\"embed embed--social\"><div class=\"embed__placeholder\"></div>{}</figure>",
        "<div class=\"rll-youtube-player\"></div>{}",
        "<section class=\"c-social\"><div data-component=\"LazyLoad\">{}</div></section>",
    ] {
        let found = html(&wrapper.replace("{}", NOSCRIPT_TWEET));
        assert_eq!(
            ids(&found),
            vec![(Platform::X, Kind::Embed, "1712345678901234567".into())],
            "{wrapper}"
        );
        let c = &found[0];
        assert_eq!(c.shape, "noscript");
        assert_eq!(c.handle.as_deref(), Some("harbourdesk"));
        assert_eq!(c.author_name.as_deref(), Some("Harbour Desk"));
        assert_eq!(c.text.as_deref(), Some("The bridge reopens at noon."));
    }
    // Other platforms' fallbacks: an Instagram blockquote, a player frame.
    let found = html(
        "<div class=\"lazy\"><noscript><blockquote class=\"instagram-media\" \
         data-instgrm-permalink=\"https://www.instagram.com/p/CxYzAbCdEfG/\"></blockquote></noscript></div>\
         <div class=\"lazy\"><noscript><iframe src=\"https://www.youtube.com/embed/AbCdEfGhIjK\"></iframe></noscript></div>",
    );
    assert_eq!(
        ids(&found),
        vec![
            (Platform::Instagram, Kind::Embed, "CxYzAbCdEfG".into()),
            (Platform::YouTube, Kind::Embed, "AbCdEfGhIjK".into()),
        ]
    );
}

#[test]
fn a_noscript_fallback_of_an_embed_the_page_shows_is_not_a_second_citation() {
    // The live embed beside its fallback (a saved page after the script ran).
    let live = "<blockquote class=\"twitter-tweet\"><p>The bridge reopens at noon.</p>&mdash; Harbour Desk (@harbourdesk) <a href=\"https://twitter.com/harbourdesk/status/1712345678901234567\">October 12, 2023</a></blockquote>";
    for body in [
        format!("{live}{NOSCRIPT_TWEET}"),
        format!(
            "<div class=\"tweet-box\" data-tweet-id=\"1712345678901234567\"></div>{NOSCRIPT_TWEET}"
        ),
    ] {
        let found = html(&body);
        assert_eq!(
            ids(&found),
            vec![(Platform::X, Kind::Embed, "1712345678901234567".into())],
            "{body}"
        );
        assert_ne!(found[0].shape, "noscript", "{body}");
    }
    // Markup in a fallback is not copied text either (its `(@handle)` and
    // status link are markup, not prose).
    assert_eq!(html(NOSCRIPT_TWEET).len(), 1);
}

#[test]
fn the_pages_own_player_in_a_noscript_fallback_is_not_a_citation() {
    for meta in [
        "<meta property=\"og:video\" content=\"https://www.youtube.com/embed/AbCdEfGhIjK\">",
        "<meta property=\"og:video:secure_url\" content=\"https://www.youtube.com/watch?v=AbCdEfGhIjK\">",
        "<meta name=\"twitter:player\" content=\"https://www.youtube.com/embed/AbCdEfGhIjK?autoplay=1\">",
    ] {
        let found = page_with_head(
            meta,
            "<div class=\"player\"><noscript><iframe src=\"https://www.youtube.com/embed/AbCdEfGhIjK\"></iframe></noscript></div>",
        );
        assert!(found.is_empty(), "{meta}: {found:#?}");
    }
    // Another video in a fallback on the same page still counts.
    let found = page_with_head(
        "<meta property=\"og:video\" content=\"https://www.youtube.com/embed/AbCdEfGhIjK\">",
        "<div><noscript><iframe src=\"https://www.youtube.com/embed/ZyXwVuTsRqP\"></iframe></noscript></div>",
    );
    assert_eq!(
        ids(&found),
        vec![(Platform::YouTube, Kind::Embed, "ZyXwVuTsRqP".into())]
    );
}

#[test]
fn noscript_fallbacks_in_reader_sections_and_links_in_them_are_not_citations() {
    let found = html(&format!(
        "<section class=\"comments\"><div class=\"comment\">{NOSCRIPT_TWEET}</div></section>\
         <div class=\"lazy\"><noscript><a href=\"https://twitter.com/harbourdesk/status/1712345678901234999\">a tweet</a></noscript></div>\
         <noscript><img src=\"https://www.facebook.com/tr?id=1234&amp;ev=PageView\"></noscript>"
    ));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn embed_service_wrappers_name_the_post_in_their_attributes() {
    // Iframely: the embedded page in `data-embedded-url`, an inner frame of
    // the service's own with no post in it.
    let found = html(
        "<div class=\"article__embed article__embed--iframely\" data-iframely-id=\"aB3\" \
         data-embedded-url=\"https://twitter.com/harbourdesk/status/1712345678901234567?s=20\">\
         <div data-iframely-smart-iframe=\"true\"><iframe data-iframely-url=\"//cdn.iframe.example/api/iframe?url=x\"></iframe></div></div>\
         <div class=\"oembed-block\" data-oembed-url=\"https://www.instagram.com/p/CxYzAbCdEfG/\"></div>",
    );
    assert_eq!(
        ids(&found),
        vec![
            (Platform::X, Kind::Embed, "1712345678901234567".into()),
            (Platform::Instagram, Kind::Embed, "CxYzAbCdEfG".into()),
        ]
    );
    assert!(found.iter().all(|c| c.shape == "wrapper"), "{found:#?}");
    // After the script ran, the live embed inside is read instead.
    let found = html(
        "<div data-embedded-url=\"https://twitter.com/harbourdesk/status/1712345678901234567\">\
         <blockquote class=\"twitter-tweet\"><p>The bridge reopens at noon.</p>&mdash; Harbour Desk (@harbourdesk) \
         <a href=\"https://twitter.com/harbourdesk/status/1712345678901234567\">October 12, 2023</a></blockquote></div>",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].shape, "blockquote");
}

#[test]
fn blocks_keeping_the_embed_markup_escaped_in_an_attribute() {
    // A site builder's video block: the block's JSON (with the player's
    // markup) on the block, the markup again on the inner wrapper.
    let found = html(
        "<div class=\"sqs-block video-block sqs-block-video\" data-block-type=\"32\" \
         data-block-json=\"{&quot;html&quot;:&quot;&lt;iframe src=\\&quot;//www.youtube.com/embed/AbCdEfGhIjK?wmode=opaque\\&quot; width=\\&quot;854\\&quot;&gt;&lt;/iframe&gt;&quot;,&quot;url&quot;:&quot;https://www.youtube.com/watch?v=AbCdEfGhIjK&quot;,&quot;providerName&quot;:&quot;YouTube&quot;}\">\
         <div class=\"sqs-block-content\"><div class=\"intrinsic\"><div class=\"sqs-video-wrapper\" \
         data-html=\"&lt;iframe src=&quot;//www.youtube.com/embed/AbCdEfGhIjK?wmode=opaque&quot;&gt;&lt;/iframe&gt;\"></div></div></div></div>",
    );
    assert_eq!(
        ids(&found),
        vec![(Platform::YouTube, Kind::Embed, "AbCdEfGhIjK".into())]
    );
    // The same attribute as a switch (a tooltip's `data-html="true"`).
    let found = html(
        "<p><span data-toggle=\"tooltip\" data-html=\"true\" title=\"&lt;b&gt;x&lt;/b&gt;\">?</span> \
         <a href=\"https://www.youtube.com/@harbourtv\">channel</a></p>",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn sidebars_navigation_bars_and_dialogs_named_by_role_are_not_the_article() {
    let feed = "<ul><li><a href=\"https://www.instagram.com/p/CaAaAaAaAaA/\"><img src=\"a.jpg\"></a></li>\
                <li><a href=\"https://www.instagram.com/p/CbBbBbBbBbB/\"><img src=\"b.jpg\"></a></li></ul>";
    let found = html(&format!(
        "<div id=\"col3\" role=\"complementary\"><div class=\"r28\">{feed}\
         <iframe src=\"https://www.youtube.com/embed/AbCdEfGhIjK\"></iframe></div></div>\
         <div class=\"navbar\"><div class=\"instagram-images\">{feed}</div></div>\
         <div class=\"modal fade\" role=\"dialog\"><div class=\"modal-body\">\
         <iframe data-src=\"https://www.youtube.com/embed/ZyXwVuTsRqP\"></iframe></div></div>"
    ));
    assert!(found.is_empty(), "{found:#?}");
    // A lightbox inside the article body is the article's.
    let found = html(
        "<div class=\"entry-content\"><p>Watch:</p><div class=\"lightbox\" role=\"dialog\">\
         <iframe src=\"https://www.youtube.com/embed/AbCdEfGhIjK\"></iframe></div></div>",
    );
    assert_eq!(
        ids(&found),
        vec![(Platform::YouTube, Kind::Embed, "AbCdEfGhIjK".into())]
    );
}

#[test]
fn article_bodies_kept_as_serialized_dom_in_page_data() {
    // An Apollo cache holding the article as DOM nodes (htmlparser2 style):
    // the player is an iframe node whose platform is its subtype; the
    // related articles' bodies beside it are other articles. The body's
    // key carries the query's arguments, whose words do not count.
    let state = r#"{"Article:1":{"headline":"Floods","body({\"customContents\":[{\"type\":\"share-tracker\"},{\"type\":\"related-widget\"}]})":[{"type":"p","children":[{"type":"text","data":"Watch:"}]},{"type":"div","attribs":{"class":"video-wrapper"},"children":[{"type":"iframe","subtype":"youtube","attribs":{"data-youtube-id":"AbCdEfGhIjK","src":"//www.youtube.com/embed/AbCdEfGhIjK"}}]}],"moreOnThisArticles":[{"body":[{"type":"iframe","subtype":"youtube","attribs":{"src":"//www.youtube.com/embed/ZyXwVuTsRqP"}}]}]},"$ROOT_QUERY.content({\"id\":1}).moreOnThisArticles.0":{"body({\"format\":\"json\"})":[{"type":"iframe","subtype":"youtube","attribs":{"src":"//www.youtube.com/embed/MnBvCxZlKjH"}}],"relatedStories":[{"body":[{"name":"iframe","attribs":{"src":"https://www.youtube.com/embed/QwErTyUiOpA"}}]}]}}"#;
    let page = format!(
        "<!doctype html><html><head><title>t</title></head><body><div id=\"root\"></div>\
         <script>window.__APOLLO_STATE__={state};</script></body></html>"
    );
    let found = detect_page(&page);
    assert_eq!(
        ids(&found),
        vec![(Platform::YouTube, Kind::Embed, "AbCdEfGhIjK".into())]
    );
    assert_eq!(found[0].shape, "page_data");
}
