//! The gate of `connections` on threads: each thread opens its
//! connection and waits; the main thread waits until all are open,
//! measures, then lets them all go at once.
//!
//! Part of `scenario/connections.rs`. Like a `std::sync::Barrier` that
//! the main thread opens, except that every wait is bounded by
//! [`CALL_TIMEOUT`]: a thread that never arrives (refused by the OS)
//! cannot hang the others for ever.

use crate::model::io::CALL_TIMEOUT;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A count of opened connections, and whether they may go on.
///
/// - `opened` only grows, up to `count`; `go` only turns true.
pub(super) struct Gate {
    /// How many threads will arrive.
    count: usize,
    /// (connections opened or failed so far, whether the gate is open).
    state: Mutex<(usize, bool)>,
    /// Told of every change of `state`.
    changed: Condvar,
}

impl Gate {
    /// A closed gate that `count` threads will arrive at.
    pub(super) fn new(count: usize) -> Self {
        Gate {
            count,
            state: Mutex::new((0, false)),
            changed: Condvar::new(),
        }
    }

    /// A thread has tried to open its connection: counts it, and hands
    /// back `connection`, opened or not.
    pub(super) fn opened<T>(&self, connection: T) -> T {
        self.lock().0 += 1;
        self.changed.notify_all();
        connection
    }

    /// Waits until every thread has tried to open its connection.
    ///
    /// # Errors
    ///
    /// If they have not after [`CALL_TIMEOUT`].
    pub(super) fn wait_until_all_opened(&self) -> anyhow::Result<()> {
        let guard = self.lock();
        let (state, waited) = (self.changed)
            .wait_timeout_while(guard, CALL_TIMEOUT, |(opened, _)| *opened < self.count)
            .unwrap_or_else(PoisonError::into_inner);
        let opened = state.0;
        anyhow::ensure!(
            !waited.timed_out(),
            "only {opened} of {} connections opened",
            self.count
        );
        Ok(())
    }

    /// Opens the gate: every thread waiting in [`Gate::wait_for_go`] goes on.
    pub(super) fn go(&self) {
        self.lock().1 = true;
        self.changed.notify_all();
    }

    /// Waits until the gate opens.
    ///
    /// # Errors
    ///
    /// If it has not after [`CALL_TIMEOUT`].
    pub(super) fn wait_for_go(&self) -> anyhow::Result<()> {
        let guard = self.lock();
        let (state, waited) = (self.changed)
            .wait_timeout_while(guard, CALL_TIMEOUT, |(_, go)| !*go)
            .unwrap_or_else(PoisonError::into_inner);
        drop(state);
        anyhow::ensure!(!waited.timed_out(), "the gate never opened");
        Ok(())
    }

    /// The state; a panicking thread must not stop the others.
    fn lock(&self) -> MutexGuard<'_, (usize, bool)> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
