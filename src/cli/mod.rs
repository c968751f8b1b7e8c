//! Command-line interface: clap definitions and dispatch, one file per command.

mod archive;
mod article;
mod capture;
mod check;
mod export;
mod queue;
mod report;
mod serve;
mod stamp;
mod status;
mod token;
mod user;
mod verify;
mod watch;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code after Ctrl-C (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// What a run interrupted by Ctrl-C says last, after its summary.
pub const INTERRUPTED: &str = "embarc: interrupted: run the same command again to resume";

/// A flag Ctrl-C sets, for runs that finish their current batch and stop.
/// A second Ctrl-C ends the process at once (exit 130).
pub(crate) fn interrupt_flag() -> anyhow::Result<std::sync::Arc<std::sync::atomic::AtomicBool>> {
    use signal_hook::consts::SIGINT;
    use signal_hook::flag;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Registered first, so it sees the flag as the previous Ctrl-C left it.
    flag::register_conditional_shutdown(SIGINT, i32::from(EXIT_INTERRUPTED), stop.clone())
        .and_then(|_| flag::register(SIGINT, stop.clone()))
        .map_err(|e| anyhow::anyhow!("cannot listen for Ctrl-C: {e}"))?;
    Ok(stop)
}

/// Exit code: finished, but some inputs failed (or, for `check
/// --fail-on-rot`, a checked target is gone).
pub const EXIT_PARTIAL: u8 = 2;

/// embarc preserves the social posts that news articles cite, before they vanish.
#[derive(Debug, Parser)]
#[command(name = "embarc", version, about, long_about = None)]
pub struct Cli {
    /// The archive directory (database and captures).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "EMBARC_ARCHIVE",
        default_value = "archive"
    )]
    pub archive: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the posts that articles cite and archive them.
    Archive(archive::Args),
    /// Export posts, citations or the queue (JSON, JSONL, CSV, ClaimReview),
    /// web captures as a WACZ package, or one claim's case file.
    Export(export::Args),
    /// Show what the archive holds.
    Status(status::Args),
    /// List, show and decide the claims in the verification queue.
    Queue(queue::Args),
    /// Show an article with its captures, citations and checks, or remove it.
    Article(article::Args),
    /// Print stored web captures back from their WARC records.
    Capture(capture::Args),
    /// Re-check whether cited posts and articles are still online.
    Check(check::Args),
    /// Report link rot: posts and articles by state, deaths, history.
    Report(report::Args),
    /// Serve the verification desk and the archive to a team, with a JSON API.
    Serve(serve::Args),
    /// Manage the accounts that sign in to `embarc serve`: add, list, passwd, disable.
    User(user::Args),
    /// Manage the API tokens of `embarc serve`: create, list, revoke.
    Token(token::Args),
    /// Keep watch: archive [[watch]] sources and re-check posts on schedule, until stopped.
    Watch(watch::Args),
    /// Verify the archive: captures against their WARC records, WARC digests, the database's integrity.
    Verify(verify::Args),
    /// Ask the Time-Stamp Authorities ([timestamp] tsa) again for packages one of them did not stamp.
    Stamp(stamp::Args),
}

/// Parse the process arguments and run; never panics on user input.
pub fn main() -> ExitCode {
    init_logging();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with success; usage errors exit
            // 1 as documented (clap's own default is 2, our "partial" code).
            if !e.use_stderr() {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            eprint!("{}", usage_error(&e.render().to_string()));
            return ExitCode::from(1);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "embarc: error: {}",
                crate::words::escaped(&format!("{e:#}"))
            );
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Archive(args) => archive::run(&cli.archive, args),
        Command::Export(args) => export::run(&cli.archive, args),
        Command::Status(args) => status::run(&cli.archive, args),
        Command::Queue(args) => queue::run(&cli.archive, args),
        Command::Article(args) => article::run(&cli.archive, args),
        Command::Capture(args) => capture::run(&cli.archive, args),
        Command::Check(args) => check::run(&cli.archive, args),
        Command::Watch(args) => watch::run(&cli.archive, args),
        Command::Report(args) => report::run(&cli.archive, args),
        Command::Serve(args) => serve::run(&cli.archive, args),
        Command::User(args) => user::run(&cli.archive, args),
        Command::Token(args) => token::run(&cli.archive, args),
        Command::Verify(args) => verify::run(&cli.archive, args),
        Command::Stamp(args) => stamp::run(&cli.archive, args),
    }
}

/// A clap usage error with embarc's one error prefix, `embarc: error:`, as
/// every other error has (clap writes `error:`).
fn usage_error(rendered: &str) -> String {
    let text = rendered.strip_prefix("error: ").unwrap_or(rendered);
    format!("embarc: error: {text}")
}

/// Log to stderr; `EMBARC_LOG=debug` (tracing filter syntax) for more.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("EMBARC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Open the archive database in `dir`, creating the directory if needed.
pub(crate) fn open_store(dir: &Path) -> anyhow::Result<crate::store::Store> {
    let db = dir.join("embarc.db");
    if read_only_requested()? {
        anyhow::bail!(
            "the archive is read-only (EMBARC_READ_ONLY is set) and this command changes it; unset EMBARC_READ_ONLY to run it"
        );
    }
    if (dir.exists() && !writable(dir)) || (db.exists() && !writable(&db)) {
        anyhow::bail!(
            "the archive at {} cannot be written (read-only media, or no permission) and this command changes it; copy it somewhere writable to run it",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        anyhow::anyhow!("cannot create the archive directory {}: {e}", dir.display())
    })?;
    with_clock(crate::store::Store::open(&dir.join("embarc.db"))?)
}

/// Open an existing archive for reading; a clear error when there is none.
pub(crate) fn open_existing(dir: &Path) -> anyhow::Result<crate::store::Store> {
    open_existing_as(dir, false)
}

/// Open an existing archive only to read it, whatever its files allow.
pub(crate) fn open_read_only(dir: &Path) -> anyhow::Result<crate::store::Store> {
    open_existing_as(dir, true)
}

fn open_existing_as(dir: &Path, read_only: bool) -> anyhow::Result<crate::store::Store> {
    let db = dir.join("embarc.db");
    if !db.exists() {
        anyhow::bail!(
            "no archive at {} (run `embarc archive FILE...` first, or pass --archive DIR)",
            db.display()
        );
    }
    // Files that cannot be written (read-only media) are read without
    // locks; EMBARC_READ_ONLY reads a live archive others may write.
    let media = !(writable(&db) && writable(dir));
    if media || read_only || read_only_requested()? {
        if media {
            eprintln!(
                "embarc: the archive at {} cannot be written: reading it only",
                dir.display()
            );
        }
        return with_clock(crate::store::Store::open_read_only(&db, media)?);
    }
    with_clock(crate::store::Store::open(&db)?)
}

/// `EMBARC_READ_ONLY=1`: open the archive only to read it, whatever the
/// command (a change is refused with a clear error).
fn read_only_requested() -> anyhow::Result<bool> {
    match std::env::var("EMBARC_READ_ONLY") {
        Err(_) => Ok(false),
        Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" | "off" => Ok(false),
            "1" | "true" | "yes" | "on" => Ok(true),
            other => anyhow::bail!("EMBARC_READ_ONLY={other:?}: use 1 or 0"),
        },
    }
}

/// May this process write `path`? (Not on read-only media, nor without
/// permission.) Asked of the system, without writing anything.
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path that access() only reads.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

/// `--allow-private`, on every command that sends requests.
#[derive(Debug, Clone, clap::Args)]
pub struct NetworkArgs {
    /// Let URLs taken from content (redirects, sitemap and feed entries,
    /// post servers, articles asked again) reach loopback, private,
    /// link-local and other internal addresses and any port. URLs you name
    /// go anywhere without it. Also `allow_private = true` under [network]
    /// in embarc.toml.
    #[arg(
        long,
        env = "EMBARC_ALLOW_PRIVATE",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::SetTrue
    )]
    pub allow_private: bool,
}

impl NetworkArgs {
    /// The network policy: the flag (or its variable) or `[network]`.
    pub fn resolve(&self, config: &crate::config::Config) -> crate::fetch::Network {
        crate::fetch::Network {
            allow_private: self.allow_private || config.network.allow_private,
            allow_hosts: config.network.allow_hosts.clone(),
            ..crate::fetch::Network::default()
        }
    }
}

/// The one async runtime of a run, for the commands that go to the network
/// (`archive` with web inputs, `check`); the library's entry points are
/// `async fn`s and never build their own.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}

/// Read `DIR/embarc.toml` and check every value in it, so that a broken
/// file stops any command (exit 1) with the file named, the same way
/// everywhere: `invalid settings in DIR/embarc.toml: ...`.
pub(crate) fn load_config(dir: &Path) -> anyhow::Result<crate::config::Config> {
    use anyhow::Context;
    let config = crate::config::Config::load(dir)?;
    // The file's own values, without the environment's overrides.
    let name = || format!("invalid settings in {}", crate::config::path(dir).display());
    crate::check::Settings::resolve(&config, &|_| None).with_context(name)?;
    crate::watch::Settings::from_config(&config).with_context(name)?;
    crate::notify::receivers(&config).with_context(name)?;
    crate::check::push::PushConfig::from_config(&config).with_context(name)?;
    crate::check::media::MediaSettings::from_config(&config, dir, false).with_context(name)?;
    crate::check::stamp::StampSettings::from_config(&config).with_context(name)?;
    Ok(config)
}

/// `EMBARC_NOW` (RFC 3339, or a date for midnight UTC) fixes the time every
/// write records, for reproducible runs and tests.
fn with_clock(store: crate::store::Store) -> anyhow::Result<crate::store::Store> {
    let Some(value) = std::env::var_os("EMBARC_NOW") else {
        return Ok(store);
    };
    let at = value
        .to_str()
        .and_then(crate::queue::parse_time)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "EMBARC_NOW={value:?} is not a time; use RFC 3339 (2025-03-01T12:00:00Z) or a date (2025-03-01), or unset it"
            )
        })?;
    Ok(store.with_clock(at))
}

/// A point in time for `--since` and `--until`: RFC 3339, a date (midnight
/// UTC), or a duration ago (`7d`, `12h`).
pub(crate) fn parse_when(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Some(at) = crate::queue::parse_time(s) {
        return Ok(at);
    }
    let ago = crate::policy::parse_duration(s).map_err(|_| {
        format!("{s:?} is not a time; use a date (2025-03-01), RFC 3339, or a duration ago (7d)")
    })?;
    chrono::Duration::from_std(ago)
        .ok()
        .and_then(|ago| chrono::Utc::now().checked_sub_signed(ago))
        .ok_or_else(|| format!("{s:?} reaches too far back"))
}

/// Who makes a change, for `--by`: the flag, `EMBARC_USER` (clap reads
/// it into the flag), then `USER` or `USERNAME`, then the operating
/// system's name for the running user (cron jobs and containers often have
/// no `USER`).
pub(crate) fn actor(by: Option<String>) -> anyhow::Result<String> {
    if let Some(name) = by {
        return Ok(name);
    }
    ["USER", "USERNAME"]
        .into_iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|n| !n.trim().is_empty())
        .or_else(os_user_name)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "say who is making the change: --by NAME (or set EMBARC_USER); \
                 this account has no name the system can tell"
            )
        })
}

/// The running user's account name from the system's user database.
#[cfg(unix)]
fn os_user_name() -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer handed over points into `pwd` and `buf`, which
    // outlive the call; `pw_name` is read only when the call found an entry,
    // and then points into `buf`, NUL-terminated.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::geteuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    let name = name.to_str().ok()?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(not(unix))]
fn os_user_name() -> Option<String> {
    None
}

/// Timestamp the WARC files a run closed (`files`) and those an authority
/// failed to stamp before, when `[timestamp] tsa` is configured; a line on
/// stderr says what came of it. A failing authority is reported, never an
/// error of the run.
pub(crate) fn stamp_warcs(
    store: &crate::store::Store,
    dir: &Path,
    config: &crate::config::Config,
    files: &[String],
) -> anyhow::Result<Option<crate::check::stamp::StampSummary>> {
    let Some(settings) = crate::check::stamp::StampSettings::from_config(config)? else {
        return Ok(None);
    };
    let runtime = runtime()?;
    let summary = runtime.block_on(crate::check::stamp::stamp_warcs(
        store, dir, &settings, files,
    ))?;
    if summary.granted + summary.failed > 0 {
        eprintln!(
            "embarc: timestamps: {} granted, {} failed{}",
            summary.granted,
            summary.failed,
            match &summary.problem {
                Some(p) => format!(
                    " (last: {}; asked again after the next run)",
                    crate::words::escaped(p)
                ),
                None => String::new(),
            }
        );
    }
    Ok(Some(summary))
}
