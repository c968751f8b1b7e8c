//! Post URL recognition, every platform.
use super::*;

/// Asserts that `raw` names the post `id` with the given canonical URL and handle.
#[track_caller]
fn assert_post(raw: &str, platform: Platform, id: &str, canonical: &str, handle: Option<&str>) {
    let expected = PostUrl {
        platform,
        post_id: Some(id.to_string()),
        canonical: canonical.to_string(),
        handle: handle.map(str::to_string),
        unresolved_short_link: false,
    };
    assert_eq!(parse_post_url(raw), Some(expected), "input: {raw:?}");
}

#[track_caller]
fn assert_short(raw: &str, platform: Platform, canonical: &str) {
    let expected = PostUrl {
        platform,
        post_id: None,
        canonical: canonical.to_string(),
        handle: None,
        unresolved_short_link: true,
    };
    assert_eq!(parse_post_url(raw), Some(expected), "input: {raw:?}");
}

#[track_caller]
fn assert_none(raw: &str) {
    assert_eq!(parse_post_url(raw), None, "input: {raw:?}");
}

// ----- X -----------------------------------------------------------------

const JACK: &str = "https://x.com/jack/status/20";

#[test]
fn x_status_paths() {
    let x = Platform::X;
    assert_post(
        "https://twitter.com/jack/status/20",
        x,
        "20",
        JACK,
        Some("jack"),
    );
    assert_post("https://x.com/jack/status/20", x, "20", JACK, Some("jack"));
    assert_post(
        "http://twitter.com/jack/statuses/20",
        x,
        "20",
        JACK,
        Some("jack"),
    );
    assert_post(
        "https://twitter.com/@jack/status/20",
        x,
        "20",
        JACK,
        Some("jack"),
    );
    assert_post(
        "https://twitter.com/jack/status/20/",
        x,
        "20",
        JACK,
        Some("jack"),
    );
    assert_post(
        "https://twitter.com/i/web/status/1225455484259442691",
        x,
        "1225455484259442691",
        "https://x.com/i/status/1225455484259442691",
        None,
    );
    assert_post(
        "https://x.com/i/status/1581661660728950784",
        x,
        "1581661660728950784",
        "https://x.com/i/status/1581661660728950784",
        None,
    );
    // A numeric user id in place of the handle.
    assert_post(
        "https://twitter.com/783214/status/1721144944059118002",
        x,
        "1721144944059118002",
        "https://x.com/i/status/1721144944059118002",
        None,
    );
    // Handles keep their case and underscores.
    assert_post(
        "https://twitter.com/Visegrad24/status/996650856568295425",
        x,
        "996650856568295425",
        "https://x.com/Visegrad24/status/996650856568295425",
        Some("Visegrad24"),
    );
    // Largest u64.
    assert_post(
        "https://x.com/a_b/status/18446744073709551615",
        x,
        "18446744073709551615",
        "https://x.com/a_b/status/18446744073709551615",
        Some("a_b"),
    );
}

#[test]
fn x_hashbang_urls() {
    let x = Platform::X;
    assert_post(
        "https://twitter.com/#!/jack/status/20",
        x,
        "20",
        JACK,
        Some("jack"),
    );
    assert_post(
        "http://twitter.com/#%21/jack/status/20",
        x,
        "20",
        JACK,
        Some("jack"),
    );
    assert_post(
        "https://twitter.com/#!/jack/statuses/20/",
        x,
        "20",
        JACK,
        Some("jack"),
    );
    assert_none("https://twitter.com/#!/jack");
    assert_none("https://twitter.com/#!/search/foo");
}

#[test]
fn x_suffixes() {
    let x = Platform::X;
    for suffix in [
        "/photo/1",
        "/photo/4",
        "/video/1",
        "/analytics",
        "/likes",
        "/retweets",
        "/retweets/with_comments",
        "/quotes",
    ] {
        let raw = format!("https://twitter.com/jack/status/20{suffix}");
        assert_post(&raw, x, "20", JACK, Some("jack"));
    }
}

#[test]
fn x_hosts() {
    let x = Platform::X;
    for host in [
        "www.twitter.com",
        "mobile.twitter.com",
        "m.twitter.com",
        "de.twitter.com",
        "www.x.com",
        "mobile.x.com",
        "TWITTER.COM",
        "Mobile.Twitter.Com",
        "twitter.com.",
        "fxtwitter.com",
        "vxtwitter.com",
        "d.fxtwitter.com",
        "fixupx.com",
        "fixvx.com",
        "nitter.net",
        "nitter.poast.org",
        "nitter.privacydev.net",
    ] {
        let raw = format!("https://{host}/jack/status/20");
        assert_post(&raw, x, "20", JACK, Some("jack"));
    }
}

#[test]
fn x_query_noise() {
    let x = Platform::X;
    for raw in [
        "https://twitter.com/jack/status/20?s=20",
        "https://twitter.com/jack/status/20?s=46&t=AbC-dEf_123",
        "https://twitter.com/jack/status/20?lang=fr",
        "https://twitter.com/jack/status/20?ref_src=twsrc%5Etfw",
        "https://twitter.com/jack/status/20?ref_src=twsrc%5Etfw&amp;ref_url=https%3A%2F%2Fexample.com%2F",
        "https://twitter.com/jack/status/20?ref_src=twsrc%5Etfw&#038;ref_url=x",
        "https://nitter.net/jack/status/20#m",
        "  https://twitter.com/jack/status/20\n",
    ] {
        assert_post(raw, x, "20", JACK, Some("jack"));
    }
}

#[test]
fn x_markdown_escapes_and_protocol_relative() {
    let x = Platform::X;
    assert_post(
        r"https://twitter.com/some\_user/status/20",
        x,
        "20",
        "https://x.com/some_user/status/20",
        Some("some_user"),
    );
    assert_post("//twitter.com/jack/status/20", x, "20", JACK, Some("jack"));
    assert_post("twitter.com/jack/status/20", x, "20", JACK, Some("jack"));
    assert_post("x.com/jack/status/20?s=20", x, "20", JACK, Some("jack"));
}

#[test]
fn x_widget_iframe() {
    assert_post(
        "https://platform.twitter.com/embed/Tweet.html?dnt=false&id=1225455484259442691&lang=en",
        Platform::X,
        "1225455484259442691",
        "https://x.com/i/status/1225455484259442691",
        None,
    );
    assert_none("https://platform.twitter.com/embed/Tweet.html?dnt=false");
    assert_none("https://platform.twitter.com/widgets.js");
}

#[test]
fn x_leading_zeros_are_normalised() {
    assert_post(
        "https://x.com/jack/status/0020",
        Platform::X,
        "20",
        JACK,
        Some("jack"),
    );
}

#[test]
fn x_non_posts() {
    for raw in [
        "https://twitter.com/",
        "https://twitter.com",
        "https://twitter.com/jack",
        "https://twitter.com/jack/",
        "https://twitter.com/jack/with_replies",
        "https://twitter.com/jack/media",
        "https://twitter.com/jack/lists/friends",
        "https://twitter.com/i/lists/123456",
        "https://twitter.com/intent/tweet?text=hi&url=https%3A%2F%2Fexample.com",
        "https://twitter.com/intent/retweet?tweet_id=20",
        "https://twitter.com/intent/status/20",
        "https://twitter.com/share?url=https://example.com",
        "https://twitter.com/hashtag/rust?src=hash",
        "https://twitter.com/search?q=rust",
        "https://twitter.com/home",
        "https://twitter.com/i/events/1234567890",
        "https://twitter.com/i/moments/1234567890",
        "https://twitter.com/i/spaces/1abcdefgh",
        "https://twitter.com/jack/status/",
        "http://x.com/a/status/",
        "http://x.com/a/status/99999999999999999999999",
        "http://x.com/a/status/18446744073709551616",
        "http://x.com/a/status/0",
        "http://x.com/a/status/12ab",
        "http://x.com/a/status/-12",
        "https://x.com/some-user/status/20",
        "https://x.com/status/20",
        "https://t.co/AbCdEf",
        "https://pic.twitter.com/AbCdEf",
        "https://publish.twitter.com/oembed?url=https://twitter.com/jack/status/20",
    ] {
        assert_none(raw);
    }
}

#[test]
fn x_lookalike_hosts() {
    for host in [
        "notx.com",
        "xtwitter.com",
        "twitter.com.evil.example",
        "x.com.evil.example",
        "twitter.co",
        "twittter.com",
        "nitter",
        "mynitter.net",
    ] {
        let raw = format!("https://{host}/jack/status/20");
        assert_none(&raw);
    }
}

#[test]
fn x_userinfo_and_ip_hosts_are_rejected() {
    assert_none("https://user:pass@twitter.com/jack/status/20");
    assert_none("https://twitter.com@evil.example/jack/status/20");
    assert_none("https://127.0.0.1/jack/status/20");
    assert_none("https://[::1]/@jack/1234567");
}

// ----- Bluesky -----------------------------------------------------------

const DID: &str = "did:plc:z72i7hdynmk6r22z27h6tvur";

#[test]
fn bluesky_web_urls() {
    let b = Platform::Bluesky;
    assert_post(
        "https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l",
        b,
        "at://bsky.app/app.bsky.feed.post/3l6oveex3ii2l",
        "https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l",
        Some("bsky.app"),
    );
    assert_post(
        &format!("https://bsky.app/profile/{DID}/post/3l6oveex3ii2l"),
        b,
        &format!("at://{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
        &format!("https://bsky.app/profile/{DID}/post/3l6oveex3ii2l"),
        None,
    );
    // Handles are case-insensitive: normalised to lowercase.
    assert_post(
        "https://BSKY.APP/profile/Alice.Example.COM/post/3kabc2def3ghi?ref_src=embed",
        b,
        "at://alice.example.com/app.bsky.feed.post/3kabc2def3ghi",
        "https://bsky.app/profile/alice.example.com/post/3kabc2def3ghi",
        Some("alice.example.com"),
    );
    assert_post(
        "https://staging.bsky.app/profile/alice.bsky.social/post/3kabc2def3ghi/liked-by",
        b,
        "at://alice.bsky.social/app.bsky.feed.post/3kabc2def3ghi",
        "https://bsky.app/profile/alice.bsky.social/post/3kabc2def3ghi",
        Some("alice.bsky.social"),
    );
    assert_post(
        "//bsky.app/profile/did%3Aplc%3Az72i7hdynmk6r22z27h6tvur/post/3kabc2def3ghi",
        b,
        &format!("at://{DID}/app.bsky.feed.post/3kabc2def3ghi"),
        &format!("https://bsky.app/profile/{DID}/post/3kabc2def3ghi"),
        None,
    );
}

#[test]
fn bluesky_at_uris_and_embeds() {
    let b = Platform::Bluesky;
    assert_post(
        &format!("at://{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
        b,
        &format!("at://{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
        &format!("https://bsky.app/profile/{DID}/post/3l6oveex3ii2l"),
        None,
    );
    assert_post(
        "AT://alice.bsky.social/app.bsky.feed.post/3kabc2def3ghi",
        b,
        "at://alice.bsky.social/app.bsky.feed.post/3kabc2def3ghi",
        "https://bsky.app/profile/alice.bsky.social/post/3kabc2def3ghi",
        Some("alice.bsky.social"),
    );
    assert_post(
        &format!("https://embed.bsky.app/embed/{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
        b,
        &format!("at://{DID}/app.bsky.feed.post/3l6oveex3ii2l"),
        &format!("https://bsky.app/profile/{DID}/post/3l6oveex3ii2l"),
        None,
    );
    assert_post(
        "at://did:web:example.com/app.bsky.feed.post/3kabc2def3ghi",
        b,
        "at://did:web:example.com/app.bsky.feed.post/3kabc2def3ghi",
        "https://bsky.app/profile/did:web:example.com/post/3kabc2def3ghi",
        None,
    );
}

#[test]
fn bluesky_non_posts() {
    for raw in [
        "https://bsky.app/",
        "https://bsky.app/profile/alice.bsky.social",
        "https://bsky.app/profile/alice.bsky.social/post",
        "https://bsky.app/profile/alice.bsky.social/post/",
        "https://bsky.app/profile/alice.bsky.social/feed/whats-hot",
        "https://bsky.app/profile/alice.bsky.social/lists/3kabc2def3ghi",
        "https://bsky.app/search?q=rust",
        "https://bsky.app/hashtag/rust",
        "https://bsky.app/profile/not_a_handle/post/3kabc2def3ghi",
        "https://bsky.app/profile/did:/post/3kabc2def3ghi",
        "https://bsky.app/profile/alice.bsky.social/post/..",
        "https://bsky.app/profile/alice.bsky.social/post/a%20b",
        "https://go.bsky.app/AbCdEf",
        "https://embed.bsky.app/static/embed.js",
        "https://embed.bsky.app/oembed?url=at://did:plc:x/app.bsky.feed.post/abc",
        "at://did:plc:z72i7hdynmk6r22z27h6tvur",
        "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.actor.profile/self",
        "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/",
        "at://",
        "notbsky.app/profile/alice.bsky.social/post/3kabc2def3ghi",
        "https://bsky.app.evil.example/profile/alice.bsky.social/post/3kabc2def3ghi",
    ] {
        assert_none(raw);
    }
}

// ----- Mastodon ----------------------------------------------------------

#[test]
fn mastodon_urls() {
    let m = Platform::Mastodon;
    assert_post(
        "https://mastodon.social/@Gargron/109318821117356215",
        m,
        "mastodon.social/109318821117356215",
        "https://mastodon.social/@Gargron/109318821117356215",
        Some("Gargron@mastodon.social"),
    );
    assert_post(
        "https://mastodon.social/@Gargron/109318821117356215/embed",
        m,
        "mastodon.social/109318821117356215",
        "https://mastodon.social/@Gargron/109318821117356215",
        Some("Gargron@mastodon.social"),
    );
    assert_post(
        "https://Mastodon.Social/users/Gargron/statuses/109318821117356215",
        m,
        "mastodon.social/109318821117356215",
        "https://mastodon.social/@Gargron/109318821117356215",
        Some("Gargron@mastodon.social"),
    );
    // A remote account seen from another instance: the id is that instance's.
    assert_post(
        "https://hachyderm.io/@alice@example.social/111222333444555666",
        m,
        "hachyderm.io/111222333444555666",
        "https://hachyderm.io/@alice@example.social/111222333444555666",
        Some("alice@example.social"),
    );
    // `www.` is dropped from the id, kept in the URL that works.
    assert_post(
        "https://www.example.org/@news/123456",
        m,
        "example.org/123456",
        "https://www.example.org/@news/123456",
        Some("news@example.org"),
    );
    assert_post(
        "//social.example.com/@a.b-c/109318821117356215?ref=x#frag",
        m,
        "social.example.com/109318821117356215",
        "https://social.example.com/@a.b-c/109318821117356215",
        Some("a.b-c@social.example.com"),
    );
}

#[test]
fn servers_speaking_mastodons_api() {
    let m = Platform::Mastodon;
    // Truth Social: `/@user/posts/{id}`, and its embed.
    for raw in [
        "https://truthsocial.com/@newsroom/posts/112233445566778899",
        "https://truthsocial.com/@newsroom/posts/112233445566778899/embed",
        "https://TruthSocial.com/@newsroom/posts/112233445566778899?utm_source=x",
    ] {
        assert_post(
            raw,
            m,
            "truthsocial.com/112233445566778899",
            "https://truthsocial.com/@newsroom/posts/112233445566778899",
            Some("newsroom@truthsocial.com"),
        );
    }
    // The iframe a Truth Social embed loads has Mastodon's shape.
    assert_post(
        "https://truthsocial.com/@newsroom/112233445566778899/embed",
        m,
        "truthsocial.com/112233445566778899",
        "https://truthsocial.com/@newsroom/112233445566778899",
        Some("newsroom@truthsocial.com"),
    );
    // Pixelfed: `/p/{user}/{id}` and its embed.
    for raw in [
        "https://pixelfed.social/p/photodesk/712233445566778899",
        "https://pixelfed.social/p/photodesk/712233445566778899/embed?caption=true",
    ] {
        assert_post(
            raw,
            m,
            "pixelfed.social/712233445566778899",
            "https://pixelfed.social/p/photodesk/712233445566778899",
            Some("photodesk@pixelfed.social"),
        );
    }
    // Akkoma and Pleroma: `/notice/{flake id}` (case kept) or a number.
    assert_post(
        "https://akkoma.example/notice/AbCdEf0123456789Gh",
        m,
        "akkoma.example/AbCdEf0123456789Gh",
        "https://akkoma.example/notice/AbCdEf0123456789Gh",
        None,
    );
    assert_post(
        "https://pleroma.example:8443/notice/0001234567",
        m,
        "pleroma.example:8443/1234567",
        "https://pleroma.example:8443/notice/1234567",
        None,
    );
    // GoToSocial: `/@user/statuses/{ULID}`.
    assert_post(
        "https://gts.example/@desk/statuses/01HQ3Z5X8R7Y6W5V4T3S2Q1P0N",
        m,
        "gts.example/01HQ3Z5X8R7Y6W5V4T3S2Q1P0N",
        "https://gts.example/@desk/statuses/01HQ3Z5X8R7Y6W5V4T3S2Q1P0N",
        Some("desk@gts.example"),
    );
}

#[test]
fn look_alikes_of_mastodon_api_servers() {
    for raw in [
        // A site's own pages under `/p/` and `/notice/`.
        "https://news.example/p/politics/123456",
        "https://news.example/p/politics/2024",
        "https://news.example/p/story-slug",
        "https://news.example/notice/privacy",
        "https://news.example/notice/cookie-settings-page",
        "https://news.example/notice/ALLLETTERSNODIGITSX",
        "https://truthsocial.com/@newsroom/posts",
        "https://truthsocial.com/@newsroom/posts/12345",
        "https://gts.example/@desk/statuses/not-a-ulid",
        "https://gts.example/@desk/statuses/01HQ3Z5X8R7Y6W5V4T3S2Q1P0",
        "https://medium.com/notice/AbCdEf0123456789Gh",
    ] {
        assert_none(raw);
    }
    // Instagram's `/p/` is Instagram's.
    let on_instagram = parse_post_url("https://www.instagram.com/p/photodesk/712233445566778899");
    assert_eq!(on_instagram.map(|p| p.platform), Some(Platform::Instagram));
}

#[test]
fn mastodon_non_posts() {
    for raw in [
        "https://mastodon.social/@Gargron",
        "https://mastodon.social/@Gargron/with_replies",
        "https://mastodon.social/@Gargron/12345",
        "https://mastodon.social/@Gargron/109318821117356215/history",
        "https://mastodon.social/users/Gargron",
        "https://mastodon.social/tags/rust",
        "https://mastodon.social/Gargron/109318821117356215",
        "https://mastodon.social/@/109318821117356215",
        "https://mastodon.social/@Gargron@/109318821117356215",
        "https://mastodon.social/@Gargron/99999999999999999999999",
        "https://medium.com/@someone/1234567890",
        "https://medium.com/@someone/my-story-1a2b3c4d5e6f",
        "https://blog.medium.com/@someone/1234567890",
        "https://substack.com/@someone/1234567890",
        "https://www.tiktok.com/@someone/1234567890",
        "https://www.youtube.com/@someone/1234567890",
        "https://www.threads.net/@someone/1234567890",
        "https://www.instagram.com/@someone/1234567890",
        "https://x.com/@someone/1234567890",
        // Without a scheme only known platforms are recognised.
        "mastodon.social/@Gargron/109318821117356215",
        "https://localhost/@Gargron/109318821117356215",
    ] {
        assert_none(raw);
    }
}

// ----- Threads -----------------------------------------------------------

#[test]
fn threads_urls() {
    let t = Platform::Threads;
    let canonical = "https://www.threads.net/@zuck/post/C1a2B3c4D5e";
    for raw in [
        "https://www.threads.net/@zuck/post/C1a2B3c4D5e",
        "https://threads.net/@zuck/post/C1a2B3c4D5e/",
        "https://www.threads.com/@zuck/post/C1a2B3c4D5e?xmt=AQGz",
        "https://threads.com/@zuck/post/C1a2B3c4D5e/media",
        "//www.threads.net/@zuck/post/C1a2B3c4D5e/embed",
    ] {
        assert_post(raw, t, "C1a2B3c4D5e", canonical, Some("zuck"));
    }
    assert_post(
        "https://www.threads.net/t/C1a2B3c4D5e",
        t,
        "C1a2B3c4D5e",
        "https://www.threads.net/t/C1a2B3c4D5e",
        None,
    );
    assert_post(
        r"https://www.threads.net/@mark.z\_1/post/C1a2B3c4D5e",
        t,
        "C1a2B3c4D5e",
        "https://www.threads.net/@mark.z_1/post/C1a2B3c4D5e",
        Some("mark.z_1"),
    );
}

#[test]
fn threads_non_posts() {
    for raw in [
        "https://www.threads.net/",
        "https://www.threads.net/@zuck",
        "https://www.threads.net/@zuck/replies",
        "https://www.threads.net/@zuck/post/",
        "https://www.threads.net/zuck/post/C1a2B3c4D5e",
        "https://www.threads.net/search?q=x",
        "https://www.threads.net/@zuck/post/a!b",
        "https://threads.net.evil.example/@zuck/post/C1a2B3c4D5e",
    ] {
        assert_none(raw);
    }
}

// ----- Instagram ---------------------------------------------------------

#[test]
fn instagram_urls() {
    let i = Platform::Instagram;
    let canonical = "https://www.instagram.com/p/CaBcDeFgHiJ/";
    for raw in [
        "https://www.instagram.com/p/CaBcDeFgHiJ/",
        "https://instagram.com/p/CaBcDeFgHiJ",
        "https://m.instagram.com/p/CaBcDeFgHiJ/",
        "https://www.instagram.com/p/CaBcDeFgHiJ/?utm_source=ig_embed&amp;utm_campaign=loading",
        "https://www.instagram.com/p/CaBcDeFgHiJ/?utm_source=ig_web_copy_link&igsh=MXh2",
        "https://www.instagram.com/p/CaBcDeFgHiJ/embed/",
        "https://www.instagram.com/p/CaBcDeFgHiJ/embed/captioned/?cr=1&v=14",
        "//www.instagram.com/p/CaBcDeFgHiJ/embed",
        "https://www.instagram.com/reel/CaBcDeFgHiJ/",
        "https://www.instagram.com/reels/CaBcDeFgHiJ/",
        "https://www.instagram.com/tv/CaBcDeFgHiJ/",
        "http://instagr.am/p/CaBcDeFgHiJ/",
        "instagram.com/p/CaBcDeFgHiJ",
    ] {
        assert_post(raw, i, "CaBcDeFgHiJ", canonical, None);
    }
    assert_post(
        "https://www.instagram.com/nasa/p/CaBcDeFgHiJ/",
        i,
        "CaBcDeFgHiJ",
        canonical,
        Some("nasa"),
    );
    assert_post(
        r"https://www.instagram.com/some\_one.x/reel/C-bc\_eFgHiJ/",
        i,
        "C-bc_eFgHiJ",
        "https://www.instagram.com/p/C-bc_eFgHiJ/",
        Some("some_one.x"),
    );
}

#[test]
fn instagram_non_posts() {
    for raw in [
        "https://www.instagram.com/",
        "https://www.instagram.com/nasa/",
        "https://www.instagram.com/nasa/reels/",
        "https://www.instagram.com/nasa/tagged/",
        "https://www.instagram.com/explore/tags/rust/",
        "https://www.instagram.com/explore/p/CaBcDeFgHiJ/",
        "https://www.instagram.com/reels/audio/123456789012/",
        "https://www.instagram.com/stories/nasa/3123456789012345678/",
        "https://www.instagram.com/accounts/login/",
        "https://www.instagram.com/p/",
        "https://www.instagram.com/p/abc/",
        "https://www.instagram.com/embed.js",
        "https://notinstagram.com/p/CaBcDeFgHiJ/",
    ] {
        assert_none(raw);
    }
}

// ----- Facebook ----------------------------------------------------------

#[test]
fn facebook_page_posts() {
    let f = Platform::Facebook;
    let canonical = "https://www.facebook.com/NASA/posts/10159975468811772";
    for raw in [
        "https://www.facebook.com/NASA/posts/10159975468811772",
        "https://www.facebook.com/NASA/posts/10159975468811772/",
        "https://facebook.com/NASA/posts/10159975468811772?ref=embed_post",
        "https://m.facebook.com/NASA/posts/10159975468811772",
        "https://mbasic.facebook.com/NASA/posts/10159975468811772",
        "https://web.facebook.com/NASA/posts/10159975468811772",
        "https://business.facebook.com/NASA/posts/10159975468811772",
        "https://fb.com/NASA/posts/10159975468811772",
        "//www.facebook.com/NASA/posts/10159975468811772",
        "https://www.facebook.com/NASA/posts/some-old-slug/10159975468811772",
        "https://www.facebook.com/NASA/posts/10159975468811772?comment_id=123&amp;__tn__=R",
    ] {
        assert_post(raw, f, "10159975468811772", canonical, Some("NASA"));
    }
    let pfbid = "pfbid02Xyz7aBcDeFgHiJkLmNoPqRsTuVwXyZ123456789abcdefl";
    assert_post(
        &format!("https://www.facebook.com/some.page/posts/{pfbid}"),
        f,
        pfbid,
        &format!("https://www.facebook.com/some.page/posts/{pfbid}"),
        Some("some.page"),
    );
    // Numeric page: canonical keeps it, but it is not a handle.
    assert_post(
        "https://www.facebook.com/100064424456789/posts/987654321",
        f,
        "987654321",
        "https://www.facebook.com/100064424456789/posts/987654321",
        None,
    );
}

#[test]
fn facebook_permalinks_and_groups() {
    let f = Platform::Facebook;
    for raw in [
        "https://www.facebook.com/permalink.php?story_fbid=987654321&id=100064424456789",
        "https://www.facebook.com/permalink.php?story_fbid=987654321&amp;id=100064424456789",
        "https://m.facebook.com/story.php?story_fbid=987654321&id=100064424456789",
    ] {
        assert_post(
            raw,
            f,
            "987654321",
            "https://www.facebook.com/100064424456789/posts/987654321",
            None,
        );
    }
    assert_post(
        "https://www.facebook.com/story.php?story_fbid=987654321",
        f,
        "987654321",
        "https://www.facebook.com/987654321",
        None,
    );
    for raw in [
        "https://www.facebook.com/groups/rustlang/posts/1234567890/",
        "https://www.facebook.com/groups/rustlang/permalink/1234567890/",
        "https://m.facebook.com/groups/rustlang/permalink/1234567890/?ref=share",
    ] {
        assert_post(
            raw,
            f,
            "1234567890",
            "https://www.facebook.com/groups/rustlang/posts/1234567890",
            None,
        );
    }
}

#[test]
fn facebook_videos_photos_reels() {
    let f = Platform::Facebook;
    for raw in [
        "https://www.facebook.com/NASA/videos/1234567890123456/",
        "https://www.facebook.com/NASA/videos/launch-day/1234567890123456/",
        "https://www.facebook.com/NASA/videos/vb.54971236771/1234567890123456/?type=3",
        "https://graph.facebook.com/NASA/videos/1234567890123456",
    ] {
        assert_post(
            raw,
            f,
            "1234567890123456",
            "https://www.facebook.com/NASA/videos/1234567890123456",
            Some("NASA"),
        );
    }
    for raw in [
        "https://www.facebook.com/watch/?v=1234567890123456",
        "https://www.facebook.com/watch?v=1234567890123456&ref=sharing",
        "https://m.facebook.com/watch/?v=1234567890123456",
        "https://www.facebook.com/video.php?v=1234567890123456",
        "https://www.facebook.com/watch/live/?v=1234567890123456",
    ] {
        assert_post(
            raw,
            f,
            "1234567890123456",
            "https://www.facebook.com/watch/?v=1234567890123456",
            None,
        );
    }
    let photo = "https://www.facebook.com/photo/?fbid=10158000000000001";
    for raw in [
        "https://www.facebook.com/photo.php?fbid=10158000000000001&set=a.1&type=3",
        "https://www.facebook.com/photo/?fbid=10158000000000001&set=a.2",
        "https://www.facebook.com/photo?fbid=10158000000000001",
    ] {
        assert_post(raw, f, "10158000000000001", photo, None);
    }
    for raw in [
        "https://www.facebook.com/NASA/photos/a.67890/10158000000000001/",
        "https://www.facebook.com/NASA/photos/10158000000000001/",
        "https://www.facebook.com/NASA/photos/pcb.555/10158000000000001/?type=3",
    ] {
        assert_post(raw, f, "10158000000000001", photo, Some("NASA"));
    }
    assert_post(
        "https://www.facebook.com/reel/987654321012345",
        f,
        "987654321012345",
        "https://www.facebook.com/reel/987654321012345",
        None,
    );
}

#[test]
fn facebook_plugins_are_unwrapped() {
    let f = Platform::Facebook;
    assert_post(
        "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FNASA%2Fposts%2F10159975468811772&amp;width=500&amp;show_text=true",
        f,
        "10159975468811772",
        "https://www.facebook.com/NASA/posts/10159975468811772",
        Some("NASA"),
    );
    assert_post(
        "//www.facebook.com/plugins/video.php?height=314&href=https%3A%2F%2Fwww.facebook.com%2FNASA%2Fvideos%2F1234567890123456%2F&show_text=false",
        f,
        "1234567890123456",
        "https://www.facebook.com/NASA/videos/1234567890123456",
        Some("NASA"),
    );
    // The href must itself be a Facebook post.
    assert_none(
        "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Ftwitter.com%2Fjack%2Fstatus%2F20",
    );
    assert_none(
        "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FNASA",
    );
    assert_none("https://www.facebook.com/plugins/post.php");
    // Nested wrappers are unwrapped only so far.
    let inner = "https://www.facebook.com/NASA/posts/1";
    let mut raw = inner.to_string();
    for _ in 0..5 {
        raw = format!(
            "https://www.facebook.com/plugins/post.php?href={}",
            raw.replace('%', "%25")
                .replace('/', "%2F")
                .replace(':', "%3A")
                .replace('?', "%3F")
                .replace('=', "%3D")
                .replace('&', "%26")
        );
    }
    assert_none(&raw);
}

#[test]
fn facebook_short_links() {
    let f = Platform::Facebook;
    assert_short(
        "https://fb.watch/aBc1-2_xY/",
        f,
        "https://fb.watch/aBc1-2_xY/",
    );
    assert_short(
        "http://FB.WATCH/aBc12xY?mibextid=x",
        f,
        "https://fb.watch/aBc12xY/",
    );
    assert_short(
        "https://www.facebook.com/share/p/1AbCdEfGh2/",
        f,
        "https://www.facebook.com/share/p/1AbCdEfGh2/",
    );
    assert_short(
        "https://m.facebook.com/share/v/1AbCdEfGh2?mibextid=abc",
        f,
        "https://www.facebook.com/share/v/1AbCdEfGh2/",
    );
    assert_short(
        "https://www.facebook.com/share/r/1AbCdEfGh2/",
        f,
        "https://www.facebook.com/share/r/1AbCdEfGh2/",
    );
}

#[test]
fn facebook_non_posts() {
    for raw in [
        "https://www.facebook.com/",
        "https://www.facebook.com/NASA",
        "https://www.facebook.com/NASA/",
        "https://www.facebook.com/NASA/posts/",
        "https://www.facebook.com/NASA/posts/not-an-id",
        "https://www.facebook.com/NASA/videos/",
        "https://www.facebook.com/NASA/photos/",
        "https://www.facebook.com/NASA/about",
        "https://www.facebook.com/profile.php?id=100064424456789",
        "https://www.facebook.com/events/1234567890/",
        "https://www.facebook.com/events/1234567890/posts/123",
        "https://www.facebook.com/sharer.php?u=https%3A%2F%2Fexample.com",
        "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fexample.com",
        "https://www.facebook.com/share.php?u=https%3A%2F%2Fexample.com",
        "https://www.facebook.com/share/1AbCdEfGh2/",
        "https://www.facebook.com/dialog/share?app_id=1&href=x",
        "https://www.facebook.com/dialog/feed?app_id=1",
        "https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2FNASA",
        "https://www.facebook.com/plugins/like.php?href=x",
        "https://www.facebook.com/watch/",
        "https://www.facebook.com/watch/?v=abc",
        "https://www.facebook.com/photo.php?fbid=0",
        "https://www.facebook.com/groups/rustlang/",
        "https://www.facebook.com/hashtag/rust",
        "https://www.facebook.com/permalink.php?id=100064424456789",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com",
        "https://connect.facebook.net/en_US/sdk.js",
        "https://fb.watch/",
        "https://notfacebook.com/NASA/posts/10159975468811772",
        "https://facebook.com.evil.example/NASA/posts/10159975468811772",
    ] {
        assert_none(raw);
    }
}

// ----- TikTok ------------------------------------------------------------

#[test]
fn tiktok_urls() {
    let t = Platform::TikTok;
    let canonical = "https://www.tiktok.com/@scout2015/video/6718335390845095173";
    for raw in [
        "https://www.tiktok.com/@scout2015/video/6718335390845095173",
        "https://tiktok.com/@scout2015/video/6718335390845095173/",
        "https://m.tiktok.com/@scout2015/video/6718335390845095173?is_from_webapp=1&amp;sender_device=pc",
        "https://www.tiktok.com/@scout2015/video/6718335390845095173?lang=en&q=x&t=1700000000000",
        "//www.tiktok.com/@scout2015/video/6718335390845095173",
    ] {
        assert_post(raw, t, "6718335390845095173", canonical, Some("scout2015"));
    }
    assert_post(
        r"https://www.tiktok.com/@some\_user.x/photo/7318335390845095173",
        t,
        "7318335390845095173",
        "https://www.tiktok.com/@some_user.x/photo/7318335390845095173",
        Some("some_user.x"),
    );
    let embed = "https://www.tiktok.com/embed/v2/6718335390845095173";
    for raw in [
        "https://www.tiktok.com/embed/v2/6718335390845095173",
        "https://www.tiktok.com/embed/v2/6718335390845095173?lang=en-US",
        "https://www.tiktok.com/embed/6718335390845095173",
        "https://m.tiktok.com/v/6718335390845095173.html",
        "https://www.tiktok.com/v/6718335390845095173",
        "https://www.tiktok.com/player/v1/6718335390845095173?music_info=1",
    ] {
        assert_post(raw, t, "6718335390845095173", embed, None);
    }
}

#[test]
fn tiktok_short_links() {
    let t = Platform::TikTok;
    assert_short(
        "https://vm.tiktok.com/ZMabc123/",
        t,
        "https://vm.tiktok.com/ZMabc123/",
    );
    assert_short(
        "https://vm.tiktok.com/ZMabc123",
        t,
        "https://vm.tiktok.com/ZMabc123/",
    );
    assert_short(
        "http://VT.TikTok.com/ZSxyz789/?k=1",
        t,
        "https://vt.tiktok.com/ZSxyz789/",
    );
    assert_short(
        "https://www.tiktok.com/t/ZTRabc123/",
        t,
        "https://www.tiktok.com/t/ZTRabc123/",
    );
}

#[test]
fn tiktok_non_posts() {
    for raw in [
        "https://www.tiktok.com/",
        "https://www.tiktok.com/@scout2015",
        "https://www.tiktok.com/@scout2015/live",
        "https://www.tiktok.com/@scout2015/video/",
        "https://www.tiktok.com/@scout2015/video/abc",
        "https://www.tiktok.com/scout2015/video/6718335390845095173",
        "https://www.tiktok.com/tag/rust",
        "https://www.tiktok.com/music/some-song-123456789",
        "https://www.tiktok.com/discover/rust",
        "https://www.tiktok.com/embed.js",
        "https://www.tiktok.com/embed/v2/",
        "https://vm.tiktok.com/",
        "https://tiktok.com.evil.example/@scout2015/video/6718335390845095173",
    ] {
        assert_none(raw);
    }
}

// ----- Reddit ------------------------------------------------------------

#[test]
fn reddit_posts() {
    let r = Platform::Reddit;
    let canonical = "https://www.reddit.com/r/rust/comments/abc123/";
    for raw in [
        "https://www.reddit.com/r/rust/comments/abc123/some_title/",
        "https://reddit.com/r/rust/comments/abc123/",
        "https://old.reddit.com/r/rust/comments/abc123/some_title/",
        "https://new.reddit.com/r/rust/comments/abc123/some_title/?utm_source=share&amp;utm_medium=web2x",
        "https://np.reddit.com/r/rust/comments/abc123/some_title/",
        "https://m.reddit.com/r/rust/comments/abc123",
        "https://sh.reddit.com/r/rust/comments/abc123/some_title/",
        "https://embed.reddit.com/r/rust/comments/abc123/some_title/?embed=true",
        "https://www.redditmedia.com/r/rust/comments/abc123/some_title/?ref_source=embed&amp;embed=true",
        "https://www.reddit.com/r/rust/comments/ABC123/some_title/",
        "https://www.reddit.com/r/rust/comments/abc123/some_title/?context=3",
        "https://www.reddit.com/r/rust/comments/abc123/some_title/.json",
        r"https://www.reddit.com/r/rust/comments/abc123/some\_title/",
        "//www.reddit.com/r/rust/comments/abc123/some_title/",
    ] {
        assert_post(raw, r, "abc123", canonical, None);
    }
    for raw in [
        "https://www.reddit.com/comments/abc123/",
        "https://redd.it/abc123",
        "https://www.reddit.com/gallery/abc123",
    ] {
        assert_post(
            raw,
            r,
            "abc123",
            "https://www.reddit.com/comments/abc123/",
            None,
        );
    }
    assert_post(
        "https://www.reddit.com/user/spez/comments/abc123/some_title/",
        r,
        "abc123",
        "https://www.reddit.com/user/spez/comments/abc123/",
        Some("spez"),
    );
    assert_post(
        "https://www.reddit.com/u/spez/comments/abc123/",
        r,
        "abc123",
        "https://www.reddit.com/user/spez/comments/abc123/",
        Some("spez"),
    );
}

#[test]
fn reddit_comments() {
    let r = Platform::Reddit;
    let canonical = "https://www.reddit.com/r/rust/comments/abc123/comment/def456/";
    for raw in [
        "https://www.reddit.com/r/rust/comments/abc123/some_title/def456/",
        "https://www.reddit.com/r/rust/comments/abc123/comment/def456/",
        "https://old.reddit.com/r/rust/comments/abc123/some_title/def456/?context=3",
        "https://www.reddit.com/r/rust/comments/abc123/comment/DEF456/?utm_source=share",
    ] {
        assert_post(raw, r, "abc123/def456", canonical, None);
    }
    assert_post(
        "https://www.reddit.com/comments/abc123/_/def456/",
        r,
        "abc123/def456",
        "https://www.reddit.com/comments/abc123/_/def456/",
        None,
    );
    assert_post(
        "https://www.reddit.com/user/spez/comments/abc123/title/def456/",
        r,
        "abc123/def456",
        "https://www.reddit.com/user/spez/comments/abc123/comment/def456/",
        Some("spez"),
    );
}

#[test]
fn reddit_short_links() {
    assert_short(
        "https://www.reddit.com/r/rust/s/AbC123xYz",
        Platform::Reddit,
        "https://www.reddit.com/r/rust/s/AbC123xYz",
    );
    assert_short(
        "https://reddit.com/r/rust/s/AbC123xYz/?share_id=1",
        Platform::Reddit,
        "https://www.reddit.com/r/rust/s/AbC123xYz",
    );
}

#[test]
fn reddit_non_posts() {
    for raw in [
        "https://www.reddit.com/",
        "https://www.reddit.com/r/rust",
        "https://www.reddit.com/r/rust/",
        "https://www.reddit.com/r/rust/top/?t=week",
        "https://www.reddit.com/r/rust/wiki/index",
        "https://www.reddit.com/r/rust/comments/",
        "https://www.reddit.com/r/rust/comments/abc-123/",
        "https://www.reddit.com/r/rust/comments/abc123/comment/x-y/",
        "https://www.reddit.com/user/spez",
        "https://www.reddit.com/user/spez/comments/",
        "https://www.reddit.com/search?q=rust",
        "https://redd.it/",
        "https://v.redd.it/abc123xyz",
        "https://i.redd.it/abc123xyz.jpg",
        "https://embed.reddit.com/widgets.js",
        "https://notreddit.com/r/rust/comments/abc123/",
    ] {
        assert_none(raw);
    }
}

// ----- Telegram ----------------------------------------------------------

#[test]
fn telegram_urls() {
    let t = Platform::Telegram;
    for raw in [
        "https://t.me/durov/123",
        "https://t.me/durov/123/",
        "https://t.me/durov/123?embed=1",
        "https://t.me/durov/123?single",
        "https://t.me/durov/123?embed=1&amp;mode=tme",
        "https://t.me/s/durov/123",
        "https://telegram.me/durov/123",
        "https://www.telegram.me/durov/123",
        "http://T.ME/durov/123",
        "//t.me/durov/123",
        "https://telegram.dog/durov/123",
        "t.me/durov/123",
        // A forum topic: the message id is unique in the chat.
        "https://t.me/durov/7/123",
    ] {
        assert_post(raw, t, "durov/123", "https://t.me/durov/123", Some("durov"));
    }
    assert_post(
        r"https://t.me/some\_channel/4567",
        t,
        "some_channel/4567",
        "https://t.me/some_channel/4567",
        Some("some_channel"),
    );
    assert_post(
        "https://t.me/c/1234567890/42",
        t,
        "c/1234567890/42",
        "https://t.me/c/1234567890/42",
        None,
    );
}

#[test]
fn telegram_non_posts() {
    for raw in [
        "https://t.me/",
        "https://t.me/durov",
        "https://t.me/s/durov",
        "https://t.me/durov/",
        "https://t.me/durov/abc",
        "https://t.me/durov/0",
        "https://t.me/joinchat/AAAAAEkk2WdoDrB4-Q8-gg",
        "https://t.me/+AbCdEfGhIjK",
        "https://t.me/addstickers/SomePack",
        "https://t.me/share/url?url=https%3A%2F%2Fexample.com",
        "https://t.me/c/1234567890",
        "https://t.me/c/abc/42",
        "https://t.me/iv?url=x&rhash=y",
        "https://t.me/durov/123/456/789",
        "https://t.me/1channel/123",
        "https://telegram.org/js/telegram-widget.js?22",
        "https://not-t.me/durov/123",
    ] {
        assert_none(raw);
    }
}

// ----- YouTube -----------------------------------------------------------

const RICK: &str = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";

#[test]
fn youtube_urls() {
    let y = Platform::YouTube;
    for raw in [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com/watch?v=dQw4w9WgXcQ",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
        "https://music.youtube.com/watch?v=dQw4w9WgXcQ&si=AbCdEf",
        "https://www.youtube.com/watch?feature=share&amp;v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL1234567890abcdef&index=3",
        "https://www.youtube.com/watch/?v=dQw4w9WgXcQ#t=30",
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0&amp;autoplay=1",
        "https://www.youtube.com/embed/dQw4w9WgXcQ?list=PL1234567890abcdef",
        "//www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://youtube-nocookie.com/embed/dQw4w9WgXcQ?start=10",
        "https://www.youtube.com/v/dQw4w9WgXcQ?version=3",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "https://youtube.com/shorts/dQw4w9WgXcQ?feature=share",
        "https://www.youtube.com/live/dQw4w9WgXcQ?si=xyz",
        "https://youtu.be/dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ?si=AbCdEfGh&t=10",
        "http://youtu.be/dQw4w9WgXcQ&feature=youtu.be",
        "youtu.be/dQw4w9WgXcQ",
        "HTTPS://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ",
    ] {
        assert_post(raw, y, "dQw4w9WgXcQ", RICK, None);
    }
    assert_post(
        r"https://youtu.be/a\_b-c\_d-e\_f",
        y,
        "a_b-c_d-e_f",
        "https://www.youtube.com/watch?v=a_b-c_d-e_f",
        None,
    );
}

#[test]
fn youtube_non_posts() {
    for raw in [
        "https://www.youtube.com/",
        "https://www.youtube.com/watch",
        "https://www.youtube.com/watch?v=",
        "https://www.youtube.com/watch?v=tooShort",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",
        "https://www.youtube.com/watch?v=dQw4w9WgX%21Q",
        "https://www.youtube.com/playlist?list=PL1234567890abcdef",
        "https://www.youtube.com/embed/videoseries?list=PL1234567890abcdef",
        "https://www.youtube.com/embed/live_stream?channel=UC1234567890",
        "https://www.youtube.com/channel/UC1234567890abcdefghij",
        "https://www.youtube.com/c/SomeChannel",
        "https://www.youtube.com/@SomeChannel",
        "https://www.youtube.com/@SomeChannel/videos",
        "https://www.youtube.com/user/SomeUser",
        "https://www.youtube.com/results?search_query=rust",
        "https://www.youtube.com/hashtag/rust",
        "https://www.youtube.com/iframe_api",
        "https://img.youtube.com/vi/dQw4w9WgXcQ/0.jpg",
        "https://youtu.be/",
        "https://youtu.be/dQw4w9WgXcQ/extra",
        "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    ] {
        assert_none(raw);
    }
}

// ----- Malformed input and robustness ------------------------------------

#[test]
fn malformed_input() {
    for raw in [
        "",
        "   ",
        "https://",
        "http://",
        "//",
        "https:///jack/status/20",
        "javascript:alert(1)",
        "JavaScript:alert('https://twitter.com/jack/status/20')",
        "mailto:jack@twitter.com",
        "data:text/html,https://twitter.com/jack/status/20",
        "ftp://twitter.com/jack/status/20",
        "file:///twitter.com/jack/status/20",
        "not a url",
        "https://exa mple.com/@a/1234567",
        "https://%%%/",
        "at://did:plc:x",
        "@jack",
        "#!/jack/status/20",
        "https://twitter.com/jack/status/２０",
        "https://twïtter.com/jack/status/20",
    ] {
        assert_none(raw);
    }
}

#[test]
fn garbage_never_panics() {
    let garbage: String = (0..5 * 1024)
        .map(|i| char::from(b"%&#!@/:?\\.a1_-"[i % 14]))
        .collect();
    assert_none(&garbage);
    assert_none(&format!("https://twitter.com/{garbage}"));
    assert_none(&format!("https://mastodon.social/@{garbage}/1234567"));
    let unicode: String = "ü𝄞\u{202e}é%ff%fe".repeat(400);
    assert_none(&unicode);
    assert_none(&format!("https://{unicode}/@a/1234567"));
    assert_none(&format!("at://{unicode}/app.bsky.feed.post/x"));
    // Too long to be worth parsing, even if it would otherwise match.
    assert_none(&format!(
        "https://x.com/jack/status/20?pad={}",
        "a".repeat(20_000)
    ));
}

/// Every URL used in the positive tests above, for the property tests below.
const POSITIVES: &[&str] = &[
    "https://twitter.com/#!/jack/status/20",
    "https://twitter.com/i/web/status/1225455484259442691",
    "https://platform.twitter.com/embed/Tweet.html?id=1225455484259442691",
    "https://bsky.app/profile/did%3Aplc%3Az72i7hdynmk6r22z27h6tvur/post/3kabc2def3ghi",
    "at://alice.bsky.social/app.bsky.feed.post/3kabc2def3ghi",
    "https://embed.bsky.app/embed/did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l",
    "https://mastodon.social/users/Gargron/statuses/109318821117356215",
    "https://hachyderm.io/@alice@example.social/111222333444555666",
    "https://www.threads.com/@zuck/post/C1a2B3c4D5e?xmt=AQGz",
    "https://www.threads.net/t/C1a2B3c4D5e",
    "https://www.instagram.com/nasa/reel/CaBcDeFgHiJ/embed/captioned/",
    "https://www.facebook.com/NASA/posts/some-old-slug/10159975468811772",
    "https://www.facebook.com/permalink.php?story_fbid=987654321&id=100064424456789",
    "https://m.facebook.com/groups/rustlang/permalink/1234567890/?ref=share",
    "https://www.facebook.com/NASA/videos/vb.54971236771/1234567890123456/?type=3",
    "https://www.facebook.com/watch/?v=1234567890123456",
    "https://www.facebook.com/NASA/photos/a.67890/10158000000000001/",
    "https://www.facebook.com/reel/987654321012345",
    "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FNASA%2Fposts%2F10159975468811772",
    "https://fb.watch/aBc1-2_xY/",
    "https://www.facebook.com/share/p/1AbCdEfGh2/",
    "https://m.tiktok.com/@scout2015/video/6718335390845095173?is_from_webapp=1",
    "https://www.tiktok.com/@some_user.x/photo/7318335390845095173",
    "https://m.tiktok.com/v/6718335390845095173.html",
    "https://vm.tiktok.com/ZMabc123/",
    "https://www.tiktok.com/t/ZTRabc123/",
    "https://old.reddit.com/r/rust/comments/abc123/some_title/def456/?context=3",
    "https://www.reddit.com/comments/abc123/_/def456/",
    "https://www.reddit.com/u/spez/comments/abc123/title/def456/",
    "https://redd.it/abc123",
    "https://www.reddit.com/r/rust/s/AbC123xYz",
    "https://t.me/s/durov/123?embed=1",
    "https://t.me/c/1234567890/42",
    "https://www.youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
    "https://youtu.be/dQw4w9WgXcQ?si=AbCdEfGh",
];

#[test]
fn canonical_urls_parse_back_to_the_same_post() {
    for raw in POSITIVES {
        let first = parse_post_url(raw).unwrap_or_else(|| panic!("not recognised: {raw}"));
        let again = parse_post_url(&first.canonical)
            .unwrap_or_else(|| panic!("canonical not recognised: {}", first.canonical));
        // Instagram's `/p/{code}/` and Facebook's `photo/?fbid=` drop the
        // user; nothing else may change.
        if again.handle.is_none() && first.handle.is_some() {
            assert!(
                matches!(first.platform, Platform::Instagram | Platform::Facebook),
                "input: {raw}"
            );
        }
        let first = PostUrl {
            handle: again.handle.clone(),
            ..first
        };
        assert_eq!(again, first, "input: {raw}");
    }
}

#[test]
fn prefixes_and_mutations_never_panic() {
    for raw in POSITIVES {
        for (i, _) in raw.char_indices() {
            let _ = parse_post_url(&raw[..i]);
            let _ = parse_post_url(&raw[i..]);
            let mut mutated = raw.to_string();
            mutated.insert(i, '%');
            let _ = parse_post_url(&mutated);
            mutated.replace_range(i..=i, "é");
            let _ = parse_post_url(&mutated);
        }
    }
}

#[test]
fn unrelated_sites_are_not_posts() {
    for raw in [
        "https://example.com/",
        "https://www.nytimes.com/2024/01/01/world/some-article.html",
        "https://example.com/news/123456789",
        "https://example.com/@section/article-title",
        "https://web.archive.org/web/20200101000000/https://twitter.com/jack/status/20",
    ] {
        assert_none(raw);
    }
}
