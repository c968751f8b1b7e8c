//! A post's own media: the photos, video and thumbnails its platform's
//! endpoint names (docs/platforms.md §8), fetched when `[media]` is on and
//! kept as WARC records with their SHA-256.
//!
//! Each platform's module reads its own answer ([`Checker::media`] asks the
//! right one): X's syndication answer lists photos and each video's MP4
//! variants, Mastodon its attachments, Bluesky its image blobs, TikTok an
//! oEmbed thumbnail, YouTube the video's thumbnail. A video is its best
//! variant under the size limit: variants are tried best first and a larger
//! one is never downloaded past the limit. Media are fetched politely
//! (`[endpoints.rate] media`, per host), only once per post (a URL already
//! kept, or known to be too large, is not asked again) and only when the
//! answer is an image or a video.
//!
//! [`Checker::media`]: super::checker::Checker::media

use super::ask::{Answer, Endpoint};
use super::settings::Spec;
use crate::fetch::{ErrorClass, Exchange};
use std::path::PathBuf;

/// Media files of posts (no base URL: each file's own server).
pub const MEDIA: Spec = Spec {
    name: "media",
    env: None,
    default_url: None,
    default_rate: "4/s",
    accept: "image/*,video/*;q=0.9,*/*;q=0.1",
    keep: false,
};

/// What a medium is to its post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Photo,
    /// A video or an animated GIF (platforms serve both as MP4).
    Video,
    /// A still standing for a video or a post (a poster frame, a preview).
    Thumbnail,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Photo, Kind::Video, Kind::Thumbnail];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Photo => "photo",
            Kind::Video => "video",
            Kind::Thumbnail => "thumbnail",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One medium as an endpoint names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub kind: Kind,
    /// The file's URLs, best first: one for a photo, a video's variants
    /// from the highest bitrate down.
    pub variants: Vec<String>,
}

impl Named {
    pub fn one(kind: Kind, url: &str) -> Named {
        Named {
            kind,
            variants: vec![url.to_string()],
        }
    }
}

/// `[media]` resolved by the caller, which knows the archive directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSettings {
    /// The archive directory whose WARC files get the media.
    pub dir: PathBuf,
    /// Largest file kept, in bytes.
    pub max_size: u64,
    /// The kinds fetched.
    pub kinds: Vec<Kind>,
}

/// The default size limit: 25 MiB, a short video at a good bitrate.
pub const DEFAULT_MAX_SIZE: u64 = 25 * 1024 * 1024;

/// What fetching one medium came to.
#[derive(Debug, Clone)]
pub struct Got {
    pub kind: Kind,
    /// The endpoint whose answer named it.
    pub named_by: &'static str,
    /// The variant kept, or the best one when none was.
    pub url: String,
    pub result: Fetched,
}

/// The result of fetching one medium.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// The file as received (its body is the medium).
    Saved(Box<Exchange>),
    /// Every variant is larger than the limit (`limit` bytes).
    TooLarge { detail: String, limit: u64 },
    /// An answer that is not the medium (an error status, an HTML page).
    Refused { http_status: u16, detail: String },
    /// No answer.
    Failed { detail: String },
}

impl Fetched {
    /// The word stored for it (`post_media.result`).
    pub fn result(&self) -> &'static str {
        match self {
            Fetched::Saved(_) => "saved",
            Fetched::TooLarge { .. } => "too_large",
            Fetched::Refused { .. } => "refused",
            Fetched::Failed { .. } => "failed",
        }
    }
}

/// Fetch every medium in `named` whose kind `settings` takes and whose URLs
/// are not in `known` (kept, or too large, on an earlier check).
pub async fn fetch_all(
    endpoint: &Endpoint,
    settings: &MediaSettings,
    named_by: &'static str,
    named: Vec<Named>,
    known: &[String],
) -> Vec<Got> {
    let mut got = Vec::new();
    for mut n in named {
        // An answer's empty URL field names nothing.
        n.variants.retain(|v| !v.trim().is_empty());
        if !settings.kinds.contains(&n.kind)
            || n.variants.is_empty()
            || n.variants.iter().any(|v| known.contains(v))
        {
            continue;
        }
        got.push(fetch_one(endpoint, settings, named_by, n).await);
    }
    got
}

/// The first variant of `n` that is a medium under the size limit.
async fn fetch_one(
    endpoint: &Endpoint,
    settings: &MediaSettings,
    named_by: &'static str,
    n: Named,
) -> Got {
    let best = n.variants.first().cloned().unwrap_or_default();
    let mut too_large = 0;
    let mut last = None;
    for variant in &n.variants {
        let Ok(url) = url::Url::parse(variant) else {
            last = Some(Fetched::Failed {
                detail: format!("{variant:?} is not a URL"),
            });
            continue;
        };
        let result = match endpoint.get(&url).await {
            Answer::Http(r) => {
                let status = r.status();
                let content_type = r.header("content-type").unwrap_or("").to_ascii_lowercase();
                if status != 200 {
                    Fetched::Refused {
                        http_status: status,
                        detail: format!("HTTP {status}"),
                    }
                } else if !(content_type.starts_with("image/")
                    || content_type.starts_with("video/")
                    || content_type.starts_with("application/octet-stream"))
                {
                    Fetched::Refused {
                        http_status: status,
                        detail: format!(
                            "not an image or a video: {}",
                            if content_type.is_empty() {
                                "no Content-Type"
                            } else {
                                content_type.as_str()
                            }
                        ),
                    }
                } else {
                    return Got {
                        kind: n.kind,
                        named_by,
                        url: variant.clone(),
                        result: Fetched::Saved(Box::new(r.exchange)),
                    };
                }
            }
            Answer::Failed(e) if e.class == ErrorClass::TooLarge => {
                too_large += 1;
                continue;
            }
            Answer::Failed(e) => Fetched::Failed {
                detail: e.message.clone(),
            },
            Answer::Held => Fetched::Refused {
                http_status: 429,
                detail: "the server asked to wait longer than embarc waits".into(),
            },
        };
        last = Some(result);
    }
    // A variant that failed says more than the larger ones skipped.
    let result = match last {
        Some(r) => r,
        None => Fetched::TooLarge {
            limit: settings.max_size,
            detail: format!(
                "{} larger than the limit of {} ([media] max_size)",
                if n.variants.len() == 1 {
                    "the file is".to_string()
                } else {
                    format!("{too_large} of {} variants are", n.variants.len())
                },
                crate::words::mib(settings.max_size)
            ),
        },
    };
    Got {
        kind: n.kind,
        named_by,
        url: best,
        result,
    }
}

/// A fetched medium once its file is in the WARC: what gets recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub kind: Kind,
    pub url: String,
    pub named_by: &'static str,
    pub result: &'static str,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub warc: Option<(String, u64)>,
    pub http_status: Option<u16>,
    pub detail: String,
    /// For `too_large`: the limit it was over, in bytes.
    pub max_size: Option<u64>,
}

impl Got {
    /// Write a saved file to `warc` (its response and request records) and
    /// describe what came of it. Without a writer nothing is saved.
    pub fn store(
        self,
        warc: Option<&mut crate::capture::warc::WarcWriter>,
    ) -> std::io::Result<Stored> {
        let mut stored = Stored {
            kind: self.kind,
            url: self.url,
            named_by: self.named_by,
            result: self.result.result(),
            content_type: None,
            size: None,
            sha256: None,
            warc: None,
            http_status: None,
            detail: String::new(),
            max_size: None,
        };
        match self.result {
            Fetched::Saved(ex) => {
                let Some(warc) = warc else {
                    stored.result = "failed";
                    stored.detail = "no WARC file to keep it in".into();
                    return Ok(stored);
                };
                let [response, request] = crate::capture::warc::encode_exchange(&ex).members;
                let (file, offset) = warc.append(&response)?;
                warc.append(&request)?;
                stored.http_status = Some(ex.status);
                stored.content_type = ex.header("content-type").map(str::to_string);
                stored.size = Some(ex.raw_body.len() as u64);
                stored.sha256 = Some(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                    &ex.raw_body,
                )));
                stored.warc = Some((file, offset));
            }
            Fetched::TooLarge { detail, limit } => {
                stored.detail = detail;
                stored.max_size = Some(limit);
            }
            Fetched::Failed { detail } => stored.detail = detail,
            Fetched::Refused {
                http_status,
                detail,
            } => {
                stored.http_status = Some(http_status);
                stored.detail = detail;
            }
        }
        Ok(stored)
    }
}

/// The largest `[media] max_size` taken, in MiB (64 GiB): more is a size
/// written in bytes.
const MAX_MIB: u64 = 64 * 1024;

impl MediaSettings {
    /// `[media]` of `config` for the archive in `dir`; `force` turns it on
    /// for one run (`check --media`). `None`: off.
    pub fn from_config(
        config: &crate::config::Config,
        dir: &std::path::Path,
        force: bool,
    ) -> anyhow::Result<Option<MediaSettings>> {
        let m = &config.media;
        let mut kinds = Vec::new();
        for t in m.types.iter().flatten() {
            match Kind::parse(t) {
                Some(k) => kinds.push(k),
                None => anyhow::bail!(
                    "[media] types: {t:?} is not a kind of media; write any of \"photo\", \"video\", \"thumbnail\""
                ),
            }
        }
        match &m.types {
            None => kinds = Kind::ALL.to_vec(),
            Some(t) if t.is_empty() => anyhow::bail!(
                "[media] types = [] keeps nothing; list any of \"photo\", \"video\", \"thumbnail\" (or turn media off with enabled = false)"
            ),
            Some(_) => {}
        }
        let max_size = match m.max_size {
            Some(0) => {
                anyhow::bail!("[media] max_size: 0 MiB keeps nothing; write a size in MiB, e.g. 25")
            }
            // A size in bytes where MiB are meant: 25 MB as 26214400 is
            // 25 TiB.
            Some(mib) if mib > MAX_MIB => anyhow::bail!(
                "[media] max_size = {mib} is in MiB ({} TiB); write the size in MiB, e.g. 25 (at most {MAX_MIB})",
                mib / (1024 * 1024)
            ),
            Some(mib) => mib.saturating_mul(1024 * 1024),
            None => DEFAULT_MAX_SIZE,
        };
        Ok((force || m.enabled == Some(true)).then(|| MediaSettings {
            dir: dir.to_path_buf(),
            max_size,
            kinds,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn urls(named: &[Named]) -> Vec<(Kind, Vec<&str>)> {
        named
            .iter()
            .map(|n| (n.kind, n.variants.iter().map(String::as_str).collect()))
            .collect()
    }

    #[test]
    fn x_names_photos_videos_best_first_and_posters() {
        let v = json!({"mediaDetails": [
            {"type": "photo", "media_url_https": "https://pbs.example/a.jpg"},
            {"type": "animated_gif", "media_url_https": "https://pbs.example/g.jpg",
             "video_info": {"variants": [{"bitrate": 0, "content_type": "video/mp4", "url": "https://v.example/g.mp4"}]}},
            {"type": "video", "media_url_https": "https://pbs.example/p.jpg",
             "video_info": {"variants": [
                {"content_type": "application/x-mpegURL", "url": "https://v.example/v.m3u8"},
                {"bitrate": 256000, "content_type": "video/mp4", "url": "https://v.example/lo.mp4"},
                {"bitrate": 2176000, "content_type": "video/mp4", "url": "https://v.example/hi.mp4"}]}}
        ]});
        assert_eq!(
            urls(&super::super::x::media(&v)),
            [
                (Kind::Photo, vec!["https://pbs.example/a.jpg"]),
                (Kind::Video, vec!["https://v.example/g.mp4"]),
                (Kind::Thumbnail, vec!["https://pbs.example/g.jpg"]),
                (
                    Kind::Video,
                    vec!["https://v.example/hi.mp4", "https://v.example/lo.mp4"]
                ),
                (Kind::Thumbnail, vec!["https://pbs.example/p.jpg"]),
            ]
        );
        // Without mediaDetails: `photos` and `video`.
        let v = json!({"photos": [{"url": "https://pbs.example/b.jpg"}],
            "video": {"poster": "https://pbs.example/q.jpg", "variants": [
                {"type": "application/x-mpegURL", "src": "https://v.example/x.m3u8"},
                {"type": "video/mp4", "src": "https://v.example/x.mp4"}]}});
        assert_eq!(
            urls(&super::super::x::media(&v)),
            [
                (Kind::Photo, vec!["https://pbs.example/b.jpg"]),
                (Kind::Video, vec!["https://v.example/x.mp4"]),
                (Kind::Thumbnail, vec!["https://pbs.example/q.jpg"]),
            ]
        );
        assert!(super::super::x::media(&json!({"text": "no media"})).is_empty());
    }

    #[test]
    fn bluesky_names_full_size_images_and_video_thumbnails() {
        let images = json!({"embed": {"$type": "app.bsky.embed.images#view", "images": [
            {"thumb": "https://cdn.example/t1", "fullsize": "https://cdn.example/f1"},
            {"thumb": "https://cdn.example/t2", "fullsize": "https://cdn.example/f2"}]}});
        assert_eq!(
            urls(&super::super::bluesky::media(&images)),
            [
                (Kind::Photo, vec!["https://cdn.example/f1"]),
                (Kind::Photo, vec!["https://cdn.example/f2"]),
            ]
        );
        let quoting = json!({"embed": {"$type": "app.bsky.embed.recordWithMedia#view",
            "record": {}, "media": {"$type": "app.bsky.embed.video#view",
            "playlist": "https://video.example/p.m3u8", "thumbnail": "https://video.example/t.jpg"}}});
        assert_eq!(
            urls(&super::super::bluesky::media(&quoting)),
            [(Kind::Thumbnail, vec!["https://video.example/t.jpg"])]
        );
        let link = json!({"embed": {"$type": "app.bsky.embed.external#view",
            "external": {"uri": "https://news.example/", "thumb": "https://cdn.example/card"}}});
        assert!(super::super::bluesky::media(&link).is_empty());
    }

    #[test]
    fn mastodon_names_attachments_and_tiktok_its_cover() {
        let v = json!({"media_attachments": [
            {"type": "image", "url": "https://files.example/a.png"},
            {"type": "gifv", "url": "https://files.example/g.mp4", "preview_url": "https://files.example/g.png"},
            {"type": "image", "url": null, "remote_url": "https://origin.example/r.jpg"},
            {"type": "audio", "url": "https://files.example/s.mp3"}]});
        assert_eq!(
            urls(&super::super::mastodon::media(&v)),
            [
                (Kind::Photo, vec!["https://files.example/a.png"]),
                (Kind::Video, vec!["https://files.example/g.mp4"]),
                (Kind::Thumbnail, vec!["https://files.example/g.png"]),
                (Kind::Photo, vec!["https://origin.example/r.jpg"]),
            ]
        );
        assert_eq!(
            urls(&super::super::tiktok::media(
                &json!({"thumbnail_url": "https://p16.example/c.jpg"})
            )),
            [(Kind::Thumbnail, vec!["https://p16.example/c.jpg"])]
        );
    }

    #[test]
    fn media_settings_read_kinds_and_size() {
        let config: crate::config::Config =
            toml::from_str("[media]\nenabled = true\nmax_size = 3\ntypes = [\"video\"]\n").unwrap();
        let m = MediaSettings::from_config(&config, std::path::Path::new("a"), false)
            .unwrap()
            .unwrap();
        assert_eq!((m.max_size, m.kinds), (3 * 1024 * 1024, vec![Kind::Video]));
        let off: crate::config::Config = toml::from_str("").unwrap();
        assert!(
            MediaSettings::from_config(&off, std::path::Path::new("a"), false)
                .unwrap()
                .is_none()
        );
        let on = MediaSettings::from_config(&off, std::path::Path::new("a"), true)
            .unwrap()
            .unwrap();
        assert_eq!((on.max_size, on.kinds.len()), (DEFAULT_MAX_SIZE, 3));
        let zero: crate::config::Config = toml::from_str("[media]\nmax_size = 0\n").unwrap();
        assert!(MediaSettings::from_config(&zero, std::path::Path::new("a"), true).is_err());
    }
}
