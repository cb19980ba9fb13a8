//! `concur`: the command-line entry point. Everything is in the library;
//! this file only turns its result into an exit code.
//!
//! Exit codes: 0 for success (a closed stdout, as in `concur compare | head`,
//! counts as success), 1 for a failed run or one that does not match the
//! article, 2 for a usage error, 128 + the signal after Ctrl-C (130),
//! SIGTERM (143) or SIGHUP (129); what finished is printed first.

use concur::cli::{self, args::UsageError, Interrupted};
use concur::output::console::StdoutClosed;
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let result = cli::run();
    // Every child was waited for or killed on its own path, but a signal's
    // listener may still be killing them as `main` returns: no process may
    // end before its children.
    concur::children::shut_down();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.downcast_ref::<StdoutClosed>().is_some() => ExitCode::SUCCESS,
        Err(error) if error.downcast_ref::<Interrupted>().is_some() => {
            let _ = writeln!(io::stderr(), "{error}");
            let code = error
                .downcast_ref::<Interrupted>()
                .map(Interrupted::exit_code);
            ExitCode::from(code.unwrap_or(130))
        }
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
