//! minirt: a small, readable, single-threaded cooperative executor with a
//! hierarchical timer wheel. It exists to be read.
//!
//! One thread runs an event loop; many tasks share it, each running until it
//! chooses to give the CPU back (its future returns `Pending`). That is the
//! model of Python's `asyncio`, and of smol's and tokio's single-threaded
//! executors, small enough to read.
//!
//! # A tour, in reading order
//!
//! 1. `task.rs`: what a task is; `task/body.rs`: its future, then its
//!    output, in one box; `task/join.rs`: its [`JoinHandle`].
//! 2. `waker.rs`: how a task is woken, from this thread or any other.
//! 3. `executor.rs`: the loop itself (run ready tasks, turn the wheel, park);
//!    `executor/tasks.rs`: spawning and aborting; `executor/registry.rs`:
//!    where tasks live, and `executor/registry/outcomes.rs`, where their
//!    outputs wait for the handles; `executor/runtime.rs` and
//!    `executor/builder.rs`: the [`Runtime`] that owns a loop.
//! 4. `context.rs`: how [`spawn`] and [`sleep`] find the current runtime.
//! 5. `time/clock.rs`: where time comes from, real or virtual.
//! 6. `time/wheel.rs`: the timer [`time::Wheel`]; `time/wheel/list.rs`: its
//!    storage. Beside it, behind the `timer-queues` feature, `time/queue.rs`:
//!    one `TimerQueue` interface, and the binary heap and ordered map the
//!    wheel is measured against.
//! 7. `time.rs`: [`sleep`], [`timeout`] on the runtime's clock;
//!    `time/instant.rs`: [`Instant`], and where time becomes ticks.
//! 8. `observe.rs`: the [`observe::Observer`] hooks, and how a stall is
//!    attributed: who held the loop, which timers fired late, who waited.
//! 9. `sync.rs`: an async [`sync::Mutex`] the loop can see into;
//!    `executor/deadlock.rs`: how the loop proves a deadlock and names it.
//! 10. `blocking.rs`: [`spawn_blocking`], the cure for blocking calls, on a
//!     bounded pool of reused threads.
//!
//! # The io layer (feature `io`, on by default, Linux)
//!
//! Beside the core, attached at its one seam (the clock's park), `io.rs`
//! and `io/`: an epoll reactor that is the loop's idle wait (one wait for
//! the next deadline, a wake from another thread, or a socket becoming
//! ready), [`net`] (TCP and UDP) and [`fs`] (files, on the blocking pool).
//! Read in this order: `io/readiness.rs` (one source's state, no system
//! calls), `io/reactor.rs` (epoll, registration), `io/wait.rs` (the clock
//! that waits in it, system or virtual), `io/net.rs`, `io/fs.rs`.
//!
//! # Embedded-style
//!
//! The core is `#![no_std]` with `alloc`: it never reads OS time (a
//! [`Clock`] is plugged in) and never starts a thread. The `std` feature, on
//! by default, adds the system clock, thread parking, the current-runtime
//! lookup behind the free functions, and `spawn_blocking`. Without `std`,
//! use [`Runtime::spawn`] and [`Runtime::sleep`].
//!
//! # Example: the article's gather
//!
//! ```
//! use std::time::Duration;
//! let rt = minirt::Runtime::with_virtual_clock();
//! rt.block_on(async {
//!     let start = minirt::Instant::now();
//!     minirt::join_all((1..=5).map(|n| minirt::sleep(Duration::from_secs(n)))).await;
//!     assert_eq!(start.elapsed(), Duration::from_secs(5)); // not 15: they overlap
//! });
//! ```
//!
//! # What this is not
//!
//! No work stealing, no `unsafe`, no I/O beyond Linux's epoll (and files
//! on threads).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
mod blocking;
#[cfg(feature = "std")]
mod context;
mod executor;
#[cfg(feature = "io")]
mod io;
pub mod observe;
pub mod sync;
mod task;
pub mod time;
mod waker;

#[cfg(feature = "std")]
pub use blocking::spawn_blocking;
#[cfg(feature = "std")]
pub use executor::block_on;
pub use executor::{Builder, Deadlock, Runtime};
#[cfg(feature = "io")]
pub use io::{fs, net};
#[cfg(feature = "std")]
pub use task::join_all;
pub use task::{yield_now, JoinError, JoinHandle, TaskId, YieldNow};
pub use time::clock::{Clock, Park, VirtualClock};
#[cfg(feature = "std")]
pub use time::clock::{SystemClock, Unpark};
#[cfg(feature = "timer-queues")]
pub use time::queue::TimerQueueKind;
#[cfg(feature = "std")]
pub use time::{sleep, sleep_until, timeout};
pub use time::{Elapsed, Instant, Sleep};

/// Spawns a task on the current runtime; it starts at the loop's next pass.
///
/// The future need not be `Send`: it never leaves this thread.
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// let rt = minirt::Runtime::with_virtual_clock();
/// let sum = rt.block_on(async { minirt::spawn(async { 1 + 2 }).await.unwrap() });
/// assert_eq!(sum, 3);
/// ```
#[cfg(feature = "std")]
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: core::future::Future + 'static,
    F::Output: 'static,
{
    context::with("spawn", |core| core.spawn(None, future))
}

/// Spawns a task with a name, which logs and reports show.
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// let rt = minirt::Runtime::with_virtual_clock();
/// rt.block_on(async { minirt::spawn_named("ONE", async {}).await.unwrap() });
/// ```
#[cfg(feature = "std")]
#[track_caller]
pub fn spawn_named<F>(name: impl Into<alloc::string::String>, future: F) -> JoinHandle<F::Output>
where
    F: core::future::Future + 'static,
    F::Output: 'static,
{
    let name = name.into().into_boxed_str();
    context::with("spawn_named", |core| core.spawn(Some(name), future))
}

/// Live tasks on the current runtime, counting the `block_on` future itself
/// (as the article's `len(asyncio.all_tasks())` does).
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// let rt = minirt::Runtime::with_virtual_clock();
/// rt.block_on(async {
///     assert_eq!(minirt::task_count(), 1);
///     let a = minirt::spawn(async {});
///     let b = minirt::spawn(async {});
///     assert_eq!(minirt::task_count(), 3);
///     let _ = (a.await, b.await);
/// });
/// ```
#[cfg(feature = "std")]
#[track_caller]
pub fn task_count() -> usize {
    context::with("task_count", |core| core.task_count())
}
