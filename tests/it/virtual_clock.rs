//! Exact timelines on minirt's virtual clock: every line, in order, at its
//! time in units to the microsecond, and no real waiting.
//!
//! The expected timelines are written out here, from the article, rather
//! than taken from the scenarios, so that a scenario's own expectation is
//! checked too.

use super::support::{run, timeline};
use concur::scenario::race::think_time;
use std::time::Duration;

/// The article's unit: on the virtual clock it costs nothing.
const UNIT: Duration = Duration::from_secs(1);

/// Runs `scenario` on virtual minirt and checks its whole log against
/// `expected`, line by line, and that it took no real time to speak of.
fn assert_exact(scenario: &str, unit: Duration, expected: &[(f64, &str)]) {
    let run = run(scenario, "minirt", unit, true);
    let logged = timeline(&run);
    let messages: Vec<&str> = logged.iter().map(|(_, message)| message.as_str()).collect();
    let wanted: Vec<&str> = expected.iter().map(|(_, message)| *message).collect();
    assert_eq!(messages, wanted, "{scenario}: the lines, in order");
    for ((at, message), (want, _)) in logged.iter().zip(expected) {
        assert!(
            (at - want).abs() < 1e-6,
            "{scenario}: '{message}' at {at}, expected {want}"
        );
    }
    assert!(
        run.verdict.matches(),
        "{scenario}: {:?}",
        run.verdict.reason
    );
    assert!(
        run.wall < Duration::from_millis(500),
        "{scenario} waited for real"
    );
}

#[test]
fn tasks_count_one_then_three_and_overlap() {
    assert_exact(
        "tasks",
        UNIT,
        &[
            (0.0, "Main started"),
            (0.0, "Current registered tasks: 1"), // main itself
            (0.0, "Creating tasks"),
            (0.0, "Current registered tasks: 3"), // main and two, not started yet
            (0.0, "TWO received"),                // they start when main awaits
            (0.0, "THREE received"),
            (2.0, "Printing TWO"),
            (3.0, "Printing THREE"), // 3, not 5: the sleeps overlap
            (3.0, "Main Ended"),
        ],
    );
}

#[test]
fn gather_prints_message_k_at_k() {
    assert_exact(
        "gather",
        UNIT,
        &[
            (0.0, "Main started"),
            (0.0, "ONE received"), // all five start together
            (0.0, "TWO received"),
            (0.0, "THREE received"),
            (0.0, "FOUR received"),
            (0.0, "FIVE received"),
            (1.0, "Printing ONE"),
            (2.0, "Printing TWO"),
            (3.0, "Printing THREE"),
            (4.0, "Printing FOUR"),
            (5.0, "Printing FIVE"),
            (5.0, "Main Ended"), // 5 in all, not 15
        ],
    );
}

#[test]
fn a_blocking_call_stalls_the_loop_for_three_units() {
    assert_exact(
        "blocking",
        UNIT,
        &[
            (0.0, "Main started"),
            (0.0, "Creating multiple tasks with asyncio.gather"),
            (0.0, "ONE received"),
            (0.0, "TWO received"),
            (0.0, "THREE received"), // THREE blocks the thread here...
            (3.0, "Printing THREE"), // ...until 3, running nothing else
            (3.0, "FOUR received"),  // only now do FOUR and FIVE start
            (3.0, "FIVE received"),
            (3.0, "Printing ONE"), // due at 1, late
            (3.0, "Printing TWO"), // due at 2, late
            (7.0, "Printing FOUR"),
            (8.0, "Printing FIVE"),
            (8.0, "Main Ended"), // 8, not 5
        ],
    );
}

#[test]
fn a_blocking_call_on_a_helper_thread_stalls_nothing() {
    assert_exact(
        "blocking-fixed",
        UNIT,
        &[
            (0.0, "Main started"),
            (0.0, "ONE received"),
            (0.0, "TWO received"),
            (0.0, "THREE received"), // THREE hands its blocking call to a helper
            (0.0, "FOUR received"),  // so FOUR and FIVE start at once
            (0.0, "FIVE received"),
            (1.0, "Printing ONE"), // on time
            (2.0, "Printing TWO"),
            (3.0, "Printing THREE"), // the helper's call took its 3 units
            (4.0, "Printing FOUR"),
            (5.0, "Printing FIVE"),
            (5.0, "Main Ended"), // 5 again
        ],
    );
}

#[test]
fn async_updates_take_turns_on_one_thread() {
    let think = think_time(UNIT).as_secs_f64() / UNIT.as_secs_f64();
    assert_exact(
        "race-async",
        UNIT,
        &[
            (0.0, "Update Started"), // task 1
            (0.0, "Sleeping"),
            (0.0, "Update Started"), // task 2
            (0.0, "Sleeping"),
            (1.0, "Reading Value From Db"),   // task 1 reads 0...
            (1.0 + think, "Updating Value"),  // ...thinks inside one poll...
            (1.0 + think, "Update Finished"), // ...and writes 1
            (1.0 + think, "Reading Value From Db"), // then task 2 reads 1
            (1.0 + 2.0 * think, "Updating Value"),
            (1.0 + 2.0 * think, "Update Finished"), // and writes 2
            (1.0 + 2.0 * think, "Final value is 2"),
        ],
    );
}

#[test]
fn an_await_between_read_and_write_lets_the_other_task_read_first() {
    let think = think_time(UNIT).as_secs_f64() / UNIT.as_secs_f64();
    assert_exact(
        "race-async-await",
        UNIT,
        &[
            (0.0, "Update Started"), // A
            (0.0, "Sleeping"),
            (0.0, "Update Started"), // B
            (0.0, "Sleeping"),
            (1.0, "Reading Value From Db"), // one reads 0 and awaits the database...
            (1.0, "Reading Value From Db"), // ...so the other reads 0 too
            (1.0 + think, "Updating Value"), // the first thinks and writes 1
            (1.0 + think, "Update Finished"),
            (1.0 + 2.0 * think, "Updating Value"), // the second writes 1 again
            (1.0 + 2.0 * think, "Update Finished"),
            (1.0 + 2.0 * think, "Final value is 1"), // an update is lost
        ],
    );
}

#[test]
fn timelines_are_exact_at_any_unit() {
    // 7 ms is no round number of anything: the units still come out whole.
    let unit = Duration::from_millis(7);
    let run = run("gather", "minirt", unit, true);
    let printed: Vec<f64> = timeline(&run)
        .into_iter()
        .filter(|(_, message)| message.starts_with("Printing"))
        .map(|(at, _)| at)
        .collect();
    assert_eq!(printed.len(), 5);
    for (k, at) in (1..=5).zip(printed) {
        assert!((at - f64::from(k)).abs() < 1e-6, "message {k} at {at}");
    }
}
