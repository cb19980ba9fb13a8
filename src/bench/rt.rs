//! One interface over the four single-threaded async executors the suites
//! compare, so that each suite is written once and runs the same code on
//! every one of them.
//!
//! The interface is static (a trait with generic methods, no boxing), so a
//! suite pays exactly what the runtime charges for a spawn, a wake or a
//! timer, and nothing for the adapter. `child.rs` calls [`drive`] with a
//! [`Job`]; the suites are in `tasks.rs`.
//!
//! The four:
//!
//! | name | executor | timers driven by |
//! |---|---|---|
//! | `minirt` | `minirt::Runtime` | its own wheel, on the loop's thread |
//! | `smol` | `LocalExecutor` under `async_io::block_on` | the async-io reactor, on the loop's thread |
//! | `tokio` | current-thread runtime + `LocalSet` | tokio's wheel, on the loop's thread |
//! | `async-executor` | `LocalExecutor` under `futures_lite::future::block_on` | async-io's own helper thread |
//!
//! `minirt-heap` and `minirt-ordered-map` are minirt with its timers in a
//! binary heap or an ordered map instead of its wheel (suite 7's queues).
//!
//! tokio runs its tasks in a `LocalSet` because the suites share state
//! through `Rc` (as a single-threaded program would); `spawn_local` is
//! tokio's way to spawn such tasks on a current-thread runtime.

use async_executor::LocalExecutor;
use minirt::TimerQueueKind;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

/// The async backends, in the order the tables show them.
pub(crate) const ASYNC_BACKENDS: [&str; 4] = ["minirt", "smol", "tokio", "async-executor"];

/// minirt with its timers in suite 7's other queues instead of the wheel,
/// chosen through `Runtime::builder().timer_queue(..)`: the end-to-end cost
/// of the queue, which the timers suite measures at 1M.
pub(crate) const MINIRT_QUEUE_BACKENDS: [&str; 2] = ["minirt-heap", "minirt-ordered-map"];

/// What a suite needs from an executor: spawn, join, sleep and yield.
pub(crate) trait Rt: Clone + 'static {
    /// The runtime's join handle for a task returning `T`.
    type Handle<T: 'static>;

    /// Spawns `future` on the running executor.
    fn spawn<F>(&self, future: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static;

    /// Waits for a task; a failed task (it never fails here) panics.
    fn join<T: 'static>(handle: Self::Handle<T>) -> impl Future<Output = T>;

    /// The runtime's own sleep.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()>;

    /// Gives the other ready tasks a turn.
    fn yield_now(&self) -> impl Future<Output = ()>;
}

/// A suite's body, generic over the executor it runs on.
pub(crate) trait Job {
    /// What the body measured.
    type Output;

    /// Runs the body on `rt`, inside the executor's `block_on`.
    fn run<R: Rt>(self, rt: R) -> impl Future<Output = Self::Output>;
}

/// Runs `job` on the executor called `backend` (one of [`ASYNC_BACKENDS`]
/// or [`MINIRT_QUEUE_BACKENDS`]); `None` for another name.
pub(crate) fn drive<J: Job>(backend: &str, job: J) -> Option<J::Output> {
    Some(match backend {
        "minirt" | "minirt-heap" | "minirt-ordered-map" => {
            let queue = match backend {
                "minirt-heap" => TimerQueueKind::Heap,
                "minirt-ordered-map" => TimerQueueKind::OrderedMap,
                _ => TimerQueueKind::Wheel,
            };
            let runtime = minirt::Runtime::builder().timer_queue(queue).build();
            runtime.block_on(job.run(Minirt))
        }
        "smol" => {
            let executor = Rc::new(LocalExecutor::new());
            let rt = Smol(Rc::clone(&executor));
            async_io::block_on(executor.run(job.run(rt)))
        }
        "tokio" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("a current-thread tokio runtime builds");
            tokio::task::LocalSet::new().block_on(&runtime, job.run(Tokio))
        }
        "async-executor" => {
            let executor = Rc::new(LocalExecutor::new());
            let rt = Smol(Rc::clone(&executor));
            futures_lite::future::block_on(executor.run(job.run(rt)))
        }
        _ => return None,
    })
}

/// minirt, through its free functions (the runtime is found by context).
#[derive(Clone, Copy)]
struct Minirt;

impl Rt for Minirt {
    type Handle<T: 'static> = minirt::JoinHandle<T>;

    fn spawn<F>(&self, future: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        minirt::spawn(future)
    }

    async fn join<T: 'static>(handle: Self::Handle<T>) -> T {
        handle.await.expect("a bench task never fails")
    }

    async fn sleep(&self, duration: Duration) {
        minirt::sleep(duration).await;
    }

    async fn yield_now(&self) {
        minirt::yield_now().await;
    }
}

/// A `LocalExecutor` (smol's, or async-executor's under another block_on)
/// with async-io timers.
#[derive(Clone)]
struct Smol(Rc<LocalExecutor<'static>>);

impl Rt for Smol {
    type Handle<T: 'static> = async_executor::Task<T>;

    fn spawn<F>(&self, future: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.0.spawn(future)
    }

    async fn join<T: 'static>(handle: Self::Handle<T>) -> T {
        handle.await
    }

    async fn sleep(&self, duration: Duration) {
        async_io::Timer::after(duration).await;
    }

    async fn yield_now(&self) {
        futures_lite::future::yield_now().await;
    }
}

/// tokio's current-thread runtime, tasks in a `LocalSet`.
#[derive(Clone, Copy)]
struct Tokio;

impl Rt for Tokio {
    type Handle<T: 'static> = tokio::task::JoinHandle<T>;

    fn spawn<F>(&self, future: F) -> Self::Handle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        tokio::task::spawn_local(future)
    }

    async fn join<T: 'static>(handle: Self::Handle<T>) -> T {
        handle.await.expect("a bench task never fails")
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    async fn yield_now(&self) {
        tokio::task::yield_now().await;
    }
}
