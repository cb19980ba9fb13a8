//! The ready queues a wake puts a task on: the loop's own, on its thread,
//! and the shared one other threads push to. Part of `raw.rs`, with no
//! `unsafe` of its own: an entry is a [`Ready`], which owns its task's
//! reference.

use super::Ready;
use super::{fence, AtomicBool, AtomicUsize, Ordering, SegQueue};
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::cell::RefCell;

/// The tasks ready to run on the loop's own thread, oldest first.
pub(crate) type LocalQueue = Rc<RefCell<VecDeque<Ready>>>;

/// The tasks woken from other threads, in order. Lock-free: a wake never
/// waits for the loop.
pub(crate) struct ReadyQueue {
    remote: SegQueue<Ready>,
    /// Ends the loop's park after a push (the clock's unparker).
    #[cfg(feature = "std")]
    unparker: Arc<dyn crate::Unpark>,
    /// Jobs outside the loop (`spawn_blocking`) that will wake a task: time
    /// must not jump past them, nor the loop call itself stuck.
    outside_work: AtomicUsize,
    /// The runtime is gone: an entry pushed now would keep its task (which
    /// keeps this queue) alive for ever, so the pusher drops it.
    closed: AtomicBool,
}

impl ReadyQueue {
    pub(crate) fn new(#[cfg(feature = "std")] unparker: Arc<dyn crate::Unpark>) -> Self {
        ReadyQueue {
            remote: SegQueue::new(),
            #[cfg(feature = "std")]
            unparker,
            outside_work: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        }
    }

    /// Queues an entry and ends the loop's park. On the thread where this
    /// loop runs, the wake goes straight to its local queue: no atomics.
    pub(crate) fn push(&self, entry: Ready) {
        let Err(entry) = push_locally(self, entry) else {
            return;
        };
        self.remote.push(entry);
        // SeqCst, here and in `close`: either this push sees the close, or
        // the close's drain sees this entry.
        fence(Ordering::SeqCst);
        if self.closed.load(Ordering::Relaxed) {
            self.drain();
        }
        #[cfg(feature = "std")]
        self.unparker.unpark();
    }

    /// The oldest entry from another thread.
    pub(crate) fn pop(&self) -> Option<Ready> {
        self.remote.pop()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remote.is_empty()
    }

    /// The runtime is gone: drops every entry, now and from now on.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        self.drain();
    }

    fn drain(&self) {
        while self.remote.pop().is_some() {}
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

/// The `block_on` future's waker: not a task, so a flag and the queue.
pub(crate) struct MainWaker {
    scheduled: AtomicBool,
    queue: Arc<ReadyQueue>,
}

impl MainWaker {
    /// Already scheduled: the loop polls the future first thing.
    pub(crate) fn new(queue: Arc<ReadyQueue>) -> Self {
        let scheduled = AtomicBool::new(true);
        MainWaker { scheduled, queue }
    }

    /// Called just before a poll, as [`TaskRef::poll`](super::TaskRef::poll) clears `SCHEDULED`.
    pub(crate) fn clear_scheduled(&self) {
        self.scheduled.swap(false, Ordering::Acquire);
    }
}

impl alloc::task::Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            self.queue.push(Ready::MAIN);
        }
    }
}

#[cfg(all(feature = "std", not(loom)))]
std::thread_local! {
    /// The loop running on this thread: its shared queue's address (to
    /// recognise its wakers) and its local queue.
    static RUNNING_HERE: RefCell<Option<(usize, LocalQueue)>> = const { RefCell::new(None) };
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
        RunningHere(RUNNING_HERE.with(|slot| slot.replace(running)))
    }
}

#[cfg(all(feature = "std", not(loom)))]
impl Drop for RunningHere {
    fn drop(&mut self) {
        let _ = RUNNING_HERE.try_with(|slot| slot.replace(self.0.take()));
    }
}

/// Queues `entry` locally if `queue`'s loop runs on this thread; gives it
/// back otherwise.
#[cfg(all(feature = "std", not(loom)))]
fn push_locally(queue: &ReadyQueue, entry: Ready) -> Result<(), Ready> {
    // `try_with`: a waker dropped in a thread's teardown finds no thread-local.
    let address = core::ptr::from_ref(queue) as usize;
    let mut entry = Some(entry);
    let _ = RUNNING_HERE.try_with(|slot| match &*slot.borrow() {
        Some((running, local)) if *running == address => {
            local.borrow_mut().extend(entry.take());
        }
        _ => {}
    });
    entry.map_or(Ok(()), Err)
}

#[cfg(not(all(feature = "std", not(loom))))]
fn push_locally(_: &ReadyQueue, entry: Ready) -> Result<(), Ready> {
    Err(entry)
}
