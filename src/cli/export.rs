//! `embarc export posts|citations|queue`

use crate::export::{self, Format, Options, claimreview};
use crate::queue::Status;
use crate::store::{ClaimFilter, ExportFilter};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to export: posts, citations or queue (the verification queue's claims).
    #[arg(value_enum, hide_possible_values = true)]
    pub what: What,

    /// Output format (claimreview: decided claims of the queue as schema.org
    /// JSON-LD). Default: from the --out file's extension (.csv, .json,
    /// .jsonl), else jsonl.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Start CSV output with a UTF-8 byte-order mark (for Excel).
    #[arg(long)]
    pub bom: bool,

    /// Queue only: claims with these statuses (repeat or separate with commas).
    #[arg(long, value_name = "STATUS", value_delimiter = ',', value_parser = clap::value_parser!(Status))]
    pub status: Vec<Status>,

    /// Only what articles of this site cite (its host name; subdomains included).
    #[arg(long, value_name = "HOST")]
    pub site: Option<String>,

    /// Only what this article cites (its URL, or its id from `embarc article show`).
    #[arg(long, value_name = "URL|ID")]
    pub article: Option<String>,

    /// Only what embarc first saw at or after this time: RFC 3339, a date
    /// (2025-03-01), or a duration ago (7d). Posts: when first found;
    /// citations: when their article was first read with them; queue: when
    /// queued.
    #[arg(long, value_name = "TIME", value_parser = super::parse_when)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,

    /// Only what embarc first saw before this time (same forms as --since).
    #[arg(long, value_name = "TIME", value_parser = super::parse_when)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Posts,
    Citations,
    Queue,
}

/// The format asked for, else the one `out`'s extension names, else JSONL.
fn format_of(asked: Option<Format>, out: Option<&Path>) -> Format {
    let ext = out
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    asked.unwrap_or(match ext.as_deref() {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        _ => Format::Jsonl,
    })
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let format = format_of(args.format, args.out.as_deref());
    if args.what != What::Queue {
        if format == Format::Claimreview {
            anyhow::bail!("--format claimreview is for `embarc export queue` only");
        }
        if !args.status.is_empty() {
            anyhow::bail!("--status is for `embarc export queue` only");
        }
    }
    if args.bom && format != Format::Csv {
        anyhow::bail!(
            "--bom is for --format csv only (a byte-order mark is for spreadsheet programs; \
             it would break JSON readers)"
        );
    }
    let config = super::load_config(dir)?;
    let publisher = if format == Format::Claimreview {
        let publisher = claimreview::Publisher::from_config(&config.claimreview)
            .map_err(|e| anyhow::anyhow!("{e} in {}", crate::config::path(dir).display()))?;
        Some((config.labels.rules()?, publisher))
    } else {
        None
    };
    let store = super::open_existing(dir)?;
    let article = match &args.article {
        Some(key) => Some(super::article::find(&store, key)?),
        None => None,
    };
    let opts = Options {
        format,
        bom: args.bom,
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let filter = ClaimFilter {
        statuses: args.status,
        since: args.since,
        until: args.until,
        site: args.site.clone(),
        article,
        ..ClaimFilter::default()
    };
    let rows = ExportFilter {
        site: args.site,
        article,
        since: args.since,
        until: args.until,
    };
    let n = match (args.what, &publisher) {
        (What::Posts, _) => export::posts(&store, &rows, opts, &mut out)?,
        (What::Citations, _) => export::citations(&store, &rows, opts, &mut out)?,
        (What::Queue, Some((rules, publisher))) => {
            claimreview::write(&store, &filter, rules, publisher, &mut out)?
        }
        (What::Queue, None) => export::queue(&store, &filter, opts, &mut out)?,
    };
    out.flush()?;
    if let Some(path) = &args.out {
        eprintln!(
            "embarc: wrote {} to {}",
            crate::words::count(n, "row"),
            path.display()
        );
    } else if publisher.is_some() {
        eprintln!(
            "embarc: wrote {} (decided claims only)",
            crate::words::count(n, "ClaimReview")
        );
    }
    Ok(ExitCode::SUCCESS)
}
