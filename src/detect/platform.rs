//! The platforms embarc knows: the list, and each platform's description
//! ([`Spec`]), from which detection builds its URL dispatch, its embed
//! matcher chain, its prefilter markers and its id-to-time rule.
//!
//! A platform's description lives in its own module (`detect/NAME.rs`,
//! with its URL parser in `detect/urls/NAME.rs`); this file only lists
//! them. `check` keeps its own list of probes, matched on every
//! [`Platform`] (see ARCHITECTURE.md, "Adding a platform").

use super::Citation;
use super::urls::{Link, PostUrl};
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;
use std::fmt;
use std::str::FromStr;

/// Everything detection knows of one platform.
pub struct Spec {
    pub platform: Platform,
    /// The name stored in the database and written in exports.
    pub name: &'static str,
    /// Other names accepted where a platform is named (`twitter`).
    pub aliases: &'static [&'static str],
    /// The hosts whose URLs are this platform's: `domain` (and its
    /// subdomains), `=host` (that host only) or `prefix.*`. Empty: any host
    /// no platform names (the fediverse: servers are everywhere).
    pub hosts: &'static [&'static str],
    /// Prefilter markers, ASCII, matched case-insensitively: every embed,
    /// link or copy this platform's detectors find contains one.
    pub markers: &'static [&'static str],
    /// Reads a URL on one of `hosts`: the post it names, if any.
    pub(crate) url: fn(&Link, u8) -> Option<PostUrl>,
    /// The embed matcher: citations if the element is one of the
    /// platform's embeds (`None` lets the walk descend).
    pub(crate) embed: fn(NodeRef<'_, Node>, &Element) -> Option<Vec<Citation>>,
    /// The publish time (Unix ms) a post id encodes, when it encodes one.
    pub(crate) id_time: Option<fn(&str) -> Option<i64>>,
    /// A post URL and an embed of it, in the platform's own shape: the
    /// registry test (`tests/detect_registry.rs`) proves that the URL
    /// parses, the embed is detected and one of `markers` is in it.
    pub example_url: &'static str,
    pub example_embed: &'static str,
}

/// A social platform whose posts embarc detects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    X,
    Bluesky,
    Mastodon,
    Threads,
    Instagram,
    Facebook,
    TikTok,
    Reddit,
    Telegram,
    YouTube,
}

impl Platform {
    /// Every platform, in a stable order (used by `status` and reports).
    pub const ALL: [Platform; 10] = [
        Platform::X,
        Platform::Bluesky,
        Platform::Mastodon,
        Platform::Threads,
        Platform::Instagram,
        Platform::Facebook,
        Platform::TikTok,
        Platform::Reddit,
        Platform::Telegram,
        Platform::YouTube,
    ];

    /// The platform's description, from its own module.
    pub fn spec(self) -> &'static Spec {
        match self {
            Platform::X => &super::x::SPEC,
            Platform::Bluesky => &super::bluesky::SPEC,
            Platform::Mastodon => &super::mastodon::SPEC,
            Platform::Threads => &super::threads::SPEC,
            Platform::Instagram => &super::instagram::SPEC,
            Platform::Facebook => &super::facebook::SPEC,
            Platform::TikTok => &super::tiktok::SPEC,
            Platform::Reddit => &super::reddit::SPEC,
            Platform::Telegram => &super::telegram::SPEC,
            Platform::YouTube => &super::youtube::SPEC,
        }
    }

    /// The lowercase name stored in the database and written in exports.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// Every platform's name, with its aliases: `x (or twitter), bluesky,
    /// …`, for help texts and messages (built from the list, so a new
    /// platform is named everywhere).
    pub fn names() -> String {
        Platform::ALL
            .iter()
            .map(|p| match p.spec().aliases {
                [] => p.as_str().to_string(),
                aliases => format!("{} (or {})", p.as_str(), aliases.join(", ")),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether a handle shown by an embed and one named by the post's URL
    /// are the same account, compared in the form the platform defines:
    /// ASCII case never matters; a leading `@` (and Reddit's `u/`) is not
    /// part of a handle; Mastodon compares the local part when only one side
    /// names the server; Facebook ignores dots in page names. Platforms
    /// whose URLs name no handle (YouTube) never mismatch.
    pub fn same_handle(self, shown: &str, from_url: &str) -> bool {
        let strip = |h: &'_ str| -> String {
            let h = h.trim().trim_start_matches('@');
            let h = match self {
                Platform::Reddit => h
                    .strip_prefix("u/")
                    .or_else(|| h.strip_prefix("/u/"))
                    .unwrap_or(h),
                _ => h,
            };
            h.to_ascii_lowercase()
        };
        let (a, b) = (strip(shown), strip(from_url));
        match self {
            Platform::Mastodon => match (a.split_once('@'), b.split_once('@')) {
                (Some(_), Some(_)) | (None, None) => a == b,
                (Some((local, _)), None) => local == b,
                (None, Some((local, _))) => a == local,
            },
            Platform::Facebook => a.replace('.', "") == b.replace('.', ""),
            Platform::YouTube => true,
            _ => a == b,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as its stored name (`"x"`, `"bluesky"`), as exports write it.
impl serde::Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = String;

    /// Accepts the stored names plus each platform's aliases (`twitter`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == lower || p.spec().aliases.contains(&lower.as_str()))
            .ok_or_else(|| {
                let names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
                format!(
                    "unknown platform {s:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::Platform;

    #[test]
    fn each_spec_is_its_platforms() {
        for p in Platform::ALL {
            assert_eq!(p.spec().platform, p);
            assert_eq!(p.to_string().parse::<Platform>(), Ok(p));
            for alias in p.spec().aliases {
                assert_eq!(alias.parse::<Platform>(), Ok(p));
            }
        }
        assert_eq!("Twitter".parse::<Platform>(), Ok(Platform::X));
    }

    #[test]
    fn handles_compare_in_each_platform_form() {
        assert!(Platform::X.same_handle("Jack", "jack"));
        assert!(Platform::X.same_handle("@jack", "jack"));
        assert!(!Platform::X.same_handle("jack", "jack_"));
        assert!(Platform::Bluesky.same_handle("Alice.bsky.social", "alice.bsky.social"));
        assert!(!Platform::Bluesky.same_handle("alice.bsky.social", "alice.example.com"));
        let m = Platform::Mastodon;
        assert!(m.same_handle("Gargron", "Gargron@mastodon.social"));
        assert!(m.same_handle("@Gargron@mastodon.social", "gargron@mastodon.social"));
        assert!(!m.same_handle("gargron@example.social", "gargron@mastodon.social"));
        assert!(!m.same_handle("alice", "bob@mastodon.social"));
        assert!(Platform::Reddit.same_handle("u/spez", "spez"));
        assert!(!Platform::Reddit.same_handle("u/spez", "kn0thing"));
        assert!(Platform::Facebook.same_handle("pamela.rendi.wagner", "PamelaRendiWagner"));
        assert!(!Platform::Facebook.same_handle("nasa", "esa"));
        assert!(Platform::TikTok.same_handle("@Scout2015", "scout2015"));
        assert!(Platform::YouTube.same_handle("anything", "else"));
    }
}
