//! Waiting for a task: [`JoinHandle`], [`JoinError`] and [`join_all`].
//!
//! Part of `task.rs`. Like `std::thread::JoinHandle`, a handle is how the
//! spawner gets the task's result; unlike it, waiting is a future, and
//! dropping the handle detaches the task (it keeps running) instead of
//! blocking. A handle holds its task's key and the registry it shares with
//! the loop: the registry keeps an ended task's body, outcome inside, until
//! the handle takes it (even after the runtime is dropped), and wakes
//! whoever awaits the handle when the task ends. A task aborted, or dropped
//! with its runtime, ends with "cancelled" as its outcome.

use crate::executor::Tasks;
use crate::task::{Outcome, TaskId, TaskKey};
use alloc::boxed::Box;
use alloc::rc::Rc;
use core::any::Any;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

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
    /// The registry, where the task and then its outcome live.
    tasks: Rc<Tasks>,
    /// The task's place in that runtime.
    key: TaskKey,
    /// The task's number.
    id: TaskId,
    /// Whether the handle has returned the outcome (or the error).
    returned: bool,
    /// The handle stands for a `T` it does not store.
    output: PhantomData<fn() -> T>,
}

impl<T> JoinHandle<T> {
    /// A handle to the task under `key`.
    pub(crate) fn new(tasks: Rc<Tasks>, key: TaskKey, id: TaskId) -> Self {
        JoinHandle {
            tasks,
            key,
            id,
            returned: false,
            output: PhantomData,
        }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// Whether the task has finished: returned, panicked or was aborted.
    pub fn is_finished(&self) -> bool {
        self.returned || self.tasks.borrow().is_finished(self.key)
    }

    /// Drops the task's future at once (running its destructors, cancelling
    /// its timers); awaiting the handle then gives a cancelled [`JoinError`],
    /// or a panicked one if the future's destructor panicked: `abort` itself
    /// never panics. A task that already finished keeps its output. A task
    /// that aborts itself is dropped when its current poll returns.
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
        self.tasks.abort(self.key);
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        assert!(!self.returned, "JoinHandle polled after it returned");
        let Poll::Ready(body) = self.tasks.poll_join(self.key, cx.waker()) else {
            return Poll::Pending;
        };
        self.returned = true;
        let Some(mut body) = body else {
            return Poll::Ready(Err(JoinError::cancelled()));
        };
        let mut outcome: Option<Outcome<T>> = None;
        body.as_mut().take_outcome(&mut outcome);
        // The emptied body is dropped here, with no borrow held.
        drop(body);
        Poll::Ready(outcome.expect("a finished task's outcome is taken once"))
    }
}

impl<T> Drop for JoinHandle<T> {
    /// Detaches the task: it runs on, and its output is dropped when it ends.
    fn drop(&mut self) {
        if self.returned {
            return;
        }
        self.tasks.detach(self.key);
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
    <I::Item as Future>::Output: 'static,
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
