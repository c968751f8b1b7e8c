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
