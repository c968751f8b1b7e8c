//! `embarc.toml`: per-archive settings, read from the archive directory.
//!
//! Every section is optional and every field has a default, so an archive
//! without the file works. Unknown keys are an error that names the key, so a
//! typo never silently falls back to a default.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The file name, inside the archive directory.
pub const FILE_NAME: &str = "embarc.toml";

/// All settings of one archive.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Base URLs of the platform endpoints used by `check` (tests point them
    /// at local servers; environment variables win over the file).
    pub endpoints: Endpoints,
    /// Extra urgency labels that put posts into the verification queue.
    pub labels: Labels,
    /// The reviewing organisation for ClaimReview exports.
    pub claimreview: ClaimReview,
    /// Timeouts and concurrency of `check`.
    pub check: Check,
}

/// `[endpoints]`: base URLs of the platform endpoints `check` asks (unset:
/// the built-in default; an `EMBARC_*_URL` variable wins over both), and
/// `[endpoints.rate]`: requests per unit for each (`"3/s"`, `"1000/h"`).
/// See `check::settings` for the names, defaults and meaning.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Endpoints {
    pub x_syndication: Option<String>,
    pub x_oembed: Option<String>,
    pub bluesky_appview: Option<String>,
    pub bluesky_oembed: Option<String>,
    /// One server for every Mastodon post instead of each post's instance.
    pub mastodon: Option<String>,
    pub telegram: Option<String>,
    pub youtube_thumb: Option<String>,
    pub tiktok: Option<String>,
    pub reddit: Option<String>,
    pub meta_graph: Option<String>,
    pub threads: Option<String>,
    pub wayback: Option<String>,
    pub rate: BTreeMap<String, String>,
}

/// `[check]`: request timeout (`"20s"`), retries, the longest `Retry-After`
/// waited for, and how many targets are checked at once.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Check {
    pub timeout: Option<String>,
    pub retries: Option<u32>,
    pub max_retry_after: Option<String>,
    pub concurrency: Option<usize>,
}

/// `[labels]`: filled in by the verification queue.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Labels {}

/// `[claimreview]`: filled in by the verification queue.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimReview {}

impl Config {
    /// Read `DIR/embarc.toml`; the defaults when the file does not exist.
    pub fn load(archive_dir: &Path) -> Result<Config> {
        let path = archive_dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Self::parse(&text).with_context(|| format!("invalid settings in {}", path.display()))
    }

    /// Parse the text of an `embarc.toml`.
    pub fn parse(text: &str) -> Result<Config> {
        Ok(toml::from_str(text)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Config::load(dir.path()).unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = Config::parse("[nope]\nx = 1\n").unwrap_err();
        assert!(format!("{err:#}").contains("nope"), "{err:#}");
    }
}
