//! `smol`: smol's `LocalExecutor` with async-io timers; its multi-threaded
//! `Executor` on two threads for A2.
//!
//! [`SmolLoop`] is the one adapter of smol's single-threaded executor (see
//! [`adapter`](super::adapter)). smol has no task count, so [`TaskCounter`]
//! counts. smol cancels a task whose handle is dropped; the interface
//! promises detach, so [`SmolTask`] detaches on drop.

use super::adapter::{loopback, IdleConnections, LocalRuntime, TaskCounter};
use super::net;
use super::Backend;
use crate::clock::{Clock, SystemClock};
use crate::model::event_loop::{
    AsyncBackend, AsyncLock, BlockingJob, EventLoop, LocalFuture, LoopMutex, Main, NamedMutex,
};
use crate::model::parallel::{ParallelBackend, ParallelLoop, ParallelMain, SendFuture};
use anyhow::Context as _;
use async_executor::{Executor, LocalExecutor, Task};
use async_io::Timer;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

/// The `smol` backend.
pub fn backend() -> Backend {
    Backend::new(
        "smol",
        "smol's LocalExecutor; its Executor on 2 threads for A2",
    )
    .with_event_loop(SmolLocal)
    .with_parallel(SmolParallel)
    .with_io()
}

/// Makes single-threaded `LocalExecutor` loops.
struct SmolLocal;

impl AsyncBackend for SmolLocal {
    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(SystemClock::new())
    }

    fn run(&self, main: Main) -> anyhow::Result<()> {
        SmolLoop::block_on(|event_loop| main(Rc::new(event_loop)))?;
        Ok(())
    }
}

/// smol's `LocalExecutor`, the one adapter every part of concur drives
/// smol through ([`LocalRuntime`]).
#[derive(Clone)]
pub struct SmolLoop {
    /// The executor; tasks hold a handle to the loop, so it lives as long as they do.
    executor: Rc<LocalExecutor<'static>>,
    /// Live spawned tasks.
    tasks: TaskCounter,
}

impl SmolLoop {
    /// A fresh executor with no task, counting its tasks with `tasks`.
    fn new(tasks: TaskCounter) -> Self {
        SmolLoop {
            executor: Rc::new(LocalExecutor::new()),
            tasks,
        }
    }

    /// As [`LocalRuntime::block_on`], with no task count: smol as it is,
    /// for the benchmarks.
    pub fn block_on_uncounted<F: Future>(main: impl FnOnce(Self) -> F) -> F::Output {
        let event_loop = Self::new(TaskCounter::off());
        let executor = Rc::clone(&event_loop.executor);
        async_io::block_on(executor.run(main(event_loop)))
    }

    /// As [`LocalRuntime::block_on`], but under futures-lite's `block_on`,
    /// which drives no reactor: async-io then turns its timers on a helper
    /// thread of its own. That is async-executor alone, a row of the bench.
    pub fn block_on_without_reactor<F: Future>(main: impl FnOnce(Self) -> F) -> F::Output {
        let event_loop = Self::new(TaskCounter::off());
        let executor = Rc::clone(&event_loop.executor);
        futures_lite::future::block_on(executor.run(main(event_loop)))
    }
}

impl LocalRuntime for SmolLoop {
    type Task<T: 'static> = SmolTask<T>;

    const NAME: &'static str = "smol";

    fn block_on<F: Future>(main: impl FnOnce(Self) -> F) -> io::Result<F::Output> {
        let event_loop = Self::new(TaskCounter::default());
        let executor = Rc::clone(&event_loop.executor);
        // `async_io::block_on` also drives the timers while it waits.
        Ok(async_io::block_on(executor.run(main(event_loop))))
    }

    fn spawn<F>(&self, future: F) -> SmolTask<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // Not counting, the future goes to smol untouched.
        let task = match self.tasks.is_on() {
            true => self.executor.spawn(self.tasks.track(future)),
            false => self.executor.spawn(future),
        };
        SmolTask(Some(task))
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + 'static {
        sleep(duration)
    }

    fn yield_now(&self) -> impl Future<Output = ()> + 'static {
        futures_lite::future::yield_now()
    }

    fn spawn_blocking<T, C>(&self, call: C) -> SmolTask<T>
    where
        C: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // A task awaiting the helper, as minirt runs it, so that it counts.
        LocalRuntime::spawn(self, ::smol::unblock(call))
    }

    async fn idle_connections(&self, pairs: usize) -> io::Result<IdleConnections> {
        use async_io::Async;
        use std::net::{TcpListener, TcpStream};
        let listener = Async::<TcpListener>::bind(loopback())?;
        let mut held: IdleConnections = Vec::with_capacity(2 * pairs);
        for _ in 0..pairs {
            held.push(Box::new(
                Async::<TcpStream>::connect(listener.get_ref().local_addr()?).await?,
            ));
            held.push(Box::new(listener.accept().await?.0));
        }
        Ok(held)
    }

    fn task_count(&self) -> usize {
        self.tasks.count_with_main()
    }

    type Listener = async_io::Async<std::net::TcpListener>;
    type Stream = async_io::Async<std::net::TcpStream>;

    fn bind(&self, addr: SocketAddr) -> io::Result<Self::Listener> {
        async_io::Async::<std::net::TcpListener>::bind(addr)
    }

    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.get_ref().local_addr()
    }

    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        Ok(listener.accept().await?.0)
    }

    fn connect(
        &self,
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<Self::Stream>> + 'static {
        async_io::Async::<std::net::TcpStream>::connect(addr)
    }

    async fn read<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) -> io::Result<usize> {
        futures_lite::AsyncReadExt::read(stream, buf).await
    }

    async fn write_all<'a>(stream: &'a mut Self::Stream, buf: &'a [u8]) -> io::Result<()> {
        futures_lite::AsyncWriteExt::write_all(stream, buf).await
    }

    fn hyper_io(stream: Self::Stream) -> impl hyper::rt::Read + hyper::rt::Write + Unpin + 'static {
        smol_hyper::rt::FuturesIo::new(stream)
    }

    fn read_file(&self, path: PathBuf) -> impl Future<Output = io::Result<Vec<u8>>> + 'static {
        async_fs::read(path)
    }
}

impl net::OnRuntime for SmolLoop {
    type Runtime = SmolLoop;

    fn runtime(&self) -> SmolLoop {
        self.clone()
    }
}

impl EventLoop for SmolLoop {
    fn spawn(&self, task: LocalFuture<()>) -> LocalFuture<()> {
        Box::pin(LocalRuntime::spawn(self, task))
    }

    fn sleep(&self, duration: Duration) -> LocalFuture<()> {
        Box::pin(LocalRuntime::sleep(self, duration))
    }

    fn spawn_blocking(&self, job: BlockingJob) -> LocalFuture<()> {
        Box::pin(LocalRuntime::spawn_blocking(self, job))
    }

    fn task_count(&self) -> usize {
        LocalRuntime::task_count(self)
    }

    fn mutex(&self, name: &'static str) -> Rc<dyn LoopMutex> {
        Rc::new(NamedMutex::new(name, ::smol::lock::Mutex::new(())))
    }
}

/// smol's async mutex, behind the loop's `NamedMutex`.
impl AsyncLock for ::smol::lock::Mutex<()> {
    fn acquire(&self) -> impl Future<Output = impl Sized + '_> + '_ {
        self.lock()
    }
}

/// Makes multi-threaded `Executor`s with two worker threads.
struct SmolParallel;

/// One multi-threaded executor, as a scenario sees it.
struct ParallelSmol {
    /// Shared with the two worker threads that run its tasks.
    executor: Arc<Executor<'static>>,
}

impl ParallelBackend for SmolParallel {
    fn run(&self, main: ParallelMain) -> anyhow::Result<()> {
        let executor = Arc::new(Executor::new());
        // Workers run tasks until `stop` closes, which happens when main is done.
        let (stop, stopped) = ::smol::channel::bounded::<()>(1);
        let mut workers = Vec::new();
        for number in 0..2 {
            let executor = Arc::clone(&executor);
            let stopped = stopped.clone();
            let worker = thread::Builder::new()
                .name(format!("smol-worker-{number}"))
                .spawn(move || async_io::block_on(executor.run(stopped.recv())))
                .context("starting a smol worker thread")?;
            workers.push(worker);
        }
        let handle = Arc::new(ParallelSmol {
            executor: Arc::clone(&executor),
        });
        async_io::block_on(main(handle));
        drop(stop);
        for worker in workers {
            let _ = worker.join();
        }
        Ok(())
    }
}

impl ParallelLoop for ParallelSmol {
    fn spawn(&self, task: SendFuture<()>) -> SendFuture<()> {
        Box::pin(SmolTask(Some(self.executor.spawn(task))))
    }

    fn sleep(&self, duration: Duration) -> SendFuture<()> {
        Box::pin(sleep(duration))
    }
}

/// Sleeps on an async-io timer.
async fn sleep(duration: Duration) {
    Timer::after(duration).await;
}

/// A smol task that is detached, not cancelled, when its handle is dropped
/// (smol cancels a task whose handle goes), as every runtime here does.
///
/// - The option is `Some` until the handle is dropped.
pub struct SmolTask<T>(Option<Task<T>>);

impl<T> Future for SmolTask<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.0.as_mut() {
            Some(task) => Pin::new(task).poll(cx),
            // Only `drop` takes the task, and a dropped future is not polled.
            None => Poll::Pending,
        }
    }
}

impl<T> Drop for SmolTask<T> {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.detach();
        }
    }
}
