//! Where `check` sends its requests and how fast: every endpoint's base URL
//! (built in default, `[endpoints]` in `embarc.toml`, an environment variable
//! that wins over both), its rate limit, and the request timeouts.
//!
//! The CLI resolves these once, reading the environment through the function
//! it passes in, and hands the result down: nothing here reads global state.

use crate::config::Config;
use anyhow::{Context, Result, anyhow, bail};
use std::time::Duration;
use url::Url;

/// An endpoint `check` may ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    XSyndication,
    XOembed,
    BlueskyAppview,
    BlueskyOembed,
    Mastodon,
    Telegram,
    YoutubeThumb,
    Tiktok,
    Reddit,
    MetaGraph,
    Threads,
    Wayback,
    /// The articles themselves (no base URL; politeness per site).
    Article,
}

/// The fixed facts of one endpoint.
struct Spec {
    name: &'static str,
    env: Option<&'static str>,
    default_url: Option<&'static str>,
    default_rate: &'static str,
}

impl Api {
    pub const ALL: [Api; 13] = [
        Api::XSyndication,
        Api::XOembed,
        Api::BlueskyAppview,
        Api::BlueskyOembed,
        Api::Mastodon,
        Api::Telegram,
        Api::YoutubeThumb,
        Api::Tiktok,
        Api::Reddit,
        Api::MetaGraph,
        Api::Threads,
        Api::Wayback,
        Api::Article,
    ];

    fn spec(self) -> Spec {
        let s = |name, env, default_url, default_rate| Spec {
            name,
            env,
            default_url,
            default_rate,
        };
        match self {
            Api::XSyndication => s(
                "x_syndication",
                Some("EMBARC_X_SYNDICATION_URL"),
                Some("https://cdn.syndication.twimg.com"),
                "3/s",
            ),
            Api::XOembed => s(
                "x_oembed",
                Some("EMBARC_X_OEMBED_URL"),
                Some("https://publish.twitter.com"),
                "3/s",
            ),
            Api::BlueskyAppview => s(
                "bluesky_appview",
                Some("EMBARC_BLUESKY_APPVIEW_URL"),
                Some("https://public.api.bsky.app"),
                "5/s",
            ),
            Api::BlueskyOembed => s(
                "bluesky_oembed",
                Some("EMBARC_BLUESKY_OEMBED_URL"),
                Some("https://embed.bsky.app"),
                "5/s",
            ),
            // Each post is checked on its own instance unless this is set.
            Api::Mastodon => s("mastodon", Some("EMBARC_MASTODON_URL"), None, "1/s"),
            Api::Telegram => s(
                "telegram",
                Some("EMBARC_TELEGRAM_URL"),
                Some("https://t.me"),
                "1/s",
            ),
            Api::YoutubeThumb => s(
                "youtube_thumb",
                Some("EMBARC_YOUTUBE_THUMB_URL"),
                Some("https://img.youtube.com"),
                "5/s",
            ),
            Api::Tiktok => s(
                "tiktok",
                Some("EMBARC_TIKTOK_URL"),
                Some("https://www.tiktok.com"),
                "1/s",
            ),
            Api::Reddit => s(
                "reddit",
                Some("EMBARC_REDDIT_URL"),
                Some("https://www.reddit.com"),
                "10/min",
            ),
            Api::MetaGraph => s(
                "meta_graph",
                Some("EMBARC_META_GRAPH_URL"),
                Some("https://graph.facebook.com/v26.0"),
                "1000/h",
            ),
            Api::Threads => s(
                "threads",
                Some("EMBARC_THREADS_URL"),
                Some("https://graph.threads.net/v1.0"),
                "1000/h",
            ),
            Api::Wayback => s(
                "wayback",
                Some("EMBARC_WAYBACK_URL"),
                Some("https://archive.org"),
                "1/s",
            ),
            Api::Article => s("article", None, None, "10/s"),
        }
    }

    /// The name used in `embarc.toml`, in `checks.endpoint` and as a
    /// snapshot's `source`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The environment variable that overrides the base URL.
    pub fn env_var(self) -> Option<&'static str> {
        self.spec().env
    }

    fn from_name(name: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The configured base URL of this endpoint in `[endpoints]`.
    fn configured(self, config: &crate::config::Endpoints) -> Option<&String> {
        match self {
            Api::XSyndication => config.x_syndication.as_ref(),
            Api::XOembed => config.x_oembed.as_ref(),
            Api::BlueskyAppview => config.bluesky_appview.as_ref(),
            Api::BlueskyOembed => config.bluesky_oembed.as_ref(),
            Api::Mastodon => config.mastodon.as_ref(),
            Api::Telegram => config.telegram.as_ref(),
            Api::YoutubeThumb => config.youtube_thumb.as_ref(),
            Api::Tiktok => config.tiktok.as_ref(),
            Api::Reddit => config.reddit.as_ref(),
            Api::MetaGraph => config.meta_graph.as_ref(),
            Api::Threads => config.threads.as_ref(),
            Api::Wayback => config.wayback.as_ref(),
            Api::Article => None,
        }
    }
}

/// At most `requests` request starts per `per`, to one host of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub requests: u32,
    pub per: Duration,
}

impl Rate {
    /// `3/s`, `10/min`, `1000/h`; `0` or `none` for no limit.
    pub fn parse(text: &str) -> Option<Rate> {
        let t = text.trim();
        if t == "0" || t.eq_ignore_ascii_case("none") {
            return Some(Rate {
                requests: 0,
                per: Duration::ZERO,
            });
        }
        let (n, unit) = t.split_once('/')?;
        let requests: u32 = n.trim().parse().ok().filter(|n| *n > 0)?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            "d" | "day" => Duration::from_secs(86_400),
            _ => return None,
        };
        Some(Rate { requests, per })
    }

    /// The least time between two request starts.
    pub fn interval(self) -> Duration {
        if self.requests == 0 {
            Duration::ZERO
        } else {
            self.per / self.requests
        }
    }
}

/// Everything `check` needs to know about its endpoints, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    urls: Vec<(Api, Option<Url>)>,
    rates: Vec<(Api, Rate)>,
    /// The whole of one try of one request.
    pub timeout: Duration,
    /// Tries after the first, for timeouts, connection errors, 429 and 5xx.
    pub retries: u32,
    /// A `Retry-After` longer than this is not waited for: the endpoint is
    /// left alone for the rest of the run and its targets are `unknown`.
    pub max_retry_after: Duration,
    /// Targets checked at the same time.
    pub concurrency: usize,
    /// Where requests may go (`[network]`, `--allow-private`).
    pub network: crate::fetch::Network,
    /// `[check] keep_answers`: the archive directory whose WARC files get
    /// every endpoint answer (None: not kept). Set by the caller, which
    /// knows the directory.
    pub keep_answers: Option<std::path::PathBuf>,
}

impl Settings {
    /// Resolve the settings: environment (through `env`) over `embarc.toml`
    /// over the defaults. Errors name the variable or key and what to do;
    /// the caller names the file (`cli::load_config` resolves the file's
    /// settings alone first, so an error here after it is the environment's).
    pub fn resolve(config: &Config, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings> {
        let mut urls = Vec::new();
        for api in Api::ALL {
            let spec = api.spec();
            let from_env = spec
                .env
                .and_then(|var| env(var).filter(|v| !v.trim().is_empty()).map(|v| (var, v)));
            let (origin, text) = match (from_env, api.configured(&config.endpoints)) {
                (Some((var, v)), _) => (format!("the environment variable {var}"), v),
                (None, Some(v)) if !v.trim().is_empty() => {
                    (format!("[endpoints] {}", spec.name), v.clone())
                }
                _ => (
                    String::new(),
                    spec.default_url.unwrap_or_default().to_string(),
                ),
            };
            let url = if text.is_empty() {
                None
            } else {
                Some(parse_base(&text).with_context(|| format!("{origin} = {text:?}"))?)
            };
            urls.push((api, url));
        }
        for name in config.endpoints.rate.keys() {
            if Api::from_name(name).is_none() {
                let names: Vec<&str> = Api::ALL.iter().map(|a| a.name()).collect();
                bail!(
                    "[endpoints.rate]: unknown endpoint {name:?}; expected one of {}",
                    names.join(", ")
                );
            }
        }
        let mut rates = Vec::new();
        for api in Api::ALL {
            let text = config
                .endpoints
                .rate
                .get(api.name())
                .map(String::as_str)
                .unwrap_or(api.spec().default_rate);
            let rate = Rate::parse(text).ok_or_else(|| {
                anyhow!(
                    "[endpoints.rate] {} = {text:?} is not a rate; write requests per unit, e.g. \"3/s\", \"10/min\" or \"1000/h\" (\"0\" for no limit)",
                    api.name()
                )
            })?;
            rates.push((api, rate));
        }
        let check = &config.check;
        let duration = |key: &str, value: &Option<String>, default: Duration| {
            match value {
            None => Ok(default),
            Some(v) => parse_duration(v).ok_or_else(|| {
                anyhow!(
                    "[check] {key} = {v:?} is not a duration; write e.g. \"500ms\", \"20s\" or \"2m\""
                )
            }),
        }
        };
        Ok(Settings {
            urls,
            rates,
            timeout: duration("timeout", &check.timeout, Duration::from_secs(20))?,
            retries: check.retries.unwrap_or(2),
            max_retry_after: duration(
                "max_retry_after",
                &check.max_retry_after,
                Duration::from_secs(60),
            )?,
            concurrency: check.concurrency.unwrap_or(8).max(1),
            network: crate::fetch::Network {
                allow_private: config.network.allow_private,
                allow_hosts: config.network.allow_hosts.clone(),
                ..crate::fetch::Network::default()
            },
            keep_answers: None,
        })
    }

    /// The base URL of `api`; `None` only for Mastodon without an override
    /// (each post's own instance) and for articles.
    pub fn url(&self, api: Api) -> Option<&Url> {
        self.urls
            .iter()
            .find(|(a, _)| *a == api)
            .and_then(|(_, u)| u.as_ref())
    }

    pub fn rate(&self, api: Api) -> Rate {
        self.rates
            .iter()
            .find(|(a, _)| *a == api)
            .map(|(_, r)| *r)
            .unwrap_or(Rate {
                requests: 1,
                per: Duration::from_secs(1),
            })
    }
}

/// A base URL: http or https, with a host; no query or fragment.
fn parse_base(text: &str) -> Result<Url> {
    let url = Url::parse(text.trim())
        .map_err(|e| anyhow!("not a URL ({e}); write e.g. https://example.org"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        bail!("not an http(s) URL with a host; write e.g. https://example.org");
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("a base URL takes no query or fragment");
    }
    Ok(url)
}

/// `500ms`, `30s`, `30m`, `1h`, `7d`, `2w`; a bare `0` is zero.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    if t == "0" {
        return Some(Duration::ZERO);
    }
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().ok()?;
    let secs = match unit.trim() {
        "ms" => return Some(Duration::from_millis(n)),
        "s" | "sec" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(secs).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        for bad in ["", "h", "1", "1 year", "-1h", "1.5h"] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rates() {
        assert_eq!(
            Rate::parse("1000/h").unwrap().interval(),
            Duration::from_millis(3600)
        );
        assert_eq!(
            Rate::parse("4/s").unwrap().interval(),
            Duration::from_millis(250)
        );
        assert_eq!(Rate::parse("0").unwrap().interval(), Duration::ZERO);
        assert_eq!(Rate::parse("3 per s"), None);
        assert_eq!(Rate::parse("0/s"), None);
    }

    #[test]
    fn defaults_file_and_environment_in_that_order() {
        let s = Settings::resolve(&Config::default(), &no_env).unwrap();
        assert_eq!(
            s.url(Api::XSyndication).unwrap().as_str(),
            "https://cdn.syndication.twimg.com/"
        );
        assert_eq!(s.url(Api::Mastodon), None);
        assert_eq!(
            s.rate(Api::MetaGraph).interval(),
            Duration::from_millis(3600)
        );
        assert_eq!(s.rate(Api::XOembed).interval(), Duration::from_secs(1) / 3);

        let config = Config::parse(
            "[endpoints]\nx_oembed = \"http://127.0.0.1:9/xo\"\nwayback = \"http://file.example\"\n\
             [endpoints.rate]\nmeta_graph = \"50/s\"\n[check]\ntimeout = \"2s\"\nretries = 0\n",
        )
        .unwrap();
        let env = |var: &str| (var == "EMBARC_WAYBACK_URL").then(|| "http://env.example/wb".into());
        let s = Settings::resolve(&config, &env).unwrap();
        assert_eq!(
            s.url(Api::XOembed).unwrap().as_str(),
            "http://127.0.0.1:9/xo"
        );
        assert_eq!(
            s.url(Api::Wayback).unwrap().as_str(),
            "http://env.example/wb"
        );
        assert_eq!(s.rate(Api::MetaGraph).interval(), Duration::from_millis(20));
        assert_eq!(s.timeout, Duration::from_secs(2));
        assert_eq!(s.retries, 0);
    }

    #[test]
    fn bad_settings_name_their_source() {
        let env = |var: &str| (var == "EMBARC_REDDIT_URL").then(|| "ftp://x.example".into());
        let err = format!(
            "{:#}",
            Settings::resolve(&Config::default(), &env).unwrap_err()
        );
        assert!(err.contains("EMBARC_REDDIT_URL"), "{err}");

        let config = Config::parse("[endpoints]\ntiktok = \"not a url\"\n").unwrap();
        let err = format!("{:#}", Settings::resolve(&config, &no_env).unwrap_err());
        assert!(err.contains("[endpoints] tiktok"), "{err}");

        let config = Config::parse("[endpoints.rate]\nx_oembd = \"1/s\"\n").unwrap();
        let err = format!("{:#}", Settings::resolve(&config, &no_env).unwrap_err());
        assert!(err.contains("x_oembd") && err.contains("x_oembed"), "{err}");

        let config = Config::parse("[endpoints.rate]\nreddit = \"fast\"\n").unwrap();
        let err = format!("{:#}", Settings::resolve(&config, &no_env).unwrap_err());
        assert!(err.contains("reddit") && err.contains("\"fast\""), "{err}");

        let config = Config::parse("[check]\ntimeout = \"soon\"\n").unwrap();
        let err = format!("{:#}", Settings::resolve(&config, &no_env).unwrap_err());
        assert!(err.contains("[check] timeout"), "{err}");
    }
}
