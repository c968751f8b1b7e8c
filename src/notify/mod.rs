//! Webhooks: who is told of which events (`[[notify]]`), the JSON payload,
//! its HMAC-SHA256 signature, and sending the queued deliveries with
//! retries.
//!
//! Deliveries are queued by the store in the same transaction as the check
//! that changed a target's state (one per receiver and event); this module
//! builds each body once (kept, so retries send the same bytes), signs it,
//! and records every outcome. Only `fetch::webhook` touches the network.

use crate::config::Config;
use crate::fetch::webhook;
use crate::store::{Delivery, EventData, Hook, Store};
use anyhow::{Context, Result, bail};
use hmac::{KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::time::Duration;

/// Every event a receiver may ask for.
pub const EVENTS: [&str; 6] = [
    "post_gone",
    "post_back",
    "post_restricted",
    "article_gone",
    "claim_created",
    "claim_decided",
];

/// The events of a receiver that names none.
const DEFAULT_EVENTS: [&str; 2] = ["post_gone", "post_back"];
const DEFAULT_RETRIES: u32 = 4;
const DEFAULT_BACKOFF: Duration = Duration::from_secs(2);
/// One try of one delivery.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Embarc-Signature";

/// One `[[notify]]` receiver, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Receiver {
    pub url: String,
    pub events: Vec<String>,
    pub secret: Option<String>,
    pub retries: u32,
    pub backoff: Duration,
}

impl std::fmt::Debug for Receiver {
    // The secret stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("url", &self.url)
            .field("events", &self.events)
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish()
    }
}

/// The receivers `[[notify]]` lists; errors name the entry and key.
pub fn receivers(c: &Config) -> Result<Vec<Receiver>> {
    let mut out = Vec::new();
    for (i, n) in c.notify.iter().enumerate() {
        let at = || format!("[[notify]] number {}", i + 1);
        let Some(url) = n.url.as_deref().map(str::trim) else {
            bail!("{}: url is missing", at());
        };
        let parsed = url::Url::parse(url).with_context(|| format!("{}: url {url:?}", at()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            bail!("{}: url {url:?} must be http:// or https://", at());
        }
        let events: Vec<String> = match &n.events {
            Some(e) => e.clone(),
            None => DEFAULT_EVENTS.iter().map(|e| e.to_string()).collect(),
        };
        if let Some(bad) = events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
            bail!(
                "{}: unknown event {bad:?}; known: {}",
                at(),
                EVENTS.join(", ")
            );
        }
        let backoff = match &n.backoff {
            Some(b) => {
                crate::policy::parse_duration(b).with_context(|| format!("{}: backoff", at()))?
            }
            None => DEFAULT_BACKOFF,
        };
        out.push(Receiver {
            url: url.to_string(),
            events,
            secret: n.secret.clone().filter(|s| !s.is_empty()),
            retries: n.retries.unwrap_or(DEFAULT_RETRIES),
            backoff,
        });
    }
    Ok(out)
}

/// What the store needs to queue deliveries.
pub fn hooks(receivers: &[Receiver]) -> Vec<Hook> {
    receivers
        .iter()
        .map(|r| Hook {
            url: r.url.clone(),
            events: r.events.clone(),
        })
        .collect()
}

/// The documented payload: the event data plus a Slack-compatible `text`.
#[derive(Serialize)]
struct Payload<'a> {
    #[serde(flatten)]
    data: &'a EventData,
    text: String,
}

/// The JSON body of one delivery.
pub fn payload(data: &EventData) -> String {
    let text = summary_text(data);
    serde_json::to_string(&Payload { data, text }).unwrap_or_default()
}

/// One line a person reads in a chat channel.
fn summary_text(d: &EventData) -> String {
    let what = match d.event.as_str() {
        "post_gone" => "A cited post is gone",
        "post_back" => "A cited post is back",
        "post_restricted" => "A cited post is restricted",
        "article_gone" => "An article is gone",
        "claim_created" => "New claim in the verification queue",
        "claim_decided" => "A claim was decided",
        other => other,
    };
    let mut text = what.to_string();
    if let Some(p) = &d.post {
        let url = p
            .url
            .clone()
            .unwrap_or_else(|| format!("{}:{}", p.platform, p.id.clone().unwrap_or_default()));
        text.push_str(&format!(": {url}"));
        if let Some(h) = &p.handle {
            text.push_str(&format!(" (@{h})"));
        }
        if let Some(c) = &p.latest_check {
            text.push_str(&format!(", {}", c.outcome.label()));
        }
        match d.articles.len() {
            0 => {}
            1 => text.push_str(&format!("; cited by {}", d.articles[0].url)),
            n => text.push_str(&format!(
                "; cited by {} and {} more",
                d.articles[0].url,
                n - 1
            )),
        }
    }
    if let Some(a) = &d.article {
        text.push_str(&format!(": {}", a.url));
    }
    if let Some(c) = &d.claim {
        text.push_str(&format!("; claim #{} ({}, {})", c.id, c.label, c.status));
    }
    text
}

/// `sha256=HEX`: HMAC-SHA256 of the raw body with the receiver's secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What a round of sending did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub delivered: usize,
    pub failed: usize,
}

/// Send every delivery due now, each with its receiver's retries; record
/// each outcome.
pub async fn deliver_due(
    store: &Store,
    receivers: &[Receiver],
    owner: &str,
    lease: Duration,
) -> Result<Sent> {
    let client = webhook::client(TIMEOUT).map_err(anyhow::Error::msg)?;
    let mut sent = Sent::default();
    loop {
        let batch = store.claim_deliveries(owner, lease, 16)?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for d in batch {
            let Some(r) = receivers.iter().find(|r| r.url == d.url) else {
                // No longer configured: given up, and said so.
                store.finish_delivery(
                    d.id,
                    owner,
                    d.attempts,
                    None,
                    Some("the receiver is no longer in [[notify]]"),
                    false,
                    None,
                )?;
                sent.failed += 1;
                continue;
            };
            let ok = deliver(store, &client, r, &d, owner).await?;
            if ok {
                sent.delivered += 1;
            } else {
                sent.failed += 1;
            }
        }
    }
}

/// Try one delivery up to `1 + retries` times; true when delivered.
async fn deliver(
    store: &Store,
    client: &webhook::Client,
    r: &Receiver,
    d: &Delivery,
    owner: &str,
) -> Result<bool> {
    let body = match &d.payload {
        Some(b) => b.clone(),
        None => {
            let b = payload(&store.event_data(d)?);
            store.set_delivery_payload(d.id, &b)?;
            b
        }
    };
    let mut headers = vec![("X-Embarc-Event", d.event.clone())];
    if let Some(secret) = &r.secret {
        headers.push((SIGNATURE_HEADER, signature(secret, body.as_bytes())));
    }
    let mut attempts = d.attempts;
    let mut wait = r.backoff;
    loop {
        attempts += 1;
        let outcome = webhook::post_json(client, &r.url, &body, &headers).await;
        let (status, error) = match outcome {
            Ok(s) if (200..300).contains(&s) => {
                store.finish_delivery(d.id, owner, attempts, Some(s), None, true, None)?;
                return Ok(true);
            }
            Ok(s) => (Some(s), format!("answered {s}")),
            Err(e) => (None, e),
        };
        if attempts > r.retries {
            tracing::warn!(
                "webhook {} to {}: gave up after {attempts} tries: {error}",
                d.event,
                r.url
            );
            store.finish_delivery(d.id, owner, attempts, status, Some(&error), false, None)?;
            return Ok(false);
        }
        tokio::time::sleep(wait).await;
        wait = wait.saturating_mul(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn receivers_are_checked_and_named() {
        let c = Config::parse("[[notify]]\nurl = \"ftp://x\"\n").unwrap();
        let e = format!("{:#}", receivers(&c).unwrap_err());
        assert!(
            e.contains("[[notify]] number 1") && e.contains("http"),
            "{e}"
        );
        let c =
            Config::parse("[[notify]]\nurl = \"https://h.example/\"\nevents = [\"post_died\"]\n")
                .unwrap();
        let e = format!("{:#}", receivers(&c).unwrap_err());
        assert!(e.contains("post_died") && e.contains("post_gone"), "{e}");
        let c =
            Config::parse("[[notify]]\nurl = \"https://h.example/\"\nsecret = \"s\"\n").unwrap();
        let r = receivers(&c).unwrap();
        assert_eq!(r[0].events, ["post_gone", "post_back"]);
        assert!(!format!("{r:?}").contains("\"s\""));
    }
}
