//! `embarc verify`: check the archive before handing it to someone else.

use crate::words;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Verify this WACZ package (from `export wacz` or a case file) on its
    /// own instead of the archive: its digests, records, index and the
    /// timestamps beside it. Needs no archive.
    #[arg(long, value_name = "FILE.wacz")]
    pub wacz: Option<std::path::PathBuf>,

    /// With --wacz: trust the timestamp authorities whose root
    /// certificates (PEM or DER) are in this file; repeatable. Without it,
    /// the archive's `[timestamp] roots`, when there is an archive.
    #[arg(long, value_name = "FILE", requires = "wacz")]
    pub roots: Vec<std::path::PathBuf>,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    if let Some(wacz) = &args.wacz {
        return package(dir, wacz, &args);
    }
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

/// `verify --wacz FILE`: the package on its own.
fn package(dir: &Path, wacz: &Path, args: &Args) -> anyhow::Result<ExitCode> {
    let roots = if !args.roots.is_empty() {
        let mut roots = Vec::new();
        for path in &args.roots {
            let bytes = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("--roots: cannot read {}: {e}", path.display()))?;
            roots.extend(
                crate::timestamp::read_certificates(&bytes)
                    .map_err(|e| anyhow::anyhow!("--roots: {}: {e}", path.display()))?,
            );
        }
        roots
    } else if dir.join("embarc.toml").exists() {
        trusted_roots(dir, &super::load_config(dir)?)?
    } else {
        Vec::new()
    };
    let report = crate::verify::verify_package(wacz, &roots)?;
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
        "embarc: verified {}: {} against datapackage.json, {}, {} of its index, {}: {}",
        words::escaped(&wacz.display().to_string()),
        words::count(report.files_checked, "file"),
        words::count(report.warc_records, "WARC record"),
        words::count(report.index_lines, "line"),
        words::count(report.timestamps_checked, "timestamp"),
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
