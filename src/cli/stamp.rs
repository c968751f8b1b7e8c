//! `embarc stamp FILE.wacz…`: ask the configured Time-Stamp Authorities
//! again for packages an authority did not stamp when they were written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// WACZ packages written by `export wacz` or `export case`. Each
    /// authority of `[timestamp] tsa` without a token beside a package
    /// (`FILE.wacz.tsa-HOST.tsr`) is asked for one.
    #[arg(required = true, value_name = "FILE.wacz")]
    pub files: Vec<PathBuf>,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = super::load_config(dir)?;
    let Some(settings) = crate::check::stamp::StampSettings::from_config(&config)? else {
        anyhow::bail!(
            "no Time-Stamp Authority is configured: list their URLs in [timestamp] tsa in {}",
            dir.join("embarc.toml").display()
        );
    };
    let store = super::open_existing(dir)?;
    let runtime = super::runtime()?;
    let mut code = ExitCode::SUCCESS;
    for file in &args.files {
        let path = file.display().to_string();
        let shown = crate::words::escaped(&path);
        let digest = match crate::export::wacz::digest_file_sha256(file) {
            Ok(d) => d,
            Err(e) => {
                eprintln!(
                    "embarc: {shown}: not stamped: {}",
                    crate::words::escaped(&e)
                );
                code = ExitCode::from(super::EXIT_PARTIAL);
                continue;
            }
        };
        // A token file beside the package counts only when it stamps this
        // package: one left from another file is in the way, not a stamp.
        let mut missing = Vec::new();
        for tsa in &settings.tsa {
            let token = crate::check::stamp::token_path(file, tsa);
            match std::fs::read(&token) {
                Ok(bytes) if crate::timestamp::stamps_digest(&bytes, &digest) => {}
                Ok(_) => {
                    eprintln!(
                        "embarc: {shown}: {} is beside it but is not a timestamp of this package (left from another file?): move it away, then run `embarc stamp` again",
                        crate::words::escaped(&token.display().to_string())
                    );
                    code = ExitCode::from(super::EXIT_PARTIAL);
                }
                Err(_) => missing.push(tsa.clone()),
            }
        }
        if missing.is_empty() {
            if code == ExitCode::SUCCESS {
                eprintln!("embarc: {shown}: every authority's timestamp is beside it already");
            }
            continue;
        }
        let asked = crate::check::stamp::StampSettings {
            tsa: missing,
            ..settings.clone()
        };
        let subject = format!("wacz:{}", std::path::absolute(file)?.display());
        let mut summary = crate::check::stamp::StampSummary::default();
        runtime.block_on(crate::check::stamp::stamp_subject(
            &store,
            &asked,
            &subject,
            &digest,
            Some(file),
            &mut summary,
        ))?;
        let again = format!("`embarc stamp {path}` asks again");
        if super::export::report_stamps(&path, "beside it", &again, &summary) != ExitCode::SUCCESS {
            code = ExitCode::from(super::EXIT_PARTIAL);
        }
        if summary.granted > 0 && in_a_case(file) {
            eprintln!(
                "embarc: note: {shown} belongs to a case file, whose SHA256SUMS and summary.html do not list this timestamp; `embarc export case` again writes a case that does"
            );
        }
    }
    Ok(code)
}

/// Whether `file` is the package of a case directory (`export case`): its
/// `SHA256SUMS` lists it.
fn in_a_case(file: &Path) -> bool {
    let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
        return false;
    };
    let name = name.to_string_lossy();
    std::fs::read_to_string(dir.join("SHA256SUMS")).is_ok_and(|sums| {
        sums.lines()
            .any(|line| line.split_once("  ").is_some_and(|(_, n)| n == name))
    })
}
