//! Reader sections are not citations: comment threads, webmentions,
//! related rails, newsletter boxes. Layouts written for these tests in the
//! styles of several CMSs and languages; each has one post the article
//! cites and some it does not.

use embarc::detect::{Citation, DocKind, Hints, Kind, detect};

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

/// The ids found, in order.
fn ids(page: &str) -> Vec<String> {
    html(page)
        .into_iter()
        .map(|c| c.post_id.unwrap_or_default())
        .collect()
}

const CITED: &str = "1404220535211443219";
const CITED_LINK: &str =
    r#"<a href="https://twitter.com/stadtwerke/status/1404220535211443219">teilte mit</a>"#;

#[test]
fn wordpress_comments_related_posts_and_newsletter() {
    let page = format!(
        r##"<!doctype html><html><body class="post-template single comments-open">
<article id="post-12" class="post type-post has-comments">
 <div class="entry-content"><p>The utility {CITED_LINK} the outage.</p></div>
 <div id="jp-relatedposts" class="jp-relatedposts"><h3>Related</h3>
  <a href="https://twitter.com/other/status/1225455484259442691">Earlier outage</a></div>
</article>
<div class="newsletter-signup"><p>Follow us: <a href="https://x.com/paper/status/1581661660728950784">our pinned post</a></p></div>
<div id="comments" class="comments-area">
 <ol class="comment-list"><li id="comment-4" class="comment even">
  <div class="comment-content"><p>Source? <a href="https://twitter.com/reader/status/1721144944059118002">this</a></p></div>
  <a class="comment-reply-link" href="#respond">Reply</a></li></ol>
 <div id="respond" class="comment-respond"><blockquote class="twitter-tweet"><a href="https://twitter.com/r2/status/996650856568295425"></a></blockquote></div>
</div></body></html>"##
    );
    assert_eq!(ids(&page), [CITED]);
}

#[test]
fn ghost_comments_and_read_more() {
    let page = format!(
        r#"<html><body><main class="gh-main"><article class="gh-article post">
<section class="gh-content gh-canvas"><p>Statement: {CITED_LINK}</p>
 <figure class="kg-card kg-embed-card"><blockquote class="twitter-tweet"><p lang="en">Power is back</p>&mdash; Stadtwerke (@stadtwerke) <a href="https://twitter.com/stadtwerke/status/1225455484259442691">February 6, 2020</a></blockquote></figure>
</section>
<section class="article-comments gh-canvas"><div class="gh-comments">
 <a href="https://twitter.com/someone/status/1581661660728950784">a reader's link</a></div></section>
<aside class="gh-readmore read-more-wrap" aria-label="Recommended">
 <a href="https://twitter.com/x/status/1721144944059118002">More</a></aside>
</article></main></body></html>"#
    );
    assert_eq!(ids(&page), [CITED, "1225455484259442691"]);
}

#[test]
fn drupal_comment_wrapper_and_body_field() {
    let page = format!(
        r#"<html><body><div class="node node--type-article">
<div class="field field--name-body field--type-text-with-summary"><p>{CITED_LINK}</p></div>
<section class="comment-wrapper" id="comments"><h2>Comments</h2>
 <article class="comment js-comment"><div class="field--name-comment-body"><p><a href="https://x.com/u/status/1721144944059118002">look</a></p></div></article>
</section></div></body></html>"#
    );
    assert_eq!(ids(&page), [CITED]);
}

#[test]
fn medium_like_responses_by_label() {
    let page = format!(
        r#"<html><body><article><div class="x8f y2"><p>{CITED_LINK}</p></div></article>
<div class="pw-responses"><section aria-label="Responses"><div class="a1 b2"><p><a href="https://twitter.com/r/status/1721144944059118002">same here</a></p></div></section></div>
</body></html>"#
    );
    assert_eq!(ids(&page), [CITED]);
}

#[test]
fn german_and_french_reader_sections() {
    let de = format!(
        r#"<html><body><div class="artikel"><div class="artikel-text"><p>Die Stadtwerke {CITED_LINK}.</p></div>
<div class="leserkommentare"><h3>Kommentare (2)</h3><p><a href="https://twitter.com/leser/status/1721144944059118002">Quelle</a></p></div>
<div class="artikelEmpfehlungen relatedArticles"><a href="https://twitter.com/x/status/1581661660728950784">Auch interessant</a></div>
</div></body></html>"#
    );
    assert_eq!(ids(&de), [CITED]);
    let fr = format!(
        r#"<html><body><div class="article__content"><p>La régie {CITED_LINK}.</p></div>
<div id="commentaires" class="bloc-commentaires"><p><a href="https://twitter.com/lecteur/status/1721144944059118002">voir</a></p></div>
<div class="OUTBRAIN" data-widget-id="AR_1"><a href="https://twitter.com/ad/status/1581661660728950784">Sponsorisé</a></div>
<div id="taboola-below-article"><a href="https://twitter.com/ad/status/1225455484259442691">Contenu</a></div>
</body></html>"#
    );
    assert_eq!(ids(&fr), [CITED]);
}

#[test]
fn webmentions_are_not_cited() {
    let page = format!(
        r#"<html><body><article class="h-entry"><div class="e-content"><p>{CITED_LINK}</p></div>
<section class="webmentions"><h2>Mentions</h2>
 <ul class="likes"><li><a class="u-url" href="https://mastodon.social/@fan/109000000000000000">fan</a></li></ul>
 <ul class="reposts"><li><a href="https://bsky.app/profile/a.example/post/3kq2vxyzabc2a">a</a></li></ul>
 <ul class="replies"><li><a href="https://twitter.com/r/status/1721144944059118002">reply</a></li></ul>
</section></article></body></html>"#
    );
    assert_eq!(ids(&page), [CITED]);
}

#[test]
fn embeds_in_comment_like_wrappers_inside_the_body_still_count() {
    // Marked article body: a quoted reader comment is the article's own.
    let page = r#"<html><body><article><div class="entry-content">
<p>One reader replied:</p>
<div class="comment"><blockquote class="twitter-tweet"><p lang="de">Stimmt nicht</p>&mdash; Leserin (@leserin) <a href="https://twitter.com/leserin/status/1721144944059118002">November 5, 2023</a></blockquote></div>
</div></article></body></html>"#;
    let found = html(page);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, Kind::Embed);
    // No marked body, but the wrapper names the embed it holds.
    let page = r#"<html><body><article><p>Reactions:</p>
<figure class="embed-comment"><blockquote class="twitter-tweet"><a href="https://twitter.com/a/status/1721144944059118002"></a></blockquote></figure>
<div class="tweet-replies"><blockquote class="twitter-tweet"><a href="https://twitter.com/b/status/1581661660728950784"></a></blockquote></div>
</article></body></html>"#;
    assert_eq!(ids(page), ["1721144944059118002", "1581661660728950784"]);
}

#[test]
fn page_states_named_like_sections_hide_nothing() {
    // WordPress puts `comments-open` on body and article, themes add
    // `has-comments`, `comment-count` badges sit in the article header.
    let page = format!(
        r#"<html><body class="comments-open"><div class="site has-comments"><div class="content comments-closed">
<header><span class="comment-count">3</span></header><p>{CITED_LINK}</p></div></div></body></html>"#
    );
    assert_eq!(ids(&page), [CITED]);
}

#[test]
fn layout_wrappers_named_like_sections_hold_the_article() {
    // Genesis (WordPress) wraps the article and the sidebar together.
    let page = format!(
        r#"<html><body><div class="site-inner"><div class="content-sidebar-wrap">
<main class="content"><article class="post"><div class="entry-content"><p>{CITED_LINK}</p></div></article></main>
<aside class="sidebar sidebar-primary widget-area"><a href="https://twitter.com/ad/status/1581661660728950784">Top</a></aside>
</div></div></body></html>"#
    );
    assert_eq!(ids(&page), [CITED]);
}
