//! Bluesky (docs/platforms.md §2): the public AppView's `getPosts`, 25
//! posts a call ([`Batch`]); a post it does not return goes down the
//! ladder: `getPostThread`, then oEmbed. AppView says `NotFound` (HTTP 400)
//! or `notFoundPost` for a deleted post; oEmbed 404 agrees, 403 means the
//! author keeps posts from logged-out viewers (or blocked). New posts may
//! 404 briefly, so the two must agree before a post is gone.

use super::ask::{
    Answer, Endpoint, Rung, Signal, alone, answered, combine, json, raw, unexpected, url_on,
};
use super::checker::{Checker, PostRef, base};
use super::media::{Kind, Named};
use super::outcome::{Content, Outcome, Verdict};
use super::settings::Spec;
use super::text::{first_text, rfc3339};
use serde_json::Value;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::oneshot;
use url::Url;

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
/// The PLC directory: where a `did:plc` account names its Personal Data
/// Server (asked only to keep a post's video, `[media]`).
pub(super) const PLC_API: Spec = Spec {
    name: "bluesky_plc",
    env: Some("EMBARC_BLUESKY_PLC_URL"),
    default_url: Some("https://plc.directory"),
    default_rate: "5/s",
    accept: "application/json",
    keep: false,
};
pub(super) const ENDPOINTS: &[Spec] = &[APPVIEW_API, OEMBED_API, PLC_API];
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
    if let Some(alive) = c.bluesky_batch().look(app, app_base, at_uri).await {
        return alone(alive, Outcome::Deleted);
    }
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

/// Posts asked of `getPosts` in one call (the AppView's limit).
pub const BATCH: usize = 25;
/// How long the first post of a batch waits for others to join it.
const GATHER: Duration = Duration::from_millis(20);

/// Gathers the posts that probes running at once are about to ask into
/// `getPosts` calls of up to [`BATCH`]: the call that fills a batch sends
/// it, and the first of a batch sends what joined it after [`GATHER`].
/// Only "alive" is read from it: a post it does not return (deleted,
/// blocked, taken down, or a failed call) goes down the per-post ladder,
/// so a batch never makes a post gone.
#[derive(Debug, Default)]
pub struct Batch {
    pending: Mutex<Pending>,
}

#[derive(Debug, Default)]
struct Pending {
    /// Bumped each time a batch is taken to be sent.
    generation: u64,
    waiting: Vec<(String, oneshot::Sender<Option<Rung>>)>,
}

impl Batch {
    /// The alive rung for `at_uri` from a `getPosts` answer, or `None`
    /// when the answer did not show it.
    pub async fn look(&self, app: &Endpoint, base: &Url, at_uri: &str) -> Option<Rung> {
        let (tx, rx) = oneshot::channel();
        let (full, first_of) = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            p.waiting.push((at_uri.to_string(), tx));
            let full = (p.waiting.len() >= BATCH).then(|| p.take());
            let first_of = (p.waiting.len() == 1).then_some(p.generation);
            (full, first_of)
        };
        if let Some(batch) = full {
            send(app, base, batch).await;
        } else if let Some(generation) = first_of {
            tokio::time::sleep(GATHER).await;
            let batch = {
                let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                (p.generation == generation).then(|| p.take())
            };
            if let Some(batch) = batch {
                send(app, base, batch).await;
            }
        }
        rx.await.ok().flatten()
    }
}

impl Pending {
    fn take(&mut self) -> Vec<(String, oneshot::Sender<Option<Rung>>)> {
        self.generation += 1;
        std::mem::take(&mut self.waiting)
    }
}

/// One `getPosts` call for `batch`; each waiter hears its post's rung.
async fn send(app: &Endpoint, base: &Url, batch: Vec<(String, oneshot::Sender<Option<Rung>>)>) {
    let asked = batch.len();
    let url = {
        let query: Vec<(&str, &str)> = batch
            .iter()
            .map(|(uri, _)| ("uris", uri.as_str()))
            .collect();
        url_on(base, "/xrpc/app.bsky.feed.getPosts", &query)
    };
    let answer = app.get(&url).await;
    let posts = match &answer {
        Answer::Http(r) if r.status() == 200 => json(r)
            .and_then(|v| v.get("posts").and_then(Value::as_array).cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    for (uri, tx) in batch {
        let rung = match (&answer, posts.iter().find(|p| same_post(&uri, p))) {
            (Answer::Http(r), Some(post)) => {
                let mut content = post_content(r, post);
                content.raw = serde_json::to_string(post).ok();
                Some(Rung::new(
                    APPVIEW,
                    Some(r.status()),
                    Signal::Alive(Some(content)),
                    format!("200 getPosts (one of {asked})"),
                ))
            }
            _ => None,
        };
        // A waiter that went away (the run stopped) needs no answer.
        let _ = tx.send(rung);
    }
}

/// True when `post` (a `getPosts` post view) is the post `at_uri` names:
/// the same record key, by the author's DID or handle.
fn same_post(at_uri: &str, post: &Value) -> bool {
    let parts = |uri: &str| -> Option<(String, String)> {
        let rest = uri.strip_prefix("at://")?;
        let (authority, path) = rest.split_once('/')?;
        let rkey = path.strip_prefix("app.bsky.feed.post/")?;
        Some((authority.to_ascii_lowercase(), rkey.to_string()))
    };
    let (Some((authority, rkey)), Some((_, their_rkey))) = (
        parts(at_uri),
        post.get("uri").and_then(Value::as_str).and_then(parts),
    ) else {
        return false;
    };
    let author = |key: &str| {
        post.pointer(&format!("/author/{key}"))
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(&authority))
    };
    rkey == their_rkey && (author("did") || author("handle"))
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

/// The post view's images (full size) and a video's thumbnail, also when
/// the post quotes another (`recordWithMedia`). A video itself is an HLS
/// playlist of segments, not one file, and is not fetched.
pub(super) fn media(v: &Value) -> Vec<Named> {
    let mut named = Vec::new();
    let Some(embed) = media_embed(v) else {
        return named;
    };
    match embed.get("$type").and_then(Value::as_str) {
        Some("app.bsky.embed.images#view") => {
            for i in embed
                .get("images")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                named.extend(
                    i.get("fullsize")
                        .and_then(Value::as_str)
                        .map(|u| Named::one(Kind::Photo, u)),
                );
            }
        }
        Some("app.bsky.embed.video#view") => {
            named.extend(
                embed
                    .get("thumbnail")
                    .and_then(Value::as_str)
                    .map(|u| Named::one(Kind::Thumbnail, u)),
            );
        }
        _ => {}
    }
    named
}

/// The embed of a post view that carries its media (inside
/// `recordWithMedia` when the post also quotes one).
fn media_embed(v: &Value) -> Option<&Value> {
    let embed = v.get("embed")?;
    if embed.get("$type").and_then(Value::as_str) == Some("app.bsky.embed.recordWithMedia#view") {
        return embed.get("media");
    }
    Some(embed)
}

/// A post view's video as the file its author uploaded: the blob (`cid`)
/// on the author's Personal Data Server, whose address the PLC directory
/// gives for a `did:plc` and the DID's own host for a `did:web`. (The
/// AppView serves videos only as HLS playlists of segments.) `None` when
/// the post has no video or the server cannot be found. `fetch` asks
/// content-named hosts (a `did:web`'s) under the media policy.
pub(super) async fn video(c: &Checker, fetch: &Endpoint, v: &Value) -> Option<Named> {
    let embed = media_embed(v)?;
    if embed.get("$type").and_then(Value::as_str) != Some("app.bsky.embed.video#view") {
        return None;
    }
    let cid = embed.get("cid").and_then(Value::as_str)?;
    let did = v.get("author")?.get("did").and_then(Value::as_str)?;
    let document = if did.starts_with("did:plc:") {
        let plc = c.endpoint(&PLC_API)?;
        plc.get(&url_on(plc.base()?, &format!("/{did}"), &[])).await
    } else {
        // did:web:HOST (a port written %3A), its document at a fixed path.
        let host = did.strip_prefix("did:web:")?.replace("%3A", ":");
        let url = Url::parse(&format!("https://{host}/.well-known/did.json")).ok()?;
        fetch.get(&url).await
    };
    let Answer::Http(r) = document else {
        return None;
    };
    let pds = pds_of(&json(&r).filter(|_| r.status() == 200)?)?;
    let blob = url_on(
        &pds,
        "/xrpc/com.atproto.sync.getBlob",
        &[("did", did), ("cid", cid)],
    );
    Some(Named::one(Kind::Video, blob.as_str()))
}

/// The Personal Data Server a DID document names (`#atproto_pds`).
fn pds_of(document: &Value) -> Option<Url> {
    let service = document.get("service")?.as_array()?.iter().find(|s| {
        s.get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.ends_with("#atproto_pds"))
    })?;
    let url = Url::parse(service.get("serviceEndpoint")?.as_str()?).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_did_document_names_its_personal_data_server() {
        let doc = serde_json::json!({
            "id": "did:plc:abc123",
            "service": [
                {"id": "#bsky_notif", "type": "Other", "serviceEndpoint": "https://notify.example"},
                {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://pds.example"}
            ]
        });
        assert_eq!(pds_of(&doc).unwrap().as_str(), "https://pds.example/");
        let odd = serde_json::json!({"service": [{"id": "#atproto_pds", "serviceEndpoint": "javascript:alert(1)"}]});
        assert!(pds_of(&odd).is_none());
        assert!(pds_of(&serde_json::json!({})).is_none());
    }

    #[test]
    fn a_post_view_is_matched_by_record_key_and_the_authors_did_or_handle() {
        let post = serde_json::json!({
            "uri": "at://did:plc:abc123/app.bsky.feed.post/3kx",
            "author": {"did": "did:plc:abc123", "handle": "Reporter.bsky.social"},
        });
        assert!(same_post(
            "at://did:plc:abc123/app.bsky.feed.post/3kx",
            &post
        ));
        assert!(same_post(
            "at://reporter.bsky.social/app.bsky.feed.post/3kx",
            &post
        ));
        assert!(!same_post(
            "at://did:plc:abc123/app.bsky.feed.post/3ky",
            &post
        ));
        assert!(!same_post(
            "at://other.bsky.social/app.bsky.feed.post/3kx",
            &post
        ));
        assert!(!same_post(
            "at://did:plc:abc123/app.bsky.feed.like/3kx",
            &post
        ));
        assert!(!same_post("not a uri", &post));
    }
}
