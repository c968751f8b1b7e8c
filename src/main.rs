//! The `embarc` binary: parse the command line, run, map the outcome to an
//! exit code (0 success, 1 usage or fatal error, 2 finished with failures).

use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    embarc::cli::main()
}

/// Rust ignores SIGPIPE, so `embarc export … | head` would fail with
/// "Broken pipe" (or panic inside `println!`). Like other Unix filters,
/// embarc should simply stop when its reader goes away.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: called once at start-up, before any thread exists; setting the
    // default disposition of SIGPIPE has no other effect on the process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}
