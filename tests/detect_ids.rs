//! Post ids as embeds give them: real X ids that merely look rounded are
//! kept, a JavaScript rounding is set aside only when the exact id is
//! beside it, and id attributes may hold the post's URL on every platform.

use embarc::detect::{Citation, DocKind, Hints, Platform, detect};
use proptest::prelude::*;

fn html(body: &str) -> Vec<Citation> {
    let page = format!(
        "<!doctype html><html><head><title>t</title></head><body><article>{body}</article></body></html>"
    );
    detect(
        page.as_bytes(),
        &Hints {
            kind: Some(DocKind::Html),
            charset: None,
        },
    )
    .citations
}

fn only(body: &str) -> Citation {
    let found = html(body);
    assert_eq!(found.len(), 1, "expected one citation, got {found:#?}");
    found.into_iter().next().unwrap()
}

fn rounded(c: &Citation) -> bool {
    c.warnings.iter().any(|w| w.kind == "rounded_id")
}

/// Every X shape that carries an id, holding `id`.
fn x_shapes(id: &str) -> Vec<String> {
    vec![
        format!(
            r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Gauge at 4.2 m</p>&mdash; River Desk (@riverdesk) <a href="https://twitter.com/riverdesk/status/{id}?ref_src=twsrc%5Etfw">June 13, 2021</a></blockquote>"#
        ),
        format!(
            r#"<blockquote class="twitter-tweet"><a href="https://twitter.com/riverdesk/status/{id}"></a></blockquote>"#
        ),
        format!(
            r#"<iframe class="twitter-tweet twitter-tweet-rendered" data-tweet-id="{id}"></iframe>"#
        ),
        format!(
            r#"<div class="twitter-tweet twitter-tweet-rendered"><iframe src="https://platform.twitter.com/embed/Tweet.html?dnt=false&amp;id={id}&amp;lang=de" data-tweet-id="{id}"></iframe></div>"#
        ),
        format!(
            r#"<amp-twitter width="375" height="472" layout="responsive" data-tweetid="{id}"></amp-twitter>"#
        ),
    ]
}

#[test]
fn real_ids_ending_in_zeros_are_kept() {
    // 1404220535211443200 is a real id (2021-06-13) whose sequence is 1024:
    // exact as a double and printed with trailing zeros, like a rounding.
    for id in [
        "1404220535211443200",
        "550171972366110720",
        "1581661660728950784",
        "550196187970560000",
    ] {
        for shape in x_shapes(id) {
            let c = only(&shape);
            assert_eq!(c.post_id.as_deref(), Some(id), "{shape}");
            assert!(!rounded(&c), "{shape}: {:?}", c.warnings);
        }
    }
    let c = only(&x_shapes("1404220535211443200")[0]);
    assert_eq!(c.date.unwrap().to_string(), "2021-06-13");
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn a_rounded_attribute_beside_the_exact_status_link_gives_way() {
    // AMP: the attribute was written by a script, the fallback link by X.
    let c = only(
        r#"<amp-twitter data-tweetid="550196187970560000" layout="responsive" width="4" height="3"><blockquote placeholder class="twitter-tweet" data-lang="en"><p lang="en">Thank you all</p>&mdash; Tony (@tony) <a href="https://twitter.com/tony/status/550196187970560017">December 31, 2014</a></blockquote></amp-twitter>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("550196187970560017"));
    assert_eq!(c.handle.as_deref(), Some("tony"));
    assert!(rounded(&c), "{:?}", c.warnings);
    // The other way round: the blockquote's own attribute is exact, its
    // status link was rewritten from a rounded number.
    let c = only(
        r#"<blockquote class="twitter-tweet" data-tweet-id="1404220535211443219"><p>Gauge</p>&mdash; D (@d) <a href="https://twitter.com/d/status/1404220535211443200">June 13, 2021</a></blockquote>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("1404220535211443219"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://x.com/d/status/1404220535211443219")
    );
    assert_eq!(c.text.as_deref(), Some("Gauge"));
    assert!(rounded(&c));
}

#[test]
fn a_rounded_data_tweet_id_beside_the_exact_iframe_src_gives_way() {
    let c = only(
        r#"<div class="twitter-tweet twitter-tweet-rendered" data-tweet-id="1225455484259442700"><iframe src="https://platform.twitter.com/embed/Tweet.html?id=1225455484259442691"></iframe></div>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("1225455484259442691"));
    assert!(rounded(&c));
    assert_eq!(c.shape, "rendered");
}

#[test]
fn publisher_iframe_rounded_id_with_the_exact_link_in_its_fallback() {
    // The id attribute runs the (rounded) tweet id into a user id and a
    // Unix time; the fallback keeps the status link with the exact id.
    let c = only(
        r#"<p><iframe src="http://static.example.com/TwitterEmbed/web2.html" id="tweetframe55019618797056000013697052191420012234"><noframe>Twitter: Tony F - Thanks to all teams <a href="https://twitter.com/tonyf/status/550196187970560017">Dec 31</a></noframe></iframe></p>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("550196187970560017"));
    assert_eq!(c.author_name.as_deref(), Some("Tony F"));
    assert!(rounded(&c));
    // Without a second source the id is kept as written.
    let c = only(
        r#"<p><iframe src="http://static.example.com/TwitterEmbed/web2.html" id="tweetframe55019618797056000013697052191420012234"><noframe>Twitter: Tony F - Thanks to all teams</noframe></iframe></p>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("550196187970560000"));
    assert!(!rounded(&c));
}

#[test]
fn x_ids_written_as_urls() {
    for (attr_html, id) in [
        (
            r#"<iframe class="twitter-tweet-rendered" data-tweet-id="https://twitter.com/riverdesk/status/1404220535211443219?s=20&amp;t=AbC"></iframe>"#,
            "1404220535211443219",
        ),
        (
            r#"<amp-twitter data-tweetid="https://x.com/riverdesk/status/1225455484259442691" layout="responsive" width="1" height="1"></amp-twitter>"#,
            "1225455484259442691",
        ),
        (
            r#"<div class="twitter-tweet-rendered" data-id="https://mobile.twitter.com/i/web/status/1581661660728950784"></div>"#,
            "1581661660728950784",
        ),
    ] {
        let c = only(attr_html);
        assert_eq!(c.platform, Platform::X);
        assert_eq!(c.post_id.as_deref(), Some(id), "{attr_html}");
    }
    // A profile URL in an id attribute names no tweet.
    assert!(
        html(
            r#"<div class="twitter-tweet-rendered" data-id="https://twitter.com/riverdesk"></div>"#
        )
        .is_empty()
    );
}

#[test]
fn other_platforms_ids_written_as_urls_or_bare() {
    let cases = [
        (
            r#"<amp-instagram data-shortcode="https://www.instagram.com/p/CqXk3Lr0aB1/?utm_source=ig_web_copy_link" width="1" height="1"></amp-instagram>"#,
            Platform::Instagram,
            "CqXk3Lr0aB1",
        ),
        (
            r#"<blockquote class="instagram-media" data-instgrm-permalink="CqXk3Lr0aB1" data-instgrm-version="14"></blockquote>"#,
            Platform::Instagram,
            "CqXk3Lr0aB1",
        ),
        (
            r#"<blockquote class="tiktok-embed" data-video-id="https://www.tiktok.com/@kochstudio/video/7301234567890123456?is_from_webapp=1"><section></section></blockquote>"#,
            Platform::TikTok,
            "7301234567890123456",
        ),
        (
            r#"<amp-tiktok data-src="https://www.tiktok.com/@kochstudio/video/7301234567890123456" width="1" height="1"></amp-tiktok>"#,
            Platform::TikTok,
            "7301234567890123456",
        ),
        (
            r#"<amp-youtube data-videoid="https://www.youtube.com/watch?v=K7yr8Sg44cA&amp;feature=share" layout="responsive" width="480" height="270"></amp-youtube>"#,
            Platform::YouTube,
            "K7yr8Sg44cA",
        ),
        (
            r#"<amp-youtube data-videoid="K7yr8Sg44cA" layout="responsive" width="480" height="270"></amp-youtube>"#,
            Platform::YouTube,
            "K7yr8Sg44cA",
        ),
        (
            r#"<blockquote class="text-post-media" data-text-post-permalink="C4aBcDeFgHi"><a href="https://www.threads.net/@chef">Post by @chef</a></blockquote>"#,
            Platform::Threads,
            "C4aBcDeFgHi",
        ),
    ];
    for (body, platform, id) in cases {
        let c = only(body);
        assert_eq!(
            (c.platform, c.post_id.as_deref()),
            (platform, Some(id)),
            "{body}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Ids that are multiples of 256 or 4096 (sequence bits zero: exact as
    /// doubles, like roundings) survive every shape unchanged.
    #[test]
    fn multiples_of_256_and_4096_survive(k in (1u64 << 47)..(1u64 << 51), big in any::<bool>()) {
        let id = if big { k * 4096 } else { k * 256 };
        let id = id.to_string();
        for shape in x_shapes(&id) {
            let c = only(&shape);
            prop_assert_eq!(c.post_id.as_deref(), Some(id.as_str()));
            prop_assert!(!rounded(&c));
        }
    }

    /// A rounding beside its exact id never wins, whichever comes first.
    #[test]
    fn the_exact_id_wins_over_its_rounding(n in (1u64 << 55)..(1u64 << 62)) {
        let exact = n.to_string();
        let printed = format!("{}", n as f64);
        prop_assume!(printed != exact);
        let amp = format!(
            r#"<amp-twitter data-tweetid="{printed}" width="1" height="1"><blockquote placeholder class="twitter-tweet"><a href="https://twitter.com/a/status/{exact}">June 1, 2021</a></blockquote></amp-twitter>"#
        );
        let div = format!(
            r#"<div class="twitter-tweet-rendered" data-tweet-id="{exact}"><iframe src="https://platform.twitter.com/embed/Tweet.html?id={printed}"></iframe></div>"#
        );
        for body in [amp, div] {
            let c = only(&body);
            prop_assert_eq!(c.post_id.as_deref(), Some(exact.as_str()));
            prop_assert!(rounded(&c));
        }
    }
}
