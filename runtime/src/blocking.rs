//! [`spawn_blocking`]: the cure for a blocking call inside a task, run on a
//! bounded pool of reused threads (feature `std`).
//!
//! Read this last. A blocking call (a synchronous sleep, a file read, a heavy
//! computation) inside a task stalls the whole loop, because the loop only
//! gets the thread back when the task returns `Pending`. `spawn_blocking`
//! runs the call on a helper thread instead; the loop keeps running other
//! tasks and is woken, through an ordinary `Waker`, when the result is in.
//!
//! # The pool
//!
//! Starting a thread per call costs tens of microseconds and, for
//! thousands of calls at once, thousands of threads. So calls go to a
//! queue, served by at most [`DEFAULT_MAX_THREADS`] threads (64; set with
//! `Builder::max_blocking_threads`). A thread is started only when a call
//! finds none idle and the pool is under its cap; otherwise the call waits
//! its turn in the queue. A thread idle for [`KEEP_ALIVE`] (1 s) ends.
//! 64 is far more than the cores (the calls mostly wait: on a disk, a
//! sleep), far fewer than tokio's 512: a single-threaded loop rarely has
//! more blocking work worth running at once, and each thread costs its
//! stack.
//!
//! Like the reactor, the pool belongs to the thread (the loop's), and every
//! runtime on that thread shares it: the cap is the last one a builder set
//! there. `minirt::fs` runs on it too.

use crate::JoinHandle;
use std::boxed::Box;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

/// The most threads a pool runs at once, unless a builder says otherwise.
pub(crate) const DEFAULT_MAX_THREADS: usize = 64;

/// How long a pool thread waits for a call before it ends.
pub(crate) const KEEP_ALIVE: Duration = Duration::from_secs(1);

std::thread_local! {
    /// The pool of this thread's loop (made at the first call).
    static POOL: Arc<Pool> = Arc::new(Pool::new(DEFAULT_MAX_THREADS));
}

/// A call waiting for, or running on, a pool thread.
type Job = Box<dyn FnOnce() + Send>;

/// A queue of calls and the threads that serve it.
struct Pool {
    /// The queue and the counts, under one lock.
    state: Mutex<PoolState>,
    /// Signalled when a call is queued for an idle thread.
    job_queued: Condvar,
}

/// What the pool's lock guards.
///
/// Invariants:
/// - `idle <= threads <= max_threads`, except just after the cap is
///   lowered (threads then end as they go idle).
/// - `notified <= idle`: each signal sent is for one idle thread, which
///   takes it (and a call) when it wakes.
struct PoolState {
    /// Calls not yet taken by a thread, oldest first.
    queue: VecDeque<Job>,
    /// Threads alive.
    threads: usize,
    /// Threads waiting for a call.
    idle: usize,
    /// Signals sent to idle threads and not yet taken.
    notified: usize,
    /// The cap on `threads`.
    max_threads: usize,
}

/// What the helper thread and the waiting task share.
struct Handoff<T> {
    /// The call's result (or panic), once the thread has finished.
    result: Option<thread::Result<T>>,
    /// The waiting task's waker, to call when the result arrives.
    waiter: Option<Waker>,
}

/// Runs `call` on a helper thread; the returned handle resolves, on the
/// loop, to its result. A panic in `call` comes back as a panicked
/// [`JoinError`](crate::JoinError).
///
/// The call runs on this thread's pool (see the module doc): at once if a
/// thread is free or one may be started, else after the calls before it.
///
/// # Panics
///
/// Outside a runtime, or if the OS refuses to start a thread when the pool
/// has none.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let total = minirt::block_on(async {
///     let slow = minirt::spawn_blocking(|| {
///         std::thread::sleep(Duration::from_millis(20)); // blocks a helper, not the loop
///         21
///     });
///     minirt::sleep(Duration::from_millis(1)).await; // the loop keeps going meanwhile
///     slow.await.unwrap() * 2
/// });
/// assert_eq!(total, 42);
/// ```
#[track_caller]
pub fn spawn_blocking<F, T>(call: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let shared = Arc::new(Mutex::new(Handoff {
        result: None,
        waiter: None,
    }));
    let for_thread = shared.clone();
    // Counted until the job's wake is sent: virtual time waits for it.
    let outside = crate::context::with("spawn_blocking", |core| core.queue.outside_work());
    // Spawn the task first: outside a runtime this panics before any thread starts.
    let handle = crate::spawn_named("spawn_blocking", async move {
        let result = poll_fn(|cx| {
            let mut handoff = shared.lock().unwrap_or_else(PoisonError::into_inner);
            match handoff.result.take() {
                Some(result) => Poll::Ready(result),
                None => {
                    handoff.waiter = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await;
        // Re-raise inside the task, so its handle reports a panic.
        result.unwrap_or_else(|payload| resume_unwind(payload))
    });
    POOL.with(|pool| {
        pool.submit(Box::new(move || {
            let result = catch_unwind(AssertUnwindSafe(call));
            let waiter = {
                let mut handoff = for_thread.lock().unwrap_or_else(PoisonError::into_inner);
                handoff.result = Some(result);
                handoff.waiter.take()
            };
            // Wake outside the lock: the loop may poll at once.
            if let Some(waiter) = waiter {
                waiter.wake();
            }
            drop(outside);
        }));
    });
    handle
}

/// Caps the threads of this thread's pool at `max_threads` (at least 1),
/// for every runtime on this thread from now on.
pub(crate) fn set_max_threads(max_threads: usize) {
    POOL.with(|pool| pool.lock().max_threads = max_threads.max(1));
}

impl Pool {
    /// An empty pool of at most `max_threads` threads.
    fn new(max_threads: usize) -> Self {
        Pool {
            state: Mutex::new(PoolState {
                queue: VecDeque::new(),
                threads: 0,
                idle: 0,
                notified: 0,
                max_threads,
            }),
            job_queued: Condvar::new(),
        }
    }

    /// The state, even if a thread panicked holding it (jobs run outside
    /// the lock, so the state is whole).
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `job`, and wakes or starts a thread for it.
    ///
    /// # Panics
    ///
    /// If the OS refuses a thread and the pool has none to run the job.
    fn submit(self: &Arc<Self>, job: Job) {
        let mut state = self.lock();
        state.queue.push_back(job);
        if state.idle > state.notified {
            state.notified += 1;
            self.job_queued.notify_one();
        } else if state.threads < state.max_threads {
            state.threads += 1;
            let pool = self.clone();
            let started = thread::Builder::new()
                .name("minirt-blocking".into())
                .spawn(move || pool.serve());
            if started.is_err() {
                state.threads -= 1;
                // Busy threads will get to the job; with none, no one would.
                assert!(
                    state.threads > 0,
                    "minirt::spawn_blocking: the OS refused to start a thread"
                );
            }
        }
    }

    /// A pool thread's life: run queued jobs; end after `KEEP_ALIVE` idle.
    fn serve(&self) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                job(); // It catches its own panic.
                state = self.lock();
                continue;
            }
            if state.threads > state.max_threads {
                break; // The cap was lowered.
            }
            state.idle += 1;
            let (woken, wait) = self
                .job_queued
                .wait_timeout(state, KEEP_ALIVE)
                .unwrap_or_else(PoisonError::into_inner);
            state = woken;
            state.idle -= 1;
            if state.notified > 0 {
                state.notified -= 1;
            } else if wait.timed_out() && state.queue.is_empty() {
                break;
            }
        }
        state.threads -= 1;
    }
}

/// Blocks the loop's thread for `duration`, as a blocking call does:
/// nothing else on the loop runs meanwhile. On a virtual clock, virtual
/// time moves on by `duration` without running anything: the article's
/// stalled timeline, to the microsecond.
///
/// # Panics
///
/// Outside a runtime.
#[cfg(feature = "std")]
#[track_caller]
pub fn block_thread_for(duration: Duration) {
    crate::context::with("block_thread_for", |core| core.clock.block_for(duration));
}
