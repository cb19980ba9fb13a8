//! A3, `deadlock`: minirt names the cycle at once; smol and tokio run in a
//! child process that the watchdog kills, and the command line never hangs.

use super::support::run;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn minirt_names_the_tasks_and_the_cycle() {
    let run = run("deadlock", "minirt", Duration::from_secs(1), true);
    let note = run.note.expect("the deadlock's cycle");
    assert!(note.starts_with("deadlock, wait cycle: "), "{note}");
    let last = run.record.lines.last().expect("lines");
    let report = last.message.strip_prefix("minirt: ").expect("the report");
    assert!(report.starts_with("deadlock"), "{report}");
    assert_eq!(last.at, Duration::from_secs(1), "found when both wait");
    assert!(
        report.contains("\"A\" holds m1 and waits for m2"),
        "{report}"
    );
    assert!(
        report.contains("\"B\" holds m2 and waits for m1"),
        "{report}"
    );
    assert!(run.verdict.matches(), "{:?}", run.verdict.reason);
    assert!(run.wall < Duration::from_millis(500), "found at once");
}

#[test]
fn the_others_report_no_progress_instead_of_hanging() {
    for backend in ["smol", "tokio"] {
        let started = Instant::now();
        let run = run("deadlock", backend, Duration::from_millis(50), false);
        let note = run.note.as_deref();
        assert_eq!(note, Some("no progress for 3 units"), "{backend}");
        assert!(run.verdict.matches(), "{backend}: {:?}", run.verdict.reason);
        let last = run.record.lines.last().expect("lines");
        assert!(last.message.starts_with("no progress"), "{backend}");
        assert!(started.elapsed() < Duration::from_secs(5), "{backend}");
    }
}

#[test]
fn concur_run_deadlock_on_minirt_ends_well_under_a_second() {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_concur"))
        .args(["run", "deadlock", "--backend", "minirt", "--unit", "10ms"])
        .output()
        .expect("concur starts");
    assert!(output.status.success());
    assert!(started.elapsed() < Duration::from_secs(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("wait cycle"), "{stdout}");
    // The panic that carries the report is caught, not printed.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_tasks_left_pending_are_listed() {
    let run = run("deadlock", "minirt", Duration::from_secs(1), true);
    let lines = concur::stall::report(&run, None);
    let dropped = lines
        .iter()
        .find(|line| line.contains("dropped while pending"));
    let dropped = dropped.expect("the deadlocked tasks are listed");
    assert!(dropped.contains("A") && dropped.contains("B"), "{dropped}");
    let gather = run_gather();
    let lines = concur::stall::report(&gather, None);
    assert!(
        !lines.iter().any(|line| line.contains("dropped")),
        "{lines:?}"
    );
}

/// Gather on virtual minirt: every task finishes.
fn run_gather() -> concur::run::Run {
    run("gather", "minirt", Duration::from_secs(1), true)
}
