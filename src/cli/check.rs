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

    /// Fetch the media of each post found alive (photos, the best video
    /// variant under [media] max_size, thumbnails), as `[media] enabled`.
    #[arg(long)]
    pub media: bool,

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
    settings.media = check::media::MediaSettings::from_config(&config, dir, args.media)?;
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
    };
    let receivers = super::watch::notify_on(&mut store, &config)?;
    let mut spill = if args.json { Some(Spill::new()?) } else { None };
    let mut on_result = |c: &Checked| match &mut spill {
        Some(s) => s.push(c),
        None => print_result(c),
    };
    let runtime = super::runtime()?;
    let summary = runtime.block_on(check::run(&store, &settings, &opts, &mut on_result))?;
    super::stamp_warcs(&store, dir, &config, &summary.warc_files)?;
    if let Some(spill) = spill {
        let mut out = std::io::stdout().lock();
        spill.print(&summary, &mut out)?;
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

/// `--json`'s results, written to an unnamed temporary file as they come,
/// so that a round over millions of targets holds none of them in memory;
/// printed after the summary's counts as its last field, `results`.
struct Spill {
    file: std::io::BufWriter<std::fs::File>,
    count: usize,
    /// The first write that failed: the run goes on, printing fails.
    failed: Option<std::io::Error>,
}

impl Spill {
    fn new() -> anyhow::Result<Spill> {
        let file = tempfile::tempfile().map_err(|e| {
            anyhow::anyhow!("cannot create a temporary file for --json results: {e}")
        })?;
        Ok(Spill {
            file: std::io::BufWriter::new(file),
            count: 0,
            failed: None,
        })
    }

    /// One result, pretty-printed at the depth of an element of `results`.
    fn push(&mut self, c: &Checked) {
        use std::io::Write;
        if self.failed.is_some() {
            return;
        }
        let json = serde_json::to_string_pretty(c).unwrap_or_default();
        let sep = if self.count == 0 { "" } else { ",\n" };
        let indented = json.replace('\n', "\n    ");
        if let Err(e) = write!(self.file, "{sep}    {indented}") {
            self.failed = Some(e);
        }
        self.count += 1;
    }

    /// The summary with the results as its last field.
    fn print(self, summary: &check::Summary, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
        use std::io::{Read, Seek};
        if let Some(e) = self.failed {
            anyhow::bail!("cannot keep --json results in a temporary file: {e}");
        }
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        let head = serde_json::to_string_pretty(summary)?;
        let head = head.strip_suffix("\n}").unwrap_or(&head);
        if self.count == 0 {
            writeln!(out, "{head},\n  \"results\": []\n}}")?;
        } else {
            write!(out, "{head},\n  \"results\": [\n")?;
            let mut buf = vec![0; 64 * 1024];
            loop {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                out.write_all(&buf[..n])?;
            }
            writeln!(out, "\n  ]\n}}")?;
        }
        out.flush()?;
        Ok(())
    }
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
                "embarc: {} checked{states}; {} not due yet by the [recheck] policy{}",
                words::count(counts.checked, what),
                counts.fresh,
                if counts.checked == 0 && counts.fresh > 0 {
                    " (`--stale 0` checks them now)"
                } else {
                    ""
                }
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
    if let Some(media) = &summary.media {
        let saved = media.get("saved").copied().unwrap_or(0);
        let rest: Vec<String> = media
            .iter()
            .filter(|(r, _)| **r != "saved")
            .map(|(r, n)| format!("{} {n}", r.replace('_', " ")))
            .collect();
        if saved == 0 && rest.is_empty() {
            eprintln!(
                "embarc: no new media files of posts to keep (media are asked of the posts found alive in this run; a file kept before is not fetched again)"
            );
        } else {
            eprintln!(
                "embarc: {} of posts kept{}",
                words::count(saved, "media file"),
                if rest.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; not kept: {} (last: {}; `embarc export posts` lists what was kept and what was not: media, media_not_kept)",
                        rest.join(", "),
                        words::escaped(
                            summary
                                .media_problem
                                .as_deref()
                                .unwrap_or("no reason given")
                        )
                    )
                }
            );
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Outcome, State};

    fn checked(url: &str, outcome: Outcome) -> Checked {
        Checked {
            target: "post",
            platform: Some(Platform::X),
            url: url.into(),
            checked_at: "2026-12-07T02:00:00.000Z".into(),
            outcome,
            previous_state: Some(State::Alive),
            http_status: Some(404),
            evidence: "x_syndication: 404 \"quoted\"\nline".into(),
            endpoint: "x_syndication".into(),
            archived_url: None,
            took: Duration::ZERO,
        }
    }

    /// What `--json` printed when the summary held its results.
    fn whole(summary: &check::Summary, results: &[Checked]) -> String {
        #[derive(serde::Serialize)]
        struct Whole<'a> {
            #[serde(flatten)]
            summary: &'a check::Summary,
            results: &'a [Checked],
        }
        format!(
            "{}\n",
            serde_json::to_string_pretty(&Whole { summary, results }).unwrap()
        )
    }

    #[test]
    fn spilled_results_print_the_same_document_as_results_held_in_memory() {
        let mut summary = check::Summary::default();
        summary.posts.checked = 3;
        summary.posts.states.insert("gone", 2);
        for results in [
            vec![],
            vec![checked("https://x.com/a/status/1", Outcome::Deleted)],
            vec![
                checked("https://x.com/a/status/1", Outcome::Deleted),
                checked("https://x.com/b/status/2", Outcome::Alive),
                checked("https://x.com/c/status/3", Outcome::RateLimited),
            ],
        ] {
            let mut spill = Spill::new().unwrap();
            for c in &results {
                spill.push(c);
            }
            let mut out = Vec::new();
            spill.print(&summary, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), whole(&summary, &results));
        }
    }
}
