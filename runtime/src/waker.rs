//! How a task is woken, from this thread or any other: the [`ReadyQueue`]
//! and each task's [`TaskWaker`]. Read this after `task.rs`.
//!
//! A `Waker` is the one thing a future hands to the outside world, maybe to
//! another thread, so a waker holds only a task's key, a flag and a shared
//! queue, all `Send + Sync`: it says "poll this one again", and the loop
//! owns the futures. The `scheduled` flag lets only the first wake after a
//! poll queue the key. A stale waker is harmless: its key matches no task.
//!
//! Under `cfg(loom)` (`waker/loom_tests.rs`) the atomics and the queue are
//! loom's, and the same-thread shortcut is compiled out, so every modelled
//! wake takes the cross-thread path, the one that can race.

use crate::task::TaskKey;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::task::Wake;
use core::cell::RefCell;
#[cfg(not(loom))]
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
#[cfg(not(loom))]
use crossbeam_queue::SegQueue;
#[cfg(loom)]
use loom_swaps::{AtomicBool, AtomicUsize, Ordering, SegQueue};

#[cfg(loom)]
mod loom_swaps;
#[cfg(all(test, loom))]
mod loom_tests;

/// The tasks ready to run on the loop's own thread, oldest first.
pub(crate) type LocalQueue = alloc::rc::Rc<RefCell<VecDeque<TaskKey>>>;

/// The tasks woken from other threads, in order. Lock-free: a wake never
/// waits for the loop.
pub(crate) struct ReadyQueue {
    keys: SegQueue<TaskKey>,
    /// Ends the loop's park after a push (the clock's unparker).
    #[cfg(feature = "std")]
    unparker: Arc<dyn crate::Unpark>,
    /// Jobs outside the loop (`spawn_blocking`) that will wake a task: time
    /// must not jump past them, nor the loop call itself stuck.
    outside_work: AtomicUsize,
}

impl ReadyQueue {
    pub(crate) fn new(#[cfg(feature = "std")] unparker: Arc<dyn crate::Unpark>) -> Self {
        ReadyQueue {
            keys: SegQueue::new(),
            #[cfg(feature = "std")]
            unparker,
            outside_work: AtomicUsize::new(0),
        }
    }

    /// Queues a task and ends the loop's park. On the thread where this
    /// loop runs, the wake goes straight to its local queue: no atomics.
    pub(crate) fn push(&self, key: TaskKey) {
        if !push_locally(self, key) {
            self.keys.push(key);
            #[cfg(feature = "std")]
            self.unparker.unpark();
        }
    }

    pub(crate) fn pop(&self) -> Option<TaskKey> {
        self.keys.pop()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Counts a job running outside the loop until the guard is dropped.
    #[cfg(feature = "std")]
    pub(crate) fn outside_work(self: &Arc<Self>) -> OutsideWork {
        self.outside_work.fetch_add(1, Ordering::Relaxed);
        OutsideWork(self.clone())
    }

    pub(crate) fn has_outside_work(&self) -> bool {
        self.outside_work.load(Ordering::Acquire) != 0
    }
}

/// A job running outside the loop, counted until this is dropped.
#[cfg(feature = "std")]
pub(crate) struct OutsideWork(Arc<ReadyQueue>);

#[cfg(feature = "std")]
impl Drop for OutsideWork {
    fn drop(&mut self) {
        // Release: whoever sees the count drop sees the job's wake, pushed
        // before. Unpark: a loop waiting for the job looks again.
        self.0.outside_work.fetch_sub(1, Ordering::Release);
        self.0.unparker.unpark();
    }
}

#[cfg(all(feature = "std", not(loom)))]
std::thread_local! {
    /// The loop running on this thread: its shared queue's address (to
    /// recognise its wakers) and its local queue.
    static RUNNING: RefCell<Option<(usize, LocalQueue)>> = const { RefCell::new(None) };
}

/// While alive, `queue`'s loop counts as running on this thread; dropped,
/// the loop that ran before (a runtime dropped inside another's `block_on`)
/// is put back.
#[cfg(all(feature = "std", not(loom)))]
pub(crate) struct RunningHere(Option<(usize, LocalQueue)>);

#[cfg(all(feature = "std", not(loom)))]
impl RunningHere {
    pub(crate) fn new(queue: &ReadyQueue, local: &LocalQueue) -> Self {
        let running = Some((core::ptr::from_ref(queue) as usize, local.clone()));
        RunningHere(RUNNING.with(|slot| slot.replace(running)))
    }
}

#[cfg(all(feature = "std", not(loom)))]
impl Drop for RunningHere {
    fn drop(&mut self) {
        let _ = RUNNING.try_with(|slot| slot.replace(self.0.take()));
    }
}

#[cfg(all(feature = "std", not(loom)))]
fn push_locally(queue: &ReadyQueue, key: TaskKey) -> bool {
    // `try_with`: a waker dropped in a thread's teardown finds no thread-local.
    let address = core::ptr::from_ref(queue) as usize;
    let pushed = RUNNING.try_with(|slot| match &*slot.borrow() {
        Some((running, local)) if *running == address => {
            local.borrow_mut().push_back(key);
            true
        }
        _ => false,
    });
    pushed.unwrap_or(false)
}

#[cfg(not(all(feature = "std", not(loom))))]
fn push_locally(_: &ReadyQueue, _: TaskKey) -> bool {
    false
}

/// The data behind one task's `Waker`. Invariant: `scheduled` is true from
/// the wake that queued the key until the loop takes it to poll the task.
pub(crate) struct TaskWaker {
    key: TaskKey,
    scheduled: AtomicBool,
    queue: Arc<ReadyQueue>,
}

impl TaskWaker {
    /// A waker already counted as scheduled: a new task is queued for its
    /// first poll.
    pub(crate) fn new(key: TaskKey, queue: Arc<ReadyQueue>) -> Self {
        let scheduled = AtomicBool::new(true);
        TaskWaker {
            key,
            scheduled,
            queue,
        }
    }

    /// Called just before a poll: wakes from now on queue the task again.
    /// Acquire pairs with the wake's release: the poll sees what the waker
    /// wrote before waking.
    pub(crate) fn clear_scheduled(&self) {
        self.scheduled.swap(false, Ordering::Acquire);
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
