//! What a task costs: allocations and live heap bytes per spawned task,
//! counted by a wrapper around the system allocator, for a trivial pending
//! task and for one asleep on a timer. The figures are printed (run with
//! `--nocapture`) and bounded, so a change that bloats tasks fails here.

use minirt::Runtime;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::time::Duration;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Tasks per measurement: enough that the slab's growth averages out.
const TASKS: usize = 100_000;

/// Spawns `TASKS` tasks made by `make`, lets each reach its first `Pending`,
/// and returns (allocations per task, live bytes per task).
fn cost_of<F: std::future::Future<Output = ()> + 'static>(make: impl Fn() -> F) -> (f64, f64) {
    let rt = Runtime::with_virtual_clock();
    // Warm up the runtime's own buffers so they are not billed to tasks.
    rt.block_on(async { minirt::yield_now().await });
    let region = Region::new(GLOBAL);
    let handles: Vec<_> = (0..TASKS).map(|_| rt.spawn(make())).collect();
    rt.block_on(async { minirt::yield_now().await }); // every task polled once
    let stats = region.change();
    let handles_bytes = handles.capacity() * std::mem::size_of::<minirt::JoinHandle<()>>();
    let live = stats.bytes_allocated as f64 - stats.bytes_deallocated as f64 - handles_bytes as f64;
    let allocations = (stats.allocations - 1) as f64; // minus the handles' Vec
    drop(handles);
    (allocations / TASKS as f64, live / TASKS as f64)
}

// One test, not two: the counting allocator sees every thread, so two
// measurements running in parallel would bill each other.
#[test]
fn a_task_costs_one_allocation_and_about_a_hundred_bytes() {
    // The task's block (header and stage, `src/raw.rs`), its place in the
    // registry's list and in the ready queue: no waker, no slot, no box.
    let (allocations, bytes) = cost_of(std::future::pending::<()>);
    println!("pending task: {allocations:.2} allocations, {bytes:.0} bytes");
    assert!(
        allocations <= 1.01,
        "{allocations} allocations per pending task"
    );
    assert!(bytes <= 110.0, "{bytes} bytes per pending task");

    // A sleeping task adds a timer entry in the wheel, and a bigger future.
    let (allocations, bytes) = cost_of(|| async {
        minirt::sleep(Duration::from_secs(3600)).await;
    });
    println!("sleeping task: {allocations:.2} allocations, {bytes:.0} bytes");
    assert!(
        allocations <= 1.01,
        "{allocations} allocations per sleeping task"
    );
    assert!(bytes <= 210.0, "{bytes} bytes per sleeping task");
}
