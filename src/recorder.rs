//! The recorder: every log line and span of one run, on the run's clock.
//!
//! A scenario logs through a [`Recorder`] (`rec.log("TWO received")`) from any
//! thread or task; the recorder stamps each line with the elapsed time on the
//! backend's [`Clock`] and the article's thread name. Time zero is the first
//! reading, so a run's total is the time of its last line, as in the article's
//! logs. When the run is over, [`Recorder::record`] hands back a [`Record`]
//! that the [`check`](crate::check) and the [`report`](crate::report) read.

use crate::clock::Clock;
use crate::log::{self, Style};
use crate::trace::{self, Kind, Trace};

mod foreign;
mod outcome;
mod span;
mod trace_events;

pub use outcome::Outcome;
pub use span::SpanGuard;
use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, SystemTime};

/// One log line: when, on which thread, what.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Time since the run's first reading, on the run's clock.
    pub at: Duration,
    /// The article's thread name (`MainThread`, `Thread-1`, ...).
    pub thread: String,
    /// The message, e.g. `Printing TWO`.
    pub message: String,
}

/// A stretch of time a thread spent on one thing (a job, a blocking call).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The thread the span ran on.
    pub thread: String,
    /// What it was, e.g. `blocking call`.
    pub label: String,
    /// When it began, since the run's first reading.
    pub begin: Duration,
    /// When it ended.
    pub end: Duration,
}

/// Everything one run recorded.
#[derive(Debug, Clone)]
pub struct Record {
    /// Log lines in the order they were logged (which is time order).
    pub lines: Vec<LogLine>,
    /// Spans in the order they ended.
    pub spans: Vec<Span>,
    /// How many distinct threads logged a line or ran a span.
    pub threads: usize,
    /// The time of the last line: the run's length on its own clock.
    pub total: Duration,
    /// The wall-clock moment of time zero, for `HH:MM:SS` lines.
    pub started: SystemTime,
    /// Every event, for `--trace`, the timeline and the stall report.
    pub trace: Trace,
    /// How late the latest of the run's blocking sleeps
    /// ([`Recorder::block_for`]) woke, past its length: nothing but the
    /// OS makes a thread that sleeps wake late, so this is noise the check
    /// may allow for. Zero on a virtual clock.
    pub blocking_late: Duration,
}

/// Collects the log lines and spans of one run. Cheap to clone; every clone
/// records into the same run, from any thread.
///
/// # Examples
///
/// ```
/// use concur::clock::SystemClock;
/// use concur::recorder::Recorder;
/// use std::sync::Arc;
///
/// let rec = Recorder::new(Arc::new(SystemClock::new()), None);
/// rec.log("Main started");
/// let record = rec.record();
/// assert_eq!(record.lines[0].thread, "MainThread");
/// assert_eq!(record.lines[0].message, "Main started");
/// ```
#[derive(Clone)]
pub struct Recorder {
    /// Shared by every clone.
    shared: Arc<Shared>,
}

/// The recorder's state, shared by its clones.
struct Shared {
    /// The run's clock: the backend's.
    clock: Arc<dyn Clock>,
    /// The thread that created the recorder, which the logs call `MainThread`.
    main_thread: ThreadId,
    /// When set, each line is also printed as it is logged, styled for this unit.
    echo: Option<Duration>,
    /// What was recorded so far.
    state: Mutex<State>,
}

/// What was recorded so far.
///
/// - `origin` is `None` until the first reading, then the clock reading and
///   the wall-clock moment that count as time zero.
/// - `lines` is in time order because time is read under the lock.
#[derive(Default)]
struct State {
    /// Time zero, once read.
    origin: Option<(Duration, SystemTime)>,
    /// Lines so far.
    lines: Vec<LogLine>,
    /// Spans so far.
    spans: Vec<Span>,
    /// Every thread that logged or ran a span.
    threads: HashSet<ThreadId>,
    /// Every thread of another process whose lines were relayed, by name.
    foreign_threads: HashSet<String>,
    /// Every event so far.
    trace: Trace,
    /// The latest a blocking sleep woke, so far.
    blocking_late: Duration,
}

impl Recorder {
    /// A recorder on `clock`, created on the thread that will be `MainThread`.
    /// With `echo` set to the run's unit, lines are printed as they come.
    pub fn new(clock: Arc<dyn Clock>, echo: Option<Duration>) -> Self {
        let shared = Shared {
            clock,
            main_thread: thread::current().id(),
            echo,
            state: Mutex::new(State::default()),
        };
        Self {
            shared: Arc::new(shared),
        }
    }

    /// Time since the run's first reading (the first call starts the run).
    pub fn now(&self) -> Duration {
        let mut state = self.lock();
        self.elapsed(&mut state)
    }

    /// Logs `message` from the current thread, stamped with the run's time.
    pub fn log(&self, message: impl Into<String>) {
        let mut state = self.lock();
        let at = self.elapsed(&mut state);
        self.push_line(&mut state, at, message.into());
    }

    /// Logs `message` as if at `at` since the run's start: for lines relayed
    /// from a child process, stamped by the child's clock, not the pipe's.
    pub fn log_at(&self, at: Duration, message: impl Into<String>) {
        let mut state = self.lock();
        // The first reading starts the run, if nothing did yet.
        self.elapsed(&mut state);
        self.push_line(&mut state, at, message.into());
    }

    /// Records (and echoes) one line at `at`, from the current thread.
    fn push_line(&self, state: &mut State, at: Duration, message: String) {
        let thread = log::thread_name(Some(self.shared.main_thread));
        let kind = self.keep_line(state, at, thread, message);
        self.push_event(state, at, trace::current_task(), kind);
    }

    /// Echoes and keeps one line of `thread`; returns its trace event.
    fn keep_line(&self, state: &mut State, at: Duration, thread: String, message: String) -> Kind {
        if let (Some(unit), Some((_, started))) = (self.shared.echo, state.origin) {
            let text = Style::for_unit(unit, started).format(at, &thread, &message);
            // A closed stdout must not stop the run; the CLI notices it later.
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
        let kind = Kind::Log {
            message: message.clone(),
        };
        state.lines.push(LogLine {
            at,
            thread,
            message,
        });
        kind
    }

    /// A snapshot of everything recorded so far.
    pub fn record(&self) -> Record {
        let state = self.lock();
        let total = state.lines.iter().map(|line| line.at).max();
        Record {
            lines: state.lines.clone(),
            spans: state.spans.clone(),
            threads: state.threads.len() + state.foreign_threads.len(),
            total: total.unwrap_or_default(),
            started: state.origin.map_or_else(SystemTime::now, |(_, wall)| wall),
            trace: state.trace.clone(),
            blocking_late: state.blocking_late,
        }
    }

    /// Elapsed time on the run's clock, reading time zero first if needed.
    fn elapsed(&self, state: &mut State) -> Duration {
        let now = self.shared.clock.now();
        let (zero, _) = *state.origin.get_or_insert((now, SystemTime::now()));
        now.saturating_sub(zero)
    }

    /// Locks the state; a panic elsewhere must not hide what was recorded.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
