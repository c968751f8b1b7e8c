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
        let missing: Vec<String> = settings
            .tsa
            .iter()
            .filter(|tsa| !crate::check::stamp::token_path(file, tsa).exists())
            .cloned()
            .collect();
        if missing.is_empty() {
            eprintln!("embarc: {shown}: every authority's timestamp is beside it already");
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
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if super::export::report_stamps(&name, &summary) != ExitCode::SUCCESS {
            code = ExitCode::from(super::EXIT_PARTIAL);
        }
    }
    Ok(code)
}
