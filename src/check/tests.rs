//! The check's allowance for noise, on made-up runs: a late run on a noisy
//! machine matches, one later than its noise explains does not, and one on
//! a machine too noisy for its unit is judged neither way.

use super::{check, events, Expected, Judgement, Noise};
use crate::recorder::{LogLine, Record};
use crate::trace::Trace;
use std::time::{Duration, SystemTime};

/// At 50 ms the fixed tolerance is 0.3 units (15 ms).
const UNIT: Duration = Duration::from_millis(50);

/// Two sleeps in a row, like `delay`: TWO at 2, THREE at 5.
fn expected() -> Expected {
    Expected {
        events: events(&[(0.0, "Main started"), (2.0, "TWO"), (5.0, "THREE")]),
        total: Some(5.0),
        value: None,
    }
}

/// A record of `lines` at their times in units, as a run would log them.
fn record(lines: &[(f64, &str)]) -> Record {
    let lines: Vec<LogLine> = lines
        .iter()
        .map(|&(at, message)| LogLine {
            at: UNIT.mul_f64(at),
            thread: "MainThread".to_string(),
            message: message.to_string(),
        })
        .collect();
    let total = lines.iter().map(|line| line.at).max().unwrap_or_default();
    Record {
        lines,
        spans: Vec::new(),
        threads: 1,
        total,
        started: SystemTime::UNIX_EPOCH,
        trace: Trace::default(),
        blocking_late: Duration::ZERO,
    }
}

/// The delay run, with each sleep woken `late` units late: THREE twice.
fn late_run(late: f64) -> Record {
    record(&[
        (0.0, "Main started"),
        (2.0 + late, "TWO"),
        (5.0 + 2.0 * late, "THREE"),
    ])
}

/// The judgement of `record` on a machine whose wakes were `late_ms` late.
fn judge(record: &Record, late_ms: u64) -> Judgement {
    let noise = Noise::late_by(Duration::from_millis(late_ms));
    check(&expected(), record, None, UNIT, &noise).judgement
}

#[test]
fn a_late_run_matches_when_the_measured_noise_explains_it() {
    // THREE 0.5 units (25 ms) late: past the fixed 0.3 units.
    let run = late_run(0.25);
    assert_eq!(judge(&run, 0), Judgement::DoesNotMatch);
    // Wakes up to 8 ms late allow 0.3 + 3 × 8 ms = 0.78 units.
    let noise = Noise::late_by(Duration::from_millis(8));
    let verdict = check(&expected(), &run, None, UNIT, &noise);
    assert_eq!(verdict.judgement, Judgement::Matches);
    let reason = verdict
        .reason
        .expect("a match that needed the allowance says so");
    assert!(reason.contains("within noise"), "{reason}");
    assert!(reason.contains("8.0 ms"), "{reason}");
}

#[test]
fn a_run_later_than_its_noise_explains_does_not_match() {
    // THREE 0.8 units (40 ms) late; wakes up to 2 ms late allow 0.42.
    let verdict = check(
        &expected(),
        &late_run(0.4),
        None,
        UNIT,
        &Noise::late_by(Duration::from_millis(2)),
    );
    assert_eq!(verdict.judgement, Judgement::DoesNotMatch);
    assert!(verdict.is_mismatch());
    let reason = verdict.reason.expect("a reason");
    assert!(
        reason.starts_with("'THREE' at 5.80, expected 5.00"),
        "{reason}"
    );
}

#[test]
fn a_line_a_unit_late_on_a_machine_that_noisy_is_not_judged() {
    // THREE 1.2 units late: it could be a line expected at 6. Wakes up to
    // 20 ms late allow 0.3 + 1.2 units, so the noise explains it as well.
    let run = late_run(0.6);
    let noise = Noise::late_by(Duration::from_millis(20));
    let verdict = check(&expected(), &run, None, UNIT, &noise);
    assert_eq!(verdict.judgement, Judgement::TooNoisy);
    assert!(!verdict.matches() && !verdict.is_mismatch());
    assert_eq!(verdict.word(), "too noisy");
    let reason = verdict.reason.expect("a reason");
    assert!(
        reason.starts_with("too noisy to judge at this unit"),
        "{reason}"
    );
    assert!(reason.contains("20.0 ms"), "{reason}");
}

#[test]
fn a_run_less_than_a_unit_late_matches_on_a_very_noisy_machine() {
    // On time, or late by less than the noise explains and than a unit.
    assert_eq!(judge(&late_run(0.1), 500), Judgement::Matches);
    assert_eq!(judge(&late_run(0.45), 20), Judgement::Matches);
}

#[test]
fn noise_never_excuses_an_early_line() {
    // A sleep never ends early: TWO at 1.5 is wrong on any machine.
    let run = record(&[(0.0, "Main started"), (1.5, "TWO"), (5.0, "THREE")]);
    assert_eq!(judge(&run, 20), Judgement::DoesNotMatch);
}

#[test]
fn noise_never_excuses_a_missing_line_or_a_wrong_value() {
    let run = record(&[(0.0, "Main started"), (2.0, "TWO")]);
    assert_eq!(judge(&run, 20), Judgement::DoesNotMatch);
    let expected = Expected {
        value: Some(1),
        ..expected()
    };
    let noise = Noise::late_by(Duration::from_millis(20));
    let verdict = check(&expected, &late_run(0.0), Some(2), UNIT, &noise);
    let reason = verdict.reason.as_deref();
    assert_eq!(reason, Some("final value 2, expected 1"));
    assert!(verdict.is_mismatch());
}
