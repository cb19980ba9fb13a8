//! `minirt`: our own event loop (runtime/), on the system clock, or on its
//! virtual clock with `--virtual`.
//!
//! On the virtual clock time jumps to the next deadline whenever the loop is
//! idle, and a blocking call moves time forward without running anything
//! else. Runs are then exact and instant, which is how the tests check the
//! article's timelines to the microsecond. minirt also runs the sort, on one
//! thread: async buys nothing for CPU-bound work.
//!
//! One case needs care on the virtual clock: a blocking call on a
//! `spawn_blocking` helper thread (A1). Virtual time exists only inside the
//! loop, so the helper does not sleep: it adds the call's length to its
//! `HELPER_BLOCKED` tally, and the awaiting task then sleeps (in virtual
//! time) until that long after the call began, while the loop runs the
//! others. minirt's virtual clock keeps time still while a helper is out,
//! so the loop cannot jump past a call whose length it does not know yet.
//! That bookkeeping is the backend's (`MinirtEventLoop`); the runtime
//! itself is driven through [`MinirtLoop`], minirt's one adapter (see
//! [`adapter`](super::adapter)), as the examples and the bench drive it.

mod mutex;

use super::adapter::{loopback, IdleConnections, LocalRuntime};
use super::net;
use super::{Backend, Options};
use crate::clock::Clock;
use crate::model::event_loop::{
    AsyncBackend, BlockingJob, DeadlockFound, EventLoop, Handle, LocalFuture, LoopMutex, Main,
};
use crate::sort::Strategy;
use minirt::{JoinError, JoinHandle, Runtime};
use std::cell::Cell;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::thread::{self, ThreadId};
use std::time::Duration;

/// The `minirt` backend; on the virtual clock if `options` say so.
pub fn backend(options: Options) -> Backend {
    let about = if options.virtual_clock {
        "our event loop (runtime/), on its virtual clock"
    } else {
        "our event loop (runtime/); --virtual for its virtual clock"
    };
    Backend::new("minirt", about)
        .with_event_loop(Minirt {
            virtual_clock: options.virtual_clock,
        })
        .with_sort(Strategy::Minirt)
        .with_io()
}

/// The loop of the minirt runtime the caller runs on, which it built
/// itself, on its virtual clock; with [`virtual_clock`], the clock to
/// record on. For `concur explore`, whose runtimes minirt's explore layer
/// builds, one per schedule, each with its schedule policy: minirt's free
/// functions find the current runtime, so the handle carries nothing of it.
pub fn current_virtual_loop() -> Handle {
    Rc::new(MinirtEventLoop {
        virtual_clock: true,
    })
}

/// The clock of a run on [`current_virtual_loop`]: the runtime's virtual
/// time, read on the loop's thread (this one).
pub fn virtual_clock() -> Arc<dyn Clock> {
    Minirt {
        virtual_clock: true,
    }
    .clock()
}

/// Makes minirt runtimes.
struct Minirt {
    /// Whether runtimes use the virtual clock.
    virtual_clock: bool,
}

impl AsyncBackend for Minirt {
    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(MinirtClock {
            virtual_clock: self.virtual_clock,
            loop_thread: thread::current().id(),
            last_seen: Mutex::new(Duration::ZERO),
        })
    }

    fn run(&self, main: Main) -> anyhow::Result<()> {
        let runtime = if self.virtual_clock {
            Runtime::with_virtual_clock()
        } else {
            Runtime::new()
        };
        let event_loop = MinirtEventLoop {
            virtual_clock: self.virtual_clock,
        };
        runtime
            .try_block_on(main(Rc::new(event_loop)))
            .map_err(|deadlock| {
                anyhow::Error::new(DeadlockFound {
                    report: deadlock.report().to_string(),
                    cycle: deadlock.cycle().map(String::from),
                })
            })
    }

    fn proves_deadlocks(&self) -> bool {
        true
    }
}

/// minirt's loop, the one adapter every part of concur drives minirt
/// through ([`LocalRuntime`]). minirt's free functions find the current
/// runtime themselves, so it carries nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct MinirtLoop;

impl MinirtLoop {
    /// Runs `main` on `runtime` (one built with another timer queue, say),
    /// as [`LocalRuntime::block_on`] does on a default one.
    ///
    /// # Panics
    ///
    /// If minirt proves a deadlock (see [`Runtime::block_on`]).
    pub fn block_on_runtime<F: Future>(
        runtime: &Runtime,
        main: impl FnOnce(Self) -> F,
    ) -> F::Output {
        runtime.block_on(main(MinirtLoop))
    }

    /// As [`LocalRuntime::spawn`], with a name minirt's reports use.
    pub fn spawn_named<F>(&self, name: &'static str, future: F) -> MinirtTask<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        MinirtTask(minirt::spawn_named(name, future))
    }
}

impl LocalRuntime for MinirtLoop {
    type Task<T: 'static> = MinirtTask<T>;

    const NAME: &'static str = "minirt";

    fn block_on<F: Future>(main: impl FnOnce(Self) -> F) -> io::Result<F::Output> {
        Ok(Runtime::new().block_on(main(MinirtLoop)))
    }

    fn spawn<F>(&self, future: F) -> MinirtTask<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        MinirtTask(minirt::spawn(future))
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + 'static {
        minirt::sleep(duration)
    }

    fn yield_now(&self) -> impl Future<Output = ()> + 'static {
        minirt::yield_now()
    }

    fn spawn_blocking<T, C>(&self, call: C) -> MinirtTask<T>
    where
        C: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        MinirtTask(minirt::spawn_blocking(call))
    }

    async fn idle_connections(&self, pairs: usize) -> io::Result<IdleConnections> {
        let listener = minirt::net::TcpListener::bind(loopback())?;
        let mut held: IdleConnections = Vec::with_capacity(2 * pairs);
        for _ in 0..pairs {
            held.push(Box::new(
                minirt::net::TcpStream::connect(listener.local_addr()?).await?,
            ));
            held.push(Box::new(listener.accept().await?.0));
        }
        Ok(held)
    }

    fn task_count(&self) -> usize {
        minirt::task_count()
    }

    type Listener = minirt::net::TcpListener;
    type Stream = minirt::net::TcpStream;

    fn bind(&self, addr: SocketAddr) -> io::Result<Self::Listener> {
        minirt::net::TcpListener::bind(addr)
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
        minirt::net::TcpStream::connect(addr)
    }

    async fn read<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) -> io::Result<usize> {
        stream.read(buf).await
    }

    async fn write_all<'a>(stream: &'a mut Self::Stream, buf: &'a [u8]) -> io::Result<()> {
        stream.write_all(buf).await
    }

    fn hyper_io(stream: Self::Stream) -> impl hyper::rt::Read + hyper::rt::Write + Unpin + 'static {
        smol_hyper::rt::FuturesIo::new(stream)
    }

    fn read_file(&self, path: PathBuf) -> impl Future<Output = io::Result<Vec<u8>>> + 'static {
        minirt::fs::read(path)
    }
}

/// A minirt task: its `JoinHandle`, whose error becomes a panic here.
pub struct MinirtTask<T>(JoinHandle<T>);

impl<T: 'static> Future for MinirtTask<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|result| match result {
            Ok(output) => output,
            Err(error) => resume_panic(error),
        })
    }
}

/// Continues a task's panic in its awaiter. A cancelled task cannot be
/// awaited here: minirt cancels tasks only as the runtime goes, with their
/// awaiters.
fn resume_panic(error: JoinError) -> ! {
    match error.into_panic() {
        Some(payload) => panic::resume_unwind(payload),
        None => panic!("a minirt task was cancelled while awaited"),
    }
}

/// A minirt loop as a scenario sees it: the adapter, and on the virtual
/// clock the bookkeeping of helper threads' blocking calls.
struct MinirtEventLoop {
    /// Whether the loop runs on the virtual clock.
    virtual_clock: bool,
}

impl net::OnRuntime for MinirtEventLoop {
    type Runtime = MinirtLoop;

    fn runtime(&self) -> MinirtLoop {
        MinirtLoop
    }
}

impl EventLoop for MinirtEventLoop {
    fn spawn(&self, task: LocalFuture<()>) -> LocalFuture<()> {
        Box::pin(LocalRuntime::spawn(&MinirtLoop, task))
    }

    fn sleep(&self, duration: Duration) -> LocalFuture<()> {
        Box::pin(LocalRuntime::sleep(&MinirtLoop, duration))
    }

    fn spawn_named(&self, name: &'static str, task: LocalFuture<()>) -> LocalFuture<()> {
        Box::pin(MinirtLoop.spawn_named(name, task))
    }

    fn spawn_blocking(&self, job: BlockingJob) -> LocalFuture<()> {
        if !self.virtual_clock {
            return Box::pin(LocalRuntime::spawn_blocking(&MinirtLoop, job));
        }
        let began = minirt::Instant::now();
        let helper = LocalRuntime::spawn_blocking(&MinirtLoop, move || {
            HELPER_BLOCKED.with(|blocked| blocked.set(Some(Duration::ZERO)));
            job();
            HELPER_BLOCKED.with(Cell::take).unwrap_or_default()
        });
        Box::pin(async move {
            let blocked = helper.await;
            minirt::sleep_until(began + blocked).await;
        })
    }

    fn task_count(&self) -> usize {
        LocalRuntime::task_count(&MinirtLoop)
    }

    fn mutex(&self, name: &'static str) -> Rc<dyn LoopMutex> {
        Rc::new(mutex::named(name))
    }
}

thread_local! {
    /// On a virtual-clock helper thread: the virtual time its blocking calls
    /// took so far. `None` on every other thread.
    static HELPER_BLOCKED: Cell<Option<Duration>> = const { Cell::new(None) };
}

/// The run's clock, read through `minirt::Instant`: the loop's own time.
///
/// - On the system clock any thread may read it (minirt's system clocks
///   share one epoch).
/// - On the virtual clock only the loop's thread can: virtual time exists
///   inside the loop. Another thread sees the time the loop last read,
///   `last_seen`.
struct MinirtClock {
    /// Whether the loop runs on the virtual clock.
    virtual_clock: bool,
    /// The thread that runs the loop (it made the clock, then runs the loop).
    loop_thread: ThreadId,
    /// The latest time read on the loop's thread.
    last_seen: Mutex<Duration>,
}

impl Clock for MinirtClock {
    fn now(&self) -> Duration {
        let mut last_seen = self
            .last_seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !self.virtual_clock || thread::current().id() == self.loop_thread {
            *last_seen = minirt::Instant::now().duration_since(minirt::Instant::ZERO);
        }
        *last_seen
    }

    fn is_virtual(&self) -> bool {
        self.virtual_clock
    }

    fn block_for(&self, duration: Duration) {
        if thread::current().id() == self.loop_thread {
            // On the virtual clock this moves time on; on the system clock it sleeps.
            minirt::block_thread_for(duration);
            return;
        }
        let tallied = HELPER_BLOCKED.with(|blocked| match blocked.get() {
            Some(so_far) => {
                blocked.set(Some(so_far + duration));
                true
            }
            None => false,
        });
        if !tallied {
            thread::sleep(duration);
        }
    }
}
