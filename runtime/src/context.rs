//! Which runtime is current on this thread, so `spawn` and `sleep` need no
//! handle (feature `std`: it needs a thread-local).
//!
//! Read this after `executor.rs`. `block_on` makes its runtime current for
//! its duration; the free functions look it up here, and refuse (with a
//! panic that names the mistake) when there is none or when a second
//! `block_on` would nest inside the first. Wakers look here too: a wake on
//! the loop's own thread goes straight to its local ready queue.

use crate::executor::Core;
use crate::task::TaskKey;
use crate::waker::ReadyQueue;
use alloc::rc::Rc;
use core::cell::RefCell;

std::thread_local! {
    /// The runtime whose `block_on` is running on this thread, if any.
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
}

/// Makes a runtime current until dropped.
pub(crate) struct Enter(());

/// Makes `core` the current runtime of this thread.
///
/// # Panics
///
/// If a runtime is already current: a `block_on` inside a task would freeze
/// the outer loop (and with it, maybe, whatever the inner future waits for).
pub(crate) fn enter(core: &Rc<Core>) -> Enter {
    CURRENT.with(|current| {
        let mut current = current.borrow_mut();
        assert!(
            current.is_none(),
            "block_on called inside a minirt runtime: it would stall the running loop; \
             `.await` the future instead, or spawn it"
        );
        *current = Some(core.clone());
    });
    Enter(())
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
    }
}

/// Makes a dropped runtime current while its tasks go, and puts back the
/// runtime that was current before (it may be dropped inside another's
/// `block_on`).
pub(crate) struct EnterForShutdown(Option<Rc<Core>>);

/// Makes `core` current for its shutdown.
pub(crate) fn enter_for_shutdown(core: &Rc<Core>) -> EnterForShutdown {
    // `try_with`: a runtime kept in a thread-local may be dropped after this
    // one is gone; it then shuts down with no runtime current.
    let outer = CURRENT.try_with(|current| current.borrow_mut().replace(core.clone()));
    EnterForShutdown(outer.ok().flatten())
}

impl Drop for EnterForShutdown {
    fn drop(&mut self) {
        let outer = self.0.take();
        let _ = CURRENT.try_with(|current| *current.borrow_mut() = outer);
    }
}

/// Runs `f` with the current runtime, if there is one.
pub(crate) fn try_with<R>(f: impl FnOnce(&Rc<Core>) -> R) -> Option<R> {
    CURRENT.with(|current| current.borrow().as_ref().map(f))
}

/// Runs `f` with the current runtime.
///
/// # Panics
///
/// Outside a runtime, naming the function that was called there.
#[track_caller]
pub(crate) fn with<R>(what: &str, f: impl FnOnce(&Rc<Core>) -> R) -> R {
    match CURRENT.with(|current| current.borrow().clone()) {
        Some(core) => f(&core),
        None => panic!(
            "minirt::{what} called outside a runtime: call it from a future run by \
             minirt::block_on or Runtime::block_on"
        ),
    }
}

/// Queues `key` straight on the running loop's local queue if `queue`
/// belongs to the runtime running on this thread; `false` otherwise (another
/// thread, another runtime, or no `block_on` running), and the caller takes
/// the shared queue.
pub(crate) fn wake_locally(queue: &ReadyQueue, key: TaskKey) -> bool {
    // `try_with`: a waker dropped in a thread's teardown finds no thread-local.
    CURRENT
        .try_with(|current| match &*current.borrow() {
            Some(core) if core::ptr::eq(&*core.queue, queue) => {
                core.ready.borrow_mut().push_back(key);
                true
            }
            _ => false,
        })
        .unwrap_or(false)
}
