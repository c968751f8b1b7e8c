//! Threads, Instagram and Facebook (docs/platforms.md §4): Meta's oEmbed
//! endpoints, for liveness only. Meta's terms forbid keeping oEmbed content,
//! so nothing of the answer is stored. How they answer for a deleted post is
//! not documented: a 404 or 410 asked twice is gone, anything else that is
//! not 200 is `ambiguous` (private, age-restricted and geo-gated posts are
//! "not supported" alike).

use super::ask::{Answer, Rung, Signal, alone, answered, ask_twice, unexpected, url_on};
use super::checker::{Checker, unsupported};
use super::outcome::{Outcome, Verdict};
use crate::detect::Platform;
use crate::store::PostTarget;

pub async fn probe(c: &Checker, platform: Platform, t: &PostTarget) -> Verdict {
    let Some(post_url) = t.post_url.as_deref() else {
        return unsupported("meta_graph", "no post URL".into());
    };
    let (endpoint, name, path, url_param) = match platform {
        Platform::Threads => (
            &c.threads,
            "threads",
            "/oembed",
            // Meta documents threads.com URLs; threads.net redirects there.
            post_url.replacen("://www.threads.net/", "://www.threads.com/", 1),
        ),
        Platform::Instagram => (
            &c.meta_graph,
            "meta_graph",
            "/instagram_oembed",
            post_url.to_string(),
        ),
        _ => {
            let video = ["/videos/", "/watch", "/reel/"]
                .iter()
                .any(|p| post_url.contains(p));
            let path = if video {
                "/oembed_video"
            } else {
                "/oembed_post"
            };
            (&c.meta_graph, "meta_graph", path, post_url.to_string())
        }
    };
    let Some(base) = endpoint.base() else {
        return unsupported(name, "no Meta endpoint configured".into());
    };
    let url = url_on(base, path, &[("url", &url_param)]);
    let rung = ask_twice(|| async { read(name, &endpoint.get(&url).await) }).await;
    alone(rung, Outcome::NotFound)
}

fn read(name: &'static str, answer: &Answer) -> Rung {
    let r = match answered(name, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    match r.status() {
        200 => Rung::new(
            name,
            Some(200),
            Signal::Alive(None),
            "200 (liveness only: Meta's terms forbid keeping the content)",
        ),
        404 | 410 => Rung::new(
            name,
            Some(r.status()),
            Signal::NotFound,
            r.status().to_string(),
        ),
        _ => unexpected(name, r, "(Meta does not say why)"),
    }
}
