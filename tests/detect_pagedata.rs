//! Embeds that exist only in page data (Next.js, Nuxt, Apollo, JSON-LD,
//! React props): found in fields that name embeds, shape `page_data`,
//! never links, never from share, author or tracking fields. Pages written
//! for these tests.

use embarc::detect::{Citation, DocKind, Hints, Kind, Platform, detect};

fn html(page: &str) -> Vec<Citation> {
    detect(
        page.as_bytes(),
        &Hints {
            kind: Some(DocKind::Html),
            charset: None,
        },
    )
    .citations
}

fn found(page: &str) -> Vec<(Platform, Kind, &'static str, String)> {
    html(page)
        .into_iter()
        .map(|c| (c.platform, c.kind, c.shape, c.post_id.unwrap_or_default()))
        .collect()
}

#[test]
fn next_data_blocks_that_name_a_platform() {
    let page = r#"<!doctype html><html><head><title>Flut</title></head><body><div id="__next"><article><h1>Flut</h1><p>Text.</p></article></div>
<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"article":{
 "author":{"name":"A. Autor","twitter":"https://twitter.com/aautor","url":"https://twitter.com/aautor/status/1581661660728950784"},
 "shareUrl":"https://twitter.com/intent/tweet?url=https%3A%2F%2Fexample.org",
 "shareTweet":"https://twitter.com/paper/status/1225455484259442691",
 "blocks":[{"type":"paragraph","text":"Der Pegel stieg."},
  {"type":"twitter","url":"https://twitter.com/hwz_bayern/status/1404220535211443219?s=20"},
  {"__typename":"EmbedBlock","provider":"Instagram","html":"<blockquote class=\"instagram-media\" data-instgrm-permalink=\"https://www.instagram.com/p/CqXk3Lr0aB1/\"><p>A post shared by Stadt (@stadt)</p></blockquote>"},
  {"type":"link","url":"https://twitter.com/other/status/1721144944059118002"}]}}},"page":"/[slug]"}</script>
</body></html>"#;
    assert_eq!(
        found(page),
        [
            (
                Platform::X,
                Kind::Embed,
                "page_data",
                "1404220535211443219".into()
            ),
            (
                Platform::Instagram,
                Kind::Embed,
                "page_data",
                "CqXk3Lr0aB1".into()
            ),
        ]
    );
    let insta = html(page).into_iter().nth(1).unwrap();
    assert_eq!(insta.handle.as_deref(), Some("stadt"));
}

#[test]
fn apollo_state_with_tweet_ids_and_share_links() {
    let page = r#"<html><body><main><p>Artikel</p></main><script>window.__APOLLO_STATE__ = {"Article:42":{"__typename":"Article","shareLinks":{"x":"https://x.com/share?url=a"},"body":[{"__typename":"TweetEmbed","tweetId":"1404220535211443219"},{"__typename":"Paragraph","text":"x.com is a site"}]}};window.foo=1;</script></body></html>"#;
    assert_eq!(
        found(page),
        [(
            Platform::X,
            Kind::Embed,
            "page_data",
            "1404220535211443219".into()
        )]
    );
}

#[test]
fn nuxt_function_form_and_nuxt_data() {
    let page = r#"<html><body><div id="__nuxt"></div><script>window.__NUXT__=(function(a,b){return {data:[{story:{content:[{component:"social",embedUrl:"https:\u002F\u002Fwww.tiktok.com\u002F@kochstudio\u002Fvideo\u002F7301234567890123456",shareUrl:"https:\u002F\u002Ftwitter.com\u002Fb\u002Fstatus\u002F21"}]}}]}}(null,1));</script></body></html>"#;
    assert_eq!(
        found(page),
        [(
            Platform::TikTok,
            Kind::Embed,
            "page_data",
            "7301234567890123456".into()
        )]
    );
}

#[test]
fn json_ld_in_the_head_embed_url_and_shared_content() {
    let page = r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Flut","author":{"@type":"Person","sameAs":["https://twitter.com/aautor"],"url":"https://twitter.com/aautor/status/1581661660728950784"},
"video":{"@type":"VideoObject","name":"Pegel","embedUrl":"https://www.youtube.com/embed/K7yr8Sg44cA"},
"sharedContent":{"@type":"SocialMediaPosting","url":"https://bsky.app/profile/stadt.example/post/3kq2vxyzabc2a"}}</script></head>
<body><article><p>Text ohne Einbettung.</p></article></body></html>"#;
    // Keys of one object come in no set order.
    let mut got = found(page);
    got.sort_by(|a, b| a.3.cmp(&b.3));
    assert_eq!(
        got,
        [
            (
                Platform::YouTube,
                Kind::Embed,
                "page_data",
                "K7yr8Sg44cA".into()
            ),
            (
                Platform::Bluesky,
                Kind::Embed,
                "page_data",
                "at://stadt.example/app.bsky.feed.post/3kq2vxyzabc2a".into()
            ),
        ]
    );
}

#[test]
fn react_props_in_an_attribute() {
    let page = r#"<html><body><article><div data-component="SocialEmbed" data-props="{&quot;embed&quot;:{&quot;url&quot;:&quot;https://www.threads.net/@chef/post/C4aBcDeFgHi&quot;},&quot;author&quot;:{&quot;url&quot;:&quot;https://www.threads.net/@chef/post/C4zzzzzzzzz&quot;}}"></div></article></body></html>"#;
    assert_eq!(
        found(page),
        [(
            Platform::Threads,
            Kind::Embed,
            "page_data",
            "C4aBcDeFgHi".into()
        )]
    );
}

#[test]
fn what_the_markup_embeds_is_not_repeated_and_links_stay_links() {
    let page = r#"<html><body><article>
<blockquote class="twitter-tweet"><p lang="de">Pegel</p>&mdash; HWZ (@hwz_bayern) <a href="https://twitter.com/hwz_bayern/status/1404220535211443219">13. Juni 2021</a></blockquote>
<p>Siehe <a href="https://twitter.com/a/status/1721144944059118002">hier</a>.</p></article>
<script id="__NEXT_DATA__" type="application/json">{"props":{"blocks":[{"type":"tweet","url":"https://twitter.com/hwz_bayern/status/1404220535211443219"},{"embed":"https://twitter.com/a/status/1721144944059118002"}]}}</script></body></html>"#;
    assert_eq!(
        found(page),
        [
            (
                Platform::X,
                Kind::Embed,
                "blockquote",
                "1404220535211443219".into()
            ),
            (
                Platform::X,
                Kind::Link,
                "anchor",
                "1721144944059118002".into()
            ),
            (
                Platform::X,
                Kind::Embed,
                "page_data",
                "1721144944059118002".into()
            ),
        ]
    );
}

#[test]
fn deep_or_broken_blobs_are_bounded() {
    let deep = format!(
        r#"<html><body><script type="application/json">{}{{"embed":"https://twitter.com/a/status/20"}}{}</script></body></html>"#,
        r#"{"a":["#.repeat(400),
        "]}".repeat(400)
    );
    assert!(html(&deep).is_empty());
    let broken = r#"<html><body><script type="application/json">{"embed":"https://twitter.com/a/status/20",</script>
<script>window.__APOLLO_STATE__ = {"tweet": </script></body></html>"#;
    assert!(html(broken).is_empty());
}
