//! The [`Mutex`] itself, its [`Lock`] future and its [`MutexGuard`]
//! (feature `std`: a waiting task is found through the current runtime).

use super::LockState;
use alloc::rc::Rc;
use alloc::string::String;
use core::cell::{RefCell, RefMut};
use core::future::Future;
use core::ops::{Deref, DerefMut};
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll};

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
    /// Name, holder and queue, shared with the deadlock proof.
    state: Rc<LockState>,
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
        Mutex {
            state: Rc::new(LockState::new(name.into().into_boxed_str())),
            value: RefCell::new(value),
        }
    }

    /// The mutex's name.
    pub fn name(&self) -> &str {
        self.state.name()
    }

    /// Waits for the lock; the guard unlocks when dropped. Waiters get the
    /// lock in the order they first asked for it.
    ///
    /// # Panics
    ///
    /// When polled outside a minirt runtime.
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            ticket: None,
        }
    }

    /// The guard of a lock just taken.
    fn guard(&self) -> MutexGuard<'_, T> {
        MutexGuard {
            mutex: self,
            value: self.value.borrow_mut(),
        }
    }
}

/// The future returned by [`Mutex::lock`].
#[must_use = "futures do nothing unless awaited"]
pub struct Lock<'a, T> {
    /// The mutex to take.
    mutex: &'a Mutex<T>,
    /// This future's place in the mutex's queue, once it had to wait.
    ticket: Option<u64>,
}

impl<'a, T> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mutex = self.mutex;
        let state = &mutex.state;
        let me = crate::context::with("sync::Mutex::lock", |core| core.current.get());
        let taken = match self.ticket {
            Some(ticket) => state.poll_ticket(ticket, me, cx.waker()),
            None if state.try_take(me) => true,
            None => {
                // The deadlock proof looks into the queues of waited locks.
                super::list_waited(state);
                self.ticket = Some(state.enqueue(me, cx.waker().clone()));
                false
            }
        };
        if !taken {
            return Poll::Pending;
        }
        self.ticket = None;
        Poll::Ready(mutex.guard())
    }
}

impl<T> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket {
            // A lock handed to this future goes on to the next waiter.
            if let Some(next) = self.mutex.state.cancel(ticket) {
                next.wake();
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
        // Waking only queues the task: it runs after this guard (and its
        // borrow of the value) is gone.
        if let Some(next) = self.mutex.state.unlock() {
            next.wake();
        }
    }
}
