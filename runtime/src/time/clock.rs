//! Where time comes from: the [`Clock`] trait, a real clock and a virtual one.
//!
//! Read this after `executor.rs`. The loop asks its clock two things: "what
//! time is it?" and, when no task is ready, "wait until this deadline or
//! until something wakes us". Keeping both behind one trait is what makes the
//! core free of any operating system: a board can plug in its hardware timer
//! and `wfi`, a test can plug in time that jumps.
//!
//! - [`SystemClock`] (feature `std`) reads `std::time::Instant` and parks the
//!   thread, so an idle loop burns no CPU.
//! - [`VirtualClock`] never waits for a deadline: it jumps straight to it.
//!   A gather of 1..5 s sleeps "takes" 5 s and runs in microseconds, which is
//!   how the tests check the article's timelines exactly.

use core::cell::Cell;
use core::time::Duration;

/// A source of time for the loop, and a way to wait for it.
///
/// `now` counts from the clock's own epoch. `park` is called only when no task
/// is ready; it may return early (a wake, a spurious wake-up): the loop simply
/// looks around and parks again.
///
/// # Examples
///
/// ```
/// use minirt::{Clock, VirtualClock};
/// use std::time::Duration;
///
/// let clock = VirtualClock::new();
/// clock.park(Some(Duration::from_secs(5)), &|| false);
/// assert_eq!(clock.now(), Duration::from_secs(5));
/// ```
pub trait Clock {
    /// The time since this clock's epoch.
    fn now(&self) -> Duration;

    /// Waits until `deadline` (since the epoch) or, with no deadline, until
    /// woken. `woken` tells whether a task was woken in the meantime, for
    /// clocks that cannot sleep and must poll (on `std`, a wake also unparks
    /// the loop's thread).
    fn park(&self, deadline: Option<Duration>, woken: &dyn Fn() -> bool);

    /// Blocks the loop's thread for `duration`, as a blocking call would:
    /// nothing else runs meanwhile.
    fn block_for(&self, duration: Duration);
}

/// Time that moves only when the loop has nothing to do, straight to the
/// next deadline: exact and instant.
///
/// With no deadline armed, it waits for a real wake (another thread,
/// `spawn_blocking`) and its time does not move.
#[derive(Debug, Default)]
pub struct VirtualClock {
    /// The current virtual time since the epoch.
    now: Cell<Duration>,
}

impl VirtualClock {
    /// A virtual clock at its epoch.
    ///
    /// # Examples
    ///
    /// ```
    /// use minirt::{Clock, VirtualClock};
    /// assert_eq!(VirtualClock::new().now().as_secs(), 0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Duration {
        self.now.get()
    }

    fn park(&self, deadline: Option<Duration>, woken: &dyn Fn() -> bool) {
        match deadline {
            Some(deadline) => self.now.set(self.now.get().max(deadline)),
            None => wait_for_wake(woken),
        }
    }

    fn block_for(&self, duration: Duration) {
        self.now.set(self.now.get() + duration);
    }
}

/// Waits, in real time, for a wake from outside the loop.
#[cfg(feature = "std")]
fn wait_for_wake(woken: &dyn Fn() -> bool) {
    // A wake unparks this thread, and an unpark that comes before the park
    // is remembered, so checking first and then parking cannot miss one.
    if !woken() {
        std::thread::park();
    }
}

/// Waits for a wake from outside the loop (an interrupt, another core).
#[cfg(not(feature = "std"))]
fn wait_for_wake(woken: &dyn Fn() -> bool) {
    // Without an OS there is nothing to sleep on; a board would `wfi` here.
    while !woken() {
        core::hint::spin_loop();
    }
}

/// The operating system's monotonic clock; idle waits park the thread.
///
/// All system clocks share one epoch (the first time any is read), so
/// [`Instant`](crate::Instant)s from different runtimes compare.
#[cfg(feature = "std")]
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl SystemClock {
    /// The process-wide epoch of system time.
    pub(crate) fn epoch() -> std::time::Instant {
        static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        *EPOCH.get_or_init(std::time::Instant::now)
    }
}

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now(&self) -> Duration {
        Self::epoch().elapsed()
    }

    fn park(&self, deadline: Option<Duration>, woken: &dyn Fn() -> bool) {
        if woken() {
            return;
        }
        match deadline {
            Some(deadline) => {
                let wait = deadline.saturating_sub(self.now());
                if !wait.is_zero() {
                    std::thread::park_timeout(wait);
                }
            }
            None => std::thread::park(),
        }
    }

    fn block_for(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}
