//! Where time comes from: the clock a run is measured on, and CPU time.
//!
//! Every scenario reads time through a [`Clock`], never through
//! `std::time::Instant` directly, so that a run on minirt's virtual clock is
//! recorded in virtual time (exact, instant) and a run on a real runtime in
//! real time. The [`recorder`](crate::recorder) holds the clock of the run;
//! the backends supply it (see `backend/minirt.rs` for the virtual one).

use std::time::{Duration, Instant};

/// A source of time, plus what a *blocking* call does to it.
///
/// Like `std::time::Instant::now`, but replaceable: the system clock reads
/// the OS, a virtual clock reads a counter that jumps.
pub trait Clock: Send + Sync {
    /// Time since this clock's origin (an arbitrary fixed point).
    fn now(&self) -> Duration;

    /// A blocking call that lasts `duration`: the calling thread does nothing
    /// else meanwhile. On the system clock this is `std::thread::sleep`; on a
    /// virtual clock it moves virtual time forward without running anything.
    fn block_for(&self, duration: Duration);

    /// Runs `call`, a blocking call of unknown length (waiting for another
    /// thread), on the calling thread. Most clocks just call it; a backend
    /// whose workers must say they are about to block (tokio's
    /// multi-thread runtime) says so first.
    fn block_on_call(&self, call: &mut dyn FnMut()) {
        call();
    }

    /// Whether time here is virtual: then a run's timeline is exact, and
    /// there is no scheduling noise to measure or allow for.
    fn is_virtual(&self) -> bool {
        false
    }
}

/// The operating system's monotonic clock.
///
/// # Examples
///
/// ```
/// use concur::clock::{Clock, SystemClock};
/// use std::time::Duration;
///
/// let clock = SystemClock::new();
/// clock.block_for(Duration::from_millis(2));
/// assert!(clock.now() >= Duration::from_millis(2));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    /// The moment this clock reads as zero.
    origin: Instant,
}

impl SystemClock {
    /// A system clock whose origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn block_for(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// CPU time used so far by this process, all threads together (user and
/// system), from `CLOCK_PROCESS_CPUTIME_ID`.
///
/// Child processes are not included: the sort on child processes counts
/// their CPU time itself.
///
/// # Examples
///
/// ```
/// let before = concur::clock::process_cpu_time();
/// let spin: u64 = (0..100_000u64).map(std::hint::black_box).sum();
/// assert!(spin > 0);
/// assert!(concur::clock::process_cpu_time() >= before);
/// ```
pub fn process_cpu_time() -> Duration {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    // The kernel never reports negative CPU time; clamp rather than panic.
    let seconds = u64::try_from(time.tv_sec).unwrap_or(0);
    let nanos = u32::try_from(time.tv_nsec).unwrap_or(0);
    Duration::new(seconds, nanos)
}
