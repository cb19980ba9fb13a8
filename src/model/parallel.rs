//! Tasks on a multi-threaded async executor: the model of addition A2.
//!
//! The same shape as [`event_loop`](super::event_loop), except that spawned
//! tasks may run on any of the executor's threads at once, so they must be
//! `Send`. The scenario's `main` itself runs on the calling thread
//! (`MainThread`), as `block_on` does in smol and tokio.

use super::event_loop::LocalFuture;
use super::Sleeper;
use crate::clock::{Clock, SystemClock};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A boxed future that may move between threads.
pub type SendFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What a scenario may ask of a multi-threaded executor.
pub trait ParallelLoop: Send + Sync {
    /// Schedules `task` on the executor's threads. The returned future
    /// completes when the task has; dropping it detaches the task.
    ///
    /// A task that panicked makes the returned future panic too.
    fn spawn(&self, task: SendFuture<()>) -> SendFuture<()>;

    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SendFuture<()>;
}

/// The handle a scenario's `main` receives.
pub type ParallelHandle = Arc<dyn ParallelLoop>;

/// A scenario's `main` for a multi-threaded executor.
pub type ParallelMain = Box<dyn FnOnce(ParallelHandle) -> LocalFuture<()>>;

/// A backend that runs multi-threaded async executors (on the system clock).
pub trait ParallelBackend {
    /// The clock a run is measured on, and which decides how a task blocks
    /// a worker thread: the system's, unless the executor must be told.
    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(SystemClock::new())
    }

    /// Runs `main` to completion on the calling thread, with a fresh
    /// executor of two worker threads for the tasks it spawns.
    ///
    /// # Errors
    ///
    /// If the executor or its threads cannot be started.
    fn run(&self, main: ParallelMain) -> anyhow::Result<()>;
}

impl Sleeper for ParallelHandle {
    type Sleep = SendFuture<()>;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        ParallelLoop::sleep(&**self, duration)
    }
}
