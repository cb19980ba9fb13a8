//! `tokio`: tokio's current-thread runtime with a `LocalSet`; its
//! multi-thread runtime on two workers for A2.
//!
//! The `LocalSet` lets tasks be `!Send`, as on every single-threaded loop
//! here. tokio's live-task count is not public on a stable build without
//! extra flags, so [`TaskCounter`] counts, as for smol.

use super::Backend;
use crate::clock::{Clock, SystemClock};
use crate::model::event_loop::{
    AsyncBackend, AsyncLock, BlockingJob, EventLoop, LocalFuture, LoopMutex, Main, NamedMutex,
    TaskCounter,
};
use crate::model::parallel::{ParallelBackend, ParallelLoop, ParallelMain, SendFuture};
use ::tokio::runtime::{Builder, Handle, RuntimeFlavor};
use ::tokio::task::{JoinError, JoinHandle, LocalSet};
use anyhow::Context as _;
use std::future::Future;
use std::panic;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The `tokio` backend.
pub fn backend() -> Backend {
    Backend::new(
        "tokio",
        "tokio's current-thread runtime; multi-thread for A2",
    )
    .with_event_loop(TokioLocal)
    .with_parallel(TokioParallel)
}

/// Makes current-thread runtimes.
struct TokioLocal;

/// One current-thread runtime, as a scenario sees it.
struct LocalLoop {
    /// Live spawned tasks.
    tasks: TaskCounter,
}

impl AsyncBackend for TokioLocal {
    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(SystemClock::new())
    }

    fn run(&self, main: Main) -> anyhow::Result<()> {
        let runtime = Builder::new_current_thread()
            .enable_time()
            .build()
            .context("building a tokio current-thread runtime")?;
        let handle = Rc::new(LocalLoop {
            tasks: TaskCounter::default(),
        });
        LocalSet::new().block_on(&runtime, main(handle));
        Ok(())
    }
}

impl EventLoop for LocalLoop {
    fn spawn(&self, task: LocalFuture<()>) -> LocalFuture<()> {
        Box::pin(join(::tokio::task::spawn_local(self.tasks.track(task))))
    }

    fn sleep(&self, duration: Duration) -> LocalFuture<()> {
        Box::pin(::tokio::time::sleep(duration))
    }

    fn spawn_blocking(&self, job: BlockingJob) -> LocalFuture<()> {
        Box::pin(join(::tokio::task::spawn_blocking(job)))
    }

    fn task_count(&self) -> usize {
        self.tasks.count_with_main()
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
        Box::pin(join(self.runtime.spawn(task)))
    }

    fn sleep(&self, duration: Duration) -> SendFuture<()> {
        Box::pin(::tokio::time::sleep(duration))
    }
}

/// Waits for a tokio task; its panic, if any, continues here.
async fn join(task: JoinHandle<()>) {
    if let Err(error) = task.await {
        resume_if_panic(error);
    }
}

/// Re-raises a task's panic; a cancelled task (runtime shutting down) is
/// simply over.
fn resume_if_panic(error: JoinError) {
    if error.is_panic() {
        panic::resume_unwind(error.into_panic());
    }
}
