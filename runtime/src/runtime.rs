//! [`Runtime`], the owner of one loop, and the free functions that find the
//! current one: [`block_on`], [`spawn`], [`task_count`]. Read this last in
//! the core. A runtime stays on its thread (it is `!Send`): its tasks need
//! not be `Send`, and nothing in the loop takes a lock. [`Builder`], beside
//! it, is where layers attach.

use crate::executor::Core;
use crate::hooks::Deadlock;
use crate::join::JoinHandle;
use crate::task::TaskId;
use crate::time::Sleep;
use crate::{Builder, Clock, Instant};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::future::Future;
use core::time::Duration;

/// A single-threaded event loop and the tasks spawned on it.
///
/// Tasks still pending when [`block_on`](Runtime::block_on) returns stay
/// and run again at the next `block_on`. Dropping the runtime drops them
/// (their handles then report "cancelled"), with any task a destructor
/// spawns meanwhile; a finished task keeps its output for its handle.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let rt = minirt::Runtime::with_virtual_clock();
/// let elapsed = rt.block_on(async {
///     let start = minirt::Instant::now();
///     minirt::sleep(Duration::from_secs(5)).await;
///     start.elapsed()
/// });
/// assert_eq!(elapsed, Duration::from_secs(5)); // exact, and instant
/// ```
pub struct Runtime {
    core: Rc<Core>,
}

impl Runtime {
    /// A runtime on the operating system's clock: sleeps take real time.
    #[cfg(feature = "std")]
    #[allow(clippy::new_without_default)] // Creating a runtime is not a "default" value.
    pub fn new() -> Self {
        Builder::new().build()
    }

    /// A [`Builder`] to choose the clock and the layers.
    pub fn builder() -> Builder {
        Builder::new()
    }

    pub(crate) fn from_core(core: Core) -> Self {
        Runtime {
            core: Rc::new(core),
        }
    }

    /// A runtime on a [`VirtualClock`](crate::VirtualClock): when no task is
    /// ready, time jumps to the next deadline. Exact, and no wall time.
    pub fn with_virtual_clock() -> Self {
        Builder::new().virtual_clock().build()
    }

    /// A runtime on any clock: a board's hardware timer, say.
    pub fn with_clock(clock: impl Clock + 'static) -> Self {
        Builder::new().clock(clock).build()
    }

    /// Runs `future` to completion on this thread, running the tasks it
    /// spawns meanwhile, and returns its output.
    ///
    /// # Panics
    ///
    /// If `future` panics (the panic passes through); if called inside a
    /// runtime (the outer loop would stall until this one returns, so it is
    /// refused rather than left to deadlock); on a proved deadlock, with
    /// its report (see [`try_block_on`](Runtime::try_block_on)).
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self.try_block_on(future) {
            Ok(output) => output,
            Err(deadlock) => panic!("{deadlock}"),
        }
    }

    /// As [`block_on`](Runtime::block_on), but a proved deadlock comes back
    /// as an error, for a caller that reports it.
    ///
    /// # Errors
    ///
    /// [`Deadlock`]: no task can ever make progress. The tasks stay in the
    /// runtime, as after any `block_on`.
    pub fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, Deadlock> {
        #[cfg(feature = "std")]
        let _current = crate::context::enter(&self.core);
        self.core.run(future)
    }

    /// Spawns a task on this runtime from outside it; it runs at the next
    /// `block_on`.
    pub fn spawn<F: Future<Output: 'static> + 'static>(&self, future: F) -> JoinHandle<F::Output> {
        JoinHandle::spawn(&self.core, None, future)
    }

    /// Spawns a named task on this runtime from outside it.
    pub fn spawn_named<F>(&self, name: impl Into<String>, future: F) -> JoinHandle<F::Output>
    where
        F: Future<Output: 'static> + 'static,
    {
        JoinHandle::spawn(&self.core, Some(name.into().into_boxed_str()), future)
    }

    /// A `Sleep` on this runtime's clock; the way to sleep without `std`,
    /// where there is no current runtime.
    pub fn sleep(&self, duration: Duration) -> Sleep {
        Sleep::on(self.core.clone(), self.now() + duration)
    }

    /// The current time on this runtime's clock.
    pub fn now(&self) -> Instant {
        Instant::from_clock(self.core.clock.now())
    }

    /// Live tasks in this runtime (plus one while a `block_on` runs).
    pub fn task_count(&self) -> usize {
        self.core.task_count()
    }

    /// The tasks still pending, as (id, name), in no particular order: what
    /// dropping the runtime would cancel (asyncio's "Task was destroyed but
    /// it is pending").
    pub fn pending_tasks(&self) -> Vec<(TaskId, Option<String>)> {
        self.core.tasks.inspect(|live, names| {
            let named = |id| (id, names.get(&id).map(|name| String::from(&**name)));
            live.iter().map(|task| named(task.id())).collect()
        })
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Current while its tasks are dropped: a destructor that spawns
        // spawns here, and is cancelled with the rest.
        #[cfg(feature = "std")]
        let _current = crate::context::enter_for_shutdown(&self.core);
        self.core.shutdown();
    }
}

impl core::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Runtime")
            .field("tasks", &self.task_count())
            .finish()
    }
}

/// Runs `future` on a fresh system-clock runtime, then drops every task it
/// left pending: Python's `asyncio.run`.
///
/// # Panics
///
/// As [`Runtime::block_on`].
#[cfg(feature = "std")]
pub fn block_on<F: Future>(future: F) -> F::Output {
    Runtime::new().block_on(future)
}

/// Spawns a task on the current runtime; it starts at the loop's next pass.
/// The future need not be `Send`: it never leaves this thread.
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// let rt = minirt::Runtime::with_virtual_clock();
/// let sum = rt.block_on(async { minirt::spawn(async { 1 + 2 }).await.unwrap() });
/// assert_eq!(sum, 3);
/// ```
#[cfg(feature = "std")]
#[track_caller]
pub fn spawn<F: Future<Output: 'static> + 'static>(future: F) -> JoinHandle<F::Output> {
    crate::context::with("spawn", |core| JoinHandle::spawn(core, None, future))
}

/// Spawns a task with a name, which logs and reports show.
///
/// # Panics
///
/// Outside a runtime.
#[cfg(feature = "std")]
#[track_caller]
pub fn spawn_named<F>(name: impl Into<String>, future: F) -> JoinHandle<F::Output>
where
    F: Future<Output: 'static> + 'static,
{
    let name = name.into().into_boxed_str();
    crate::context::with("spawn_named", |core| {
        JoinHandle::spawn(core, Some(name), future)
    })
}

/// Live tasks on the current runtime, counting the `block_on` future (as
/// the article's `len(asyncio.all_tasks())` does).
///
/// # Panics
///
/// Outside a runtime.
#[cfg(feature = "std")]
#[track_caller]
pub fn task_count() -> usize {
    crate::context::with("task_count", |core| core.task_count())
}

/// The id of the task being polled ([`TaskId::MAIN`] for the `block_on`
/// future), as tokio's `task::id()` gives it.
///
/// # Panics
///
/// Outside a runtime.
#[cfg(feature = "std")]
#[track_caller]
pub fn task_id() -> TaskId {
    crate::context::with("task_id", |core| core.current.get())
}
