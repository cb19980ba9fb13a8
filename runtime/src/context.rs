//! Which runtime is current on this thread, so `spawn` and `sleep` need no
//! handle (feature `std`: it needs a thread-local).
//!
//! Read this after `executor.rs`. `block_on` makes its runtime current for
//! its duration; the free functions look it up here, and refuse, with a
//! panic that names the mistake, when there is none or when a `block_on`
//! would nest inside another.

use crate::executor::Core;
use alloc::rc::Rc;
use core::cell::RefCell;

std::thread_local! {
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
}

/// Keeps a runtime current until dropped, then puts back the one before.
pub(crate) struct Enter(Option<Rc<Core>>);

/// Makes `core` current for a `block_on`.
///
/// # Panics
///
/// If a runtime is already current: a `block_on` inside a task would
/// freeze the outer loop, and maybe whatever the inner future waits for.
pub(crate) fn enter(core: &Rc<Core>) -> Enter {
    let outer = CURRENT.with(|current| current.replace(Some(core.clone())));
    if outer.is_some() {
        CURRENT.with(|current| current.replace(outer));
        panic!(
            "block_on called inside a minirt runtime: it would stall the running loop; \
             `.await` the future instead, or spawn it"
        );
    }
    Enter(None)
}

/// Makes `core` current while it shuts down, even inside another runtime's
/// `block_on`: a destructor that spawns then spawns on the runtime going away.
pub(crate) fn enter_for_shutdown(core: &Rc<Core>) -> Enter {
    // `try_with`: a runtime kept in a thread-local may be dropped after
    // this one is gone; it then shuts down with no runtime current.
    let outer = CURRENT.try_with(|current| current.replace(Some(core.clone())));
    Enter(outer.ok().flatten())
}

impl Drop for Enter {
    fn drop(&mut self) {
        let outer = self.0.take();
        let _ = CURRENT.try_with(|current| current.replace(outer));
    }
}

/// The current runtime, if there is one.
pub(crate) fn current() -> Option<Rc<Core>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Runs `f` with the current runtime.
///
/// # Panics
///
/// Outside a runtime, naming the function that was called there.
#[track_caller]
pub(crate) fn with<R>(what: &str, f: impl FnOnce(&Rc<Core>) -> R) -> R {
    match current() {
        Some(core) => f(&core),
        None => panic!(
            "minirt::{what} called outside a runtime: call it from a future run by \
             minirt::block_on or Runtime::block_on"
        ),
    }
}
