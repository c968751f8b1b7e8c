//! TikTok (docs/platforms.md §5): oEmbed, no key. 200 gives the title and the
//! author; the status of a gone video is not documented, so only a 404 or
//! 410 asked twice counts as gone and anything else is `ambiguous`.

use super::ask::{Answer, Rung, Signal, alone, answered, ask_twice, json, raw, unexpected, url_on};
use super::checker::{Checker, PostRef, base, unsupported};
use super::media::{Kind, Named};
use super::outcome::{Content, Outcome, Verdict};
use super::settings::Spec;
use serde_json::Value;

pub(super) const OEMBED_API: Spec = Spec {
    name: "tiktok",
    env: Some("EMBARC_TIKTOK_URL"),
    default_url: Some("https://www.tiktok.com"),
    default_rate: "1/s",
    accept: "application/json",
    keep: true,
};
pub(super) const ENDPOINTS: &[Spec] = &[OEMBED_API];
const OEMBED: &str = OEMBED_API.name;

pub async fn probe(c: &Checker, t: &PostRef) -> Verdict {
    let (oembed, base) = match base(c, &OEMBED_API, "TikTok") {
        Ok(found) => found,
        Err(verdict) => return *verdict,
    };
    let Some(post_url) = t.url.as_deref() else {
        return unsupported(OEMBED, "no TikTok post URL".into());
    };
    let url = url_on(base, "/oembed", &[("url", post_url)]);
    let rung = ask_twice(|| async { read(&oembed.get(&url).await) }).await;
    alone(rung, Outcome::NotFound)
}

fn read(answer: &Answer) -> Rung {
    let r = match answered(OEMBED, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    match r.status() {
        200 => {
            let v = json(r).unwrap_or(Value::Null);
            let s = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
            if s("html").is_none() && s("title").is_none() && s("author_unique_id").is_none() {
                return unexpected(OEMBED, r, "without an embed");
            }
            let content = Content {
                source: OEMBED,
                text: s("title"),
                author_name: s("author_name"),
                handle: s("author_unique_id"),
                posted_at: None,
                lang: None,
                raw: raw(r),
            };
            Rung::new(OEMBED, Some(200), Signal::Alive(Some(content)), "200")
        }
        404 | 410 => Rung::new(
            OEMBED,
            Some(r.status()),
            Signal::NotFound,
            r.status().to_string(),
        ),
        _ => unexpected(OEMBED, r, "(TikTok does not document why)"),
    }
}

/// The oEmbed answer's thumbnail (the video's cover).
pub(super) fn media(v: &Value) -> Vec<Named> {
    v.get("thumbnail_url")
        .and_then(Value::as_str)
        .map(|u| Named::one(Kind::Thumbnail, u))
        .into_iter()
        .collect()
}
