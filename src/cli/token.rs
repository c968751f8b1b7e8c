//! `embarc token`: API tokens for `embarc serve`'s `/api/v1`.

use crate::accounts::{self, Role};
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Create a token and print it once on stdout (only its hash is kept).
    Create(CreateArgs),
    /// List the tokens (names, roles, revoked or not; never the secrets).
    List(ListArgs),
    /// Revoke a token: requests carrying it are refused from now on.
    Revoke(NameArg),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The token's name; it signs the token's events in the queue.
    pub name: String,
    /// viewer, checker or admin (see `embarc user add --help`).
    #[arg(long, value_parser = clap::value_parser!(Role))]
    pub role: Role,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print the tokens as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct NameArg {
    /// The token's name.
    pub name: String,
}

pub fn run(dir: &Path, args: Args) -> Result<ExitCode> {
    match args.command {
        Sub::Create(a) => {
            let name = accounts::check_name(&a.name, "token").map_err(anyhow::Error::msg)?;
            let secret = format!("{}{}", accounts::API_TOKEN_PREFIX, accounts::new_token()?);
            let store = super::open_store(dir)?;
            let token = store.add_token(&name, a.role, &accounts::token_hash(&secret))?;
            println!("{secret}");
            eprintln!(
                "embarc: created {} token {}; it is shown only this once (send it as `Authorization: Bearer TOKEN`)",
                token.role, token.name
            );
        }
        Sub::List(a) => {
            let store = super::open_existing(dir)?;
            let tokens = store.tokens()?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&tokens)?);
            } else {
                for t in &tokens {
                    let state = match &t.revoked_at {
                        Some(at) => format!("  revoked {at}"),
                        None => String::new(),
                    };
                    println!("{}  {}  created {}{state}", t.name, t.role, t.created_at);
                }
                if tokens.is_empty() {
                    eprintln!("embarc: no tokens");
                }
            }
        }
        Sub::Revoke(a) => {
            let store = super::open_existing(dir)?;
            store.revoke_token(&a.name)?;
            eprintln!("embarc: revoked token {}", a.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
