//! X/Twitter embed shapes in HTML (docs/platforms.md §1.1), one test per shape,
//! on small pages written for these tests.

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

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>t</title></head><body><article>{body}</article></body></html>"
    )
}

fn only(body: &str) -> Citation {
    let found = html(&page(body));
    assert_eq!(found.len(), 1, "expected one citation, got {found:#?}");
    found.into_iter().next().unwrap()
}

#[test]
fn modern_publish_blockquote() {
    let c = only(
        r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Honored to be here today. <a href="https://t.co/AbCdEf12">pic.twitter.com/AbCdEf12</a></p>&mdash; Seth G. (@Rabbi_360) <a href="https://twitter.com/Rabbi_360/status/1214387633146564608?ref_src=twsrc%5Etfw">January 7, 2020</a></blockquote>
        <script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>"#,
    );
    assert_eq!(c.platform, Platform::X);
    assert_eq!(c.kind, Kind::Embed);
    assert_eq!(c.post_id.as_deref(), Some("1214387633146564608"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://x.com/Rabbi_360/status/1214387633146564608")
    );
    assert_eq!(c.handle.as_deref(), Some("Rabbi_360"));
    assert_eq!(c.author_name.as_deref(), Some("Seth G."));
    assert_eq!(c.display_date.as_deref(), Some("January 7, 2020"));
    assert_eq!(c.date.unwrap().to_string(), "2020-01-07");
    assert!(c.posted_at_ms.is_some());
    assert_eq!(
        c.text.as_deref(),
        Some("Honored to be here today. pic.twitter.com/AbCdEf12")
    );
    assert_eq!(c.media, ["pic.twitter.com/AbCdEf12"]);
    assert_eq!(c.lang.as_deref(), Some("en"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn older_blockquote_with_statuses_path_and_line_breaks() {
    let c = only(
        r#"<blockquote class="twitter-tweet tw-align-center" lang="en">
            <p>Rules for the game:
               <br />(1) Think of a noun
               <br />(2) Search for it</p>— Ada Example (@ada_example)
            <a href="https://twitter.com/ada_example/statuses/370525864523743232">August 22, 2013</a>
        </blockquote>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("370525864523743232"));
    assert_eq!(c.handle.as_deref(), Some("ada_example"));
    assert_eq!(c.author_name.as_deref(), Some("Ada Example"));
    assert_eq!(
        c.text.as_deref(),
        Some("Rules for the game:\n(1) Think of a noun\n(2) Search for it")
    );
    assert_eq!(c.date.unwrap().to_string(), "2013-08-22");
}

#[test]
fn wordpress_tail_in_its_own_paragraph_and_multi_paragraph_text() {
    let c = only(
        r#"<figure class="wp-block-embed is-type-rich is-provider-twitter wp-block-embed-twitter"><div class="wp-block-embed__wrapper">
        <blockquote class="twitter-tweet" data-width="500"><p lang="en" dir="ltr">First paragraph of the post.</p>
        <p>Second paragraph &amp; more.</p>
        <p>&#x2014; Josh R (@joshr) <a href="https://twitter.com/joshr/status/807342596079099904">December 9, 2016</a></p></blockquote>
        </div></figure>"#,
    );
    assert_eq!(c.shape, "blockquote");
    assert_eq!(
        c.text.as_deref(),
        Some("First paragraph of the post.\nSecond paragraph & more.")
    );
    assert_eq!(c.handle.as_deref(), Some("joshr"));
    assert_eq!(c.author_name.as_deref(), Some("Josh R"));
}

#[test]
fn every_dash_entity_is_a_tail() {
    for dash in ["&mdash;", "—", "&#8212;", "&#x2014;"] {
        let c = only(&format!(
            r#"<blockquote class="twitter-tweet"><p>Text</p>{dash} Name (@handle) <a href="https://x.com/handle/status/1581661660728950784">Oct 16, 2022</a></blockquote>"#
        ));
        assert_eq!(c.handle.as_deref(), Some("handle"), "{dash}");
        assert_eq!(c.author_name.as_deref(), Some("Name"), "{dash}");
        assert_eq!(c.text.as_deref(), Some("Text"), "{dash}");
    }
}

#[test]
fn names_with_parentheses_emoji_and_at_signs() {
    let c = only(
        r#"<blockquote class="twitter-tweet"><p>Hi</p>&mdash; Team (Official) 🇫🇷 @ home (@team_fr) <a href="https://twitter.com/team_fr/status/1721144944059118002">November 5, 2023</a></blockquote>"#,
    );
    assert_eq!(c.author_name.as_deref(), Some("Team (Official) 🇫🇷 @ home"));
    assert_eq!(c.handle.as_deref(), Some("team_fr"));
    let rtl = only(
        r#"<blockquote class="twitter-tweet"><p>שלום</p>&mdash; תעמוד עם ישראל (@12_31_84) <a href="https://twitter.com/12_31_84/status/1721083635611128283">November 5, 2023</a></blockquote>"#,
    );
    assert_eq!(rtl.author_name.as_deref(), Some("תעמוד עם ישראל"));
}

#[test]
fn empty_date_anchor_takes_the_date_from_the_id() {
    let c = only(
        r#"<blockquote class="twitter-tweet" data-lang="en"><p lang="en" dir="ltr">Love it</p>&mdash; Seb R (@port_noy) <a href="https://twitter.com/port_noy/status/811931086355832833?ref_src=twsrc%5Etfw"></a></blockquote>"#,
    );
    assert_eq!(c.display_date, None);
    assert_eq!(c.handle.as_deref(), Some("port_noy"));
    assert_eq!(c.date.unwrap().to_string(), "2016-12-22");
}

#[test]
fn localised_display_dates_are_kept_verbatim() {
    for (shown, id, day) in [
        ("16 мая 2018 г.", "996650856568295425", "2018-05-16"),
        ("25. September 2018", "1044515200000000001", "2018-09-25"),
        ("2016年5月28日", "736551000000000001", "2016-05-28"),
    ] {
        let c = only(&format!(
            r#"<blockquote class="twitter-tweet" data-lang="en"><p>x</p>&mdash; N (@h) <a href="https://twitter.com/h/status/{id}">{shown}</a></blockquote>"#
        ));
        assert_eq!(c.display_date.as_deref(), Some(shown));
        assert_eq!(c.date.unwrap().to_string(), day, "{shown}");
        assert!(c.warnings.is_empty(), "{shown}: {:?}", c.warnings);
    }
}

#[test]
fn stub_blockquote_has_only_the_id() {
    let c = only(
        r#"<blockquote class="twitter-tweet"><a href="https://twitter.com/DiarioX/status/1519105091772596231"></a></blockquote>"#,
    );
    assert_eq!(c.shape, "stub");
    assert_eq!(c.post_id.as_deref(), Some("1519105091772596231"));
    assert_eq!(c.handle, None);
    assert_eq!(c.url_handle.as_deref(), Some("DiarioX"));
    assert_eq!(c.text, None);
    assert_eq!(c.date.unwrap().to_string(), "2022-04-27");
}

#[test]
fn publisher_tombstone_is_recorded_with_a_warning() {
    let c = only(
        r#"<blockquote class="twitter-tweet"><a class="x" href="https://twitter.com/TomN/status/808782171829891072" target="_blank">
        Tweet may have been deleted <span class="sr-only">(opens in a new tab)</span></a></blockquote>"#,
    );
    assert_eq!(c.shape, "tombstone");
    assert_eq!(c.post_id.as_deref(), Some("808782171829891072"));
    assert_eq!(c.text, None);
    assert_eq!(c.display_date, None);
    assert!(c.warnings.iter().any(|w| w.kind == "publisher_tombstone"));
    assert_eq!(c.date.unwrap().to_string(), "2016-12-13");
}

#[test]
fn rendered_iframe_2016_without_src() {
    let c = only(
        r#"<iframe id="twitter-widget-0" class="twitter-tweet twitter-tweet-rendered" data-tweet-id="800384752746254337" title="Twitter Tweet"></iframe>"#,
    );
    assert_eq!(c.kind, Kind::Embed);
    assert_eq!(c.post_id.as_deref(), Some("800384752746254337"));
    assert_eq!(
        c.post_url.as_deref(),
        Some("https://x.com/i/status/800384752746254337")
    );
}

#[test]
fn rendered_div_with_tweet_html_iframe() {
    let c = only(
        r#"<div class="twitter-tweet twitter-tweet-rendered"><iframe title="Twitter Tweet" src="https://platform.twitter.com/embed/Tweet.html?dnt=false&amp;embedId=twitter-widget-0&amp;frame=false&amp;id=790936002017755136&amp;lang=en&amp;creatorScreenName=someone"></iframe></div>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("790936002017755136"));
    assert_eq!(c.url_handle, None, "creatorScreenName is not the author");
}

#[test]
fn saved_page_iframe_keeps_only_data_tweet_id() {
    let c = only(
        r#"<div class="twitter-tweet twitter-tweet-rendered"><iframe src="./page_files/Tweet.html" data-tweet-id="1521523341391282176"></iframe></div>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("1521523341391282176"));
    assert_eq!(c.date.unwrap().to_string(), "2022-05-03");
}

#[test]
fn wrapper_class_does_not_decide_the_platform() {
    // A Verge-style page: an Instagram iframe inside a tweet wrapper.
    let found = html(&page(
        r#"<div class="twitter-tweet-rendered"><iframe class="instagram-media instagram-media-rendered" src="https://www.instagram.com/p/Ci22crtrcRL/embed/captioned/"></iframe></div>"#,
    ));
    assert!(
        found.iter().all(|c| c.platform != Platform::X),
        "{found:#?}"
    );
}

#[test]
fn amp_twitter_with_and_without_placeholder() {
    let bare = only(
        r#"<amp-twitter width="375" height="472" layout="responsive" data-tweetid="1311697819384844290"></amp-twitter>"#,
    );
    assert_eq!(bare.shape, "amp");
    assert_eq!(bare.post_id.as_deref(), Some("1311697819384844290"));
    assert_eq!(bare.text, None);
    let full = only(
        r#"<amp-twitter data-tweetid="1311697819384844290" layout="responsive" width="1" height="1"><blockquote placeholder><p lang="en">BREAKING: something happened</p>&mdash; Some One (@someone) <a href="https://twitter.com/someone/status/1311697819384844290">October 1, 2020</a></blockquote></amp-twitter>"#,
    );
    assert_eq!(full.post_id.as_deref(), Some("1311697819384844290"));
    assert_eq!(full.handle.as_deref(), Some("someone"));
    assert_eq!(full.text.as_deref(), Some("BREAKING: something happened"));
    assert_eq!(full.labels, ["BREAKING"]);
}

#[test]
fn gutenberg_figure_with_bare_url_and_timeline_figure() {
    let c = only(
        r#"<figure class="wp-block-embed-twitter wp-block-embed is-provider-twitter"><div class="wp-block-embed__wrapper">
        https://twitter.com/jack/status/20
        </div></figure>"#,
    );
    assert_eq!(c.shape, "gutenberg");
    assert_eq!(c.post_id.as_deref(), Some("20"));
    assert_eq!(c.date, None, "ids below the Snowflake era carry no time");
    let none = html(&page(
        r#"<figure class="wp-block-embed-twitter wp-block-embed"><div class="wp-block-embed__wrapper">
        <a class="twitter-timeline" data-width="500" href="https://twitter.com/SomeOrg?ref_src=twsrc%5Etfw">Tweets by SomeOrg</a>
        </div></figure>"#,
    ));
    assert!(none.is_empty(), "a timeline is not a post: {none:#?}");
}

#[test]
fn jetpack_shortcodes_in_saved_text() {
    let found = html(&page(
        r#"<p>[tweet https://twitter.com/jack/statuses/20 width="350"]</p><p>[tweet tweet="1225455484259442691"]</p>"#,
    ));
    let ids: Vec<_> = found.iter().filter_map(|c| c.post_id.as_deref()).collect();
    assert_eq!(ids, ["20", "1225455484259442691"]);
    assert!(
        found
            .iter()
            .all(|c| c.kind == Kind::Embed && c.shape == "shortcode")
    );
}

#[test]
fn plain_links_are_link_citations_but_not_inside_embeds() {
    let found = html(&page(
        r#"<p>As she <a href="https://twitter.com/ShannonK/status/1214351117548576770?s=20">tweeted</a>, and
        <a href="https://mobile.twitter.com/i/web/status/1225455484259442691">again</a>.</p>
        <blockquote class="twitter-tweet"><p>Post <a href="https://twitter.com/other/status/1581661660728950784">quoted link</a></p>&mdash; A (@a) <a href="https://twitter.com/a/status/1721144944059118002">November 5, 2023</a></blockquote>
        <p><a href="https://twitter.com/ShannonK">profile</a> <a href="https://twitter.com/hashtag/news?src=hash">#news</a>
        <a href="https://twitter.com/intent/tweet?text=hi">share</a></p>"#,
    ));
    let got: Vec<_> = found
        .iter()
        .map(|c| (c.kind, c.post_id.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        got,
        [
            (Kind::Link, "1214351117548576770".to_string()),
            (Kind::Link, "1225455484259442691".to_string()),
            (Kind::Embed, "1721144944059118002".to_string()),
        ]
    );
}

#[test]
fn class_names_in_style_and_script_are_not_embeds() {
    let found = html(
        r#"<html><head><style>.twitter-tweet { margin: 0 } blockquote.twitter-tweet p {}</style>
        <script>document.querySelectorAll('blockquote.twitter-tweet'); var u = "https://twitter.com/a/status/1214351117548576770";</script>
        <meta property="og:description" content="https://twitter.com/a/status/1214351117548576770"></head>
        <body><p>No embeds, but <script src="https://platform.twitter.com/widgets.js"></script></p></body></html>"#,
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn consistency_warnings_handle_and_date() {
    let c = only(
        r#"<blockquote class="twitter-tweet"><p>Edited?</p>&mdash; Real Name (@alancarroII) <a href="https://twitter.com/alancarroll/status/1225455484259442691">March 3, 2021</a></blockquote>"#,
    );
    assert_eq!(
        c.handle.as_deref(),
        Some("alancarroII"),
        "never correct a handle"
    );
    let kinds: Vec<_> = c.warnings.iter().map(|w| w.kind).collect();
    assert!(kinds.contains(&"handle_mismatch"), "{kinds:?}");
    assert!(kinds.contains(&"date_mismatch"), "{kinds:?}");
    assert_eq!(
        c.date.unwrap().to_string(),
        "2020-02-06",
        "the id's date wins over the display date"
    );
}

#[test]
fn javascript_rounded_ids_give_way_only_to_the_exact_id() {
    // Alone, an id that looks rounded may be a real one (sequence 0): kept.
    let c = only(
        r#"<iframe class="twitter-tweet-rendered" data-tweet-id="550196187970560000"></iframe>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("550196187970560000"));
    assert!(c.warnings.is_empty());
    // Beside the exact id it rounds, it is set aside (more in detect_ids.rs).
    let c = only(
        r#"<div class="twitter-tweet-rendered" data-tweet-id="550196187970560000"><iframe src="https://platform.twitter.com/embed/Tweet.html?id=550196187970560021"></iframe></div>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("550196187970560021"));
    assert!(c.warnings.iter().any(|w| w.kind == "rounded_id"));
}

#[test]
fn publisher_iframe_with_id_in_its_name() {
    let c = only(
        r#"<p><iframe src="http://static.example.com/TwitterEmbed/web1.html" id="tweetframe5501858650548060183806213001420010041"><noframe>Twitter: Tom P - The government asked citizens to cancel celebrations</noframe></iframe></p>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("550185865054806018"));
    assert_eq!(c.author_name.as_deref(), Some("Tom P"));
    assert_eq!(
        c.text.as_deref(),
        Some("The government asked citizens to cancel celebrations")
    );
}

#[test]
fn labels_on_embeds_enter_the_queue_later() {
    let c = only(
        r#"<blockquote class="twitter-tweet"><p>🚨 JUST IN: The vote passed</p>&mdash; News (@news) <a href="https://twitter.com/news/status/807334206376443904">December 9, 2016</a></blockquote>"#,
    );
    assert_eq!(c.labels, ["JUST IN"]);
    let calm = only(
        r#"<blockquote class="twitter-tweet"><p>Breaking the record again</p>&mdash; News (@news) <a href="https://twitter.com/news/status/807334206376443904">December 9, 2016</a></blockquote>"#,
    );
    assert!(calm.labels.is_empty());
}

#[test]
fn same_post_twice_is_two_citations_in_document_order() {
    let bq = r#"<blockquote class="twitter-tweet"><p>x</p>&mdash; I (@itm) <a href="https://twitter.com/itm/status/1092262735423856642">February 4, 2019</a></blockquote>"#;
    let found = html(&page(&format!(
        "<ul><li>{bq}</li><li><ul><li>{bq}</li></ul></li></ul>"
    )));
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].post_id, found[1].post_id);
}

#[test]
fn referrer_lists_and_navigation_are_not_the_article() {
    let found = html(&page(
        r#"<p>Body</p><div class="refererlist"><ul><li><a href="https://twitter.com/me/status/1096274886635319298">Twitter</a></li></ul></div>
        <nav><a href="https://twitter.com/site/status/1096274886635319299">pinned</a></nav>"#,
    ));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn entity_escaped_ascii_page_in_a_declared_legacy_charset() {
    // All ASCII with numeric references, declared EUC-JP.
    let page = r#"<html><head><meta http-equiv="Content-Type" content="text/html; charset=EUC-JP"></head><body>
    <blockquote class="twitter-tweet"><p lang="ja" dir="ltr">&#x5168;&#x56FD;</p>&mdash; &#x65E5;&#x520A; (@nikkan) <a href="https://twitter.com/nikkan/status/1089996539030851590?ref_src=twsrc%5Etfw">January 28, 2019</a></blockquote></body></html>"#;
    let found = html(page);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].text.as_deref(), Some("全国"));
    assert_eq!(found[0].author_name.as_deref(), Some("日刊"));
}

#[test]
fn substack_static_card_without_an_id() {
    let c = only(
        r#"<div class="tweet
            static" data-href="https://substack.com/redirect/abc?j=xyz"><a class="tweet-link-top" href="https://substack.com/redirect/1f2e3d"><div class="tweet-header"><img class="tweet-header-avatar" src="https://substackcdn.com/image/twitter_name/w_96/someone.jpg" alt="Twitter avatar for @civic_desk"><div class="tweet-header-text"><span class="tweet-author-name">Civic Desk 🏛️</span><span class="tweet-author-handle">@civic_desk</span></div></div>
            <div class="tweet-text">BREAKING: the council approved the budget 7–2.</div></a>
            <div class="quote-tweet"><span class="tweet-author-name">Quoted Person</span><span class="tweet-author-handle">@quoted</span><div class="tweet-text">The quoted text</div></div>
            <a class="tweet-link-bottom" href="https://substack.com/redirect/9a8b7c"><div class="tweet-footer"><span class="tweet-date">8:44 AM ∙ Mar 15, 2023</span></div></a></div>"#,
    );
    assert_eq!(c.shape, "newsletter-card");
    assert_eq!(c.post_id, None);
    assert_eq!(c.handle.as_deref(), Some("civic_desk"));
    assert_eq!(c.author_name.as_deref(), Some("Civic Desk 🏛️"));
    assert_eq!(
        c.text.as_deref(),
        Some("BREAKING: the council approved the budget 7–2.")
    );
    assert_eq!(c.display_date.as_deref(), Some("8:44 AM ∙ Mar 15, 2023"));
    assert_eq!(c.date.unwrap().to_string(), "2023-03-15");
    assert_eq!(c.labels, ["BREAKING"]);
}

#[test]
fn substack_card_with_the_id_in_an_odd_place() {
    let c = only(
        r#"<div class="tweet static"><div class="tweet-header"><span class="tweet-author-name">Ana</span><span class="tweet-author-handle">@ana_news</span></div><div class="tweet-text">Polls are open.</div><div class="tweet-footer"><span class="tweet-date">Oct 16, 2022</span><span href="https://twitter.com/ana_news/status/1581661660728950784/likes">12 likes</span></div></div>"#,
    );
    assert_eq!(c.post_id.as_deref(), Some("1581661660728950784"));
    assert_eq!(c.handle.as_deref(), Some("ana_news"));
}

#[test]
fn a_tweet_class_without_a_card_is_not_a_post() {
    let found = html(&page(
        r#"<div class="tweet"><a href="https://twitter.com/intent/tweet?text=share">Tweet this</a></div>"#,
    ));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn beehiiv_email_card() {
    let c = only(
        r#"<table class="wrapper"><tr><td>
        <table class="card"><tr><td>
          <table><tr><td><img src="https://pbs.twimg.com/profile_images/1/avatar.jpg" alt="tw profile: Harbour Watch"></td>
          <td><span>Harbour Watch</span><br><span>@harbourwatch</span></td>
          <td><img src="https://media.beehiiv.com/static/x_logo.png" alt="logo"></td></tr></table>
        </td></tr>
        <tr><td><p>Three ships are waiting outside the port tonight.</p></td></tr>
        <tr><td><a href="https://link.mail.beehiiv.com/ss/c/abc"><span>Oct 11, 2022</span></a></td></tr>
        </table></td></tr></table>"#,
    );
    assert_eq!(c.shape, "newsletter-card");
    assert_eq!(c.handle.as_deref(), Some("harbourwatch"));
    assert_eq!(c.author_name.as_deref(), Some("Harbour Watch"));
    assert_eq!(
        c.text.as_deref(),
        Some("Three ships are waiting outside the port tonight.")
    );
    assert_eq!(c.display_date.as_deref(), Some("Oct 11, 2022"));
    assert_eq!(c.post_id, None);
}

#[test]
fn copy_of_an_embed_without_its_class_keeps_its_status_link() {
    // A CMS dropped the widget class: what is left is a copy in HTML.
    let found = html(&page(
        r#"<p>The mayor wrote on Tuesday evening after the vote had been counted in the council chamber and the results were read out to a full public gallery that had waited since the afternoon for the outcome of the long debate.</p>
        <blockquote><p>We will rebuild the bridge by spring.</p>— Mayor Jo (@mayorjo) <a href="https://twitter.com/mayorjo/status/1631000000000000001">March 1, 2023</a></blockquote>
        <p>Later she <a href="https://twitter.com/mayorjo/status/1631000000000000001">repeated it</a>.</p>"#,
    ));
    let got: Vec<_> = found
        .iter()
        .map(|c| (c.kind, c.post_id.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        got,
        [
            (Kind::Link, "1631000000000000001".to_string()),
            (Kind::Text, "1631000000000000001".to_string()),
        ],
        "{found:#?}"
    );
    let copy = &found[1];
    assert_eq!(copy.handle.as_deref(), Some("mayorjo"));
    assert_eq!(
        copy.text.as_deref(),
        Some("We will rebuild the bridge by spring.")
    );
    assert_eq!(copy.display_date.as_deref(), Some("March 1, 2023"));
}
