//! `tokio`: tokio's current-thread runtime with a `LocalSet`; its
//! multi-thread runtime on two workers for A2.
//!
//! [`TokioLoop`] is the one adapter of the current-thread runtime (see
//! [`adapter`](super::adapter)). The `LocalSet` lets tasks be `!Send`, as
//! on every single-threaded loop here. tokio's live-task count is not
//! public on a stable build without extra flags, so [`TaskCounter`]
//! counts, as for smol.

use super::adapter::{loopback, IdleConnections, LocalRuntime, TaskCounter};
use super::net;
use super::Backend;
use crate::clock::{Clock, SystemClock};
use crate::model::event_loop::{
    AsyncBackend, AsyncLock, BlockingJob, EventLoop, LocalFuture, LoopMutex, Main, NamedMutex,
};
use crate::model::parallel::{ParallelBackend, ParallelLoop, ParallelMain, SendFuture};
use ::tokio::runtime::{Builder, Handle, RuntimeFlavor};
use ::tokio::task::{JoinError, JoinHandle, LocalSet};
use anyhow::Context as _;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The `tokio` backend.
pub fn backend() -> Backend {
    Backend::new(
        "tokio",
        "tokio's current-thread runtime; multi-thread for A2",
    )
    .with_event_loop(TokioLocal)
    .with_parallel(TokioParallel)
    .with_io()
}

/// Makes current-thread runtimes.
struct TokioLocal;

impl AsyncBackend for TokioLocal {
    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(SystemClock::new())
    }

    fn run(&self, main: Main) -> anyhow::Result<()> {
        TokioLoop::block_on(|event_loop| main(Rc::new(event_loop)))
            .context("building a tokio current-thread runtime")
    }
}

/// tokio's current-thread runtime with a `LocalSet`, the one adapter every
/// part of concur drives tokio through ([`LocalRuntime`]). `spawn_local`
/// finds the `LocalSet` itself, so it carries only the task count.
#[derive(Debug, Clone, Default)]
pub struct TokioLoop {
    /// Live spawned tasks.
    tasks: TaskCounter,
}

impl TokioLoop {
    /// As [`LocalRuntime::block_on`], with no task count: tokio as it is,
    /// for the benchmarks.
    pub fn block_on_uncounted<F: Future>(main: impl FnOnce(Self) -> F) -> io::Result<F::Output> {
        let runtime = Builder::new_current_thread()
            .enable_time()
            .enable_io()
            .build()?;
        let event_loop = TokioLoop {
            tasks: TaskCounter::off(),
        };
        Ok(LocalSet::new().block_on(&runtime, main(event_loop)))
    }
}

impl LocalRuntime for TokioLoop {
    type Task<T: 'static> = TokioTask<T>;

    const NAME: &'static str = "tokio";

    fn block_on<F: Future>(main: impl FnOnce(Self) -> F) -> io::Result<F::Output> {
        let runtime = Builder::new_current_thread()
            .enable_time()
            .enable_io()
            .build()?;
        Ok(LocalSet::new().block_on(&runtime, main(TokioLoop::default())))
    }

    fn spawn<F>(&self, future: F) -> TokioTask<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // Not counting, the future goes to tokio untouched.
        TokioTask(match self.tasks.is_on() {
            true => ::tokio::task::spawn_local(self.tasks.track(future)),
            false => ::tokio::task::spawn_local(future),
        })
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + 'static {
        ::tokio::time::sleep(duration)
    }

    fn yield_now(&self) -> impl Future<Output = ()> + 'static {
        ::tokio::task::yield_now()
    }

    fn spawn_blocking<T, C>(&self, call: C) -> TokioTask<T>
    where
        C: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // A task awaiting the helper, as minirt runs it, so that it counts.
        LocalRuntime::spawn(self, TokioTask(::tokio::task::spawn_blocking(call)))
    }

    async fn idle_connections(&self, pairs: usize) -> io::Result<IdleConnections> {
        use ::tokio::net::{TcpListener, TcpStream};
        let listener = TcpListener::bind(loopback()).await?;
        let mut held: IdleConnections = Vec::with_capacity(2 * pairs);
        for _ in 0..pairs {
            held.push(Box::new(TcpStream::connect(listener.local_addr()?).await?));
            held.push(Box::new(listener.accept().await?.0));
        }
        Ok(held)
    }

    fn task_count(&self) -> usize {
        self.tasks.count_with_main()
    }

    type Listener = ::tokio::net::TcpListener;
    type Stream = ::tokio::net::TcpStream;

    fn bind(&self, addr: SocketAddr) -> io::Result<Self::Listener> {
        // tokio's own `bind` is async; std's, handed over, is not.
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        ::tokio::net::TcpListener::from_std(listener)
    }

    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.local_addr()
    }

    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        Ok(listener.accept().await?.0)
    }

    fn connect(
        &self,
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<Self::Stream>> + 'static {
        ::tokio::net::TcpStream::connect(addr)
    }

    async fn read<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) -> io::Result<usize> {
        ::tokio::io::AsyncReadExt::read(stream, buf).await
    }

    async fn write_all<'a>(stream: &'a mut Self::Stream, buf: &'a [u8]) -> io::Result<()> {
        ::tokio::io::AsyncWriteExt::write_all(stream, buf).await
    }

    fn hyper_io(stream: Self::Stream) -> impl hyper::rt::Read + hyper::rt::Write + Unpin + 'static {
        hyper_util::rt::TokioIo::new(stream)
    }

    fn read_file(&self, path: PathBuf) -> impl Future<Output = io::Result<Vec<u8>>> + 'static {
        ::tokio::fs::read(path)
    }
}

impl net::OnRuntime for TokioLoop {
    type Runtime = TokioLoop;

    fn runtime(&self) -> TokioLoop {
        self.clone()
    }
}

impl EventLoop for TokioLoop {
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
        Rc::new(NamedMutex::new(name, ::tokio::sync::Mutex::new(())))
    }
}

/// tokio's async mutex, behind the loop's `NamedMutex`.
impl AsyncLock for ::tokio::sync::Mutex<()> {
    fn acquire(&self) -> impl Future<Output = impl Sized + '_> + '_ {
        self.lock()
    }
}

/// Makes multi-thread runtimes with two workers.
struct TokioParallel;

/// One multi-thread runtime, as a scenario sees it.
struct ParallelTokio {
    /// Where to spawn.
    runtime: Handle,
}

impl ParallelBackend for TokioParallel {
    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(WorkerClock(SystemClock::new()))
    }

    fn run(&self, main: ParallelMain) -> anyhow::Result<()> {
        let started = Arc::new(AtomicUsize::new(0));
        let runtime = Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            // Distinct names, so the logs show which worker ran what.
            .thread_name_fn(move || {
                let number = started.fetch_add(1, Ordering::Relaxed);
                format!("tokio-worker-{number}")
            })
            .build()
            .context("building a tokio multi-thread runtime")?;
        let handle = Arc::new(ParallelTokio {
            runtime: runtime.handle().clone(),
        });
        runtime.block_on(main(handle));
        Ok(())
    }
}

/// The system clock, whose blocking calls on a multi-thread worker go
/// through `block_in_place`.
///
/// tokio drives its timers only from a worker that is between tasks: while
/// one worker blocks, a task whose sleep ends just after could wait on the
/// blocked worker's queue or for a timer nobody turns (the race's second
/// update did, in about 3 % of loaded runs, until the first had written).
/// `block_in_place` hands the worker's queue and the timers to
/// another thread for as long as the call blocks, as tokio's docs advise
/// for blocking code in a task.
struct WorkerClock(SystemClock);

impl Clock for WorkerClock {
    fn now(&self) -> Duration {
        self.0.now()
    }

    fn block_for(&self, duration: Duration) {
        self.block_on_call(&mut || self.0.block_for(duration));
    }

    fn block_on_call(&self, call: &mut dyn FnMut()) {
        // Anywhere but a multi-thread runtime `block_in_place` panics.
        let flavor = Handle::try_current().map(|handle| handle.runtime_flavor());
        if matches!(flavor, Ok(RuntimeFlavor::MultiThread)) {
            ::tokio::task::block_in_place(call);
        } else {
            call();
        }
    }
}

impl ParallelLoop for ParallelTokio {
    fn spawn(&self, task: SendFuture<()>) -> SendFuture<()> {
        Box::pin(TokioTask(self.runtime.spawn(task)))
    }

    fn sleep(&self, duration: Duration) -> SendFuture<()> {
        Box::pin(::tokio::time::sleep(duration))
    }
}

/// A tokio task: its `JoinHandle`, whose error becomes a panic here.
pub struct TokioTask<T>(JoinHandle<T>);

impl<T> Future for TokioTask<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|result| match result {
            Ok(output) => output,
            Err(error) => resume_panic(error),
        })
    }
}

/// Continues a task's panic in its awaiter. A cancelled task cannot be
/// awaited here: tokio cancels tasks only as the runtime shuts down, after
/// their awaiters are done.
fn resume_panic(error: JoinError) -> ! {
    if error.is_panic() {
        panic::resume_unwind(error.into_panic());
    }
    panic!("a tokio task was cancelled while awaited")
}
