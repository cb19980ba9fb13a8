//! [`Builder`]: a runtime with a chosen clock, timer queue, observer and
//! stall threshold.
//!
//! Part of `executor.rs`. `Runtime::new()` and `Runtime::with_virtual_clock()`
//! cover the usual cases; the builder is for the rest.

use super::{Core, Runtime};
use crate::observe::{Observe, Observer};
use crate::time::{now_tick, Timers};
#[cfg(feature = "timer-queues")]
use crate::TimerQueueKind;
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
    /// Where pending timers are kept.
    #[cfg(feature = "timer-queues")]
    timer_queue: TimerQueueKind,
    /// Who hears the loop's events.
    observer: Option<Rc<dyn Observer>>,
    /// Polls at least this long are reported as stalls.
    stall_threshold: Duration,
    /// Whether the loop proves deadlocks.
    prove_deadlocks: bool,
}

impl Builder {
    /// The defaults: system clock, the timer wheel, no observer, 100 ms
    /// stall threshold.
    pub(super) fn new() -> Self {
        Builder {
            clock: None,
            #[cfg(feature = "timer-queues")]
            timer_queue: TimerQueueKind::Wheel,
            observer: None,
            stall_threshold: Duration::from_millis(100),
            prove_deadlocks: true,
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

    /// Keeps pending timers in a queue of `kind` (default: the wheel).
    ///
    /// The wheel is what a runtime should use: O(1) insert and cancel. The
    /// binary heap and the ordered map are there to compare it with (see
    /// `time/queue.rs` and `concur bench queues`): every program behaves the
    /// same on each, to the tick, and only the cost of a timer differs,
    /// growing with log n of the pending timers on the other two.
    ///
    /// # Examples
    ///
    /// ```
    /// use minirt::TimerQueueKind;
    /// use std::time::Duration;
    /// for kind in [TimerQueueKind::Wheel, TimerQueueKind::Heap, TimerQueueKind::OrderedMap] {
    ///     let rt = minirt::Runtime::builder().virtual_clock().timer_queue(kind).build();
    ///     let slept = rt.block_on(async {
    ///         let start = minirt::Instant::now();
    ///         minirt::sleep(Duration::from_millis(1500)).await;
    ///         start.elapsed()
    ///     });
    ///     assert_eq!(slept, Duration::from_millis(1500));
    /// }
    /// ```
    #[cfg(feature = "timer-queues")]
    pub fn timer_queue(mut self, kind: TimerQueueKind) -> Self {
        self.timer_queue = kind;
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

    /// Whether the loop, about to wait for ever, proves the deadlock and
    /// panics with a report naming it (default: yes). The proof is silent
    /// whenever it cannot be sure (see `executor/deadlock.rs`); off, a
    /// deadlocked loop hangs, as other runtimes do, and never looks.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::builder().virtual_clock().prove_deadlocks(false).build();
    /// assert_eq!(rt.block_on(async { 1 }), 1);
    /// ```
    pub fn prove_deadlocks(mut self, prove: bool) -> Self {
        self.prove_deadlocks = prove;
        self
    }

    /// The runtime.
    pub fn build(self) -> Runtime {
        let clock = self.clock.unwrap_or_else(default_clock);
        let observe = self
            .observer
            .map(|observer| Observe::new(observer, self.stall_threshold));
        let start = now_tick(clock.now());
        #[cfg(feature = "timer-queues")]
        let timers = Timers::of_kind(self.timer_queue, start);
        #[cfg(not(feature = "timer-queues"))]
        let timers = Timers::new(start);
        Runtime::from_core(Core::new(clock, timers, observe, self.prove_deadlocks))
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
