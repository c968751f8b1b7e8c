//! The platforms embarc knows, and how each is named in the archive and exports.

use std::fmt;
use std::str::FromStr;

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

    /// The lowercase name stored in the database and written in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::X => "x",
            Platform::Bluesky => "bluesky",
            Platform::Mastodon => "mastodon",
            Platform::Threads => "threads",
            Platform::Instagram => "instagram",
            Platform::Facebook => "facebook",
            Platform::TikTok => "tiktok",
            Platform::Reddit => "reddit",
            Platform::Telegram => "telegram",
            Platform::YouTube => "youtube",
        }
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

impl FromStr for Platform {
    type Err = String;

    /// Accepts the stored names plus the common aliases (`twitter`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        if lower == "twitter" {
            return Ok(Platform::X);
        }
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == lower)
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
