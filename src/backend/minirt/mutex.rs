//! minirt's async mutex behind the loop interface, for A3 (`deadlock`).
//!
//! minirt's mutex knows who holds it and who waits, so when two tasks wait
//! for each other minirt's `block_on` stops with a report naming the cycle
//! instead of hanging. It is made with its name (`Mutex::named`), which the
//! report uses.

use crate::model::event_loop::{AsyncLock, NamedMutex};
use std::future::Future;

/// An unlocked minirt mutex called `name`, which names its holder in a
/// deadlock report.
pub(super) fn named(name: &'static str) -> NamedMutex<minirt::sync::Mutex<()>> {
    NamedMutex::new(name, minirt::sync::Mutex::named(name, ()))
}

impl AsyncLock for minirt::sync::Mutex<()> {
    fn acquire(&self) -> impl Future<Output = impl Sized + '_> + '_ {
        self.lock()
    }
}
