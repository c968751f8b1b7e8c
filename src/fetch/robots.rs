//! robots.txt, fetched once per origin and kept for the run.
//!
//! Following RFC 9309: a robots.txt that does not exist (4xx) allows
//! everything; one the server fails to give (5xx after retries) disallows
//! everything for now; a host that cannot be reached fails the article with
//! the network error's class. Rules are matched for the agent `embarc`.

use super::client::{Client, ErrorClass, Exchange, FetchError, RequestOpts};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use texting_robots::Robot;
use tokio::sync::OnceCell;
use url::Url;

/// The product token matched against `User-agent:` lines.
pub const AGENT: &str = "embarc";
/// Largest robots.txt read (RFC 9309 asks for at least 500 KiB).
const MAX_ROBOTS: u64 = 512 * 1024;

/// What an origin's robots.txt says.
#[derive(Debug)]
enum Rules {
    All,
    None(String),
    Parsed(Box<Robot>),
}

/// One origin's rules, fetched by the first request that needs them.
type Cached = OnceCell<Result<Rules, FetchError>>;

/// The robots.txt rules of every origin seen in a run.
#[derive(Debug, Default)]
pub struct RobotsCache {
    origins: Mutex<HashMap<String, Arc<Cached>>>,
    /// Answers to `GET /robots.txt` not yet taken to be kept (WARC).
    answers: Mutex<Vec<Exchange>>,
}

impl RobotsCache {
    pub fn new() -> RobotsCache {
        RobotsCache::default()
    }

    /// May `url` be fetched? `Err` with class `robots` when it may not, or
    /// the class of the failure to reach the host.
    pub async fn check(
        &self,
        client: &Client,
        url: &Url,
        opts: &RequestOpts,
    ) -> Result<(), FetchError> {
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut map = self.origins.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(origin.clone()).or_default().clone()
        };
        let rules = cell
            .get_or_init(|| fetch_rules(client, &origin, opts, &self.answers))
            .await;
        // The caller names the article; the messages say what happened.
        match rules {
            Err(e) => Err(FetchError::new(e.class, e.message.clone())),
            Ok(Rules::All) => Ok(()),
            Ok(Rules::None(why)) => Err(FetchError::new(
                ErrorClass::Robots,
                format!("{why} (pass --ignore-robots to override)"),
            )),
            Ok(Rules::Parsed(robot)) if robot.allowed(url.as_str()) => Ok(()),
            Ok(Rules::Parsed(_)) => Err(FetchError::new(
                ErrorClass::Robots,
                format!(
                    "{origin}/robots.txt disallows it for {AGENT} (pass --ignore-robots to override)"
                ),
            )),
        }
    }
}

impl RobotsCache {
    /// The answers to robots.txt requests received since the last call, to
    /// be kept with the run's other answers.
    pub fn take_answers(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.answers.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

async fn fetch_rules(
    client: &Client,
    origin: &str,
    opts: &RequestOpts,
    answers: &Mutex<Vec<Exchange>>,
) -> Result<Rules, FetchError> {
    let url = Url::parse(&format!("{origin}/robots.txt"))
        .map_err(|e| FetchError::new(ErrorClass::InvalidUrl, format!("{origin}: {e}")))?;
    let opts = RequestOpts {
        max_body: MAX_ROBOTS,
        accept: "text/plain,*/*;q=0.5",
        what: Some("robots.txt"),
        ..opts.clone()
    };
    let got = client.get(&url, &opts).await;
    {
        let mut kept = answers.lock().unwrap_or_else(|e| e.into_inner());
        match &got {
            Ok(r) => kept.extend(r.answers().cloned()),
            Err(e) => kept.extend(e.answers().cloned()),
        }
    }
    let response = match got {
        Ok(r) => r,
        // Too large or garbled: use what the rules say we may assume.
        Err(e)
            if matches!(
                e.class,
                ErrorClass::TooLarge | ErrorClass::Protocol | ErrorClass::Redirect
            ) =>
        {
            return Ok(Rules::All);
        }
        Err(e) => return Err(e),
    };
    Ok(rules_for(response.status(), &response.body))
}

/// The rules an answer to `GET /robots.txt` gives.
fn rules_for(status: u16, body: &[u8]) -> Rules {
    match status {
        200..=299 => match Robot::new(AGENT, body) {
            Ok(robot) => Rules::Parsed(Box::new(robot)),
            Err(_) => Rules::All,
        },
        400..=499 => Rules::All,
        _ => Rules::None(format!(
            "robots.txt could not be read (HTTP {status}), so the site is treated as disallowed"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(rules: &Rules, url: &str) -> bool {
        match rules {
            Rules::All => true,
            Rules::None(_) => false,
            Rules::Parsed(r) => r.allowed(url),
        }
    }

    #[test]
    fn rules_for_embarc_and_for_everyone() {
        let txt =
            b"User-agent: *\nDisallow: /private/\n\nUser-agent: embarc\nDisallow: /no-embarc/\n";
        let r = rules_for(200, txt);
        assert!(!allowed(&r, "http://a.example/no-embarc/x"));
        // A group for embarc replaces the `*` group.
        assert!(allowed(&r, "http://a.example/private/x"));
        let r = rules_for(200, b"User-agent: *\nDisallow: /private/\n");
        assert!(!allowed(&r, "http://a.example/private/x"));
        assert!(allowed(&r, "http://a.example/news/1"));
    }

    #[test]
    fn missing_allows_and_server_errors_disallow() {
        assert!(allowed(&rules_for(404, b""), "http://a.example/x"));
        assert!(allowed(&rules_for(410, b""), "http://a.example/x"));
        assert!(!allowed(&rules_for(503, b""), "http://a.example/x"));
    }
}
