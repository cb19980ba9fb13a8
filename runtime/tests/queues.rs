//! The same program, on each timer queue, must wake the same tasks at the
//! same virtual microseconds: the queue changes what a timer costs, never
//! when it fires. A thousand sleeps, a third of them abandoned to a
//! timeout (which cancels them), checked on the wheel, heap and map.

#![cfg(feature = "timer-queues")]

use minirt::{Instant, Runtime, TimerQueueKind};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// Runs the program on a virtual clock with a queue of `kind` and returns
/// each task's `(id, µs since start when it woke, whether it timed out)`.
fn timeline(kind: TimerQueueKind) -> Vec<(u64, u128, bool)> {
    let rt = Runtime::builder().virtual_clock().timer_queue(kind).build();
    let woke = Rc::new(RefCell::new(Vec::new()));
    rt.block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = (0..1_000u64)
            .map(|id| {
                let woke = Rc::clone(&woke);
                // Spread over 0..2 s at odd microseconds; every third sleep
                // outlasts its timeout, so its timer is cancelled.
                let sleep = Duration::from_micros(id * 7_919 % 2_000_003);
                let limit = if id % 3 == 0 { sleep / 2 } else { sleep * 2 };
                minirt::spawn(async move {
                    let result = minirt::timeout(limit, minirt::sleep(sleep)).await;
                    let at = start.elapsed().as_micros();
                    woke.borrow_mut().push((id, at, result.is_err()));
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    Rc::try_unwrap(woke).unwrap().into_inner()
}

#[test]
fn every_queue_wakes_the_same_tasks_at_the_same_microseconds() {
    let wheel = timeline(TimerQueueKind::Wheel);
    assert_eq!(wheel.len(), 1_000);
    let timed_out = wheel.iter().filter(|&&(_, _, late)| late).count();
    // Id 0 sleeps 0 µs, which is no sleep at all, so 333 of 334 time out.
    assert_eq!(timed_out, 333);
    for &(id, at, late) in &wheel {
        let sleep = u128::from(id * 7_919 % 2_000_003);
        // Half an odd sleep ends mid-tick; deadlines round up to the tick.
        let expected = if late { sleep.div_ceil(2) } else { sleep };
        assert_eq!(at, expected, "task {id} woke at {at} µs");
    }
    for kind in [TimerQueueKind::Heap, TimerQueueKind::OrderedMap] {
        assert_eq!(timeline(kind), wheel, "{kind:?} differs from the wheel");
    }
}
