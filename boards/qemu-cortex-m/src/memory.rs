//! The heap minirt allocates its tasks, timers and queues from, and how
//! much RAM the run uses: heap and stack, sampled at every tick.

use core::cell::Cell;
use cortex_m::register::msp;
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

/// What the samples saw.
#[derive(Clone, Copy)]
struct Usage {
    /// The stack pointer when `main` began: the stack's top, near enough.
    stack_top: u32,
    /// The lowest stack pointer seen (the stack grows down).
    lowest_sp: u32,
    /// The most heap bytes seen in use at once.
    heap_peak: usize,
}

/// The samples so far; taken in the SysTick handler, read by `main`.
static USAGE: Mutex<Cell<Usage>> = Mutex::new(Cell::new(Usage {
    stack_top: 0,
    lowest_sp: u32::MAX,
    heap_peak: 0,
}));

/// Hands the heap its memory, and marks the stack's top. Call first thing
/// in `main`, before anything allocates.
pub(crate) fn init() {
    #[allow(unsafe_code)]
    // SAFETY: `init!` must run once, before the first allocation, and its
    // buffer must belong to the heap alone. This runs once, first in `main`
    // (nothing allocates before), and the macro declares that buffer itself,
    // a `static` nothing else can name.
    unsafe {
        embedded_alloc::init!(HEAP, HEAP_SIZE);
    }
    let top = msp::read();
    update(|usage| {
        usage.stack_top = top;
        usage.lowest_sp = top;
    });
}

/// Notes the heap and stack in use now; the SysTick handler calls this, so
/// the stack it sees includes the interrupt's own frame.
pub(crate) fn sample() {
    let sp = msp::read();
    let used = HEAP.used();
    update(|usage| {
        usage.lowest_sp = usage.lowest_sp.min(sp);
        usage.heap_peak = usage.heap_peak.max(used);
    });
}

/// Prints the peaks the ticks saw, and the heap still in use.
pub(crate) fn report() {
    let usage = update(|_| ());
    let stack = usage.stack_top.saturating_sub(usage.lowest_sp);
    crate::log::heading(format_args!(
        "RAM at its peak (sampled every tick): heap {} of {HEAP_SIZE} bytes, stack {stack} bytes; heap in use at the end: {}",
        usage.heap_peak,
        HEAP.used(),
    ));
}

/// Changes the samples in a critical section and returns them.
fn update(change: impl FnOnce(&mut Usage)) -> Usage {
    critical_section::with(|cs| {
        let cell = USAGE.borrow(cs);
        let mut usage = cell.get();
        change(&mut usage);
        cell.set(usage);
        usage
    })
}
