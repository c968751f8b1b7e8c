//! `embarc export posts|citations`

use crate::export::{self, Format, Options};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to export.
    #[arg(value_enum)]
    pub what: What,

    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,

    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Start CSV output with a UTF-8 byte-order mark (for Excel).
    #[arg(long)]
    pub bom: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum What {
    Posts,
    Citations,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(dir)?;
    let opts = Options {
        format: args.format,
        bom: args.bom,
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let n = match args.what {
        What::Posts => export::posts(&store, opts, &mut out)?,
        What::Citations => export::citations(&store, opts, &mut out)?,
    };
    out.flush()?;
    if let Some(path) = &args.out {
        eprintln!("embarc: wrote {n} rows to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
