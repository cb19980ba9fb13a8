//! Waiting for a task: its [`JoinHandle`].
//!
//! Read this after `time.rs`. Like `std::thread::JoinHandle`, a handle is
//! how the spawner gets a task's result; unlike it, waiting is a future,
//! and dropping the handle detaches the task (it runs on) instead of
//! blocking. The handle holds its task's key and the registry it shares
//! with the loop, where an ended task's outcome waits for it, even after
//! the runtime is dropped: the one place where something outside the loop
//! reaches into it, as a handle must.

use crate::executor::Core;
use crate::registry::Tasks;
use crate::task::{JoinError, Outcome, TaskId, TaskKey};
use alloc::boxed::Box;
use alloc::rc::Rc;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

/// An owned permission to await a task's output, or to abort it.
///
/// Awaiting gives `Ok(output)`, or a [`JoinError`] if the task panicked or
/// was aborted. Dropping the handle detaches the task.
#[must_use = "dropping a JoinHandle detaches the task; use `let _ =` to make that explicit"]
pub struct JoinHandle<T> {
    tasks: Rc<Tasks>,
    key: TaskKey,
    id: TaskId,
    /// Whether the outcome (or the error) was returned.
    returned: bool,
    output: PhantomData<fn() -> T>,
}

impl<T> JoinHandle<T> {
    /// Spawns `future` on `core`.
    pub(crate) fn spawn<F>(core: &Core, name: Option<Box<str>>, future: F) -> Self
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        let (key, id) = core.spawn(name, future);
        JoinHandle {
            tasks: core.tasks.clone(),
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
        self.returned || self.tasks.is_finished(self.key)
    }

    /// Drops the task's future at once (running its destructors, cancelling
    /// its timers); awaiting the handle then gives a cancelled [`JoinError`]
    /// (a panicked one if the future's destructor panicked: `abort` never
    /// panics). A finished task keeps its output; a task that aborts itself
    /// is dropped when its current poll returns.
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
        Poll::Ready(outcome.expect("a finished task's outcome is taken once"))
    }
}

impl<T> Drop for JoinHandle<T> {
    /// Detaches the task: it runs on, and its output is dropped when it ends.
    fn drop(&mut self) {
        if !self.returned {
            self.tasks.detach(self.key);
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").field("id", &self.id).finish()
    }
}
