//! What concur prints to the terminal: results on stdout ([`say`]),
//! progress on stderr ([`progress`]). The command line, the bench and its
//! children all print through these two, so a closed pipe means the same
//! everywhere: [`StdoutClosed`] for stdout, nothing at all for stderr.

use std::fmt;
use std::io::{self, Write};

/// The reader of stdout went away (`concur compare | head`): not a failure,
/// so `main` exits with 0. Only writes to stdout are turned into this; a
/// broken pipe to a sort worker stays an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StdoutClosed;

impl fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stdout was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Prints `text` and a newline to stdout.
///
/// # Errors
///
/// [`StdoutClosed`] if the reader went away, else the write error.
pub fn say(text: impl fmt::Display) -> anyhow::Result<()> {
    writeln!(io::stdout().lock(), "{text}").map_err(stdout_error)
}

/// Names a failed write to stdout: [`StdoutClosed`] for a broken pipe.
pub(crate) fn stdout_error(error: io::Error) -> anyhow::Error {
    if error.kind() == io::ErrorKind::BrokenPipe {
        StdoutClosed.into()
    } else {
        anyhow::Error::new(error).context("writing to stdout")
    }
}

/// Reports progress on stderr. A closed stderr only loses the progress: it
/// must not stop the run (`eprint!` would panic).
pub fn progress(text: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().write_fmt(text);
}
