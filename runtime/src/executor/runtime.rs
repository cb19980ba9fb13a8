//! [`Runtime`]: the owner of one event loop, and the `block_on` entry points.
//!
//! Part of `executor.rs`. A runtime is created on one thread and stays there
//! (it is `!Send`): its tasks need not be `Send`, and nothing in the loop
//! takes a lock.

use super::{Builder, Core};
use crate::task::{JoinHandle, TaskId};
use crate::time::{Instant, Sleep};
use crate::Clock;
use alloc::rc::Rc;
use core::future::Future;
use core::time::Duration;

/// A single-threaded event loop and the tasks spawned on it.
///
/// Tasks still pending when [`block_on`](Runtime::block_on) returns stay in
/// the runtime and run again at the next `block_on`; dropping the runtime
/// drops them (their join handles then report "cancelled"), and any task a
/// destructor spawns meanwhile with them. A task that had finished keeps
/// its output for its handle.
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
    /// The loop's state, shared with `Sleep`s and join handles.
    core: Rc<Core>,
}

impl Runtime {
    /// A runtime on the operating system's clock: sleeps take real time.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::new();
    /// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
    /// ```
    #[cfg(feature = "std")]
    #[allow(clippy::new_without_default)] // Creating a runtime is not a "default" value.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// A [`Builder`] to choose the clock, an observer, a stall threshold.
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// A runtime around a fresh loop.
    pub(super) fn from_core(core: Core) -> Self {
        Runtime {
            core: Rc::new(core),
        }
    }

    /// A runtime on a [`VirtualClock`](crate::VirtualClock): when no task is ready, time jumps to
    /// the next deadline. Timelines are exact and take no wall time.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = minirt::Runtime::with_virtual_clock();
    /// rt.block_on(rt.sleep(Duration::from_secs(3600)));
    /// assert_eq!(rt.now().duration_since(minirt::Instant::ZERO).as_secs(), 3600);
    /// ```
    pub fn with_virtual_clock() -> Self {
        Self::builder().virtual_clock().build()
    }

    /// A runtime on any clock: a board's hardware timer, say.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::with_clock(minirt::VirtualClock::new());
    /// assert_eq!(rt.block_on(async { "done" }), "done");
    /// ```
    pub fn with_clock(clock: impl Clock + 'static) -> Self {
        Self::builder().clock(clock).build()
    }

    /// Runs `future` to completion on this thread, running the tasks it
    /// spawns meanwhile, and returns its output.
    ///
    /// # Panics
    ///
    /// If `future` panics (the panic passes through), if called from
    /// inside a runtime (the outer loop would stall until this one returns,
    /// so it is refused rather than left to deadlock), or on a proved
    /// deadlock, with its report (see [`try_block_on`](Runtime::try_block_on)).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::with_virtual_clock();
    /// let handle = rt.block_on(async { minirt::spawn(async { "kept" }) });
    /// // The task is still in the runtime; the next block_on runs it.
    /// assert_eq!(rt.block_on(handle).unwrap(), "kept");
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self.try_block_on(future) {
            Ok(output) => output,
            Err(deadlock) => panic!("{deadlock}"),
        }
    }

    /// As [`block_on`](Runtime::block_on), but a proved deadlock comes back
    /// as an error instead of a panic, for a caller that reports it.
    ///
    /// # Errors
    ///
    /// [`Deadlock`](crate::Deadlock): no task can ever make progress. The
    /// tasks are still in the runtime, as after any `block_on`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::with_virtual_clock();
    /// let stuck = rt.try_block_on(async {
    ///     let lock = minirt::sync::Mutex::named("m", ());
    ///     let _held = lock.lock().await;
    ///     let _again = lock.lock().await; // waits for itself
    /// });
    /// assert_eq!(stuck.unwrap_err().cycle(), Some("main -> m -> main"));
    /// ```
    pub fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, crate::Deadlock> {
        #[cfg(feature = "std")]
        let _current = crate::context::enter(&self.core);
        self.core.run(future)
    }

    /// Spawns a task on this runtime from outside it; it runs at the next
    /// `block_on`. Inside the runtime, [`spawn`](crate::spawn) finds it.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::with_virtual_clock();
    /// let handle = rt.spawn(async { 7 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 7);
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.core.spawn(None, future)
    }

    /// Spawns a named task on this runtime from outside it.
    pub fn spawn_named<F>(
        &self,
        name: impl Into<alloc::string::String>,
        future: F,
    ) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let name = name.into().into_boxed_str();
        self.core.spawn(Some(name), future)
    }

    /// A `Sleep` on this runtime's clock (what [`sleep`](crate::sleep) does
    /// inside it); useful without `std`, where there is no current runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = minirt::Runtime::with_virtual_clock();
    /// rt.block_on(rt.sleep(Duration::from_millis(5)));
    /// assert_eq!(rt.now().duration_since(minirt::Instant::ZERO), Duration::from_millis(5));
    /// ```
    pub fn sleep(&self, duration: Duration) -> Sleep {
        Sleep::new(self.core.clone(), self.now() + duration)
    }

    /// The current time on this runtime's clock.
    pub fn now(&self) -> Instant {
        Instant::from_clock(self.core.clock.now())
    }

    /// Live tasks in this runtime (plus one while a `block_on` runs).
    pub fn task_count(&self) -> usize {
        self.core.task_count()
    }
}

impl Runtime {
    /// The tasks still pending in this runtime, as (id, name), in no
    /// particular order: what dropping the runtime would cancel (asyncio's
    /// "Task was destroyed but it is pending").
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::with_virtual_clock();
    /// rt.block_on(async { drop(minirt::spawn_named("stuck", std::future::pending::<()>())) });
    /// let pending = rt.pending_tasks();
    /// assert_eq!(pending[0].1.as_deref(), Some("stuck"));
    /// ```
    pub fn pending_tasks(&self) -> alloc::vec::Vec<(TaskId, Option<alloc::string::String>)> {
        let registry = self.core.registry.borrow();
        let tasks = registry.idle_tasks();
        tasks
            .map(|(_, task)| (task.id, task.name.as_deref().map(Into::into)))
            .collect()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Current while its tasks are dropped, even inside another
        // runtime's `block_on`: a destructor that spawns spawns here.
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
///
/// # Examples
///
/// ```
/// let answer = minirt::block_on(async {
///     let forgotten = minirt::spawn(std::future::pending::<()>());
///     drop(forgotten); // detached, and dropped when block_on returns
///     42
/// });
/// assert_eq!(answer, 42);
/// ```
#[cfg(feature = "std")]
pub fn block_on<F: Future>(future: F) -> F::Output {
    Runtime::new().block_on(future)
}
