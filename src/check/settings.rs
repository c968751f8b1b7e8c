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

/// One endpoint `check` may ask: the fixed facts its probe declares
/// (each probe module owns its endpoints; [`super::checker::ENDPOINTS`]
/// gathers them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The name used in `embarc.toml`, in `checks.endpoint` and as a
    /// snapshot's `source`.
    pub name: &'static str,
    /// The environment variable that overrides the base URL.
    pub env: Option<&'static str>,
    /// The built-in base URL (`None`: each post's own server, or articles).
    pub default_url: Option<&'static str>,
    pub default_rate: &'static str,
    /// The `Accept` header of its requests.
    pub accept: &'static str,
    /// Whether its answers may be kept as WARC records with
    /// `[check] keep_answers` (not Meta's: its terms forbid keeping what its
    /// oEmbed answers).
    pub keep: bool,
}

/// The Wayback Machine's availability API (asked for gone targets).
pub const WAYBACK: Spec = Spec {
    name: "wayback",
    env: Some("EMBARC_WAYBACK_URL"),
    default_url: Some("https://archive.org"),
    default_rate: "1/s",
    accept: "application/json",
    keep: true,
};

/// The Wayback Machine's Save Page Now (`archive --push wayback`): anonymous
/// use is limited, so about four saves a minute (each is a request and the
/// redirect to its copy).
pub const WAYBACK_SAVE: Spec = Spec {
    name: "wayback_save",
    env: Some("EMBARC_WAYBACK_SAVE_URL"),
    default_url: Some("https://web.archive.org"),
    default_rate: "8/min",
    accept: "text/html,*/*;q=0.5",
    keep: false,
};

/// The articles themselves (no base URL; politeness per site).
pub const ARTICLE: Spec = Spec {
    name: "article",
    env: None,
    default_url: None,
    default_rate: "10/s",
    accept: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
    keep: true,
};

/// Every endpoint: each platform's probes', then Wayback, articles and
/// media files.
pub fn all() -> Vec<&'static Spec> {
    let mut all: Vec<&'static Spec> = Vec::new();
    for p in crate::detect::Platform::ALL {
        for spec in super::checker::endpoints(p) {
            if !all.iter().any(|s| s.name == spec.name) {
                all.push(spec);
            }
        }
    }
    all.extend([&WAYBACK, &WAYBACK_SAVE, &ARTICLE, &super::media::MEDIA]);
    all
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
    urls: Vec<(&'static str, Option<Url>)>,
    rates: Vec<(&'static str, Rate)>,
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
    /// `[media]`: fetch each post's own media, and where to keep them
    /// (None: off, the default). Set by the caller, like `keep_answers`.
    pub media: Option<super::media::MediaSettings>,
}

impl Settings {
    /// Resolve the settings: environment (through `env`) over `embarc.toml`
    /// over the defaults. Errors name the variable or key and what to do;
    /// the caller names the file (`cli::load_config` resolves the file's
    /// settings alone first, so an error here after it is the environment's).
    pub fn resolve(config: &Config, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings> {
        let specs = all();
        let names = || {
            let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
            names.join(", ")
        };
        for name in config.endpoints.urls.keys() {
            if !specs.iter().any(|s| s.name == name && s.env.is_some()) {
                bail!(
                    "[endpoints]: unknown endpoint {name:?}; expected one of {}",
                    names()
                );
            }
        }
        let mut urls = Vec::new();
        for spec in &specs {
            let from_env = spec
                .env
                .and_then(|var| env(var).filter(|v| !v.trim().is_empty()).map(|v| (var, v)));
            let (origin, text) = match (from_env, config.endpoints.urls.get(spec.name)) {
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
            urls.push((spec.name, url));
        }
        for name in config.endpoints.rate.keys() {
            if !specs.iter().any(|s| s.name == name) {
                bail!(
                    "[endpoints.rate]: unknown endpoint {name:?}; expected one of {}",
                    names()
                );
            }
        }
        let mut rates = Vec::new();
        for spec in &specs {
            let text = config
                .endpoints
                .rate
                .get(spec.name)
                .map(String::as_str)
                .unwrap_or(spec.default_rate);
            let rate = Rate::parse(text).ok_or_else(|| {
                anyhow!(
                    "[endpoints.rate] {} = {text:?} is not a rate; write requests per unit, e.g. \"3/s\", \"10/min\" or \"1000/h\" (\"0\" for no limit)",
                    spec.name
                )
            })?;
            rates.push((spec.name, rate));
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
            media: None,
        })
    }

    /// The base URL of the endpoint called `name`; `None` only for
    /// Mastodon without an override (each post's own instance) and for
    /// articles.
    pub fn url(&self, name: &str) -> Option<&Url> {
        self.urls
            .iter()
            .find(|(a, _)| *a == name)
            .and_then(|(_, u)| u.as_ref())
    }

    pub fn rate(&self, name: &str) -> Rate {
        self.rates
            .iter()
            .find(|(a, _)| *a == name)
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

/// `500ms`, `30s`, `30m`, `1h`, `7d`, `2w`; a bare `0` is zero (the one
/// grammar: [`crate::duration`]).
pub fn parse_duration(text: &str) -> Option<Duration> {
    crate::duration::parse(text).ok()
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
        assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
        for bad in ["", "h", "1", "-1h", "1 parsec"] {
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
            s.url("x_syndication").unwrap().as_str(),
            "https://cdn.syndication.twimg.com/"
        );
        assert_eq!(s.url("mastodon"), None);
        assert_eq!(s.rate("meta_graph").interval(), Duration::from_millis(3600));
        assert_eq!(s.rate("x_oembed").interval(), Duration::from_secs(1) / 3);

        let config = Config::parse(
            "[endpoints]\nx_oembed = \"http://127.0.0.1:9/xo\"\nwayback = \"http://file.example\"\n\
             [endpoints.rate]\nmeta_graph = \"50/s\"\n[check]\ntimeout = \"2s\"\nretries = 0\n",
        )
        .unwrap();
        let env = |var: &str| (var == "EMBARC_WAYBACK_URL").then(|| "http://env.example/wb".into());
        let s = Settings::resolve(&config, &env).unwrap();
        assert_eq!(s.url("x_oembed").unwrap().as_str(), "http://127.0.0.1:9/xo");
        assert_eq!(s.url("wayback").unwrap().as_str(), "http://env.example/wb");
        assert_eq!(s.rate("meta_graph").interval(), Duration::from_millis(20));
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

        let config = Config::parse("[endpoints]\nx_oembd = \"http://127.0.0.1:9\"\n").unwrap();
        let err = format!("{:#}", Settings::resolve(&config, &no_env).unwrap_err());
        assert!(
            err.contains("[endpoints]") && err.contains("x_oembd") && err.contains("x_oembed"),
            "{err}"
        );
        let config = Config::parse("[endpoints]\narticle = \"http://127.0.0.1:9\"\n").unwrap();
        assert!(Settings::resolve(&config, &no_env).is_err());

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
