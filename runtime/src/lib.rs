//! minirt: a small, readable, single-threaded cooperative executor with a
//! hierarchical timer wheel. It exists to be read.
//!
//! One thread runs an event loop; many tasks share it, each running until it
//! chooses to give the CPU back (its future returns `Pending`). That is the
//! model of Python's `asyncio`, and of smol's and tokio's single-threaded
//! executors, small enough to read in one sitting.
//!
//! # The core, in reading order
//!
//! Each file uses only the files before it; `tests/core_size.rs` checks
//! that, and counts the whole, docs included (the aim is 1,500 lines; the
//! test's ceiling is today's count, so the core can only shrink):
//!
//! 1. `clock.rs`: where time comes from ([`Clock`]), the [`Park`] the loop
//!    waits in, and [`Instant`].
//! 2. `wheel.rs` and `wheel/list.rs`: the timer [`time::Wheel`], on its own.
//! 3. `task.rs`: what a task is to its users: its id, [`JoinError`].
//! 4. `raw.rs`: a task in one allocation (header, then its future, then
//!    its output), its waker, and the ready queues a wake puts it on: the
//!    only `unsafe` in minirt, with its layout and state machine; and
//!    `raw/queue.rs`, the queues themselves.
//! 5. `registry.rs`: the list of live tasks, for shutdown and the census.
//! 6. `hooks.rs`: the seam where layers attach ([`Hooks`]).
//! 7. `executor.rs`: the loop itself: run what is ready, turn the wheel, park.
//! 8. `context.rs`: how [`spawn`] and [`sleep`] find the current runtime.
//! 9. `time.rs`: [`sleep`], [`timeout`], [`Instant::now`] on the runtime's clock.
//! 10. `join.rs`: the [`JoinHandle`]. It reaches into the registry the loop
//!     owns, because a handle must: it is how a task's output leaves it.
//! 11. `runtime.rs`: the [`Runtime`] that owns a loop, and [`block_on`].
//!
//! # Beside it: the layers
//!
//! None of these is named by the core; each attaches through a seam.
//!
//! - `builder.rs`: the [`Builder`], where the layers are attached.
//! - `clocks.rs`: the [`VirtualClock`] (time jumps to the next deadline)
//!   and the [`SystemClock`], plugged in at the [`Clock`] seam.
//! - `deadlock.rs` with `sync.rs`: an async [`sync::Mutex`] and the proof that
//!   names a deadlock, at the [`Hooks::stuck`] seam.
//! - `blocking.rs`: the disease, [`block_thread_for`] (a blocking
//!   call, virtual on a virtual clock), and the cure, [`spawn_blocking`].
//! - `yield_now.rs`: [`yield_now()`], one turn of the loop.
//! - `explore.rs`: every schedule, not one: seeded and exhaustive
//!   exploration of task orders, at the [`hooks::Scheduler`] seam.
//! - `join_all.rs`: [`join_all()`], `asyncio.gather`.
//! - `io.rs` and `io/` (feature `io`, on by default, Linux): an epoll
//!   reactor that is the loop's idle wait, attached at the clock's park
//!   (one wait for the next deadline, a wake from another thread, or a
//!   socket becoming ready), [`net`] (TCP and UDP) and [`fs`] (files, on the
//!   blocking pool). Read `io/readiness.rs` (one source's state, no system
//!   calls), `io/reactor.rs` (epoll, registration), `io/wait.rs` (the clock
//!   that waits in it, system or virtual), `io/net.rs`, `io/fs.rs`.
//! - `queues.rs` (feature `timer-queues`): the heap and ordered map the
//!   wheel is measured against, at the `Timers` type alias.
//!
//! # Scheduling: one order, or every order
//!
//! The loop runs ready tasks first in, first out. That is one schedule of
//! many: whenever more than one task is ready (tasks woken by timers with
//! equal deadlines are ready together), another loop, or a little load,
//! could pick another. A [`hooks::Scheduler`] attached with
//! [`Builder::scheduler`] picks instead; `explore.rs`'s
//! [`explore::Policy`] picks at random by seed or replays a list of
//! choices, and records the choices it made, so any run can be replayed
//! exactly. [`explore::exhaustive`] walks every schedule of a program,
//! depth first, and [`explore::random`] samples them: the lost update that
//! FIFO shows every time, or hides every time, is counted over all of them.
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
//! No work stealing, no `unsafe` outside `raw.rs`, no I/O beyond Linux's epoll (and files
//! on threads).
#![no_std]
#![deny(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The core, in reading order.
mod clock;
#[cfg(feature = "std")]
mod context;
mod executor;
pub mod hooks;
mod join;
mod registry;
mod runtime;
// The one module allowed `unsafe`: a task in one allocation.
#[allow(unsafe_code)]
mod raw;
mod task;
pub mod time;
mod wheel;

// The layers.
#[cfg(feature = "std")]
mod blocking;
mod builder;
mod clocks;
mod deadlock;
#[cfg(feature = "std")]
pub mod explore;
#[cfg(feature = "io")]
mod io;
#[cfg(feature = "std")]
mod join_all;
#[cfg(feature = "timer-queues")]
pub mod queues;
pub mod sync;
mod yield_now;

#[cfg(feature = "std")]
pub use blocking::{block_thread_for, spawn_blocking};
pub use builder::Builder;
#[cfg(feature = "std")]
pub use clock::Unpark;
pub use clock::{Clock, Instant, Park};
#[cfg(feature = "std")]
pub use clocks::SystemClock;
pub use clocks::VirtualClock;
pub use hooks::{Deadlock, Hooks, Scheduler};
#[cfg(feature = "io")]
pub use io::{fs, net};
pub use join::JoinHandle;
#[cfg(feature = "std")]
pub use join_all::join_all;
#[cfg(feature = "timer-queues")]
pub use queues::TimerQueueKind;
pub use runtime::Runtime;
#[cfg(feature = "std")]
pub use runtime::{block_on, spawn, spawn_named, task_count, task_id};
pub use task::{JoinError, TaskId};
#[cfg(feature = "std")]
pub use time::{sleep, sleep_until, timeout};
pub use time::{Elapsed, Sleep};
pub use wheel::{TimerKey, Wheel};
pub use yield_now::{yield_now, YieldNow};
