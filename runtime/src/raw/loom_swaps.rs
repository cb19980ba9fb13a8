//! What `raw.rs` uses under `cfg(loom)`: loom's atomics and threads, and a
//! queue loom can see into.
//!
//! Part of `raw.rs`, for the model checks in `raw/loom_tests.rs` only.
//! loom explores every interleaving of the operations it controls, so the
//! wake path must use loom's types; crossbeam's lock-free queue uses plain
//! atomics that loom cannot see, so it becomes a loom mutex around a
//! `VecDeque`, with the same first-in, first-out push and pop.

use alloc::collections::VecDeque;
pub(crate) use loom::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};

/// loom's thread handle ends a modelled park, as std's ends a real one.
impl crate::Unpark for loom::thread::Thread {
    fn unpark(&self) {
        loom::thread::Thread::unpark(self);
    }
}

/// The `crossbeam_queue::SegQueue` operations minirt uses, behind a spin
/// lock on a loom atomic.
///
/// Not a loom `Mutex`: loom lets an `unpark` (which every cross-thread wake
/// sends) resume a thread blocked on a loom mutex, and then fails its own
/// assertion. Spinning with `yield_now` never blocks, and loom still
/// explores every order of the lock's acquire and release. The std mutex
/// inside is never contended (the spin lock is held); it only gives safe
/// access to the `VecDeque`.
pub(crate) struct SegQueue<T> {
    /// Held while the deque is used.
    locked: AtomicBool,
    /// The keys, oldest first.
    items: std::sync::Mutex<VecDeque<T>>,
}

impl<T> SegQueue<T> {
    /// An empty queue.
    pub(crate) fn new() -> Self {
        SegQueue {
            locked: AtomicBool::new(false),
            items: std::sync::Mutex::new(VecDeque::new()),
        }
    }

    /// Runs `f` on the deque with the spin lock held.
    fn with<R>(&self, f: impl FnOnce(&mut VecDeque<T>) -> R) -> R {
        while self
            .locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            loom::thread::yield_now();
        }
        let result = f(&mut self.items.lock().expect("not poisoned"));
        self.locked.store(false, Ordering::Release);
        result
    }

    /// Adds at the back.
    pub(crate) fn push(&self, value: T) {
        self.with(|items| items.push_back(value));
    }

    /// Takes from the front.
    pub(crate) fn pop(&self) -> Option<T> {
        self.with(VecDeque::pop_front)
    }

    /// Whether nothing is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.with(|items| items.is_empty())
    }
}
