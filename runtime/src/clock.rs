//! Where time comes from: the [`Clock`] trait, a real clock, a virtual one,
//! and [`Instant`], a point on whichever the runtime has.
//!
//! Read this first: it uses nothing else in minirt. The loop asks its clock
//! "what time is it?" and, when no task is ready, "wait until this deadline
//! or a wake". One trait keeps the core free of any OS: a board plugs in its
//! timer and `wfi`, a test time that jumps, a reactor a wait on sockets.

use core::cell::Cell;
use core::fmt;
use core::ops::{Add, Sub};
use core::time::Duration;

/// A source of time for the loop, and a way to wait for it.
///
/// `now` counts from the clock's own epoch. `park` is called only when no
/// task is ready; it may return early (a wake, a spurious wake-up): the
/// loop looks around and parks again.
pub trait Clock {
    /// The time since this clock's epoch.
    fn now(&self) -> Duration;

    /// Waits as `park` says: until its deadline, until woken, or not at all
    /// if a wake is already waiting.
    fn park(&self, park: &Park<'_>);

    /// Blocks the loop's thread for `duration`, as a blocking call would.
    fn block_for(&self, duration: Duration);

    /// What another thread calls after queueing a wake, to end a `park`.
    /// Asked once, on the loop's thread; by default it unparks that thread.
    #[cfg(feature = "std")]
    fn unparker(&self) -> alloc::sync::Arc<dyn Unpark> {
        alloc::sync::Arc::new(std::thread::current())
    }
}

/// Ends a [`Clock::park`] from any thread; one sent before the park makes
/// the park return at once, so none is lost.
#[cfg(feature = "std")]
pub trait Unpark: Send + Sync {
    /// Ends the current or the next `park`.
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
    deadline: Option<Duration>,
    outside_work: bool,
    woken: &'a dyn Fn() -> bool,
}

impl<'a> Park<'a> {
    /// A park until `deadline` (since the clock's epoch), with or without
    /// `outside_work`; `woken` tells whether a wake has arrived.
    ///
    /// # Examples
    ///
    /// ```
    /// use minirt::{Clock, Park, VirtualClock};
    /// use std::time::Duration;
    /// let clock = VirtualClock::new();
    /// clock.park(&Park::new(Some(Duration::from_secs(5)), false, &|| false));
    /// assert_eq!(clock.now(), Duration::from_secs(5)); // jumped
    /// clock.park(&Park::new(Some(Duration::from_secs(9)), false, &|| true));
    /// assert_eq!(clock.now(), Duration::from_secs(5)); // a wake waits: no jump
    /// ```
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

    /// The next timer deadline, if one is armed.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// Whether work outside the loop (a `spawn_blocking` job) will still
    /// wake a task. A clock that skips time must not skip past it: that work
    /// takes real time, and what it wakes runs before any later deadline.
    pub fn outside_work(&self) -> bool {
        self.outside_work
    }

    /// Whether a task was woken from another thread since the loop looked.
    pub fn woken(&self) -> bool {
        (self.woken)()
    }
}

/// Time that moves only when the loop has nothing to do, straight to the
/// next deadline: exact and instant. While a wake waits or outside work is
/// out, and with no deadline, it waits in real time for a wake. A waker
/// merely held somewhere does not hold time back: the clock cannot know
/// whether anyone will use it.
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

/// Waits, in real time, for a wake from another thread.
#[cfg(feature = "std")]
fn wait_for_wake(park: &Park<'_>) {
    // An unpark that comes before the park is remembered, so checking
    // first and then parking cannot miss a wake.
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

/// The operating system's monotonic clock; idle waits park the thread.
///
/// All system clocks share one epoch (the first time any is read), so
/// [`Instant`]s from different runtimes compare.
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

/// A point in time on the current runtime's clock, like
/// `std::time::Instant` but virtual when the runtime's clock is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(Duration);

impl Instant {
    /// The clock's epoch.
    pub const ZERO: Instant = Instant(Duration::ZERO);

    /// The instant `since_epoch` after the clock's epoch.
    pub(crate) fn from_clock(since_epoch: Duration) -> Self {
        Instant(since_epoch)
    }

    /// Time from `earlier` to this instant, or zero if `earlier` is later.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }

    /// The tick (microsecond) fully passed at this instant, rounded down:
    /// the wheel may be advanced up to it.
    pub(crate) fn tick(self) -> u64 {
        saturating_ticks(self.0.as_micros())
    }

    /// The tick at which this instant counts as reached, rounded **up**: a
    /// timer never fires before its deadline, at most a tick after.
    pub(crate) fn deadline_tick(self) -> u64 {
        saturating_ticks(self.0.as_nanos().div_ceil(1_000))
    }
}

/// Ticks are `u64` microseconds, about 584,942 years; a deadline past that
/// (`Duration::MAX` is 2^64 s) stays at the last tick, which no real clock
/// reaches, where a cast would wrap it round to a moment soon.
fn saturating_ticks(micros: u128) -> u64 {
    u64::try_from(micros).unwrap_or(u64::MAX)
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates, so `sleep(Duration::MAX)` means "for ever", not a panic.
    fn add(self, duration: Duration) -> Instant {
        Instant(self.0.saturating_add(duration))
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Instant({:?} since epoch)", self.0)
    }
}
