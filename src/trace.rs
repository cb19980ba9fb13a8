//! The trace: every event of a run, in one vocabulary for every backend.
//!
//! The [`recorder`](crate::recorder) keeps a [`Trace`] beside its log. Async
//! backends feed it through the wrappers of
//! [`model::traced`](crate::model::traced) (a future wrapped around each
//! spawned task records its polls, a loop wrapped around the backend's
//! records each sleep), the same for minirt, smol and tokio; threads feed it
//! through the recorder (log lines, first sight of a thread).
//! [`report::trace`](crate::report::trace) writes it as JSON lines for
//! `concur run X --trace FILE`; the timeline and the stall report read it.
//!
//! This file is only the vocabulary, low in the harness, so that the
//! recorder that fills a trace and the reports that read one share it
//! without depending on each other.

use std::cell::Cell;
use std::collections::HashMap;
use std::time::Duration;

/// A task's number in its run's [`Trace`]: an index into its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub usize);

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A thread was seen for the first time (threads are not wrapped: this is
    /// its first log line, span or poll).
    ThreadStart,
    /// A task was spawned: from now on it is ready until its first poll.
    TaskStart,
    /// A task finished (its last poll returned `Ready`).
    TaskEnd,
    /// A task was dropped before it finished, like asyncio's "Task was
    /// destroyed but it is pending!" (stamped with the last event's time:
    /// the loop that would give the time may be gone).
    TaskDropped,
    /// The loop began polling a task.
    PollBegin,
    /// The poll returned: the loop's thread is free again.
    PollEnd,
    /// A task asked to sleep until `deadline`.
    SleepRequested {
        /// The sleep's number in this run, to pair it with its firing.
        sleep: usize,
        /// When it should fire.
        deadline: Duration,
    },
    /// The sleeping task saw its sleep complete (at the event's time,
    /// possibly later than `deadline`).
    SleepFired {
        /// The sleep's number, as in its request.
        sleep: usize,
        /// When it should have fired.
        deadline: Duration,
    },
    /// A task (or a thread, for its own work) began waiting on I/O: a
    /// request's response, a file, a connection.
    IoRequested {
        /// The wait's number in this run, to pair it with its end.
        io: usize,
        /// What it waits on (`GET /3`, `read file 7`).
        what: String,
    },
    /// The I/O completed, seen when the waiter runs again (a task) or
    /// when the blocking call returned (a thread).
    IoDone {
        /// The wait's number, as in its request.
        io: usize,
    },
    /// A log line.
    Log {
        /// The line's message.
        message: String,
    },
}

/// One event: when, on which thread, for which task, what.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Time since the run's start, on the run's clock.
    pub at: Duration,
    /// The thread's name, as the log shows it: the timeline's lane.
    pub lane: String,
    /// The task it belongs to; `None` for a thread's own work.
    pub task: Option<TaskId>,
    /// What happened.
    pub kind: Kind,
}

/// A run's events in the order they happened, and its tasks' names.
///
/// - `events` is in time order: the recorder reads time under its lock.
/// - `tasks[id.0]` is task `id`'s name; `task-N` until a task names itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Every event.
    pub events: Vec<Event>,
    /// Task names, by [`TaskId`].
    pub tasks: Vec<String>,
    /// How many sleeps were requested.
    pub sleeps: usize,
    /// How many I/O waits began.
    pub ios: usize,
}

impl Trace {
    /// A new task called `name`.
    pub fn new_task(&mut self, name: Option<&str>) -> TaskId {
        let id = TaskId(self.tasks.len());
        let name = name.map_or_else(|| format!("task-{}", id.0), str::to_string);
        self.tasks.push(name);
        id
    }

    /// The name of `task`, or of the lane for a thread's own work.
    pub fn name<'a>(&'a self, task: Option<TaskId>, lane: &'a str) -> &'a str {
        task.and_then(|id| self.tasks.get(id.0))
            .map_or(lane, String::as_str)
    }

    /// Renames `task` (a task names itself once it knows what it is).
    pub fn rename(&mut self, task: TaskId, name: &str) {
        if let Some(slot) = self.tasks.get_mut(task.0) {
            *slot = name.to_string();
        }
    }

    /// A new sleep's number.
    pub fn new_sleep(&mut self) -> usize {
        self.sleeps += 1;
        self.sleeps
    }

    /// A new I/O wait's number.
    pub fn new_io(&mut self) -> usize {
        self.ios += 1;
        self.ios
    }

    /// Every finished poll, as (task, begin, end), in the order they ended.
    pub fn polls(&self) -> Vec<(TaskId, Duration, Duration)> {
        let mut polling: HashMap<TaskId, Duration> = HashMap::new();
        let mut polls = Vec::new();
        for event in &self.events {
            let Some(task) = event.task else { continue };
            match event.kind {
                Kind::PollBegin => {
                    polling.insert(task, event.at);
                }
                Kind::PollEnd => {
                    let begin = polling.remove(&task);
                    polls.extend(begin.map(|begin| (task, begin, event.at)));
                }
                _ => {}
            }
        }
        polls
    }
}

thread_local! {
    /// The task being polled on this thread, set by [`Traced`](crate::model::traced::Traced) for the
    /// length of a poll, so log lines know whose they are.
    static CURRENT: Cell<Option<TaskId>> = const { Cell::new(None) };
}

/// The task being polled on this thread, if any.
pub fn current_task() -> Option<TaskId> {
    CURRENT.with(Cell::get)
}

/// Makes `task` the current one until the returned guard is dropped.
pub(crate) fn enter(task: TaskId) -> Entered {
    Entered(CURRENT.with(|current| current.replace(Some(task))))
}

/// Restores the previously current task when dropped (polls nest when a
/// runtime polls a task from inside another's `block_on`).
pub(crate) struct Entered(Option<TaskId>);

impl Drop for Entered {
    fn drop(&mut self) {
        CURRENT.with(|current| current.set(self.0));
    }
}
