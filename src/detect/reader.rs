//! Reader sections: parts of a page that the article does not cite from.
//!
//! Comment threads, webmention lists ("mentions", "likes", "reposts",
//! "replies"), reader reactions, related-article and recommendation rails
//! (Outbrain, Taboola), newsletter sign-up boxes, trackbacks, referrer lists
//! and sidebars hold links to posts that readers, other pages or the site's
//! widgets put there; so do navigation bars and pop-up dialogs. They are
//! recognised by structure, not by content: an ARIA role (`comment`,
//! `complementary`, `navigation`, `dialog`), or a word in the element's
//! `class`, `id` or `aria-label` (split at
//! `-`, `_`, spaces and camelCase humps), in English, German, French,
//! Spanish and Italian, in the styles of WordPress (`comments-area`,
//! `#respond`, `jp-relatedposts`), Ghost (`gh-comments`), Drupal
//! (`comment-wrapper`), Medium-like pages (`aria-label="Responses"`) and
//! publishers' own (`leserkommentare`, `commentaires`).
//!
//! The rule errs toward the article: a class token that also names an
//! embed (`embed-comment`, `tweet-reply`) or a state of the page
//! (`comments-open`, `has-comments`, `comment-count`) marks nothing; links
//! and inline elements are never sections; a marked element inside an
//! element that names itself the article body (`entry-content`,
//! `article-body`, `itemprop="articleBody"`, …) is part of the article, and
//! so is one that holds the article (`<main>`, an `<article>` that is no
//! comment, an article body): a layout wrapper such as Genesis's
//! `content-sidebar-wrap`.

use super::dom::Attrs;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use ego_tree::NodeRef;
use scraper::Node;
use std::sync::LazyLock;

/// Words naming a reader section.
pub(super) const SECTION_WORDS: &[&str] = &[
    // Comments and discussion.
    "comment",
    "comments",
    "commentlist",
    "respond",
    "discussion",
    "disqus",
    "kommentar",
    "kommentare",
    "leserkommentare",
    "commentaire",
    "commentaires",
    "comentario",
    "comentarios",
    "commento",
    "commenti",
    // Webmentions and reactions.
    "webmention",
    "webmentions",
    "mentions",
    "replies",
    "reply",
    "responses",
    "reactions",
    "likes",
    "reposts",
    "trackback",
    "trackbacks",
    "pingback",
    "pingbacks",
    "refererlist",
    "referer",
    "referrers",
    // Rails and boxes.
    "related",
    "relatedposts",
    "recommended",
    "recommendations",
    "outbrain",
    "taboola",
    "newsletter",
    "sidebar",
    "navbar",
];

/// Most class values name no section: one automaton pass over the value
/// rejects them before it is split into words.
static HINT: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(SECTION_WORDS)
        .expect("the section words are a valid automaton")
});

/// The words of an article body's second half (`entry-content`,
/// `article-body`, `post-text`, `articleBody`), as a fast test.
static BODY_HINT: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(["content", "body", "text"])
        .expect("the body words are a valid automaton")
});

/// Words that, beside a section word in one token, say it is not a
/// section: an embed wrapper, or a state or control of the page.
const NOT_SECTION_WORDS: &[&str] = &[
    "embed",
    "tweet",
    "twitter",
    "quote",
    "media",
    "social",
    "instagram",
    "facebook",
    "tiktok",
    "bluesky",
    "mastodon",
    "open",
    "closed",
    "has",
    "no",
    "count",
    "number",
    "icon",
    "button",
    "btn",
    "toggle",
    "link",
    "enabled",
    "disabled",
    "allowed",
];

/// Tags that are never sections themselves (their containers are).
fn inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "span" | "b" | "i" | "em" | "strong" | "time" | "abbr" | "img" | "small" | "label"
    )
}

/// The element is marked as a reader section by its own attributes.
pub(super) fn marks_section(name: &str, el: &impl Attrs) -> bool {
    if inline(name) || matches!(name, "html" | "body" | "main" | "article") {
        return false;
    }
    el.attrs().any(|(attr, value)| match attr {
        "class" | "id" => HINT.is_match(value) && value.split_ascii_whitespace().any(section_token),
        "role" => value.split_ascii_whitespace().any(|r| {
            matches!(
                r.to_ascii_lowercase().as_str(),
                "comment" | "complementary" | "navigation" | "dialog" | "alertdialog"
            )
        }),
        "aria-label" => section_token(value),
        _ => false,
    })
}

/// One class token (or id, or label) names a reader section.
fn section_token(token: &str) -> bool {
    if !HINT.is_match(token) {
        return false;
    }
    let mut section = false;
    let mut negated = false;
    for_words(token, |w| {
        section |= SECTION_WORDS.iter().any(|s| w.eq_ignore_ascii_case(s));
        negated |= NOT_SECTION_WORDS.iter().any(|s| w.eq_ignore_ascii_case(s));
    });
    section && !negated
}

/// Call `f` with each word of `s`: runs of ASCII letters and digits, also
/// split where a lowercase letter is followed by an uppercase one.
fn for_words(s: &str, mut f: impl FnMut(&str)) {
    let bytes = s.as_bytes();
    let mut start = None;
    for i in 0..=bytes.len() {
        let b = bytes.get(i).copied();
        let alnum = b.is_some_and(|b| b.is_ascii_alphanumeric());
        let hump = alnum
            && i > 0
            && b.is_some_and(|b| b.is_ascii_uppercase())
            && bytes[i - 1].is_ascii_lowercase();
        if let Some(s0) = start
            && (!alnum || hump)
        {
            f(&s[s0..i]);
            start = None;
        }
        if alnum && start.is_none() {
            start = Some(i);
        }
    }
}

/// The marked element belongs to the article after all: an ancestor names
/// itself the article body (a quoted comment, an inline box), or the
/// element holds the article (a layout wrapper such as Genesis's
/// `content-sidebar-wrap` around both the article and the sidebar).
///
/// `in_article` says an ancestor outside the tree `node` belongs to (a
/// fragment the streaming pass cut out) names itself the article body.
pub(super) fn part_of_article(node: NodeRef<'_, Node>, in_article: bool) -> bool {
    in_article
        || node
            .ancestors()
            .filter_map(|n| n.value().as_element())
            .any(is_article_body)
        || node.descendants().skip(1).any(|n| {
            n.value()
                .as_element()
                .is_some_and(|e| holds_article(e.name(), e))
        })
}

/// An element that, below a marked section, makes the section part of the
/// article: `<main>`, an `<article>` that is no comment, an article body.
pub(super) fn holds_article(name: &str, el: &impl Attrs) -> bool {
    match name {
        "main" => true,
        "article" => !el
            .attr("class")
            .is_some_and(|c| c.split_ascii_whitespace().any(section_token)),
        _ => is_article_body(el),
    }
}

/// The element names itself the article body (`entry-content`,
/// `itemprop="articleBody"`, ...).
pub(super) fn is_article_body(el: &impl Attrs) -> bool {
    if el
        .attr("itemprop")
        .is_some_and(|v| v.eq_ignore_ascii_case("articleBody"))
    {
        return true;
    }
    ["class", "id"]
        .into_iter()
        .filter_map(|a| el.attr(a))
        // Most values hold none of the body words: one automaton pass
        // rejects them before they are split into words.
        .filter(|v| BODY_HINT.is_match(v))
        .any(|v| {
            v.split_ascii_whitespace().any(|token| {
                let mut place = false;
                let mut body = false;
                for_words(token, |w| {
                    let w = w.to_ascii_lowercase();
                    place |= matches!(
                        w.as_str(),
                        "entry"
                            | "post"
                            | "article"
                            | "story"
                            | "node"
                            | "field"
                            | "gh"
                            | "td"
                            | "rich"
                    );
                    body |= matches!(w.as_str(), "content" | "body" | "text" | "articlebody");
                });
                (place && body) || token.eq_ignore_ascii_case("articleBody")
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_words(s, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn words_split_at_separators_and_humps() {
        assert_eq!(words("comments-area"), ["comments", "area"]);
        assert_eq!(words("jp_relatedposts"), ["jp", "relatedposts"]);
        assert_eq!(words("relatedArticles"), ["related", "Articles"]);
        assert_eq!(words("c-entry__content"), ["c", "entry", "content"]);
        assert_eq!(words(""), Vec::<String>::new());
        assert_eq!(words("--"), Vec::<String>::new());
    }

    #[test]
    fn tokens() {
        for yes in [
            "comments",
            "comments-area",
            "gh-comments",
            "comment-wrapper",
            "webmentions",
            "jp-relatedposts",
            "relatedArticles",
            "leserkommentare",
            "bloc-commentaires",
            "newsletter-signup",
            "OUTBRAIN",
            "Responses",
            "Kommentare (12)",
        ] {
            assert!(section_token(yes), "{yes}");
        }
        for no in [
            "comments-open",
            "has-comments",
            "comment-count",
            "embed-comment",
            "tweet-reply",
            "entry-content",
            "responsive",
            "commentary-box",
            "mentioned",
        ] {
            assert!(!section_token(no), "{no}");
        }
    }
}
