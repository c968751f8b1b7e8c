//! `embarc archive INPUT...`

use crate::archive::{self, Options, Summary};
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
}

pub fn run(dir: &Path, mut args: Args) -> anyhow::Result<ExitCode> {
    let (local_inputs, web_inputs, stdin_list) = web::split_inputs(&args.inputs, &args.web)?;
    args.inputs = local_inputs;
    let config = crate::config::Config::load(dir)?;
    let mut store = super::open_store(dir)?;
    let mut opts = Options {
        max_bytes: args.max_size.saturating_mul(1024 * 1024),
        labels: config.labels.rules()?,
        ..Options::default()
    };
    if let Some(jobs) = args.jobs {
        opts.jobs = jobs.max(1);
    }
    let (files, failures) = match &stdin_list {
        Some(lines) => archive::expand_inputs(&args.inputs, &mut lines.as_bytes()),
        None => archive::expand_inputs(&args.inputs, &mut std::io::stdin().lock()),
    };
    let local = !(files.is_empty() && failures.is_empty());
    let bar = ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
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
        archive::run(&mut store, files, failures, &opts, &on_done)?
    } else {
        Summary::default()
    };
    bar.finish_and_clear();
    if !web_inputs.is_empty() {
        web::run(&mut store, dir, web_inputs, &args, &opts, &mut summary)?;
    }
    summary.count_failure_classes();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    }
    print_summary(&summary, &dir.join("embarc.db"));
    Ok(if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

fn print_summary(s: &Summary, db: &Path) {
    let ok = s.inputs - s.failures.len();
    eprintln!(
        "embarc: archived {ok} of {} inputs into {}",
        s.inputs,
        db.display()
    );
    eprintln!(
        "  articles     {} ({} new or changed, {} unchanged)",
        s.articles,
        s.articles - s.unchanged,
        s.unchanged
    );
    eprintln!(
        "  posts found  {} citations ({} new), {} new posts",
        s.posts_found, s.new_citations, s.new_posts
    );
    eprintln!(
        "  claims       {} new in the verification queue",
        s.new_claims
    );
    if s.fetched > 0 || !s.skipped.is_empty() {
        eprintln!("  fetched      {} web pages", s.fetched);
    }
    if !s.skipped.is_empty() {
        let parts: Vec<String> = s.skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
        eprintln!("  skipped      {}", parts.join(", "));
    }
    if !s.failures.is_empty() {
        let parts: Vec<String> = s
            .failure_classes
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        eprintln!("  failures     {} ({})", s.failures.len(), parts.join(", "));
        for f in &s.failures {
            eprintln!("    {}: {} ({})", f.input, f.message, f.class);
        }
    }
}
