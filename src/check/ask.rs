//! Asking endpoints and weighing their answers.
//!
//! An [`Endpoint`] is one polite HTTP client (the fetcher's, with the
//! endpoint's own rate limit) plus its base URL. A rung of a ladder turns an
//! [`Answer`] into a [`Rung`]: what that endpoint's answer says about the
//! post ([`Signal`]) and a short note for the evidence. [`alone`] and
//! [`combine`] turn rungs into a [`Verdict`], following one rule: a post is
//! called gone only on two answers that agree (two endpoints, or one endpoint
//! asked twice), never on a single ambiguous one.

use super::outcome::{Content, Outcome, Verdict};
use super::settings::{self, Settings, Spec};
use crate::fetch::{Client, ClientConfig, ErrorClass, FetchError, Limits, RequestOpts, Response};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use url::Url;

/// Largest answer read from an endpoint.
const MAX_BODY: u64 = 4 * 1024 * 1024;
/// Largest raw answer kept with a snapshot.
pub const MAX_RAW: usize = 256 * 1024;

/// One endpoint: its client, base URL and request settings.
#[derive(Debug)]
pub struct Endpoint {
    base: Option<Url>,
    client: Client,
    opts: RequestOpts,
    /// Hosts that asked us to wait longer than we wait, until when.
    held: Mutex<HashMap<String, Instant>>,
    /// An answer from another host than the one asked (after a redirect)
    /// is taken as the endpoint's answer: only for articles, which move.
    other_hosts: bool,
    /// Where every answer goes to be kept (`[check] keep_answers`).
    kept: Option<Kept>,
}

/// Answers received and not yet written to WARC, shared by a run's
/// endpoints.
pub type Kept = std::sync::Arc<Mutex<Vec<crate::fetch::Exchange>>>;

/// What asking got.
#[derive(Debug)]
pub enum Answer {
    /// Any HTTP answer, after redirects and retries.
    Http(Box<Response>),
    /// No answer: DNS, connection, TLS, timeout, ...
    Failed(FetchError),
    /// Not asked: the host asked us to wait past the end of our patience.
    Held,
}

impl Endpoint {
    pub fn new(
        spec: &Spec,
        settings: &Settings,
        kept: Option<&Kept>,
    ) -> Result<Endpoint, FetchError> {
        let rate = settings.rate(spec.name);
        let client = Client::new(&ClientConfig {
            connect_timeout: settings.timeout.min(Duration::from_secs(10)),
            limits: Limits {
                concurrency: settings.concurrency.max(1) * 2,
                per_host: 2,
                min_interval: rate.interval(),
            },
            network: settings.network.clone(),
            ..ClientConfig::default()
        })?;
        Ok(Endpoint {
            base: settings.url(spec.name).cloned(),
            client,
            opts: RequestOpts {
                timeout: settings.timeout,
                stall_timeout: settings.timeout,
                max_body: MAX_BODY,
                retries: settings.retries,
                retry_base: Duration::from_millis(500),
                max_retry_after: settings.max_retry_after,
                accept: spec.accept,
                what: None,
                origin: crate::fetch::network::Origin::Public,
            },
            held: Mutex::new(HashMap::new()),
            other_hosts: spec.name == settings::ARTICLE.name
                || spec.name == super::media::MEDIA.name,
            kept: kept.filter(|_| spec.keep).cloned(),
        })
    }

    /// The configured base URL (`None`: Mastodon without an override).
    pub fn base(&self) -> Option<&Url> {
        self.base.as_ref()
    }

    /// Read bodies up to `max_body` bytes (articles are larger than answers).
    pub fn with_max_body(mut self, max_body: u64) -> Endpoint {
        self.opts.max_body = max_body;
        self
    }

    /// GET `url`. A 429 whose `Retry-After` is longer than we wait holds
    /// every later request to that host for the rest of the run. A
    /// platform endpoint's answer reached through a redirect to another
    /// host says nothing about the post (a 404 there is not the platform's
    /// 404): it is a `redirect` failure naming the hops, read as ambiguous.
    pub async fn get(&self, url: &Url) -> Answer {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if self.is_held(&host) {
            return Answer::Held;
        }
        let got = self.client.get(url, &self.opts_for(url)).await;
        if let Some(kept) = &self.kept {
            let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
            match &got {
                Ok(r) => kept.extend(r.answers().cloned()),
                Err(e) => kept.extend(e.answers().cloned()),
            }
        }
        match got {
            Ok(r) => {
                if r.status() == 429
                    && let Some(wait) = crate::fetch::client::retry_after(&r.exchange)
                    && wait > self.opts.max_retry_after
                {
                    let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
                    held.insert(host, Instant::now() + wait);
                }
                if !self.other_hosts && !same_host(url, r.final_url()) {
                    return Answer::Failed(moved_away(r));
                }
                Answer::Http(Box::new(r))
            }
            Err(e) => Answer::Failed(e),
        }
    }

    /// The request settings for `url`: a URL on the configured base URL's
    /// server (built in, `[endpoints]` or `EMBARC_*_URL`) is the operator's
    /// and goes anywhere; any other (a post's own Mastodon server, an
    /// article) is taken from content and kept to public addresses.
    fn opts_for(&self, url: &Url) -> RequestOpts {
        use crate::fetch::network::Origin;
        let origin = match &self.base {
            Some(base) if base.origin() == url.origin() => Origin::Operator,
            _ => Origin::Public,
        };
        RequestOpts {
            origin,
            ..self.opts.clone()
        }
    }

    fn is_held(&self, host: &str) -> bool {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.get(host).is_some_and(|until| Instant::now() < *until)
    }
}

/// Same scheme-less host and port.
fn same_host(a: &Url, b: &Url) -> bool {
    a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// An endpoint's answer from another host, as a failure with every hop.
fn moved_away(r: Response) -> FetchError {
    let mut path: Vec<String> = r
        .hops
        .iter()
        .map(|h| format!("{} {}", crate::words::clip(h.url.as_str(), 200), h.status))
        .collect();
    path.push(format!(
        "{} {}",
        crate::words::clip(r.exchange.url.as_str(), 200),
        r.exchange.status
    ));
    FetchError {
        retried: r.retried,
        class: ErrorClass::Redirect,
        message: format!(
            "{} answered by another host after a redirect: {}",
            r.exchange.status,
            path.join(" -> ")
        ),
        hops: r.hops,
        exchange: Some(Box::new(r.exchange)),
    }
}

/// `base` + `path` (appended to the base's own path) + `query`.
pub fn url_on(base: &Url, path: &str, query: &[(&str, &str)]) -> Url {
    let mut url = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    url
}

/// What one answer says about a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The post is there (with what the endpoint showed of it, if kept).
    Alive(Option<Content>),
    /// The endpoint says there is no such post.
    NotFound,
    /// X's syndication tombstone, with its text: not proof of deletion.
    Tombstone(String),
    /// The endpoint says plainly why the post is not shown (403 protected,
    /// Reddit's `[deleted]`, Telegram's private channel, ...).
    Says(Outcome),
    /// No usable answer; the outcome is one of the `unknown` reasons.
    NoAnswer(Outcome),
}

/// One endpoint's answer, read.
#[derive(Debug, Clone)]
pub struct Rung {
    pub endpoint: &'static str,
    pub status: Option<u16>,
    pub signal: Signal,
    /// What the endpoint answered, in a few words.
    pub note: String,
}

impl Rung {
    pub fn new(
        endpoint: &'static str,
        status: Option<u16>,
        signal: Signal,
        note: impl Into<String>,
    ) -> Rung {
        Rung {
            endpoint,
            status,
            signal,
            note: note.into(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.signal == Signal::NotFound
    }
}

/// The endpoint's HTTP answer to read, or the rung for answers that say
/// nothing about the post itself: no answer, held, 429, 5xx.
pub fn answered<'a>(endpoint: &'static str, answer: &'a Answer) -> Result<&'a Response, Box<Rung>> {
    let (status, outcome, note) = match answer {
        Answer::Held => (
            None,
            Outcome::RateLimited,
            "not asked: the endpoint asked us to wait longer than we wait".to_string(),
        ),
        Answer::Failed(e) => {
            use crate::fetch::ErrorClass::*;
            let (outcome, note) = match e.class {
                Dns | Connect | Tls | Timeout | Stalled | Protocol => (
                    Outcome::NetworkError,
                    format!("no answer ({})", e.class.as_str()),
                ),
                // What was refused or where it led, with the way out.
                Blocked => (Outcome::Blocked, format!("not asked: {}", e.message)),
                Redirect => (Outcome::Ambiguous, e.message.clone()),
                _ => (
                    Outcome::Ambiguous,
                    format!("no answer ({})", e.class.as_str()),
                ),
            };
            let status = match e.class {
                Redirect => e.exchange.as_ref().map(|x| x.status),
                _ => None,
            };
            (status, outcome, note)
        }
        Answer::Http(r) if r.status() == 429 => (
            Some(429),
            Outcome::RateLimited,
            match r.header("retry-after") {
                Some(after) => format!("429 rate limited (Retry-After: {after})"),
                None => "429 rate limited".to_string(),
            },
        ),
        Answer::Http(r) if r.status() >= 500 => (
            Some(r.status()),
            Outcome::NetworkError,
            format!("{} server error", r.status()),
        ),
        Answer::Http(r) => return Ok(r),
    };
    Err(Box::new(Rung::new(
        endpoint,
        status,
        Signal::NoAnswer(outcome),
        note,
    )))
}

/// A rung for an answer the endpoint's reader does not recognise.
pub fn unexpected(endpoint: &'static str, r: &Response, what: &str) -> Rung {
    Rung::new(
        endpoint,
        Some(r.status()),
        Signal::NoAnswer(Outcome::Ambiguous),
        format!("{} {what}", r.status()),
    )
}

/// The body as JSON, `None` when it is not.
pub fn json(r: &Response) -> Option<serde_json::Value> {
    serde_json::from_slice(&r.body).ok()
}

/// The body as text, `None` when empty or over the raw limit.
pub fn raw(r: &Response) -> Option<String> {
    (!r.body.is_empty() && r.body.len() <= MAX_RAW)
        .then(|| String::from_utf8_lossy(&r.body).into_owned())
}

/// Ask, and when the answer is "not found", ask once more: a single 404 can
/// be a glitch. The second answer decides; the note tells both.
pub async fn ask_twice<F, Fut>(ask: F) -> Rung
where
    F: Fn() -> Fut,
    Fut: Future<Output = Rung>,
{
    let first = ask().await;
    if !first.is_not_found() {
        return first;
    }
    second_opinion(first, ask().await)
}

/// The second answer to a question whose first answer was "not found": it
/// decides, and its note tells both.
pub fn second_opinion(first: Rung, mut second: Rung) -> Rung {
    second.note = if second.is_not_found() {
        format!("{} (asked twice)", first.note)
    } else {
        format!("{}, then {}", first.note, second.note)
    };
    second
}

/// The verdict of a one-endpoint ladder; a `NotFound` rung here has been
/// asked twice ([`ask_twice`]), so it is `gone` with `gone_reason`.
pub fn alone(rung: Rung, gone_reason: Outcome) -> Verdict {
    let outcome = match &rung.signal {
        Signal::Alive(_) => Outcome::Alive,
        Signal::NotFound => gone_reason,
        Signal::Tombstone(_) => Outcome::Ambiguous,
        Signal::Says(o) | Signal::NoAnswer(o) => *o,
    };
    verdict(outcome, &[rung], None)
}

/// The verdict of a two-endpoint ladder (docs/platforms.md §1.5 for X; the same
/// table serves Bluesky and Mastodon):
///
/// | first \ second | alive | not found | says why | no answer |
/// |---|---|---|---|---|
/// | not found | ambiguous | gone (`gone_reason`) | what it says | its reason |
/// | tombstone | restricted (from the text) | gone (from the text) | what it says | its reason |
/// | no answer | alive | the first's reason | what it says | the more telling reason |
///
/// An alive first rung or one that says why decides alone.
pub fn combine(first: Rung, second: Rung, gone_reason: Outcome) -> Verdict {
    use Signal::*;
    let (outcome, extra) = match (&first.signal, &second.signal) {
        (Alive(_), _) => (Outcome::Alive, None),
        (Says(o), _) => (*o, None),
        (_, Says(o)) => (*o, None),
        (NotFound, Alive(_)) => (Outcome::Ambiguous, Some("the endpoints disagree")),
        (Tombstone(text), Alive(_)) => (tombstone_restriction(text), None),
        (NoAnswer(_), Alive(_)) => (Outcome::Alive, None),
        (NotFound, NotFound) => (gone_reason, None),
        (Tombstone(text), NotFound) => (tombstone_gone(text, gone_reason), None),
        (NoAnswer(o), NotFound | Tombstone(_)) => (*o, None),
        (NotFound | Tombstone(_), NoAnswer(o)) => (*o, None),
        (NoAnswer(a), NoAnswer(b)) => (more_telling(*a, *b), None),
        (_, Tombstone(_)) => (Outcome::Ambiguous, None),
    };
    verdict(outcome, &[first, second], extra)
}

/// Build a verdict from the rungs asked: evidence is each rung's note, the
/// status is that of the last rung that had one, the content that of the
/// rung that found the post alive.
fn verdict(outcome: Outcome, rungs: &[Rung], extra: Option<&str>) -> Verdict {
    let mut evidence: Vec<String> = rungs
        .iter()
        .map(|r| format!("{}: {}", r.endpoint, r.note))
        .collect();
    if let Some(e) = extra {
        evidence.push(e.to_string());
    }
    let content = if outcome == Outcome::Alive {
        rungs.iter().find_map(|r| match &r.signal {
            Signal::Alive(c) => c.clone(),
            _ => None,
        })
    } else {
        None
    };
    let mut endpoints: Vec<&str> = Vec::new();
    for r in rungs {
        if !endpoints.contains(&r.endpoint) {
            endpoints.push(r.endpoint);
        }
    }
    Verdict {
        outcome,
        http_status: rungs.iter().rev().find_map(|r| r.status),
        evidence: evidence.join("; "),
        endpoint: endpoints.join("+"),
        content,
    }
}

/// Of two `unknown` reasons, the one a reader can act on first.
fn more_telling(a: Outcome, b: Outcome) -> Outcome {
    let rank = |o: Outcome| match o {
        Outcome::Blocked => 0,
        Outcome::RateLimited => 1,
        Outcome::NetworkError => 2,
        Outcome::Unsupported => 3,
        _ => 4,
    };
    if rank(b) < rank(a) { b } else { a }
}

/// Why a tombstoned post that another endpoint still shows is hidden: the
/// tombstone's text when it says, else age-restricted/sensitive media (the
/// usual cause: docs/platforms.md §1.5).
fn tombstone_restriction(text: &str) -> Outcome {
    let t = text.to_lowercase();
    if t.contains("withheld") {
        Outcome::Withheld
    } else if t.contains("limits who can view") || t.contains("protected") {
        Outcome::Protected
    } else {
        Outcome::AgeRestricted
    }
}

/// Why a tombstoned post that the other endpoint does not find is gone.
fn tombstone_gone(text: &str, default: Outcome) -> Outcome {
    let t = text.to_lowercase();
    if t.contains("suspended") {
        Outcome::AccountSuspended
    } else if t.contains("no longer exists") || t.contains("account doesn") {
        Outcome::AccountDeleted
    } else {
        default
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rung(signal: Signal) -> Rung {
        Rung::new("a", Some(200), signal, "n")
    }

    #[test]
    fn the_combination_table() {
        use Signal::*;
        let alive = || Alive(None);
        let rl = || NoAnswer(Outcome::RateLimited);
        let net = || NoAnswer(Outcome::NetworkError);
        let protected = || Says(Outcome::Protected);
        let tomb = |t: &str| Tombstone(t.to_string());
        let cases = [
            (NotFound, NotFound, Outcome::Deleted),
            (NotFound, alive(), Outcome::Ambiguous),
            (NotFound, protected(), Outcome::Protected),
            (NotFound, rl(), Outcome::RateLimited),
            (tomb(""), alive(), Outcome::AgeRestricted),
            (
                tomb("This Post is withheld in response"),
                alive(),
                Outcome::Withheld,
            ),
            (tomb(""), NotFound, Outcome::Deleted),
            (
                tomb("from a suspended account"),
                NotFound,
                Outcome::AccountSuspended,
            ),
            (tomb(""), protected(), Outcome::Protected),
            (tomb(""), net(), Outcome::NetworkError),
            (rl(), alive(), Outcome::Alive),
            (rl(), NotFound, Outcome::RateLimited),
            (net(), rl(), Outcome::RateLimited),
            (NoAnswer(Outcome::Ambiguous), net(), Outcome::NetworkError),
            (alive(), NotFound, Outcome::Alive),
        ];
        for (a, b, expected) in cases {
            let what = format!("{a:?} + {b:?}");
            let v = combine(rung(a), rung(b), Outcome::Deleted);
            assert_eq!(v.outcome, expected, "{what}");
        }
    }

    #[test]
    fn a_lone_not_found_is_gone_only_because_it_was_asked_twice() {
        let v = alone(rung(Signal::NotFound), Outcome::NotFound);
        assert_eq!(v.outcome, Outcome::NotFound);
        let v = alone(
            rung(Signal::NoAnswer(Outcome::NetworkError)),
            Outcome::NotFound,
        );
        assert_eq!(v.outcome, Outcome::NetworkError);
    }

    #[test]
    fn evidence_status_endpoint_and_content() {
        let content = Content {
            source: "b",
            text: Some("hi".into()),
            ..Content::default()
        };
        let v = combine(
            Rung::new(
                "a",
                Some(429),
                Signal::NoAnswer(Outcome::RateLimited),
                "429 rate limited",
            ),
            Rung::new(
                "b",
                Some(200),
                Signal::Alive(Some(content.clone())),
                "200 post",
            ),
            Outcome::Deleted,
        );
        assert_eq!(v.outcome, Outcome::Alive);
        assert_eq!(v.http_status, Some(200));
        assert_eq!(v.endpoint, "a+b");
        assert_eq!(v.evidence, "a: 429 rate limited; b: 200 post");
        assert_eq!(v.content, Some(content));
    }

    #[tokio::test]
    async fn ask_twice_asks_again_only_after_not_found() {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let r = ask_twice(|| {
            let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                if n == 0 {
                    Rung::new("a", Some(404), Signal::NotFound, "404")
                } else {
                    Rung::new("a", Some(200), Signal::Alive(None), "200")
                }
            }
        })
        .await;
        assert_eq!(r.signal, Signal::Alive(None));
        assert_eq!(r.note, "404, then 200");
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
        let r = ask_twice(|| async { Rung::new("a", Some(200), Signal::Alive(None), "200") }).await;
        assert_eq!(r.note, "200");
    }

    #[test]
    fn failures_and_refusals_say_nothing_about_the_post() {
        use crate::fetch::ErrorClass;
        let failed = |class| Answer::Failed(FetchError::new(class, "x"));
        for (class, outcome) in [
            (ErrorClass::Dns, Outcome::NetworkError),
            (ErrorClass::Tls, Outcome::NetworkError),
            (ErrorClass::Timeout, Outcome::NetworkError),
            (ErrorClass::Stalled, Outcome::NetworkError),
            (ErrorClass::Connect, Outcome::NetworkError),
            (ErrorClass::TooLarge, Outcome::Ambiguous),
        ] {
            let rung = answered("a", &failed(class)).unwrap_err();
            assert_eq!(rung.signal, Signal::NoAnswer(outcome), "{class:?}");
            assert_eq!(rung.note, format!("no answer ({})", class.as_str()));
        }
        // Where a redirect led, and what the policy refused, are told.
        let redirect = answered("a", &failed(ErrorClass::Redirect)).unwrap_err();
        assert_eq!(redirect.signal, Signal::NoAnswer(Outcome::Ambiguous));
        assert_eq!(redirect.note, "x");
        let blocked = answered("a", &failed(ErrorClass::Blocked)).unwrap_err();
        assert_eq!(blocked.signal, Signal::NoAnswer(Outcome::Blocked));
        assert_eq!(blocked.note, "not asked: x");
        let held = answered("a", &Answer::Held).unwrap_err();
        assert_eq!(held.signal, Signal::NoAnswer(Outcome::RateLimited));
    }

    #[test]
    fn urls_keep_the_base_path() {
        let base = Url::parse("http://127.0.0.1:8/graph/v26.0/").unwrap();
        assert_eq!(
            url_on(
                &base,
                "/oembed_post",
                &[("url", "https://www.facebook.com/a/posts/1")]
            )
            .as_str(),
            "http://127.0.0.1:8/graph/v26.0/oembed_post?url=https%3A%2F%2Fwww.facebook.com%2Fa%2Fposts%2F1"
        );
        let base = Url::parse("https://t.me").unwrap();
        assert_eq!(
            url_on(&base, "/chan/5", &[("embed", "1")]).as_str(),
            "https://t.me/chan/5?embed=1"
        );
    }
}
