//! The trace as JSON lines: one object per event, the same keys for every
//! backend, so that two backends' traces can be diffed.
//!
//! ```text
//! {"scenario":"gather","backend":"smol","at_us":0,"lane":"MainThread","task":"main","event":"task_start"}
//! {"scenario":"gather","backend":"smol","at_us":41,"lane":"MainThread","task":"ONE","event":"sleep_requested","sleep":1,"deadline_us":100041}
//! ```
//!
//! `at_us` is microseconds since the run's start on the run's clock; `lane`
//! is the thread; `event` is one of `thread_start`, `task_start`,
//! `task_end`, `task_dropped`, `poll_begin`, `poll_end`, `sleep_requested`, `sleep_fired`,
//! `io_requested`, `io_done`, `log`; sleeps add `sleep` and `deadline_us`,
//! I/O waits `io` (and `waits_on` when they begin), log lines `message`.

use crate::run::Run;
use crate::trace::{Event, Kind, Trace};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// One line of the file.
#[derive(Debug, Serialize)]
struct Line<'a> {
    /// The scenario run.
    scenario: &'a str,
    /// The backend it ran on.
    backend: &'a str,
    /// Microseconds since the run's start.
    at_us: u64,
    /// The thread.
    lane: &'a str,
    /// The task, or the thread's name for a thread's own work.
    task: &'a str,
    /// What happened.
    event: &'static str,
    /// The sleep's number, for sleep events.
    #[serde(skip_serializing_if = "Option::is_none")]
    sleep: Option<usize>,
    /// The sleep's deadline in microseconds, for sleep events.
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline_us: Option<u64>,
    /// The I/O wait's number, for I/O events.
    #[serde(skip_serializing_if = "Option::is_none")]
    io: Option<usize>,
    /// What an I/O wait waits on, when it begins.
    #[serde(skip_serializing_if = "Option::is_none")]
    waits_on: Option<&'a str>,
    /// The log line, for log events.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// The `event` word for `kind`.
pub fn event_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::ThreadStart => "thread_start",
        Kind::TaskStart => "task_start",
        Kind::TaskEnd => "task_end",
        Kind::TaskDropped => "task_dropped",
        Kind::PollBegin => "poll_begin",
        Kind::PollEnd => "poll_end",
        Kind::SleepRequested { .. } => "sleep_requested",
        Kind::SleepFired { .. } => "sleep_fired",
        Kind::IoRequested { .. } => "io_requested",
        Kind::IoDone { .. } => "io_done",
        Kind::Log { .. } => "log",
    }
}

/// Whole microseconds, saturating (a run does not last 500 000 years).
pub fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// The JSON line of `event` from `trace`, for `scenario` on `backend`.
fn line(scenario: &str, backend: &str, trace: &Trace, event: &Event) -> String {
    let (sleep, deadline, message) = match &event.kind {
        Kind::SleepRequested { sleep, deadline } | Kind::SleepFired { sleep, deadline } => {
            (Some(*sleep), Some(micros(*deadline)), None)
        }
        Kind::Log { message } => (None, None, Some(message.as_str())),
        _ => (None, None, None),
    };
    let line = Line {
        scenario,
        backend,
        at_us: micros(event.at),
        lane: &event.lane,
        task: trace.name(event.task, &event.lane),
        event: event_name(&event.kind),
        sleep,
        deadline_us: deadline,
        io: match event.kind {
            Kind::IoRequested { io, .. } | Kind::IoDone { io } => Some(io),
            _ => None,
        },
        waits_on: match &event.kind {
            Kind::IoRequested { what, .. } => Some(what.as_str()),
            _ => None,
        },
        message,
    };
    // Strings, numbers and options only: serializing cannot fail.
    serde_json::to_string(&line).unwrap_or_default()
}

/// Every event of `runs`, one JSON object per line, run after run.
pub fn lines(runs: &[Run]) -> String {
    let mut text = String::new();
    for run in runs {
        let trace = &run.record.trace;
        for event in &trace.events {
            text += &line(run.scenario, run.backend, trace, event);
            text.push('\n');
        }
    }
    text
}

/// Writes the trace of `runs` to `path`, atomically (temporary file, rename).
///
/// # Errors
///
/// If the file cannot be written.
pub fn write(path: &Path, runs: &[Run]) -> anyhow::Result<()> {
    crate::output::write(path, lines(runs).as_bytes())
}
