//! The web side of `embarc archive`: URL inputs, lists, sitemaps, feeds,
//! and the fetcher's settings.

use super::Args;
use crate::archive::web::{self as run, Input, Progress};
use crate::archive::{Options, Summary};
use crate::duration;
use crate::fetch::sources::is_web_url;
use crate::fetch::{ClientConfig, Limits, RequestOpts};
use crate::store::Store;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a plain progress line is printed when stderr is not a terminal.
const PLAIN_PROGRESS_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, clap::Args)]
pub struct WebArgs {
    /// A file listing article URLs, one per line (`#` comments); `-` reads
    /// stdin. Repeatable.
    #[arg(long, value_name = "FILE|-")]
    pub input_list: Vec<String>,

    /// A sitemap or sitemap index (URL or file, gzipped or not). Repeatable.
    #[arg(long, value_name = "URL|FILE")]
    pub sitemap: Vec<String>,

    /// An RSS 2.0, RSS 1.0 or Atom feed (URL or file). Repeatable.
    #[arg(long, value_name = "URL|FILE")]
    pub feed: Vec<String>,

    /// Requests in flight at once, over all hosts.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub concurrency: usize,

    /// Requests in flight at once to one host.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub per_host: usize,

    /// Least time between the starts of two requests to one host (`100ms`,
    /// `1s`; a bare number is milliseconds).
    #[arg(long, value_name = "DURATION", default_value = "100ms", value_parser = millis)]
    pub min_interval: Duration,

    /// Longest time for one request (connecting, headers and body): `30s`,
    /// `2m`; a bare number is seconds.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = seconds)]
    pub timeout: Duration,

    /// Longest time to connect (a bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = seconds)]
    pub connect_timeout: Duration,

    /// Longest wait for the next byte of a body (a bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = seconds)]
    pub stall_timeout: Duration,

    /// Retries of a request after a timeout, a connection error, 429 or 5xx.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,

    /// Fetch pages that robots.txt disallows.
    #[arg(long)]
    pub ignore_robots: bool,

    /// A contact (URL or e-mail) added to the User-Agent, so site owners can
    /// reach you.
    #[arg(long, value_name = "CONTACT")]
    pub contact: Option<String>,

    /// Fetch articles again even when they were captured before.
    #[arg(long)]
    pub refetch: bool,

    /// Fetch again articles whose last capture is older than this (e.g. 30d,
    /// 12h, 90m).
    #[arg(long, value_name = "DURATION", value_parser = run::parse_duration)]
    pub max_age: Option<Duration>,

    /// Most article URLs taken from one --sitemap (with its child sitemaps)
    /// or --feed; past it the rest is reported as a failure.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_source_urls: usize,

    #[command(flatten)]
    pub network: crate::cli::NetworkArgs,
}

/// Local inputs (for the file archiver), web inputs, and the non-URL lines
/// of a `-` list already read from stdin (so stdin is read once).
pub fn split_inputs(
    inputs: &[String],
    web: &WebArgs,
) -> anyhow::Result<(Vec<String>, Vec<Input>, Option<String>)> {
    let stdin_users = inputs.iter().filter(|i| *i == "-").count()
        + web.input_list.iter().filter(|i| *i == "-").count();
    if stdin_users > 1 {
        anyhow::bail!("stdin can be read only once: give `-` once, as an INPUT or to --input-list");
    }
    let mut local = Vec::new();
    let mut urls = Vec::new();
    let mut stdin_rest = None;
    for input in inputs {
        if input == "-" {
            let mut rest = String::new();
            for entry in crate::fetch::sources::read_list(std::io::stdin().lock()) {
                let line = entry
                    .map_err(|e| anyhow::anyhow!("cannot read the input list from stdin: {e}"))?;
                if is_web_url(&line) {
                    urls.push(Input::Url(line));
                } else {
                    rest.push_str(&line);
                    rest.push('\n');
                }
            }
            local.push(input.clone());
            stdin_rest = Some(rest);
        } else if is_web_url(input) {
            urls.push(Input::Url(input.clone()));
        } else {
            local.push(input.clone());
        }
    }
    urls.extend(web.input_list.iter().cloned().map(Input::List));
    urls.extend(web.sitemap.iter().cloned().map(Input::Sitemap));
    urls.extend(web.feed.iter().cloned().map(Input::Feed));
    Ok((local, urls, stdin_rest))
}

/// A duration; a bare number in milliseconds (as `--min-interval` took).
fn millis(s: &str) -> Result<Duration, String> {
    duration::parse_or(s, Duration::from_millis(1)).map_err(|e| e.to_string())
}

/// A duration; a bare number in seconds (as the timeouts took).
fn seconds(s: &str) -> Result<Duration, String> {
    duration::parse_or(s, Duration::from_secs(1)).map_err(|e| e.to_string())
}

/// Fetch and archive the web inputs.
pub fn run(
    store: &Store,
    dir: &Path,
    inputs: Vec<Input>,
    args: &Args,
    local: &Options,
    config: &crate::config::Config,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let w = &args.web;
    let opts = run::Options {
        client: ClientConfig {
            contact: w.contact.clone(),
            connect_timeout: w.connect_timeout,
            limits: Limits {
                concurrency: w.concurrency.max(1),
                per_host: w.per_host.max(1),
                min_interval: w.min_interval,
            },
            network: w.network.resolve(config),
        },
        request: RequestOpts {
            timeout: w.timeout,
            stall_timeout: w.stall_timeout,
            max_body: local.max_bytes,
            retries: w.retries,
            ..RequestOpts::default()
        },
        ignore_robots: w.ignore_robots,
        refetch: w.refetch,
        max_age: w.max_age,
        max_source_urls: w.max_source_urls,
        now: store.clock(),
        jobs: local.jobs,
        labels: local.labels.clone(),
        stop: local.stop.clone(),
    };
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let terminal = std::io::stderr().is_terminal();
    if terminal {
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} fetched {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let last_line = Mutex::new(Instant::now());
    let shown = bar.clone();
    let progress = move |p: Progress| {
        let bar = &shown;
        if terminal {
            bar.set_length(p.seen as u64);
            bar.set_position(p.done as u64);
            bar.set_message(format!("({} failed, {} skipped)", p.failed, p.skipped));
            return;
        }
        let mut last = last_line.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() >= PLAIN_PROGRESS_EVERY {
            *last = Instant::now();
            eprintln!(
                "embarc: {} of {} done ({} failed, {} skipped)",
                p.done,
                crate::words::count(p.seen, "web input"),
                p.failed,
                p.skipped
            );
        }
    };
    let result = super::super::runtime()?.block_on(run::run(
        store,
        dir,
        inputs,
        &opts,
        summary,
        std::sync::Arc::new(progress),
    ));
    bar.finish_and_clear();
    Ok(result?)
}
