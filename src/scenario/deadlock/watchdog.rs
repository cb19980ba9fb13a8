//! A3 on runtimes that cannot see a deadlock: run it in a child process
//! (`concur deadlock-child`), relay its log lines, and kill it after
//! [`PATIENCE_UNITS`] units without one, reporting "no progress" instead
//! of hanging the command line.
//!
//! The child never ends on its own, so it is started through
//! [`children::spawn`], which kills it if the run is abandoned or concur
//! is interrupted; and it ends itself when its stdin (a pipe nobody writes
//! to) closes, which the kernel does when concur dies, even by SIGKILL.

use crate::backend::{self, Backend};
use crate::children;
use crate::model::Model;
use crate::recorder::Recorder;
use crate::scenario::{Ctx, Outcome, SortOptions};
use anyhow::Context as _;
use std::io::{self, BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// How many units without a log line count as "no progress".
pub(super) const PATIENCE_UNITS: u32 = 3;

/// Extra patience for the child's first line: starting a process is not
/// the scenario's fault.
const STARTUP: Duration = Duration::from_secs(2);

/// Runs A3 on `backend` in a child process under the watchdog.
///
/// # Errors
///
/// If the child cannot be started, or it finished (no deadlock happened).
pub(super) fn run_in_child(backend: &str, ctx: &Ctx) -> anyhow::Result<Outcome> {
    let exe = match &ctx.sort.worker_exe {
        Some(exe) => exe.clone(),
        None => std::env::current_exe().context("finding this executable")?,
    };
    let unit_ms = ctx.unit.as_millis().to_string();
    let mut command = Command::new(exe);
    command.args(["deadlock-child", backend, &unit_ms]);
    // Stdin stays open, unwritten, for as long as `child` lives.
    command.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = children::spawn(&mut command).context("starting the deadlock child process")?;
    let stdout = child.stdout.take().context("the child's stdout")?;
    let (send, lines) = mpsc::channel();
    // The reader ends at end of file: when the child exits or is killed.
    let reader = thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let patience = ctx.units(PATIENCE_UNITS);
    let mut wait = patience + STARTUP;
    let outcome = loop {
        match lines.recv_timeout(wait) {
            Ok(line) => {
                let line = line.context("reading the child's log")?;
                // The child logs `0.021s:Thread:message`: keep its time, so
                // that a slow pipe on a busy machine does not move the line.
                let mut parts = line.splitn(3, ':');
                let at = parts.next().and_then(|at| at.strip_suffix('s'));
                let at = at.and_then(|at| at.parse::<f64>().ok()).unwrap_or(0.0);
                let message = parts.nth(1).unwrap_or(&line);
                let at = Duration::try_from_secs_f64(at).unwrap_or_default();
                ctx.rec.log_at(at, message);
                wait = patience;
            }
            Err(RecvTimeoutError::Timeout) => {
                let report = format!("no progress for {PATIENCE_UNITS} units");
                ctx.log(format!(
                    "{report}: {backend} cannot tell a deadlock from a long wait; \
                     the watchdog killed it"
                ));
                break Outcome {
                    note: Some(report),
                    ..Outcome::default()
                };
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = child.wait().context("waiting for the child")?;
                anyhow::bail!("the child ended ({status}): no deadlock happened");
            }
        }
    };
    child.kill();
    child.wait().context("waiting for the killed child")?;
    let _ = reader.join();
    Ok(outcome)
}

/// The backends A3 runs in a child: those with an event loop that cannot
/// see a deadlock (one that proves it runs A3 in-process; a foreign one,
/// py-asyncio, runs its own program under its own watchdog).
pub fn child_backends() -> Vec<&'static str> {
    let all = backend::all(backend::Options::default());
    let blind = all
        .iter()
        .filter(|backend| backend.supports(Model::EventLoop));
    let blind = blind.filter(|backend| !backend.proves_deadlocks() && backend.foreign().is_none());
    blind.map(Backend::name).collect()
}

/// `concur deadlock-child <backend> <unit_ms>`: runs A3's tasks on
/// `backend` (one of [`child_backends`], as the CLI checks), printing each
/// log line as it happens, until killed.
///
/// # Errors
///
/// An unknown backend, one without an event loop, or a failed run.
pub fn child_main(backend: &str, unit: Duration) -> anyhow::Result<()> {
    exit_when_stdin_ends();
    let options = backend::Options::default();
    let backend: Backend =
        backend::find(backend, options).with_context(|| format!("no backend '{backend}'"))?;
    // Echo at a 1 ms unit: elapsed-time lines, which the parent parses.
    let rec = Recorder::new(
        backend.clock(Model::EventLoop),
        Some(Duration::from_millis(1)),
    );
    let sort = SortOptions {
        lists: 1,
        len: 1,
        seed: 1,
        worker_exe: None,
        python_lists: None,
    };
    let ctx = Ctx {
        rec,
        unit,
        sort,
        io: super::super::IoSizes::default(),
    };
    let main_ctx = ctx.clone();
    ctx.event_loop(&backend)?.run(Box::new(|event_loop| {
        Box::pin(super::main(event_loop, main_ctx))
    }))
}

/// Ends this process when its stdin ends. The parent holds the other end
/// of the pipe and never writes to it, so its end means the parent is
/// gone, perhaps by SIGKILL, which it could not catch to kill this child;
/// left alone, the deadlocked tasks would wait for ever.
fn exit_when_stdin_ends() {
    let watch = || {
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
        // Nobody is left to read an exit code.
        std::process::exit(0);
    };
    // Without the thread, the parent still kills this child on every path
    // it lives through.
    let _ = thread::Builder::new().name("stdin".into()).spawn(watch);
}
