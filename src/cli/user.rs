//! `embarc user`: the accounts that sign in to `embarc serve`.

use crate::accounts::{self, Role};
use anyhow::{Result, bail};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Add a user (prompts for the password on a terminal).
    Add(AddArgs),
    /// List the users.
    List(ListArgs),
    /// Set a user's password (this also enables a disabled user and signs
    /// it out everywhere).
    Passwd(PasswdArgs),
    /// Disable a user: it can no longer sign in, and its sessions end.
    Disable(NameArg),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The user's name (letters, digits, '.', '_', '-', '@'); it signs the
    /// user's events in the queue.
    pub name: String,
    /// viewer (reads), checker (also changes claims and queues posts) or
    /// admin (also manages users and tokens).
    #[arg(long, value_parser = clap::value_parser!(Role))]
    pub role: Role,
    /// Read the password from the first line of stdin instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print the users as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct PasswdArgs {
    /// The user's name.
    pub name: String,
    /// Read the password from the first line of stdin instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, clap::Args)]
pub struct NameArg {
    /// The user's name.
    pub name: String,
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &Role::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

pub fn run(dir: &Path, args: Args) -> Result<ExitCode> {
    match args.command {
        Sub::Add(a) => {
            let name = accounts::check_name(&a.name, "user").map_err(anyhow::Error::msg)?;
            let store = super::open_store(dir)?;
            if store.user(&name)?.is_some() {
                return Err(crate::store::AccountError::UserExists(name).into());
            }
            let hash = accounts::hash_password(&password(a.password_stdin)?)?;
            let user = store.add_user(&name, a.role, &hash)?;
            eprintln!("embarc: added {} {}", user.role, user.name);
        }
        Sub::List(a) => {
            let store = super::open_existing(dir)?;
            let users = store.users()?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                for u in &users {
                    let state = if u.disabled { "  disabled" } else { "" };
                    println!("{}  {}  added {}{state}", u.name, u.role, u.created_at);
                }
                if users.is_empty() {
                    eprintln!(
                        "embarc: no users yet; add the first admin with `embarc user add NAME --role admin`"
                    );
                }
            }
        }
        Sub::Passwd(a) => {
            let store = super::open_existing(dir)?;
            let Some(user) = store.user(&a.name)? else {
                return Err(crate::store::AccountError::UnknownUser(a.name).into());
            };
            let hash = accounts::hash_password(&password(a.password_stdin)?)?;
            store.set_password(&user.name, &hash)?;
            eprintln!("embarc: changed the password of {}", user.name);
        }
        Sub::Disable(a) => {
            let store = super::open_existing(dir)?;
            store.disable_user(&a.name)?;
            eprintln!("embarc: disabled {}; its sessions ended", a.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The new password: stdin's first line with `--password-stdin`, else
/// typed twice on the terminal without echo.
fn password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_string();
        if pw.is_empty() {
            bail!("no password on stdin (--password-stdin reads its first line)");
        }
        return Ok(pw);
    }
    if !std::io::stdin().is_terminal() {
        bail!("stdin is not a terminal: pass --password-stdin and write the password on stdin");
    }
    let first = prompt("Password: ")?;
    let again = prompt("Password again: ")?;
    if first != again {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

/// Read one line from the terminal with echo turned off.
fn prompt(label: &str) -> Result<String> {
    eprint!("{label}");
    std::io::stderr().flush()?;
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is plain data; tcgetattr fills it for a terminal fd.
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: fd is stdin, checked to be a terminal by the caller.
    if unsafe { libc::tcgetattr(fd, &mut term) } != 0 {
        bail!("cannot read the terminal's settings to hide the password");
    }
    let saved = term;
    term.c_lflag &= !libc::ECHO;
    term.c_lflag |= libc::ECHONL;
    // SAFETY: as above, with settings derived from the terminal's own.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &term) };
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    // SAFETY: restores the settings read above.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
