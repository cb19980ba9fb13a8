//! The command line, run as a user would: bad input gets one line on
//! stderr and exit code 2, writes nothing, and never panics; good input
//! lists, runs, compares and writes JSON.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Runs `concur` with `args`.
fn concur(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concur"))
        .args(args)
        .output()
        .expect("concur starts")
}

/// A path in the temporary directory that no other test uses.
fn temporary(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("concur-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Checks a usage error: exit code 2, nothing on stdout, one line on stderr
/// that mentions each of `mentions`.
fn assert_usage_error(args: &[&str], mentions: &[&str]) {
    let output = concur(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?} printed to stdout");
    assert_eq!(
        stderr.lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    for mention in mentions {
        assert!(
            stderr.contains(mention),
            "{args:?}: no '{mention}' in {stderr}"
        );
    }
}

#[test]
fn unknown_names_list_what_is_accepted() {
    assert_usage_error(
        &["run", "nosuch"],
        &["unknown scenario 'nosuch'", "delay", "sort"],
    );
    assert_usage_error(
        &["compare", "gather", "nosuch"],
        &["unknown scenario", "gather"],
    );
    assert_usage_error(
        &["run", "gather", "-b", "nosuch"],
        &["unknown backend", "minirt", "processes"],
    );
    assert_usage_error(&["frobnicate"], &["frobnicate"]);
    assert_usage_error(&["run"], &["<SCENARIO>"]);
}

#[test]
fn a_backend_the_scenario_does_not_apply_to_is_refused() {
    assert_usage_error(
        &["run", "race", "--backend", "minirt"],
        &["minirt", "runs on: threads, pool"],
    );
    assert_usage_error(
        &["run", "race-async-multithread", "-b", "minirt"],
        &["smol, tokio"],
    );
    assert_usage_error(
        &["compare", "race", "--backend", "rayon"],
        &["none of these scenarios"],
    );
}

#[test]
fn bad_units_are_refused() {
    for unit in ["0s", "0ms", "1h", "11s", "1500us", "fast", ""] {
        assert_usage_error(&["compare", "delay", "--unit", unit], &["1ms", "10s"]);
    }
}

#[test]
fn bad_sort_sizes_are_refused() {
    assert_usage_error(&["compare", "sort", "--lists", "0"], &["at least 1"]);
    assert_usage_error(&["run", "sort", "--len", "many"], &["whole number"]);
    let huge = ["compare", "sort", "--lists", "100000", "--len", "100000"];
    assert_usage_error(&huge, &["bad sort size", "at most"]);
    assert_usage_error(
        &["run", "sort", "--lists", "99999999999999999999999"],
        &["whole number"],
    );
}

#[test]
fn a_usage_error_writes_no_json() {
    let path = temporary("refused.json");
    let json = path.to_str().expect("utf-8");
    assert_usage_error(
        &["compare", "delay", "--unit", "0s", "--json", json],
        &["unit"],
    );
    assert_usage_error(
        &["compare", "sort", "--lists", "0", "--json", json],
        &["--lists"],
    );
    assert!(!path.exists(), "a refused run wrote {json}");
    let nowhere = "/nonexistent-concur-dir/out.json";
    assert_usage_error(
        &["compare", "delay", "--json", nowhere],
        &["does not exist"],
    );
}

#[test]
fn list_names_every_scenario_and_backend() {
    let output = concur(&["list"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for name in concur::scenario::names()
        .into_iter()
        .chain(concur::backend::names())
    {
        assert!(stdout.contains(name), "list lacks {name}");
    }
}

#[test]
fn compare_writes_the_json_the_issue_describes() {
    let path = temporary("compare.json");
    let json = path.to_str().expect("utf-8");
    // Our backends only: the Python rows' JSON is in python.rs.
    let args = [
        "compare",
        "delay",
        "race-async",
        "--unit",
        "20ms",
        "--json",
        json,
        "--virtual",
        "-b",
        "sync",
        "-b",
        "minirt",
        "-b",
        "smol",
        "-b",
        "tokio",
    ];
    let output = concur(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("race-async") && stdout.contains("matches"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&path).expect("the JSON file");
    let report: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(report["unit_ms"], 20);
    let runs = report["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 4, "delay on sync, race-async on three loops");
    let keys = [
        "scenario",
        "backend",
        "expected_units",
        "measured_units",
        "wall_ms",
        "cpu_ms",
        "threads",
        "value",
        "matches",
        "verdict",
        "reason",
        "noise_max_ms",
        "lateness_p50_ms",
        "lateness_p99_ms",
        "lateness_max_ms",
    ];
    for run in runs {
        let object = run.as_object().expect("an object per run");
        let mut found: Vec<&str> = object.keys().map(String::as_str).collect();
        let mut wanted = keys.to_vec();
        found.sort_unstable();
        wanted.sort_unstable();
        assert_eq!(found, wanted);
    }
    assert_eq!(
        runs[0]["value"],
        serde_json::Value::Null,
        "delay has no value"
    );
    assert_eq!(runs[1]["value"], 2, "race-async's final value");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn run_prints_the_articles_log_and_a_summary() {
    let output = concur(&["run", "tasks", "-b", "minirt", "--virtual", "--unit", "1s"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    // At a whole-second unit the lines read like the article's.
    let line = stdout
        .lines()
        .find(|line| line.ends_with("Printing THREE"))
        .expect("a line");
    assert_eq!(
        line.len(),
        "HH:MM:SS:MainThread:Printing THREE".len(),
        "{line}"
    );
    assert!(stdout.contains("3.00 units (article: 3.00)"), "{stdout}");
    assert!(stdout.contains("matches the article"), "{stdout}");
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_concur"))
        .args(["run", "gather", "--virtual", "-b", "minirt"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("concur starts");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("concur ends");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_failed_run_exits_with_one() {
    // A worker that exits at once: the sort's pipe breaks, which is a
    // failure, not a reader closing stdout.
    let output = Command::new(env!("CARGO_BIN_EXE_concur"))
        .args([
            "run",
            "sort",
            "-b",
            "processes",
            "--lists",
            "2",
            "--len",
            "10",
        ])
        .env("CONCUR_EXE", "/bin/false")
        .output()
        .expect("concur starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // The run's own error is the reason given for it.
    let failed = "error: 1 of 1 runs failed: sort on processes (running sort on processes";
    assert!(stderr.starts_with(failed), "{stderr}");
}
