//! One run that cannot take the others down: each (scenario, backend) pair
//! runs on a thread of its own, watched for a panic, an error, a hang and
//! Ctrl-C.
//!
//! Part of `cli.rs`, used by `commands.rs`. A panicking or failing run
//! becomes a [`Failed`] row in the table, with its reason; a run that gives
//! no result within the timeout is abandoned (its thread cannot be killed,
//! so it is left behind, and the process ends without it) and reported as
//! hung. Its child processes can be killed, and are: the run is their
//! [`children::Owner`], which is abandoned with it. A production harness
//! would run each pair in a child process; a thread keeps the harness
//! simple and the table honest, and it is what a hang needs: the others
//! still run.

use crate::backend;
use crate::children;
use crate::report::Failed;
use crate::run::Run;
use crate::scenario::{self, Scenario};
use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a run may take by default before it counts as hung: far above
/// the longest honest run (scenario 6 at the longest unit, 80 s; the
/// largest sort the CLI accepts).
pub(super) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// How often the waiting thread looks at the Ctrl-C flag. The timeout is
/// kept to the millisecond regardless: the last wait ends at it.
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
            scenario: scenario.meta().name,
            backend,
            reason,
        })
    };
    let (sender, receiver) = mpsc::channel();
    let options = options.clone();
    let owner = children::Owner::new();
    // Backends hold `!Send` executors, so the run's thread builds its own.
    let work = move || {
        owner.adopt_this_thread();
        let result = inject_fault(scenario.meta().name, backend).and_then(|()| {
            let backend =
                backend::find(backend, backend_options).expect("a backend named by the CLI");
            scenario::run(scenario, &backend, &options).map_err(|error| format!("{error:#}"))
        });
        // The receiver is gone only if the run was abandoned: nobody to tell.
        let _ = sender.send(result);
    };
    let name = format!("{} on {backend}", scenario.meta().name);
    let thread = std::thread::Builder::new().name(name).spawn(work);
    let thread = thread.map_err(|error| failed(format!("could not start its thread: {error}")))?;
    let waited = wait(&receiver, thread, timeout, interrupted);
    if matches!(waited, Waited::Hung | Waited::Interrupted) {
        // Its thread goes on, but not its children.
        children::abandon(owner);
    }
    match waited {
        Waited::Finished(result) => (*result).map_err(failed),
        Waited::Panicked(message) => Err(failed(format!("panicked: {message}"))),
        Waited::Hung => {
            let waited = humantime::format_duration(timeout);
            Err(failed(format!("hung: no result after {waited}, abandoned")))
        }
        Waited::Interrupted => Err(Stopped::Interrupted),
    }
}

/// How waiting for a run's thread ended.
enum Waited {
    /// It sent its result (boxed: a run is large, the other cases small).
    Finished(Box<Result<Run, String>>),
    /// It panicked, with this message.
    Panicked(String),
    /// It sent nothing within the timeout.
    Hung,
    /// Ctrl-C came first, or the run failed after Ctrl-C (its children
    /// killed under it): not a failure of its own.
    Interrupted,
}

/// Waits for the result of `thread` on `receiver`, at most `timeout`, or
/// until `interrupted` is set.
fn wait(
    receiver: &Receiver<Result<Run, String>>,
    thread: JoinHandle<()>,
    timeout: Duration,
    interrupted: &AtomicBool,
) -> Waited {
    let started = Instant::now();
    loop {
        let left = timeout.saturating_sub(started.elapsed());
        let stopped = || interrupted.load(Ordering::SeqCst);
        match receiver.recv_timeout(left.min(TICK)) {
            Ok(Err(_)) if stopped() => return Waited::Interrupted,
            Ok(result) => {
                // The thread has sent its last word; joining only reaps it.
                let _ = thread.join();
                return Waited::Finished(Box::new(result));
            }
            Err(RecvTimeoutError::Disconnected) => {
                let payload = thread.join().err();
                let message = payload.as_deref().map_or("?".into(), panic_message);
                return Waited::Panicked(message);
            }
            Err(RecvTimeoutError::Timeout) if stopped() => return Waited::Interrupted,
            Err(RecvTimeoutError::Timeout) if started.elapsed() >= timeout => return Waited::Hung,
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
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
