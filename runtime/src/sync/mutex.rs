//! The [`Mutex`] itself, its [`Lock`] future and its [`MutexGuard`]
//! (feature `std`: a waiting task is found through the current runtime).

use super::LockState;
use crate::executor::Wait;
use crate::task::TaskKey;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::string::String;
use core::cell::{RefCell, RefMut};
use core::future::Future;
use core::ops::{Deref, DerefMut};
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll, Waker};

/// An async mutual-exclusion lock for tasks of one runtime.
///
/// Share it between tasks with `Rc`. It must be locked from inside a minirt
/// runtime.
///
/// # Examples
///
/// ```
/// use minirt::sync::Mutex;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// let rt = minirt::Runtime::with_virtual_clock();
/// let total = rt.block_on(async {
///     let counter = Rc::new(Mutex::named("counter", 0));
///     let tasks = (0..3).map(|_| {
///         let counter = counter.clone();
///         async move {
///             let mut value = counter.lock().await;
///             minirt::sleep(Duration::from_millis(1)).await; // held across an await
///             *value += 1;
///         }
///     });
///     minirt::join_all(tasks).await;
///     let total = *counter.lock().await;
///     total
/// });
/// assert_eq!(total, 3);
/// ```
pub struct Mutex<T> {
    /// Name and holder, shared with deadlock reports.
    state: Rc<LockState>,
    /// Tasks waiting for their turn, oldest first, with their wakers.
    waiters: RefCell<VecDeque<(TaskKey, Waker)>>,
    /// The protected value; only the holder of the lock borrows it.
    value: RefCell<T>,
}

/// Numbers unnamed mutexes: `mutex-1`, `mutex-2`, ...
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl<T> Mutex<T> {
    /// An unlocked mutex named `mutex-N`.
    pub fn new(value: T) -> Self {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        Self::named(alloc::format!("mutex-{id}"), value)
    }

    /// An unlocked mutex with a name for reports.
    pub fn named(name: impl Into<String>, value: T) -> Self {
        let state = LockState {
            name: name.into().into_boxed_str(),
            holder: core::cell::Cell::new(None),
        };
        Mutex {
            state: Rc::new(state),
            waiters: RefCell::new(VecDeque::new()),
            value: RefCell::new(value),
        }
    }

    /// The mutex's name.
    pub fn name(&self) -> &str {
        self.state.name()
    }

    /// Waits for the lock; the guard unlocks when dropped.
    ///
    /// # Panics
    ///
    /// When polled outside a minirt runtime.
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            queued: false,
        }
    }

    /// Forgets a waiter (its lock future was dropped, or got the lock).
    fn dequeue(&self, key: TaskKey) {
        self.waiters
            .borrow_mut()
            .retain(|(waiter, _)| *waiter != key);
    }
}

/// The future returned by [`Mutex::lock`].
#[must_use = "futures do nothing unless awaited"]
pub struct Lock<'a, T> {
    /// The mutex to take.
    mutex: &'a Mutex<T>,
    /// Whether this future's task sits in the mutex's waiter queue.
    queued: bool,
}

impl<'a, T> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mutex = self.mutex;
        let me = crate::context::with("sync::Mutex::lock", |core| core.current.get());
        if mutex.state.holder.get().is_none() {
            if self.queued {
                mutex.dequeue(me);
                self.queued = false;
            }
            mutex.state.holder.set(Some(me));
            let value = mutex.value.borrow_mut();
            return Poll::Ready(MutexGuard { mutex, value });
        }
        // Taken: queue up (once; a re-poll refreshes the waker) and tell the
        // loop what this task waits for.
        mutex.dequeue(me);
        mutex
            .waiters
            .borrow_mut()
            .push_back((me, cx.waker().clone()));
        self.queued = true;
        crate::context::with("sync::Mutex::lock", |core| {
            core.note_wait(Wait::Mutex(mutex.state.clone()))
        });
        Poll::Pending
    }
}

impl<T> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        if self.queued {
            let me = crate::context::try_with(|core| core.current.get());
            if let Some(me) = me {
                self.mutex.dequeue(me);
            }
        }
    }
}

/// Proof of holding a [`Mutex`]: derefs to the value; unlocks when dropped.
pub struct MutexGuard<'a, T> {
    /// The mutex held.
    mutex: &'a Mutex<T>,
    /// The value, borrowed for as long as the lock is held.
    value: RefMut<'a, T>,
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.state.holder.set(None);
        let next = self.mutex.waiters.borrow_mut().pop_front();
        // Waking only queues the task: it runs after this guard (and its
        // borrow of the value) is gone.
        if let Some((_, waker)) = next {
            waker.wake();
        }
    }
}
