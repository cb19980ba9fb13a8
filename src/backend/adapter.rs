//! The one adapter per async runtime: what minirt's, smol's and tokio's
//! single-threaded loops look like to the rest of concur.
//!
//! Each runtime implements [`LocalRuntime`] once, in its backend's file
//! (`MinirtLoop`, `SmolLoop`, `TokioLoop`), and three users drive it
//! through that one implementation: the backend itself, whose event-loop
//! model boxes it for the scenarios; the examples' executor
//! ([`executor`](crate::executor)), which picks one by cargo feature; and
//! the benchmarks (`bench/tasks.rs`), written once against the trait. It is
//! static (generic methods, no boxing), so a benchmark pays what the runtime
//! charges plus the adapter's task count, and nothing for dispatch.
//!
//! # The task count
//!
//! One rule on every runtime, minirt's own: a task counts from its spawn
//! until it ends (its future completes, panics or is cancelled), whether or
//! not its handle is still held; a [`LocalRuntime::spawn_blocking`] call
//! counts while it runs (minirt runs one as a task awaiting the helper
//! thread); and the main future counts one while `block_on` runs, as
//! `len(asyncio.all_tasks())` counts the main coroutine. smol keeps no
//! count and tokio's needs unstable flags, so [`TaskCounter`] keeps theirs.

use std::cell::Cell;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

/// A single-threaded async runtime, as concur drives it.
pub trait LocalRuntime: Clone + 'static {
    /// A spawned task, like `std::thread::JoinHandle`: awaiting it gives
    /// the task's output, and a panic in the task continues in whoever
    /// awaits it. Dropping it detaches the task, which runs on.
    type Task<T: 'static>: Future<Output = T> + 'static;

    /// The runtime's name, as the backends and the bench's rows call it.
    const NAME: &'static str;

    /// Runs `main`, given this runtime's handle, on a fresh runtime on the
    /// system clock, until it completes, like `asyncio.run`.
    ///
    /// # Errors
    ///
    /// If the runtime cannot be built (tokio asks the OS for resources).
    fn block_on<F: Future>(main: impl FnOnce(Self) -> F) -> io::Result<F::Output>;

    /// Starts `future` as a task, like `asyncio.create_task`.
    fn spawn<F>(&self, future: F) -> Self::Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static;

    /// A future that completes after `duration`, like `asyncio.sleep`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + 'static;

    /// Gives the other ready tasks a turn.
    fn yield_now(&self) -> impl Future<Output = ()> + 'static;

    /// Runs the blocking `call` on a helper thread, as a task the loop
    /// awaits, like `loop.run_in_executor`.
    fn spawn_blocking<T, C>(&self, call: C) -> Self::Task<T>
    where
        C: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// Tasks not yet ended, plus one for the main future (see the module's
    /// rule).
    fn task_count(&self) -> usize;

    /// Opens `pairs` loopback TCP connections, both ends registered with
    /// this runtime's reactor, and hands them back to be held open: idle
    /// sockets the loop must watch while it does something else.
    ///
    /// # Errors
    ///
    /// If the OS refuses a socket.
    fn idle_connections(&self, pairs: usize) -> impl Future<Output = io::Result<IdleConnections>>;

    /// A TCP listener on this runtime's reactor (part 2's servers).
    type Listener: 'static;

    /// A TCP connection on this runtime's reactor.
    type Stream: 'static;

    /// Binds a listener to `addr` (port 0: the OS picks one).
    ///
    /// # Errors
    ///
    /// As `bind(2)`: the address is taken, no file descriptor is left.
    fn bind(&self, addr: SocketAddr) -> io::Result<Self::Listener>;

    /// The address `listener` listens on.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr>;

    /// Waits for the next connection to `listener`.
    fn accept(listener: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>> + '_;

    /// Connects to `addr`.
    fn connect(&self, addr: SocketAddr)
        -> impl Future<Output = io::Result<Self::Stream>> + 'static;

    /// Reads some bytes into `buf`: how many, 0 at the end of the stream.
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + 'a;

    /// Writes all of `buf`.
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + 'a;

    /// The stream as hyper reads and writes it: the smallest adapter this
    /// runtime needs (a futures-io one for minirt and smol, hyper-util's
    /// for tokio).
    fn hyper_io(stream: Self::Stream) -> impl hyper::rt::Read + hyper::rt::Write + Unpin + 'static;

    /// Reads the whole file at `path` the runtime's own way: `minirt::fs`,
    /// `async-fs`, `tokio::fs`, each of which runs `std::fs::read` on a
    /// helper thread, since Linux has no readiness for regular files.
    fn read_file(&self, path: PathBuf) -> impl Future<Output = io::Result<Vec<u8>>> + 'static;
}

/// Connections kept open for as long as this is held.
pub type IdleConnections = Vec<Box<dyn std::any::Any>>;

/// The loopback address with a port the OS picks.
pub fn loopback() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Counts live tasks, for runtimes that do not expose the number (smol,
/// tokio's current-thread runtime without unstable metrics).
///
/// A task counts from the moment it is spawned until its future is dropped:
/// smol and tokio drop a task's future as soon as it completes, and when
/// they cancel it, which is when minirt's registry lets a task go.
///
/// The benchmarks turn it off ([`TaskCounter::off`]): a peer's row then
/// pays what the runtime charges for a spawn, not what this count costs.
#[derive(Debug, Clone)]
pub struct TaskCounter {
    /// Tasks spawned and not yet dropped; `None` when not counting.
    live: Option<Rc<Cell<usize>>>,
}

impl Default for TaskCounter {
    fn default() -> Self {
        TaskCounter {
            live: Some(Rc::default()),
        }
    }
}

impl TaskCounter {
    /// A counter that counts nothing, for the benchmarks.
    pub fn off() -> Self {
        TaskCounter { live: None }
    }

    /// Whether it counts.
    pub fn is_on(&self) -> bool {
        self.live.is_some()
    }

    /// Wraps `task` so that it counts as live until it is dropped.
    pub fn track<F: Future>(&self, task: F) -> impl Future<Output = F::Output> {
        let guard = self.live.as_ref().map(|live| {
            live.set(live.get() + 1);
            Uncount(live.clone())
        });
        async move {
            let _guard = guard;
            task.await
        }
    }

    /// Live tasks plus one for the main task, as `asyncio.all_tasks` counts.
    ///
    /// # Panics
    ///
    /// On a counter that is off: a benchmark's loop never asks.
    pub fn count_with_main(&self) -> usize {
        let live = self
            .live
            .as_ref()
            .expect("a benchmark's loop counts no tasks");
        live.get() + 1
    }
}

/// Takes a task off the count when dropped.
struct Uncount(Rc<Cell<usize>>);

impl Drop for Uncount {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

#[cfg(test)]
mod tests;
