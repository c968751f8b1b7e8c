//! The `embarc` binary: parse the command line, run, map the outcome to an
//! exit code (0 success, 1 usage or fatal error, 2 finished with failures).

use std::process::ExitCode;

fn main() -> ExitCode {
    embarc::cli::main()
}
