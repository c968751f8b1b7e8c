//! Bluesky (docs/platforms.md §2): the public AppView's `getPostThread`, then
//! oEmbed. AppView says `NotFound` (HTTP 400) or `notFoundPost` for a
//! deleted post; oEmbed 404 agrees, 403 means the author keeps posts from
//! logged-out viewers (or blocked). New posts may 404 briefly, so the two
//! must agree before a post is gone.

use super::ask::{Answer, Rung, Signal, alone, answered, combine, json, raw, unexpected, url_on};
use super::checker::{Checker, PostRef, base};
use super::outcome::{Content, Outcome, Verdict};
use super::settings::Spec;
use super::text::{first_text, rfc3339};
use serde_json::Value;

pub(super) const APPVIEW_API: Spec = Spec {
    name: "bluesky_appview",
    env: Some("EMBARC_BLUESKY_APPVIEW_URL"),
    default_url: Some("https://public.api.bsky.app"),
    default_rate: "5/s",
    accept: "application/json",
    keep: true,
};
pub(super) const OEMBED_API: Spec = Spec {
    name: "bluesky_oembed",
    env: Some("EMBARC_BLUESKY_OEMBED_URL"),
    default_url: Some("https://embed.bsky.app"),
    default_rate: "5/s",
    accept: "application/json",
    keep: true,
};
pub(super) const ENDPOINTS: &[Spec] = &[APPVIEW_API, OEMBED_API];
const APPVIEW: &str = APPVIEW_API.name;
const OEMBED: &str = OEMBED_API.name;

pub async fn probe(c: &Checker, t: &PostRef) -> Verdict {
    let ((app, app_base), (oe, oe_base)) = match (
        base(c, &APPVIEW_API, "Bluesky"),
        base(c, &OEMBED_API, "Bluesky"),
    ) {
        (Ok(a), Ok(o)) => (a, o),
        (Err(v), _) | (_, Err(v)) => return *v,
    };
    let at_uri = t.id.as_str();
    let url = url_on(
        app_base,
        "/xrpc/app.bsky.feed.getPostThread",
        &[("uri", at_uri), ("depth", "0")],
    );
    let appview = read_appview(&app.get(&url).await);
    if matches!(appview.signal, Signal::Alive(_)) {
        return alone(appview, Outcome::Deleted);
    }
    let post_url = t.url.as_deref().unwrap_or(at_uri);
    let url = url_on(oe_base, "/oembed", &[("url", post_url)]);
    let oembed = read_oembed(&oe.get(&url).await);
    combine(appview, oembed, Outcome::Deleted)
}

fn read_appview(answer: &Answer) -> Rung {
    let r = match answered(APPVIEW, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    let status = Some(r.status());
    let body = json(r);
    match r.status() {
        200 => {
            let Some(thread) = body.as_ref().and_then(|v| v.get("thread")) else {
                return unexpected(APPVIEW, r, "without a thread");
            };
            let kind = thread
                .get("$type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match (kind, thread.get("post").filter(|p| p.is_object())) {
                ("app.bsky.feed.defs#threadViewPost" | "", Some(post)) => {
                    let content = post_content(r, post);
                    Rung::new(APPVIEW, status, Signal::Alive(Some(content)), "200 thread")
                }
                ("app.bsky.feed.defs#notFoundPost", _) => {
                    Rung::new(APPVIEW, status, Signal::NotFound, "200 notFoundPost")
                }
                ("app.bsky.feed.defs#blockedPost", _) => unexpected(APPVIEW, r, "blockedPost"),
                _ => unexpected(APPVIEW, r, &format!("thread of type {kind:?}")),
            }
        }
        400 | 404 => {
            let error = body
                .as_ref()
                .and_then(|v| v.get("error"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            if error == "NotFound" || r.status() == 404 {
                Rung::new(
                    APPVIEW,
                    status,
                    Signal::NotFound,
                    format!("{} NotFound", r.status()),
                )
            } else {
                unexpected(APPVIEW, r, &format!("error {error:?}"))
            }
        }
        _ => unexpected(APPVIEW, r, "unexpected status"),
    }
}

fn post_content(r: &crate::fetch::Response, post: &Value) -> Content {
    let s = |path: &str| {
        post.pointer(path)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Content {
        source: APPVIEW,
        text: s("/record/text"),
        author_name: s("/author/displayName"),
        handle: s("/author/handle"),
        posted_at: s("/record/createdAt").and_then(|t| rfc3339(&t)),
        lang: s("/record/langs/0"),
        raw: raw(r),
    }
}

fn read_oembed(answer: &Answer) -> Rung {
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
            let html = v.get("html").and_then(Value::as_str).unwrap_or_default();
            // `author_name` is "Name (@handle)".
            let author = v
                .get("author_name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let (name, handle) = match author.rsplit_once(" (@") {
                Some((name, rest)) => (
                    Some(name.trim().to_string()),
                    Some(rest.trim_end_matches(')').to_string()),
                ),
                None => ((!author.is_empty()).then(|| author.to_string()), None),
            };
            let content = Content {
                source: OEMBED,
                text: first_text(html, "blockquote p"),
                author_name: name,
                handle,
                posted_at: None,
                lang: None,
                raw: raw(r),
            };
            Rung::new(OEMBED, status, Signal::Alive(Some(content)), "200")
        }
        403 => Rung::new(
            OEMBED,
            status,
            Signal::Says(Outcome::LoginRequired),
            "403 not publicly accessible",
        ),
        404 => Rung::new(OEMBED, status, Signal::NotFound, "404"),
        _ => unexpected(OEMBED, r, "unexpected status"),
    }
}
