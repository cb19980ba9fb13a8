//! Where time comes from: the [`Clock`] trait, what the loop tells it when
//! it parks, and [`Instant`]. Read this first; it uses nothing else in
//! minirt.
//!
//! The loop asks its clock "what time is it?" and, with nothing to run,
//! "wait until this deadline or a wake". One trait keeps the core free of any
//! OS: a board plugs in its timer, a test time that jumps (`clocks.rs`, beside
//! the core, has the virtual clock and the system's), a reactor epoll.

use core::fmt;
use core::ops::{Add, Sub};
use core::time::Duration;

/// A source of time for the loop, and a way to wait for it. `park` may
/// return early (a spurious wake-up): the loop looks around and parks again.
pub trait Clock {
    /// The time since this clock's epoch.
    fn now(&self) -> Duration;

    /// Waits until `park`'s deadline or a wake; not at all if one waits.
    fn park(&self, park: &Park<'_>);

    /// Blocks the loop's thread for `duration`, as a blocking call would.
    fn block_for(&self, duration: Duration);

    /// Whether a park may end by an event (a reactor's sockets): no deadlock.
    fn has_sources(&self) -> bool {
        false
    }

    /// What another thread calls after queueing a wake, to end a `park`;
    /// by default, the loop thread's unpark.
    #[cfg(feature = "std")]
    fn unparker(&self) -> alloc::sync::Arc<dyn Unpark> {
        alloc::sync::Arc::new(std::thread::current())
    }
}

/// Ends a [`Clock::park`] from any thread; one sent before it counts.
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

    /// Whether a job outside the loop (`spawn_blocking`) will still wake a
    /// task: a clock that skips time must not skip past real work.
    pub fn outside_work(&self) -> bool {
        self.outside_work
    }

    /// Whether a task was woken from another thread since the loop looked.
    pub fn woken(&self) -> bool {
        (self.woken)()
    }
}

/// A point on the runtime's clock: `std::time::Instant`, but virtual when
/// the clock is.
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

    /// The tick (microsecond) fully passed: the wheel may advance to it.
    pub(crate) fn tick(self) -> u64 {
        saturating_ticks(self.0.as_micros())
    }

    /// The tick at which this instant is reached, rounded **up**: a timer
    /// never fires early, at most a tick late.
    pub(crate) fn deadline_tick(self) -> u64 {
        saturating_ticks(self.0.as_nanos().div_ceil(1_000))
    }
}

/// Ticks are `u64` microseconds (584,942 years). A deadline past the last
/// (`Duration::MAX` is 2^64 s) stays there, where a cast would wrap it round.
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
