//! What a task is: a spawned future with an id, an optional name and a waker.
//!
//! Read this first after `lib.rs`. A task is the unit the loop schedules,
//! like a thread is the unit an OS schedules, except that it gives the CPU
//! back only when its future returns `Pending`: cooperative, not preemptive.
//!
//! A spawned future is boxed once, as a body (`task/body.rs`) that holds the
//! future while it runs and its output (or its panic) once it has finished,
//! whatever the output type: the loop only ever asks a body to poll. The
//! task's [`JoinHandle`] takes the output from the registry, which keeps a
//! finished body until then; a task dropped before finishing (aborted, or
//! its runtime dropped) leaves nothing, which the handle reads as
//! "cancelled". Next: `task/body.rs`, `task/join.rs`, then `waker.rs`.
//!
//! # What a task costs
//!
//! Two allocations: the body (the future's size plus a tag) and the waker
//! (an `Arc`, which must be `Send + Sync`, so it cannot share the body's
//! box without `unsafe`); plus one slot in the registry. Measured by
//! `tests/memory.rs` on x86-64: about 200 bytes for a task pending
//! forever, about 300 for one asleep on a timer (its wheel entry
//! and a larger future), slab growth included.

use crate::waker::TaskWaker;
use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

mod body;
mod join;

pub(crate) use body::{drop_quietly, Body, Outcome};
#[cfg(feature = "std")]
pub use join::join_all;
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
/// - `body` is never polled again once it returned `Ready`: the registry
///   then keeps only the body, for the handle to take the outcome from.
/// - `waker` and `context_waker` are the same waker: one to reach the
///   `scheduled` flag, one ready-made to put in a `Context` without an `Arc`
///   clone per poll.
pub(crate) struct Task {
    /// The future, then its outcome.
    pub(crate) body: Pin<Box<dyn Body>>,
    /// This task's waker data.
    pub(crate) waker: Arc<TaskWaker>,
    /// The same, as a `Waker`.
    pub(crate) context_waker: Waker,
    /// The task's number.
    pub(crate) id: TaskId,
    /// The name given at spawn, for logs and reports.
    pub(crate) name: Option<Box<str>>,
}

impl Task {
    /// Boxes `future` as a task body and builds its waker.
    pub(crate) fn new<F>(
        future: F,
        waker: Arc<TaskWaker>,
        id: TaskId,
        name: Option<Box<str>>,
    ) -> Task
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Task {
            body: Box::pin(body::Stage::new(future)),
            context_waker: Waker::from(waker.clone()),
            waker,
            id,
            name,
        }
    }

    /// Polls the task once; `Ready` means it is finished.
    pub(crate) fn poll(&mut self) -> Poll<()> {
        poll_body(&mut self.body, &self.waker, &self.context_waker)
    }

    /// The task's id and name, and a poll of it: an observer sees who is
    /// polled without the name being copied.
    pub(crate) fn watchable(&mut self) -> (TaskId, Option<&str>, impl FnOnce() -> Poll<()> + '_) {
        let Task {
            body,
            waker,
            context_waker,
            id,
            name,
        } = self;
        (*id, name.as_deref(), move || {
            poll_body(body, waker, context_waker)
        })
    }
}

/// One poll of a task's body, its `scheduled` flag cleared first.
fn poll_body(body: &mut Pin<Box<dyn Body>>, waker: &TaskWaker, context_waker: &Waker) -> Poll<()> {
    waker.clear_scheduled();
    let mut cx = Context::from_waker(context_waker);
    body.as_mut().poll(&mut cx)
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
        // The fixed part of a task, whatever its future: registry slot and
        // waker. 64 bytes on x86-64: the body and the context waker (16
        // each), the name (16), the waker `Arc` and the id.
        assert!(
            core::mem::size_of::<Task>() <= 64,
            "{}",
            core::mem::size_of::<Task>()
        );
        assert!(core::mem::size_of::<TaskWaker>() <= 24);
    }
}
