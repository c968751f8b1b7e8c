//! `embarc article show|remove URL|ID`

use crate::store::{ArticleView, CheckRow, Store};
use crate::words::escaped;
use anyhow::{Result, bail};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Show an article: its captures, the posts it cites and its checks.
    Show(ShowArgs),
    /// Remove an article: its captures (their WARC records stay on disk),
    /// citations and checks, and the posts no other article cites, except
    /// posts whose claim a person worked on. Recorded with who did it.
    Remove(RemoveArgs),
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The article's URL (as archived, or its final URL), a file archived
    /// from disk, or its id.
    pub article: String,
    /// Print the article as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// The article's URL (as archived, or its final URL), a file archived
    /// from disk, or its id.
    pub article: String,
    /// Who removes it (default: EMBARC_USER, then USER or USERNAME, then the
    /// system's name for the running user).
    #[arg(long, value_name = "NAME", env = "EMBARC_USER")]
    pub by: Option<String>,
    /// Print what was removed as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(dir: &Path, args: Args) -> Result<ExitCode> {
    let store = super::open_existing(dir)?;
    match args.command {
        Sub::Show(a) => {
            let id = find(&store, &a.article)?;
            let Some(article) = store.article_view(id)? else {
                bail!("no article with id {id} in the archive");
            };
            let checks = store.article_history(id)?;
            let mut out = std::io::stdout().lock();
            if a.json {
                // The document of `GET /api/v1/articles/{id}`, with every check.
                let mut doc = serde_json::to_value(&article)?;
                doc["checks"] = serde_json::to_value(&checks)?;
                writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            } else {
                print(&mut out, &article, &checks)?;
            }
            out.flush()?;
        }
        Sub::Remove(a) => {
            let id = find(&store, &a.article)?;
            let by = super::actor(a.by)?;
            if by.trim().is_empty() {
                bail!("--by needs a name");
            }
            let removed = store.remove_article(id, &by)?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&removed)?);
            }
            eprintln!(
                "embarc: removed {}: {}, {}, {} no other article cites; {} kept on disk",
                escaped(&removed.article_url),
                crate::words::count(removed.captures, "capture"),
                crate::words::count(removed.citations, "citation"),
                crate::words::count(removed.posts, "post"),
                crate::words::count(removed.warc_records.len(), "WARC record"),
            );
            if !removed.kept_claims.is_empty() {
                let ids: Vec<String> = removed
                    .kept_claims
                    .iter()
                    .map(|c| format!("#{c}"))
                    .collect();
                eprintln!(
                    "embarc: kept the posts of claims {} (a person worked on them)",
                    ids.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The article `key` names: an id, a URL, or a file archived from disk.
pub(crate) fn find(store: &Store, key: &str) -> Result<i64> {
    let file = Path::new(key);
    let url = if !crate::fetch::sources::is_web_url(key)
        && key.parse::<i64>().is_err()
        && file.exists()
    {
        crate::archive::file_url(file)
    } else {
        key.to_string()
    };
    match store.lookup_article(&url)? {
        Some(id) => Ok(id),
        None if key.parse::<i64>().is_ok() => bail!("no article with id {key} in the archive"),
        None => bail!(
            "no article {} in the archive (archive it with `embarc archive {}`)",
            escaped(key),
            escaped(key)
        ),
    }
}

fn print(out: &mut impl Write, a: &ArticleView, checks: &[CheckRow]) -> Result<()> {
    writeln!(out, "article {}  {}", a.id, escaped(&a.url))?;
    let state = a.latest.label().unwrap_or_else(|| "unchecked".into());
    writeln!(
        out,
        "  site {}, first seen {}, {state}",
        escaped(&a.site),
        a.first_seen_at
    )?;
    writeln!(out, "captures ({}):", a.captures.len())?;
    for c in &a.captures {
        let status = c
            .http_status
            .map_or(String::new(), |s| format!(" HTTP {s}"));
        let warc = match (&c.warc_file, c.warc_offset) {
            (Some(f), Some(o)) => format!("  {}:{o}", escaped(f)),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {}  {}{status}  {} bytes  sha256 {}{warc}",
            c.captured_at, c.source, c.size, c.sha256
        )?;
    }
    writeln!(out, "citations ({}):", a.citations.len())?;
    for c in &a.citations {
        let target = c
            .ident
            .post_url
            .as_deref()
            .or(c.ident.post_id.as_deref())
            .map_or_else(|| "no id: copied text".into(), |t| escaped(t).into_owned());
        let mut line = format!("  {:<5} {:<9} {target}", c.kind, c.ident.platform);
        if let Some(h) = &c.ident.handle {
            line.push_str(&format!("  @{}", escaped(h.trim_start_matches('@'))));
        }
        if let Some(id) = c.claim {
            line.push_str(&format!("  claim #{id}"));
        }
        writeln!(out, "{line}")?;
        if let Some(text) = &c.text {
            writeln!(out, "        {}", escaped(&crate::words::clip(text, 100)))?;
        }
    }
    writeln!(out, "checks ({}):", checks.len())?;
    for c in checks {
        writeln!(
            out,
            "  {}  {}  {}",
            c.checked_at,
            c.outcome.label(),
            escaped(&c.evidence)
        )?;
    }
    Ok(())
}
