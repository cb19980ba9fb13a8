//! Waiting for a task: [`JoinHandle`], [`JoinError`] and [`join_all`].
//!
//! Part of `task.rs`. Like `std::thread::JoinHandle`, a handle is how the
//! spawner gets the task's result; unlike it, waiting is a future, and
//! dropping the handle detaches the task (it keeps running) instead of
//! blocking. The task and its handle share one [`JoinSlot`]: the task's
//! wrapper writes the outcome there and wakes whoever waits on the handle.

use crate::executor::Core;
use crate::task::{TaskId, TaskKey};
use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use core::any::Any;
use core::cell::Cell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

/// An owned permission to await a task's output, or to abort it.
///
/// Awaiting gives `Ok(output)`, or a [`JoinError`] if the task panicked or
/// was aborted. Dropping the handle detaches the task.
///
/// # Examples
///
/// ```
/// let rt = minirt::Runtime::with_virtual_clock();
/// let answer = rt.block_on(async { minirt::spawn(async { 6 * 7 }).await });
/// assert_eq!(answer.unwrap(), 42);
/// ```
#[must_use = "dropping a JoinHandle detaches the task; use `let _ =` to make that explicit"]
pub struct JoinHandle<T> {
    /// Where the task puts its outcome.
    slot: Rc<JoinSlot<T>>,
    /// The runtime, to abort the task; weak, so a handle kept past its
    /// runtime keeps nothing alive.
    core: Weak<Core>,
    /// The task's place in that runtime.
    key: TaskKey,
    /// The task's number.
    id: TaskId,
}

impl<T> JoinHandle<T> {
    /// A handle to the task under `key`, sharing `slot` with it.
    pub(crate) fn new(slot: Rc<JoinSlot<T>>, core: Weak<Core>, key: TaskKey, id: TaskId) -> Self {
        JoinHandle {
            slot,
            core,
            key,
            id,
        }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// Whether the task has finished: returned, panicked or was aborted.
    pub fn is_finished(&self) -> bool {
        self.slot.finished.get()
    }

    /// Drops the task's future at once (running its destructors, cancelling
    /// its timers); awaiting the handle then gives a cancelled [`JoinError`].
    /// A task that already finished keeps its output. A task that aborts
    /// itself is dropped when its current poll returns.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = minirt::Runtime::with_virtual_clock();
    /// rt.block_on(async {
    ///     let sleeper = minirt::spawn(minirt::sleep(Duration::from_secs(60)));
    ///     sleeper.abort();
    ///     assert!(sleeper.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        if let Some(core) = self.core.upgrade() {
            core.abort(self.key);
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(outcome) = self.slot.outcome.take() {
            return Poll::Ready(outcome);
        }
        assert!(
            !self.slot.finished.get(),
            "JoinHandle polled after it returned"
        );
        self.slot.waiter.set(Some(cx.waker().clone()));
        // Tell the loop what we wait for, so a deadlock can be proved.
        if let Some(core) = self.core.upgrade() {
            core.note_wait(crate::executor::Wait::Join(self.key));
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").field("id", &self.id).finish()
    }
}

/// Why a task gave no output: it panicked, or it was cancelled.
///
/// A struct rather than a bare enum so the panic payload can be carried and
/// the variants can grow without breaking callers, as in tokio.
pub struct JoinError {
    /// The panic payload, or `None` for a cancelled task.
    panic: Option<Box<dyn Any + Send + 'static>>,
}

impl JoinError {
    /// The task was dropped before it finished.
    pub(crate) fn cancelled() -> Self {
        JoinError { panic: None }
    }

    /// The task panicked with this payload.
    #[cfg_attr(not(feature = "std"), allow(dead_code))] // Only `std` catches panics.
    pub(crate) fn panic(payload: Box<dyn Any + Send + 'static>) -> Self {
        JoinError {
            panic: Some(payload),
        }
    }

    /// Whether the task was aborted, or dropped with its runtime.
    pub fn is_cancelled(&self) -> bool {
        self.panic.is_none()
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        self.panic.is_some()
    }

    /// The panic payload, to re-raise with `std::panic::resume_unwind`;
    /// `None` for a cancelled task.
    pub fn into_panic(self) -> Option<Box<dyn Any + Send + 'static>> {
        self.panic
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.panic {
            None => f.write_str("task was cancelled"),
            Some(payload) => match payload.downcast_ref::<&str>().copied().or_else(|| {
                payload
                    .downcast_ref::<alloc::string::String>()
                    .map(|s| s.as_str())
            }) {
                Some(message) => write!(f, "task panicked: {message}"),
                None => f.write_str("task panicked"),
            },
        }
    }
}

impl core::error::Error for JoinError {}

/// The meeting point of a task and its handle.
///
/// Invariants: `finished` turns true once and stays; `outcome` is filled at
/// that moment and emptied once, by the handle.
pub(crate) struct JoinSlot<T> {
    /// The output or error, until the handle takes it.
    outcome: Cell<Option<Result<T, JoinError>>>,
    /// Whether the task is done.
    finished: Cell<bool>,
    /// Who awaits the handle, to wake on completion.
    waiter: Cell<Option<Waker>>,
}

impl<T> JoinSlot<T> {
    /// A slot for a task that has not finished.
    pub(crate) fn new() -> Self {
        JoinSlot {
            outcome: Cell::new(None),
            finished: Cell::new(false),
            waiter: Cell::new(None),
        }
    }

    /// Records the outcome and wakes the waiter.
    fn finish(&self, outcome: Result<T, JoinError>) {
        self.outcome.set(Some(outcome));
        self.finished.set(true);
        if let Some(waiter) = self.waiter.take() {
            waiter.wake();
        }
    }
}

/// Held by a running task's wrapper: delivers its outcome, or, if dropped
/// first, "cancelled".
pub(crate) struct Completer<T>(Rc<JoinSlot<T>>);

impl<T> Completer<T> {
    /// A completer for `slot`.
    pub(crate) fn new(slot: Rc<JoinSlot<T>>) -> Self {
        Completer(slot)
    }

    /// Delivers the task's outcome.
    pub(crate) fn complete(self, outcome: Result<T, JoinError>) {
        self.0.finish(outcome);
    }
}

impl<T> Drop for Completer<T> {
    fn drop(&mut self) {
        if !self.0.finished.get() {
            self.0.finish(Err(JoinError::cancelled()));
        }
    }
}

/// Spawns every future as a task at once and resolves to their outputs in
/// input order: `asyncio.gather`.
///
/// # Panics
///
/// The returned future re-raises the panic of a task that panicked, and
/// panics if a task was aborted, as `gather` raises.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let rt = minirt::Runtime::with_virtual_clock();
/// let outputs = rt.block_on(async {
///     let start = minirt::Instant::now();
///     let outputs = minirt::join_all((1..=3).rev().map(|s| async move {
///         minirt::sleep(Duration::from_secs(s)).await;
///         s
///     }))
///     .await;
///     assert_eq!(start.elapsed(), Duration::from_secs(3));
///     outputs
/// });
/// assert_eq!(outputs, [3, 2, 1]);
/// ```
#[cfg(feature = "std")]
pub fn join_all<I>(futures: I) -> impl Future<Output = alloc::vec::Vec<<I::Item as Future>::Output>>
where
    I: IntoIterator,
    I::Item: Future + 'static,
{
    let handles: alloc::vec::Vec<_> = futures.into_iter().map(crate::spawn).collect();
    async move {
        let mut outputs = alloc::vec::Vec::with_capacity(handles.len());
        for handle in handles {
            let id = handle.id();
            match handle.await {
                Ok(output) => outputs.push(output),
                Err(error) => match error.into_panic() {
                    Some(payload) => std::panic::resume_unwind(payload),
                    None => panic!("join_all: {id} was cancelled"),
                },
            }
        }
        outputs
    }
}
