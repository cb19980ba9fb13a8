//! One run of a Python program: start it, relay its lines as they come
//! (so `concur run` prints them live), and reap it.
//!
//! A program that never ends on its own (A3's deadlock: asyncio cannot see
//! it) is watched as A3's Rust watchdog watches smol and tokio
//! (`scenario/deadlock/watchdog.rs`): after its patience without a line, it
//! is killed and the run reports no progress instead of hanging.

use super::child::Child;
use super::interpreter::Interpreter;
use super::protocol;
use super::relay::Relay;
use super::{programs, sort_lists};
use crate::model::foreign::Program;
use crate::recorder::Outcome;
use anyhow::{bail, Context as _};
use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// Extra patience for the first line: starting an interpreter is not the
/// program's fault.
const STARTUP: Duration = Duration::from_secs(2);

/// Runs `program` on the Python backend `backend`.
///
/// # Errors
///
/// If the interpreter cannot be started, the program fails (the error is
/// the last line of its stderr), prints a line that cannot be read, or
/// ends without its outcome.
pub(super) fn run(
    interpreter: &Interpreter,
    backend: &str,
    program: &Program<'_>,
) -> anyhow::Result<Outcome> {
    let command = programs::command(interpreter, &arguments(backend, program));
    let (mut child, lines) =
        Child::spawn(command).with_context(|| format!("starting {}", interpreter.describe()))?;
    let mut relay = Relay::new(program.rec);
    if !relay_to_the_end(&lines, &mut relay, program)? {
        child.kill().context("reaping the killed Python program")?;
        return Ok(no_progress(backend, program));
    }
    let status = child.wait().context("waiting for the Python program")?;
    if !status.success() {
        let error = child.last_error_line();
        bail!("{} ended with {status}: {error}", interpreter.describe());
    }
    relay
        .outcome()
        .context("the Python program ended without reporting its outcome")
}

/// `main.py`'s arguments for `program` on `backend`.
fn arguments(backend: &str, program: &Program<'_>) -> Vec<String> {
    let sort = program.sort;
    let words = [
        program.scenario.to_string(),
        "--backend".into(),
        backend.into(),
        "--unit".into(),
        program.unit.as_secs_f64().to_string(),
        "--lists".into(),
        sort_lists(sort).to_string(),
        "--len".into(),
        sort.len.to_string(),
        "--seed".into(),
        sort.seed.to_string(),
        "--harness".into(),
    ];
    words.into()
}

/// Relays every line until the program closes its output (`true`), or
/// until the watchdog's patience runs out (`false`).
fn relay_to_the_end(
    lines: &Receiver<io::Result<String>>,
    relay: &mut Relay<'_>,
    program: &Program<'_>,
) -> anyhow::Result<bool> {
    let patience = program.patience.map(|units| program.unit * units);
    let mut wait = patience.map(|patience| patience + STARTUP);
    loop {
        let next = match wait {
            Some(wait) => lines.recv_timeout(wait),
            None => lines.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok(line) => {
                let line = line.context("reading the Python program's output")?;
                let line = protocol::parse(&line).map_err(anyhow::Error::msg)?;
                relay.line(line);
                wait = patience;
            }
            Err(RecvTimeoutError::Timeout) => return Ok(false),
            Err(RecvTimeoutError::Disconnected) => return Ok(true),
        }
    }
}

/// The watchdog's report, logged as smol's and tokio's is, on the main
/// thread of the program it speaks for.
fn no_progress(backend: &str, program: &Program<'_>) -> Outcome {
    let units = program.patience.unwrap_or_default();
    let report = format!("no progress for {units} units");
    let line = format!(
        "{report}: {backend} cannot tell a deadlock from a long wait; the watchdog killed it"
    );
    program
        .rec
        .log_from(program.rec.now(), "MainThread", None, line);
    Outcome {
        note: Some(report),
        ..Outcome::default()
    }
}
