//! X / Twitter (docs/platforms.md §1.5): the syndication endpoint with its
//! computed token (asked twice on 404: it was flaky), then oEmbed; the two
//! answers are combined by [`combine`].
//!
//! Syndication's `Tweet` gives the canonical text, name, handle and time;
//! `TweetTombstone` is what logged-out viewers get for deleted *and* for
//! age-restricted posts, so it is never proof of deletion on its own.

use super::ask::{
    Answer, Rung, Signal, alone, answered, ask_twice, combine, json, raw, unexpected, url_on,
};
use super::checker::{Checker, PostRef, base, unsupported};
use super::media::{Kind, Named};
use super::outcome::{Content, Outcome, Verdict};
use super::settings::Spec;
use super::text::{rfc3339, unescape_basic};
use super::token::syndication_token;
use crate::detect::{DocKind, Hints};
use serde_json::Value;

pub(super) const SYNDICATION_API: Spec = Spec {
    name: "x_syndication",
    env: Some("EMBARC_X_SYNDICATION_URL"),
    default_url: Some("https://cdn.syndication.twimg.com"),
    default_rate: "3/s",
    accept: "application/json",
    keep: true,
};
pub(super) const OEMBED_API: Spec = Spec {
    name: "x_oembed",
    env: Some("EMBARC_X_OEMBED_URL"),
    default_url: Some("https://publish.twitter.com"),
    default_rate: "3/s",
    accept: "application/json",
    keep: true,
};
pub(super) const ENDPOINTS: &[Spec] = &[SYNDICATION_API, OEMBED_API];
const SYNDICATION: &str = SYNDICATION_API.name;
const OEMBED: &str = OEMBED_API.name;

pub async fn probe(c: &Checker, t: &PostRef) -> Verdict {
    let id = t.id.as_str();
    let Some(token) = syndication_token(id) else {
        return unsupported(SYNDICATION, format!("{id:?} is not a tweet id"));
    };
    let ((syn, syn_base), (oe, oe_base)) =
        match (base(c, &SYNDICATION_API, "X"), base(c, &OEMBED_API, "X")) {
            (Ok(s), Ok(o)) => (s, o),
            (Err(v), _) | (_, Err(v)) => return *v,
        };
    let syn_url = url_on(
        syn_base,
        "/tweet-result",
        &[("id", id), ("lang", "en"), ("token", &token)],
    );
    let syndication = ask_twice(|| async { read_syndication(&syn.get(&syn_url).await) }).await;
    if matches!(syndication.signal, Signal::Alive(_)) {
        return alone(syndication, Outcome::Deleted);
    }
    let handle = t.handle.as_deref().unwrap_or("i");
    let status_url = format!("https://twitter.com/{handle}/status/{id}");
    let oe_url = url_on(oe_base, "/oembed", &[("url", &status_url)]);
    let oembed = read_oembed(&oe.get(&oe_url).await, id);
    combine(syndication, oembed, Outcome::Deleted)
}

fn read_syndication(answer: &Answer) -> Rung {
    let r = match answered(SYNDICATION, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    let status = Some(r.status());
    match r.status() {
        200 if r.body.iter().all(u8::is_ascii_whitespace) => {
            unexpected(SYNDICATION, r, "with an empty body")
        }
        200 => {
            let Some(v) = json(r) else {
                return unexpected(SYNDICATION, r, "but not JSON");
            };
            let typename = v.get("__typename").and_then(Value::as_str);
            let looks_like_tweet = v.get("id_str").is_some() && v.get("text").is_some();
            match typename {
                Some("Tweet") => tweet(r, &v),
                None if looks_like_tweet => tweet(r, &v),
                Some("TweetTombstone") => {
                    let text = v
                        .pointer("/tombstone/text/text")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let note = if text.is_empty() {
                        "200 TweetTombstone".to_string()
                    } else {
                        format!("200 TweetTombstone {text:?}")
                    };
                    Rung::new(SYNDICATION, status, Signal::Tombstone(text), note)
                }
                Some(other) => unexpected(SYNDICATION, r, &format!("__typename {other:?}")),
                None => unexpected(SYNDICATION, r, "JSON without __typename"),
            }
        }
        404 => Rung::new(SYNDICATION, status, Signal::NotFound, "404"),
        _ => unexpected(SYNDICATION, r, "unexpected status"),
    }
}

fn tweet(r: &crate::fetch::Response, v: &Value) -> Rung {
    let s = |path: &str| v.pointer(path).and_then(Value::as_str).map(str::to_string);
    let content = Content {
        source: SYNDICATION,
        text: s("/text").map(|t| unescape_basic(&t)),
        author_name: s("/user/name"),
        handle: s("/user/screen_name"),
        posted_at: s("/created_at").and_then(|t| rfc3339(&t)),
        lang: s("/lang"),
        raw: raw(r),
    };
    let edited = v.get("isEdited").and_then(Value::as_bool) == Some(true);
    let note = if edited {
        "200 Tweet (edited)"
    } else {
        "200 Tweet"
    };
    Rung::new(SYNDICATION, Some(200), Signal::Alive(Some(content)), note)
}

fn read_oembed(answer: &Answer, id: &str) -> Rung {
    let r = match answered(OEMBED, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    let status = Some(r.status());
    match r.status() {
        200 => {
            let Some(v) = json(r).filter(Value::is_object) else {
                return unexpected(OEMBED, r, "but not JSON");
            };
            let content = oembed_content(r, &v, id);
            Rung::new(OEMBED, status, Signal::Alive(Some(content)), "200")
        }
        403 => Rung::new(
            OEMBED,
            status,
            Signal::Says(Outcome::Protected),
            "403 not authorized to see this status (protected account)",
        ),
        404 => Rung::new(OEMBED, status, Signal::NotFound, "404"),
        _ => unexpected(OEMBED, r, "unexpected status"),
    }
}

/// The post as oEmbed shows it: name and handle from the JSON, the text from
/// its `html` blockquote read by the article detector.
fn oembed_content(r: &crate::fetch::Response, v: &Value, id: &str) -> Content {
    let s = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let handle = s("author_url").and_then(|u| {
        u.trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|h| !h.is_empty())
            .map(str::to_string)
    });
    let shown = s("html").and_then(|html| {
        crate::detect::detect(
            html.as_bytes(),
            &Hints {
                kind: Some(DocKind::Html),
                charset: None,
            },
        )
        .citations
        .into_iter()
        .find(|c| c.post_id.as_deref() == Some(id))
    });
    Content {
        source: OEMBED,
        text: shown.as_ref().and_then(|c| c.text.clone()),
        author_name: s("author_name"),
        handle,
        posted_at: shown
            .as_ref()
            .and_then(|c| c.posted_at_ms)
            .and_then(crate::detect::dates::ms_to_rfc3339),
        lang: shown.and_then(|c| c.lang),
        raw: raw(r),
    }
}

/// The media the syndication answer names: each photo, each video or GIF
/// as its MP4 variants from the highest bitrate down, and each video's
/// poster frame. `mediaDetails` when present, else `photos` and `video`.
pub(super) fn media(v: &Value) -> Vec<Named> {
    let mut named = Vec::new();
    if let Some(details) = v.get("mediaDetails").and_then(Value::as_array) {
        for m in details {
            let still = m.get("media_url_https").and_then(Value::as_str);
            match m.get("type").and_then(Value::as_str) {
                Some("photo") => named.extend(still.map(|u| Named::one(Kind::Photo, u))),
                Some("video" | "animated_gif") => {
                    let mut variants: Vec<(u64, &str)> = m
                        .pointer("/video_info/variants")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter(|v| {
                            v.get("content_type").and_then(Value::as_str) == Some("video/mp4")
                        })
                        .filter_map(|v| {
                            let bitrate = v.get("bitrate").and_then(Value::as_u64).unwrap_or(0);
                            Some((bitrate, v.get("url")?.as_str()?))
                        })
                        .collect();
                    variants.sort_by_key(|v| std::cmp::Reverse(v.0));
                    if !variants.is_empty() {
                        named.push(Named {
                            kind: Kind::Video,
                            variants: variants.into_iter().map(|(_, u)| u.to_string()).collect(),
                        });
                    }
                    named.extend(still.map(|u| Named::one(Kind::Thumbnail, u)));
                }
                _ => {}
            }
        }
        return named;
    }
    for p in v
        .get("photos")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        named.extend(
            p.get("url")
                .and_then(Value::as_str)
                .map(|u| Named::one(Kind::Photo, u)),
        );
    }
    if let Some(video) = v.get("video") {
        let variants: Vec<String> = video
            .get("variants")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|v| v.get("type").and_then(Value::as_str) == Some("video/mp4"))
            .filter_map(|v| v.get("src").and_then(Value::as_str).map(str::to_string))
            .collect();
        if !variants.is_empty() {
            named.push(Named {
                kind: Kind::Video,
                variants,
            });
        }
        named.extend(
            video
                .get("poster")
                .and_then(Value::as_str)
                .map(|u| Named::one(Kind::Thumbnail, u)),
        );
    }
    named
}
