//! The execution models: the small interfaces scenarios are written against.
//!
//! A scenario never names a runtime. It names a [`Model`] ("I need an event
//! loop") and is handed that model's interface; each backend in
//! [`backend`](crate::backend) implements the models it can run. Read
//! [`workers`] (threads and pools), then [`event_loop`] (one thread,
//! cooperative), then [`parallel`] (an async executor on several threads);
//! [`foreign`] is the odd one: whole programs in another language (Python).
//! [`traced`] wraps any event loop so that its every poll and sleep goes
//! into the run's trace. [`io`] is part 2's: network and file I/O, which
//! every kind of backend offers in its own way.

pub mod event_loop;
pub mod foreign;
pub mod io;
pub mod parallel;
pub mod traced;
pub mod workers;

use std::future::Future;
use std::time::Duration;

/// How a scenario's code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Plain code on the main thread, one thing after another.
    Sequential,
    /// Jobs on OS threads: a thread each, or a reused pool ([`workers`]).
    Threads,
    /// Tasks on a single-threaded event loop ([`event_loop`]).
    EventLoop,
    /// Tasks on a multi-threaded async executor ([`parallel`]).
    ParallelEventLoop,
    /// CPU-bound work split by a sort strategy (see `scenario/sort.rs`).
    Cpu,
    /// Network and file I/O, sequential, on threads or on an event loop
    /// ([`io`]).
    Io,
}

impl Model {
    /// A few words for `concur list`.
    pub fn describe(self) -> &'static str {
        match self {
            Model::Sequential => "sequential code",
            Model::Threads => "OS threads",
            Model::EventLoop => "a single-threaded event loop",
            Model::ParallelEventLoop => "a multi-threaded async executor",
            Model::Cpu => "CPU-bound work",
            Model::Io => "network and file I/O",
        }
    }
}

/// Anything that can make a sleep future: both kinds of event loop.
///
/// It lets one `async fn` (the race's update) be written once and run,
/// unchanged, on a single-threaded loop and on a multi-threaded executor:
/// the future it returns is `Send` exactly when the sleeper's is.
pub trait Sleeper {
    /// The sleep future.
    type Sleep: Future<Output = ()>;

    /// A future that completes after `duration`, like `asyncio.sleep`.
    fn sleep(&self, duration: Duration) -> Self::Sleep;
}
