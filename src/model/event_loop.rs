//! Tasks on one thread, cooperatively: the model of the article's asyncio
//! sections.
//!
//! A backend ([`AsyncBackend`]) makes a fresh event loop for each run and
//! hands the scenario's `main` an [`EventLoop`] handle to spawn, sleep and
//! count tasks with, like `asyncio.run(main())`. Futures here need not be
//! `Send`: everything runs on the thread that called [`AsyncBackend::run`].
//! Blocking calls go through the run's clock (`Recorder::block_for`), so that
//! on a virtual clock they cost virtual time.

use super::io::{Connection, Response, Server};
use super::Sleeper;
use crate::clock::Clock;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// A boxed future that stays on its thread.
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// A job for a helper thread, off the event loop.
pub type BlockingJob = Box<dyn FnOnce() + Send + 'static>;

/// What a scenario may ask of a single-threaded event loop; its I/O (part
/// 2) is [`LoopIo`].
pub trait EventLoop: LoopIo {
    /// Schedules `task` to run concurrently, like `asyncio.create_task`.
    /// The returned future completes when the task has; dropping it detaches
    /// the task (it still runs).
    ///
    /// A task that panicked makes the returned future panic too.
    fn spawn(&self, task: LocalFuture<()>) -> LocalFuture<()>;

    /// As [`EventLoop::spawn`], with a name for traces and for runtimes
    /// that report on tasks (minirt's deadlock report names them).
    fn spawn_named(&self, name: &'static str, task: LocalFuture<()>) -> LocalFuture<()> {
        let _ = name;
        self.spawn(task)
    }

    /// A future that completes after `duration`, like `asyncio.sleep`.
    fn sleep(&self, duration: Duration) -> LocalFuture<()>;

    /// Runs `job` on a helper thread and completes when it is done, like
    /// `loop.run_in_executor` (minirt's and tokio's `spawn_blocking`,
    /// smol's `unblock`).
    fn spawn_blocking(&self, job: BlockingJob) -> LocalFuture<()>;

    /// Live tasks, counting the main one, like `len(asyncio.all_tasks())`.
    fn task_count(&self) -> usize;

    /// A new async mutex of the loop's own runtime, called `name` (A3).
    fn mutex(&self, name: &'static str) -> Rc<dyn LoopMutex>;
}

/// The I/O an event loop does for part 2's scenarios. The backends get it
/// once for all, from the runtime's one adapter (`backend/net.rs`).
pub trait LoopIo {
    /// One HTTP/1 GET of `path` from `addr` with hyper's client, on a new
    /// connection (part 2, `requests`).
    fn http_get(&self, addr: SocketAddr, path: String) -> LocalFuture<anyhow::Result<Response>>;

    /// Starts `server` on loopback as tasks of this loop, so that it waits
    /// on the loop's clock (a virtual one, which cannot wait for a server
    /// on another thread's). Gives the address; it serves until the loop
    /// ends.
    fn serve(&self, server: Server) -> io::Result<SocketAddr>;

    /// Reads the whole file at `path` the runtime's way (every runtime
    /// hands regular files to threads; part 2, `file-reads`).
    fn read_file(&self, path: PathBuf) -> LocalFuture<io::Result<Vec<u8>>>;

    /// Opens a TCP connection to `addr` on the loop's reactor (part 2,
    /// `connections`).
    fn connect(&self, addr: SocketAddr) -> LocalFuture<io::Result<Box<dyn Connection>>>;
}

/// An async mutex, like `asyncio.Lock`: minirt's (which can see a
/// deadlock), smol's or tokio's.
pub trait LoopMutex {
    /// The name it was made with.
    fn name(&self) -> &'static str;

    /// Locks, runs `body`, unlocks: Python's `async with lock: body`.
    fn locked(&self, body: LocalFuture<()>) -> LocalFuture<()>;
}

/// An executor's own async mutex of `()`, as much of it as [`NamedMutex`]
/// needs: waiting for the lock. Each async backend implements it for its
/// executor's mutex, in one line; the rest is shared.
pub trait AsyncLock: 'static {
    /// Waits for the lock; dropping the result unlocks.
    fn acquire(&self) -> impl Future<Output = impl Sized + '_> + '_;
}

/// An [`AsyncLock`] with a name: the [`LoopMutex`] every async backend
/// hands out.
pub struct NamedMutex<M> {
    /// The name it was made with.
    name: &'static str,
    /// The executor's mutex, shared with the futures that hold it.
    lock: Rc<M>,
}

impl<M: AsyncLock> NamedMutex<M> {
    /// `lock`, unlocked, called `name`.
    pub fn new(name: &'static str, lock: M) -> Self {
        NamedMutex {
            name,
            lock: Rc::new(lock),
        }
    }
}

impl<M: AsyncLock> LoopMutex for NamedMutex<M> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn locked(&self, body: LocalFuture<()>) -> LocalFuture<()> {
        let lock = Rc::clone(&self.lock);
        Box::pin(async move {
            let _guard = lock.acquire().await;
            body.await;
        })
    }
}

/// The handle a scenario's `main` receives.
pub type Handle = Rc<dyn EventLoop>;

/// A scenario's `main`: given the loop, the future to run to completion.
pub type Main = Box<dyn FnOnce(Handle) -> LocalFuture<()>>;

/// A backend that runs single-threaded event loops.
pub trait AsyncBackend {
    /// A fresh clock for one run: the loop's own clock, so that a virtual
    /// clock gives virtual log times.
    fn clock(&self) -> Arc<dyn Clock>;

    /// Runs `main` to completion on a fresh loop on the calling thread.
    ///
    /// # Errors
    ///
    /// If the runtime cannot be built (for example, no thread can be
    /// spawned), or a [`DeadlockFound`] from a loop that proves deadlocks.
    fn run(&self, main: Main) -> anyhow::Result<()>;

    /// Whether the loop proves a deadlock (stopping with [`DeadlockFound`])
    /// rather than hanging in it, as most runtimes do.
    fn proves_deadlocks(&self) -> bool {
        false
    }
}

/// The error of a run whose loop proved that no task can ever make
/// progress: the loop's own report, naming who holds and waits for what.
#[derive(Debug)]
pub struct DeadlockFound {
    /// The report, starting "deadlock".
    pub report: String,
    /// The wait cycle, if the waits form one ("A -> m2 -> B -> m1 -> A").
    pub cycle: Option<String>,
}

impl std::fmt::Display for DeadlockFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.report)
    }
}

impl std::error::Error for DeadlockFound {}

/// Runs `tasks` concurrently and waits for all of them, like
/// `asyncio.gather`: each becomes a task first, so all start together.
pub async fn gather(event_loop: &dyn EventLoop, tasks: impl IntoIterator<Item = LocalFuture<()>>) {
    let handles: Vec<_> = tasks
        .into_iter()
        .map(|task| event_loop.spawn(task))
        .collect();
    for handle in handles {
        handle.await;
    }
}

impl Sleeper for Handle {
    type Sleep = LocalFuture<()>;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        EventLoop::sleep(&**self, duration)
    }
}
