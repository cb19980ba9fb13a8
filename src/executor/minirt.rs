//! The examples' executor when no feature is set: minirt, our own loop.

use std::future::Future;
use std::panic;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The executor's name, for the examples to print.
pub const NAME: &str = "minirt";

/// Runs `main` on a fresh event loop until it completes, like `asyncio.run`.
pub fn run<F: Future>(main: F) -> F::Output {
    minirt::block_on(main)
}

/// Starts `future` as a task, like `asyncio.create_task`.
///
/// # Panics
///
/// Outside [`run`].
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    Task(minirt::spawn(future))
}

/// A spawned task; awaiting it gives its output.
pub struct Task<T>(minirt::JoinHandle<T>);

impl<T: 'static> Future for Task<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|result| match result {
            Ok(value) => value,
            // The task panicked or was aborted: the examples do neither, so
            // carry on the panic as a thread would.
            Err(error) => match error.into_panic() {
                Some(payload) => panic::resume_unwind(payload),
                None => panic!("the task was cancelled"),
            },
        })
    }
}

/// Sleeps without blocking the loop, like `asyncio.sleep`.
pub async fn sleep(duration: Duration) {
    minirt::sleep(duration).await;
}

/// Live tasks, counting the main one, like `len(asyncio.all_tasks())`.
pub fn task_count() -> usize {
    minirt::task_count()
}

/// Runs the blocking `call` on a helper thread and awaits its result.
pub async fn spawn_blocking<T, F>(call: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Task(minirt::spawn_blocking(call)).await
}
