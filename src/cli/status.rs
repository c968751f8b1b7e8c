//! `embarc status`

use crate::words;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the counts as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    // Read for its errors only: a broken file is named here, not first
    // when archiving.
    super::load_config(dir)?;
    let store = super::open_existing(dir)?;
    let st = store.status()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&st)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "archive {} (schema version {})",
        dir.join("embarc.db").display(),
        st.schema_version
    );
    for (table, n) in &st.tables {
        if table == "failures" && *n > 0 {
            // Rows are attempts; say how many inputs they are.
            println!(
                "  {table:<14} {n:>8}  ({} failed, counted once however often tried)",
                words::count(st.failed_inputs, "input")
            );
        } else if table == "post_media" && *n > 0 {
            // Rows are attempts; say how many files are kept.
            println!(
                "  {table:<14} {n:>8}  ({} kept; `embarc export posts` lists what was not and why)",
                words::count(st.media_kept, "file")
            );
        } else {
            println!("  {table:<14} {n:>8}");
        }
    }
    println!("posts by platform:");
    if st.platforms.is_empty() {
        println!("  (none yet)");
    }
    for (platform, c) in &st.platforms {
        println!(
            "  {platform:<14} {:>8} {:<5} {:>8} {}",
            c.posts,
            if c.posts == 1 { "post" } else { "posts" },
            c.citations,
            if c.citations == 1 {
                "citation"
            } else {
                "citations"
            }
        );
    }
    if st.unidentified_posts > 0 {
        // A subset of the posts above, not more of them.
        let total: i64 = st.platforms.values().map(|c| c.posts).sum();
        println!(
            "  of these {}, {} unidentified (copied text without a link)",
            words::count(total, "post"),
            st.unidentified_posts
        );
    }
    println!("verification queue:");
    if st.claims_by_status.is_empty() {
        println!("  (empty)");
    }
    for (status, n) in &st.claims_by_status {
        println!("  {status:<14} {n:>8}");
    }
    println!("jobs (the [recheck] policy and [[watch]] sources):");
    if st.jobs.iter().all(|j| j.total == 0) {
        println!("  none yet (`embarc check` or `embarc watch` schedules them)");
    }
    for j in st.jobs.iter().filter(|j| j.total > 0) {
        let next = j
            .next_due
            .as_deref()
            .map(|t| format!(", next due {t}"))
            .unwrap_or_default();
        println!(
            "  {:<14} {:>8} ({} due, {} running, {} failing, {} unscheduled{next})",
            j.kind, j.total, j.due, j.running, j.failing, j.unscheduled
        );
    }
    let w = &st.webhooks;
    if w.pending + w.delivered + w.failed > 0 {
        println!(
            "webhooks: {} delivered, {} pending, {} failed",
            w.delivered, w.pending, w.failed
        );
        for (event, url, attempts, error) in &w.recent_failures {
            println!(
                "  failed  {event} to {url} after {}: {error}",
                words::count(*attempts as usize, "attempt")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
