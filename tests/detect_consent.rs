//! Consent placeholders (two-click solutions, consent managers, publishers'
//! "external content" boxes): embeds of their own shape, found in data
//! attributes, templates, noscript, inert scripts, base64 and HTML-escaped
//! JSON. Placeholders written for these tests in the styles of each tool.

use embarc::detect::{Citation, DocKind, Hints, Kind, Platform, detect};

fn html(body: &str) -> Vec<Citation> {
    let page = format!(
        "<!doctype html><html lang=\"de\"><head><title>t</title></head><body><article>{body}</article></body></html>"
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

fn one_consent(body: &str) -> Citation {
    let found = html(body);
    assert_eq!(found.len(), 1, "expected one citation, got {found:#?}");
    let c = found.into_iter().next().unwrap();
    assert_eq!((c.kind, c.shape), (Kind::Embed, "consent"), "{c:#?}");
    c
}

/// Plain base64 of `s` (test helper, standard alphabet, padded).
fn b64(s: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in s.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const TWEET: &str = r#"<blockquote class="twitter-tweet"><p lang="de" dir="ltr">Pegel bei 4,20 m</p>&mdash; Hochwasserzentrale (@hwz_bayern) <a href="https://twitter.com/hwz_bayern/status/1404220535211443219?ref_src=twsrc%5Etfw">13. Juni 2021</a></blockquote>"#;

#[test]
fn borlabs_keeps_the_embed_base64_in_an_inert_script() {
    let body = format!(
        r##"<div class="BorlabsCookie _brlbs-cb-twitter"><div class="_brlbs-content-blocker"><div class="_brlbs-embed _brlbs-twitter">
<p class="_brlbs-caption">Mit dem Laden des Tweets akzeptieren Sie die Datenschutzerklärung von Twitter.</p>
<a class="_brlbs-btn" href="#" data-borlabs-cookie-unblock role="button">Inhalt entsperren</a></div></div>
<script type="text/template">{}</script></div>"##,
        b64(TWEET)
    );
    let c = one_consent(&body);
    assert_eq!(c.platform, Platform::X);
    assert_eq!(c.post_id.as_deref(), Some("1404220535211443219"));
    assert_eq!(c.handle.as_deref(), Some("hwz_bayern"));
    assert_eq!(c.text.as_deref(), Some("Pegel bei 4,20 m"));
    assert_eq!(c.display_date.as_deref(), Some("13. Juni 2021"));
    // Borlabs 3 keeps it in an attribute instead; the blocker's id names
    // the service, which is what lets the page through the prefilter.
    let body = format!(
        r#"<div class="brlbs-cmpnt-container brlbs-cmpnt-content-blocker" data-borlabs-cookie-content-blocker-id="x-alias-twitter" data-borlabs-cookie-content="{}"><p>Externer Inhalt</p></div>"#,
        b64(TWEET)
    );
    assert_eq!(one_consent(&body).handle.as_deref(), Some("hwz_bayern"));
}

#[test]
fn embetty_elements_name_the_post_by_id() {
    let c = one_consent(r#"<embetty-tweet status="1225455484259442691"></embetty-tweet>"#);
    assert_eq!(
        (c.platform, c.post_id.as_deref()),
        (Platform::X, Some("1225455484259442691"))
    );
    let c = one_consent(r#"<embetty-video type="youtube" video-id="K7yr8Sg44cA"></embetty-video>"#);
    assert_eq!(
        (c.platform, c.post_id.as_deref()),
        (Platform::YouTube, Some("K7yr8Sg44cA"))
    );
}

#[test]
fn usercentrics_and_didomi_keep_the_url_in_data_attributes() {
    let c = one_consent(
        r#"<div class="uc-embedding-container" data-usercentrics="Instagram" data-uc-src="https://www.instagram.com/p/CqXk3Lr0aB1/?utm_source=ig_embed"><span>Wir benötigen Ihre Zustimmung</span></div>"#,
    );
    assert_eq!(
        (c.platform, c.post_id.as_deref()),
        (Platform::Instagram, Some("CqXk3Lr0aB1"))
    );
    let c = one_consent(
        r#"<div class="didomi-placeholder" data-didomi-vendor="twitter" data-url="https://x.com/lemonde/status/1581661660728950784"><p>Ce contenu est bloqué.</p><button>Accepter</button></div>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("1581661660728950784"));
}

#[test]
fn embed_privacy_keeps_escaped_json_in_a_script() {
    let c = one_consent(
        r#"<div class="embed-privacy-container is-disabled embed-twitter" data-embed-id="oembed_1" data-embed-provider="twitter">
<div class="embed-privacy-overlay"><p>Klicken Sie hier, um Inhalte von X anzuzeigen.</p></div>
<div class="embed-privacy-content"><script>var _oembed_1 = '{"embed":"&lt;blockquote class=&quot;twitter-tweet&quot;&gt;&lt;p lang=&quot;en&quot;&gt;Roads closed&lt;\/p&gt;&amp;mdash; City (@city) &lt;a href=&quot;https:\/\/twitter.com\/city\/status\/1721144944059118002&quot;&gt;November 5, 2023&lt;\/a&gt;&lt;\/blockquote&gt;"}';</script></div></div>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("1721144944059118002"));
    assert_eq!(c.handle.as_deref(), Some("city"));
}

#[test]
fn json_in_an_attribute_and_a_template() {
    // Publisher's own box: the oEmbed answer, HTML-escaped, in an attribute.
    let c = one_consent(
        r#"<div class="external-content js-consent" data-embed="{&quot;provider&quot;:&quot;twitter&quot;,&quot;html&quot;:&quot;\u003cblockquote class=\&quot;twitter-tweet\&quot;\u003e\u003ca href=\&quot;https:\/\/twitter.com\/a\/status\/1225455484259442691\&quot;\u003e\u003c\/a\u003e\u003c\/blockquote\u003e&quot;}"><p>Externer Inhalt von X</p></div>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("1225455484259442691"));
    // heise-style opt-in element with the embed in a <template>.
    let c = one_consent(&format!(
        r#"<a-opt-in type="twitter"><div class="opt-in__content"><p>Empfohlener redaktioneller Inhalt</p></div><template>{TWEET}</template></a-opt-in>"#
    ));
    assert_eq!(c.post_id.as_deref(), Some("1404220535211443219"));
    assert_eq!(c.text.as_deref(), Some("Pegel bei 4,20 m"));
}

#[test]
fn noscript_fallback_of_a_two_click_box() {
    let c = one_consent(
        r#"<div class="two-click-wrapper" data-consent-service="facebook"><button>Beitrag laden</button>
<noscript><div class="fb-post" data-href="https://www.facebook.com/Stadtwerke/posts/928812574504508/"></div></noscript></div>"#,
    );
    assert_eq!(c.platform, Platform::Facebook);
    assert_eq!(c.post_id.as_deref(), Some("928812574504508"));
}

#[test]
fn the_plain_link_beside_a_placeholder_is_not_a_second_citation() {
    let found = html(
        r#"<p>Die Zentrale warnte am Abend.</p>
<div class="sp-placeholder" data-sp-embed-url="https://twitter.com/hwz_bayern/status/1404220535211443219"><p>Inhalt von X</p></div>
<p class="source"><a href="https://twitter.com/hwz_bayern/status/1404220535211443219">Zum Tweet</a></p>
<p>Weiter unten: <a href="https://twitter.com/hwz_bayern/status/1225455484259442691">ein älterer Beitrag</a>.</p>"#,
    );
    let kinds: Vec<_> = found
        .iter()
        .map(|c| (c.kind, c.post_id.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(
        kinds,
        [
            (Kind::Embed, "1404220535211443219"),
            (Kind::Link, "1225455484259442691")
        ],
        "{found:#?}"
    );
    // Inside the placeholder, its own link is part of it.
    let c = one_consent(
        r#"<div class="cmplz-placeholder-element"><p>Klicken, um den Beitrag zu laden:</p><a href="https://www.instagram.com/p/CqXk3Lr0aB1/">Auf Instagram ansehen</a></div>"#,
    );
    assert_eq!(c.platform, Platform::Instagram);
}

#[test]
fn a_consent_wrapper_around_a_live_embed_is_the_live_embed() {
    let body = format!(
        r#"<div class="privacy-embed-preview privacy-embed-twitter" data-html="{}">{TWEET}</div>"#,
        b64(TWEET)
    );
    let found = html(&body);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].shape, "blockquote");
}

#[test]
fn placeholders_naming_no_post_yield_nothing() {
    let found = html(
        r#"<div class="consent-box" data-consent-src="https://twitter.com/hwz_bayern"><p>Timeline von X laden</p></div>
<div class="BorlabsCookie"><a href="https://www.youtube.com/@channel">Kanal</a></div>"#,
    );
    assert!(found.is_empty(), "{found:#?}");
}
