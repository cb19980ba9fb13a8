//! The Python backends: the article's own programs, checked like ours.
//! Their timelines, values and thread names; asyncio's stall in the trace;
//! the GIL in the sort's CPU time; the watchdog on a deadlocked asyncio;
//! no process left behind when concur dies; the rows skipped, not failed,
//! without Python; and the models the two sides declare, in agreement.
//!
//! Every test that needs `python3` returns early, saying so, without it.
//! (The story of each scenario on each Python backend is also checked, with
//! the others, by `real_clock.rs` and `races.rs`.)

use super::procs::{Process, Tag};
use super::support::{python, run};
use concur::backend::{self, python::INTERPRETER_VAR};
use concur::model::Model;
use concur::run::Run;
use concur::scenario::{self, SortOptions};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Long enough that the verdict's tolerance (a fifth of a unit, plus 5 ms)
/// covers an interpreter's wake-ups on a busy machine.
const UNIT: Duration = Duration::from_millis(200);

/// Runs `scenario` on `backend` and asserts that it tells the article's story.
fn assert_matches(scenario: &str, backend: &str) -> Run {
    let run = run(scenario, backend, UNIT, false);
    let reason = &run.verdict.reason;
    assert!(run.verdict.matches(), "{scenario} on {backend}: {reason:?}");
    run
}

/// The distinct thread names of a run's log.
fn thread_names(run: &Run) -> Vec<String> {
    let mut names: Vec<String> = run.record.lines.iter().map(|l| l.thread.clone()).collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_python_programs_tell_the_articles_stories() {
    if !python() {
        return;
    }
    let threads = assert_matches("threads", "py-threads");
    let names = thread_names(&threads);
    // Python names them: `Thread-1 (delay_message)` since 3.10, `Thread-1` before.
    let python_named = |name: &String, number: u32| {
        let name = name.strip_prefix(&format!("Thread-{number}"));
        name.is_some_and(|rest| rest.is_empty() || rest == " (delay_message)")
    };
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], "MainThread");
    assert!(
        python_named(&names[1], 1) && python_named(&names[2], 2),
        "{names:?}"
    );
    let pool = assert_matches("pool", "py-pool");
    let workers = [
        "MainThread",
        "ThreadPoolExecutor-0_0",
        "ThreadPoolExecutor-0_1",
    ];
    assert_eq!(thread_names(&pool), workers);
    let tasks = assert_matches("tasks", "py-asyncio");
    assert_eq!(thread_names(&tasks), ["MainThread"], "one thread");
    let counts = tasks.record.lines.iter().map(|line| line.message.as_str());
    let counts: Vec<&str> = counts.filter(|m| m.starts_with("Current")).collect();
    assert_eq!(
        counts,
        ["Current registered tasks: 1", "Current registered tasks: 3"]
    );
    // asyncio.to_thread's helper ran the blocking call: a second thread.
    let fixed = assert_matches("blocking-fixed", "py-asyncio");
    assert_eq!(fixed.threads, 2, "{:?}", fixed.record.spans);
}

#[test]
fn the_asyncio_trace_shows_who_held_the_loop() {
    if !python() {
        return;
    }
    let blocking = assert_matches("blocking", "py-asyncio");
    let report = concur::stall::report(&blocking, None);
    let stall = report.iter().find(|line| line.contains("held the loop"));
    let stall = stall.unwrap_or_else(|| panic!("no stall in {report:?}"));
    assert!(
        stall.starts_with("warning: THREE held the loop for 3."),
        "{stall}"
    );
    assert!(stall.contains("sleeps fired late: ONE by "), "{stall}");
    let lateness = concur::report::table::sleeps_late(&blocking);
    assert_ne!(lateness, "—", "asyncio's sleeps are in the trace");
}

#[test]
fn python_threads_take_turns_at_cpu_work_and_processes_do_not() {
    if !python() {
        return;
    }
    let sort = |backend: &str| {
        let scenario = scenario::find("sort").expect("the sort");
        let backend = backend::find(backend, backend::Options::default()).expect("known");
        let sort = SortOptions {
            lists: 1000,
            len: 20_000,
            seed: 3,
            worker_exe: None,
            python_lists: Some(8),
        };
        let options = scenario::Options {
            unit: UNIT,
            echo: false,
            sort,
            io: scenario::IoSizes::default(),
        };
        scenario::run(scenario, &backend, &options).expect("the sort runs")
    };
    let (one, threads, processes) = (sort("py-sync"), sort("py-threads"), sort("py-processes"));
    for run in [&one, &threads, &processes] {
        assert!(
            run.verdict.matches(),
            "{}: {:?}",
            run.backend,
            run.verdict.reason
        );
        assert_eq!(run.note.as_deref(), Some("8 × 20000"), "{}", run.backend);
    }
    assert_eq!((threads.threads, processes.threads), (2, 2));
    // The GIL, in a way load cannot fake: however many threads, no more
    // than one core's worth of CPU per second of wall time.
    let cores = |run: &Run| run.cpu.as_secs_f64() / run.wall.as_secs_f64();
    assert!(
        cores(&threads) < 1.2,
        "threads used {:.2} cores",
        cores(&threads)
    );
    // The workers' CPU time is counted: the same work, or more (pickling).
    let ratio = processes.cpu.as_secs_f64() / one.cpu.as_secs_f64();
    assert!(ratio > 0.7, "processes' CPU is {ratio:.2} of one thread's");
}

#[test]
fn the_watchdog_stops_a_deadlocked_asyncio() {
    if !python() {
        return;
    }
    let started = Instant::now();
    let run = run("deadlock", "py-asyncio", Duration::from_millis(50), false);
    assert_eq!(run.note.as_deref(), Some("no progress for 3 units"));
    assert!(run.verdict.matches(), "{:?}", run.verdict.reason);
    let last = run.record.lines.last().expect("lines");
    assert!(last.message.starts_with("no progress"), "{}", last.message);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_killed_concur_leaves_no_python_behind() {
    if !python() {
        return;
    }
    let tag = Tag::new("python-orphans");
    let args = ["run", "sort", "-b", "py-processes", "--python-lists", "200"];
    let mut concur = tag
        .concur(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("concur starts");
    // The program and its pool of two workers, once it has made its lists.
    let is_python = |process: &Process| process.args.iter().any(|a| a.contains("python/article/"));
    let started = Instant::now();
    let pythons = || tag.processes().iter().filter(|p| is_python(p)).count();
    while pythons() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{:?}",
            tag.processes()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SIGKILL: concur gets no chance to clean up; its pipe closing is all.
    concur.kill().expect("concur is killed");
    concur.wait().expect("and reaped");
    tag.assert_none_running(Duration::from_secs(5));
}

#[test]
fn without_python_the_rows_are_skipped_with_one_line() {
    let missing = "/nowhere/python3";
    for args in [
        &["compare", "delay", "--unit", "10ms"][..],
        &["run", "gather", "-b", "py-asyncio", "--unit", "10ms"][..],
        &["timeline", "tasks", "--unit", "10ms"][..],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_concur"))
            .args(args)
            .env(INTERPRETER_VAR, missing)
            .output()
            .expect("concur starts");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        assert!(output.status.success(), "{args:?}: {stderr}");
        let skipped: Vec<&str> = stderr.lines().filter(|l| l.contains("skipped")).collect();
        assert_eq!(skipped.len(), 1, "{stderr}");
        assert!(
            skipped[0].contains(&format!("{INTERPRETER_VAR}={missing} cannot be started")),
            "{}",
            skipped[0]
        );
        assert!(!stdout.contains("py-"), "{stdout}");
    }
}

#[test]
fn a_python_row_in_the_json_has_its_value() {
    if !python() {
        return;
    }
    let path = std::env::temp_dir().join(format!("concur-python-{}.json", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_concur"))
        .args([
            "compare", "race", "-b", "py-pool", "--unit", "100ms", "--json",
        ])
        .arg(&path)
        .output()
        .expect("concur starts");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&path).expect("the JSON");
    let report: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let run = &report["runs"][0];
    assert_eq!(run["backend"], "py-pool");
    assert_eq!(run["value"], 1, "the lost update");
    assert_eq!(run["threads"], 3, "main and two workers");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn both_sides_declare_the_same_models() {
    if !python() {
        return;
    }
    let main = concat!(env!("CARGO_MANIFEST_DIR"), "/python/article/main.py");
    let interpreter = std::env::var_os(INTERPRETER_VAR).filter(|named| !named.is_empty());
    let interpreter = interpreter.unwrap_or_else(|| "python3".into());
    let output = Command::new(interpreter).args([main, "--list"]).output();
    let output = output.expect("python3 starts");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let declared: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let models = [
        ("sequential", Model::Sequential),
        ("threads", Model::Threads),
        ("event-loop", Model::EventLoop),
        ("cpu", Model::Cpu),
    ];
    for backend in backend::all(backend::Options::default()) {
        let Some(python) = declared["backends"].get(backend.name()) else {
            continue;
        };
        for (word, model) in models {
            let says = python.as_array().expect("a list").contains(&word.into());
            assert_eq!(says, backend.supports(model), "{} {word}", backend.name());
        }
        assert!(!backend.supports(Model::ParallelEventLoop));
        assert!(
            !backend.supports(Model::Io),
            "no network I/O in the Python rows"
        );
    }
    let python_backends = declared["backends"].as_object().expect("backends").len();
    assert_eq!(python_backends, 5);
    for scenario in scenario::all() {
        let Some(word) = declared["scenarios"].get(scenario.meta().name) else {
            // No program for the models no Python backend offers.
            let model = scenario.meta().model;
            assert!(
                matches!(model, Model::ParallelEventLoop | Model::Io),
                "{}",
                scenario.meta().name
            );
            continue;
        };
        let model = models.iter().find(|(w, _)| word == w).map(|(_, m)| *m);
        assert_eq!(
            model,
            Some(scenario.meta().model),
            "{}",
            scenario.meta().name
        );
    }
}
