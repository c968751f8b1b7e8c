//! Fetch benchmark: 5,000 generated article pages from a local server that
//! waits 100 ms before each answer, archived with
//! `--concurrency 64 --per-host 64 --min-interval 0`.
//!
//! With 64 requests in flight and 100 ms per answer, the bound is 640
//! pages/s; the target is at least 80 % of it (512 pages/s) with a peak RSS
//! under 150 MiB (measured with `/usr/bin/time -v`). Run:
//!
//! ```sh
//! cargo bench --bench fetch            # or: -- PAGES LATENCY_MS
//! ```
//!
//! Not a test: it needs a release build and a quiet machine.

#[path = "../tests/common/server.rs"]
mod server;

use server::{Reply, Server};
use std::time::{Duration, Instant};

fn page(n: u64) -> String {
    let filler = "<p>The council met on Tuesday to discuss the flooding, and residents \
                  described water rising through their kitchens overnight.</p>\n"
        .repeat(20);
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Story {n}</title></head>
<body><article><h1>Story {n}</h1>{filler}
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Update {n}: roads reopen</p>&mdash; City Desk (@citydesk) <a href="https://twitter.com/citydesk/status/{}">January 7, 2020</a></blockquote>
{filler}</article></body></html>"#,
        1214387633146564608u64 + n
    )
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let pages: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let latency_ms: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let concurrency = 64u64;
    let latency = Duration::from_millis(latency_ms);
    let server = Server::start_with_threads(1, move |req| {
        match req
            .path
            .strip_prefix("/story/")
            .and_then(|n| n.parse().ok())
        {
            Some(n) => Reply::html(page(n)).delayed(latency),
            None => Reply::status(404, "text/plain", "none").delayed(latency),
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("urls.txt");
    let urls: Vec<String> = (0..pages)
        .map(|n| server.url(&format!("/story/{n}")))
        .collect();
    std::fs::write(&list, urls.join("\n")).expect("write the URL list");

    let start = Instant::now();
    let out = std::process::Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_embarc"))
        .env("EMBARC_ALLOW_PRIVATE", "1")
        .arg("--archive")
        .arg(dir.path().join("archive"))
        .args([
            "archive",
            "--json",
            "--concurrency",
            "64",
            "--per-host",
            "64",
        ])
        .args(["--min-interval", "0", "--input-list"])
        .arg(&list)
        .output()
        .expect("run /usr/bin/time -v embarc (is GNU time installed?)");
    let elapsed = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprintln!("{stderr}");
        std::process::exit(1);
    }
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    let rss_kib: f64 = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    let hits: usize = server.all_hits().values().sum();
    let rate = pages as f64 / elapsed;
    let bound = concurrency as f64 * 1000.0 / latency_ms as f64;
    println!(
        "fetch benchmark: {pages} pages, {latency_ms} ms latency, --concurrency 64 --per-host 64"
    );
    println!(
        "  archived {} articles, {} citations, {} requests to the server",
        summary["articles"], summary["new_citations"], hits
    );
    println!("  wall time   {elapsed:.2} s");
    println!(
        "  throughput  {rate:.0} pages/s = {:.0} % of the {bound:.0} pages/s bound (target >= 80 %)",
        rate / bound * 100.0
    );
    println!(
        "  peak RSS    {:.1} MiB (target < 150 MiB)",
        rss_kib / 1024.0
    );
}
