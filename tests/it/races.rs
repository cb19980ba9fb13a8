//! The race's final values, the heart of sections 7 to 9 and addition A2:
//! two threads lose an update (1); a lock saves it (2); one event loop
//! serializes the updates (2); a multi-threaded executor loses it again (1).
//!
//! The lost update relies on the think time between read and write
//! overlapping on two threads. A longer unit gives a longer think time
//! (25 ms here), so two threads that wake together overlap even on a busy
//! machine.

use super::support::{backends_of, run};
use std::time::Duration;

/// Long enough for a think time that two waking threads reliably overlap.
const UNIT: Duration = Duration::from_millis(500);

/// Runs `scenario` on each backend it applies to and checks its value.
fn assert_final_value(scenario: &str, value: i64) {
    for backend in backends_of(scenario) {
        let run = run(scenario, backend, UNIT, false);
        assert_eq!(run.value, Some(value), "{scenario} on {backend}");
        assert!(
            run.verdict.matches,
            "{scenario} on {backend}: {:?}",
            run.verdict.reason
        );
    }
}

#[test]
fn two_threads_without_a_lock_lose_an_update() {
    assert_final_value("race", 1);
}

#[test]
fn a_lock_from_read_to_write_keeps_both_updates() {
    assert_final_value("race-locked", 2);
}

#[test]
fn one_event_loop_serializes_the_updates() {
    assert_final_value("race-async", 2);
}

#[test]
fn the_same_async_code_on_many_threads_loses_an_update() {
    assert_final_value("race-async-multithread", 1);
    // Worker threads did the updates, besides the main thread: usually two,
    // but a work-stealing scheduler may run both tasks on one worker when
    // the other is still asleep (tokio did, once, on a busy CI machine).
    for backend in backends_of("race-async-multithread") {
        let run = run("race-async-multithread", backend, UNIT, false);
        assert!(
            (2..=3).contains(&run.threads),
            "race-async-multithread on {backend}: {} threads",
            run.threads
        );
    }
}

#[test]
fn the_pool_of_five_starts_only_the_two_workers_it_needs() {
    let run = run("race", "pool", UNIT, false);
    let mut names: Vec<String> = run
        .record
        .lines
        .into_iter()
        .map(|line| line.thread)
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(
        names,
        [
            "MainThread",
            "ThreadPoolExecutor-0_0",
            "ThreadPoolExecutor-0_1"
        ]
    );
}
