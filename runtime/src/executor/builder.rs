//! [`Builder`]: a runtime with a chosen clock, timer queue, observer and
//! stall threshold.
//!
//! Part of `executor.rs`. `Runtime::new()` and `Runtime::with_virtual_clock()`
//! cover the usual cases; the builder is for the rest.

use super::{Core, Runtime};
use crate::observe::{Observe, Observer};
use crate::time::{now_tick, Timers};
use crate::Clock;
#[cfg(feature = "timer-queues")]
use crate::TimerQueueKind;
#[cfg(not(feature = "io"))]
use crate::VirtualClock;
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
    /// The cap on this thread's `spawn_blocking` pool, if set.
    #[cfg(feature = "std")]
    max_blocking_threads: Option<usize>,
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
            #[cfg(feature = "std")]
            max_blocking_threads: None,
        }
    }

    /// Runs on a [`VirtualClock`](crate::VirtualClock): time jumps to the next deadline when idle.
    pub fn virtual_clock(mut self) -> Self {
        // With the io layer, virtual time that waits in the reactor.
        #[cfg(feature = "io")]
        let clock = crate::io::default_clock(true);
        #[cfg(not(feature = "io"))]
        let clock = Box::new(VirtualClock::new());
        self.clock = Some(clock);
        self
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

    /// Runs `spawn_blocking` calls on at most `max` threads at once
    /// (default 64; see `blocking.rs`). The pool belongs to this thread:
    /// the cap holds for every runtime on it, from this build on.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = minirt::Runtime::builder().max_blocking_threads(2).build();
    /// let sum = rt.block_on(async {
    ///     let jobs: Vec<_> = (0..10).map(|n| minirt::spawn_blocking(move || n)).collect();
    ///     minirt::join_all(jobs).await.into_iter().map(Result::unwrap).sum::<i32>()
    /// });
    /// assert_eq!(sum, 45);
    /// ```
    #[cfg(feature = "std")]
    pub fn max_blocking_threads(mut self, max: usize) -> Self {
        self.max_blocking_threads = Some(max);
        self
    }

    /// The runtime.
    pub fn build(self) -> Runtime {
        #[cfg(feature = "std")]
        if let Some(max) = self.max_blocking_threads {
            crate::blocking::set_max_threads(max);
        }
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
    // With the io layer, the system clock waits in the reactor.
    #[cfg(feature = "io")]
    return crate::io::default_clock(false);
    #[cfg(all(feature = "std", not(feature = "io")))]
    return Box::new(crate::SystemClock);
    // Without an OS there is no system clock to default to.
    #[cfg(not(feature = "std"))]
    Box::new(VirtualClock::new())
}
