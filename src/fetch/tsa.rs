//! Asking a Time-Stamp Authority over HTTP (RFC 3161 §3.4): the DER
//! TimeStampReq POSTed as `application/timestamp-query`, the answer's body
//! read back (at most [`MAX_ANSWER`] bytes). The TSA is the operator's
//! (`[timestamp] tsa`), so its address is not held to the network policy
//! that content URLs are. What the answer means is `crate::timestamp`'s.

use std::time::Duration;

/// Largest answer read: a token with its certificate chain is a few KiB.
pub const MAX_ANSWER: usize = 256 * 1024;

/// A client for TSAs: at most 3 redirects (http to https, a moved path).
pub fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(3))
        .timeout(timeout)
        .user_agent(super::client::user_agent(None))
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))
}

/// POST `request` (DER) to the TSA at `url`: the answer's body when the
/// TSA answered 200, else why not.
pub async fn ask(client: &reqwest::Client, url: &str, request: &[u8]) -> Result<Vec<u8>, String> {
    let sent = client
        .post(url)
        .header("content-type", "application/timestamp-query")
        .header("accept", "application/timestamp-reply")
        .body(request.to_vec())
        .send()
        .await;
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return Err("timed out".into()),
        Err(e) if e.is_connect() => return Err("cannot connect".into()),
        Err(e) => return Err(format!("request failed: {e}")),
    };
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(format!("HTTP {status}"));
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_ANSWER {
                    return Err(format!(
                        "the answer is larger than {} KiB: not a timestamp",
                        MAX_ANSWER / 1024
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => return Err("timed out".into()),
            Err(e) => return Err(format!("the answer broke off: {e}")),
        }
    }
}
