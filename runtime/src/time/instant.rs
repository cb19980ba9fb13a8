//! [`Instant`]: a point on the runtime's clock, and the one place where
//! time becomes wheel ticks.
//!
//! Part of `time.rs`. An instant is a `Duration` since the clock's epoch, so
//! it means the same thing on a real clock and on a virtual one.

use core::fmt;
use core::ops::{Add, Sub};
use core::time::Duration;

/// A point in time on the current runtime's clock, like
/// `std::time::Instant` but virtual when the runtime's clock is.
///
/// It counts from the clock's epoch. All system clocks share one epoch, so
/// their instants compare; instants of two virtual clocks do not mean much
/// side by side.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let rt = minirt::Runtime::with_virtual_clock();
/// rt.block_on(async {
///     let start = minirt::Instant::now();
///     minirt::sleep(Duration::from_millis(1500)).await;
///     assert_eq!(start.elapsed(), Duration::from_millis(1500));
///     assert!(minirt::Instant::now() > start);
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(Duration);

impl Instant {
    /// The clock's epoch.
    pub const ZERO: Instant = Instant(Duration::ZERO);

    /// An instant `since_epoch` after the clock's epoch.
    pub(crate) fn from_clock(since_epoch: Duration) -> Self {
        Instant(since_epoch)
    }

    /// The current time on the current runtime's clock; outside a runtime,
    /// the system clock's.
    #[cfg(feature = "std")]
    pub fn now() -> Instant {
        let since_epoch = crate::context::try_with(|core| core.clock.now());
        Instant(since_epoch.unwrap_or_else(|| crate::Clock::now(&crate::SystemClock)))
    }

    /// Time since this instant (zero if it is in the future).
    #[cfg(feature = "std")]
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// Time from `earlier` to this instant, or zero if `earlier` is later.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates: an instant past the last representable one is that one,
    /// so `sleep(Duration::MAX)` means "for ever", never an overflow panic.
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

/// The tick (microsecond) that has fully passed at `now`: the wheel may be
/// advanced up to it. Rounds down.
pub(crate) fn now_tick(now: Duration) -> u64 {
    saturating_ticks(now.as_micros())
}

/// The tick at which a deadline counts as reached. Rounds **up**, so a timer
/// never fires before its deadline, only up to one tick after.
///
/// Ticks are `u64` microseconds, about 584,942 years. A deadline past that
/// (`Duration::MAX` is 2^64 seconds) is kept at the last tick, which no real
/// clock reaches; a cast would wrap it round to a moment that is soon.
pub(crate) fn deadline_tick(deadline: Instant) -> u64 {
    saturating_ticks(deadline.0.as_nanos().div_ceil(1_000))
}

/// Microseconds as ticks, the last tick for any beyond it.
fn saturating_ticks(micros: u128) -> u64 {
    u64::try_from(micros).unwrap_or(u64::MAX)
}
