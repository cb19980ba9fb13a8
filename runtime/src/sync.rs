//! [`Mutex`]: an async lock the runtime can see into.
//!
//! Read this after `time.rs`. Like `std::sync::Mutex`, but waiting for it is
//! a future: a task that finds it taken returns `Pending` and the loop runs
//! others, instead of the whole thread blocking. Holding a guard across an
//! `.await` is the point (that is what a `std` mutex must never do on a loop).
//!
//! Each waiting lock future has its own place in the queue (a ticket), so
//! several of them in one task (inside `FuturesUnordered`, or `join_all`)
//! are each woken in turn. The lock is handed over in first-come,
//! first-served order: on unlock it goes straight to the oldest waiter,
//! which holds it from then on even before it runs; if that waiter is
//! dropped first (a lost `select`, a `timeout`), it hands the lock on.
//!
//! The lock knows its name, its holder and its waiters' wakers, which is
//! what lets the deadlock proof (`deadlock.rs`) name the cycle where other
//! runtimes just hang. A lock lists itself, at its first wait, in this
//! thread's list of waited locks, which the proof reads: a side table, so
//! the loop itself knows nothing of locks.

// Without `std` there is no `Mutex`: the lock state is there, unused.
#![cfg_attr(not(feature = "std"), allow(dead_code))]

use crate::task::TaskId;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::task::Waker;

/// What a lock and the runtime share: its name, its holder, its queue.
pub(crate) struct LockState {
    /// Shown in deadlock reports.
    name: Box<str>,
    /// The task holding the lock (or granted it), if it is held.
    holder: Cell<Option<TaskId>>,
    /// Lock futures waiting, oldest first.
    waiters: RefCell<VecDeque<Waiter>>,
    /// The ticket the next waiter gets.
    next_ticket: Cell<u64>,
    /// Whether the lock is in this thread's list of waited locks.
    listed: Cell<bool>,
}

/// One lock future in the queue.
struct Waiter {
    /// Which lock future this is.
    ticket: u64,
    /// The task that polled it.
    task: TaskId,
    /// Its waker, to wake when the lock is handed to it.
    waker: Waker,
    /// Whether the lock has been handed to it (it holds it now).
    granted: bool,
}

impl LockState {
    /// An unlocked lock with no waiters.
    fn new(name: Box<str>) -> Self {
        LockState {
            name,
            holder: Cell::new(None),
            waiters: RefCell::new(VecDeque::new()),
            next_ticket: Cell::new(0),
            listed: Cell::new(false),
        }
    }

    /// The lock's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Who holds it.
    pub(crate) fn holder(&self) -> Option<TaskId> {
        self.holder.get()
    }

    /// Calls `f` with each waker in the queue of a waiter not yet granted.
    pub(crate) fn for_each_waiting(&self, mut f: impl FnMut(&Waker)) {
        for waiter in self.waiters.borrow().iter().filter(|w| !w.granted) {
            f(&waiter.waker);
        }
    }

    /// Takes the lock for `task` if it is free and nobody queues for it.
    fn try_take(&self, task: TaskId) -> bool {
        let free = self.holder.get().is_none() && self.waiters.borrow().is_empty();
        if free {
            self.holder.set(Some(task));
        }
        free
    }

    /// Queues a lock future of `task`; returns its ticket.
    fn enqueue(&self, task: TaskId, waker: Waker) -> u64 {
        let ticket = self.next_ticket.get();
        self.next_ticket.set(ticket + 1);
        self.waiters.borrow_mut().push_back(Waiter {
            ticket,
            task,
            waker,
            granted: false,
        });
        ticket
    }

    /// A queued lock future's poll: `true` if the lock was handed to it
    /// (it leaves the queue, holding the lock as `task`); else its waker
    /// is refreshed.
    fn poll_ticket(&self, ticket: u64, task: TaskId, waker: &Waker) -> bool {
        let mut waiters = self.waiters.borrow_mut();
        let at = position(&waiters, ticket);
        if waiters[at].granted {
            waiters.remove(at);
            self.holder.set(Some(task));
            return true;
        }
        if !waiters[at].waker.will_wake(waker) {
            waiters[at].waker = waker.clone();
        }
        false
    }

    /// A queued lock future was dropped: it leaves the queue, and if it had
    /// been handed the lock, the lock goes on to the next waiter.
    fn cancel(&self, ticket: u64) -> Option<Waker> {
        let left = {
            let mut waiters = self.waiters.borrow_mut();
            let at = position(&waiters, ticket);
            waiters.remove(at).expect("found above")
        };
        if left.granted {
            return self.unlock();
        }
        None
    }

    /// Unlocks: the oldest waiter is handed the lock; its waker is returned,
    /// to wake once nothing is borrowed.
    fn unlock(&self) -> Option<Waker> {
        let mut waiters = self.waiters.borrow_mut();
        match waiters.front_mut() {
            Some(next) => {
                next.granted = true;
                self.holder.set(Some(next.task));
                Some(next.waker.clone())
            }
            None => {
                self.holder.set(None);
                None
            }
        }
    }
}

/// Where a ticket sits in the queue: it stays there until its future
/// takes the lock or is dropped.
fn position(waiters: &VecDeque<Waiter>, ticket: u64) -> usize {
    waiters
        .iter()
        .position(|waiter| waiter.ticket == ticket)
        .expect("a queued lock future's ticket is in the queue")
}

#[cfg(feature = "std")]
std::thread_local! {
    /// Every lock a task on this thread has waited for (the dropped ones
    /// forgotten as the list grows).
    static WAITED: core::cell::RefCell<Vec<alloc::rc::Weak<LockState>>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Lists `lock` among this thread's waited locks, once.
#[cfg(feature = "std")]
fn list_waited(lock: &Rc<LockState>) {
    if lock.listed.replace(true) {
        return;
    }
    WAITED.with(|waited| {
        let mut waited = waited.borrow_mut();
        if waited.len() == waited.capacity() {
            waited.retain(|lock| lock.strong_count() > 0);
        }
        waited.push(Rc::downgrade(lock));
    });
}

/// The locks a task on this thread has waited for, still alive.
pub(crate) fn waited_locks() -> Vec<Rc<LockState>> {
    #[cfg(feature = "std")]
    return WAITED.with(|waited| {
        waited
            .borrow()
            .iter()
            .filter_map(alloc::rc::Weak::upgrade)
            .collect()
    });
    #[cfg(not(feature = "std"))]
    Vec::new()
}

#[cfg(feature = "std")]
mod mutex;

#[cfg(feature = "std")]
pub use mutex::{Lock, Mutex, MutexGuard};
