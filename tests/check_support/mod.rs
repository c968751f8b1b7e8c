//! Helpers for the `check` and `report` tests: fixture archives built
//! through the library (articles with web URLs, as the fetcher will record
//! them), fast settings, the binary with every endpoint pointed at a local
//! server, and reading results back through the exports.
#![allow(dead_code)]

use assert_cmd::Command;
use embarc::detect::{self, DocKind, Hints};
use embarc::store::{CaptureInput, Store};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Record `(article URL, HTML)` pairs in the archive in `dir`, as captures
/// of web pages.
pub fn archive(dir: &Path, articles: &[(&str, &str)]) {
    record(Store::open(&dir.join("embarc.db")).unwrap(), articles);
}

/// [`archive`], recording `at` (RFC 3339) as the time the articles and
/// their posts were first seen.
pub fn archive_at(dir: &Path, at: &str, articles: &[(&str, &str)]) {
    let store = Store::open(&dir.join("embarc.db")).unwrap();
    record(store.with_clock(at.parse().unwrap()), articles);
}

fn record(store: Store, articles: &[(&str, &str)]) {
    let batch: Vec<_> = articles
        .iter()
        .map(|(url, html)| {
            let bytes = html.as_bytes();
            let found = detect::detect(
                bytes,
                &Hints {
                    kind: Some(DocKind::Html),
                    charset: None,
                },
            );
            let site = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| "file".into());
            let capture = CaptureInput {
                article_url: url.to_string(),
                site,
                source: "http",
                http_status: Some(200),
                final_url: None,
                content_type: "text/html",
                encoding: found.encoding,
                repaired: false,
                sha256: hex::encode(Sha256::digest(bytes)),
                size: bytes.len() as u64,
                headers: None,
                warc: None,
                file_mtime_ns: None,
            };
            (capture, found.citations)
        })
        .collect();
    store.record_articles(&batch).unwrap();
}

/// `embarc.toml` for tests: short timeouts, no retries, no rate limits.
pub fn fast_config(dir: &Path) {
    config_with_concurrency(dir, 8);
}

/// [`fast_config`], checking `concurrency` targets at a time.
pub fn config_with_concurrency(dir: &Path, concurrency: usize) {
    let rates: String = [
        "x_syndication",
        "x_oembed",
        "bluesky_appview",
        "bluesky_oembed",
        "mastodon",
        "telegram",
        "youtube_thumb",
        "tiktok",
        "reddit",
        "meta_graph",
        "threads",
        "wayback",
        "article",
    ]
    .iter()
    .map(|n| format!("{n} = \"0\"\n"))
    .collect();
    std::fs::write(
        dir.join("embarc.toml"),
        format!(
            "[check]\ntimeout = \"1s\"\nretries = 0\nmax_retry_after = \"5s\"\nconcurrency = {concurrency}\n\n[endpoints.rate]\n{rates}"
        ),
    )
    .unwrap();
}

/// The endpoints and the path each is served under on the test server.
pub const ENDPOINTS: [(&str, &str); 13] = [
    ("EMBARC_X_SYNDICATION_URL", "/syn"),
    ("EMBARC_X_OEMBED_URL", "/xo"),
    ("EMBARC_BLUESKY_APPVIEW_URL", "/bsky"),
    ("EMBARC_BLUESKY_OEMBED_URL", "/bsky-oembed"),
    ("EMBARC_BLUESKY_PLC_URL", "/plc"),
    ("EMBARC_MASTODON_URL", "/masto"),
    ("EMBARC_TELEGRAM_URL", "/tg"),
    ("EMBARC_YOUTUBE_THUMB_URL", "/yt"),
    ("EMBARC_TIKTOK_URL", "/tt"),
    ("EMBARC_REDDIT_URL", "/reddit"),
    ("EMBARC_META_GRAPH_URL", "/meta"),
    ("EMBARC_THREADS_URL", "/threads"),
    ("EMBARC_WAYBACK_URL", "/wb"),
];

/// The binary on the archive in `dir`, every endpoint at `base` + its path.
pub fn embarc(dir: &Path, base: &str) -> Command {
    let mut cmd = Command::cargo_bin("embarc").unwrap();
    cmd.arg("--archive")
        .arg(dir)
        .env_remove("EMBARC_LOG")
        .env_remove("EMBARC_NOW")
        // The endpoints are test servers on 127.0.0.1, an internal address.
        .env("EMBARC_ALLOW_PRIVATE", "1");
    for (var, path) in ENDPOINTS {
        cmd.env(var, format!("{base}{path}"));
    }
    cmd
}

/// As [`embarc`], without `--allow-private`: the endpoints, named by the
/// operator, are reached all the same; what content names (articles asked
/// again, a post's own server) is not.
pub fn embarc_strict(dir: &Path, base: &str) -> Command {
    let mut cmd = embarc(dir, base);
    cmd.env_remove("EMBARC_ALLOW_PRIVATE");
    cmd
}

/// The query parameters of a request path, decoded.
pub fn query(path: &str) -> HashMap<String, String> {
    let q = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
    url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect()
}

/// `embarc export KIND --format json`, parsed.
pub fn export(dir: &Path, kind: &str) -> Vec<Value> {
    let out = Command::cargo_bin("embarc")
        .unwrap()
        .args(["--archive"])
        .arg(dir)
        .args(["export", kind, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Each exported post by its URL: (state, reason).
pub fn states(dir: &Path) -> HashMap<String, (Option<String>, Option<String>)> {
    export(dir, "posts")
        .into_iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().map(str::to_string);
            (s("post_url").unwrap_or_default(), (s("state"), s("reason")))
        })
        .collect()
}

/// `(state, reason)` as the exports show them.
pub fn sr(state: &str, reason: Option<&str>) -> (Option<String>, Option<String>) {
    (Some(state.into()), reason.map(str::to_string))
}
