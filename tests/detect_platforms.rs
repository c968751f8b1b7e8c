//! Embed shapes of Bluesky, Mastodon, Threads, Instagram, Facebook, TikTok,
//! Reddit, Telegram and YouTube (docs/platforms.md §2–5), plain links to their
//! posts, pages that only mention them, and non-post embeds, on small pages
//! written for these tests. Names, handles, ids and texts are invented.

use embarc::detect::{Citation, DocKind, Hints, Kind, Platform, detect, html, prefilter};
use proptest::prelude::*;

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

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>t</title></head><body><article>\
         <p>The council met on Tuesday.</p>{body}<p>More reporting follows.</p>\
         </article></body></html>"
    )
}

fn found(body: &str) -> Vec<Citation> {
    detect_page(&page(body))
}

#[track_caller]
fn only(body: &str) -> Citation {
    let found = found(body);
    assert_eq!(found.len(), 1, "expected one citation, got {found:#?}");
    found.into_iter().next().unwrap()
}

fn warning_kinds(c: &Citation) -> Vec<&'static str> {
    c.warnings.iter().map(|w| w.kind).collect()
}

fn rfc3339(ms: i64) -> String {
    embarc::detect::dates::ms_to_rfc3339(ms).unwrap()
}

// ---------------------------------------------------------------------------
// Fixtures. Every fixture that yields a citation is listed in `POSITIVE`
// so the prefilter test can check that it carries a marker.

const DID: &str = "did:plc:riverdesk7q2xw4kz3m5n6p";

/// Bluesky publish blockquote: AT-URI with a DID, CID, handle in a link.
const BSKY_BLOCKQUOTE: &str = r#"<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:riverdesk7q2xw4kz3m5n6p/app.bsky.feed.post/3lbrko3c3s222" data-bluesky-cid="bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5zc6wgcqdy3lmvy" data-bluesky-embed-color-mode="system"><p lang="en">BREAKING: The river bridge is closed to all traffic until further notice.</p>&mdash; River Desk (<a href="https://bsky.app/profile/did:plc:riverdesk7q2xw4kz3m5n6p?ref_src=embed">@riverdesk.bsky.social</a>) <a href="https://bsky.app/profile/did:plc:riverdesk7q2xw4kz3m5n6p/post/3lbrko3c3s222?ref_src=embed">November 25, 2024 at 12:49 PM</a></blockquote><script async src="https://embed.bsky.app/static/embed.js" charset="utf-8"></script>"#;

/// Newer Bluesky markup: name and handle in one link, an ISO date, and a
/// hand-made `bsky.app` URL naming the post by handle.
const BSKY_ONE_LINK: &str = r#"<blockquote class="bluesky-embed" data-bluesky-uri="https://bsky.app/profile/Lake.Watch.example/post/3l25zusnsfctk" data-bluesky-cid="bafyreiaaaa"><p>Water levels are back to normal at the north gauge.</p>&mdash; <a href="https://bsky.app/profile/did:plc:lakewatch2b3c4d5e6f7g8h9?ref_src=embed">Lake Watch (@lake.watch.example)</a> <a href="https://bsky.app/profile/did:plc:lakewatch2b3c4d5e6f7g8h9/post/3l25zusnsfctk?ref_src=embed">2024-08-20T16:31:35.793Z</a></blockquote>"#;

/// A hand-made Bluesky blockquote without `data-bluesky-uri`.
const BSKY_NO_URI: &str = r#"<blockquote class="bluesky-embed"><p>Polls close at eight.</p>&mdash; Vote Desk (@votedesk.bsky.social) <a href="https://bsky.app/profile/votedesk.bsky.social/post/3lbrko3c3s222">November 25, 2024 at 12:49 PM</a></blockquote>"#;

/// The iframe Bluesky's script renders.
const BSKY_IFRAME: &str = r#"<iframe data-bluesky-id="7361" src="https://embed.bsky.app/embed/did:plc:riverdesk7q2xw4kz3m5n6p/app.bsky.feed.post/3lbrko3c3s222?id=7361" width="100%" frameborder="0" scrolling="no"></iframe>"#;

/// Mastodon up to 4.2: the iframe and the instance's script.
const MASTODON_IFRAME: &str = r#"<iframe src="https://social.example.org/@newsroom/113543671971844242/embed" class="mastodon-embed" style="max-width: 100%; border: 0" width="400" allowfullscreen="allowfullscreen"></iframe><script src="https://social.example.org/embed.js" async="async"></script>"#;

/// A Mastodon iframe without the class, lazily loaded, on another instance.
const MASTODON_LAZY_IFRAME: &str = r#"<iframe data-src="https://toot.example.net/@harbour/113543671971844242/embed" width="400"></iframe>"#;

/// Mastodon 4.3 and later: the blockquote and its "Post by" fallback.
const MASTODON_BLOCKQUOTE: &str = r#"<blockquote class="mastodon-embed" data-embed-url="https://social.example.org/@newsroom/113543671971844242/embed" style="background: #FCF8FF; border-radius: 8px;"> <a href="https://social.example.org/@newsroom/113543671971844242" target="_blank"> <svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 79 75"><path d="M63 45.3v-20" fill="currentColor"/></svg> <div style="margin-top: 16px;">Post by @newsroom@social.example.org</div> <div style="font-weight: 500;">View on Mastodon</div> </a> </blockquote> <script data-allowed-prefixes="https://social.example.org/" async src="https://social.example.org/embed.js"></script>"#;

/// A Mastodon blockquote whose fallback copies the post with a tail.
const MASTODON_COPIED: &str = r#"<blockquote class="mastodon-embed" data-embed-url="https://social.example.org/@newsroom/113543671971844242/embed"><p>Ferry service resumes at noon.</p>&mdash; Newsroom (@newsroom@social.example.org) <a href="https://social.example.org/@newsroom/113543671971844242">November 25, 2024</a></blockquote>"#;

/// Threads on threads.net, with the permalink attribute.
const THREADS_NET: &str = r#"<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.net/@city.hall/post/DCa1B2c3D4e" data-text-post-version="0" id="ig-tp-DCa1B2c3D4e" style="background:#FFF; border-radius: 16px;"> <a href="https://www.threads.net/@city.hall/post/DCa1B2c3D4e" style="text-decoration:none;" target="_blank"> <div style="padding: 40px;"><svg aria-label="Threads" height="32px" viewBox="0 0 192 192" width="32px"><path d="M141.5 88.9"></path></svg><div style="font-size: 15px;">Post by @city.hall</div><div>View on Threads</div></div></a></blockquote><script async src="https://www.threads.net/embed.js"></script>"#;

/// Threads on threads.com, with only the link inside.
const THREADS_COM: &str = r#"<blockquote class="text-post-media" data-text-post-version="0"><a href="https://www.threads.com/@city.hall/post/DCa1B2c3D4e?xmt=AQGzAbC" target="_blank">View on Threads</a></blockquote><script async src="https://www.threads.com/embed.js"></script>"#;

/// Instagram version 14, without caption: only "A post shared by".
const INSTAGRAM_V14: &str = r#"<blockquote class="instagram-media" data-instgrm-captioned data-instgrm-permalink="https://www.instagram.com/p/DAbCdEfGhIj/?utm_source=ig_embed&amp;utm_campaign=loading" data-instgrm-version="14" style=" background:#FFF; border:0;"><div style="padding:16px;"> <a href="https://www.instagram.com/p/DAbCdEfGhIj/?utm_source=ig_embed&amp;utm_campaign=loading" target="_blank"> <div style="display: flex;"><div style="background-color: #F4F4F4; border-radius: 50%;"></div></div><div style="padding-top: 8px;"> <div style="color:#3897f0;">View this post on Instagram</div></div></a><p style=" color:#c9c8cd; margin-bottom:0;"><a href="https://www.instagram.com/p/DAbCdEfGhIj/?utm_source=ig_embed&amp;utm_campaign=loading" target="_blank">A post shared by Harbour Bakery 🥐 | Since 1990 (@harbour_bakery)</a></p></div></blockquote><script async src="//www.instagram.com/embed.js"></script>"#;

/// An older captioned Instagram blockquote with a linked name and a time.
const INSTAGRAM_CAPTIONED: &str = r#"<blockquote class="instagram-media" data-instgrm-captioned data-instgrm-version="7" style="background:#FFF;"><div style="padding:8px;"><div style="background:#F8F8F8;"></div><p style="margin:8px 0 0 0;"><a href="https://www.instagram.com/p/BQ7xYzAbCdE/" target="_blank">Opening night at the new library! #books</a></p><p style="color:#c9c8cd;">A post shared by <a href="https://www.instagram.com/city.library/" target="_blank">City Library</a> (@city.library) on <time style="font-family:Arial;" datetime="2017-02-17T19:11:02+00:00">Feb 17, 2017 at 11:11am PST</time></p></div></blockquote>"#;

/// The rendered Instagram iframe.
const INSTAGRAM_IFRAME: &str = r#"<iframe class="instagram-media instagram-media-rendered" id="instagram-embed-0" src="https://www.instagram.com/p/DAbCdEfGhIj/embed/captioned/?cr=1&amp;v=14&amp;wp=540" allowtransparency="true" frameborder="0" height="760" data-instgrm-payload-id="instagram-media-payload-0" scrolling="no"></iframe>"#;

/// A Verge-style page: an Instagram iframe inside a `twitter-tweet-rendered` wrapper.
const VERGE_WRAPPER: &str = r#"<div class="twitter-tweet-rendered" style="display: flex; max-width: 550px;"><iframe class="instagram-media instagram-media-rendered" id="instagram-embed-3" src="https://www.instagram.com/p/DAbCdEfGhIj/embed/captioned/?cr=1&amp;v=14" frameborder="0" scrolling="no"></iframe></div>"#;

/// AMP Instagram.
const INSTAGRAM_AMP: &str = r#"<amp-instagram data-shortcode="DAbCdEfGhIj" data-captioned width="400" height="400" layout="responsive"></amp-instagram>"#;

/// Facebook `fb-post` with its fallback blockquote.
const FB_POST: &str = r#"<div id="fb-root"></div><script async defer crossorigin="anonymous" src="https://connect.facebook.net/en_US/sdk.js#xfbml=1&amp;version=v18.0"></script><div class="fb-post" data-href="https://www.facebook.com/CityTransit/posts/712345678901234/" data-width="500" data-show-text="true"><blockquote cite="https://www.facebook.com/CityTransit/posts/712345678901234/" class="fb-xfbml-parse-ignore"><p>Urgent: line 4 is suspended between the depot and the harbour&#8230;</p>Posted by <a href="https://www.facebook.com/CityTransit">City Transit</a> on&nbsp;<a href="https://www.facebook.com/CityTransit/posts/712345678901234/">Monday, February 7, 2022</a></blockquote></div>"#;

/// Facebook `fb-video`: title link, description, date as plain text.
const FB_VIDEO: &str = r#"<div class="fb-video" data-href="https://www.facebook.com/CityTransit/videos/1098765432101234/" data-width="500" data-show-text="false"><blockquote cite="https://www.facebook.com/CityTransit/videos/1098765432101234/" class="fb-xfbml-parse-ignore"><a href="https://www.facebook.com/CityTransit/videos/1098765432101234/">The new trams</a><p>A first ride on the new trams.</p>Posted by <a href="https://www.facebook.com/CityTransit/">City Transit</a> on Friday, December 5, 2014</blockquote></div>"#;

/// Facebook `fb-post` with no fallback.
const FB_STUB: &str = r#"<div class="fb-post" data-href="https://www.facebook.com/permalink.php?story_fbid=445566778899&amp;id=100012345678901" data-width="500"></div>"#;

/// Facebook plugin iframes: a post and a video.
const FB_IFRAMES: &str = r#"<iframe src="https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FCityTransit%2Fposts%2F712345678901234&amp;show_text=true&amp;width=500" width="500" height="600" style="border:none;overflow:hidden" scrolling="no" frameborder="0" allowfullscreen="true"></iframe><iframe src="https://www.facebook.com/plugins/video.php?height=314&amp;href=https%3A%2F%2Fwww.facebook.com%2FCityTransit%2Fvideos%2F1098765432101234%2F&amp;show_text=false" width="560" height="314"></iframe>"#;

/// The Facebook fallback blockquote without its div.
const FB_BARE_FALLBACK: &str = r#"<blockquote cite="https://www.facebook.com/CityTransit/posts/712345678901234/" class="fb-xfbml-parse-ignore"><p>Line 4 is running again.</p>Posted by <a href="https://www.facebook.com/CityTransit">City Transit</a> on <a href="https://www.facebook.com/CityTransit/posts/712345678901234/">Tuesday, February 8, 2022</a></blockquote>"#;

/// AMP Facebook.
const FB_AMP: &str = r#"<amp-facebook width="552" height="310" layout="responsive" data-href="https://www.facebook.com/CityTransit/posts/712345678901234"></amp-facebook>"#;

/// TikTok blockquote with its `<section>`.
const TIKTOK_BLOCKQUOTE: &str = r#"<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@harbour.cat/video/7441234567890123456" data-video-id="7441234567890123456" style="max-width: 605px;min-width: 325px;"> <section> <a target="_blank" title="@harbour.cat" href="https://www.tiktok.com/@harbour.cat?refer=embed">@harbour.cat</a> JUST IN: the harbour cat has a new hat <a title="cats" target="_blank" href="https://www.tiktok.com/tag/cats?refer=embed">#cats</a> <a target="_blank" title="♬ original sound - harbour.cat" href="https://www.tiktok.com/music/original-sound-7441234567890000000?refer=embed">♬ original sound - harbour.cat</a> </section> </blockquote> <script async src="https://www.tiktok.com/embed.js"></script>"#;

/// TikTok blockquote citing a short link, with the id in `data-video-id`.
const TIKTOK_SHORT_CITE: &str = r#"<blockquote class="tiktok-embed" cite="https://vm.tiktok.com/ZMabc123/" data-video-id="7441234567890123456"><section></section></blockquote>"#;

/// TikTok player iframes.
const TIKTOK_IFRAMES: &str = r#"<iframe src="https://www.tiktok.com/embed/v2/7441234567890123456?lang=en-US" allowfullscreen></iframe><iframe src="https://www.tiktok.com/player/v1/7441234567890123457?music_info=1&amp;description=1" allow="fullscreen"></iframe>"#;

/// Reddit post embed.
const REDDIT_POST: &str = r#"<blockquote class="reddit-embed-bq" style="height:500px" data-embed-height="546"><a href="https://www.reddit.com/r/harbourtown/comments/1gz9abc/the_ferry_is_back/">The ferry is back!</a><br> by <a href="https://www.reddit.com/user/ferry_fan/">u/ferry_fan</a> in <a href="https://www.reddit.com/r/harbourtown/">harbourtown</a></blockquote><script async src="https://embed.reddit.com/widgets.js" charset="UTF-8"></script>"#;

/// Reddit comment embed.
const REDDIT_COMMENT: &str = r#"<blockquote class="reddit-embed-bq" data-embed-parent="false"><a href="https://www.reddit.com/r/harbourtown/comments/1gz9abc/comment/lyx7def/">Comment</a><br> by <a href="https://www.reddit.com/user/old_sailor/">u/old_sailor</a> from discussion <a href="https://www.reddit.com/r/harbourtown/comments/1gz9abc/the_ferry_is_back/">The ferry is back!</a><br> in <a href="https://www.reddit.com/r/harbourtown/">harbourtown</a></blockquote>"#;

/// The legacy Reddit card.
const REDDIT_CARD: &str = r#"<blockquote class="reddit-card" data-card-created="1600000000"><a href="https://www.reddit.com/r/harbourtown/comments/iqz1xy/storm_photos/?ref=share&amp;ref_source=embed">Storm photos</a> from <a href="http://www.reddit.com/r/harbourtown">r/harbourtown</a></blockquote><script async src="//embed.redditmedia.com/widgets/platform.js" charset="UTF-8"></script>"#;

/// The Telegram widget script.
const TELEGRAM_SCRIPT: &str = r#"<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="harbour_news/4821" data-width="100%"></script>"#;

/// The iframe the Telegram widget renders.
const TELEGRAM_IFRAME: &str = r#"<iframe id="telegram-post-harbour_news-4822" src="https://t.me/harbour_news/4822?embed=1&amp;userpic=true" width="100%" height="" frameborder="0" scrolling="no" style="overflow: hidden; border: none;"></iframe>"#;

/// YouTube iframes: protocol-relative, privacy host, lazy-loaded.
const YOUTUBE_IFRAMES: &str = r#"<iframe width="460" height="259" src="//www.youtube.com/embed/Ab3dE6gH9jK" frameborder="0" allowfullscreen></iframe><iframe src="https://www.youtube-nocookie.com/embed/Zy_-xW9vU8t?start=30" allowfullscreen></iframe><iframe src="about:blank" data-src="https://www.youtube.com/embed/Qw3rTy7uI0p?rel=0" class="lazyload"></iframe>"#;

/// AMP YouTube.
const YOUTUBE_AMP: &str = r#"<amp-youtube data-videoid="Ab3dE6gH9jK" layout="responsive" width="480" height="270"></amp-youtube>"#;

/// WordPress YouTube figure with a bare URL (saved content).
const YOUTUBE_GUTENBERG: &str = r#"<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube wp-embed-aspect-16-9 wp-has-aspect-ratio"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=Ab3dE6gH9jK
</div><figcaption>The council meeting, in full.</figcaption></figure>"#;

/// WordPress YouTube figure holding the rendered iframe.
const YOUTUBE_GUTENBERG_IFRAME: &str = r#"<figure class="wp-block-embed-youtube wp-block-embed is-type-video is-provider-youtube"><div class="wp-block-embed__wrapper"><iframe title="Council meeting" width="500" height="281" src="https://www.youtube.com/embed/Ab3dE6gH9jK?feature=oembed" frameborder="0" allowfullscreen></iframe></div></figure>"#;

/// Plain links to a post of every platform, in article text.
const LINKS: &str = r#"<p>As <a href="https://bsky.app/profile/riverdesk.bsky.social/post/3lbrko3c3s222">River Desk posted</a>,
the bridge is shut; the <a href="https://social.example.org/@newsroom/113543671971844242">newsroom</a>,
<a href="https://www.threads.net/@city.hall/post/DCa1B2c3D4e">city hall</a>,
<a href="https://www.instagram.com/reel/DAbCdEfGhIj/?igsh=MWx0">a bakery</a>,
<a href="https://m.facebook.com/CityTransit/posts/712345678901234?ref=embed_post">the transit agency</a>,
<a href="https://www.tiktok.com/@harbour.cat/video/7441234567890123456?is_from_webapp=1">a cat</a>,
<a href="https://old.reddit.com/r/harbourtown/comments/1gz9abc/the_ferry_is_back/">a forum</a>,
<a href="https://t.me/s/harbour_news/4821">a channel post</a> and
<a href="https://youtu.be/Ab3dE6gH9jK?si=AbCdEf">a video</a> agree.</p>"#;

/// Short links that only a redirect could resolve.
const SHORT_LINKS: &str = r#"<p>Watch <a href="https://vm.tiktok.com/ZMabc123/">this clip</a>, <a href="https://fb.watch/aBc1-2_xY/">this video</a> and <a href="https://www.reddit.com/r/harbourtown/s/AbC123xYz">this thread</a>.</p>"#;

/// A Mastodon link whose only prefilter marker is `/statuses/`.
const MASTODON_STATUSES_LINK: &str = r#"<p>The <a href="https://harbour.example/users/pilot/statuses/113543671971844242">pilot wrote</a> so.</p>"#;

const POSITIVE: &[&str] = &[
    BSKY_BLOCKQUOTE,
    BSKY_ONE_LINK,
    BSKY_NO_URI,
    BSKY_IFRAME,
    MASTODON_IFRAME,
    MASTODON_LAZY_IFRAME,
    MASTODON_BLOCKQUOTE,
    MASTODON_COPIED,
    THREADS_NET,
    THREADS_COM,
    INSTAGRAM_V14,
    INSTAGRAM_CAPTIONED,
    INSTAGRAM_IFRAME,
    VERGE_WRAPPER,
    INSTAGRAM_AMP,
    FB_POST,
    FB_VIDEO,
    FB_STUB,
    FB_IFRAMES,
    FB_BARE_FALLBACK,
    FB_AMP,
    TIKTOK_BLOCKQUOTE,
    TIKTOK_SHORT_CITE,
    TIKTOK_IFRAMES,
    REDDIT_POST,
    REDDIT_COMMENT,
    REDDIT_CARD,
    TELEGRAM_SCRIPT,
    TELEGRAM_IFRAME,
    YOUTUBE_IFRAMES,
    YOUTUBE_AMP,
    YOUTUBE_GUTENBERG,
    YOUTUBE_GUTENBERG_IFRAME,
    LINKS,
    SHORT_LINKS,
    MASTODON_STATUSES_LINK,
];

// ---------------------------------------------------------------------------
// Bluesky

#[test]
fn bluesky_blockquote_with_an_at_uri() {
    let c = only(BSKY_BLOCKQUOTE);
    assert_eq!(c.platform, Platform::Bluesky);
    assert_eq!(c.kind, Kind::Embed);
    assert_eq!(c.shape, "blockquote");
    assert_eq!(
        c.post_id.as_deref(),
        Some("at://did:plc:riverdesk7q2xw4kz3m5n6p/app.bsky.feed.post/3lbrko3c3s222")
    );
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://bsky.app/profile/did:plc:riverdesk7q2xw4kz3m5n6p/post/3lbrko3c3s222")
    );
    assert_eq!(
        c.cid.as_deref(),
        Some("bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5zc6wgcqdy3lmvy")
    );
    assert_eq!(c.handle.as_deref(), Some("riverdesk.bsky.social"));
    assert_eq!(c.author_name.as_deref(), Some("River Desk"));
    assert_eq!(
        c.text.as_deref(),
        Some("BREAKING: The river bridge is closed to all traffic until further notice.")
    );
    assert_eq!(c.lang.as_deref(), Some("en"));
    assert_eq!(
        c.display_date.as_deref(),
        Some("November 25, 2024 at 12:49 PM")
    );
    // The record key is a TID: the exact time comes from it.
    assert_eq!(rfc3339(c.posted_at_ms.unwrap()), "2024-11-25T12:49:00.000Z");
    assert_eq!(c.date.unwrap().to_string(), "2024-11-25");
    assert_eq!(c.labels, ["BREAKING"]);
    assert!(c.media.is_empty());
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn bluesky_blockquote_named_by_handle_keeps_the_did_it_shows() {
    let c = only(BSKY_ONE_LINK);
    // The URL named the post by handle; the profile link shows the DID.
    assert_eq!(
        c.post_id.as_deref(),
        Some("at://did:plc:lakewatch2b3c4d5e6f7g8h9/app.bsky.feed.post/3l25zusnsfctk")
    );
    assert_eq!(c.url_handle.as_deref(), Some("lake.watch.example"));
    assert_eq!(
        c.source_url.as_deref(),
        Some("https://bsky.app/profile/Lake.Watch.example/post/3l25zusnsfctk")
    );
    assert_eq!(c.handle.as_deref(), Some("lake.watch.example"));
    assert_eq!(c.author_name.as_deref(), Some("Lake Watch"));
    assert_eq!(
        c.text.as_deref(),
        Some("Water levels are back to normal at the north gauge.")
    );
    assert_eq!(c.display_date.as_deref(), Some("2024-08-20T16:31:35.793Z"));
    assert_eq!(rfc3339(c.posted_at_ms.unwrap()), "2024-08-20T16:31:35.793Z");
    assert_eq!(c.cid.as_deref(), Some("bafyreiaaaa"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn bluesky_blockquote_without_uri_uses_the_post_link() {
    let c = only(BSKY_NO_URI);
    assert_eq!(
        c.post_id.as_deref(),
        Some("at://votedesk.bsky.social/app.bsky.feed.post/3lbrko3c3s222")
    );
    assert_eq!(c.handle.as_deref(), Some("votedesk.bsky.social"));
    assert_eq!(c.text.as_deref(), Some("Polls close at eight."));
    assert_eq!(c.cid, None);
}

#[test]
fn bluesky_rendered_iframe() {
    let c = only(BSKY_IFRAME);
    assert_eq!(c.platform, Platform::Bluesky);
    assert_eq!(c.shape, "iframe");
    assert_eq!(
        c.post_id,
        Some(format!("at://{DID}/app.bsky.feed.post/3lbrko3c3s222"))
    );
    assert_eq!(c.date.unwrap().to_string(), "2024-11-25");
}

#[test]
fn bluesky_consistency_warnings() {
    // The tail names another account than the URL, and the shown date is
    // far from the TID's.
    let forged = BSKY_NO_URI
        .replace("(@votedesk.bsky.social)", "(@mallory.bsky.social)")
        .replace("November 25, 2024", "March 1, 2024");
    let c = only(&forged);
    assert_eq!(warning_kinds(&c), ["date_mismatch", "handle_mismatch"]);
    // Handles differing only in case are the same handle.
    let cased = BSKY_NO_URI.replace("(@votedesk.bsky.social)", "(@VoteDesk.bsky.social)");
    assert!(only(&cased).warnings.is_empty());
}

// ---------------------------------------------------------------------------
// Mastodon

#[test]
fn mastodon_iframe_generation() {
    let c = only(MASTODON_IFRAME);
    assert_eq!(c.platform, Platform::Mastodon);
    assert_eq!(c.shape, "iframe");
    assert_eq!(
        c.post_id.as_deref(),
        Some("social.example.org/113543671971844242")
    );
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://social.example.org/@newsroom/113543671971844242")
    );
    assert_eq!(c.url_handle.as_deref(), Some("newsroom@social.example.org"));
    // id >> 16 is the time in ms.
    assert_eq!(rfc3339(c.posted_at_ms.unwrap()), "2024-11-25T12:49:00.000Z");
}

#[test]
fn mastodon_iframe_without_the_class_on_any_instance() {
    let c = only(MASTODON_LAZY_IFRAME);
    assert_eq!(c.platform, Platform::Mastodon);
    assert_eq!(
        c.post_id.as_deref(),
        Some("toot.example.net/113543671971844242")
    );
    // An iframe of some other site ending in /embed is not a post.
    assert!(found(r#"<iframe src="https://maps.example.com/area/embed"></iframe>"#).is_empty());
}

#[test]
fn mastodon_blockquote_generation() {
    let c = only(MASTODON_BLOCKQUOTE);
    assert_eq!(c.platform, Platform::Mastodon);
    assert_eq!(c.shape, "blockquote");
    assert_eq!(
        c.post_id.as_deref(),
        Some("social.example.org/113543671971844242")
    );
    assert_eq!(c.handle.as_deref(), Some("newsroom@social.example.org"));
    assert_eq!(c.text, None);
    assert_eq!(c.date.unwrap().to_string(), "2024-11-25");
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn mastodon_blockquote_with_a_copied_post() {
    let c = only(MASTODON_COPIED);
    assert_eq!(c.text.as_deref(), Some("Ferry service resumes at noon."));
    assert_eq!(c.author_name.as_deref(), Some("Newsroom"));
    assert_eq!(c.handle.as_deref(), Some("newsroom@social.example.org"));
    assert_eq!(c.display_date.as_deref(), Some("November 25, 2024"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    // A local handle compares with the URL's user@instance form; another
    // account or a far date is flagged.
    let local = MASTODON_COPIED.replace("(@newsroom@social.example.org)", "(@newsroom)");
    assert!(only(&local).warnings.is_empty());
    let forged = MASTODON_COPIED
        .replace("(@newsroom@social.example.org)", "(@mallory@evil.example)")
        .replace("November 25, 2024", "June 2, 2023");
    assert_eq!(
        warning_kinds(&only(&forged)),
        ["date_mismatch", "handle_mismatch"]
    );
}

// ---------------------------------------------------------------------------
// Threads

#[test]
fn threads_blockquotes_on_both_hosts() {
    for fixture in [THREADS_NET, THREADS_COM] {
        let c = only(fixture);
        assert_eq!(c.platform, Platform::Threads);
        assert_eq!(c.kind, Kind::Embed);
        assert_eq!(c.post_id.as_deref(), Some("DCa1B2c3D4e"));
        assert_eq!(
            c.post_url.as_deref(),
            Some("https://www.threads.net/@city.hall/post/DCa1B2c3D4e")
        );
        assert_eq!(c.url_handle.as_deref(), Some("city.hall"));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }
    assert_eq!(only(THREADS_NET).handle.as_deref(), Some("city.hall"));
    assert_eq!(only(THREADS_COM).handle, None);
}

// ---------------------------------------------------------------------------
// Instagram

#[test]
fn instagram_blockquote_shared_by_line() {
    let c = only(INSTAGRAM_V14);
    assert_eq!(c.platform, Platform::Instagram);
    assert_eq!(c.shape, "blockquote");
    assert_eq!(c.post_id.as_deref(), Some("DAbCdEfGhIj"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://www.instagram.com/p/DAbCdEfGhIj/")
    );
    assert_eq!(c.handle.as_deref(), Some("harbour_bakery"));
    assert_eq!(
        c.author_name.as_deref(),
        Some("Harbour Bakery 🥐 | Since 1990")
    );
    // "View this post on Instagram" is the widget's, not the caption.
    assert_eq!(c.text, None);
    assert_eq!(c.date, None);
}

#[test]
fn instagram_captioned_blockquote_with_time() {
    let c = only(INSTAGRAM_CAPTIONED);
    assert_eq!(c.post_id.as_deref(), Some("BQ7xYzAbCdE"));
    assert_eq!(
        c.text.as_deref(),
        Some("Opening night at the new library! #books")
    );
    assert_eq!(c.author_name.as_deref(), Some("City Library"));
    assert_eq!(c.handle.as_deref(), Some("city.library"));
    assert_eq!(
        c.display_date.as_deref(),
        Some("Feb 17, 2017 at 11:11am PST")
    );
    assert_eq!(rfc3339(c.posted_at_ms.unwrap()), "2017-02-17T19:11:02.000Z");
    assert_eq!(c.date.unwrap().to_string(), "2017-02-17");
    // In another language only the handle is sure; the name is the profile link.
    let german = INSTAGRAM_CAPTIONED
        .replace("A post shared by", "Ein Beitrag geteilt von")
        .replace(" on <time", " am <time");
    let c = only(&german);
    assert_eq!(c.handle.as_deref(), Some("city.library"));
    assert_eq!(c.author_name.as_deref(), Some("City Library"));
}

#[test]
fn instagram_rendered_iframe_and_amp() {
    for (fixture, shape) in [(INSTAGRAM_IFRAME, "iframe"), (INSTAGRAM_AMP, "amp")] {
        let c = only(fixture);
        assert_eq!(c.platform, Platform::Instagram);
        assert_eq!(c.shape, shape);
        assert_eq!(c.post_id.as_deref(), Some("DAbCdEfGhIj"));
    }
}

#[test]
fn verge_style_instagram_inside_a_twitter_wrapper() {
    // The wrapper's class says Twitter; the inner URL says Instagram.
    let c = only(VERGE_WRAPPER);
    assert_eq!(c.platform, Platform::Instagram);
    assert_eq!(c.kind, Kind::Embed);
    assert_eq!(c.shape, "iframe");
    assert_eq!(c.post_id.as_deref(), Some("DAbCdEfGhIj"));
}

// ---------------------------------------------------------------------------
// Facebook

#[test]
fn facebook_post_with_fallback() {
    let c = only(FB_POST);
    assert_eq!(c.platform, Platform::Facebook);
    assert_eq!(c.shape, "blockquote");
    assert_eq!(c.post_id.as_deref(), Some("712345678901234"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://www.facebook.com/CityTransit/posts/712345678901234")
    );
    assert_eq!(
        c.text.as_deref(),
        Some("Urgent: line 4 is suspended between the depot and the harbour…")
    );
    assert_eq!(c.author_name.as_deref(), Some("City Transit"));
    assert_eq!(c.handle, None);
    assert_eq!(c.url_handle.as_deref(), Some("CityTransit"));
    assert_eq!(c.display_date.as_deref(), Some("Monday, February 7, 2022"));
    assert_eq!(c.date.unwrap().to_string(), "2022-02-07");
    assert_eq!(c.labels, ["URGENT"]);
}

#[test]
fn facebook_video_with_fallback() {
    let c = only(FB_VIDEO);
    assert_eq!(c.post_id.as_deref(), Some("1098765432101234"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://www.facebook.com/CityTransit/videos/1098765432101234")
    );
    assert_eq!(
        c.text.as_deref(),
        Some("The new trams\nA first ride on the new trams.")
    );
    assert_eq!(c.author_name.as_deref(), Some("City Transit"));
    assert_eq!(c.display_date.as_deref(), Some("Friday, December 5, 2014"));
    assert_eq!(c.date.unwrap().to_string(), "2014-12-05");
}

#[test]
fn facebook_stub_bare_fallback_iframes_and_amp() {
    let stub = only(FB_STUB);
    assert_eq!(stub.shape, "stub");
    assert_eq!(stub.post_id.as_deref(), Some("445566778899"));

    let bare = only(FB_BARE_FALLBACK);
    assert_eq!(bare.post_id.as_deref(), Some("712345678901234"));
    assert_eq!(bare.text.as_deref(), Some("Line 4 is running again."));
    assert_eq!(bare.date.unwrap().to_string(), "2022-02-08");

    let frames = found(FB_IFRAMES);
    let ids: Vec<_> = frames
        .iter()
        .map(|c| (c.platform, c.shape, c.post_id.as_deref().unwrap()))
        .collect();
    assert_eq!(
        ids,
        [
            (Platform::Facebook, "iframe", "712345678901234"),
            (Platform::Facebook, "iframe", "1098765432101234")
        ]
    );

    let amp = only(FB_AMP);
    assert_eq!(
        (amp.shape, amp.post_id.as_deref()),
        ("amp", Some("712345678901234"))
    );
}

// ---------------------------------------------------------------------------
// TikTok

#[test]
fn tiktok_blockquote_with_section() {
    let c = only(TIKTOK_BLOCKQUOTE);
    assert_eq!(c.platform, Platform::TikTok);
    assert_eq!(c.shape, "blockquote");
    assert_eq!(c.post_id.as_deref(), Some("7441234567890123456"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://www.tiktok.com/@harbour.cat/video/7441234567890123456")
    );
    assert_eq!(c.handle.as_deref(), Some("harbour.cat"));
    assert_eq!(
        c.text.as_deref(),
        Some("JUST IN: the harbour cat has a new hat #cats")
    );
    assert_eq!(c.labels, ["JUST IN"]);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    // The section names another account than the cite URL.
    let forged = TIKTOK_BLOCKQUOTE
        .replace(">@harbour.cat<", ">@mallory<")
        .replace("/@harbour.cat?refer", "/@mallory?refer");
    assert_eq!(warning_kinds(&only(&forged)), ["handle_mismatch"]);
}

#[test]
fn tiktok_short_cite_falls_back_to_the_video_id() {
    let c = only(TIKTOK_SHORT_CITE);
    assert_eq!(c.post_id.as_deref(), Some("7441234567890123456"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn tiktok_player_iframes() {
    let ids: Vec<_> = found(TIKTOK_IFRAMES)
        .into_iter()
        .map(|c| (c.platform, c.shape, c.post_id.unwrap()))
        .collect();
    assert_eq!(
        ids,
        [
            (
                Platform::TikTok,
                "iframe",
                "7441234567890123456".to_string()
            ),
            (
                Platform::TikTok,
                "iframe",
                "7441234567890123457".to_string()
            )
        ]
    );
}

// ---------------------------------------------------------------------------
// Reddit

#[test]
fn reddit_post_embed() {
    let c = only(REDDIT_POST);
    assert_eq!(c.platform, Platform::Reddit);
    assert_eq!(c.shape, "blockquote");
    assert_eq!(c.post_id.as_deref(), Some("1gz9abc"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://www.reddit.com/r/harbourtown/comments/1gz9abc/")
    );
    assert_eq!(c.text.as_deref(), Some("The ferry is back!"));
    assert_eq!(c.handle.as_deref(), Some("ferry_fan"));
}

#[test]
fn reddit_comment_embed() {
    let c = only(REDDIT_COMMENT);
    assert_eq!(c.post_id.as_deref(), Some("1gz9abc/lyx7def"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://www.reddit.com/r/harbourtown/comments/1gz9abc/comment/lyx7def/")
    );
    // The comment's text is not in the markup; the title is the thread's.
    assert_eq!(c.text, None);
    assert_eq!(c.handle.as_deref(), Some("old_sailor"));
}

#[test]
fn reddit_legacy_card_iframe_and_amp() {
    let card = only(REDDIT_CARD);
    assert_eq!(card.post_id.as_deref(), Some("iqz1xy"));
    assert_eq!(card.text.as_deref(), Some("Storm photos"));
    let frame = only(
        r#"<iframe src="https://embed.reddit.com/r/harbourtown/comments/1gz9abc/the_ferry_is_back/?embed=true&amp;theme=dark" sandbox="allow-scripts allow-same-origin"></iframe>"#,
    );
    assert_eq!(
        (frame.shape, frame.post_id.as_deref()),
        ("iframe", Some("1gz9abc"))
    );
    let amp = only(
        r#"<amp-reddit layout="responsive" width="300" height="400" data-embedtype="post" data-src="https://www.reddit.com/r/harbourtown/comments/1gz9abc/the_ferry_is_back/"></amp-reddit>"#,
    );
    assert_eq!(
        (amp.shape, amp.post_id.as_deref()),
        ("amp", Some("1gz9abc"))
    );
}

// ---------------------------------------------------------------------------
// Telegram

#[test]
fn telegram_widget_script_and_iframe() {
    let c = only(TELEGRAM_SCRIPT);
    assert_eq!(c.platform, Platform::Telegram);
    assert_eq!(c.kind, Kind::Embed);
    assert_eq!(c.shape, "script");
    assert_eq!(c.post_id.as_deref(), Some("harbour_news/4821"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://t.me/harbour_news/4821")
    );
    assert_eq!(c.url_handle.as_deref(), Some("harbour_news"));

    let c = only(TELEGRAM_IFRAME);
    assert_eq!(
        (c.shape, c.post_id.as_deref()),
        ("iframe", Some("harbour_news/4822"))
    );
}

// ---------------------------------------------------------------------------
// YouTube

#[test]
fn youtube_iframes_on_both_hosts_and_lazy() {
    let got: Vec<_> = found(YOUTUBE_IFRAMES)
        .into_iter()
        .map(|c| (c.platform, c.kind, c.shape, c.post_id.unwrap()))
        .collect();
    let want: Vec<_> = ["Ab3dE6gH9jK", "Zy_-xW9vU8t", "Qw3rTy7uI0p"]
        .into_iter()
        .map(|id| (Platform::YouTube, Kind::Embed, "iframe", id.to_string()))
        .collect();
    assert_eq!(got, want);
    let c = &found(YOUTUBE_IFRAMES)[0];
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://www.youtube.com/watch?v=Ab3dE6gH9jK")
    );
    assert_eq!(
        c.source_url.as_deref(),
        Some("//www.youtube.com/embed/Ab3dE6gH9jK")
    );
}

#[test]
fn youtube_amp_and_wordpress_figures() {
    let amp = only(YOUTUBE_AMP);
    assert_eq!(
        (amp.shape, amp.post_id.as_deref()),
        ("amp", Some("Ab3dE6gH9jK"))
    );
    let saved = only(YOUTUBE_GUTENBERG);
    assert_eq!(
        (saved.platform, saved.shape, saved.post_id.as_deref()),
        (Platform::YouTube, "gutenberg", Some("Ab3dE6gH9jK"))
    );
    // A figure holding the rendered iframe is one citation, of the iframe.
    let rendered = only(YOUTUBE_GUTENBERG_IFRAME);
    assert_eq!(rendered.shape, "iframe");
}

// ---------------------------------------------------------------------------
// Links, short links, mixed pages

#[test]
fn plain_links_to_every_platform_are_link_citations() {
    let got: Vec<_> = found(LINKS)
        .into_iter()
        .map(|c| {
            assert_eq!(c.kind, Kind::Link);
            assert_eq!(c.shape, "anchor");
            (c.platform, c.post_id.unwrap())
        })
        .collect();
    let want = [
        (
            Platform::Bluesky,
            "at://riverdesk.bsky.social/app.bsky.feed.post/3lbrko3c3s222",
        ),
        (Platform::Mastodon, "social.example.org/113543671971844242"),
        (Platform::Threads, "DCa1B2c3D4e"),
        (Platform::Instagram, "DAbCdEfGhIj"),
        (Platform::Facebook, "712345678901234"),
        (Platform::TikTok, "7441234567890123456"),
        (Platform::Reddit, "1gz9abc"),
        (Platform::Telegram, "harbour_news/4821"),
        (Platform::YouTube, "Ab3dE6gH9jK"),
    ]
    .map(|(p, id)| (p, id.to_string()));
    assert_eq!(got, want);
}

#[test]
fn links_inside_embeds_are_part_of_the_embed() {
    for fixture in [
        BSKY_BLOCKQUOTE,
        MASTODON_BLOCKQUOTE,
        THREADS_NET,
        INSTAGRAM_V14,
        FB_POST,
        TIKTOK_BLOCKQUOTE,
        REDDIT_COMMENT,
    ] {
        let got = found(fixture);
        assert!(
            got.iter().all(|c| c.kind == Kind::Embed) && got.len() == 1,
            "{got:#?}"
        );
    }
}

#[test]
fn short_links_stay_links_with_a_warning() {
    let got = found(SHORT_LINKS);
    let shown: Vec<_> = got
        .iter()
        .map(|c| {
            (
                c.platform,
                c.kind,
                c.post_id.clone(),
                c.post_url.clone().unwrap(),
                warning_kinds(c),
            )
        })
        .collect();
    let link = |p, url: &str| {
        (
            p,
            Kind::Link,
            None,
            url.to_string(),
            vec!["unresolved_short_link"],
        )
    };
    assert_eq!(
        shown,
        [
            link(Platform::TikTok, "https://vm.tiktok.com/ZMabc123/"),
            link(Platform::Facebook, "https://fb.watch/aBc1-2_xY/"),
            link(
                Platform::Reddit,
                "https://www.reddit.com/r/harbourtown/s/AbC123xYz"
            ),
        ]
    );
}

#[test]
fn malformed_post_urls_in_embeds_yield_nothing() {
    for body in [
        r#"<blockquote class="bluesky-embed" data-bluesky-uri="at://not a did/app.bsky.feed.post/x"><p>text</p></blockquote>"#,
        r#"<iframe src="https://www.youtube.com/embed/short" ></iframe>"#,
        r#"<iframe src="https://www.youtube.com/embed/%%%%%%%%%%%"></iframe>"#,
        r#"<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@x/video/notanumber" data-video-id="12ab"><section>x</section></blockquote>"#,
        r#"<script src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="harbour_news/not-a-number"></script>"#,
        r#"<amp-youtube data-videoid=""></amp-youtube>"#,
        r#"<amp-instagram data-shortcode="a/b"></amp-instagram>"#,
        r#"<div class="fb-post" data-href="javascript:alert(1)"></div>"#,
    ] {
        assert!(found(body).is_empty(), "{body}: {:#?}", found(body));
    }
}

#[test]
fn a_page_mixing_platforms() {
    let body = [
        "<p>Officials spoke first.</p>",
        BSKY_BLOCKQUOTE,
        "<p>Then the newsroom posted.</p>",
        MASTODON_BLOCKQUOTE,
        VERGE_WRAPPER,
        r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Bridge update soon.</p>&mdash; Road Desk (@roaddesk) <a href="https://twitter.com/roaddesk/status/1861012345678901234?ref_src=twsrc%5Etfw">November 25, 2024</a></blockquote>"#,
        FB_POST,
        TIKTOK_BLOCKQUOTE,
        REDDIT_POST,
        TELEGRAM_SCRIPT,
        YOUTUBE_IFRAMES,
        THREADS_NET,
        r#"<p>See also <a href="https://t.me/harbour_news/4900">the channel's update</a>.</p>"#,
    ]
    .concat();
    let got: Vec<_> = found(&body)
        .into_iter()
        .map(|c| (c.platform, c.kind))
        .collect();
    use Kind::{Embed, Link};
    use Platform::*;
    assert_eq!(
        got,
        [
            (Bluesky, Embed),
            (Mastodon, Embed),
            (Instagram, Embed),
            (X, Embed),
            (Facebook, Embed),
            (TikTok, Embed),
            (Reddit, Embed),
            (Telegram, Embed),
            (YouTube, Embed),
            (YouTube, Embed),
            (YouTube, Embed),
            (Threads, Embed),
            (Telegram, Link),
        ]
    );
}

#[test]
fn copied_bluesky_and_mastodon_posts_in_page_text() {
    let body = r#"<p>The agency wrote:</p><p>Trains run again from Monday.<br>— Rail Desk (@raildesk.bsky.social) November 25, 2024 at 7:49 AM</p>
        <p>And on Mastodon:</p><p>Buses are replacing trams tonight.<br>— Tram News (@trams@social.example.org) November 26, 2024</p>"#;
    let got = found(body);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(
        (got[0].platform, got[0].kind, got[0].handle.as_deref()),
        (Platform::Bluesky, Kind::Text, Some("raildesk.bsky.social"))
    );
    assert_eq!(
        got[0].text.as_deref(),
        Some("Trains run again from Monday.")
    );
    assert_eq!(
        (got[1].platform, got[1].handle.as_deref()),
        (Platform::Mastodon, Some("trams@social.example.org"))
    );
    assert_eq!(got[1].date.unwrap().to_string(), "2024-11-26");
}

#[test]
fn urls_of_every_platform_in_plain_text() {
    let doc = "Sources, as posted:\n\
        - https://bsky.app/profile/did:plc:riverdesk7q2xw4kz3m5n6p/post/3lbrko3c3s222?ref_src=embed\n\
        - at://did:plc:riverdesk7q2xw4kz3m5n6p/app.bsky.feed.post/3lbrko3c3s222\n\
        - https://social.example.org/@newsroom/113543671971844242.\n\
        - <https://www.threads.com/@city.hall/post/DCa1B2c3D4e?xmt=AQGz>\n\
        - [bakery](https://m.instagram.com/p/DAbCdEfGhIj/?utm_source=ig_web_copy_link)\n\
        - https://web.facebook.com/CityTransit/posts/712345678901234?__tn__=R\n\
        - https://m.tiktok.com/v/7441234567890123456.html, and https://vt.tiktok.com/ZSxyz789/\n\
        - https://np.reddit.com/r/harbourtown/comments/1gz9abc/the_ferry_is_back/?context=3\n\
        - https://telegram.me/harbour_news/4821?single\n\
        - https://m.youtube.com/watch?v=Ab3dE6gH9jK&t=42s\n\
        - https://t.me/harbour_news (the channel) and https://youtube.com/playlist?list=PLabcdef0123456789\n";
    let found = detect(
        doc.as_bytes(),
        &Hints {
            kind: Some(DocKind::Text),
            charset: None,
        },
    )
    .citations;
    let got: Vec<_> = found
        .iter()
        .map(|c| {
            assert_eq!((c.kind, c.shape), (Kind::Link, "url"));
            (c.platform, c.post_id.clone(), c.post_url.clone().unwrap())
        })
        .collect();
    let bsky = "at://did:plc:riverdesk7q2xw4kz3m5n6p/app.bsky.feed.post/3lbrko3c3s222";
    let bsky_url = "https://bsky.app/profile/did:plc:riverdesk7q2xw4kz3m5n6p/post/3lbrko3c3s222";
    let want = [
        (Platform::Bluesky, Some(bsky), bsky_url),
        (Platform::Bluesky, Some(bsky), bsky_url),
        (
            Platform::Mastodon,
            Some("social.example.org/113543671971844242"),
            "https://social.example.org/@newsroom/113543671971844242",
        ),
        (
            Platform::Threads,
            Some("DCa1B2c3D4e"),
            "https://www.threads.net/@city.hall/post/DCa1B2c3D4e",
        ),
        (
            Platform::Instagram,
            Some("DAbCdEfGhIj"),
            "https://www.instagram.com/p/DAbCdEfGhIj/",
        ),
        (
            Platform::Facebook,
            Some("712345678901234"),
            "https://www.facebook.com/CityTransit/posts/712345678901234",
        ),
        (
            Platform::TikTok,
            Some("7441234567890123456"),
            "https://www.tiktok.com/embed/v2/7441234567890123456",
        ),
        (Platform::TikTok, None, "https://vt.tiktok.com/ZSxyz789/"),
        (
            Platform::Reddit,
            Some("1gz9abc"),
            "https://www.reddit.com/r/harbourtown/comments/1gz9abc/",
        ),
        (
            Platform::Telegram,
            Some("harbour_news/4821"),
            "https://t.me/harbour_news/4821",
        ),
        (
            Platform::YouTube,
            Some("Ab3dE6gH9jK"),
            "https://www.youtube.com/watch?v=Ab3dE6gH9jK",
        ),
    ]
    .map(|(p, id, url)| (p, id.map(str::to_string), url.to_string()));
    assert_eq!(got, want);
    assert_eq!(warning_kinds(&found[7]), ["unresolved_short_link"]);
    assert!(
        found
            .iter()
            .enumerate()
            .all(|(i, c)| i == 7 || c.warnings.is_empty())
    );
}

#[test]
fn copied_bluesky_post_in_markdown_with_its_link() {
    let doc = "The agency's statement came at lunchtime.\n\n\
        > Trains run again from Monday.\n\
        > — Rail Desk (@RailDesk.bsky.social) [November 25, 2024 at 12:49 PM](https://bsky.app/profile/raildesk.bsky.social/post/3lbrko3c3s222)\n\n\
        More later.\n";
    let found = detect(
        doc.as_bytes(),
        &Hints {
            kind: Some(DocKind::Text),
            charset: None,
        },
    )
    .citations;
    assert_eq!(found.len(), 1, "{found:#?}");
    let c = &found[0];
    assert_eq!((c.platform, c.kind), (Platform::Bluesky, Kind::Text));
    assert_eq!(
        c.post_id.as_deref(),
        Some("at://raildesk.bsky.social/app.bsky.feed.post/3lbrko3c3s222")
    );
    assert_eq!(c.text.as_deref(), Some("Trains run again from Monday."));
    assert_eq!(rfc3339(c.posted_at_ms.unwrap()), "2024-11-25T12:49:00.000Z");
    // The handle differs from the link's only in case: no warning.
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

// ---------------------------------------------------------------------------
// Pages that must not yield posts

#[test]
fn scripts_styles_and_metadata_mentioning_platforms_are_not_citations() {
    let page = r#"<!doctype html><html><head>
        <meta property="og:video" content="https://www.youtube.com/embed/Ab3dE6gH9jK">
        <link rel="preconnect" href="https://www.instagram.com">
        <style>.bluesky-embed, .mastodon-embed, .tiktok-embed, .reddit-embed-bq, .fb-post, .text-post-media { margin: 0 auto; }</style>
        <script>
          var html = '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/DAbCdEfGhIj/"></blockquote>';
          var frame = '<iframe src="https://www.youtube.com/embed/Ab3dE6gH9jK"></iframe>';
          window.telegramPost = "harbour_news/4821"; loadScript("https://embed.bsky.app/static/embed.js");
        </script>
        <script type="application/ld+json">{"sameAs": ["https://www.facebook.com/CityTransit/posts/712345678901234", "https://t.me/harbour_news/4821"]}</script>
        </head><body><article>
        <p>Follow us on Bluesky, Mastodon, Threads, Instagram, Facebook, TikTok, Reddit, Telegram and YouTube.</p>
        <div class="share" data-url="https://www.tiktok.com/@harbour.cat/video/7441234567890123456"></div>
        <script async src="https://telegram.org/js/telegram-widget.js?22"></script>
        <script async src="https://www.tiktok.com/embed.js"></script>
        <noscript><iframe src="https://www.youtube.com/embed/Ab3dE6gH9jK"></iframe></noscript>
        </article></body></html>"#;
    let got = detect_page(page);
    assert!(got.is_empty(), "{got:#?}");
}

#[test]
fn non_post_embeds_and_links_are_not_posts() {
    let body = r#"
        <blockquote class="tiktok-embed" cite="https://www.tiktok.com/@harbour.cat" data-unique-id="harbour.cat" data-embed-type="creator" style="max-width: 780px;"><section><a target="_blank" href="https://www.tiktok.com/@harbour.cat?refer=creator_embed">@harbour.cat</a></section></blockquote>
        <blockquote class="tiktok-embed" cite="https://www.tiktok.com/@harbour.cat/video/7441234567890123456" data-video-id="7441234567890123456" data-embed-type="creator"><section></section></blockquote>
        <div class="fb-page" data-href="https://www.facebook.com/CityTransit" data-tabs="timeline"><blockquote cite="https://www.facebook.com/CityTransit" class="fb-xfbml-parse-ignore"><a href="https://www.facebook.com/CityTransit">City Transit</a></blockquote></div>
        <iframe src="https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2FCityTransit&amp;tabs=timeline"></iframe>
        <iframe src="https://www.youtube.com/embed/videoseries?list=PLabcdef0123456789"></iframe>
        <iframe src="https://www.youtube.com/embed/live_stream?channel=UCabcdef0123456789"></iframe>
        <amp-youtube data-live-channelid="UCabcdef0123456789"></amp-youtube>
        <blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/harbour_bakery/" data-instgrm-version="14"><a href="https://www.instagram.com/harbour_bakery/">View this profile on Instagram</a></blockquote>
        <script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="harbour_news"></script>
        <script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-discussion="harbour_news/4821"></script>
        <figure class="wp-block-embed is-provider-youtube wp-block-embed-youtube"><div class="wp-block-embed__wrapper">https://www.youtube.com/playlist?list=PLabcdef0123456789</div></figure>
        <p>Profiles and channels:
          <a href="https://bsky.app/profile/riverdesk.bsky.social">River Desk</a>,
          <a href="https://social.example.org/@newsroom">newsroom</a>,
          <a href="https://www.threads.net/@city.hall">city hall</a>,
          <a href="https://www.instagram.com/harbour_bakery/">bakery</a>,
          <a href="https://www.facebook.com/CityTransit">transit</a>,
          <a href="https://www.tiktok.com/@harbour.cat">cat</a>,
          <a href="https://www.reddit.com/r/harbourtown/">forum</a>,
          <a href="https://t.me/harbour_news">channel</a>,
          <a href="https://t.me/s/harbour_news">channel preview</a>,
          <a href="https://www.youtube.com/@harbourtv">YouTube channel</a>,
          <a href="https://www.youtube.com/playlist?list=PLabcdef0123456789">playlist</a>,
          <a href="https://bsky.app/profile/riverdesk.bsky.social/feed/news">feed</a>.
        </p>"#;
    let got = found(body);
    assert!(got.is_empty(), "{got:#?}");
}

// ---------------------------------------------------------------------------
// Prefilter

#[test]
fn every_fixture_carries_a_prefilter_marker() {
    for fixture in POSITIVE {
        let page = page(fixture);
        // Parsed without the prefilter, the fixture yields citations...
        assert!(
            !html::detect_html(&page).is_empty(),
            "fixture yields nothing: {fixture}"
        );
        // ...and the prefilter lets it through.
        assert!(prefilter::may_cite(page.as_bytes()), "no marker: {fixture}");
    }
}

#[test]
fn a_page_without_markers_is_not_parsed() {
    let d = detect(
        page("<p>A quiet day at the harbour.</p>").as_bytes(),
        &Hints {
            kind: Some(DocKind::Html),
            charset: None,
        },
    );
    assert!(d.prefiltered);
    // A Mastodon link on an instance without "mastodon" in its name still
    // passes (its `/statuses/` path is a marker).
    let c = only(MASTODON_STATUSES_LINK);
    assert_eq!(
        (c.platform, c.post_id.as_deref()),
        (
            Platform::Mastodon,
            Some("harbour.example/113543671971844242")
        )
    );
}

/// Pieces of the shapes above, for pages stitched at random.
const PIECES: &[&str] = &[
    "<blockquote class=\"bluesky-embed\" data-bluesky-uri=\"at://did:plc:abc/app.bsky.feed.post/3lbrko3c3s222\">",
    "<blockquote class=\"mastodon-embed\" data-embed-url=\"https://a.example/@u/113543671971844242/embed\">",
    "<blockquote class=\"text-post-media\">",
    "<blockquote class=\"instagram-media\">",
    "<blockquote class=\"tiktok-embed\" data-video-id=\"7441234567890123456\">",
    "<blockquote class=\"reddit-embed-bq\">",
    "<blockquote class=\"fb-xfbml-parse-ignore\" cite=\"https://www.facebook.com/p/posts/1\">",
    "<div class=\"fb-post\" data-href=\"",
    "<div class=\"twitter-tweet-rendered\">",
    "<figure class=\"wp-block-embed-youtube\">",
    "</blockquote>",
    "</div>",
    "</figure>",
    "<section>",
    "<p>",
    "<a href=\"",
    "\">",
    "</a>",
    "<iframe src=\"",
    "<script data-telegram-post=\"",
    "<amp-instagram data-shortcode=\"",
    "<amp-youtube data-videoid=\"",
    "https://www.instagram.com/p/DAbCdEfGhIj/",
    "https://www.threads.net/@u/post/DCa1B2c3D4e",
    "https://bsky.app/profile/did:plc:abc/post/3lbrko3c3s222",
    "https://www.youtube.com/embed/Ab3dE6gH9jK",
    "https://www.tiktok.com/@u/video/7441234567890123456",
    "https://www.reddit.com/r/a/comments/1gz9abc/x/",
    "https://t.me/chan_nel/12",
    "https://h.example/users/u/statuses/113543671971844242",
    "harbour_news/4821",
    "DAbCdEfGhIj",
    "Ab3dE6gH9jK",
    "&mdash; Name (@u.bsky.social) ",
    "Posted by ",
    "A post shared by N (@h)",
    "Post by @u@a.example",
    "November 25, 2024",
    "<time datetime=\"2017-02-17T19:11:02+00:00\">",
    "<style>",
    "<script>",
    "\"",
    ">",
    "<",
];

fn stitched() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(PIECES).prop_map(str::to_string),
            "[a-z /.@]{0,8}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the walk finds without the prefilter, the prefilter lets
    /// through; and nothing panics.
    #[test]
    fn prefilter_never_hides_a_citation(doc in stitched()) {
        let found = html::detect_html(&doc);
        if !found.is_empty() {
            prop_assert!(prefilter::may_cite(doc.as_bytes()), "{found:#?}");
        }
        for c in &found {
            prop_assert!(c.post_id.as_deref().is_none_or(|id| !id.is_empty()));
        }
    }
}

/// Servers that speak Mastodon's API beyond Mastodon: their embeds (iframes
/// in Mastodon's shape, with their own classes) and links are `mastodon`
/// posts that keep their instance in the id.
#[test]
fn embeds_and_links_of_mastodon_api_servers() {
    let found = found(concat!(
        // Truth Social's embed code.
        r#"<iframe src="https://truthsocial.com/@newsroom/112233445566778899/embed" class="truthsocial-embed" style="max-width: 100%; border: 0" width="600" allowfullscreen="allowfullscreen"></iframe>"#,
        r#"<script src="https://truthsocial.com/embed.js" async="async"></script>"#,
        // Pixelfed's embed code.
        r#"<iframe title="Pixelfed Post Embed" src="https://pixelfed.social/p/photodesk/712233445566778899/embed?caption=true&likes=false&layout=full" class="pixelfed__embed" style="max-width: 100%; border: 0" width="400" allowfullscreen="allowfullscreen"></iframe>"#,
        r#"<script async defer src="https://pixelfed.social/embed.js"></script>"#,
        // Links to an Akkoma notice and a GoToSocial status.
        r#"<p>As <a href="https://akkoma.example/notice/AbCdEf0123456789Gh">the mayor wrote</a>, and <a href="https://gts.example/@desk/statuses/01HQ3Z5X8R7Y6W5V4T3S2Q1P0N">the desk</a> confirmed.</p>"#,
    ));
    let got: Vec<(Kind, Option<&str>, Option<&str>)> = found
        .iter()
        .map(|c| {
            assert_eq!(c.platform, Platform::Mastodon, "{c:#?}");
            (c.kind, c.post_id.as_deref(), c.post_url.as_deref())
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                Kind::Embed,
                Some("truthsocial.com/112233445566778899"),
                Some("https://truthsocial.com/@newsroom/112233445566778899")
            ),
            (
                Kind::Embed,
                Some("pixelfed.social/712233445566778899"),
                Some("https://pixelfed.social/p/photodesk/712233445566778899")
            ),
            (
                Kind::Link,
                Some("akkoma.example/AbCdEf0123456789Gh"),
                Some("https://akkoma.example/notice/AbCdEf0123456789Gh")
            ),
            (
                Kind::Link,
                Some("gts.example/01HQ3Z5X8R7Y6W5V4T3S2Q1P0N"),
                Some("https://gts.example/@desk/statuses/01HQ3Z5X8R7Y6W5V4T3S2Q1P0N")
            ),
        ]
    );
    // Truth Social's ids are Mastodon's: the time is in the id. Pixelfed's
    // are not, and an implausible time is not given.
    assert!(found[0].posted_at_ms.is_some());
    assert_eq!(found[1].posted_at_ms, None);
    // The embeds alone pass the prefilter (Pixelfed's by its class).
    for embed in [
        r#"<iframe src="https://pixelfed.social/p/photodesk/712233445566778899/embed" class="pixelfed__embed"></iframe>"#,
        r#"<a href="https://akkoma.example/notice/AbCdEf0123456789Gh">a notice</a>"#,
    ] {
        assert!(prefilter::may_cite(embed.as_bytes()), "{embed}");
    }
}
