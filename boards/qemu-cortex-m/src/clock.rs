//! The board's [`Clock`] for minirt: SysTick interrupts count ticks, and a
//! loop with nothing to run sleeps in `wfi` until its next deadline or a
//! wake from an interrupt.
//!
//! A periodic tick keeps this small: every tick's interrupt ends a `wfi`,
//! the loop looks at the time and sleeps again. (A tickless clock would
//! program SysTick for the next deadline instead; SysTick's 24-bit counter
//! makes that a longer story.)

use core::cell::Cell;
use core::time::Duration;
use cortex_m::peripheral::{syst::SystClkSource, SYST};
use critical_section::Mutex;
use minirt::{Clock, Park};

/// The Cortex-M4's clock on QEMU's mps2-an386, which SysTick counts.
const CORE_HZ: u32 = 25_000_000;

/// Ticks per second: SysTick interrupts every millisecond.
const TICKS_PER_SECOND: u32 = 1_000;

/// One tick in microseconds: the clock's resolution, for any time it reads
/// is a whole number of ticks.
pub(crate) const TICK_MICROS: u64 = 1_000_000 / TICKS_PER_SECOND as u64;

/// Ticks since SysTick started. Written by the interrupt, read by the loop:
/// behind a critical section, because Cortex-M has no 64-bit atomics (and
/// 32 bits of milliseconds wrap after 49 days).
static TICKS: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));

/// Starts SysTick: an interrupt every tick, counted by [`tick`].
pub(crate) fn start(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CORE_HZ / TICKS_PER_SECOND - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

/// Counts one tick and returns the count; the SysTick handler calls this.
pub(crate) fn tick() -> u64 {
    critical_section::with(|cs| {
        let ticks = TICKS.borrow(cs);
        ticks.set(ticks.get() + 1);
        ticks.get()
    })
}

/// Whole ticks in `duration`.
pub(crate) fn ticks_in(duration: Duration) -> u64 {
    duration.as_secs() * u64::from(TICKS_PER_SECOND)
        + u64::from(duration.subsec_micros()) / TICK_MICROS
}

/// Ticks since SysTick started.
pub(crate) fn ticks() -> u64 {
    critical_section::with(|cs| TICKS.borrow(cs).get())
}

/// minirt's clock on this board. It holds nothing: time is in [`TICKS`].
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SysTickClock;

impl Clock for SysTickClock {
    fn now(&self) -> Duration {
        Duration::from_micros(ticks() * TICK_MICROS)
    }

    fn park(&self, park: &Park<'_>) {
        let due = || {
            park.deadline()
                .is_some_and(|deadline| self.now() >= deadline)
        };
        sleep_until(|| park.woken() || due());
    }

    /// What a blocking delay is on a board: the loop runs nothing until the
    /// time has passed (interrupts still run, and still count the time).
    fn block_for(&self, duration: Duration) {
        let end = self.now() + duration;
        sleep_until(|| self.now() >= end);
    }
}

/// Sleeps in `wfi` until `done` holds.
///
/// `done` is checked with interrupts masked, and `wfi` entered before they
/// are unmasked: an interrupt that comes after the check stays pending, and
/// a pending interrupt ends `wfi` even while masked, so no wake can slip in
/// between the check and the sleep. Its handler runs once the mask is lifted.
fn sleep_until(done: impl Fn() -> bool) {
    loop {
        let finished = critical_section::with(|_| {
            let finished = done();
            if !finished {
                cortex_m::asm::wfi();
            }
            finished
        });
        if finished {
            return;
        }
    }
}
