//! One run that cannot take the others down: each (scenario, backend) pair
//! runs on a thread of its own, watched for a panic, an error, a hang and
//! Ctrl-C.
//!
//! Part of `cli.rs`, used by `commands.rs`. A panicking or failing run
//! becomes a [`Failed`] row in the table, with its reason; a run that gives
//! no result within the timeout is abandoned (its thread cannot be killed,
//! so it is left behind, and the process ends without it) and reported as
//! hung. A production harness would run each pair in a child process,
//! which could be killed; a thread keeps the harness simple and the table
//! honest, and it is what a hang needs: the others still run.

use crate::backend;
use crate::report::Failed;
use crate::scenario::{self, Run, Scenario};
use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a run may take by default before it counts as hung: far above
/// the longest honest run (scenario 6 at the longest unit, 80 s; the
/// largest sort the CLI accepts).
pub(super) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// How often the waiting thread looks at the Ctrl-C flag.
const TICK: Duration = Duration::from_millis(20);

/// Why a guarded run gave no [`Run`].
#[derive(Debug)]
pub(super) enum Stopped {
    /// It panicked, failed or hung: a row of its own in the table.
    Failed(Failed),
    /// Ctrl-C came while it ran; it was abandoned and nothing more runs.
    Interrupted,
}

/// Runs `scenario` on the backend named `backend` on a thread of its own,
/// and waits for it, at most `timeout`, or until `interrupted` is set.
///
/// # Errors
///
/// [`Stopped::Failed`] for a panic, an error or a hang, with the reason;
/// [`Stopped::Interrupted`] on Ctrl-C.
pub(super) fn run(
    scenario: &'static dyn Scenario,
    backend: &'static str,
    backend_options: backend::Options,
    options: &scenario::Options,
    timeout: Duration,
    interrupted: &AtomicBool,
) -> Result<Run, Stopped> {
    let failed = |reason: String| {
        Stopped::Failed(Failed {
            scenario: scenario.name(),
            backend,
            reason,
        })
    };
    let (sender, receiver) = mpsc::channel();
    let options = options.clone();
    // Backends hold `!Send` executors, so the run's thread builds its own.
    let work = move || {
        let result = inject_fault(scenario.name(), backend).and_then(|()| {
            let backend =
                backend::find(backend, backend_options).expect("a backend named by the CLI");
            scenario::run(scenario, &backend, &options).map_err(|error| format!("{error:#}"))
        });
        // The receiver is gone only if the run was abandoned: nobody to tell.
        let _ = sender.send(result);
    };
    let name = format!("{} on {backend}", scenario.name());
    let thread = std::thread::Builder::new().name(name).spawn(work);
    let thread = thread.map_err(|error| failed(format!("could not start its thread: {error}")))?;
    let started = Instant::now();
    loop {
        match receiver.recv_timeout(TICK) {
            Ok(result) => {
                // The thread has sent its last word; joining only reaps it.
                let _ = thread.join();
                return result.map_err(failed);
            }
            Err(RecvTimeoutError::Disconnected) => {
                let payload = thread.join().err();
                let message = payload.as_deref().map_or("?".into(), panic_message);
                return Err(failed(format!("panicked: {message}")));
            }
            Err(RecvTimeoutError::Timeout) if interrupted.load(Ordering::Relaxed) => {
                return Err(Stopped::Interrupted);
            }
            Err(RecvTimeoutError::Timeout) if started.elapsed() >= timeout => {
                let waited = humantime::format_duration(timeout);
                return Err(failed(format!("hung: no result after {waited}, abandoned")));
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

/// A flag that Ctrl-C sets, from the moment this returns; a second Ctrl-C
/// ends the process at once, as users expect when the first seems ignored.
///
/// If the handler cannot be installed, Ctrl-C keeps its default (ending the
/// process) and the flag is never set.
pub(super) fn ctrl_c_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let Ok(mut signals) = async_signal::Signals::new([async_signal::Signal::Int]) else {
        return flag;
    };
    let set = flag.clone();
    let listener = move || {
        use futures_lite::StreamExt as _;
        while futures_lite::future::block_on(signals.next()).is_some() {
            if set.swap(true, Ordering::Relaxed) {
                std::process::exit(130);
            }
        }
    };
    // Without the listener thread the flag is never set; the runs go on.
    let _ = std::thread::Builder::new()
        .name("ctrl-c".into())
        .spawn(listener);
    flag
}

/// The message of a panic payload: the `&str` or `String` given to `panic!`.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    let text = payload.downcast_ref::<&str>().copied();
    let text = text.or_else(|| payload.downcast_ref::<String>().map(String::as_str));
    text.unwrap_or("(not a message)").to_string()
}

/// The test hook behind the fault tests: with `CONCUR_FAULT` set to
/// `KIND:SCENARIO:BACKEND` (comma-separated for several), that run panics
/// (`panic`), returns an error (`fail`) or never returns (`hang`). Nothing
/// else reads it.
fn inject_fault(scenario: &str, backend: &str) -> Result<(), String> {
    let Ok(faults) = std::env::var("CONCUR_FAULT") else {
        return Ok(());
    };
    for fault in faults.split(',') {
        let [kind, name, on] = fault.split(':').collect::<Vec<_>>()[..] else {
            continue;
        };
        if (name, on) != (scenario, backend) {
            continue;
        }
        match kind {
            "panic" => panic!("injected fault (CONCUR_FAULT)"),
            "fail" => return Err("injected failure (CONCUR_FAULT)".to_string()),
            "hang" => loop {
                std::thread::park();
            },
            _ => {}
        }
    }
    Ok(())
}
