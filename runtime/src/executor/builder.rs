//! [`Builder`]: a runtime with a chosen clock, observer and stall threshold.
//!
//! Part of `executor.rs`. `Runtime::new()` and `Runtime::with_virtual_clock()`
//! cover the usual cases; the builder is for the rest.

use super::{Core, Runtime};
use crate::observe::{Observe, Observer};
use crate::{Clock, VirtualClock};
use alloc::boxed::Box;
use alloc::rc::Rc;
use core::time::Duration;

/// Configures a [`Runtime`] before it starts, like `std::thread::Builder`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let rt = minirt::Runtime::builder()
///     .virtual_clock()
///     .stall_threshold(Duration::from_millis(10))
///     .build();
/// assert_eq!(rt.block_on(async { 2 + 2 }), 4);
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder {
    /// The clock; `None` means the system clock (or, without `std`, a
    /// virtual one).
    clock: Option<Box<dyn Clock>>,
    /// Who hears the loop's events.
    observer: Option<Rc<dyn Observer>>,
    /// Polls at least this long are reported as stalls.
    stall_threshold: Duration,
}

impl Builder {
    /// The defaults: system clock, no observer, 100 ms stall threshold.
    pub(super) fn new() -> Self {
        Builder {
            clock: None,
            observer: None,
            stall_threshold: Duration::from_millis(100),
        }
    }

    /// Runs on a [`VirtualClock`]: time jumps to the next deadline when idle.
    pub fn virtual_clock(self) -> Self {
        self.clock(VirtualClock::new())
    }

    /// Runs on any clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Box::new(clock));
        self
    }

    /// Tells `observer` about every spawn, poll, timer and stall.
    pub fn observer(mut self, observer: Rc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Reports polls at least this long as stalls (default 100 ms, as in
    /// asyncio's debug mode). Only matters with an observer.
    pub fn stall_threshold(mut self, threshold: Duration) -> Self {
        self.stall_threshold = threshold;
        self
    }

    /// The runtime.
    pub fn build(self) -> Runtime {
        let clock = self.clock.unwrap_or_else(default_clock);
        let observe = self
            .observer
            .map(|observer| Observe::new(observer, self.stall_threshold));
        Runtime::from_core(Core::new(clock, observe))
    }
}

/// The clock a runtime gets when none is chosen.
fn default_clock() -> Box<dyn Clock> {
    #[cfg(feature = "std")]
    return Box::new(crate::SystemClock);
    // Without an OS there is no system clock to default to.
    #[cfg(not(feature = "std"))]
    Box::new(VirtualClock::new())
}
