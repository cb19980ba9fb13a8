//! `pool`: a small fixed pool of reused worker threads, like Python's
//! `concurrent.futures.ThreadPoolExecutor`.
//!
//! Like Python's, it starts a worker only when a job arrives and no worker is
//! idle, up to `max_workers`; so the race's 2 jobs on a pool of 5 use 2
//! threads, `ThreadPoolExecutor-0_0` and `ThreadPoolExecutor-0_1`. The
//! futures-like part (results as they complete) is
//! [`JobSet`](crate::model::workers::JobSet), shared with every backend.

use super::Backend;
use crate::model::workers::{Job, Workers};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

/// The `pool` backend.
pub fn backend() -> Backend {
    Backend::new(
        "pool",
        "a fixed pool of reused worker threads (ThreadPoolExecutor)",
    )
    .with_pool(|max_workers| Box::new(ThreadPool::new(max_workers)))
    .with_io()
}

/// A pool of at most `max_workers` threads sharing one job queue.
///
/// - `queue` is `None` only after shutdown began; dropping it is what tells
///   idle workers to exit.
/// - `idle` counts workers waiting for a job and not yet promised one.
pub struct ThreadPool {
    /// Where `execute` puts jobs.
    queue: Mutex<Option<Sender<Job>>>,
    /// Where workers take jobs from, one at a time.
    jobs: Arc<Mutex<Receiver<Job>>>,
    /// Workers waiting for a job that no `execute` has claimed yet.
    idle: Arc<AtomicUsize>,
    /// The most workers this pool starts.
    max_workers: usize,
    /// Every worker started, to be joined.
    workers: Mutex<Vec<JoinHandle<()>>>,
    /// The stack of each worker, if not std's default.
    stack_size: Option<usize>,
}

impl ThreadPool {
    /// A pool that will start up to `max_workers` threads (at least one).
    pub fn new(max_workers: usize) -> Self {
        let (queue, jobs) = mpsc::channel();
        Self {
            queue: Mutex::new(Some(queue)),
            jobs: Arc::new(Mutex::new(jobs)),
            idle: Arc::new(AtomicUsize::new(0)),
            max_workers: max_workers.max(1),
            workers: Mutex::new(Vec::new()),
            stack_size: None,
        }
    }

    /// Waits for every job queued, then for every worker to exit, like
    /// leaving Python's `with ThreadPoolExecutor(...)` block.
    pub fn shutdown(self) {
        // Dropping the sender lets each worker finish the queue, then exit.
        drop(
            self.queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        let workers = self
            .workers
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        for worker in workers {
            let _ = worker.join();
        }
    }

    /// Starts one more worker, named as Python names them: pool 0, worker N.
    fn start_worker(&self, workers: &mut Vec<JoinHandle<()>>) {
        let jobs = Arc::clone(&self.jobs);
        let idle = Arc::clone(&self.idle);
        let name = format!("ThreadPoolExecutor-0_{}", workers.len());
        let builder = thread::Builder::new().name(name);
        let builder = match self.stack_size {
            Some(bytes) => builder.stack_size(bytes),
            None => builder,
        };
        let worker = builder.spawn(move || loop {
            // Hold the receiver's lock only while waiting, never while working.
            let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
            let Ok(job) = next else { return };
            job();
            idle.fetch_add(1, Ordering::AcqRel);
        });
        // As `std::thread::spawn` does, treat an OS out of threads as fatal.
        workers.push(worker.expect("the OS refused to start a thread"));
    }
}

impl Workers for ThreadPool {
    fn execute(&self, job: Job) {
        // Python's rule: reuse an idle worker if there is one (claiming it, so
        // two jobs cannot count on the same one), else start one if allowed.
        let claimed_idle = self
            .idle
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |idle| {
                idle.checked_sub(1)
            })
            .is_ok();
        if !claimed_idle {
            let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
            if workers.len() < self.max_workers {
                self.start_worker(&mut workers);
            }
        }
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(queue) = queue.as_ref() {
            // Workers hold the receiver until the queue is dropped, so this
            // send cannot fail while the pool is alive.
            let _ = queue.send(job);
        }
    }

    fn join(self: Box<Self>) {
        self.shutdown();
    }

    fn set_stack_size(&mut self, bytes: usize) {
        self.stack_size = Some(bytes);
    }
}
