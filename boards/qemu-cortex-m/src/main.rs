//! minirt on a bare-metal Cortex-M4, emulated by QEMU (`mps2-an386`): the
//! article's gather and blocking call on minirt's `no_std` core, with
//! SysTick for a clock, `wfi` for an idle loop, and a task woken from an
//! interrupt handler. `./run` builds it, boots it and checks what it prints.
//!
//! There is no operating system here: no threads, no OS time, no `std`.
//! What minirt needs from the board is a heap (its tasks are boxed) and a
//! [`minirt::Clock`]; everything else is its own.

#![no_std]
#![no_main]
// The `bare` build (see Cargo.toml) runs nothing, so most of this is unused.
#![cfg_attr(feature = "bare", allow(dead_code, unused_imports))]

extern crate alloc;

mod clock;
mod log;
mod memory;
mod peripheral;
mod scenarios;

use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::debug;
// A panic prints its message on the host's stderr and makes QEMU exit with
// a failure, so `./run` fails loudly rather than timing out.
use panic_semihosting as _;

#[entry]
fn main() -> ! {
    memory::init();
    let core = cortex_m::Peripherals::take().expect("the core peripherals are taken once, here");
    clock::start(core.SYST);
    log::heading(format_args!(
        "minirt on a Cortex-M4 (QEMU mps2-an386), no_std: 1 unit = {} ms, 1 tick = {}.{:03} ms of SysTick time",
        scenarios::UNIT_MILLIS,
        clock::TICK_MICROS / 1_000,
        clock::TICK_MICROS % 1_000,
    ));
    #[cfg(not(feature = "bare"))]
    {
        scenarios::gather();
        scenarios::blocking();
        scenarios::interrupt();
    }
    memory::report();
    debug::exit(debug::EXIT_SUCCESS);
    // Semihosting's exit ends QEMU; on a probe without a host, park here.
    loop {
        cortex_m::asm::wfi();
    }
}

/// The board's timer interrupt, every tick: it moves the clock on, stands
/// in for a peripheral whose interrupt wakes a task, and watches the RAM.
#[exception]
fn SysTick() {
    let now = clock::tick();
    peripheral::on_tick(now);
    memory::sample();
}
