//! The trace: one vocabulary for every backend, so traces can be diffed.

use super::support::run;
use concur::report::trace::lines;
use std::time::Duration;

/// A trace line with its time left out: (lane, task, event, sleep, message).
type Step = (String, String, String, Option<u64>, Option<String>);

/// The trace of `scenario` on `backend` as written by `--trace`, parsed back,
/// times aside, and without empty polls.
fn steps(scenario: &str, backend: &str, unit: Duration, virtual_clock: bool) -> Vec<Step> {
    let run = run(scenario, backend, unit, virtual_clock);
    let text = lines(std::slice::from_ref(&run));
    let mut steps: Vec<Step> = Vec::new();
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        let field = |key: &str| value[key].as_str().map(str::to_string);
        assert!(value["at_us"].is_u64(), "every event has a time: {line}");
        let step = (
            field("lane").expect("a lane"),
            field("task").expect("a task"),
            field("event").expect("an event"),
            value["sleep"].as_u64(),
            field("message"),
        );
        // smol's `block_on` polls the main future whenever any task wakes
        // the thread: a poll that does nothing. Runtimes may differ there.
        let empty_poll = step.2 == "poll_end"
            && steps
                .last()
                .is_some_and(|last| last.2 == "poll_begin" && last.1 == step.1);
        if empty_poll {
            steps.pop();
        } else {
            steps.push(step);
        }
    }
    steps
}

#[test]
fn gather_traces_the_same_on_minirt_and_smol() {
    let minirt = steps("gather", "minirt", Duration::from_secs(1), true);
    let smol = steps("gather", "smol", Duration::from_millis(20), false);
    assert_eq!(minirt, smol);
    let events: Vec<&str> = minirt.iter().map(|step| step.2.as_str()).collect();
    for word in [
        "thread_start",
        "task_start",
        "poll_begin",
        "sleep_requested",
    ] {
        assert!(events.contains(&word), "{word} is traced");
    }
    // Five sleeps, each requested and fired, by the task named after it.
    let fired: Vec<&str> = minirt
        .iter()
        .filter(|step| step.2 == "sleep_fired")
        .map(|step| step.1.as_str())
        .collect();
    assert_eq!(fired, ["ONE", "TWO", "THREE", "FOUR", "FIVE"]);
}

#[test]
fn threads_trace_each_thread_as_a_lane() {
    let steps = steps("threads", "threads", Duration::from_millis(10), false);
    let started: Vec<&str> = steps
        .iter()
        .filter(|step| step.2 == "thread_start")
        .map(|step| step.0.as_str())
        .collect();
    assert_eq!(started.len(), 3, "MainThread and two threads: {started:?}");
    assert!(steps
        .iter()
        .any(|step| step.2 == "log" && step.0 == "Thread-1"));
}

#[test]
fn concur_run_trace_writes_json_lines() {
    let dir = std::env::temp_dir().join(format!("concur-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("gather.jsonl");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_concur"))
        .args([
            "run",
            "gather",
            "--backend",
            "minirt",
            "--virtual",
            "--trace",
        ])
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("concur starts");
    assert!(status.success());
    let text = std::fs::read_to_string(&path).expect("the trace file");
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("JSON lines");
        assert_eq!(value["backend"], "minirt");
    }
    assert!(text.lines().count() > 50, "every poll, sleep and line");
    // Written via a temporary file and a rename: nothing else is left.
    let files = std::fs::read_dir(&dir).expect("the directory").count();
    assert_eq!(files, 1);
    std::fs::remove_dir_all(dir).expect("cleaned up");
}
