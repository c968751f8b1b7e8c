//! `embarc export posts|citations|queue|wacz`

use crate::export::{self, Format, Options, claimreview};
use crate::queue::Status;
use crate::store::{CaptureFilter, ClaimFilter, ExportFilter};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to export: posts, citations, queue (the verification queue's
    /// claims), wacz (web captures as a WACZ package; needs --out) or case
    /// (everything about one claim: needs --claim and --out).
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

    /// WACZ and case only: the claim whose post's citing articles' captures
    /// are packaged, with the claim (its events, snapshots and checks).
    #[arg(long, value_name = "ID", value_parser = super::queue::parse_id)]
    pub claim: Option<i64>,

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
    Wacz,
    Case,
}

/// The exports written as rows (CSV, JSON, JSONL, ClaimReview).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
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
    let table = match args.what {
        What::Wacz => return wacz(dir, args),
        What::Case => return case(dir, args),
        What::Posts => Table::Posts,
        What::Citations => Table::Citations,
        What::Queue => Table::Queue,
    };
    if args.claim.is_some() {
        anyhow::bail!(
            "--claim is for `embarc export wacz` and `embarc export case` only (`embarc queue show ID` shows one claim)"
        );
    }
    let format = format_of(args.format, args.out.as_deref());
    if table != Table::Queue {
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
    let n = match (table, &publisher) {
        (Table::Posts, _) => export::posts(&store, &rows, opts, &mut out)?,
        (Table::Citations, _) => export::citations(&store, &rows, opts, &mut out)?,
        (Table::Queue, Some((rules, publisher))) => {
            claimreview::write(&store, &filter, rules, publisher, &mut out)?
        }
        (Table::Queue, None) => export::queue(&store, &filter, opts, &mut out)?,
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

/// `embarc export wacz --out FILE`: the web captures asked for, with
/// embarc's account of the claim or article, as a WACZ package.
fn wacz(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let Some(out) = &args.out else {
        anyhow::bail!(
            "`embarc export wacz` needs --out FILE.wacz (a ZIP file cannot go to stdout)"
        );
    };
    if args.format.is_some() || args.bom || !args.status.is_empty() || args.site.is_some() {
        anyhow::bail!(
            "`embarc export wacz` takes --out, --article, --claim, --since and --until only"
        );
    }
    if let (Some(since), Some(until)) = (args.since, args.until)
        && since >= until
    {
        anyhow::bail!(
            "nothing can match: --since ({}) is not before --until ({})",
            crate::store::format_time(since),
            crate::store::format_time(until)
        );
    }
    let store = super::open_existing(dir)?;
    let article = match &args.article {
        Some(key) => Some(super::article::find(&store, key)?),
        None => None,
    };
    let mut documents = Vec::new();
    if let Some(id) = args.claim {
        let claim = store.claim(id)?;
        documents.push((
            format!("embarc/claim-{id}.json"),
            serde_json::to_vec_pretty(&serde_json::json!({ "claim": claim }))?,
        ));
    }
    if let Some(id) = article {
        let mut doc = serde_json::to_value(store.article_view(id)?)?;
        doc["checks"] = serde_json::to_value(store.article_history(id)?)?;
        documents.push((
            format!("embarc/article-{id}.json"),
            serde_json::to_vec_pretty(&serde_json::json!({ "article": doc }))?,
        ));
    }
    let filter = CaptureFilter {
        article,
        claim: args.claim,
        since: args.since,
        until: args.until,
    };
    let captures = store.kept_web_captures(&filter)?;
    let media = store.media_of(&filter)?;
    let contents = export::wacz::Contents {
        captures: &captures,
        media: &media,
        documents: &documents,
    };
    if captures.is_empty() && media.is_empty() {
        let given: Vec<&str> = [
            (args.claim.is_some(), "--claim"),
            (args.article.is_some(), "--article"),
            (args.since.is_some(), "--since"),
            (args.until.is_some(), "--until"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        anyhow::bail!(
            "nothing to package: {} (articles read from local files have no WARC record: \
             archive the article's URL to keep one)",
            match given.as_slice() {
                [] => "the archive holds no web capture and no kept medium".to_string(),
                [one] => format!("no web capture or kept medium matches {one}"),
                many => format!(
                    "no web capture or kept medium matches {} together (each narrows the others)",
                    many.join(" and ")
                ),
            }
        );
    }
    let done = export::wacz::write(dir, contents, out, store.clock())?;
    eprintln!(
        "embarc: wrote {}{} ({}, {}) to {}",
        crate::words::count(done.captures, "capture"),
        match done.media {
            0 => String::new(),
            n => format!(" and {}", crate::words::count(n, "media file")),
        },
        crate::words::count(done.records, "WARC record"),
        crate::words::mib(done.bytes),
        out.display()
    );
    let config = super::load_config(dir)?;
    if let Some(settings) = crate::check::stamp::StampSettings::from_config(&config)? {
        let runtime = super::runtime()?;
        let subject = format!("wacz:{}", std::path::absolute(out)?.display());
        let mut summary = crate::check::stamp::StampSummary::default();
        runtime.block_on(crate::check::stamp::stamp_subject(
            &store,
            &settings,
            &subject,
            &done.digest_sha256,
            Some(out),
            &mut summary,
        ))?;
        let shown = out.display().to_string();
        return Ok(report_stamps(
            &shown,
            &format!("beside it ({shown}.tsa-*.tsr)"),
            &format!("`embarc stamp {shown}` asks again"),
            &summary,
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Say what the authorities answered for the package `name`, whose tokens
/// are `place` ("beside it", "in the case file"); a failure is a warning
/// naming each authority and why, then `again` (how to ask again), and exit
/// code 2: the package is written but not stamped by every authority
/// configured.
pub(super) fn report_stamps(
    name: &str,
    place: &str,
    again: &str,
    summary: &crate::check::stamp::StampSummary,
) -> ExitCode {
    if summary.failed == 0 {
        eprintln!(
            "embarc: {} of {name}'s datapackage-digest.json, {place}",
            crate::words::count(summary.granted, "timestamp")
        );
        return ExitCode::SUCCESS;
    }
    let asked = summary.failed + summary.granted;
    let missing = match summary.granted {
        0 => "not stamped: nothing in it proves when it was made".to_string(),
        n => format!(
            "{} of {asked} authorities' timestamps are missing ({} {place})",
            summary.failed,
            crate::words::count(n, "timestamp")
        ),
    };
    eprintln!("embarc: warning: {name} is written, but {missing}:");
    for problem in &summary.problems {
        eprintln!("  {}", crate::words::escaped(problem));
    }
    eprintln!("embarc: {again}");
    ExitCode::from(super::EXIT_PARTIAL)
}

/// `embarc export case --claim ID --out DIR|FILE.zip`: everything about one
/// claim, for handing over.
fn case(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let (Some(id), Some(out)) = (args.claim, &args.out) else {
        anyhow::bail!("`embarc export case` needs --claim ID and --out DIR (or FILE.zip)");
    };
    if args.format.is_some()
        || args.bom
        || !args.status.is_empty()
        || args.site.is_some()
        || args.article.is_some()
        || args.since.is_some()
        || args.until.is_some()
    {
        anyhow::bail!("`embarc export case` takes --claim and --out only");
    }
    let store = super::open_existing(dir)?;
    let claim = store.claim(id)?;
    let captures = store.kept_web_captures(&CaptureFilter {
        claim: Some(id),
        ..CaptureFilter::default()
    })?;
    let mut urls: Vec<String> = claim.claim.post.ident.post_url.iter().cloned().collect();
    urls.extend(claim.claim.citations.iter().map(|c| c.article_url.clone()));
    let copies = store.saved_copies(&urls)?;
    let media = store.media_of(&CaptureFilter {
        claim: Some(id),
        ..CaptureFilter::default()
    })?;
    // The timestamps of the WARC files the package's records come from.
    let mut files: Vec<&str> = captures
        .iter()
        .filter_map(|c| c.warc_file.as_deref())
        .chain(
            media
                .iter()
                .filter_map(|m| m.warc.as_ref().map(|w| w.file.as_str())),
        )
        .collect();
    files.sort_unstable();
    files.dedup();
    let mut warc_stamps = Vec::new();
    for f in files {
        warc_stamps.extend(store.timestamps(Some(f))?);
    }
    let config = super::load_config(dir)?;
    let settings = crate::check::stamp::StampSettings::from_config(&config)?;
    let runtime = super::runtime()?;
    let case_dir = std::path::absolute(out)?;
    let mut stamped = crate::check::stamp::StampSummary::default();
    let mut stamp = |name: &str, digest: &[u8; 32]| {
        let Some(settings) = &settings else {
            return Vec::new();
        };
        let subject = format!("wacz:{}", case_dir.join(name).display());
        // The case writes the tokens itself, into the case.
        let got = runtime.block_on(crate::check::stamp::stamp_subject(
            &store,
            settings,
            &subject,
            digest,
            None,
            &mut stamped,
        ));
        let got = got.unwrap_or_else(|e| {
            tracing::warn!("the timestamps of {name} were not recorded: {e}");
            Vec::new()
        });
        got.into_iter()
            .map(|(tsa, g)| (tsa, g.map(|g| (g.token, g.stamp))))
            .collect()
    };
    let evidence = export::case::Evidence {
        claim: &claim,
        captures: &captures,
        media: &media,
        copies: &copies,
        warc_stamps: &warc_stamps,
    };
    let case = export::case::write(dir, evidence, &mut stamp, out, store.clock())?;
    eprintln!(
        "embarc: wrote the case of claim #{id} to {}: {}",
        out.display(),
        case.files
            .iter()
            .map(|(name, _, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if settings.is_some() && stamped.granted + stamped.failed > 0 {
        return Ok(report_stamps(
            &format!("claim-{id}.wacz"),
            "in the case file",
            &format!(
                "`embarc export case --claim {id} --out NEW` writes the case again once the authorities answer (a case's summary and SHA256SUMS list the timestamps it was written with)"
            ),
            &stamped,
        ));
    }
    Ok(ExitCode::SUCCESS)
}
