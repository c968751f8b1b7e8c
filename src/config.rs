//! `embarc.toml`: per-archive settings, read from the archive directory.
//!
//! Every section is optional and every field has a default, so an archive
//! without the file works. Unknown keys are an error that names the key, so a
//! typo never silently falls back to a default.

use crate::detect::labels::Rules;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The file name, inside the archive directory.
pub const FILE_NAME: &str = "embarc.toml";

/// Where an archive's settings are: `DIR/embarc.toml`.
pub fn path(archive_dir: &Path) -> std::path::PathBuf {
    archive_dir.join(FILE_NAME)
}

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
    /// `[recheck]`: when each post and article is checked again.
    pub recheck: Recheck,
    /// `[[watch]]`: feeds, sitemaps and lists archived on a schedule.
    pub watch: Vec<WatchSource>,
    /// `[jobs]`: leases, the grace period at shutdown, polling.
    pub jobs: Jobs,
    /// `[[notify]]`: webhook receivers.
    pub notify: Vec<Notify>,
    /// `[network]`: where requests may go.
    pub network: NetworkSection,
    /// `[push]`: copies pushed to public archives after each `archive` run.
    pub push: Push,
    /// `[media]`: fetch each checked post's own media.
    pub media: Media,
    /// `[timestamp]`: RFC 3161 timestamps over closed WARC files and WACZ packages.
    pub timestamp: Timestamp,
}

/// `[media]`: when `check` finds a post alive, fetch the media its
/// platform's answer names and keep them as WARC records (default off).
///
/// ```toml
/// [media]
/// enabled = true
/// max_size = 25                      # MiB; a video is its best variant under it
/// types = ["photo", "video", "thumbnail"]
/// ```
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Media {
    pub enabled: Option<bool>,
    pub max_size: Option<u64>,
    pub types: Option<Vec<String>>,
}

/// `[timestamp]`: the Time Stamping Authorities asked for RFC 3161
/// timestamps (each one asked; one answer is enough), and the certificates
/// `embarc verify` trusts their signatures to (PEM files; a path relative
/// to the archive directory).
///
/// ```toml
/// [timestamp]
/// tsa = ["https://freetsa.org/tsr"]
/// roots = ["tsa-roots.pem"]
/// timeout = "30s"
/// ```
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Timestamp {
    pub tsa: Vec<String>,
    pub roots: Vec<String>,
    /// How long one authority may take to answer (default `"30s"`).
    pub timeout: Option<String>,
}

/// `[push]`: push copies after every `archive` run, as `--push` asks for
/// one: `services = ["wayback"]`, at most `max` requests a run (default
/// 100), none started once `budget` has passed (default `"5m"`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Push {
    pub services: Vec<String>,
    pub max: Option<usize>,
    pub budget: Option<String>,
}

/// `[network]`: `allow_private = true` lets requests go to loopback,
/// private, link-local and other internal addresses (refused by default,
/// as a page could otherwise steer embarc into the network it runs in);
/// `allow_hosts` names hosts that may be internal all the same.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkSection {
    pub allow_private: bool,
    /// Hosts that may be internal all the same (an intranet site).
    pub allow_hosts: Vec<String>,
}

/// One `[[notify]]` receiver.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Notify {
    pub url: Option<String>,
    /// The events wanted (default: `post_gone`, `post_back`).
    pub events: Option<Vec<String>>,
    /// Signs each body with HMAC-SHA256 (`X-Embarc-Signature`).
    pub secret: Option<String>,
    /// Tries after the first (default 4).
    pub retries: Option<u32>,
    /// The first wait between tries, doubled each time (default `2s`).
    pub backoff: Option<String>,
}

/// `[recheck]`: the recheck policy (durations as `30m`, `6h`, `7d`). Unset
/// keys keep the defaults of `watch::Policy`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Recheck {
    /// Ages after a post is first seen at which it is checked.
    pub ages: Option<Vec<String>>,
    /// After the last age, how often.
    pub then_every: Option<String>,
    /// Ages after a post is found gone at which it is checked again, to
    /// catch its return.
    pub gone_ages: Option<Vec<String>>,
    /// How often articles are checked.
    pub articles_every: Option<String>,
}

/// One `[[watch]]` entry: exactly one of `feed`, `sitemap`, `list`, and
/// how often it is read.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct WatchSource {
    pub feed: Option<String>,
    pub sitemap: Option<String>,
    pub list: Option<String>,
    pub every: Option<String>,
}

/// `[jobs]`: how the scheduler (`embarc watch`) takes and gives back work.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Jobs {
    /// How long a claimed job is held before another process may take it.
    pub lease: Option<String>,
    /// At SIGTERM or SIGINT, how long running jobs are given to finish.
    pub grace: Option<String>,
    /// How often the archive is asked for due work when there is none.
    pub poll: Option<String>,
    /// Most jobs claimed at once.
    pub batch: Option<usize>,
}

/// `[endpoints]`: base URLs of the platform endpoints `check` asks (unset:
/// the built-in default; an `EMBARC_*_URL` variable wins over both), and
/// `[endpoints.rate]`: requests per unit for each (`"3/s"`, `"1000/h"`).
/// See `check::settings` for the names, defaults and meaning.
/// The endpoint names are the probes' own (`check::settings::all`), which
/// check every name here: a platform's endpoints are not listed twice.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Endpoints {
    pub rate: BTreeMap<String, String>,
    /// Base URL by endpoint name (`mastodon`: one server for every
    /// Mastodon post instead of each post's instance).
    #[serde(flatten)]
    pub urls: BTreeMap<String, String>,
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
    /// Keep every endpoint answer of `check` as WARC records (default
    /// off; never Meta's, whose terms forbid keeping oEmbed answers).
    pub keep_answers: Option<bool>,
}

/// `[labels]`: the phrases that put posts into the verification queue.
///
/// ```toml
/// [labels]
/// disable = ["developing"]          # default phrases to turn off
/// [labels.extra]                    # phrase = the label it stands for
/// "alerta" = "BREAKING"
/// "flash info" = "BREAKING"
/// ```
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Labels {
    /// Extra phrases, each mapped to its canonical label.
    pub extra: BTreeMap<String, String>,
    /// Default phrases that no longer count.
    pub disable: Vec<String>,
}

impl Labels {
    /// The label rules these settings make: the defaults, minus `disable`,
    /// plus `extra`.
    pub fn rules(&self) -> Result<Rules> {
        Rules::default()
            .without(&self.disable)
            .context("[labels] disable")?
            .with_extra(&self.extra)
            .context("[labels.extra]")
    }
}

/// `[claimreview]`: who publishes the ClaimReview export and where.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimReview {
    /// The reviewing organisation's name (ClaimReview `author.name`).
    #[serde(alias = "organization_name")]
    pub organisation_name: Option<String>,
    /// The organisation's home page (`author.url`).
    #[serde(alias = "organization_url")]
    pub organisation_url: Option<String>,
    /// Each review's `url` is this base followed by the claim id.
    pub url_base: Option<String>,
}

impl Config {
    /// Read `DIR/embarc.toml`; the defaults when the file does not exist.
    pub fn load(archive_dir: &Path) -> Result<Config> {
        let path = path(archive_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Self::parse(&text).with_context(|| format!("invalid settings in {}", path.display()))
    }

    /// Parse the text of an `embarc.toml`.
    pub fn parse(text: &str) -> Result<Config> {
        let config: Config =
            toml::from_str(text).map_err(|e| anyhow::anyhow!(explain(text, &e)))?;
        // Label settings are checked now, so a bad phrase names the file.
        config.labels.rules()?;
        Ok(config)
    }
}

/// A TOML error in words a user of the file knows: the type names of the
/// code become kinds of values, and the section of the faulty line is
/// named.
fn explain(text: &str, e: &toml::de::Error) -> String {
    let mut said = e.to_string();
    for (code, words) in [
        (
            "expected u64",
            "expected a whole number, 0 or more (no quotes, no unit)",
        ),
        (
            "expected u32",
            "expected a whole number, 0 or more (no quotes, no unit)",
        ),
        (
            "expected u16",
            "expected a whole number, 0 or more (no quotes, no unit)",
        ),
        (
            "expected usize",
            "expected a whole number, 0 or more (no quotes, no unit)",
        ),
        (
            "expected i64",
            "expected a whole number (no quotes, no unit)",
        ),
        ("expected f64", "expected a number (no quotes)"),
        ("expected a boolean", "expected true or false (no quotes)"),
    ] {
        said = said.replace(code, words);
    }
    let section = e.span().and_then(|span| {
        text.get(..span.start)?
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('['))
            .map(str::to_string)
    });
    if let Some(section) = section {
        said = format!("{}\n(in section {section})", said.trim_end());
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_of_the_wrong_kind_is_named_in_words_with_its_section() {
        let err = format!(
            "{:#}",
            Config::parse("[check]\ntimeout = \"5s\"\n[media]\nmax_size = \"abc\"\n").unwrap_err()
        );
        assert!(err.contains("expected a whole number"), "{err}");
        assert!(err.contains("(in section [media])"), "{err}");
        assert!(!err.contains("u64"), "{err}");
    }

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

    #[test]
    fn label_settings_make_rules() {
        let c = Config::parse(
            "[labels]\ndisable = [\"developing\"]\n[labels.extra]\n\"alerta\" = \"BREAKING\"\n",
        )
        .unwrap();
        let rules = c.labels.rules().unwrap();
        assert_eq!(rules.labels("ALERTA: x"), ["BREAKING"]);
        assert!(rules.labels("DEVELOPING: x").is_empty());
    }

    #[test]
    fn bad_label_settings_name_the_section_and_phrase() {
        let err = format!(
            "{:#}",
            Config::parse("[labels]\ndisable = [\"breakin\"]\n").unwrap_err()
        );
        assert!(
            err.contains("[labels] disable") && err.contains("breakin"),
            "{err}"
        );
        let err = format!(
            "{:#}",
            Config::parse("[labels.extra]\n\"🚨\" = \"BREAKING\"\n").unwrap_err()
        );
        assert!(
            err.contains("[labels.extra]") && err.contains("🚨"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "[labels]\ndisable = [\"x\"]\n").unwrap();
        let err = format!("{:#}", Config::load(dir.path()).unwrap_err());
        assert!(err.contains(FILE_NAME) && err.contains("\"x\""), "{err}");
    }

    #[test]
    fn claimreview_settings() {
        let c = Config::parse(
            "[claimreview]\norganisation_name = \"Fact Desk\"\nurl_base = \"https://f.example/c/\"\n",
        )
        .unwrap();
        assert_eq!(
            c.claimreview.organisation_name.as_deref(),
            Some("Fact Desk")
        );
        assert_eq!(
            c.claimreview.url_base.as_deref(),
            Some("https://f.example/c/")
        );
        assert_eq!(c.claimreview.organisation_url, None);
        let us = Config::parse("[claimreview]\norganization_name = \"x\"\n").unwrap();
        assert_eq!(us.claimreview.organisation_name.as_deref(), Some("x"));
        assert!(Config::parse("[claimreview]\nurl = \"x\"\n").is_err());
    }
}
