//! `concur`: the command-line entry point. Everything is in the library;
//! this file only turns its result into an exit code.
//!
//! Exit codes: 0 for success (a closed stdout, as in `concur compare | head`,
//! counts as success), 1 for a failed run, 2 for a usage error.

use concur::cli::{self, args::UsageError};
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            // If stderr is gone too there is no one left to tell.
            let _ = writeln!(io::stderr(), "error: {error:#}");
            if error.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Whether the error comes from writing to a closed pipe.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io_error| io_error.kind() == io::ErrorKind::BrokenPipe)
    })
}
