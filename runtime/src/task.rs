//! What a task is: a spawned future with an id, an optional name and a waker.
//!
//! Read this first after `lib.rs`. A task is the unit the loop schedules,
//! like a thread is the unit an OS schedules, except that it gives the CPU
//! back only when its future returns `Pending`: cooperative, not preemptive.
//!
//! A spawned future is wrapped once (see [`Task::new`]) so that, whatever its
//! output type, the loop sees a `Future<Output = ()>`: the wrapper delivers
//! the output (or the panic) to the task's [`JoinHandle`], and if the task is
//! dropped before finishing (aborted, or its runtime dropped) it tells the
//! handle "cancelled" instead. Next: `task/join.rs`, then `waker.rs`.
//!
//! # What a task costs
//!
//! Three allocations: the boxed future (its size plus a few words), the
//! join slot shared with the handle, and the waker (an `Arc`); plus one
//! slot in the registry. Measured by `tests/memory.rs` on x86-64: about 260
//! bytes for a task pending forever, about 460 for one asleep on a timer
//! (its wheel entry and a larger future), slab growth included.

use crate::waker::TaskWaker;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

mod join;

#[cfg(feature = "std")]
pub use join::join_all;
pub(crate) use join::{Completer, JoinSlot};
pub use join::{JoinError, JoinHandle};

/// A task's identity for people: numbered in spawn order, never reused.
///
/// # Examples
///
/// ```
/// let rt = minirt::Runtime::with_virtual_clock();
/// rt.block_on(async {
///     let handle = minirt::spawn(async {});
///     assert!(handle.id().to_string().starts_with("task-"));
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub(crate) u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task-{}", self.0)
    }
}

/// Where a task lives in the registry: slot index (low 32 bits) and the
/// slot's generation (high 32), so a key outliving its task matches nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey(pub(crate) u64);

impl TaskKey {
    /// The key of the `block_on` future, which lives outside the registry.
    pub(crate) const MAIN: TaskKey = TaskKey(u64::MAX);

    /// The key for a registry slot in a given generation.
    pub(crate) fn new(index: u32, generation: u32) -> Self {
        TaskKey(u64::from(generation) << 32 | u64::from(index))
    }

    /// The registry slot.
    pub(crate) fn index(self) -> usize {
        (self.0 & u64::from(u32::MAX)) as usize
    }

    /// The slot generation this key was made for.
    pub(crate) fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

/// A spawned task as the registry holds it.
///
/// Invariants:
/// - `future` is never polled again once it returned `Ready`: the loop drops
///   the task at that point.
/// - `waker` and `context_waker` are the same waker: one to reach the
///   `scheduled` flag, one ready-made to put in a `Context` without an `Arc`
///   clone per poll.
pub(crate) struct Task {
    /// The wrapped future; `Ready` means the handle has its output.
    pub(crate) future: Pin<Box<dyn Future<Output = ()>>>,
    /// This task's waker data.
    pub(crate) waker: Arc<TaskWaker>,
    /// The same, as a `Waker`.
    pub(crate) context_waker: Waker,
    /// The task's number.
    pub(crate) id: TaskId,
    /// The name given at spawn, for logs and reports.
    pub(crate) name: Option<Box<str>>,
    /// What the task said, in its last poll, it is waiting for.
    pub(crate) wait: Option<crate::executor::Wait>,
}

impl Task {
    /// Wraps `future` so its output reaches `slot`, and builds its waker.
    pub(crate) fn new<F>(
        future: F,
        slot: Rc<JoinSlot<F::Output>>,
        waker: Arc<TaskWaker>,
        id: TaskId,
        name: Option<Box<str>>,
    ) -> Task
    where
        F: Future + 'static,
    {
        // If the task is dropped before the end (abort, shutdown; even before
        // its first poll), the completer's drop tells the handle "cancelled".
        let completer = Completer::new(slot);
        let wrapped = async move {
            let output = catch_unwind(future).await;
            completer.complete(output);
        };
        Task {
            future: Box::pin(wrapped),
            context_waker: Waker::from(waker.clone()),
            waker,
            id,
            name,
            wait: None,
        }
    }

    /// Polls the task once; `Ready` means it is finished.
    pub(crate) fn poll(&mut self) -> Poll<()> {
        self.waker.clear_scheduled();
        let mut cx = Context::from_waker(&self.context_waker);
        self.future.as_mut().poll(&mut cx)
    }
}

/// Runs a future, turning a panic in any of its polls into a [`JoinError`].
#[cfg(feature = "std")]
async fn catch_unwind<F: Future>(future: F) -> Result<F::Output, JoinError> {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let mut future = core::pin::pin!(future);
    core::future::poll_fn(|cx| {
        // The future is dropped right after a panic and never polled again,
        // so whatever half-updated state it holds cannot be observed.
        match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(JoinError::panic(payload))),
        }
    })
    .await
}

/// Without `std` there is no unwinding to catch: a panic aborts.
#[cfg(not(feature = "std"))]
async fn catch_unwind<F: Future>(future: F) -> Result<F::Output, JoinError> {
    Ok(future.await)
}

/// Gives the CPU back to the loop once: the task goes to the back of the
/// ready queue, behind every task that was already waiting.
///
/// # Examples
///
/// ```
/// let rt = minirt::Runtime::with_virtual_clock();
/// rt.block_on(async {
///     let other = minirt::spawn(async { "other ran" });
///     minirt::yield_now().await;
///     assert!(other.is_finished());
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    /// Whether the one `Pending` was already returned.
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_main_is_out_of_range() {
        let key = TaskKey::new(7, 3);
        assert_eq!((key.index(), key.generation()), (7, 3));
        assert_ne!(TaskKey::new(u32::MAX - 1, u32::MAX), TaskKey::MAIN);
    }

    #[test]
    fn sizes_stay_small() {
        // The fixed part of a task, whatever its future: registry slot and waker.
        assert!(
            core::mem::size_of::<Task>() <= 88,
            "{}",
            core::mem::size_of::<Task>()
        );
        assert!(core::mem::size_of::<TaskWaker>() <= 24);
    }
}
