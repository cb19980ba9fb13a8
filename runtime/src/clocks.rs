//! The clocks that plug into the loop: [`VirtualClock`], time that jumps,
//! and [`SystemClock`], the operating system's. Beside the core, which
//! knows only the [`Clock`] trait: a board brings its own timer instead.

use crate::{Clock, Park};
use core::cell::Cell;
use core::time::Duration;

/// Time that moves only when the loop has nothing to do, straight to the
/// next deadline: exact and instant. With outside work out or no deadline,
/// it waits in real time for a wake. (A waker merely held somewhere does not
/// hold time back: nobody can know whether it will be used.)
#[derive(Debug, Default)]
pub struct VirtualClock {
    now: Cell<Duration>,
}

impl VirtualClock {
    /// A virtual clock at its epoch.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Duration {
        self.now.get()
    }

    fn park(&self, park: &Park<'_>) {
        match park.deadline() {
            _ if park.woken() => {}
            Some(deadline) if !park.outside_work() => self.now.set(self.now.get().max(deadline)),
            _ => wait_for_wake(park),
        }
    }

    fn block_for(&self, duration: Duration) {
        self.now.set(self.now.get() + duration);
    }
}

/// Waits, in real time, for a wake from another thread. An unpark sent
/// before the park is remembered, so check-then-park misses none.
#[cfg(feature = "std")]
fn wait_for_wake(park: &Park<'_>) {
    if !park.woken() {
        std::thread::park();
    }
}

/// Without an OS there is nothing to sleep on; a board's clock `wfi`s.
#[cfg(not(feature = "std"))]
fn wait_for_wake(park: &Park<'_>) {
    while !park.woken() {
        core::hint::spin_loop();
    }
}

/// The operating system's monotonic clock. All system clocks share one
/// epoch (the first read), so [`Instant`](crate::Instant)s from different runtimes compare.
#[cfg(feature = "std")]
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now(&self) -> Duration {
        static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        EPOCH.get_or_init(std::time::Instant::now).elapsed()
    }

    fn park(&self, park: &Park<'_>) {
        match park.deadline() {
            _ if park.woken() => {}
            // A deadline already passed waits for nothing: no system call.
            Some(deadline) => match deadline.checked_sub(self.now()) {
                Some(wait) if !wait.is_zero() => std::thread::park_timeout(wait),
                _ => {}
            },
            None => std::thread::park(),
        }
    }

    fn block_for(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}
