//! Webhooks: a post that dies gives exactly one signed `post_gone`
//! delivery, and one `post_back` when it returns; a receiver answering 500
//! gets the retries, then a failure recorded and shown by `status`. The
//! receiver is a small HTTP server on 127.0.0.1 written here, keeping each
//! request's headers and raw body so the signature can be checked.

mod check_support;
mod common;
#[path = "check_support/x_post.rs"]
mod x_post;
use x_post::{ID, POST};

use check_support::{archive_at, embarc, fast_config};
use hmac::{KeyInit, Mac};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const TEXT: &str = "BREAKING: Polls are open until 8pm";
const T0: &str = "2025-03-01T00:00:00Z";
const SECRET: &str = "s3cret-shared-with-the-receiver";

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
    let x = x_post::server(TEXT, alive.clone());
    let (url, got) = receiver(200);
    let dir = tempfile::tempdir().unwrap();
    archive_at(
        dir.path(),
        T0,
        &[("https://news.example/a", &x_post::article(TEXT))],
    );
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
    let x = x_post::server(TEXT, Arc::new(AtomicBool::new(false)));
    let (url, got) = receiver(500);
    let dir = tempfile::tempdir().unwrap();
    archive_at(
        dir.path(),
        T0,
        &[("https://news.example/a", &x_post::article(TEXT))],
    );
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

/// Run the binary at `at` on the archive in `dir`; it must succeed.
fn ok(dir: &Path, at: &str, args: &[&str]) -> String {
    let out = embarc(dir, "http://127.0.0.1:9")
        .env("EMBARC_NOW", at)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?}: {stderr}");
    stderr
}

/// The bodies a receiver got, parsed, each checked against its signature.
fn signed_bodies(got: &Mutex<Vec<Received>>) -> Vec<serde_json::Value> {
    got.lock()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(
                r.header("X-Embarc-Signature"),
                Some(expected_signature(&r.body).as_str())
            );
            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(r.header("X-Embarc-Event"), v["event"].as_str());
            v
        })
        .collect()
}

#[test]
fn claims_created_and_decided_are_sent_once_each() {
    let (url, got) = receiver(200);
    let (other, other_got) = receiver(200);
    let dir = tempfile::tempdir().unwrap();
    settings(
        dir.path(),
        &format!(
            "[[notify]]\nurl = \"{url}\"\nevents = [\"claim_created\", \"claim_decided\"]\nsecret = \"{SECRET}\"\n\n\
             [[notify]]\nurl = \"{other}\"\nevents = [\"post_gone\"]\n"
        ),
    );
    let page = dir.path().join("a.html");
    std::fs::write(&page, x_post::article(TEXT)).unwrap();
    // Archiving queues the labelled post: `claim_created`, sent by archive.
    let stderr = ok(dir.path(), T0, &["archive", page.to_str().unwrap()]);
    assert!(
        stderr.contains("webhooks: 1 delivered, 0 failed"),
        "{stderr}"
    );
    let bodies = signed_bodies(&got);
    assert_eq!(bodies.len(), 1);
    let v = &bodies[0];
    assert_eq!(v["event"], "claim_created");
    assert_eq!(v["at"], "2025-03-01T00:00:00.000Z");
    assert_eq!(v["claim"]["id"], 1);
    assert_eq!(v["claim"]["label"], "BREAKING");
    assert_eq!(v["claim"]["status"], "unstarted");
    assert_eq!(v["claim"]["by"], "embarc");
    assert_eq!(v["post"]["url"], POST);
    assert_eq!(v["post"]["id"], ID);
    assert!(v["post"]["latest_check"].is_null(), "{v}");
    assert_eq!(v["articles"].as_array().unwrap().len(), 1);
    let text = v["text"].as_str().unwrap();
    assert!(text.contains("claim #1 (BREAKING, unstarted)"), "{text}");

    // Archiving the same page again queues nothing.
    std::fs::write(&page, x_post::article(&format!("{TEXT}!"))).unwrap();
    ok(
        dir.path(),
        "2025-03-01T00:10:00Z",
        &["archive", page.to_str().unwrap()],
    );
    // Work on a claim is not a decision; a verdict is.
    ok(
        dir.path(),
        "2025-03-01T01:00:00Z",
        &["queue", "set", "1", "in_progress", "--by", "ana"],
    );
    ok(
        dir.path(),
        "2025-03-01T01:05:00Z",
        &["queue", "note", "1", "Called the desk", "--by", "ana"],
    );
    assert_eq!(got.lock().unwrap().len(), 1);
    let stderr = ok(
        dir.path(),
        "2025-03-01T02:00:00Z",
        &[
            "queue",
            "set",
            "1",
            "false",
            "--by",
            "ana",
            "--note",
            "The polls close at 7pm",
        ],
    );
    assert!(stderr.contains("webhooks: 1 delivered"), "{stderr}");
    // Reversing a decision is a decision too.
    ok(
        dir.path(),
        "2025-03-01T03:00:00Z",
        &[
            "queue",
            "set",
            "1",
            "verified",
            "--by",
            "bo",
            "--note",
            "The county moved it",
        ],
    );
    // A claim added by hand.
    ok(
        dir.path(),
        "2025-03-01T04:00:00Z",
        &[
            "queue",
            "add",
            "https://bsky.app/profile/desk.example.org/post/3kabcdefghi2x",
            "--by",
            "desk",
            "--reason",
            "Readers ask about it",
        ],
    );
    let bodies = signed_bodies(&got);
    let events: Vec<&str> = bodies
        .iter()
        .map(|v| v["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "claim_created",
            "claim_decided",
            "claim_decided",
            "claim_created"
        ]
    );
    // Each decision as it was made, though the claim has moved on since.
    let d = &bodies[1];
    assert_eq!(d["at"], "2025-03-01T02:00:00.000Z");
    assert_eq!(d["claim"]["status"], "false");
    assert_eq!(d["claim"]["previous_status"], "in_progress");
    assert_eq!(d["claim"]["by"], "ana");
    assert_eq!(d["claim"]["note"], "The polls close at 7pm");
    assert_eq!(d["post"]["url"], POST);
    assert!(d["text"].as_str().unwrap().contains("A claim was decided"));
    assert_eq!(bodies[2]["claim"]["status"], "verified");
    assert_eq!(bodies[2]["claim"]["previous_status"], "false");
    assert_eq!(bodies[2]["claim"]["by"], "bo");
    let m = &bodies[3];
    assert_eq!(m["claim"]["id"], 2);
    assert_eq!(m["claim"]["label"], "MANUAL");
    assert_eq!(m["claim"]["by"], "desk");
    assert_eq!(m["claim"]["note"], "Readers ask about it");
    assert_eq!(m["post"]["platform"], "bluesky");
    // The receiver that wants only post_gone heard nothing.
    assert!(other_got.lock().unwrap().is_empty());
    let out = embarc(dir.path(), "http://127.0.0.1:9")
        .args(["status", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["webhooks"]["delivered"], 4, "{v}");
    assert_eq!(v["webhooks"]["pending"], 0, "{v}");
}

#[test]
fn a_post_turning_protected_and_an_article_taken_down_give_one_delivery_each() {
    // The post: alive, then protected (syndication 404, oEmbed 403); the
    // article: served, then 404.
    let protected = Arc::new(AtomicBool::new(false));
    let article_gone = Arc::new(AtomicBool::new(false));
    let (p, a) = (protected.clone(), article_gone.clone());
    let server = common::Server::start(move |req| {
        let route = req.path.split(['/', '?']).nth(1).unwrap_or_default();
        let not_found = || common::Reply::status(404, "text/plain", "Not Found");
        match route {
            "syn" if !p.load(Ordering::SeqCst) => common::Reply::status(
                200,
                "application/json",
                format!(
                    r#"{{"__typename":"Tweet","id_str":"{ID}","text":"{TEXT}","user":{{"name":"Election Desk","screen_name":"electiondesk"}}}}"#
                ),
            ),
            "syn" => not_found(),
            "xo" => common::Reply::status(403, "application/json", r#"{"error":"not authorized"}"#),
            "wb" => common::Reply::status(200, "application/json", r#"{"archived_snapshots":{}}"#),
            "articles" if !a.load(Ordering::SeqCst) => common::Reply::html(x_post::article(TEXT)),
            _ => not_found(),
        }
    });
    let (url, got) = receiver(200);
    let dir = tempfile::tempdir().unwrap();
    let article_url = server.url("/articles/story");
    archive_at(dir.path(), T0, &[(&article_url, &x_post::article(TEXT))]);
    settings(
        dir.path(),
        &format!("[[notify]]\nurl = \"{url}\"\nevents = [\"post_restricted\", \"article_gone\"]\n"),
    );
    let base = server.url("");
    watch_once(dir.path(), &base, "2025-03-01T01:00:00Z");
    assert!(got.lock().unwrap().is_empty(), "alive: nothing to say");

    protected.store(true, Ordering::SeqCst);
    article_gone.store(true, Ordering::SeqCst);
    // A week on: the post (due at its ages) and the article (every 7 days).
    watch_once(dir.path(), &base, "2025-03-08T01:00:00Z");
    watch_once(dir.path(), &base, "2025-03-16T01:00:00Z");
    let got = got.lock().unwrap();
    let mut events: Vec<(String, String)> = got
        .iter()
        .map(|r| {
            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            let what = match v["event"].as_str() {
                Some("article_gone") => {
                    assert!(v["post"].is_null(), "{v}");
                    assert_eq!(v["article"]["latest_check"]["state"], "gone", "{v}");
                    v["article"]["url"].as_str().unwrap_or_default()
                }
                _ => v["post"]["url"].as_str().unwrap_or_default(),
            };
            (v["event"].as_str().unwrap().to_string(), what.to_string())
        })
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            ("article_gone".to_string(), article_url.clone()),
            ("post_restricted".to_string(), POST.to_string())
        ],
        "one each, not again while it stays so"
    );
}
