//! Every scenario on every backend it applies to, in real time, at a short
//! unit. Real time on a busy two-core machine is noisy, so the checks are
//! one-sided where physics allows: nothing happens early (a sleep never
//! ends before its time), lines come in the article's order wherever their
//! expected times are a unit or more apart, and lateness is allowed up to
//! a unit and a half.

use super::support::{backends_of, run, timeline};
use concur::run::Run;
use concur::scenario;
use std::time::Duration;

/// Short enough to keep the suite quick, long enough to dwarf scheduling noise.
const UNIT: Duration = Duration::from_millis(100);

/// How early a line may be, in units: timer rounding only.
const EARLY: f64 = 0.02;

/// How late a line may be, in units.
const LATE: f64 = 1.5;

/// Runs `name` on every backend it applies to and checks each run's story.
fn assert_story_everywhere(name: &str) {
    let backends = backends_of(name);
    assert!(!backends.is_empty(), "{name} runs nowhere");
    for backend in backends {
        assert_story(&run(name, backend, UNIT, false));
    }
}

/// Checks one run against its scenario's expected timeline, with slack.
fn assert_story(run: &Run) {
    let label = format!("{} on {}", run.scenario, run.backend);
    let expected = scenario::find(run.scenario).expect("known").expected(UNIT);
    let logged = timeline(run);
    // The k-th expected line of a message is the k-th logged one.
    let mut measured = Vec::new();
    for (index, (at, message)) in expected.events.iter().enumerate() {
        let occurrence = expected.events[..index]
            .iter()
            .filter(|(_, m)| m == message)
            .count();
        let mut matching = logged.iter().enumerate().filter(|(_, (_, m))| m == message);
        let Some((position, (seen, _))) = matching.nth(occurrence) else {
            panic!("{label}: no '{message}' #{}", occurrence + 1);
        };
        let seen = *seen;
        assert!(
            seen >= at - EARLY,
            "{label}: '{message}' early, at {seen:.3} for {at}"
        );
        assert!(
            seen <= at + LATE,
            "{label}: '{message}' late, at {seen:.3} for {at}"
        );
        measured.push((*at, position, message));
    }
    for (at, position, message) in &measured {
        for (later_at, later_position, later) in &measured {
            if *later_at >= at + 1.0 {
                assert!(
                    position < later_position,
                    "{label}: '{later}' logged before '{message}'"
                );
            }
        }
    }
    if let Some(total) = expected.total {
        let units = run.measured_units;
        assert!(
            units >= total - EARLY && units <= total + LATE,
            "{label}: total {units:.3}"
        );
    }
}

#[test]
fn delay_takes_five_units_on_one_thread() {
    assert_story_everywhere("delay");
}

#[test]
fn threads_overlap_the_sleeps() {
    assert_story_everywhere("threads");
}

#[test]
fn a_pool_reports_each_result_as_it_arrives() {
    assert_story_everywhere("pool");
}

#[test]
fn tasks_overlap_on_every_event_loop() {
    assert_story_everywhere("tasks");
    for backend in backends_of("tasks") {
        let counts: Vec<String> = timeline(&run("tasks", backend, UNIT, false))
            .into_iter()
            .map(|(_, message)| message)
            .filter(|message| message.starts_with("Current registered tasks"))
            .collect();
        assert_eq!(
            counts,
            ["Current registered tasks: 1", "Current registered tasks: 3"],
            "{backend}"
        );
    }
}

#[test]
fn gather_runs_all_five_at_once_on_every_event_loop() {
    assert_story_everywhere("gather");
}

#[test]
fn a_blocking_call_stalls_every_event_loop() {
    assert_story_everywhere("blocking");
}

#[test]
fn spawn_blocking_cures_every_event_loop() {
    assert_story_everywhere("blocking-fixed");
}

#[test]
fn every_sort_backend_sorts() {
    for backend in backends_of("sort") {
        let run = run("sort", backend, UNIT, false);
        assert!(
            run.verdict.matches(),
            "sort on {backend}: {:?}",
            run.verdict.reason
        );
        assert!(run.threads >= 1, "sort on {backend} used no thread");
        let messages: Vec<String> = timeline(&run).into_iter().map(|(_, m)| m).collect();
        assert_eq!(
            messages,
            ["Starting Sorting", "Sorting Completed"],
            "sort on {backend}"
        );
    }
}

#[test]
fn thread_names_are_the_articles() {
    let names = |scenario: &str, backend: &str| -> Vec<String> {
        let record = run(scenario, backend, UNIT, false).record;
        let mut names: Vec<String> = record.lines.into_iter().map(|line| line.thread).collect();
        names.sort();
        names.dedup();
        names
    };
    assert_eq!(
        names("threads", "threads"),
        ["MainThread", "Thread-1", "Thread-2"]
    );
    let pool = [
        "MainThread",
        "ThreadPoolExecutor-0_0",
        "ThreadPoolExecutor-0_1",
    ];
    assert_eq!(names("pool", "pool"), pool);
    assert_eq!(names("gather", "tokio"), ["MainThread"]);
}
