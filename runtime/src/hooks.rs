//! The one seam where side features attach: [`Hooks`]. Read this after
//! `registry.rs`. The loop tells a layer what happens, in plain values, one
//! line per event; a layer keeps its own tables keyed by task. The deadlock
//! proof (`deadlock.rs`) and a stall report (`tests/hooks.rs`) are layers.

use crate::task::TaskId;
use crate::Instant;
use alloc::string::String;
use core::task::Waker;

/// What the loop tells a layer. Every method has an empty default.
pub trait Hooks {
    /// Whether this layer wants [`poll_started`](Hooks::poll_started) and
    /// [`poll_ended`](Hooks::poll_ended). Asked once, at build: a layer that
    /// needs no poll events costs a poll nothing.
    fn watches_polls(&self) -> bool {
        true
    }
    /// A task was spawned.
    fn spawned(&self, _task: TaskId, _name: Option<&str>) {}
    /// The loop is about to poll a task (`TaskId::MAIN`: the `block_on` future).
    fn poll_started(&self, _task: TaskId) {}
    /// The poll returned; `finished`: the task is done.
    fn poll_ended(&self, _task: TaskId, _finished: bool) {}
    /// A timer due at `deadline` fired at `now`.
    fn timer_fired(&self, _deadline: Instant, _now: Instant) {}
    /// A task waits for an I/O source to become readable (`read`) or
    /// writable. The io layer numbers sources, one per socket, never reused.
    fn io_waiting(&self, _task: TaskId, _source: u64, _read: bool) {}
    /// An I/O source became ready to read, to write, or both.
    fn io_ready(&self, _source: u64, _read: bool, _write: bool) {}
    /// The runtime was dropped with this task still pending.
    fn dropped_pending(&self, _task: TaskId, _name: Option<&str>) {}
    /// Nothing is ready, no timer armed, no outside work out: may the loop
    /// stop for good? The proof; the loop still checks no wake slipped in.
    fn stuck(&self, _census: &Census<'_>) -> Option<Deadlock> {
        None
    }
}

/// Which ready task runs next: the seam for exploring schedules
/// (`explore.rs`). Without one, the loop runs them first in, first out.
pub trait Scheduler {
    /// Picks one of `ready` (more than one) tasks by its place in the ready
    /// queue: `0`, the oldest, is what FIFO would run.
    fn choose(&self, ready: usize) -> usize;
}

/// Where every task's wakers are, as the loop sees them when it is stuck.
pub struct Census<'a> {
    /// Each pending task, the `block_on` future first.
    pub tasks: &'a [Party<'a>],
    /// Each waker kept to be woken when a task ends, with that task.
    pub joins: &'a [(TaskId, &'a Waker)],
}

/// One pending task in a [`Census`].
pub struct Party<'a> {
    /// Its id.
    pub id: TaskId,
    /// Its name.
    pub name: Option<&'a str>,
    /// Its waker, to recognise clones of it by (`Waker::will_wake`).
    pub waker: &'a Waker,
    /// How many clones of its waker exist besides the task's own.
    pub clones: usize,
}

/// A proved deadlock, which [`Runtime::try_block_on`](crate::Runtime::try_block_on)
/// returns (and `block_on` panics with) when no task can ever progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadlock {
    report: String,
    cycle: Option<String>,
}

impl Deadlock {
    /// A proof whose text is `report`, with the wait `cycle` if there is one.
    pub fn new(report: String, cycle: Option<String>) -> Self {
        Deadlock { report, cycle }
    }

    /// The whole report: each task, what it holds and what it waits for.
    pub fn report(&self) -> &str {
        &self.report
    }

    /// The wait cycle, as "A -> m2 -> B -> m1 -> A", if the waits form one.
    pub fn cycle(&self) -> Option<&str> {
        self.cycle.as_deref()
    }
}

impl core::fmt::Display for Deadlock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.report)
    }
}

impl core::error::Error for Deadlock {}
