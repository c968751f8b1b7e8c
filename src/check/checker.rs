//! The checker: one [`Endpoint`] per endpoint the probes declare, and the
//! dispatch from a post's platform to its probe.
//!
//! This is check's list of platforms: [`endpoints`] and [`Checker::probe`]
//! match on every [`Platform`], so a platform added to `detect` does not
//! compile until it has a probe here (docs: ARCHITECTURE.md, "Adding a
//! platform").

use super::ask::{Endpoint, Rung, Signal, alone};
use super::media::{self, MediaSettings};
use super::outcome::{Content, Outcome, Verdict};
use super::settings::{self, Settings, Spec};
use super::{article, bluesky, mastodon, meta, reddit, telegram, tiktok, wayback, x, youtube};
use crate::detect::Platform;
use crate::fetch::FetchError;
use crate::store::{ArticleTarget, PostTarget};

/// A post as a probe sees it: what its platform names it by, nothing of
/// the archive's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRef {
    pub platform: Platform,
    /// The platform's post id, as `detect` normalises it
    /// (docs/platforms.md).
    pub id: String,
    /// The canonical post URL, when known.
    pub url: Option<String>,
    /// The author's handle, when known.
    pub handle: Option<String>,
}

impl PostRef {
    /// The post a store target names.
    pub fn from_target(t: &PostTarget) -> PostRef {
        PostRef {
            platform: t.platform,
            id: t.post_id.clone(),
            url: t.post_url.clone(),
            handle: t.handle.clone(),
        }
    }
}

/// The endpoints a platform's probe asks, declared by the probe's module.
pub fn endpoints(platform: Platform) -> &'static [Spec] {
    match platform {
        Platform::X => x::ENDPOINTS,
        Platform::Bluesky => bluesky::ENDPOINTS,
        Platform::Mastodon => mastodon::ENDPOINTS,
        Platform::Threads => meta::THREADS_ENDPOINTS,
        Platform::Instagram | Platform::Facebook => meta::GRAPH_ENDPOINTS,
        Platform::TikTok => tiktok::ENDPOINTS,
        Platform::Reddit => reddit::ENDPOINTS,
        Platform::Telegram => telegram::ENDPOINTS,
        Platform::YouTube => youtube::ENDPOINTS,
    }
}

/// Every endpoint a run may ask; built once per run.
#[derive(Debug)]
pub struct Checker {
    endpoints: Vec<(&'static str, Endpoint)>,
    wayback: Endpoint,
    article: Endpoint,
    /// Answers to keep as WARC records (`[check] keep_answers`).
    kept: Option<super::ask::Kept>,
    /// Bluesky posts gathered into `getPosts` calls.
    bluesky: bluesky::Batch,
    /// Where media files are fetched from, when `[media]` is on.
    media: Option<(Endpoint, MediaSettings)>,
}

impl Checker {
    pub fn new(settings: &Settings) -> Result<Checker, FetchError> {
        let kept = settings
            .keep_answers
            .as_ref()
            .map(|_| super::ask::Kept::default());
        let mut endpoints = Vec::new();
        for spec in settings::all() {
            if spec.name != settings::WAYBACK.name && spec.name != settings::ARTICLE.name {
                endpoints.push((spec.name, Endpoint::new(spec, settings, kept.as_ref())?));
            }
        }
        Ok(Checker {
            endpoints,
            wayback: Endpoint::new(&settings::WAYBACK, settings, kept.as_ref())?,
            article: Endpoint::new(&settings::ARTICLE, settings, kept.as_ref())?
                .with_max_body(article::MAX_BODY),
            kept,
            bluesky: bluesky::Batch::default(),
            media: match &settings.media {
                Some(m) => Some((
                    Endpoint::new(&media::MEDIA, settings, None)?.with_max_body(m.max_size),
                    m.clone(),
                )),
                None => None,
            },
        })
    }

    /// The endpoint a probe declared as `spec`; `None` only for a spec no
    /// probe lists in [`endpoints`] (a test asks every probe's).
    pub(super) fn endpoint(&self, spec: &Spec) -> Option<&Endpoint> {
        self.endpoints
            .iter()
            .find(|(name, _)| *name == spec.name)
            .map(|(_, e)| e)
    }

    /// Where Bluesky probes gather their posts into batch calls.
    pub(super) fn bluesky_batch(&self) -> &bluesky::Batch {
        &self.bluesky
    }

    /// The answers received since the last call, when they are kept.
    pub fn take_answers(&self) -> Vec<crate::fetch::Exchange> {
        match &self.kept {
            Some(kept) => std::mem::take(&mut *kept.lock().unwrap_or_else(|e| e.into_inner())),
            None => Vec::new(),
        }
    }

    /// Check one post of the archive on its platform's ladder.
    pub async fn post(&self, t: &PostTarget) -> Verdict {
        self.probe(&PostRef::from_target(t)).await
    }

    /// Check one post on its platform's ladder. Never fails: what could not
    /// be learnt is an `unknown` verdict.
    pub async fn probe(&self, post: &PostRef) -> Verdict {
        match post.platform {
            Platform::X => x::probe(self, post).await,
            Platform::Bluesky => bluesky::probe(self, post).await,
            Platform::Mastodon => mastodon::probe(self, post).await,
            Platform::Telegram => telegram::probe(self, post).await,
            Platform::YouTube => youtube::probe(self, post).await,
            Platform::TikTok => tiktok::probe(self, post).await,
            Platform::Reddit => reddit::probe(self, post).await,
            Platform::Threads | Platform::Instagram | Platform::Facebook => {
                meta::probe(self, post).await
            }
        }
    }

    /// `[media] max_size` when media are fetched; `None` when they are off.
    pub fn media_limit(&self) -> Option<u64> {
        self.media.as_ref().map(|(_, s)| s.max_size)
    }

    /// Fetch the media `content` (the endpoint's answer) names for `post`,
    /// leaving out the URLs in `known`; nothing when `[media]` is off or
    /// the post's platform names none.
    pub async fn media(
        &self,
        post: &PostRef,
        content: Option<&Content>,
        known: &[String],
    ) -> Vec<media::Got> {
        let Some((endpoint, settings)) = &self.media else {
            return Vec::new();
        };
        let mut named = self.named_media(post, content);
        // A Bluesky video is found on its author's server, not in the answer.
        if post.platform == Platform::Bluesky
            && settings.kinds.contains(&media::Kind::Video)
            && let Some(raw) = content
                .and_then(|c| c.raw.as_deref())
                .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
            && let Some(video) = bluesky::video(self, endpoint, &raw).await
        {
            named.push(video);
        }
        // The answer that named them; YouTube's come from its first endpoint.
        let first = endpoints(post.platform).first().map_or("", |s| s.name);
        let named_by = content.map_or(first, |c| c.source);
        media::fetch_all(endpoint, settings, named_by, named, known).await
    }

    /// The media of `post` as its platform's answer names them.
    fn named_media(&self, post: &PostRef, content: Option<&Content>) -> Vec<media::Named> {
        let raw = content
            .and_then(|c| c.raw.as_deref())
            .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok());
        let from_raw = |read: fn(&serde_json::Value) -> Vec<media::Named>| {
            raw.as_ref().map(read).unwrap_or_default()
        };
        match post.platform {
            Platform::X => from_raw(x::media),
            Platform::Bluesky => from_raw(bluesky::media),
            Platform::Mastodon => from_raw(mastodon::media),
            Platform::TikTok => from_raw(tiktok::media),
            Platform::YouTube => youtube::media(self, post),
            // Meta's terms forbid keeping what its oEmbed answers; Reddit
            // and Telegram answers name no media files here.
            Platform::Threads
            | Platform::Instagram
            | Platform::Facebook
            | Platform::Reddit
            | Platform::Telegram => Vec::new(),
        }
    }

    /// Check one article.
    pub async fn article(&self, t: &ArticleTarget) -> Verdict {
        article::check(&self.article, t).await
    }

    /// The Wayback Machine's copy of the first of `urls` it has.
    pub async fn archived_copy(&self, urls: &[String]) -> Option<String> {
        wayback::lookup(&self.wayback, urls).await
    }
}

/// A verdict reached without asking: the target cannot be checked.
pub fn unsupported(endpoint: &'static str, why: String) -> Verdict {
    alone(
        Rung::new(endpoint, None, Signal::NoAnswer(Outcome::Unsupported), why),
        Outcome::NotFound,
    )
}

/// The endpoint `spec` of `c` with its base URL, or the verdict that the
/// post cannot be checked without one.
pub(super) fn base<'c>(
    c: &'c Checker,
    spec: &Spec,
    what: &str,
) -> Result<(&'c Endpoint, &'c url::Url), Box<Verdict>> {
    c.endpoint(spec)
        .and_then(|e| e.base().map(|b| (e, b)))
        .ok_or_else(|| {
            Box::new(unsupported(
                spec.name,
                format!("no {what} endpoint configured"),
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_has_endpoints_and_every_name_is_one_endpoint() {
        for p in Platform::ALL {
            assert!(!endpoints(p).is_empty(), "{p} has no probe endpoints");
        }
        let all = settings::all();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.name, b.name);
                assert!(
                    a.env.is_none() || a.env != b.env,
                    "{} and {}",
                    a.name,
                    b.name
                );
            }
        }
    }
}
