//! The race's final values, the heart of sections 7 to 9 and addition A2:
//! two threads lose an update (1); a lock saves it (2); one event loop
//! serializes the updates (2); a multi-threaded executor loses it again (1);
//! so does one loop with an await between the read and the write (A5).
//!
//! The lost update no longer relies on timing: where two threads run the
//! updates, each waits for the other's read before it writes (see
//! `tests/it/load.rs` for the same values on busy cores).

use super::support::{backends_of, run};
use std::time::Duration;

/// Half the article's second, as in the main job.
const UNIT: Duration = Duration::from_millis(500);

/// Runs `scenario` on each backend it applies to and checks its value.
fn assert_final_value(scenario: &str, value: i64) {
    for backend in backends_of(scenario) {
        let run = run(scenario, backend, UNIT, false);
        assert_eq!(run.value, Some(value), "{scenario} on {backend}");
        assert!(
            run.verdict.matches(),
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
fn an_await_between_read_and_write_loses_an_update_on_one_loop_too() {
    // A5 on every event loop, py-asyncio included: FIFO, both read first.
    assert_final_value("race-async-await", 1);
}

#[test]
fn the_same_async_code_on_many_threads_loses_an_update() {
    assert_final_value("race-async-multithread", 1);
    // Both updates read before either wrote, so two threads ran them at
    // once, besides the main thread. tokio may add one: a worker that
    // blocks hands its queue to another thread (`block_in_place`), and the
    // update that sleeps there may log from it.
    for backend in backends_of("race-async-multithread") {
        let run = run("race-async-multithread", backend, UNIT, false);
        assert!(
            (3..=4).contains(&run.threads),
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
