//! Jobs on OS threads: the model of the article's `threading` and
//! `concurrent.futures.ThreadPoolExecutor` sections.
//!
//! A backend supplies [`Workers`], which only knows how to start a job
//! somewhere (a new thread, an idle pool thread). [`JobSet`] builds the
//! futures-like part on top, once for every backend: submit jobs, then take
//! their results as they complete (`as_completed`) or all at once.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

/// A unit of work for a thread.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// Somewhere to run jobs on OS threads, like Java's `Executor`.
pub trait Workers: Send + Sync {
    /// Starts `job` on a worker thread and returns at once.
    fn execute(&self, job: Job);

    /// Waits until every job has run and every worker thread has exited,
    /// like joining Python's non-daemon threads or `pool.shutdown(wait=True)`.
    fn join(self: Box<Self>);

    /// Starts every later thread with a stack of `bytes` (at least the
    /// OS's minimum) instead of std's 2 MiB: part 2's `connections` holds
    /// a thread per connection, and says what each costs. Workers that
    /// start no threads of their own ignore it.
    fn set_stack_size(&mut self, bytes: usize) {
        let _ = bytes;
    }
}

/// Makes the [`Workers`] for one run, given the most threads the scenario
/// wants (a pool's `max_workers`; one-thread-per-job backends ignore it).
pub type MakeWorkers = fn(max_workers: usize) -> Box<dyn Workers>;

/// Jobs submitted to [`Workers`], whose results come back as they complete.
/// Like tokio's `JoinSet`, or `concurrent.futures.as_completed`.
///
/// # Examples
///
/// ```
/// use concur::backend::threads::OsThreads;
/// use concur::model::workers::{JobSet, Workers};
///
/// let workers: Box<dyn Workers> = Box::new(OsThreads::new());
/// let mut jobs = JobSet::new(workers.as_ref());
/// jobs.submit(|| 2);
/// jobs.submit(|| 3);
/// let mut results = jobs.join_all();
/// results.sort();
/// assert_eq!(results, [2, 3]);
/// workers.join();
/// ```
pub struct JobSet<'w, T> {
    /// Where jobs run.
    workers: &'w dyn Workers,
    /// Cloned into every job, which sends its result when done.
    done_sender: Sender<thread::Result<T>>,
    /// Results, in the order the jobs completed.
    done: Receiver<thread::Result<T>>,
    /// Jobs submitted whose result has not been taken yet.
    pending: usize,
}

impl<'w, T: Send + 'static> JobSet<'w, T> {
    /// An empty set of jobs on `workers`.
    pub fn new(workers: &'w dyn Workers) -> Self {
        let (done_sender, done) = mpsc::channel();
        Self {
            workers,
            done_sender,
            done,
            pending: 0,
        }
    }

    /// Submits `job`, like `executor.submit(job)`.
    pub fn submit(&mut self, job: impl FnOnce() -> T + Send + 'static) {
        let done = self.done_sender.clone();
        self.workers.execute(Box::new(move || {
            // A panicking job must still report, or `join_next` would wait
            // forever; the panic is re-raised on the submitting thread.
            let result = panic::catch_unwind(AssertUnwindSafe(job));
            let _ = done.send(result);
        }));
        self.pending += 1;
    }

    /// The result of the next job to complete, or `None` when none is left.
    ///
    /// # Panics
    ///
    /// If that job panicked, the panic continues here.
    pub fn join_next(&mut self) -> Option<T> {
        if self.pending == 0 {
            return None;
        }
        self.pending -= 1;
        // The set holds a sender itself, so the channel cannot be closed.
        match self.done.recv().expect("the job set holds a sender") {
            Ok(value) => Some(value),
            Err(panic) => panic::resume_unwind(panic),
        }
    }

    /// Every remaining result, in completion order.
    ///
    /// # Panics
    ///
    /// As [`JobSet::join_next`].
    pub fn join_all(mut self) -> Vec<T> {
        std::iter::from_fn(|| self.join_next()).collect()
    }
}
