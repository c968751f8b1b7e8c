//! `embarc verify`: check the archive before handing it to someone else.

use crate::verify::Problem;
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

    /// Trust the timestamp authorities whose root certificates (PEM or
    /// DER) are in this file; repeatable. Without it, the archive's
    /// `[timestamp] roots`, when there is an archive.
    #[arg(long, value_name = "FILE")]
    pub roots: Vec<std::path::PathBuf>,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    if let Some(wacz) = &args.wacz {
        return package(dir, wacz, &args);
    }
    let store = super::open_existing(dir)?;
    let roots = roots(dir, &args)?;
    let report = crate::verify::verify(&store, dir, &roots)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_lines(&report.problems, &report.unchecked);
    }
    let moved = match report.timestamps_of_moved_packages {
        0 => String::new(),
        n => format!(
            " ({n} of {}: token checked, package not re-hashed; `verify --wacz` checks one)",
            if n == 1 {
                "a package no longer where it was written (moved, or inside a case ZIP)"
            } else {
                "packages no longer where they were written (moved, or inside a case ZIP)"
            }
        ),
    };
    let packages = match report.packages_checked {
        0 => String::new(),
        n => format!(", {} checked whole", words::count(n, "stamped package")),
    };
    eprintln!(
        "embarc: checked {} and {} against their WARC records, {}{moved}{packages}, {} in {}, and the database: {}",
        words::count(report.captures_checked, "capture"),
        words::count(report.media_checked, "media file"),
        words::count(report.timestamps_checked, "timestamp"),
        words::count(report.warc_records, "record"),
        words::count(report.warc_files, "WARC file"),
        verdict(&report.problems, &report.unchecked)
    );
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

/// `verify --wacz FILE`: the package on its own.
fn package(dir: &Path, wacz: &Path, args: &Args) -> anyhow::Result<ExitCode> {
    let roots = roots(dir, args)?;
    let report = crate::verify::verify_package(wacz, &roots)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_lines(&report.problems, &report.unchecked);
        for t in &report.timestamps {
            println!(
                "timestamp {}: stamped {} by {} (serial {})",
                words::escaped(&t.file),
                t.stamp
                    .gen_time
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                words::escaped(&t.stamp.tsa),
                t.stamp.serial
            );
        }
    }
    let stamps = match (report.timestamps_checked, report.unchecked.len()) {
        (0, 0) => "no timestamp beside it (nothing here proves when it was made)".to_string(),
        (0, n) => format!("{} beside it", words::count(n, "timestamp")),
        (n, _) => words::count(n, "timestamp"),
    };
    let unread = match report.index_lines_unread {
        0 => String::new(),
        n => format!(" ({n} more past the damage, not reached)"),
    };
    eprintln!(
        "embarc: checked {}: {} against datapackage.json, {}, {} of its index{unread}, {stamps}: {}",
        words::escaped(&wacz.display().to_string()),
        words::count(report.files_checked, "file"),
        words::count(report.warc_records, "WARC record"),
        words::count(report.index_lines, "line"),
        verdict(&report.problems, &report.unchecked)
    );
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

/// The roots to check timestamps against: `--roots`, else the archive's
/// `[timestamp] roots` when there is an archive.
fn roots(dir: &Path, args: &Args) -> anyhow::Result<Vec<Vec<u8>>> {
    if !args.roots.is_empty() {
        return read_roots(args.roots.iter().cloned(), "--roots");
    }
    if !dir.join("embarc.toml").exists() {
        return Ok(Vec::new());
    }
    let config = super::load_config(dir)?;
    let paths = config.timestamp.roots.iter().map(|name| dir.join(name));
    read_roots(paths, "[timestamp] roots")
}

/// The certificates in the PEM or DER files `paths`; errors name `what`
/// gave them.
fn read_roots(
    paths: impl IntoIterator<Item = std::path::PathBuf>,
    what: &str,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut roots = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path)
            .map_err(|e| anyhow::anyhow!("{what}: cannot read {}: {e}", path.display()))?;
        roots.extend(
            crate::timestamp::read_certificates(&bytes)
                .map_err(|e| anyhow::anyhow!("{what}: {}: {e}", path.display()))?,
        );
    }
    Ok(roots)
}

/// One line per problem, then per timestamp not checked, on stdout.
fn print_lines(problems: &[Problem], unchecked: &[Problem]) {
    for p in problems {
        println!(
            "{} {}: {}",
            p.kind,
            words::escaped(&p.place),
            words::escaped(&p.detail)
        );
    }
    for p in unchecked {
        println!(
            "unchecked {}: {}",
            words::escaped(&p.place),
            words::escaped(&p.detail)
        );
    }
}

/// What the problems come to, in words: what was altered or missing is not
/// what could not be trusted or checked.
fn verdict(problems: &[Problem], unchecked: &[Problem]) -> String {
    let untrusted = problems.iter().filter(|p| p.kind == "timestamp").count();
    let altered = problems.len() - untrusted;
    let mut parts = Vec::new();
    if altered > 0 {
        parts.push(format!(
            "{} missing or altered",
            words::count(altered, "thing")
        ));
    }
    if untrusted > 0 {
        parts.push(format!(
            "{} that {} not verify (not signed by a trusted authority, or altered)",
            words::count(untrusted, "timestamp"),
            if untrusted == 1 { "does" } else { "do" }
        ));
    }
    if !unchecked.is_empty() {
        parts.push(format!(
            "{} not checked: no trusted root certificate (pass --roots ROOT.pem, or set [timestamp] roots)",
            words::count(unchecked.len(), "timestamp")
        ));
    }
    if parts.is_empty() {
        "all intact".into()
    } else if altered == 0 && untrusted == 0 {
        format!("intact; {}", parts.join("; "))
    } else {
        parts.join("; ")
    }
}
