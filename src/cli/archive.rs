//! `embarc archive INPUT...`

use crate::archive::{self, Options, Summary};
use crate::check::{
    self,
    push::{PushConfig, PushOptions, PushSummary},
};
use crate::words;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

mod web;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// HTML, text or Markdown files, directories (read recursively), http(s)
    /// URLs of articles, or `-` to read a list of inputs from stdin (one per
    /// line, `#` comments).
    #[arg(
        required_unless_present_any = ["input_list", "sitemap", "feed"],
        value_name = "INPUT"
    )]
    pub inputs: Vec<String>,

    #[command(flatten)]
    pub web: web::WebArgs,

    /// Print the run summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Largest article to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 20)]
    pub max_size: u64,

    /// Worker threads for reading and detection (default: one per core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Name the files in directories left alone for their extension.
    #[arg(long, short)]
    pub verbose: bool,

    /// After archiving, ask this public archive to save a copy of each
    /// article captured and each post first found in this run: `wayback`
    /// (the Wayback Machine's Save Page Now). `[push]` in embarc.toml does
    /// it for every run.
    #[arg(long, value_name = "SERVICE", value_parser = ["wayback"])]
    pub push: Vec<String>,
}

pub fn run(dir: &Path, mut args: Args) -> anyhow::Result<ExitCode> {
    let (local_inputs, web_inputs, stdin_list) = web::split_inputs(&args.inputs, &args.web)?;
    args.inputs = local_inputs;
    let config = super::load_config(dir)?;
    let mut store = super::open_store(dir)?;
    // Claims queued by labels are `claim_created` webhooks.
    let receivers = super::watch::notify_on(&mut store, &config)?;
    let started_at = store.now_text();
    let mut opts = Options {
        max_bytes: args.max_size.saturating_mul(1024 * 1024),
        labels: config.labels.rules()?,
        ..Options::default()
    };
    let interrupted = super::interrupt_flag()?;
    opts.stop = Some(interrupted.clone());
    if let Some(jobs) = args.jobs {
        opts.jobs = jobs.max(1);
    }
    let expanded = match &stdin_list {
        Some(lines) => archive::expand_inputs(&args.inputs, &mut lines.as_bytes()),
        None => archive::expand_inputs(&args.inputs, &mut std::io::stdin().lock()),
    };
    let (files, total, failures) = (expanded.files, expanded.count, expanded.failures);
    let local = !(total == 0 && failures.is_empty());
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let on_done = |name: &str| {
        bar.inc(1);
        bar.set_message(name.to_string());
    };
    let mut summary = if local {
        archive::run(&store, files, total, failures, &opts, &on_done)?
    } else {
        Summary::default()
    };
    bar.finish_and_clear();
    summary.other_extensions = expanded.other_extensions.len();
    if !web_inputs.is_empty() && !interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        web::run(&store, dir, web_inputs, &args, &opts, &config, &mut summary)?;
    }
    summary.count_failure_classes();
    store.record_run(&summary.run_record(started_at.clone()))?;
    let push_config = PushConfig::from_config(&config)?;
    let pushed = if (!args.push.is_empty() || !push_config.services.is_empty())
        && !interrupted.load(std::sync::atomic::Ordering::SeqCst)
    {
        Some(push(
            &store,
            &args,
            &config,
            &push_config,
            &started_at,
            &interrupted,
        )?)
    } else {
        None
    };
    let stamped = super::stamp_warcs(&store, dir, &config, &summary.warc_files)?;
    if args.json {
        let mut doc = serde_json::to_value(&summary)?;
        if let Some(p) = &pushed {
            doc["pushed"] = serde_json::to_value(p)?;
        }
        if let Some(t) = &stamped {
            doc["timestamps"] = serde_json::to_value(t)?;
        }
        println!("{}", serde_json::to_string_pretty(&doc)?);
    }
    print_summary(&summary, &dir.join("embarc.db"));
    if let Some(p) = &pushed {
        eprintln!(
            "  pushed       {} saved, {} refused, {} failed; {} left for the next run (Wayback Machine)",
            p.saved, p.refused, p.failed, p.left
        );
        if let Some(problem) = &p.problem {
            eprintln!("               last problem: {}", words::escaped(problem));
        }
    }
    if !receivers.is_empty() && !interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        let runtime = super::runtime()?;
        super::watch::send_webhooks(&runtime, &store, &receivers, &config, "archive", false)?;
    }
    for empty in &expanded.empty_dirs {
        eprintln!(
            "embarc: warning: {} holds no article files ({}); check the path",
            words::escaped(&empty.display().to_string()),
            crate::archive::ARTICLE_EXTENSIONS
                .iter()
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if summary.other_extensions > 0 {
        let files = words::count(summary.other_extensions, "file");
        if args.verbose {
            eprintln!("  skipped {files} with other extensions:");
            for path in &expanded.other_extensions {
                eprintln!("    {}", path.display());
            }
        } else {
            eprintln!("  skipped {files} with other extensions; name them with --verbose");
        }
    }
    if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        // The webhooks queued stay queued for the next run.
        eprintln!("{}", super::INTERRUPTED);
        return Ok(ExitCode::from(super::EXIT_INTERRUPTED));
    }
    Ok(if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

/// Push this run's articles and new posts to the Wayback Machine, within
/// `[push]`'s limits; a refusing or failing service is counted, never an
/// error of the run.
fn push(
    store: &crate::store::Store,
    args: &Args,
    config: &crate::config::Config,
    push: &PushConfig,
    since: &str,
    stop: &std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<PushSummary> {
    let mut settings = check::Settings::resolve(config, &|var| std::env::var(var).ok())?;
    settings.network = args.web.network.resolve(config);
    let opts = PushOptions {
        since: since.to_string(),
        max: push.max,
        budget: push.budget,
        stop: Some(stop.clone()),
    };
    eprintln!(
        "embarc: asking the Wayback Machine to save this run's articles and new posts, \
         at most {} (about 4 a minute; [push] budget {})",
        push.max,
        humantime::format_duration(push.budget)
    );
    let runtime = super::runtime()?;
    Ok(runtime.block_on(check::push::run(store, &settings, &opts))?)
}

/// The summary on stderr. Its first line counts every input once, the same
/// way for files and URLs: `archived` (recorded, new or changed),
/// `unchanged` (read before: a file with the same bytes, a URL captured
/// before and not fetched again), `skipped` (not an article), `failed`,
/// `not reached` (Ctrl-C).
fn print_summary(s: &Summary, db: &Path) {
    let already = s.skipped.get("already_captured").copied().unwrap_or(0);
    let skipped = s.skipped_count() - already;
    let unchanged = s.unchanged + already;
    let failed = s.failures.len();
    let archived = s
        .inputs
        .saturating_sub(unchanged + skipped + failed + s.not_reached);
    let mut done = vec![format!("archived {archived}")];
    if unchanged > 0 {
        done.push(format!("unchanged {unchanged}"));
    }
    if skipped > 0 {
        done.push(format!("skipped {skipped}"));
    }
    if failed > 0 {
        done.push(format!("failed {failed}"));
    }
    if s.not_reached > 0 {
        done.push(format!("not reached {}", s.not_reached));
    }
    eprintln!(
        "embarc: {} of {} into {}",
        done.join(", "),
        words::count(s.inputs, "input"),
        db.display()
    );
    eprintln!(
        "  articles     {} ({} new or changed, {} unchanged)",
        s.articles,
        s.articles - s.unchanged,
        s.unchanged
    );
    eprintln!(
        "  posts found  {} ({} new), {}",
        words::count(s.posts_found, "citation"),
        s.new_citations,
        words::count(s.new_posts, "new post")
    );
    eprintln!(
        "  claims       {} new in the verification queue",
        s.new_claims
    );
    if s.fetched > 0 || skipped + already > 0 {
        eprintln!("  fetched      {}", words::count(s.fetched, "web page"));
    }
    if already > 0 {
        eprintln!(
            "  not fetched  {already} captured before (--refetch or --max-age fetch them again)"
        );
    }
    if skipped > 0 {
        let parts: Vec<String> = s
            .skipped
            .iter()
            .filter(|(k, _)| *k != "already_captured")
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        eprintln!("  skipped      {} ({})", skipped, parts.join(", "));
        for k in &s.skipped_inputs {
            eprintln!(
                "    {}: {} ({})",
                words::escaped(&words::clip(&k.input, words::ECHO)),
                words::escaped(&words::clip(&k.message, words::ECHO)),
                k.reason
            );
        }
    }
    if failed > 0 {
        let parts: Vec<String> = s
            .failure_classes
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        eprintln!("  failures     {} ({})", failed, parts.join(", "));
        if let Some(class) = offline(s) {
            // One line, not one per input: they all say the same.
            eprintln!(
                "    no request reached the network: offline? Every web input failed with `{class}`; run the same command again when online"
            );
            return;
        }
        for f in &s.failures {
            eprintln!(
                "    {}: {} ({})",
                words::escaped(&words::clip(&f.input, words::ECHO)),
                words::escaped(&words::clip(&f.message, words::ECHO)),
                f.class
            );
        }
    }
}

/// The one network failure class every input of the run failed with, when
/// nothing was fetched: the machine is most likely offline. A single failed
/// input is named as usual: one line says it as well.
fn offline(s: &Summary) -> Option<&'static str> {
    let first = s.failures.first()?.class;
    (s.fetched == 0
        && s.failures.len() > 1
        && matches!(first, "dns" | "connect" | "timeout")
        && s.failures.iter().all(|f| f.class == first))
    .then_some(first)
}
