//! The heap minirt allocates its tasks, timers and queues from, and how much
//! of it the run used.

use core::cell::Cell;
use critical_section::Mutex;
use embedded_alloc::LlffHeap;

/// Bytes of RAM set aside for the heap: a few times what the run needs at
/// its peak (see [`report`]).
const HEAP_SIZE: usize = 16 * 1024;

/// The global allocator. Its every call takes a critical section, so an
/// interrupt handler may allocate too (minirt's ready queue can, when a
/// wake from an interrupt needs a new block of slots).
#[global_allocator]
static HEAP: LlffHeap = LlffHeap::empty();

/// The most bytes seen in use at once, sampled every tick.
static PEAK: Mutex<Cell<usize>> = Mutex::new(Cell::new(0));

/// Hands the heap its memory; call first thing, before anything allocates.
pub(crate) fn init() {
    #[allow(unsafe_code)]
    // SAFETY: `init!` must run once, before the first allocation, and its
    // buffer must belong to the heap alone. This runs once, first in `main`
    // (nothing allocates before), and the macro declares that buffer itself,
    // a `static` nothing else can name.
    unsafe {
        embedded_alloc::init!(HEAP, HEAP_SIZE);
    }
}

/// Notes how much of the heap is in use now; the SysTick handler calls this.
pub(crate) fn sample() {
    let used = HEAP.used();
    critical_section::with(|cs| {
        let peak = PEAK.borrow(cs);
        peak.set(peak.get().max(used));
    });
}

/// Prints the peak the ticks saw, and what is still in use.
pub(crate) fn report() {
    let peak = critical_section::with(|cs| PEAK.borrow(cs).get());
    crate::log::heading(format_args!(
        "heap: at most {peak} of {HEAP_SIZE} bytes in use (sampled every tick), {} now",
        HEAP.used()
    ));
}
