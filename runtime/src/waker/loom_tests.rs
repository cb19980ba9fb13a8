//! loom model checks of the cross-thread wake path: every interleaving of a
//! wake from another thread with the loop polling and going to park.
//!
//! Part of `waker.rs`. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p minirt --lib --release loom`.
//! The loop's side is written out here as `executor.rs` and `clock.rs`
//! do it: pop a key, clear the task's `scheduled` flag, poll; with nothing
//! queued, check the queue once more and park (an unpark that came first is
//! remembered, so the check-then-park cannot miss a wake).

use super::{ReadyQueue, TaskWaker};
use crate::task::TaskKey;
use alloc::sync::Arc;
use core::task::Waker;
use loom::sync::atomic::{AtomicBool, Ordering};

/// Runs the loop on this thread while `wakes` wakes come from another, and
/// returns how many times the task was polled. The task is done once it
/// sees `ready`, which the other thread sets before it wakes the task.
fn polls_with(wakes: usize) -> usize {
    let queue = Arc::new(ReadyQueue::new(Arc::new(loom::thread::current())));
    let key = TaskKey::new(0, 0);
    let task = Arc::new(TaskWaker::new(key, queue.clone()));
    let ready = Arc::new(AtomicBool::new(false));
    // A spawned task is queued for its first poll (its waker starts
    // scheduled).
    queue.push(key);
    let (flag, waker) = (ready.clone(), Waker::from(task.clone()));
    let finished = Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    let other = loom::thread::spawn(move || {
        flag.store(true, Ordering::Release);
        for _ in 0..wakes {
            waker.wake_by_ref();
        }
        done.store(true, Ordering::Release);
    });
    let mut polls = 0;
    'run: loop {
        while let Some(next) = queue.pop() {
            assert_eq!(next, key, "only this task was ever queued");
            // Until its flag is cleared, a wake must not queue it again:
            // a second copy would be a second poll for one wake.
            assert!(queue.is_empty(), "the task was queued twice");
            // What `Task::poll` does first, then the poll itself.
            task.clear_scheduled();
            polls += 1;
            if ready.load(Ordering::Acquire) {
                break 'run;
            }
        }
        // What `wait_for_wake` does: check, then park.
        if queue.is_empty() {
            loom::thread::park();
        }
    }
    // Not `join`: loom lets the other thread's unpark resume a thread
    // blocked in `join` and then trips over it; spinning never blocks.
    while !finished.load(Ordering::Acquire) {
        loom::thread::yield_now();
    }
    drop(other);
    let left = core::iter::from_fn(|| queue.pop()).count();
    assert!(left <= 1, "the task was queued twice");
    polls
}

#[test]
fn loom_a_wake_racing_the_park_is_never_lost() {
    // Reaching the end at all is the check: a lost wake-up would leave the
    // loop parked for ever, which loom reports as a deadlock.
    loom::model(|| {
        let polls = polls_with(1);
        assert!((1..=2).contains(&polls), "{polls} polls");
    });
}

#[test]
fn loom_waking_twice_queues_once_never_a_double_poll() {
    // The first poll, plus at most one for both wakes: never three.
    loom::model(|| {
        let polls = polls_with(2);
        assert!((1..=2).contains(&polls), "{polls} polls");
    });
}
