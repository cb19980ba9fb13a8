//! How a task is woken: the [`ReadyQueue`] and the per-task [`TaskWaker`].
//!
//! Read this after `task.rs`. A `Waker` is the only thing a future hands to
//! the outside world, and the outside world may be another thread: so a
//! waker holds nothing but a task's key, one flag and a shared queue, all
//! `Send + Sync`. The executor owns the futures; the waker only says "poll
//! this one again".
//!
//! Waking is idempotent: the `scheduled` flag lets only the first wake after
//! a poll put the key in the queue. A stale waker (its task finished, its
//! runtime dropped) is harmless: the loop finds no task under that key, or
//! no loop ever reads the queue again.
//!
//! This file is what loom model-checks (`RUSTFLAGS="--cfg loom"`, see
//! `waker/loom_tests.rs`): under `cfg(loom)` its atomics, queue and thread
//! handle are swapped for loom's (`waker/loom_swaps.rs`), and the shortcut
//! for wakes on the loop's own thread is compiled out (it needs the
//! thread-local runtime, which the model does not build): every modelled
//! wake takes the cross-thread path, the one that can race.

use crate::task::TaskKey;
use alloc::sync::Arc;
use alloc::task::Wake;
#[cfg(not(loom))]
use core::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(loom))]
use crossbeam_queue::SegQueue;
#[cfg(loom)]
use loom_swaps::{AtomicBool, Ordering, SegQueue};

#[cfg(loom)]
mod loom_swaps;
#[cfg(all(test, loom))]
mod loom_tests;

/// The queue of tasks woken from other threads, in the order they were woken.
///
/// It is lock-free so a wake from any thread never waits for the loop. On
/// `std` it also knows the loop's thread, to unpark it when a wake arrives
/// while it waits for a deadline. A wake on the loop's own thread while the
/// loop runs (a timer firing, one task waking another) takes a shortcut to
/// the loop's local queue instead: no atomics, no unpark.
pub(crate) struct ReadyQueue {
    /// Keys of ready tasks, oldest first.
    keys: SegQueue<TaskKey>,
    /// Ends the loop's park on a wake (the clock's unparker).
    #[cfg(feature = "std")]
    unparker: Arc<dyn crate::Unpark>,
    /// `spawn_blocking` jobs still running: each will wake a task, so a
    /// virtual clock must not jump past them, nor may the loop call itself
    /// deadlocked. (Not one of loom's atomics: the model checks leave it at 0.)
    #[cfg(feature = "std")]
    outside_work: core::sync::atomic::AtomicUsize,
}

impl ReadyQueue {
    /// An empty queue whose wakes end the loop's park through `unparker`.
    #[cfg(feature = "std")]
    pub(crate) fn new(unparker: Arc<dyn crate::Unpark>) -> Self {
        ReadyQueue {
            keys: SegQueue::new(),
            unparker,
            outside_work: core::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// An empty queue; without an OS, the loop's park polls it.
    #[cfg(not(feature = "std"))]
    pub(crate) fn new() -> Self {
        ReadyQueue {
            keys: SegQueue::new(),
        }
    }

    /// Counts a job that runs outside the loop until the guard is dropped.
    #[cfg(feature = "std")]
    pub(crate) fn outside_work(self: &Arc<Self>) -> OutsideWork {
        use core::sync::atomic::Ordering::Relaxed;
        self.outside_work.fetch_add(1, Relaxed);
        OutsideWork(self.clone())
    }

    /// Whether any job outside the loop is still running.
    pub(crate) fn has_outside_work(&self) -> bool {
        #[cfg(feature = "std")]
        return self
            .outside_work
            .load(core::sync::atomic::Ordering::Acquire)
            != 0;
        #[cfg(not(feature = "std"))]
        false
    }

    /// Queues a task from a waker, on any thread, and unparks the loop.
    ///
    /// Unparking a thread that is not parked only leaves a token, which makes
    /// its next park return at once: a spare turn of the loop, never a lost
    /// wake-up.
    pub(crate) fn push(&self, key: TaskKey) {
        #[cfg(all(feature = "std", not(loom)))]
        if crate::context::wake_locally(self, key) {
            return;
        }
        self.keys.push(key);
        #[cfg(feature = "std")]
        self.unparker.unpark();
    }

    /// The oldest ready task, if any.
    pub(crate) fn pop(&self) -> Option<TaskKey> {
        self.keys.pop()
    }

    /// How many tasks are ready (a snapshot: other threads may add more).
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no task is ready.
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// A job running outside the loop, counted until this is dropped.
#[cfg(feature = "std")]
pub(crate) struct OutsideWork(Arc<ReadyQueue>);

#[cfg(feature = "std")]
impl Drop for OutsideWork {
    fn drop(&mut self) {
        // Release: the job's wake, pushed before this, is seen by whoever
        // sees the count drop. Unpark: a loop waiting for this job looks again.
        use core::sync::atomic::Ordering::Release;
        self.0.outside_work.fetch_sub(1, Release);
        self.0.unparker.unpark();
    }
}

/// The data behind one task's `Waker`.
///
/// Invariants:
/// - `key` never changes; it names the task's slot in the registry.
/// - `scheduled` is true while the key sits in the ready queue (or the task
///   is about to be polled for the first time), false once the loop has taken
///   the key to poll it.
pub(crate) struct TaskWaker {
    /// Which task to poll.
    key: TaskKey,
    /// Whether the key is already queued, so that waking twice queues once.
    scheduled: AtomicBool,
    /// Where the key goes.
    queue: Arc<ReadyQueue>,
}

impl TaskWaker {
    /// A waker for the task under `key`, not yet scheduled.
    pub(crate) fn new(key: TaskKey, queue: Arc<ReadyQueue>) -> Self {
        TaskWaker {
            key,
            scheduled: AtomicBool::new(false),
            queue,
        }
    }

    /// The task this waker wakes.
    pub(crate) fn key(&self) -> TaskKey {
        self.key
    }

    /// Called by the loop just before a poll: wakes from now on queue the
    /// task again.
    pub(crate) fn clear_scheduled(&self) {
        // Acquire pairs with the release in `wake_by_ref`: whatever the waker
        // wrote before waking is visible to the poll that follows.
        self.scheduled.swap(false, Ordering::Acquire);
    }

    /// Marks the task scheduled: the loop queues it for its first poll.
    pub(crate) fn mark_scheduled(&self) {
        self.scheduled.store(true, Ordering::Relaxed);
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            self.queue.push(self.key);
        }
    }
}
