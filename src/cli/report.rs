//! `embarc report`

use crate::report;
use crate::words;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the report as Markdown (for a memo).
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Show every check of one target instead: a post URL, `platform:id`,
    /// or an article URL as archived.
    #[arg(long, value_name = "TARGET")]
    pub history: Option<String>,

    /// Also list these, which the summary only counts: `gone` (gone posts
    /// with the articles citing them), `gone-articles`, `transitions`, or
    /// `all` (repeatable, or comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub list: Vec<ListName>,

    /// At most N entries in each list asked for with --list.
    #[arg(long, value_name = "N", requires = "list")]
    pub limit: Option<usize>,
}

/// A list `report --list` can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListName {
    /// Gone posts, with the articles citing them and archived copies.
    Gone,
    /// Gone articles.
    GoneArticles,
    /// Every change of state.
    Transitions,
    /// All three.
    All,
}

fn lists(names: &[ListName], limit: Option<usize>) -> report::Lists {
    let has = |n: ListName| names.contains(&n) || names.contains(&ListName::All);
    report::Lists {
        gone_posts: has(ListName::Gone),
        gone_articles: has(ListName::GoneArticles),
        transitions: has(ListName::Transitions),
        limit,
    }
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(dir)?;
    if let Some(target) = &args.history {
        let Some(h) = report::history(&store, target)? else {
            anyhow::bail!(
                "no post or article {target:?} in the archive (give a post URL, platform:id such as x:20, or an article URL exactly as archived)"
            );
        };
        if args.json {
            println!("{}", serde_json::to_string_pretty(&h)?);
        } else {
            print!("{}", words::escaped(&report::history_text(&h)));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let r = report::build(&store, lists(&args.list, args.limit))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else if args.markdown {
        print!("{}", words::escaped(&report::markdown(&r)));
    } else {
        print!("{}", words::escaped(&report::text(&r)));
    }
    Ok(ExitCode::SUCCESS)
}
