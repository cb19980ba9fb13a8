//! The executor the async examples run on, chosen by cargo feature.
//!
//! `examples/04_tasks.rs` and the other async examples call
//! `concur::executor::{run, spawn, sleep, gather, ...}` and never name a
//! runtime. Without features they run on minirt; `--features smol` swaps in
//! smol's `LocalExecutor`, `--features tokio` tokio's current-thread runtime,
//! with no change to the example. Every one is single-threaded, as asyncio
//! is, and each is the very adapter the backends and the benchmarks use
//! ([`adapter`](crate::backend::adapter)), so an example counts and joins
//! tasks exactly as the harness does. The harness itself does not use this
//! module: it runs every backend side by side, through
//! [`model`](crate::model).
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
use crate::backend::minirt::MinirtLoop as Chosen;
#[cfg(all(feature = "smol", not(feature = "tokio")))]
use crate::backend::smol::SmolLoop as Chosen;
#[cfg(feature = "tokio")]
use crate::backend::tokio::TokioLoop as Chosen;

use crate::backend::adapter::LocalRuntime;
use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

/// The executor's name, for the examples to print.
pub const NAME: &str = Chosen::NAME;

/// A spawned task; awaiting it gives its output.
pub type Task<T> = <Chosen as LocalRuntime>::Task<T>;

thread_local! {
    /// The runtime [`run`] is running on this thread: the free functions
    /// below reach it here, as asyncio's reach the running loop.
    static CURRENT: RefCell<Option<Chosen>> = const { RefCell::new(None) };
}

/// Runs `main` on a fresh event loop until it completes, like `asyncio.run`.
///
/// # Panics
///
/// If the runtime cannot be built (the OS refuses its resources).
pub fn run<F: Future>(main: F) -> F::Output {
    /// Forgets the runtime when `run` ends, even by a panic.
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            CURRENT.set(None);
        }
    }
    let _leave = Leave;
    let output = Chosen::block_on(|runtime| {
        CURRENT.set(Some(runtime));
        main
    });
    output.expect("building the examples' runtime")
}

/// The runtime of the [`run`] on this thread.
///
/// # Panics
///
/// Outside [`run`].
fn current() -> Chosen {
    let current = CURRENT.with_borrow(Clone::clone);
    current.expect("concur::executor: spawn, sleep and the others work only inside executor::run")
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
    current().spawn(future)
}

/// Sleeps without blocking the loop, like `asyncio.sleep`.
///
/// # Panics
///
/// Outside [`run`].
pub async fn sleep(duration: Duration) {
    current().sleep(duration).await;
}

/// Live tasks, counting the main one, like `len(asyncio.all_tasks())`: a
/// task counts until it ends, whether or not its [`Task`] is kept (the rule
/// in [`adapter`](crate::backend::adapter)).
///
/// # Panics
///
/// Outside [`run`].
pub fn task_count() -> usize {
    current().task_count()
}

/// Runs the blocking `call` on a helper thread and awaits its result, like
/// `loop.run_in_executor`.
///
/// # Panics
///
/// Outside [`run`].
pub async fn spawn_blocking<T, F>(call: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    current().spawn_blocking(call).await
}

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

/// One HTTP/1 GET of `path` from `addr` with hyper's client on the chosen
/// executor (part 2, `examples/12_requests.rs`), like `aiohttp`'s get.
///
/// # Errors
///
/// A refused or reset connection, a malformed answer, a timeout.
///
/// # Panics
///
/// Outside [`run`].
pub async fn http_get(
    addr: std::net::SocketAddr,
    path: &str,
) -> anyhow::Result<crate::model::io::Response> {
    crate::backend::net::http_get(current(), addr, path.to_string()).await
}

/// Starts hyper's server (or the echo) on loopback as tasks of the chosen
/// executor: its address. It serves until [`run`] ends.
///
/// # Errors
///
/// If it cannot listen.
///
/// # Panics
///
/// Outside [`run`].
pub fn serve(server: crate::model::io::Server) -> std::io::Result<std::net::SocketAddr> {
    crate::backend::net::serve_on(&current(), server)
}

/// Reads the whole file at `path` the chosen executor's way (on a helper
/// thread, as every runtime reads regular files), like `aiofiles`.
///
/// # Errors
///
/// As `std::fs::read`.
///
/// # Panics
///
/// Outside [`run`].
pub async fn read_file(path: impl Into<std::path::PathBuf>) -> std::io::Result<Vec<u8>> {
    current().read_file(path.into()).await
}
