//! The executor the async examples run on, chosen by cargo feature.
//!
//! `examples/04_tasks.rs` and the other async examples call
//! `concur::executor::{run, spawn, sleep, gather, ...}` and never name a
//! runtime. Without features they run on minirt; `--features smol` swaps in
//! smol's `LocalExecutor`, `--features tokio` tokio's current-thread runtime,
//! with no change to the example. Every one is single-threaded, as asyncio
//! is. The harness does not use this module: it runs every backend side by
//! side, through [`model`](crate::model).
//!
//! The API is asyncio's: [`run`] is `asyncio.run`, [`spawn`] is
//! `create_task`, [`gather`] is `gather`, [`task_count`] is
//! `len(all_tasks())`, [`spawn_blocking`] is `run_in_executor`.

#[cfg(all(feature = "smol", feature = "tokio"))]
compile_error!(
    "features `smol` and `tokio` each choose the one executor the examples run on; \
     enable at most one of them (neither means minirt)"
);

#[cfg(not(any(feature = "smol", feature = "tokio")))]
mod minirt;
#[cfg(not(any(feature = "smol", feature = "tokio")))]
pub use self::minirt::{run, sleep, spawn, spawn_blocking, task_count, Task, NAME};

#[cfg(all(feature = "smol", not(feature = "tokio")))]
mod smol;
#[cfg(all(feature = "smol", not(feature = "tokio")))]
pub use self::smol::{run, sleep, spawn, spawn_blocking, task_count, Task, NAME};

#[cfg(feature = "tokio")]
mod tokio;
#[cfg(feature = "tokio")]
pub use self::tokio::{run, sleep, spawn, spawn_blocking, task_count, Task, NAME};

use std::future::Future;

/// Runs `futures` concurrently and returns their outputs in order, like
/// `asyncio.gather`: each becomes a task first, so all start together.
///
/// # Panics
///
/// Outside [`run`].
///
/// # Examples
///
/// ```
/// use concur::executor::{gather, run, sleep};
/// use std::time::Duration;
///
/// let doubled = run(gather((1..=3).map(|n| async move {
///     sleep(Duration::from_millis(n)).await;
///     n * 2
/// })));
/// assert_eq!(doubled, [2, 4, 6]);
/// ```
pub async fn gather<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let tasks: Vec<Task<F::Output>> = futures.into_iter().map(spawn).collect();
    let mut outputs = Vec::with_capacity(tasks.len());
    for task in tasks {
        outputs.push(task.await);
    }
    outputs
}
