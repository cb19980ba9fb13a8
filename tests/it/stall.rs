//! Stall attribution and timer lateness, from the poll wrapper's trace.

use super::support::run;
use concur::stall::{self, default_threshold};
use std::time::Duration;

/// The article's unit: on the virtual clock it costs nothing.
const UNIT: Duration = Duration::from_secs(1);

#[test]
fn blocking_names_three_and_the_damage_exactly() {
    let run = run("blocking", "minirt", UNIT, true);
    let stalls = stall::stalls(&run.record.trace, default_threshold(UNIT));
    assert_eq!(stalls.len(), 1, "{stalls:?}");
    let stall = &stalls[0];
    assert_eq!(stall.task, "THREE");
    assert_eq!(stall.held(), 3 * UNIT);
    // ONE was due at 1 and TWO at 2; both ran at 3.
    let late = [("ONE".to_string(), 2 * UNIT), ("TWO".to_string(), UNIT)];
    assert_eq!(stall.late, late);
    // FOUR and FIVE were spawned at 0 but first polled at 3.
    assert_eq!(stall.waiting, ["ONE", "TWO", "FOUR", "FIVE"]);
    let warning = stall.describe(UNIT);
    assert!(
        warning.starts_with("THREE held the loop for 3.00 units"),
        "{warning}"
    );
    // Four sleeps: FOUR and FIVE on time, TWO 1 late, ONE 2 late; the
    // median by nearest rank is the second of the four.
    let late = stall::lateness(&run.record.trace).expect("sleeps fired");
    let summary = (late.sleeps, late.p50, late.p99, late.max);
    assert_eq!(summary, (4, Duration::ZERO, 2 * UNIT, 2 * UNIT));
}

#[test]
fn gather_has_no_stall_and_no_late_sleep() {
    let run = run("gather", "minirt", UNIT, true);
    assert!(stall::stalls(&run.record.trace, default_threshold(UNIT)).is_empty());
    let late = stall::lateness(&run.record.trace).expect("sleeps fired");
    assert_eq!((late.sleeps, late.max), (5, Duration::ZERO));
}

#[test]
fn every_async_backend_sees_the_stall() {
    let unit = Duration::from_millis(20);
    for backend in ["smol", "tokio"] {
        let run = run("blocking", backend, unit, false);
        let stalls = stall::stalls(&run.record.trace, default_threshold(unit));
        let names: Vec<&str> = stalls.iter().map(|stall| stall.task.as_str()).collect();
        assert_eq!(names, ["THREE"], "{backend}");
        let late: Vec<&str> = stalls[0]
            .late
            .iter()
            .map(|(task, _)| task.as_str())
            .collect();
        assert_eq!(late, ["ONE", "TWO"], "{backend}");
    }
}

#[test]
fn the_table_and_the_json_report_lateness() {
    let run = run("blocking", "minirt", UNIT, true);
    let cell = concur::report::table::sleeps_late(&run);
    assert_eq!(cell, "0.0 / 2000.0 / 2000.0 ms");
    let report = concur::report::json::report(std::slice::from_ref(&run), UNIT);
    let json = serde_json::to_value(&report).expect("the report is JSON");
    let entry = &json["runs"][0];
    assert_eq!(entry["lateness_p50_ms"], 0.0);
    assert_eq!(entry["lateness_max_ms"], 2000.0);
    assert_eq!(entry["measured_units"], 8.0, "the old keys stay");
    let threads = run_threads();
    assert_eq!(concur::report::table::sleeps_late(&threads), "—");
}

/// A run with no event loop: no sleeps to judge.
fn run_threads() -> concur::run::Run {
    run("threads", "threads", Duration::from_millis(5), false)
}
