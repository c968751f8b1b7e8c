//! `embarc check`

use crate::check::{self, Checked, Lease, Options, Outcome, Select, Settings, Stopping};
use crate::detect::Platform;
use crate::words;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check posts (without --articles: posts only; neither flag: both).
    #[arg(long)]
    pub posts: bool,

    /// Check articles (without --posts: articles only).
    #[arg(long)]
    pub articles: bool,

    /// Only posts of this platform (and articles citing one).
    #[arg(long, value_name = "PLATFORM", value_parser = parse_platform,
          long_help = format!(
              "Only posts of this platform (and articles citing one): {}.",
              Platform::names()
          ))]
    pub platform: Option<Platform>,

    /// Only targets not checked within this long: 30m, 1h, 7d (0: all).
    /// Without it, the targets the [recheck] policy says are due.
    #[arg(long, value_name = "DURATION", value_parser = parse_stale)]
    pub stale: Option<Duration>,

    /// At most N posts and N articles, least recently checked first.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,

    /// Print the run summary and every result as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Exit with code 2 when any target checked in this run is gone.
    #[arg(long)]
    pub fail_on_rot: bool,

    #[command(flatten)]
    pub network: super::NetworkArgs,
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    s.parse()
}

fn parse_stale(s: &str) -> Result<Duration, String> {
    check::parse_duration(s)
        .ok_or_else(|| format!("{s:?} is not a duration; write e.g. 30m, 1h or 7d"))
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let interrupted = super::interrupt_flag()?;
    let mut store = super::open_existing(dir)?;
    let config = super::load_config(dir)?;
    let mut settings = Settings::resolve(&config, &|var| std::env::var(var).ok())?;
    settings.network = args.network.resolve(&config);
    settings.keep_answers = config
        .check
        .keep_answers
        .unwrap_or(false)
        .then(|| dir.to_path_buf());
    let select = match args.stale {
        Some(stale) => Select::Stale(stale),
        None => {
            let watch = crate::watch::Settings::from_config(&config)?;
            Select::Due(Lease {
                policy: watch.policy,
                owner: crate::watch::owner_name("check"),
                lease: watch.lease,
            })
        }
    };
    let opts = Options {
        posts: args.posts || !args.articles,
        articles: args.articles || !args.posts,
        platform: args.platform,
        select,
        limit: args.limit,
        // Ctrl-C: the checks in flight finish (within one request's
        // timeout), nothing new starts, the summary is printed.
        stop: Some(Stopping {
            flag: interrupted.clone(),
            grace: settings.timeout.saturating_mul(2),
        }),
        lanes: true,
        keep_results: args.json,
    };
    let receivers = super::watch::notify_on(&mut store, &config)?;
    let quiet = args.json;
    let mut on_result = |c: &Checked| {
        if !quiet {
            print_result(c);
        }
    };
    let runtime = super::runtime()?;
    let summary = runtime.block_on(check::run(&store, &settings, &opts, &mut on_result))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary, &opts);
    }
    let interrupted_now = interrupted.load(std::sync::atomic::Ordering::SeqCst);
    if !interrupted_now {
        // The webhooks these checks queued (and any left from before);
        // after Ctrl-C they stay queued for the next run.
        super::watch::send_webhooks(&runtime, &store, &receivers, &config, "check", args.json)?;
    }
    if interrupted_now {
        eprintln!("{}", super::INTERRUPTED);
        return Ok(ExitCode::from(super::EXIT_INTERRUPTED));
    }
    if args.fail_on_rot && summary.found_rot() {
        return Ok(ExitCode::from(super::EXIT_PARTIAL));
    }
    Ok(ExitCode::SUCCESS)
}

/// The run summary on stderr: a line for each kind of target asked for.
fn print_summary(summary: &check::Summary, opts: &Options) {
    let kinds = [
        (opts.posts, "post", &summary.posts),
        (opts.articles, "article", &summary.articles),
    ];
    for (_, what, counts) in kinds.into_iter().filter(|(asked, ..)| *asked) {
        let states: Vec<String> = counts
            .states
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        let states = if states.is_empty() {
            String::new()
        } else {
            format!(" ({})", states.join(", "))
        };
        if matches!(opts.select, Select::Due(_)) {
            eprintln!(
                "embarc: {} checked{states}; {} not due yet by the [recheck] policy",
                words::count(counts.checked, what),
                counts.fresh,
            );
        } else {
            eprintln!(
                "embarc: {} checked{states}; {} checked within --stale, {} not checkable",
                words::count(counts.checked, what),
                counts.fresh,
                counts.not_checkable
            );
        }
    }
    if summary.edited_posts > 0 {
        eprintln!(
            "embarc: {} now different text from what their articles showed (warnings of kind `edited`)",
            match summary.edited_posts {
                1 => "1 post shows".to_string(),
                n => format!("{n} posts show"),
            }
        );
    }
    if summary.offline() {
        eprintln!(
            "embarc: no request reached the network: offline? All {} ended `unknown (network_error)`; {}",
            words::count(summary.tally.checked, "check"),
            match opts.select {
                Select::Stale(_) => "they stay due, so run the same command again when online",
                Select::Due(_) =>
                    "by the policy they are tried again in 1 h; `embarc check --stale 24h` asks them again now",
            }
        );
    }
}

/// One line per target that is not alive or whose state changed, on stdout
/// (so `embarc check | grep gone` finds them); the summary is on stderr.
fn print_result(c: &Checked) {
    let state = c.label();
    let changed = match &c.previous_state {
        Some(prev) if *prev != c.outcome.state() => format!(" [was {prev}]"),
        _ => String::new(),
    };
    if c.outcome == Outcome::Alive && changed.is_empty() {
        return;
    }
    println!("  {state:<26} {}{changed}", words::escaped(&c.url));
    println!("      {}", words::escaped(&c.evidence));
    if let Some(a) = &c.archived_url {
        println!("      archived: {}", words::escaped(a));
    }
}
