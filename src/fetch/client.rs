//! The HTTP layer: one polite client for every request embarc sends.
//!
//! [`Client::get`] follows redirects itself (recording each hop and
//! detecting loops), retries what is worth retrying (timeouts, connection
//! errors, 429, 5xx) with exponential backoff and jitter, honours
//! `Retry-After`, keeps to the per-host limits of [`politeness`], enforces
//! the connect, whole-request and stall timeouts, and bounds the body both
//! as received and decoded. Any HTTP answer is a [`Response`] (a 404 is
//! data to a link checker); only failures to get one are a [`FetchError`].

use super::encoding::{self, DecodeError};
use super::network::{Blocked, Network, Origin, WAY_OUT};
use super::politeness::{Hosts, Limits};
use crate::words;
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use std::collections::HashSet;
use std::error::Error as _;
use std::net::SocketAddr;
use std::time::Duration;
use url::Url;

/// The reason phrase of an HTTP status (`404` → `Not Found`), for messages
/// and WARC headers; `None` for codes without one.
pub fn reason_phrase(status: u16) -> Option<&'static str> {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
}

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 10;
/// Body kept of a redirect or of a response that is not read in full.
const HOP_BODY_LIMIT: u64 = 64 * 1024;
/// Longest wait between two tries of one request.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

/// How a request failed; the names are stored in the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorClass {
    Dns,
    Connect,
    Tls,
    Timeout,
    Stalled,
    HttpStatus,
    TooLarge,
    NotAnArticle,
    Robots,
    Redirect,
    InvalidUrl,
    Protocol,
    /// Refused by the network policy (an internal address).
    Blocked,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Dns => "dns",
            ErrorClass::Connect => "connect",
            ErrorClass::Tls => "tls",
            ErrorClass::Timeout => "timeout",
            ErrorClass::Stalled => "stalled",
            ErrorClass::HttpStatus => "http_status",
            ErrorClass::TooLarge => "too_large",
            ErrorClass::NotAnArticle => "not_an_article",
            ErrorClass::Robots => "robots",
            ErrorClass::Redirect => "redirect",
            ErrorClass::InvalidUrl => "invalid_url",
            ErrorClass::Protocol => "protocol",
            ErrorClass::Blocked => "blocked",
        }
    }

    /// Worth trying again after a pause.
    fn retryable(self) -> bool {
        matches!(
            self,
            ErrorClass::Timeout | ErrorClass::Connect | ErrorClass::Stalled
        )
    }
}

/// A request that got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub class: ErrorClass,
    /// What went wrong and what to do where that helps. It does not repeat
    /// the URL asked for (callers name their input); it names a URL only
    /// when another one failed (a redirect's target).
    pub message: String,
    /// Redirects followed before the failure.
    pub hops: Vec<Exchange>,
    /// The failed answer itself, when there was one (e.g. a 404 turned into
    /// an error by a caller, or a body over the limit).
    pub exchange: Option<Box<Exchange>>,
    /// Answers that were asked again (429, 5xx) before the failure.
    pub retried: Vec<Exchange>,
}

impl FetchError {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> FetchError {
        FetchError {
            class,
            message: message.into(),
            hops: Vec::new(),
            exchange: None,
            retried: Vec::new(),
        }
    }

    /// Every answer received: those asked again, the redirects, the last.
    pub fn answers(&self) -> impl Iterator<Item = &Exchange> {
        self.retried
            .iter()
            .chain(&self.hops)
            .chain(self.exchange.as_deref())
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.class.as_str())
    }
}

impl std::error::Error for FetchError {}

/// Settings fixed for the life of a client.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Contact (URL or e-mail) named in the User-Agent.
    pub contact: Option<String>,
    pub connect_timeout: Duration,
    pub limits: Limits,
    /// Where requests may go (internal addresses refused by default).
    pub network: Network,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            contact: None,
            connect_timeout: Duration::from_secs(10),
            limits: Limits::default(),
            network: Network::default(),
        }
    }
}

/// Settings of one request.
#[derive(Debug, Clone)]
pub struct RequestOpts {
    /// The whole of one try: connecting, headers and body.
    pub timeout: Duration,
    /// No byte of the body for this long ends the try.
    pub stall_timeout: Duration,
    /// Largest body, as received and decoded.
    pub max_body: u64,
    /// Tries after the first.
    pub retries: u32,
    /// First retry delay; doubled on each retry, with jitter.
    pub retry_base: Duration,
    /// A `Retry-After` longer than this is not waited for.
    pub max_retry_after: Duration,
    /// The `Accept` header.
    pub accept: &'static str,
    /// What is fetched when it is not the input itself (`robots.txt`),
    /// named in error messages.
    pub what: Option<&'static str>,
    /// Where the URL came from: the network policy's question
    /// (content-derived, public, unless the caller says otherwise).
    pub origin: Origin,
}

impl Default for RequestOpts {
    fn default() -> Self {
        RequestOpts {
            timeout: Duration::from_secs(30),
            stall_timeout: Duration::from_secs(15),
            max_body: 20 * 1024 * 1024,
            retries: 3,
            retry_base: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(120),
            accept: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
            what: None,
            origin: Origin::Public,
        }
    }
}

/// What an earlier answer said identifies its content: its `ETag` and
/// `Last-Modified` headers, sent back by [`Client::get_if`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    /// True when there is nothing to send (an unconditional request).
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// One request and its answer, as sent and received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub url: Url,
    /// The request headers we sent (the `Host` header is added by HTTP/1.1).
    pub request_headers: Vec<(String, String)>,
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2.0`, ...
    pub version: String,
    /// Response headers in the order received; values as bytes.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body as received (still content-encoded), possibly cut short.
    pub raw_body: Vec<u8>,
    /// True when `raw_body` is not the whole body.
    pub truncated: bool,
    pub remote_addr: Option<SocketAddr>,
    /// When the answer began.
    pub date: DateTime<Utc>,
}

impl Exchange {
    /// The first value of header `name` (case-insensitive), as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
            .map(str::trim)
    }
}

/// The final answer to a request, after redirects.
#[derive(Debug, Clone)]
pub struct Response {
    /// The redirects followed, in order.
    pub hops: Vec<Exchange>,
    /// The last exchange: status, headers, body as received.
    pub exchange: Exchange,
    /// The body decoded from its `Content-Encoding`.
    pub body: Vec<u8>,
    /// Tries of the last request (1 when the first one answered).
    pub attempts: u32,
    /// Answers that were asked again (429, 5xx), of any hop, in order.
    pub retried: Vec<Exchange>,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.exchange.status
    }

    pub fn final_url(&self) -> &Url {
        &self.exchange.url
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.exchange.header(name)
    }

    /// Every answer received: those asked again, the redirects, the last.
    pub fn answers(&self) -> impl Iterator<Item = &Exchange> {
        self.retried
            .iter()
            .chain(&self.hops)
            .chain(std::iter::once(&self.exchange))
    }
}

/// The HTTP client: connection pool, politeness state, User-Agent.
#[derive(Debug)]
pub struct Client {
    /// For requests under the network policy: the resolver refuses names
    /// with internal addresses.
    http: reqwest::Client,
    /// For requests that go out unchecked ([`Network::unchecked`]).
    open: reqwest::Client,
    hosts: Hosts,
    user_agent: String,
    network: Network,
}

/// The User-Agent: embarc, its version, and a contact when given.
pub fn user_agent(contact: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact {
        Some(c) if !c.trim().is_empty() => format!("embarc/{version} (+{})", c.trim()),
        _ => format!("embarc/{version}"),
    }
}

impl Client {
    pub fn new(config: &ClientConfig) -> Result<Client, FetchError> {
        let user_agent = user_agent(config.contact.as_deref());
        let build = |open: bool| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(config.connect_timeout)
                .pool_max_idle_per_host(config.limits.per_host.max(1))
                .tcp_nodelay(true)
                .dns_resolver(config.network.guard(open))
                .build()
                .map_err(|e| {
                    FetchError::new(
                        ErrorClass::Protocol,
                        format!("cannot set up the HTTP client: {}", chain(&e)),
                    )
                })
        };
        let http = build(false)?;
        let open = if config.network.allow_private {
            http.clone()
        } else {
            build(true)?
        };
        Ok(Client {
            http,
            open,
            hosts: Hosts::new(config.limits),
            user_agent,
            network: config.network.clone(),
        })
    }

    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// GET `url`, following up to [`MAX_REDIRECTS`] redirects.
    pub async fn get(&self, url: &Url, opts: &RequestOpts) -> Result<Response, FetchError> {
        self.get_if(url, opts, &Validators::default()).await
    }

    /// GET `url` as [`Client::get`] does, sending `validators` (from an
    /// earlier answer) as `If-None-Match` / `If-Modified-Since`: a server
    /// that still has the same content answers `304 Not Modified`, which
    /// comes back as a [`Response`] with status 304 and no body.
    pub async fn get_if(
        &self,
        url: &Url,
        opts: &RequestOpts,
        validators: &Validators,
    ) -> Result<Response, FetchError> {
        let mut retried = Vec::new();
        match self.follow(url, opts, validators, &mut retried).await {
            Ok(mut r) => {
                r.retried = retried;
                Ok(r)
            }
            Err(mut e) => {
                e.retried = retried;
                Err(e)
            }
        }
    }

    /// Follow redirects from `url`; answers asked again go to `retried`.
    async fn follow(
        &self,
        url: &Url,
        opts: &RequestOpts,
        validators: &Validators,
        retried: &mut Vec<Exchange>,
    ) -> Result<Response, FetchError> {
        let mut hops: Vec<Exchange> = Vec::new();
        let mut seen: HashSet<Url> = HashSet::new();
        let mut current = url.clone();
        let mut origin = opts.origin;
        loop {
            seen.insert(current.clone());
            if let Err(blocked) = self.may_ask(&current, origin).await {
                let message = at_redirect(refusal(&current, &blocked, opts), &current, hops.len());
                return Err(FetchError {
                    hops,
                    ..FetchError::new(ErrorClass::Blocked, message)
                });
            }
            let http = if self.network.unchecked(origin) {
                &self.open
            } else {
                &self.http
            };
            let got = self
                .get_one(http, &current, opts, validators, retried)
                .await;
            let (exchange, attempts) = match got {
                Ok(r) => r,
                Err(mut e) => {
                    e.message = at_redirect(e.message, &current, hops.len());
                    e.hops = hops;
                    return Err(e);
                }
            };
            let location = redirect_target(&exchange);
            let Some(next) = location else {
                return self
                    .finish(hops, exchange, attempts, opts)
                    .map_err(|mut e| {
                        e.message = at_redirect(e.message, &current, e.hops.len());
                        e
                    });
            };
            let next = match next {
                Ok(n) => n,
                Err(message) => {
                    let message = at_redirect(message, &current, hops.len());
                    return Err(with_hops(ErrorClass::Redirect, message, hops, exchange));
                }
            };
            if seen.contains(&next) {
                let message = format!("redirect loop: {current} leads back to {next}");
                return Err(with_hops(ErrorClass::Redirect, message, hops, exchange));
            }
            if hops.len() >= MAX_REDIRECTS {
                let message = format!("more than {MAX_REDIRECTS} redirects");
                return Err(with_hops(ErrorClass::Redirect, message, hops, exchange));
            }
            // Where this answer points is content of the host that gave it.
            origin = self
                .network
                .origin_of(current.host_str().unwrap_or_default(), exchange.remote_addr);
            hops.push(exchange);
            current = next;
        }
    }

    /// The network policy's answer for `url` of this origin, before any
    /// connection: an internal address written as such, or a port other
    /// than 80 and 443 (for a name, an internal address it resolves to is
    /// named first, as the resolver would).
    async fn may_ask(&self, url: &Url, origin: Origin) -> Result<(), Blocked> {
        if self.network.unchecked(origin) {
            return Ok(());
        }
        self.network.check_url(url)?;
        let Err(port) = self.network.check_port(url) else {
            return Ok(());
        };
        if let Some(url::Host::Domain(name)) = url.host()
            && let Err(e) = self.network.guard(false).lookup(name).await
            && let Some(blocked) = e.downcast_ref::<Blocked>()
        {
            return Err(blocked.clone());
        }
        Err(port)
    }

    /// Where what `response` names may go: the origin of links and
    /// entries read from it.
    pub fn origin_of(&self, response: &Response) -> Origin {
        let host = response.final_url().host_str().unwrap_or_default();
        self.network.origin_of(host, response.exchange.remote_addr)
    }

    /// Decode the final body and build the response.
    fn finish(
        &self,
        hops: Vec<Exchange>,
        exchange: Exchange,
        attempts: u32,
        opts: &RequestOpts,
    ) -> Result<Response, FetchError> {
        if exchange.truncated {
            let message = format!(
                "the body{} is larger than the limit of {} (raise it with --max-size)",
                of(opts),
                words::mib(opts.max_body)
            );
            return Err(with_hops(ErrorClass::TooLarge, message, hops, exchange));
        }
        let decoded = encoding::decode(
            exchange.raw_body.clone(),
            exchange.header("content-encoding"),
            opts.max_body,
        );
        match decoded {
            Ok(body) => Ok(Response {
                hops,
                exchange,
                body,
                attempts,
                retried: Vec::new(),
            }),
            Err(e) => {
                let (class, message) = match e {
                    DecodeError::TooLarge(limit) => (
                        ErrorClass::TooLarge,
                        format!(
                            "the decoded body{} is larger than the limit of {} (cut off while decoding; raise it with --max-size)",
                            of(opts),
                            words::mib(limit)
                        ),
                    ),
                    DecodeError::Unsupported(enc) => (
                        ErrorClass::Protocol,
                        format!("unsupported Content-Encoding {enc:?}{}", of(opts)),
                    ),
                    DecodeError::Corrupt(why) => (
                        ErrorClass::Protocol,
                        format!(
                            "the body{} is not valid in its Content-Encoding: {why}",
                            of(opts)
                        ),
                    ),
                };
                Err(with_hops(class, message, hops, exchange))
            }
        }
    }

    /// One URL, with retries; no redirects followed.
    async fn get_one(
        &self,
        http: &reqwest::Client,
        url: &Url,
        opts: &RequestOpts,
        validators: &Validators,
        retried: &mut Vec<Exchange>,
    ) -> Result<(Exchange, u32), FetchError> {
        let host = url
            .host_str()
            .ok_or_else(|| FetchError::new(ErrorClass::InvalidUrl, format!("{url} has no host")))?
            .to_ascii_lowercase();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let result = {
                let _turn = self.hosts.turn(&host).await;
                match tokio::time::timeout(opts.timeout, self.try_once(http, url, opts, validators))
                    .await
                {
                    Ok(r) => r,
                    Err(_) => Err(FetchError::new(
                        ErrorClass::Timeout,
                        format!(
                            "no complete answer from {}{} within {} s (raise it with --timeout)",
                            host_port(url),
                            of(opts),
                            opts.timeout.as_secs_f32()
                        ),
                    )),
                }
            };
            let last = attempt > opts.retries;
            match result {
                Ok(ex) if ex.status == 429 => {
                    let retry_after = retry_after(&ex);
                    let wait = self.hosts.slow_down(&host, retry_after);
                    if last || retry_after.is_some_and(|r| r > opts.max_retry_after) {
                        return Ok((ex, attempt));
                    }
                    tracing::debug!("{url}: 429, waiting {wait:?}");
                    retried.push(ex);
                    // The host's schedule now holds every request to it back.
                }
                Ok(ex) if ex.status >= 500 && !last => {
                    let delay = retry_after(&ex)
                        .filter(|r| *r <= opts.max_retry_after)
                        .unwrap_or_else(|| backoff(opts.retry_base, attempt));
                    tracing::debug!("{url}: {}, retrying in {delay:?}", ex.status);
                    retried.push(ex);
                    tokio::time::sleep(delay).await;
                }
                Ok(ex) => {
                    self.hosts.relax(&host);
                    return Ok((ex, attempt));
                }
                Err(e) if e.class.retryable() && !last => {
                    tracing::debug!("{e}, retrying");
                    tokio::time::sleep(backoff(opts.retry_base, attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One try: send, read the headers, stream the body within the limits.
    async fn try_once(
        &self,
        http: &reqwest::Client,
        url: &Url,
        opts: &RequestOpts,
        validators: &Validators,
    ) -> Result<Exchange, FetchError> {
        let mut request_headers = vec![
            ("User-Agent".to_string(), self.user_agent.clone()),
            ("Accept".to_string(), opts.accept.to_string()),
            (
                "Accept-Encoding".to_string(),
                "gzip, deflate, br".to_string(),
            ),
        ];
        if let Some(etag) = &validators.etag {
            request_headers.push(("If-None-Match".to_string(), etag.clone()));
        }
        if let Some(date) = &validators.last_modified {
            request_headers.push(("If-Modified-Since".to_string(), date.clone()));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &request_headers {
            if let (Ok(n), Ok(v)) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(n, v);
            }
        }
        let mut resp = http
            .get(url.clone())
            .headers(headers)
            .send()
            .await
            .map_err(|e| classify(url, &e, opts))?;
        let date = Utc::now();
        let status = resp.status().as_u16();
        let version = format!("{:?}", resp.version());
        let remote_addr = resp.remote_addr();
        let headers: Vec<(String, Vec<u8>)> = resp
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
            .collect();
        let is_redirect = matches!(status, 301 | 302 | 303 | 307 | 308);
        // Redirects and errors are kept as evidence, but only their start.
        let keep = if is_redirect || status >= 400 {
            HOP_BODY_LIMIT.min(opts.max_body)
        } else {
            opts.max_body
        };
        let mut raw_body = Vec::new();
        let mut truncated = false;
        if resp.content_length().is_some_and(|n| n > keep) {
            truncated = true;
        } else {
            loop {
                let chunk = tokio::time::timeout(opts.stall_timeout, resp.chunk()).await;
                let chunk = match chunk {
                    Err(_) => {
                        return Err(FetchError::new(
                            ErrorClass::Stalled,
                            format!(
                                "no data from {}{} for {} s after {} of the body (raise it with --stall-timeout)",
                                host_port(url),
                                of(opts),
                                opts.stall_timeout.as_secs_f32(),
                                words::count(raw_body.len(), "byte")
                            ),
                        ));
                    }
                    Ok(Err(e)) => return Err(classify(url, &e, opts)),
                    Ok(Ok(None)) => break,
                    Ok(Ok(Some(c))) => c,
                };
                if (raw_body.len() + chunk.len()) as u64 > keep {
                    let room = (keep as usize).saturating_sub(raw_body.len());
                    raw_body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                    truncated = true;
                    break;
                }
                raw_body.extend_from_slice(&chunk);
            }
        }
        Ok(Exchange {
            url: url.clone(),
            request_headers,
            status,
            version,
            headers,
            raw_body,
            truncated,
            remote_addr,
            date,
        })
    }
}

fn with_hops(class: ErrorClass, message: String, hops: Vec<Exchange>, ex: Exchange) -> FetchError {
    FetchError {
        hops,
        exchange: Some(Box::new(ex)),
        ..FetchError::new(class, message)
    }
}

/// The target of a redirect answer: `None` when it is not a redirect,
/// `Some(Err)` when its `Location` is missing or unusable.
fn redirect_target(ex: &Exchange) -> Option<Result<Url, String>> {
    if !matches!(ex.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let Some(location) = ex.header("location") else {
        return Some(Err(format!(
            "redirect ({}) without a Location header",
            ex.status
        )));
    };
    Some(match ex.url.join(location) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u),
        Ok(u) => Err(format!("redirect to a non-HTTP URL {u}")),
        Err(e) => Err(format!("redirect to an invalid URL {location:?}: {e}")),
    })
}

/// `Retry-After` as seconds or an HTTP date.
pub fn retry_after(ex: &Exchange) -> Option<Duration> {
    parse_retry_after(ex.header("retry-after")?, Utc::now())
}

fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// Exponential backoff with jitter: base × 2^(attempt-1) × [0.5, 1.5).
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    exp.mul_f64(0.5 + fastrand::f64()).min(MAX_RETRY_DELAY)
}

/// The messages of an error and its sources, joined (to classify it).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// The innermost cause of an error, said plainly: `connection refused`
/// rather than reqwest's chain of wrappers naming the URL at each level.
/// The OS error number is left out.
fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = e;
    while let Some(s) = innermost.source() {
        innermost = s;
    }
    let text = innermost.to_string();
    let text = match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    };
    // `Connection refused` reads as the end of a sentence in lower case.
    let mut chars = text.chars();
    match (chars.next(), chars.clone().next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text,
    }
}

/// `host:port` of a URL, the port spelled out.
fn host_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// ` for robots.txt` when the request is not for the input itself.
fn of(opts: &RequestOpts) -> String {
    opts.what.map(|w| format!(" for {w}")).unwrap_or_default()
}

/// Name the URL that failed when redirects led away from the one asked for.
fn at_redirect(message: String, current: &Url, hops: usize) -> String {
    if hops == 0 {
        return message;
    }
    format!(
        "{message} (at {current}, after {})",
        words::count(hops, "redirect")
    )
}

/// A request the network policy refused: which, why, and the way out.
fn refusal(url: &Url, blocked: &Blocked, opts: &RequestOpts) -> String {
    let rule = if blocked.reason.starts_with("port ") {
        "content may only name ports 80 and 443"
    } else {
        "content may not lead inward"
    };
    format!(
        "refused to connect to {}{}: {}, and {rule}; {WAY_OUT}",
        host_port(url),
        of(opts),
        blocked.reason
    )
}

/// Sort a reqwest error into a class, with a message saying what failed
/// once: the host and port, and the innermost cause.
fn classify(url: &Url, e: &reqwest::Error, opts: &RequestOpts) -> FetchError {
    let detail = chain(e);
    let lower = detail.to_ascii_lowercase();
    let has_io_kind = |kind: std::io::ErrorKind| {
        let mut source = e.source();
        while let Some(s) = source {
            if let Some(io) = s.downcast_ref::<std::io::Error>()
                && io.kind() == kind
            {
                return true;
            }
            source = s.source();
        }
        false
    };
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(blocked) = s.downcast_ref::<Blocked>() {
            return FetchError::new(ErrorClass::Blocked, refusal(url, blocked, opts));
        }
        source = s.source();
    }
    let at = host_port(url);
    let of = of(opts);
    let cause = cause(e);
    let (class, message) =
        if lower.contains("dns error") || lower.contains("failed to lookup address") {
            (
                ErrorClass::Dns,
                format!(
                    "cannot find the host {}{of}: {cause}",
                    url.host_str().unwrap_or_default()
                ),
            )
        } else if lower.contains("tls")
            || lower.contains("certificate")
            || lower.contains("handshake")
            || lower.contains("invalidcontenttype")
            || lower.contains("corrupt message")
        {
            (
                ErrorClass::Tls,
                format!("the TLS connection to {at}{of} failed: {cause}"),
            )
        } else if e.is_timeout() || has_io_kind(std::io::ErrorKind::TimedOut) {
            (
                ErrorClass::Timeout,
                format!("{at} did not answer in time{of}: {cause}"),
            )
        } else if e.is_connect() {
            (
                ErrorClass::Connect,
                format!("cannot connect to {at}{of}: {cause}"),
            )
        } else {
            (
                ErrorClass::Protocol,
                format!("the answer from {at}{of} is not valid HTTP: {cause}"),
            )
        };
    FetchError::new(class, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn content_of_public_hosts_may_name_web_ports_only_before_any_connection() {
        let client = Client::new(&ClientConfig::default()).unwrap();
        // Addresses written as such: decided without resolving or
        // connecting anything.
        let public = Url::parse("http://93.184.216.34:8443/a").unwrap();
        let e = client.may_ask(&public, Origin::Public).await.unwrap_err();
        assert_eq!(e.reason, "port 8443 is not a web port (80 or 443)");
        let web = Url::parse("https://93.184.216.34/a").unwrap();
        assert!(client.may_ask(&web, Origin::Public).await.is_ok());
        assert!(client.may_ask(&public, Origin::Operator).await.is_ok());
        assert!(client.may_ask(&public, Origin::Internal).await.is_ok());
        let message = refusal(&public, &e, &RequestOpts::default());
        assert!(
            message.contains("may only name ports 80 and 443; pass --allow-private"),
            "{message}"
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("5", now), Some(Duration::from_secs(5)));
        assert_eq!(
            parse_retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 31 Dec 2023 00:00:30 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_millis(100);
        for attempt in 1..=4u32 {
            let nominal = 100.0 * f64::from(1u32 << (attempt - 1));
            let d = backoff(base, attempt).as_secs_f64() * 1000.0;
            assert!(d >= nominal * 0.5 && d < nominal * 1.5, "{attempt}: {d}");
        }
        assert!(backoff(base, 40) <= MAX_RETRY_DELAY);
    }

    #[test]
    fn user_agent_names_embarc_version_and_contact() {
        let v = env!("CARGO_PKG_VERSION");
        assert_eq!(user_agent(None), format!("embarc/{v}"));
        assert_eq!(
            user_agent(Some("mailto:desk@example.org")),
            format!("embarc/{v} (+mailto:desk@example.org)")
        );
    }

    #[test]
    fn redirect_targets_resolve_relative_locations() {
        let ex = |status, loc: Option<&str>| Exchange {
            url: Url::parse("http://a.example/x/y").unwrap(),
            request_headers: vec![],
            status,
            version: "HTTP/1.1".into(),
            headers: loc
                .map(|l| vec![("location".to_string(), l.as_bytes().to_vec())])
                .unwrap_or_default(),
            raw_body: vec![],
            truncated: false,
            remote_addr: None,
            date: Utc::now(),
        };
        assert_eq!(redirect_target(&ex(200, Some("/z"))), None);
        assert_eq!(
            redirect_target(&ex(301, Some("../z"))),
            Some(Ok(Url::parse("http://a.example/z").unwrap()))
        );
        assert!(matches!(redirect_target(&ex(302, None)), Some(Err(_))));
        assert!(matches!(
            redirect_target(&ex(307, Some("ftp://a.example/f"))),
            Some(Err(_))
        ));
    }
}
