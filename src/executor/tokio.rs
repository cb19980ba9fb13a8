//! The examples' executor with `--features tokio`: a current-thread runtime
//! with a `LocalSet`, so tasks need not be `Send`.

use std::cell::Cell;
use std::future::Future;
use std::panic;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The executor's name, for the examples to print.
pub const NAME: &str = "tokio";

thread_local! {
    /// Tasks spawned and not yet finished: tokio's count needs unstable flags.
    static LIVE: Cell<usize> = const { Cell::new(0) };
}

/// Runs `main` on a fresh current-thread runtime, like `asyncio.run`.
///
/// # Panics
///
/// If the runtime cannot be built (the OS refuses its resources).
pub fn run<F: Future>(main: F) -> F::Output {
    let runtime = ::tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("building a tokio runtime");
    ::tokio::task::LocalSet::new().block_on(&runtime, main)
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
    LIVE.with(|live| live.set(live.get() + 1));
    Task(::tokio::task::spawn_local(async move {
        let output = future.await;
        LIVE.with(|live| live.set(live.get() - 1));
        output
    }))
}

/// A spawned task; awaiting it gives its output.
pub struct Task<T>(::tokio::task::JoinHandle<T>);

impl<T> Future for Task<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|result| match result {
            Ok(value) => value,
            // Carry on a task's panic; a cancelled task means shutdown.
            Err(error) if error.is_panic() => panic::resume_unwind(error.into_panic()),
            Err(_) => panic!("the task was cancelled"),
        })
    }
}

/// Sleeps without blocking the loop, like `asyncio.sleep`.
pub async fn sleep(duration: Duration) {
    ::tokio::time::sleep(duration).await;
}

/// Live tasks, counting the main one, like `len(asyncio.all_tasks())`.
pub fn task_count() -> usize {
    LIVE.with(Cell::get) + 1
}

/// Runs the blocking `call` on a helper thread and awaits its result.
pub async fn spawn_blocking<T, F>(call: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Task(::tokio::task::spawn_blocking(call)).await
}
