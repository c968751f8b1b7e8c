//! Threads, Instagram and Facebook (docs/platforms.md §4): Meta's oEmbed
//! endpoints, for liveness only. Meta's terms forbid keeping oEmbed content,
//! so nothing of the answer is stored. How they answer for a deleted post is
//! not documented: a 404 or 410 asked twice is gone, anything else that is
//! not 200 is `ambiguous` (private, age-restricted and geo-gated posts are
//! "not supported" alike).

use super::ask::{Answer, Rung, Signal, alone, answered, ask_twice, unexpected, url_on};
use super::checker::{Checker, PostRef, unsupported};
use super::outcome::{Outcome, Verdict};
use super::settings::Spec;
use crate::detect::Platform;

/// Meta's Graph API (Instagram and Facebook oEmbed).
pub(super) const GRAPH: Spec = Spec {
    name: "meta_graph",
    env: Some("EMBARC_META_GRAPH_URL"),
    default_url: Some("https://graph.facebook.com/v26.0"),
    default_rate: "1000/h",
    accept: "application/json",
    keep: false,
};
/// The Threads API's oEmbed.
pub(super) const THREADS: Spec = Spec {
    name: "threads",
    env: Some("EMBARC_THREADS_URL"),
    default_url: Some("https://graph.threads.net/v1.0"),
    default_rate: "1000/h",
    accept: "application/json",
    keep: false,
};
pub(super) const GRAPH_ENDPOINTS: &[Spec] = &[GRAPH];
pub(super) const THREADS_ENDPOINTS: &[Spec] = &[THREADS];

pub async fn probe(c: &Checker, t: &PostRef) -> Verdict {
    let Some(post_url) = t.url.as_deref() else {
        return unsupported("meta_graph", "no post URL".into());
    };
    let (spec, path, url_param) = match t.platform {
        Platform::Threads => (
            &THREADS,
            "/oembed",
            // Meta documents threads.com URLs; threads.net redirects there.
            post_url.replacen("://www.threads.net/", "://www.threads.com/", 1),
        ),
        Platform::Instagram => (&GRAPH, "/instagram_oembed", post_url.to_string()),
        _ => {
            let video = ["/videos/", "/watch", "/reel/"]
                .iter()
                .any(|p| post_url.contains(p));
            let path = if video {
                "/oembed_video"
            } else {
                "/oembed_post"
            };
            (&GRAPH, path, post_url.to_string())
        }
    };
    let name = spec.name;
    let (endpoint, base) = match super::checker::base(c, spec, "Meta") {
        Ok(found) => found,
        Err(verdict) => return *verdict,
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
