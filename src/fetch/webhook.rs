//! Sending one webhook: a JSON body POSTed to a receiver, with the headers
//! the caller signs it with. Redirects are not followed (a receiver that
//! moved must be configured again, not chased); the answer's status is all
//! that is read.

use std::time::Duration;

/// The HTTP client webhooks are sent with.
pub type Client = reqwest::Client;

/// A client for webhook receivers.
pub fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .user_agent(super::client::user_agent(None))
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))
}

/// POST `body` as JSON to `url`: the HTTP status, or why nothing came back.
pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    body: &str,
    headers: &[(&str, String)],
) -> Result<u16, String> {
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    for (name, value) in headers {
        req = req.header(*name, value);
    }
    match req.send().await {
        Ok(resp) => Ok(resp.status().as_u16()),
        Err(e) if e.is_timeout() => Err("timed out".into()),
        Err(e) if e.is_connect() => Err("cannot connect".into()),
        Err(e) => Err(format!("request failed: {e}")),
    }
}
