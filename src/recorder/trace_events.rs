//! The recorder's side of the [`trace`]: events, task names,
//! sleep numbers, I/O waits, and the first sight of each thread. Part of the
//! [`Recorder`]; kept apart to keep `recorder.rs` short.

use super::{Recorder, State};
use crate::log;
use crate::trace::{self, Kind, TaskId};
use std::thread;
use std::time::Duration;

impl Recorder {
    /// Records `kind` for `task` on the current thread, at the run's time.
    pub fn event(&self, task: Option<TaskId>, kind: Kind) {
        let mut state = self.lock();
        let at = self.elapsed(&mut state);
        self.push_event(&mut state, at, task, kind);
    }

    /// Records `kind` for `task` at the time of the last event, without
    /// reading the clock (from a destructor, when the runtime may be gone).
    pub fn event_at_last(&self, task: Option<TaskId>, kind: Kind) {
        let mut state = self.lock();
        let at = state
            .trace
            .events
            .last()
            .map_or(Duration::ZERO, |event| event.at);
        self.push_event(&mut state, at, task, kind);
    }

    /// A new task in the trace, called `name` (or `task-N`).
    pub fn new_task(&self, name: Option<&str>) -> TaskId {
        self.lock().trace.new_task(name)
    }

    /// A new sleep's number in the trace.
    pub fn new_sleep(&self) -> usize {
        self.lock().trace.new_sleep()
    }

    /// Runs `call`, a blocking I/O call of the current thread, recorded as
    /// a wait on `what` (the thread's own wait: no task).
    pub fn blocking_io<T>(&self, what: impl Into<String>, call: impl FnOnce() -> T) -> T {
        let io = self.io_requested(None, what.into());
        let done = call();
        self.event(None, Kind::IoDone { io });
        done
    }

    /// Records that `task` (or the thread) began waiting on `what`, and
    /// returns the wait's number for its [`Kind::IoDone`].
    pub fn io_requested(&self, task: Option<TaskId>, what: String) -> usize {
        let mut state = self.lock();
        let at = self.elapsed(&mut state);
        let io = state.trace.new_io();
        self.push_event(&mut state, at, task, Kind::IoRequested { io, what });
        io
    }

    /// Names the task being polled on this thread (a scenario calls it so
    /// that traces and timelines say `THREE`, not `task-3`).
    pub fn name_task(&self, name: &str) {
        if let Some(task) = trace::current_task() {
            self.lock().trace.rename(task, name);
        }
    }

    /// Pushes one event on the current thread's lane.
    pub(super) fn push_event(
        &self,
        state: &mut State,
        at: Duration,
        task: Option<TaskId>,
        kind: Kind,
    ) {
        let lane = self.see_thread(state, at);
        let event = trace::Event {
            at,
            lane,
            task,
            kind,
        };
        state.trace.events.push(event);
    }

    /// The current thread's lane name; the first time, also its `ThreadStart`.
    pub(super) fn see_thread(&self, state: &mut State, at: Duration) -> String {
        let lane = log::thread_name(Some(self.shared.main_thread));
        if state.threads.insert(thread::current().id()) {
            let (task, kind) = (None, Kind::ThreadStart);
            let event = trace::Event {
                at,
                lane: lane.clone(),
                task,
                kind,
            };
            state.trace.events.push(event);
        }
        lane
    }
}
