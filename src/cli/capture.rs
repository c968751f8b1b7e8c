//! `embarc capture show URL`: print a stored capture back from its WARC file.

use crate::capture::warc;
use crate::fetch::encoding;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: CaptureCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum CaptureCommand {
    /// Print the latest capture of an article: its WARC response record
    /// (WARC header, HTTP header, body as received), or the failed answer
    /// of a URL never archived (a 404).
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The article URL (as given to `embarc archive`, or its final URL).
    pub url: String,

    /// Print only the body, decoded from its Content-Encoding.
    #[arg(long, conflicts_with = "json")]
    pub body: bool,

    /// Print where the capture is and what it holds as JSON (no body).
    #[arg(long)]
    pub json: bool,

    /// List every answer kept for the URL (retried ones, errors, every
    /// capture), oldest first: time, HTTP status, WARC file and offset.
    #[arg(long, conflicts_with = "body")]
    pub all: bool,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let CaptureCommand::Show(args) = args.command;
    let store = super::open_existing(dir)?;
    // A local file is archived under its file:// URL: look that up, so the
    // answer says it was captured from a file rather than not at all.
    let url = if !crate::fetch::sources::is_web_url(&args.url) && Path::new(&args.url).exists() {
        crate::archive::file_url(Path::new(&args.url))
    } else {
        args.url.clone()
    };
    if args.all {
        return list_all(dir, &url, args.json);
    }
    let shown = match store.latest_capture(&url)? {
        Some(found) => {
            let (Some(file), Some(offset)) = (&found.warc_file, found.warc_offset) else {
                anyhow::bail!(
                    "{} was captured from a file at {}; only web captures are kept in WARC",
                    found.article_url,
                    found.captured_at
                );
            };
            Shown {
                file: file.clone(),
                offset,
                said: format!(
                    "capture of {} at {} (HTTP {})",
                    found.article_url,
                    found.captured_at,
                    found.http_status.map_or("-".into(), |s| s.to_string()),
                ),
                json: serde_json::json!({ "capture": found }),
            }
        }
        // Never archived, but the failed answer is kept: show that.
        None => match store.latest_failed_answer(&url)? {
            Some(failed) => Shown {
                file: failed.warc_file.clone(),
                offset: failed.warc_offset,
                said: format!(
                    "{} was not archived: it answered HTTP {} at {} ({}); this is that exchange",
                    failed.input,
                    failed.http_status.map_or("-".into(), |s| s.to_string()),
                    failed.failed_at,
                    failed.class,
                ),
                json: serde_json::json!({ "failure": failed }),
            },
            None => anyhow::bail!(
                "no capture of {} in the archive (archive it with `embarc archive {}`)",
                args.url,
                args.url
            ),
        },
    };
    let path = dir.join(&shown.file);
    let offset = shown.offset;
    let record = warc::read_record(&path, offset).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the capture at {}:{offset}: {e}",
            path.display()
        )
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut info = shown.json;
        info["warc_record"] = serde_json::json!(record.fields.to_vec());
        writeln!(out, "{}", serde_json::to_string_pretty(&info)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.body {
        let Some((head, payload)) = record.http_parts() else {
            anyhow::bail!(
                "the record at {}:{offset} holds no HTTP response",
                path.display()
            );
        };
        let encodings = String::from_utf8_lossy(head)
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-encoding"))
            .map(|(_, v)| v.trim().to_string());
        let body = encoding::decode(payload.to_vec(), encodings.as_deref(), 1 << 30)
            .map_err(|e| anyhow::anyhow!("cannot decode the stored body: {e:?}"))?;
        out.write_all(&body)?;
    } else {
        out.write_all(record.head().as_bytes())?;
        out.write_all(b"\r\n")?;
        out.write_all(&record.block)?;
    }
    out.flush()?;
    eprintln!("embarc: {}, {}:{offset}", shown.said, shown.file);
    Ok(ExitCode::SUCCESS)
}

/// `capture show URL --all`: every response record kept for the URL.
fn list_all(dir: &Path, url: &str, json: bool) -> anyhow::Result<ExitCode> {
    let found = warc::responses_of(dir, url)
        .map_err(|e| anyhow::anyhow!("cannot read the WARC files: {e}"))?;
    if found.is_empty() {
        anyhow::bail!(
            "no answer for {url} in the WARC files (archive it with `embarc archive {url}`)"
        );
    }
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&found)?)?;
    } else {
        for f in &found {
            let status = f.status.map_or("-".to_string(), |s| s.to_string());
            writeln!(out, "{}  {status}  {}:{}", f.date, f.file, f.offset)?;
        }
    }
    out.flush()?;
    eprintln!(
        "embarc: {} for {url}",
        crate::words::count(found.len(), "answer")
    );
    Ok(ExitCode::SUCCESS)
}

/// The WARC record to print and what to say about it.
struct Shown {
    file: String,
    offset: u64,
    /// On stderr after the record: what it is.
    said: String,
    /// `--json`: the capture or the failure, before the record's header.
    json: serde_json::Value,
}
