//! Embeds that exist only in a page's data: JSON that a script turns into
//! markup in the browser (Next.js `__NEXT_DATA__`, Nuxt `__NUXT_DATA__` and
//! `window.__NUXT__`, Apollo's `window.__APOLLO_STATE__`, other
//! `window.__…STATE__` blobs, `application/ld+json` with `embedUrl` or
//! `sharedContent`, React props in `data-props`). A reader of raw HTML
//! misses them; [`script`] and [`props`] find them.
//!
//! Only post URLs in fields that name an embed count: a key such as
//! `embed`, `embedUrl`, `tweet`, `tweetId`, `oembed`, `sharedContent`, or
//! `url` / `href` / `src` / `html` of an object whose type names a platform
//! (`{"type": "twitter", "url": …}`); oEmbed `html` is read as markup.
//! Fields about sharing, tracking, authors and profiles (`shareUrl`,
//! `author`, `sameAs`, `profile`, …) are never entered. Each post found is
//! an `embed` with shape `page_data`, never a link; one the markup already
//! embeds is not repeated.
//!
//! Cost: a blob is parsed only when the prefilter finds a platform marker
//! in it, at most [`MAX_BLOB`] bytes, walked to depth [`MAX_DEPTH`] and at
//! most [`MAX_NODES`] values.

use super::{Citation, Kind, Platform, consent, ids, prefilter, urls};
use scraper::node::Element;
use serde_json::Value;

/// Larger blobs are not parsed.
pub const MAX_BLOB: usize = 4 * 1024 * 1024;
/// Deeper values are not visited.
pub const MAX_DEPTH: usize = 48;
/// Values visited per blob, at most.
pub const MAX_NODES: usize = 200_000;

/// Names of `window` globals that hold page state.
const GLOBALS: &[&str] = &[
    "__APOLLO_STATE__",
    "__NUXT__",
    "__INITIAL_STATE__",
    "__PRELOADED_STATE__",
    "__INITIAL_DATA__",
];

/// Posts named in the page data a `<script>` holds.
pub(super) fn script(el: &Element, text: &str) -> Vec<Citation> {
    if text.len() > MAX_BLOB || !prefilter::may_cite(text.as_bytes()) {
        return Vec::new();
    }
    let kind = el
        .attr("type")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if kind == "application/json" || kind == "application/ld+json" {
        return from_json(text.trim());
    }
    if !(kind.is_empty() || kind.contains("javascript")) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for name in GLOBALS {
        let Some(at) = text.find(name) else { continue };
        let rest = &text[at + name.len()..];
        let Some(eq) = rest.find('=').filter(|&i| {
            rest[..i]
                .trim()
                .trim_end_matches(']')
                .trim_end_matches(['"', '\''])
                .is_empty()
        }) else {
            continue;
        };
        let value = rest[eq + 1..].trim_start();
        let parsed = value
            .starts_with(['{', '['])
            .then(|| {
                serde_json::Deserializer::from_str(value)
                    .into_iter::<Value>()
                    .next()
            })
            .flatten()
            .and_then(Result::ok);
        match parsed {
            Some(v) => walk_root(&v, &mut out),
            // JavaScript, not JSON (Nuxt 2's function form): only fields
            // written as `embedKey: "url"` are read.
            None => out.extend(keyed_strings(value)),
        }
    }
    out
}

/// Posts named in a `data-props` (or `data-react-props`) attribute.
pub(super) fn props(value: &str) -> Vec<Citation> {
    if value.len() > MAX_BLOB || !prefilter::may_cite(value.as_bytes()) {
        return Vec::new();
    }
    from_json(value.trim())
}

fn from_json(text: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        walk_root(&v, &mut out);
    }
    out
}

fn walk_root(v: &Value, out: &mut Vec<Citation>) {
    let mut budget = MAX_NODES;
    walk(v, None, false, 0, &mut budget, out);
}

/// Visit `v`, found under `key`; `typed` when the enclosing object's type
/// names a platform or an embed.
fn walk(
    v: &Value,
    key: Option<&str>,
    typed: bool,
    depth: usize,
    budget: &mut usize,
    out: &mut Vec<Citation>,
) {
    if depth > MAX_DEPTH || *budget == 0 {
        return;
    }
    *budget -= 1;
    match v {
        Value::Object(map) => {
            let typed_here = [
                "type",
                "subtype",
                "__typename",
                "_type",
                "@type",
                "blockType",
                "provider",
                "provider_name",
                "component",
                "kind",
            ]
            .iter()
            .filter_map(|k| map.get(*k).and_then(Value::as_str))
            .any(names_platform)
                || key.is_some_and(embed_key)
                // A serialized DOM element (htmlparser2's `{type, name,
                // attribs}` and the like) that is a frame: its `src` is
                // the player it shows.
                || ["name", "tagName", "tag", "type"]
                    .iter()
                    .filter_map(|k| map.get(*k).and_then(Value::as_str))
                    .any(|t| t.eq_ignore_ascii_case("iframe"))
                // The attribute bag of a typed object is typed too.
                || (typed && key.is_some_and(attribute_bag));
            for (k, val) in map {
                // Apollo keys a field read with arguments as
                // `body({"format":"json",…})`, and a normalized entry as
                // `$ROOT_QUERY.content({…}).moreOnThisArticles.0`: the
                // names count, not the words in the arguments.
                let names = without_arguments(k);
                if skipped(&names) {
                    continue;
                }
                walk(val, Some(&names), typed_here, depth + 1, budget, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, key, typed, depth + 1, budget, out);
            }
        }
        Value::String(s) => {
            let Some(key) = key else { return };
            if let Some(c) = field(key, s, typed) {
                out.extend(c);
            }
        }
        Value::Number(n) if key.is_some_and(|k| k.to_ascii_lowercase().contains("tweet")) => {
            // A tweet id as a JSON number beyond 2^53 has been rounded by
            // whoever wrote it: only an exact one (a u64) is taken.
            if let Some(id) = n.as_u64() {
                out.extend(post(&format!("https://x.com/i/status/{id}"), false));
            }
        }
        _ => {}
    }
}

/// Posts in one string field.
fn field(key: &str, s: &str, typed: bool) -> Option<Vec<Citation>> {
    let k = key.to_ascii_lowercase();
    let embed_key = embed_key(key);
    let url_key = matches!(
        k.as_str(),
        "url" | "href" | "src" | "link" | "permalink" | "uri" | "html" | "markup" | "source"
    );
    if skipped(key) || !(embed_key || (typed && url_key)) {
        return None;
    }
    let s = s.trim();
    if k.contains("tweet") && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let id = ids::tweet_id(s)?;
        return Some(
            post(&format!("https://x.com/i/status/{id}"), false)
                .into_iter()
                .collect(),
        );
    }
    if s.contains('<') {
        let mut found = consent::markup_posts(s);
        for c in &mut found {
            c.kind = Kind::Embed;
            c.shape = "page_data";
        }
        return Some(found);
    }
    Some(post(s, true).into_iter().collect())
}

/// `key` without its parenthesized argument lists.
fn without_arguments(key: &str) -> std::borrow::Cow<'_, str> {
    if !key.contains('(') {
        return key.into();
    }
    let mut depth = 0usize;
    key.chars()
        .filter(|&c| {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    return false;
                }
                _ => {}
            }
            depth == 0
        })
        .collect::<String>()
        .into()
}

/// A key holding an element's attributes (`attribs`, `attributes`).
fn attribute_bag(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "attribs" | "attributes" | "attrs" | "props"
    )
}

/// A key that names an embed.
fn embed_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "embed",
        "tweet",
        "oembed",
        "sharedcontent",
        "instagram",
        "tiktok",
        "youtube",
        "bluesky",
        "mastodon",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// An embed citation of shape `page_data` for a post URL.
fn post(raw: &str, keep_source: bool) -> Option<Citation> {
    let parsed = urls::parse_post_url(raw)?;
    let mut c = Citation::new(parsed.platform, Kind::Embed, "page_data").with_url(raw, &parsed);
    if !keep_source {
        c.source_url = None;
    }
    Some(c.finish())
}

/// A type value that names a platform or an embed.
fn names_platform(t: &str) -> bool {
    let t = t.to_ascii_lowercase();
    Platform::ALL
        .iter()
        .filter(|p| **p != Platform::X)
        .any(|p| t.contains(p.as_str()))
        || t == "x"
        || [
            "twitter",
            "tweet",
            "embed",
            "socialmediaposting",
            "xpost",
            "x-post",
            "x_post",
        ]
        .iter()
        .any(|w| t.contains(w))
}

/// Keys whose values are about sharing, tracking or people, not embeds.
fn skipped(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if k.contains("sharedcontent") {
        return false;
    }
    [
        "share",
        "author",
        "byline",
        "profile",
        "sameas",
        "tracking",
        "tracker",
        "analytics",
        "pixel",
        "follow",
        "canonical",
        "seo",
        "creator",
        "publisher",
        "contributor",
        // Other articles' content: related and recommended stories.
        "related",
        "recommend",
        "moreon",
        "morefrom",
        "trending",
        "popular",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// In JavaScript that is not JSON: `key: "url"` pairs whose key names an
/// embed (`embedUrl:"https:\u002F\u002Ftwitter.com\u002F…"`).
fn keyed_strings(js: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    let bytes = js.as_bytes();
    let mut i = 0;
    while let Some(q) = js[i..].find(['"', '\'']).map(|q| q + i) {
        let quote = bytes[q];
        let Some(end) = js[q + 1..].find(quote as char).map(|e| e + q + 1) else {
            break;
        };
        let value = &js[q + 1..end];
        // The key: the identifier before `:` just ahead of the quote.
        let before = js[..q].trim_end();
        if let Some(head) = before.strip_suffix(':') {
            let head = head.trim_end().trim_end_matches(['"', '\'']);
            let key_start = head
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .map_or(0, |p| p + 1);
            let key = &head[key_start..];
            if value.contains("http") || value.bytes().all(|b| b.is_ascii_digit()) {
                let unescaped = value.replace("\\u002F", "/").replace("\\/", "/");
                if let Some(found) = field(key, &unescaped, false) {
                    out.extend(found);
                }
            }
        }
        i = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_strings_in_javascript() {
        let js = r#"(function(a,b){return {data:[{embedUrl:"https:\u002F\u002Ftwitter.com\u002Fa\u002Fstatus\u002F20",shareUrl:"https:\u002F\u002Ftwitter.com\u002Fb\u002Fstatus\u002F21",tweetId:"1225455484259442691"}]}}(1,2))"#;
        let found: Vec<_> = keyed_strings(js)
            .into_iter()
            .map(|c| c.post_id.unwrap())
            .collect();
        assert_eq!(found, ["20", "1225455484259442691"]);
    }

    #[test]
    fn skipped_keys() {
        assert!(skipped("shareUrl") && skipped("author") && skipped("sameAs"));
        assert!(!skipped("embedUrl") && !skipped("url"));
    }
}
