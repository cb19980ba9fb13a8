//! `threads`: one new OS thread per job, named like Python's (`Thread-1`, ...).
//!
//! The article's `threading` section: while one thread sleeps the OS runs
//! another. Also runs the sort on scoped threads, one per core.

use super::Backend;
use crate::model::workers::{Job, Workers};
use crate::sort::Strategy;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::{self, JoinHandle};

/// The `threads` backend.
pub fn backend() -> Backend {
    Backend::new("threads", "one std::thread per job")
        .with_workers(|_max_workers| Box::new(OsThreads::new()))
        .with_io()
        .with_sort(Strategy::ScopedThreads)
}

/// Starts each job on a thread of its own, like `threading.Thread(...).start()`.
///
/// Threads are numbered from 1 for each `OsThreads`, so a run's logs read
/// `Thread-1`, `Thread-2` (the article's show `Thread-4` and `Thread-5` only
/// because three threads had been made before in that program).
#[derive(Debug, Default)]
pub struct OsThreads {
    /// How many threads were started so far.
    started: AtomicUsize,
    /// Every thread started, to be joined.
    handles: Mutex<Vec<JoinHandle<()>>>,
    /// The stack of each thread, if not std's default.
    stack_size: Option<usize>,
}

impl OsThreads {
    /// No threads yet.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Workers for OsThreads {
    fn execute(&self, job: Job) {
        let number = self.started.fetch_add(1, Ordering::Relaxed) + 1;
        let builder = thread::Builder::new().name(format!("Thread-{number}"));
        let builder = match self.stack_size {
            Some(bytes) => builder.stack_size(bytes),
            None => builder,
        };
        let spawned = builder.spawn(job);
        // Like `std::thread::spawn`, treat "the OS has no threads left" as fatal:
        // a scenario of two threads cannot go on without them.
        let handle = spawned.expect("the OS refused to start a thread");
        self.handles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handle);
    }

    fn set_stack_size(&mut self, bytes: usize) {
        self.stack_size = Some(bytes);
    }

    fn join(self: Box<Self>) {
        let handles = self
            .handles
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        for handle in handles {
            // A job's panic was already reported through its `JobSet`.
            let _ = handle.join();
        }
    }
}
