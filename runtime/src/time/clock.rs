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
/// `now` counts from the clock's own epoch. `park` is called only when no
/// task is ready; it may return early (a wake, a spurious wake-up): the loop
/// looks around and parks again. This is the seam an I/O reactor plugs
/// into: its `park` waits for file descriptors as well as for the deadline,
/// and its `unparker` interrupts that wait.
///
/// # Examples
///
/// ```
/// use minirt::{Clock, Park, VirtualClock};
/// use std::time::Duration;
///
/// let clock = VirtualClock::new();
/// clock.park(&Park::new(Some(Duration::from_secs(5)), false, &|| false));
/// assert_eq!(clock.now(), Duration::from_secs(5));
/// // A wake already waiting: nothing to wait for, and time stays put.
/// clock.park(&Park::new(Some(Duration::from_secs(9)), false, &|| true));
/// assert_eq!(clock.now(), Duration::from_secs(5));
/// ```
pub trait Clock {
    /// The time since this clock's epoch.
    fn now(&self) -> Duration;

    /// Waits as `park` says: until its deadline, until woken, or not at all
    /// if a wake is already waiting.
    fn park(&self, park: &Park<'_>);

    /// Blocks the loop's thread for `duration`, as a blocking call would:
    /// nothing else runs meanwhile.
    fn block_for(&self, duration: Duration);

    /// What another thread calls, after queueing a wake, to end a `park`
    /// early. Asked once, on the thread that builds the runtime (the loop's
    /// thread); by default it unparks that thread.
    #[cfg(feature = "std")]
    fn unparker(&self) -> alloc::sync::Arc<dyn Unpark> {
        alloc::sync::Arc::new(std::thread::current())
    }
}

/// Ends a [`Clock::park`] from any thread.
#[cfg(feature = "std")]
pub trait Unpark: Send + Sync {
    /// Makes the current or the next `park` return. Never lost: an unpark
    /// before the park makes the park return at once.
    fn unpark(&self);
}

#[cfg(feature = "std")]
impl Unpark for std::thread::Thread {
    fn unpark(&self) {
        std::thread::Thread::unpark(self);
    }
}

/// What the loop knows when it has nothing to run and asks its clock to wait.
pub struct Park<'a> {
    /// The next timer deadline (since the clock's epoch), if one is armed.
    deadline: Option<Duration>,
    /// Whether work outside the loop (a `spawn_blocking` job) is still out
    /// and will wake a task when it is done.
    outside_work: bool,
    /// Whether a task was woken meanwhile (from another thread).
    woken: &'a dyn Fn() -> bool,
}

impl<'a> Park<'a> {
    /// A park until `deadline`, with or without `outside_work` still out;
    /// `woken` tells whether a wake has arrived.
    pub fn new(
        deadline: Option<Duration>,
        outside_work: bool,
        woken: &'a dyn Fn() -> bool,
    ) -> Self {
        Park {
            deadline,
            outside_work,
            woken,
        }
    }

    /// The next timer deadline, if any.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// Whether work outside the loop is still out. A clock that skips time
    /// must not skip past it: that work takes real time, and what it wakes
    /// must run before any later deadline.
    pub fn outside_work(&self) -> bool {
        self.outside_work
    }

    /// Whether a task was woken since the loop last looked: then there is
    /// something to run, and the park should return. A clock that cannot
    /// sleep must poll this.
    pub fn woken(&self) -> bool {
        (self.woken)()
    }
}

/// Time that moves only when the loop has nothing to do, straight to the
/// next deadline: exact and instant.
///
/// Time never moves while a wake is waiting to be run or work outside the
/// loop (a `spawn_blocking` job) is still out: then it waits, in real time,
/// for that work's wake. So does it with no deadline armed. A waker merely
/// held somewhere (a channel, another thread) does not hold time back: the
/// clock cannot know whether anyone will ever use it.
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

    fn park(&self, park: &Park<'_>) {
        if park.woken() {
            return;
        }
        match park.deadline() {
            Some(deadline) if !park.outside_work() => {
                self.now.set(self.now.get().max(deadline));
            }
            _ => wait_for_wake(park),
        }
    }

    fn block_for(&self, duration: Duration) {
        self.now.set(self.now.get() + duration);
    }
}

/// Waits, in real time, for a wake from outside the loop (or for outside
/// work to end, which unparks the loop too).
#[cfg(feature = "std")]
fn wait_for_wake(park: &Park<'_>) {
    // A wake unparks this thread, and an unpark that comes before the park
    // is remembered, so checking first and then parking cannot miss one.
    if !park.woken() {
        std::thread::park();
    }
}

/// Waits for a wake from outside the loop (an interrupt, another core).
#[cfg(not(feature = "std"))]
fn wait_for_wake(park: &Park<'_>) {
    // Without an OS there is nothing to sleep on; a board would `wfi` here.
    while !park.woken() {
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

    fn park(&self, park: &Park<'_>) {
        if park.woken() {
            return;
        }
        match park.deadline() {
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
