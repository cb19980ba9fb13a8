//! minirt's async mutex behind the loop interface, for A3 (`deadlock`).
//!
//! minirt's mutex knows who holds it and who waits, so when two tasks wait
//! for each other minirt's `block_on` stops with a report naming the cycle
//! instead of hanging.

use crate::model::event_loop::{LocalFuture, LoopMutex};
use std::rc::Rc;

/// minirt's async mutex, which names its holder in a deadlock report.
pub(super) struct Named(&'static str, Rc<minirt::sync::Mutex<()>>);

impl Named {
    /// An unlocked mutex called `name`.
    pub(super) fn new(name: &'static str) -> Self {
        Named(name, Rc::new(minirt::sync::Mutex::named(name, ())))
    }
}

impl LoopMutex for Named {
    fn name(&self) -> &'static str {
        self.0
    }

    fn locked(&self, body: LocalFuture<()>) -> LocalFuture<()> {
        let mutex = Rc::clone(&self.1);
        Box::pin(async move {
            let _guard = mutex.lock().await;
            body.await;
        })
    }
}
