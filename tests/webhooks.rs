//! Webhooks: a post that dies gives exactly one signed `post_gone`
//! delivery, and one `post_back` when it returns; a receiver answering 500
//! gets the retries, then a failure recorded and shown by `status`. The
//! receiver is a small HTTP server on 127.0.0.1 written here, keeping each
//! request's headers and raw body so the signature can be checked.

mod check_support;
mod common;

use check_support::{archive_at, embarc, fast_config};
use common::{Reply, Server};
use hmac::{KeyInit, Mac};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const ID: &str = "1581661660728950784";
const POST: &str = "https://x.com/electiondesk/status/1581661660728950784";
const T0: &str = "2025-03-01T00:00:00Z";
const SECRET: &str = "s3cret-shared-with-the-receiver";

fn article() -> String {
    format!(
        r#"<html><body><article><blockquote class="twitter-tweet"><p lang="en" dir="ltr">BREAKING: Polls are open until 8pm</p>&mdash; Election Desk (@electiondesk) <a href="https://twitter.com/electiondesk/status/{ID}">October 16, 2022</a></blockquote></article></body></html>"#
    )
}

fn x_server(alive: Arc<AtomicBool>) -> Server {
    Server::start(move |req| {
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        match route {
            "syn" if alive.load(Ordering::SeqCst) => Reply::status(
                200,
                "application/json",
                format!(
                    r#"{{"__typename":"Tweet","id_str":"{ID}","text":"BREAKING: Polls are open until 8pm","user":{{"name":"Election Desk","screen_name":"electiondesk"}}}}"#
                ),
            ),
            "syn" | "xo" => Reply::status(404, "text/plain", "Not Found"),
            "wb" => Reply::status(200, "application/json", r#"{"archived_snapshots":{}}"#),
            _ => Reply::status(500, "text/plain", "unexpected"),
        }
    })
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A webhook receiver answering `status` to everything; returns its URL
/// and what it got.
fn receiver(status: u16) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let keep = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                continue;
            }
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':') {
                    headers.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            let len: usize = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            keep.lock().unwrap().push(Received { headers, body });
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, got)
}

fn settings(dir: &Path, extra: &str) {
    fast_config(dir);
    let path = dir.join("embarc.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, format!("{toml}\n{extra}\n")).unwrap();
}

fn watch_once(dir: &Path, base: &str, at: &str) -> String {
    let out = embarc(dir, base)
        .env("EMBARC_NOW", at)
        .args(["watch", "--once"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    stderr
}

fn expected_signature(body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn a_death_gives_one_signed_post_gone_and_a_return_one_post_back() {
    let alive = Arc::new(AtomicBool::new(true));
    let x = x_server(alive.clone());
    let (url, got) = receiver(200);
    let dir = tempfile::tempdir().unwrap();
    archive_at(dir.path(), T0, &[("https://news.example/a", &article())]);
    settings(
        dir.path(),
        &format!(
            "[[notify]]\nurl = \"{url}\"\nevents = [\"post_gone\", \"post_back\"]\nsecret = \"{SECRET}\"\n"
        ),
    );
    let base = x.url("");
    watch_once(dir.path(), &base, "2025-03-01T01:00:00Z");
    assert!(got.lock().unwrap().is_empty(), "alive: nothing to say");

    alive.store(false, Ordering::SeqCst);
    let stderr = watch_once(dir.path(), &base, "2025-03-01T06:00:00Z");
    // Still gone at the next checks: no second post_gone.
    watch_once(dir.path(), &base, "2025-03-02T06:00:00Z");
    watch_once(dir.path(), &base, "2025-03-08T06:00:00Z");
    {
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 1, "{stderr}");
        let r = &got[0];
        assert_eq!(
            r.header("X-Embarc-Signature"),
            Some(expected_signature(&r.body).as_str())
        );
        assert_eq!(r.header("X-Embarc-Event"), Some("post_gone"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["event"], "post_gone");
        assert_eq!(v["at"], "2025-03-01T06:00:00.000Z");
        assert_eq!(v["post"]["platform"], "x");
        assert_eq!(v["post"]["id"], ID);
        assert_eq!(v["post"]["url"], POST);
        assert_eq!(v["post"]["handle"], "electiondesk");
        assert_eq!(v["post"]["latest_check"]["state"], "gone");
        assert_eq!(v["post"]["latest_check"]["reason"], "deleted");
        assert_eq!(v["articles"][0]["url"], "https://news.example/a");
        assert_eq!(v["claim"]["label"], "BREAKING");
        let text = v["text"].as_str().unwrap();
        assert!(
            text.contains("gone") && text.contains(POST) && text.contains("news.example/a"),
            "{text}"
        );
    }

    alive.store(true, Ordering::SeqCst);
    watch_once(dir.path(), &base, "2025-03-31T06:00:00Z");
    watch_once(dir.path(), &base, "2025-06-30T06:00:00Z");
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 2);
    let v: serde_json::Value = serde_json::from_slice(&got[1].body).unwrap();
    assert_eq!(v["event"], "post_back");
    assert_eq!(v["post"]["latest_check"]["state"], "alive");
    assert_eq!(
        got[1].header("X-Embarc-Signature"),
        Some(expected_signature(&got[1].body).as_str())
    );
}

#[test]
fn a_failing_receiver_gets_retries_then_a_recorded_failure() {
    let x = x_server(Arc::new(AtomicBool::new(false)));
    let (url, got) = receiver(500);
    let dir = tempfile::tempdir().unwrap();
    archive_at(dir.path(), T0, &[("https://news.example/a", &article())]);
    settings(
        dir.path(),
        &format!("[[notify]]\nurl = \"{url}\"\nretries = 2\nbackoff = \"50ms\"\n"),
    );
    // `check` sends the webhooks its checks queued, too.
    let out = embarc(dir.path(), &x.url(""))
        .env("EMBARC_NOW", "2025-03-01T01:00:00Z")
        .args(["check", "--posts"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("0 delivered, 1 failed"), "{stderr}");
    {
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 3, "one try and two retries");
        // Every try sends the same bytes; no secret, no signature.
        assert!(got.iter().all(|r| r.body == got[0].body));
        assert!(got[0].header("X-Embarc-Signature").is_none());
    }
    let out = embarc(dir.path(), "http://127.0.0.1:9")
        .args(["status", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["webhooks"]["failed"], 1, "{v}");
    assert_eq!(v["webhooks"]["recent_failures"][0][2], 3);
    assert!(
        v["webhooks"]["recent_failures"][0][3]
            .as_str()
            .unwrap()
            .contains("500")
    );
    let out = embarc(dir.path(), "http://127.0.0.1:9")
        .arg("status")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("webhooks: 0 delivered, 0 pending, 1 failed")
            && text.contains("after 3 attempts: answered 500"),
        "{text}"
    );
    // A given-up delivery is not tried again by later runs.
    let again = embarc(dir.path(), &x.url(""))
        .env("EMBARC_NOW", "2025-03-01T01:30:00Z")
        .args(["check", "--posts"])
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(got.lock().unwrap().len(), 3);
}
