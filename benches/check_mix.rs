//! Check-mix benchmark: how many checks an hour a policy round makes over
//! the issue's archive mix (600,000 X posts, 30,000 Bluesky, 10,000
//! Mastodon) at the default rates, with each platform in its own lane (now)
//! and with one queue for every platform (before), measured in the same
//! run against a local server answering like the platforms' endpoints.
//!
//! ```sh
//! cargo bench --bench check_mix            # scale 100
//! cargo bench --bench check_mix -- 50      # closer to real time, slower
//! ```
//!
//! A round at real rates lasts days, so both are scaled by S: the archive
//! holds 1/S of the mix (interleaved 60 X : 3 Bluesky : 1 Mastodon, the
//! order most favourable to one queue) and every endpoint runs at S times
//! its default rate; figures are given back at the default rates (checks
//! per hour divided by S, hours multiplied by S). Every post is alive, so
//! each X and Mastodon check is one request, and Bluesky's are 25 to a
//! `getPosts` call. Not a test: it needs a release build and a
//! quiet machine.

#[path = "../tests/common/server.rs"]
mod server;

use embarc::check::{self, Checked, Lease, Options, Select, Settings};
use embarc::config::Config;
use embarc::detect::{self, DocKind, Hints};
use embarc::policy::Policy;
use embarc::store::{CaptureInput, Store};
use server::{Reply, Req, Server};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const MIX: [(&str, u64); 3] = [("x", 600_000), ("bluesky", 30_000), ("mastodon", 10_000)];
/// Default rates (requests a second) of the endpoint each check asks.
const RATES: [(&str, f64); 3] = [
    ("x_syndication", 3.0),
    ("bluesky_appview", 5.0),
    ("mastodon", 1.0),
];
const FIRST_SEEN: &str = "2025-03-01T00:00:00Z";
/// A day later: every post is due under the default policy.
const NOW: &str = "2025-03-02T00:00:00Z";

fn q(path: &str, key: &str) -> String {
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn json(body: String) -> Reply {
    Reply::status(200, "application/json", body)
}

/// Every post alive, as its platform says it.
fn answer(req: &Req) -> Reply {
    let path = req.path.as_str();
    match path.split(['/', '?']).nth(1).unwrap_or_default() {
        "syn" => json(format!(
            r#"{{"__typename":"Tweet","id_str":"{}","text":"Report","user":{{"name":"Desk","screen_name":"desk"}}}}"#,
            q(path, "id")
        )),
        "bsky" if path.contains("getPosts") => {
            let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
            let posts: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
                .filter(|(k, _)| k == "uris")
                .map(|(_, uri)| {
                    format!(
                        r#"{{"uri":"{uri}","cid":"bafyreia","author":{{"did":"did:plc:abc","handle":"desk.bsky.social","displayName":"Desk"}},"record":{{"$type":"app.bsky.feed.post","text":"Report","createdAt":"2024-04-21T15:09:00.000Z"}}}}"#
                    )
                })
                .collect();
            json(format!(r#"{{"posts":[{}]}}"#, posts.join(",")))
        }
        "bsky" => json(format!(
            r#"{{"thread":{{"$type":"app.bsky.feed.defs#threadViewPost","post":{{"uri":"{}","cid":"bafyreia","author":{{"did":"did:plc:abc","handle":"desk.bsky.social","displayName":"Desk"}},"record":{{"$type":"app.bsky.feed.post","text":"Report","createdAt":"2024-04-21T15:09:00.000Z"}}}},"replies":[]}}}}"#,
            q(path, "uri")
        )),
        "masto" => {
            let id = path
                .split('?')
                .next()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or_default();
            json(format!(
                r#"{{"id":"{id}","created_at":"2022-11-10T12:00:00.000Z","content":"<p>Report</p>","account":{{"acct":"desk","display_name":"Desk"}}}}"#
            ))
        }
        _ => Reply::status(404, "text/plain", "Not Found"),
    }
}

/// The platform of post `i` in the interleaved mix.
fn platform_of(i: u64) -> &'static str {
    match i % 64 {
        0..=59 => "x",
        60..=62 => "bluesky",
        _ => "mastodon",
    }
}

fn embed(i: u64) -> String {
    match platform_of(i) {
        "x" => format!(
            r#"<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Report</p>&mdash; Desk (@desk) <a href="https://twitter.com/desk/status/{}">October 16, 2022</a></blockquote>"#,
            1_581_661_660_728_950_784u64 + i
        ),
        "bluesky" => format!(
            r#"<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc/app.bsky.feed.post/3k{i:011}" data-bluesky-cid="bafyreia"><p lang="en">Report</p>&mdash; Desk (<a href="https://bsky.app/profile/did:plc:abc">@desk.bsky.social</a>) <a href="https://bsky.app/profile/did:plc:abc/post/3k{i:011}">November 25, 2024 at 12:49 PM</a></blockquote>"#
        ),
        _ => format!(
            r#"<iframe src="https://mastodon.social/@desk/{}/embed" class="mastodon-embed" width="400"></iframe>"#,
            109_000_000_000_000_000u64 + i
        ),
    }
}

/// An archive of `posts` posts of the mix, 64 to an article.
fn archive(path: &std::path::Path, posts: u64) -> Store {
    let store = Store::open(path)
        .unwrap()
        .with_clock(FIRST_SEEN.parse().unwrap());
    let mut batch = Vec::new();
    for a in 0..posts.div_ceil(64) {
        let mut html = String::from("<html><body><article>");
        for i in a * 64..((a + 1) * 64).min(posts) {
            let _ = write!(html, "{}", embed(i));
        }
        html.push_str("</article></body></html>");
        let found = detect::detect(
            html.as_bytes(),
            &Hints {
                kind: Some(DocKind::Html),
                charset: None,
            },
        );
        let capture = CaptureInput {
            article_url: format!("https://news.example/{a}"),
            site: "news.example".into(),
            source: "http",
            http_status: Some(200),
            final_url: None,
            content_type: "text/html",
            encoding: found.encoding,
            repaired: false,
            sha256: hex::encode(Sha256::digest(html.as_bytes())),
            size: html.len() as u64,
            headers: None,
            warc: None,
            file_mtime_ns: None,
        };
        batch.push((capture, found.citations));
    }
    store.record_articles(&batch).unwrap();
    store
}

/// What one round did: when each check finished, by platform.
struct Round {
    total: Duration,
    done: Vec<(Duration, String)>,
}

fn round(server: &Server, scale: f64, posts: u64, lanes: bool) -> Round {
    let dir = tempfile::tempdir().unwrap();
    drop(archive(&dir.path().join("embarc.db"), posts));
    let store = Store::open(&dir.path().join("embarc.db"))
        .unwrap()
        .with_clock(NOW.parse().unwrap());
    let mut toml = String::from("[check]\ntimeout = \"10s\"\nretries = 0\n\n[endpoints.rate]\n");
    for api in [
        "x_oembed",
        "bluesky_oembed",
        "telegram",
        "youtube_thumb",
        "tiktok",
        "reddit",
        "meta_graph",
        "threads",
        "wayback",
        "article",
    ] {
        let _ = writeln!(toml, "{api} = \"0\"");
    }
    for (api, rate) in RATES {
        let _ = writeln!(toml, "{api} = \"{}/s\"", (rate * scale).round() as u64);
    }
    let config = Config::parse(&toml).unwrap();
    let base = server.url("");
    let settings = Settings::resolve(&config, &|var| {
        let path = match var {
            "EMBARC_X_SYNDICATION_URL" => "/syn",
            "EMBARC_X_OEMBED_URL" => "/xo",
            "EMBARC_BLUESKY_APPVIEW_URL" => "/bsky",
            "EMBARC_BLUESKY_OEMBED_URL" => "/bsky-oembed",
            "EMBARC_MASTODON_URL" => "/masto",
            "EMBARC_WAYBACK_URL" => "/wb",
            _ => return None,
        };
        Some(format!("{base}{path}"))
    })
    .unwrap();
    let opts = Options {
        posts: true,
        articles: false,
        platform: None,
        select: Select::Due(Lease {
            policy: Policy::default(),
            owner: "bench".into(),
            lease: Duration::from_secs(600),
        }),
        limit: None,
        stop: None,
        lanes,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let mut done = Vec::with_capacity(posts as usize);
    let mut on_result = |c: &Checked| {
        done.push((
            started.elapsed(),
            c.platform
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
        ));
    };
    let summary = runtime
        .block_on(check::run(&store, &settings, &opts, &mut on_result))
        .unwrap();
    let total = started.elapsed();
    assert_eq!(summary.posts.checked as u64, posts, "{summary:?}");
    assert_eq!(
        summary.posts.states.get("alive").copied().unwrap_or(0) as u64,
        posts,
        "every post answers alive: {summary:?}"
    );
    Round { total, done }
}

/// Checks an hour at the default rates while every platform still has
/// work, over the whole round, and when each platform's last check ended
/// (hours at the default rates).
fn figures(r: &Round, scale: f64) -> (f64, f64, BTreeMap<String, f64>) {
    let mut last: BTreeMap<String, Duration> = BTreeMap::new();
    for (at, p) in &r.done {
        last.insert(p.clone(), *at);
    }
    let first_dry = last.values().min().copied().unwrap_or_default();
    let before_dry = r.done.iter().filter(|(at, _)| *at <= first_dry).count();
    let per_hour = |n: usize, d: Duration| n as f64 / d.as_secs_f64().max(1e-9) * 3600.0 / scale;
    let hours = last
        .into_iter()
        .map(|(p, d)| (p, d.as_secs_f64() * scale / 3600.0))
        .collect();
    (
        per_hour(before_dry, first_dry),
        per_hour(r.done.len(), r.total),
        hours,
    )
}

fn main() {
    let scale: f64 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(100.0);
    let total: u64 = MIX.iter().map(|(_, n)| n).sum();
    let posts = (total as f64 / scale).round() as u64;
    let server = Server::start_with_threads(4, answer);
    println!(
        "check mix: {posts} posts (1/{scale} of {total}: 60 X : 3 Bluesky : 1 Mastodon), endpoints at {scale}x their default rates; figures at the default rates"
    );
    let before = round(&server, scale, posts, false);
    let after = round(&server, scale, posts, true);
    let (b_busy, b_round, b_hours) = figures(&before, scale);
    let (a_busy, a_round, a_hours) = figures(&after, scale);
    println!("                                   one queue    lanes    ratio");
    println!(
        "checks/hour, all platforms busy    {b_busy:>9.0} {a_busy:>8.0} {:>8.2}",
        a_busy / b_busy
    );
    println!(
        "checks/hour, whole round           {b_round:>9.0} {a_round:>8.0} {:>8.2}",
        a_round / b_round
    );
    for (p, h) in &b_hours {
        let a = a_hours.get(p).copied().unwrap_or_default();
        println!(
            "hours until {p:<9} all checked   {h:>9.1} {a:>8.1} {:>8.2}",
            a / h
        );
    }
}
