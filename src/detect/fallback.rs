//! Embeds kept only as a `<noscript>` fallback.
//!
//! Lazy-loading plugins and some CMSs leave an empty box that a script
//! fills in, with the embed's markup (`blockquote.twitter-tweet`, an
//! Instagram blockquote, a player iframe) inside `<noscript>` for readers
//! without scripts. A browser with scripts, like html5ever, reads that
//! markup as text, so the walk hands the text here: [`noscript`] parses it
//! and offers each element to the embed matchers. What it finds is an
//! `embed` with shape `noscript`.
//!
//! [`add`] then keeps a fallback only when it adds something: a post the
//! page already embeds is the same post again (the box and its fallback),
//! and the page's own media player, named in its metadata (`og:video`,
//! `twitter:player`), is not a post the article cites.

use super::dom::elements;
use super::html::embeds_below;
use super::{Citation, Kind, Platform, prefilter, urls};
use memchr::memmem;
use scraper::Html;

/// The embeds in a `<noscript>`'s text (its markup, unparsed).
pub(super) fn noscript(text: &str) -> Vec<Citation> {
    if !prefilter::may_cite(text.as_bytes()) {
        return Vec::new();
    }
    let doc = Html::parse_fragment(text);
    // Only embeds: a bare link in a fallback is not a citation.
    let mut out = embeds_below(doc.tree.root(), |_| None);
    for c in &mut out {
        c.kind = Kind::Embed;
        c.shape = "noscript";
    }
    out
}

/// Add the fallbacks that name a post nothing else on the page embeds and
/// that is not the page's own media (read from `source`'s metadata, only
/// when there is a fallback to judge).
pub(super) fn add(out: &mut Vec<Citation>, fallbacks: Vec<Citation>, source: &str) {
    if fallbacks.is_empty() {
        return;
    }
    let own = own_media(source);
    for c in fallbacks {
        let key = (c.platform, c.post_id.clone());
        let embedded =
            |o: &Citation| o.kind == Kind::Embed && (o.platform, o.post_id.clone()) == key;
        if c.post_id.is_none() || own.contains(&key) || out.iter().any(embedded) {
            continue;
        }
        out.push(c);
    }
}

/// The posts the page's metadata names as its own media: `<meta>` tags
/// whose `property` or `name` is `og:video`, `og:video:url`,
/// `og:video:secure_url` or `twitter:player`.
fn own_media(source: &str) -> Vec<(Platform, Option<String>)> {
    let bytes = source.as_bytes();
    let mut own = Vec::new();
    for name in ["og:video", "twitter:player"] {
        for at in memmem::find_iter(bytes, name.as_bytes()) {
            let Some(lt) = bytes[..at].iter().rposition(|&b| b == b'<') else {
                continue;
            };
            let Some(gt) = memchr::memchr(b'>', &bytes[at..]).map(|i| at + i) else {
                continue;
            };
            if !bytes[lt..].starts_with(b"<meta") || !source.is_char_boundary(gt + 1) {
                continue;
            }
            let tag = Html::parse_fragment(&source[lt..=gt]);
            for (_, e) in elements(tag.tree.root()).filter(|(_, e)| e.name() == "meta") {
                let named = ["property", "name"]
                    .iter()
                    .filter_map(|a| e.attr(a))
                    .any(|v| {
                        let v = v.trim().to_ascii_lowercase();
                        matches!(
                            v.as_str(),
                            "og:video" | "og:video:url" | "og:video:secure_url" | "twitter:player"
                        )
                    });
                if let Some(parsed) = e
                    .attr("content")
                    .filter(|_| named)
                    .and_then(urls::parse_post_url)
                {
                    own.push((parsed.platform, parsed.post_id));
                }
            }
        }
    }
    own
}
