//! Waiting for a task: its [`JoinHandle`].
//!
//! Read this after `time.rs`. Like `std::thread::JoinHandle`, a handle is
//! how the spawner gets a task's result; unlike it, waiting is a future,
//! and dropping the handle detaches the task (it runs on) instead of
//! blocking. The handle holds a reference to its task, whose allocation
//! keeps the outcome for it even after the runtime is dropped, and the
//! registry it shares with the loop, to abort the task: the one place
//! where something outside the loop reaches into it, as a handle must.

use crate::executor::Core;
use crate::raw::Joinable;
use crate::registry::Tasks;
use crate::task::{JoinError, TaskId};
use alloc::boxed::Box;
use alloc::rc::Rc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// An owned permission to await a task's output, or to abort it.
///
/// Awaiting gives `Ok(output)`, or a [`JoinError`] if the task panicked or
/// was aborted. Dropping the handle detaches the task. Two pointers: the
/// registry, and the task, whose block keeps its outcome.
#[must_use = "dropping a JoinHandle detaches the task; use `let _ =` to make that explicit"]
pub struct JoinHandle<T> {
    tasks: Rc<Tasks>,
    task: Joinable<T>,
}

impl<T> JoinHandle<T> {
    /// Spawns `future` on `core`.
    pub(crate) fn spawn<F>(core: &Core, name: Option<Box<str>>, future: F) -> Self
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        let task = core.spawn(name, future);
        JoinHandle {
            tasks: core.tasks.clone(),
            task,
        }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.task.task().id()
    }

    /// Whether the task has finished: returned, panicked or was aborted.
    pub fn is_finished(&self) -> bool {
        self.task.task().has_ended()
    }

    /// Drops the task's future at once (running its destructors, cancelling
    /// its timers); awaiting the handle then gives a cancelled [`JoinError`]
    /// (a panicked one if the future's destructor panicked: `abort` never
    /// panics). A finished task keeps its output; a task that aborts itself
    /// is dropped when its current poll returns.
    pub fn abort(&self) {
        self.tasks.abort(self.task.task());
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    /// # Panics
    ///
    /// Once it has returned.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.task.poll(cx.waker())
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}
