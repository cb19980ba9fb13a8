//! The exit status of a comparison: a mismatch fails it, a run too noisy
//! to judge does not, and Ctrl-C still wins.

use super::{Interrupted, Results};
use crate::check::Verdict;
use crate::recorder::Record;
use crate::run::Run;
use crate::trace::Trace;
use std::time::{Duration, SystemTime};

/// A finished run of `scenario` on threads, with `verdict`.
fn run(scenario: &'static str, verdict: Verdict) -> Run {
    let record = Record {
        lines: Vec::new(),
        spans: Vec::new(),
        threads: 1,
        total: Duration::ZERO,
        started: SystemTime::UNIX_EPOCH,
        trace: Trace::default(),
        blocking_late: Duration::ZERO,
    };
    Run {
        scenario,
        backend: "threads",
        unit: Duration::from_millis(20),
        expected_units: Some(2.25),
        measured_units: 2.25,
        wall: Duration::ZERO,
        cpu: Duration::ZERO,
        threads: 3,
        value: Some(1),
        verdict,
        noise: crate::check::Noise::none(),
        note: None,
        record,
    }
}

/// Results of `runs`, none failed, not interrupted.
fn results(runs: Vec<Run>) -> Results {
    Results {
        runs,
        ..Results::default()
    }
}

#[test]
fn a_mismatch_fails_the_comparison() {
    let runs = vec![
        run("race", Verdict::pass()),
        run("race-locked", Verdict::fail("final value 1, expected 2")),
    ];
    let error = results(runs).status().expect_err("a mismatch is a failure");
    assert_eq!(
        error.to_string(),
        "1 of 2 runs does not match the article: race-locked on threads (final value 1, expected 2)"
    );
}

#[test]
fn a_run_too_noisy_to_judge_does_not_fail_the_comparison() {
    let runs = vec![
        run("race", Verdict::pass()),
        run(
            "race",
            Verdict::too_noisy("too noisy to judge at this unit"),
        ),
    ];
    let results = results(runs);
    assert!(results.status().is_ok());
    let said = results.too_noisy().expect("a line about it");
    assert!(said.starts_with("1 of 2 runs came late"), "{said}");
}

#[test]
fn ctrl_c_still_wins_over_a_mismatch() {
    let mut results = results(vec![run("race", Verdict::fail("late"))]);
    results.interrupted = Some(Interrupted::ctrl_c("the table shows what finished"));
    let error = results.status().expect_err("interrupted");
    assert!(error.downcast_ref::<Interrupted>().is_some());
}
