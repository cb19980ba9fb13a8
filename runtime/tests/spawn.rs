//! Spawning: FIFO order, task counts, what happens to pending tasks, misuse
//! panics, and scale.

use minirt::Runtime;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Counts how many times it was dropped.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn tasks_run_in_spawn_order_after_main_yields() {
    let rt = Runtime::with_virtual_clock();
    let trace = Rc::new(RefCell::new(Vec::new()));
    rt.block_on(async {
        for name in ["a", "b", "c"] {
            let trace = trace.clone();
            drop(minirt::spawn(async move { trace.borrow_mut().push(name) }));
        }
        trace.borrow_mut().push("main before yield");
        minirt::yield_now().await;
        trace.borrow_mut().push("main after yield");
    });
    assert_eq!(
        *trace.borrow(),
        [
            "main before yield", // spawning does not run anything yet
            "a",                 // the spawned tasks, first in, first out
            "b",
            "c",
            "main after yield", // main went to the back of the queue
        ]
    );
}

#[test]
fn pending_tasks_survive_block_on_and_die_with_the_runtime() {
    let drops = Arc::new(AtomicUsize::new(0));
    let rt = Runtime::with_virtual_clock();
    let counter = DropCounter(drops.clone());
    rt.block_on(async move {
        drop(minirt::spawn(async move {
            let _counter = counter;
            std::future::pending::<()>().await;
        }));
    });
    assert_eq!(rt.task_count(), 1, "the pending task stays in the runtime");
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(rt);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "dropping the runtime drops it"
    );
}

#[test]
fn free_block_on_drops_what_is_left_like_asyncio_run() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(drops.clone());
    let handle_outcome = minirt::block_on(async move {
        let forgotten = minirt::spawn(async move {
            let _counter = counter;
            std::future::pending::<()>().await;
        });
        minirt::yield_now().await; // let it start
        (forgotten,) // in a tuple: an async block resolving to a future looks like a mistake
    });
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    // The handle outlived its runtime: awaiting it elsewhere says "cancelled".
    let outcome = Runtime::with_virtual_clock().block_on(handle_outcome.0);
    assert!(outcome.unwrap_err().is_cancelled());
}

#[test]
#[should_panic(expected = "minirt::spawn called outside a runtime")]
fn spawn_outside_a_runtime_names_the_mistake() {
    drop(minirt::spawn(async {}));
}

#[test]
#[should_panic(expected = "minirt::task_count called outside a runtime")]
fn task_count_outside_a_runtime_names_the_mistake() {
    minirt::task_count();
}

#[test]
#[should_panic(expected = "block_on called inside a minirt runtime")]
fn nested_block_on_is_refused_rather_than_deadlocking() {
    minirt::block_on(async { minirt::block_on(async {}) });
}

#[test]
fn a_million_tasks_spawn_and_join() {
    let rt = Runtime::with_virtual_clock();
    let total = rt.block_on(async {
        let handles: Vec<_> = (0..1_000_000u64)
            .map(|n| minirt::spawn(async move { n }))
            .collect();
        assert_eq!(minirt::task_count(), 1_000_001);
        let mut total = 0;
        for handle in handles {
            total += handle.await.unwrap();
        }
        total
    });
    assert_eq!(total, 999_999 * 1_000_000 / 2);
    assert_eq!(rt.task_count(), 0);
}
