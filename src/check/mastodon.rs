//! Mastodon and other fediverse servers (docs/platforms.md §3), on the post's own
//! instance: `/api/v1/statuses/:id`, then `/api/oembed`. 404 means deleted
//! or private (GoToSocial says `Not Found`); 401 means the instance lets no
//! one read without signing in, which says nothing about the post.

use super::ask::{Answer, Rung, Signal, alone, answered, combine, json, raw, unexpected, url_on};
use super::checker::{Checker, PostRef, unsupported};
use super::media::{Kind, Named};
use super::outcome::{Content, Outcome, Verdict};
use super::settings::Spec;
use super::text::{html_to_text, rfc3339};
use serde_json::Value;
use url::Url;

/// One server for every post when set; by default each post's own.
pub(super) const SERVER: Spec = Spec {
    name: "mastodon",
    env: Some("EMBARC_MASTODON_URL"),
    default_url: None,
    default_rate: "1/s",
    accept: "application/json",
    keep: true,
};
pub(super) const ENDPOINTS: &[Spec] = &[SERVER];
const API: &str = "mastodon_api";
const OEMBED: &str = "mastodon_oembed";

pub async fn probe(c: &Checker, t: &PostRef) -> Verdict {
    // The id is `{instance}/{id}`.
    let Some((instance, id)) = t.id.rsplit_once('/') else {
        return unsupported(API, format!("{:?} is not instance/id", t.id));
    };
    let Some(server) = c.endpoint(&SERVER) else {
        return unsupported(API, "no Mastodon endpoint".into());
    };
    let Some(origin) = server.base().cloned().or_else(|| own_instance(t, instance)) else {
        return unsupported(API, format!("no instance URL for {:?}", t.id));
    };
    let url = url_on(&origin, &format!("/api/v1/statuses/{id}"), &[]);
    let api = read_api(&server.get(&url).await, instance);
    if matches!(api.signal, Signal::Alive(_)) {
        return alone(api, Outcome::NotFound);
    }
    let post_url = t
        .url
        .clone()
        .unwrap_or_else(|| format!("{}/{id}", origin.as_str().trim_end_matches('/')));
    let url = url_on(&origin, "/api/oembed", &[("url", &post_url)]);
    let oembed = read_oembed(&server.get(&url).await);
    combine(api, oembed, Outcome::NotFound)
}

/// Scheme and host (with port) of the post's URL, else `https://{instance}`.
fn own_instance(t: &PostRef, instance: &str) -> Option<Url> {
    let from_url = t.url.as_deref().and_then(|u| Url::parse(u).ok());
    let origin = match from_url {
        Some(u) => {
            format!("{}://{}", u.scheme(), u.host_str()?)
                + &u.port().map(|p| format!(":{p}")).unwrap_or_default()
        }
        None => format!("https://{instance}"),
    };
    Url::parse(&origin).ok()
}

fn read_api(answer: &Answer, instance: &str) -> Rung {
    let r = match answered(API, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    let status = Some(r.status());
    let body = json(r);
    let error = body
        .as_ref()
        .and_then(|v| v.get("error"))
        .and_then(Value::as_str)
        .map(|e| format!(" {e:?}"))
        .unwrap_or_default();
    match r.status() {
        200 => {
            let Some(v) = body.filter(|v| v.get("id").is_some()) else {
                return unexpected(API, r, "but not a status");
            };
            let s = |path: &str| v.pointer(path).and_then(Value::as_str).map(str::to_string);
            // `acct` is `user` for local accounts: make it `user@instance`
            // like the handles taken from post URLs.
            let handle = s("/account/acct").map(|a| {
                if a.contains('@') {
                    a
                } else {
                    format!("{a}@{}", instance.split(':').next().unwrap_or(instance))
                }
            });
            let content = Content {
                source: API,
                text: s("/content").map(|html| html_to_text(&html)),
                author_name: s("/account/display_name").filter(|n| !n.is_empty()),
                handle,
                posted_at: s("/created_at").and_then(|t| rfc3339(&t)),
                lang: s("/language"),
                raw: raw(r),
            };
            Rung::new(API, status, Signal::Alive(Some(content)), "200 status")
        }
        404 | 410 => Rung::new(
            API,
            status,
            Signal::NotFound,
            format!("{}{error}", r.status()),
        ),
        401 => Rung::new(
            API,
            status,
            Signal::NoAnswer(Outcome::Unsupported),
            format!("401{error} (the instance requires signing in)"),
        ),
        _ => unexpected(API, r, "unexpected status"),
    }
}

fn read_oembed(answer: &Answer) -> Rung {
    let r = match answered(OEMBED, answer) {
        Ok(r) => r,
        Err(rung) => return *rung,
    };
    let status = Some(r.status());
    match r.status() {
        200 if json(r).is_some_and(|v| v.is_object()) => {
            Rung::new(OEMBED, status, Signal::Alive(None), "200")
        }
        200 => unexpected(OEMBED, r, "but not JSON"),
        404 | 410 => Rung::new(OEMBED, status, Signal::NotFound, r.status().to_string()),
        401 => Rung::new(
            OEMBED,
            status,
            Signal::NoAnswer(Outcome::Unsupported),
            "401 (the instance requires signing in)",
        ),
        _ => unexpected(OEMBED, r, "unexpected status"),
    }
}

/// The status's attachments: images as photos, videos and GIFs (served as
/// MP4) as videos with their preview as thumbnail. Audio is left out.
pub(super) fn media(v: &Value) -> Vec<Named> {
    let mut named = Vec::new();
    for a in v
        .get("media_attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let s = |key: &str| a.get(key).and_then(Value::as_str).filter(|u| !u.is_empty());
        // A remote status's copy may lack the file; the original server's URL then.
        let file = s("url").or_else(|| s("remote_url"));
        match a.get("type").and_then(Value::as_str) {
            Some("image") => named.extend(file.map(|u| Named::one(Kind::Photo, u))),
            Some("video" | "gifv") => {
                named.extend(file.map(|u| Named::one(Kind::Video, u)));
                named.extend(s("preview_url").map(|u| Named::one(Kind::Thumbnail, u)));
            }
            _ => {}
        }
    }
    named
}
