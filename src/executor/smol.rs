//! The examples' executor with `--features smol`: a `LocalExecutor` per
//! thread, with async-io's timers.

use async_executor::LocalExecutor;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The executor's name, for the examples to print.
pub const NAME: &str = "smol";

thread_local! {
    /// This thread's executor: `run` drives it, `spawn` adds to it.
    static EXECUTOR: LocalExecutor<'static> = const { LocalExecutor::new() };
    /// Tasks spawned and not yet finished: smol does not count them.
    static LIVE: Cell<usize> = const { Cell::new(0) };
}

/// Runs `main` on this thread's executor until it completes, like `asyncio.run`.
pub fn run<F: Future>(main: F) -> F::Output {
    EXECUTOR.with(|executor| async_io::block_on(executor.run(main)))
}

/// Starts `future` as a task, like `asyncio.create_task`.
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    LIVE.with(|live| live.set(live.get() + 1));
    let counted = async move {
        let output = future.await;
        LIVE.with(|live| live.set(live.get() - 1));
        output
    };
    Task(EXECUTOR.with(|executor| executor.spawn(counted)))
}

/// A spawned task; awaiting it gives its output.
pub struct Task<T>(async_executor::Task<T>);

impl<T> Future for Task<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// Sleeps without blocking the loop, like `asyncio.sleep`.
pub async fn sleep(duration: Duration) {
    async_io::Timer::after(duration).await;
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
    ::smol::unblock(call).await
}
