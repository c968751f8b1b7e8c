//! `embarc verify`: check the archive before handing it to someone else.

use crate::words;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(dir)?;
    let config = super::load_config(dir)?;
    let roots = trusted_roots(dir, &config)?;
    let report = crate::verify::verify(&store, dir, &roots)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for p in &report.problems {
            println!(
                "{} {}: {}",
                p.kind,
                words::escaped(&p.place),
                words::escaped(&p.detail)
            );
        }
    }
    eprintln!(
        "embarc: verified {} and {} against their WARC records, {}, {} in {}, and the database: {}",
        words::count(report.captures_checked, "capture"),
        words::count(report.media_checked, "media file"),
        words::count(report.timestamps_checked, "timestamp"),
        words::count(report.warc_records, "record"),
        words::count(report.warc_files, "WARC file"),
        match report.problems.len() {
            0 => "all intact".to_string(),
            n => format!("{} missing or altered", words::count(n, "thing")),
        }
    );
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

/// The certificates of `[timestamp] roots` (PEM or DER files; a relative
/// path is in the archive directory).
pub(crate) fn trusted_roots(
    dir: &Path,
    config: &crate::config::Config,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut roots = Vec::new();
    for name in &config.timestamp.roots {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| {
            anyhow::anyhow!("[timestamp] roots: cannot read {}: {e}", path.display())
        })?;
        roots.extend(
            crate::timestamp::read_certificates(&bytes)
                .map_err(|e| anyhow::anyhow!("[timestamp] roots: {}: {e}", path.display()))?,
        );
    }
    Ok(roots)
}
