//! [`Mutex`]: an async lock the runtime can see into.
//!
//! Read this after `time.rs`. Like `std::sync::Mutex`, but waiting for it is
//! a future: a task that finds it taken returns `Pending` and the loop runs
//! others, instead of the whole thread blocking. Holding a guard across an
//! `.await` is the point (that is what a `std` mutex must never do on a loop).
//!
//! The lock knows its name, its holder and its waiters, and a waiting task
//! announces what it waits for; that is what lets the loop prove a deadlock
//! and name the cycle (`executor/deadlock.rs`) where other runtimes just hang.
//!
//! Waiters are woken first come, first served, but a task that is already
//! running may take a lock that was just released before the woken waiter
//! runs (barging, as in most async mutexes): simpler, and fast.

use crate::task::TaskKey;
use alloc::boxed::Box;
use core::cell::Cell;

/// What the runtime can see of a lock: its name and its holder.
pub(crate) struct LockState {
    /// Shown in deadlock reports.
    name: Box<str>,
    /// The task holding the lock, if it is held.
    holder: Cell<Option<TaskKey>>,
}

impl LockState {
    /// The lock's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Who holds it.
    pub(crate) fn holder(&self) -> Option<TaskKey> {
        self.holder.get()
    }
}

#[cfg(feature = "std")]
mod mutex;

#[cfg(feature = "std")]
pub use mutex::{Lock, Mutex, MutexGuard};
