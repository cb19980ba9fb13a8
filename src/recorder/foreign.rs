//! Lines, spans and trace events relayed from another process: a foreign
//! backend's program (the article's Python) reports what its own threads
//! did, stamped by its own clock. Part of the [`Recorder`]; kept apart to
//! keep `recorder.rs` short.
//!
//! The recorder's own methods take the thread and the time from the caller;
//! these take both as given, since the thread that relays them is not the
//! one that did the work. A foreign thread is known by its name (`Thread-1
//! (delay_message)`), and counts once in the record's threads.

use super::{Recorder, Span, State};
use crate::trace::{self, Kind, TaskId};
use std::time::Duration;

impl Recorder {
    /// A line that `thread` of another process logged at `at`.
    pub fn log_from(&self, at: Duration, thread: &str, task: Option<TaskId>, message: String) {
        let mut state = self.lock();
        // The first reading starts the run, if nothing did yet.
        self.elapsed(&mut state);
        see_foreign(&mut state, at, thread);
        let kind = self.keep_line(&mut state, at, thread.to_string(), message);
        push_foreign_event(&mut state, at, thread, task, kind);
    }

    /// An event of `task` on `thread` of another process, at `at`.
    pub fn event_from(&self, at: Duration, thread: &str, task: Option<TaskId>, kind: Kind) {
        let mut state = self.lock();
        self.elapsed(&mut state);
        see_foreign(&mut state, at, thread);
        push_foreign_event(&mut state, at, thread, task, kind);
    }

    /// A span that `thread` of another process ran from `begin` to `end`.
    pub fn span_from(&self, thread: &str, label: String, begin: Duration, end: Duration) {
        let mut state = self.lock();
        self.elapsed(&mut state);
        see_foreign(&mut state, begin, thread);
        state.spans.push(Span {
            thread: thread.to_string(),
            label,
            begin,
            end,
        });
    }

    /// A blocking sleep of another process woke `late` after its time: as
    /// late as the machine made it, which the verdict allows for (see
    /// [`Record::blocking_late`](super::Record::blocking_late)).
    pub fn blocking_late_from(&self, late: Duration) {
        let mut state = self.lock();
        state.blocking_late = state.blocking_late.max(late);
    }

    /// Gives `task` a new name in the trace (another process's task named
    /// itself; this process's call [`Recorder::name_task`]).
    pub fn rename_task(&self, task: TaskId, name: &str) {
        self.lock().trace.rename(task, name);
    }
}

/// Counts `thread` the first time it is seen, with its `ThreadStart`.
fn see_foreign(state: &mut State, at: Duration, thread: &str) {
    if state.foreign_threads.insert(thread.to_string()) {
        push_foreign_event(state, at, thread, None, Kind::ThreadStart);
    }
}

/// Pushes one event on `thread`'s lane.
fn push_foreign_event(
    state: &mut State,
    at: Duration,
    thread: &str,
    task: Option<TaskId>,
    kind: Kind,
) {
    state.trace.events.push(trace::Event {
        at,
        lane: thread.to_string(),
        task,
        kind,
    });
}
