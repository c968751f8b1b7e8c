//! The checker: one [`Endpoint`] per API, and the dispatch from a post's
//! platform to its probe.

use super::ask::{Endpoint, Rung, Signal, alone};
use super::outcome::{Outcome, Verdict};
use super::settings::{Api, Settings};
use super::{article, bluesky, mastodon, meta, reddit, telegram, tiktok, wayback, x, youtube};
use crate::detect::Platform;
use crate::fetch::FetchError;
use crate::store::{ArticleTarget, PostTarget};

const JSON: &str = "application/json";

/// Every endpoint a run may ask; built once per run.
#[derive(Debug)]
pub struct Checker {
    pub(super) x_syndication: Endpoint,
    pub(super) x_oembed: Endpoint,
    pub(super) bluesky_appview: Endpoint,
    pub(super) bluesky_oembed: Endpoint,
    pub(super) mastodon: Endpoint,
    pub(super) telegram: Endpoint,
    pub(super) youtube_thumb: Endpoint,
    pub(super) tiktok: Endpoint,
    pub(super) reddit: Endpoint,
    pub(super) meta_graph: Endpoint,
    pub(super) threads: Endpoint,
    pub(super) wayback: Endpoint,
    pub(super) article: Endpoint,
    /// Answers to keep as WARC records (`[check] keep_answers`).
    kept: Option<super::ask::Kept>,
}

impl Checker {
    pub fn new(settings: &Settings) -> Result<Checker, FetchError> {
        let kept = settings
            .keep_answers
            .as_ref()
            .map(|_| super::ask::Kept::default());
        let e = |api, accept| Endpoint::new(api, settings, accept, kept.as_ref());
        Ok(Checker {
            x_syndication: e(Api::XSyndication, JSON)?,
            x_oembed: e(Api::XOembed, JSON)?,
            bluesky_appview: e(Api::BlueskyAppview, JSON)?,
            bluesky_oembed: e(Api::BlueskyOembed, JSON)?,
            mastodon: e(Api::Mastodon, JSON)?,
            telegram: e(Api::Telegram, "text/html")?,
            youtube_thumb: e(Api::YoutubeThumb, "image/*")?,
            tiktok: e(Api::Tiktok, JSON)?,
            reddit: e(Api::Reddit, JSON)?,
            meta_graph: e(Api::MetaGraph, JSON)?,
            threads: e(Api::Threads, JSON)?,
            wayback: e(Api::Wayback, JSON)?,
            article: e(
                Api::Article,
                "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
            )?
            .with_max_body(article::MAX_BODY),
            kept,
        })
    }

    /// The answers received since the last call, when they are kept.
    pub fn take_answers(&self) -> Vec<crate::fetch::Exchange> {
        match &self.kept {
            Some(kept) => std::mem::take(&mut *kept.lock().unwrap_or_else(|e| e.into_inner())),
            None => Vec::new(),
        }
    }

    /// Check one post on its platform's ladder. Never fails: what could not
    /// be learnt is an `unknown` verdict.
    pub async fn post(&self, t: &PostTarget) -> Verdict {
        let Ok(platform) = t.platform.parse::<Platform>() else {
            return unsupported("none", format!("unknown platform {:?}", t.platform));
        };
        match platform {
            Platform::X => x::probe(self, t).await,
            Platform::Bluesky => bluesky::probe(self, t).await,
            Platform::Mastodon => mastodon::probe(self, t).await,
            Platform::Telegram => telegram::probe(self, t).await,
            Platform::YouTube => youtube::probe(self, t).await,
            Platform::TikTok => tiktok::probe(self, t).await,
            Platform::Reddit => reddit::probe(self, t).await,
            Platform::Threads | Platform::Instagram | Platform::Facebook => {
                meta::probe(self, platform, t).await
            }
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
