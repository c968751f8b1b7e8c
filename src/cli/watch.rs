//! `embarc watch`: the scheduler without the web server.

use crate::check;
use crate::notify::Receiver;
use crate::watch::{self, Event, Watcher};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run what is due now, then exit (for cron), instead of waiting for more.
    #[arg(long)]
    pub once: bool,

    /// After SIGTERM or SIGINT, how long work in flight gets to finish
    /// (default: [jobs] grace, 10s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub grace: Option<Duration>,

    #[command(flatten)]
    pub network: super::NetworkArgs,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    watch::policy::parse_duration(s).map_err(|e| e.to_string())
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    // Opened once here for its errors (no archive, a failed migration).
    drop(super::open_existing(dir)?);
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        // A second signal while stopping ends the process at once (exit 1).
        signal_hook::flag::register_conditional_shutdown(signal, 1, stop.clone())?;
        signal_hook::flag::register(signal, stop.clone())?;
    }
    let json = json_logs();
    let mut watcher = watcher(dir, &args.network, "watch", args.once, stop)?;
    if let Some(grace) = args.grace {
        watcher.settings.grace = grace;
    }
    let watcher = Arc::new(watcher);
    log(
        json,
        "started",
        serde_json::json!({
            "sources": watcher.settings.sources.len(),
            "owner": watcher.owner,
            "once": args.once,
        }),
        &format!(
            "watching {} ({}; SIGTERM or Ctrl-C stops, giving work in flight {})",
            dir.display(),
            crate::words::count(watcher.settings.sources.len(), "source"),
            humantime::format_duration(watcher.settings.grace)
        ),
    );
    let totals =
        super::runtime()?.block_on(watcher.run(Arc::new(move |e: &Event| report(json, e))))?;
    log(
        json,
        "stopped",
        serde_json::json!({
            "checks": totals.checks,
            "sources": totals.sources,
            "released": totals.released,
        }),
        &format!(
            "stopped: {}, {} archived; {} given back unfinished",
            crate::words::count(totals.checks, "check"),
            crate::words::count(totals.sources, "source"),
            crate::words::count(totals.released, "job"),
        ),
    );
    Ok(ExitCode::SUCCESS)
}

/// The scheduler of the archive in `dir`, from its `embarc.toml`: checks
/// by the recheck policy, `[[watch]]` sources, webhooks; its leases are
/// named after `what` (`watch`, `serve`) and this process.
pub(crate) fn watcher(
    dir: &Path,
    network: &super::NetworkArgs,
    what: &str,
    once: bool,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Watcher> {
    let config = super::load_config(dir)?;
    let mut checks = check::Settings::resolve(&config, &|var| std::env::var(var).ok())?;
    checks.network = network.resolve(&config);
    checks.keep_answers = config
        .check
        .keep_answers
        .unwrap_or(false)
        .then(|| dir.to_path_buf());
    checks.media = check::media::MediaSettings::from_config(&config, dir, false)?;
    let owned = dir.to_path_buf();
    Ok(Watcher {
        dir: dir.to_path_buf(),
        open: Arc::new(move || super::open_existing(&owned)),
        checks,
        stamps: check::stamp::StampSettings::from_config(&config)?,
        labels: config.labels.rules()?,
        receivers: crate::notify::receivers(&config)?,
        owner: watch::owner_name(what),
        once,
        stop,
        settings: watch::Settings::from_config(&config)?,
    })
}

/// `EMBARC_LOG_FORMAT=json`: log lines as JSON objects.
pub(crate) fn json_logs() -> bool {
    std::env::var("EMBARC_LOG_FORMAT").is_ok_and(|v| v == "json")
}

/// One log line on stderr: `embarc: TEXT`, or with `EMBARC_LOG_FORMAT=json`
/// a JSON object with `at`, `event` and the fields.
pub(crate) fn log(json: bool, event: &str, fields: serde_json::Value, text: &str) {
    if json {
        let mut line = serde_json::json!({
            "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "event": event,
        });
        if let (Some(line), serde_json::Value::Object(fields)) = (line.as_object_mut(), fields) {
            line.extend(fields);
        }
        eprintln!("{line}");
    } else {
        eprintln!("embarc: {text}");
    }
}

/// Log what the scheduler did.
pub(crate) fn report(json: bool, e: &Event) {
    match e {
        Event::Checked(c) => {
            let state = c.label();
            let was = match &c.previous_state {
                Some(p) if *p != c.outcome.state() => format!(" [was {p}]"),
                _ => String::new(),
            };
            log(
                json,
                "checked",
                serde_json::to_value(c).unwrap_or_default(),
                &format!("checked {}: {state}{was}", c.url),
            );
        }
        Event::Archived {
            source,
            summary,
            next_due,
            ..
        } => log(
            json,
            "archived",
            serde_json::json!({
                "source": source,
                "inputs": summary.inputs,
                "articles": summary.articles,
                "new_posts": summary.new_posts,
                "failed": summary.failures.len(),
                "next_due": next_due.to_rfc3339(),
            }),
            &format!(
                "{source}: {} read, {} new posts, {} failed; next at {next_due}",
                crate::words::count(summary.articles, "article"),
                summary.new_posts,
                summary.failures.len()
            ),
        ),
        Event::SourceFailed {
            source,
            error,
            next_due,
            ..
        } => log(
            json,
            "source_failed",
            serde_json::json!({"source": source, "error": error, "next_due": next_due.to_rfc3339()}),
            &format!("{source}: failed: {error}; tried again at {next_due}"),
        ),
        Event::Delivered(sent) => log(
            json,
            "webhooks",
            serde_json::json!({ "delivered": sent.delivered, "failed": sent.failed }),
            &format!(
                "webhooks: {} delivered, {} failed (see `embarc status`)",
                sent.delivered, sent.failed
            ),
        ),
        Event::Stopping { released } => log(
            json,
            "stopping",
            serde_json::json!({ "released": released }),
            &format!(
                "stopping: {} given back",
                crate::words::count(*released, "job")
            ),
        ),
    }
}

/// The `[[notify]]` receivers, set on `store` so that what it records
/// (checks, claims) queues their webhooks.
pub(crate) fn notify_on(
    store: &mut crate::store::Store,
    config: &crate::config::Config,
) -> anyhow::Result<Vec<Receiver>> {
    let receivers = crate::notify::receivers(config)?;
    store.set_hooks(crate::notify::hooks(&receivers));
    Ok(receivers)
}

/// Send the webhooks queued (by this command, or left from before) on
/// `runtime`, and say how it went on stderr unless `quiet`. Nothing to do
/// without receivers.
pub(crate) fn send_webhooks(
    runtime: &tokio::runtime::Runtime,
    store: &crate::store::Store,
    receivers: &[Receiver],
    config: &crate::config::Config,
    role: &str,
    quiet: bool,
) -> anyhow::Result<()> {
    if receivers.is_empty() {
        return Ok(());
    }
    let owner = watch::owner_name(role);
    let lease = watch::Settings::from_config(config)?.lease;
    let sent = runtime.block_on(crate::notify::deliver_due(store, receivers, &owner, lease))?;
    if sent != crate::notify::Sent::default() && !quiet {
        eprintln!(
            "embarc: webhooks: {} delivered, {} failed (see `embarc status`)",
            sent.delivered, sent.failed
        );
    }
    Ok(())
}
