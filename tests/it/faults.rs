//! Faults in a run, not in the input: a run that panics or hangs is a
//! FAILED row with its reason while the others still run, the exit code is
//! 1, the JSON is complete and valid; Ctrl-C stops `compare` cleanly with
//! what finished. Faults are injected through the `CONCUR_FAULT` test hook.

use super::support::cells;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `concur` with `args`, the fault hook set to `faults`, and short backtraces.
fn concur(faults: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concur"));
    command.args(args).env("CONCUR_FAULT", faults);
    command.env("RUST_BACKTRACE", "0");
    // The counts below are of our backends; the Python rows (tests/it/
    // python.rs) would make them depend on whether python3 is installed.
    command.env("CONCUR_PYTHON", "/python3-is-left-out-of-the-fault-tests");
    command
}

/// A fresh directory for one test's JSON, so leftovers can be counted.
fn directory(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("concur-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).expect("a temporary directory");
    path
}

/// The JSON report at `path`, parsed; and that it is the only file there
/// (no temporary file left behind).
fn report(path: &Path) -> serde_json::Value {
    let files = std::fs::read_dir(path.parent().expect("a directory")).expect("readable");
    assert_eq!(
        files.count(),
        1,
        "something besides the JSON was left behind"
    );
    let text = std::fs::read_to_string(path).expect("the JSON was written");
    serde_json::from_str(&text).expect("the JSON is valid")
}

/// The (scenario, backend) pairs of a JSON array of runs.
fn pairs(runs: &serde_json::Value) -> Vec<(String, String)> {
    let runs = runs.as_array().expect("an array");
    let pair = |run: &serde_json::Value| (run["scenario"].to_string(), run["backend"].to_string());
    runs.iter().map(pair).collect()
}

#[test]
fn a_panicking_and_a_hanging_run_fail_alone() {
    let dir = directory("panic-hang");
    let json = dir.join("runs.json");
    let args = [
        "compare",
        "gather",
        "tasks",
        "--unit",
        "5ms",
        "--timeout",
        "1s",
    ];
    let output: Output = concur("panic:gather:minirt,hang:tasks:smol", &args)
        .args(["--json".as_ref(), json.as_os_str()])
        .output()
        .expect("concur starts");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let failed_rows: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("FAILED"))
        .collect();
    assert_eq!(failed_rows.len(), 2, "{stdout}");
    assert!(
        failed_rows[0].contains("minirt") && failed_rows[0].contains("panicked: injected fault")
    );
    assert!(failed_rows[1].contains("smol") && failed_rows[1].contains("hung: no result after 1s"));
    // The four other pairs ran and are in the table.
    let finished = stdout
        .lines()
        .filter(|line| line.contains("gather ") || line.contains("tasks "))
        .count();
    assert_eq!(finished, 6, "{stdout}");
    assert!(
        stderr.contains("error: 2 of 6 runs failed: gather on minirt (panicked: injected fault (CONCUR_FAULT)); tasks on smol (hung:"),
        "{stderr}"
    );
    let report = report(&json);
    assert_eq!(pairs(&report["runs"]).len(), 4);
    let failed = pairs(&report["failed"]);
    let expected = [("gather", "minirt"), ("tasks", "smol")]
        .map(|(s, b)| (format!("\"{s}\""), format!("\"{b}\"")));
    assert_eq!(failed, expected);
    assert_eq!(report["interrupted"], false);
    std::fs::remove_dir_all(dir).expect("cleaned up");
}

#[test]
fn an_error_inside_a_run_is_a_failed_row_too() {
    let output = concur(
        "fail:sort:threads",
        &["compare", "sort", "--lists", "4", "--len", "100"],
    )
    .output()
    .expect("concur starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1));
    let row = |backend: &str| {
        let found = stdout
            .lines()
            .find(|line| cells(line)[..] == ["sort", backend]);
        found
            .unwrap_or_else(|| panic!("no {backend} row in {stdout}"))
            .to_string()
    };
    let (threads, sync) = (row("threads"), row("sync"));
    assert!(
        threads.contains("FAILED") && threads.contains("injected failure"),
        "{threads}"
    );
    // The other sorts still ran.
    assert!(sync.contains("yes"), "{sync}");
}

#[test]
fn ctrl_c_stops_compare_and_prints_what_finished() {
    let dir = directory("ctrl-c");
    let json = dir.join("runs.json");
    let mut child = concur(
        "hang:tasks:smol",
        &["compare", "gather", "tasks", "--unit", "5ms"],
    )
    .args(["--json".as_ref(), json.as_os_str()])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("concur starts");
    // Read stderr as it comes, to send Ctrl-C once the hung run has started.
    let progress = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("piped");
    let sink = progress.clone();
    let reader = std::thread::spawn(move || {
        let mut buffer = [0; 256];
        while let Ok(count @ 1..) = stderr.read(&mut buffer) {
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..count]));
        }
    });
    let start = Instant::now();
    while !progress.lock().unwrap().contains("tasks on smol") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "never reached the hung run"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    let kill = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let output = child.wait_with_output().expect("concur ends");
    reader.join().expect("the reader ends");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        progress.lock().unwrap().clone(),
    );
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("tasks on smol") && stderr.contains("interrupted"),
        "{stderr}"
    );
    // What finished before the hung run is in the table and the JSON.
    assert_eq!(
        stdout
            .lines()
            .filter(|line| [" yes ", " NO ", " too noisy "]
                .iter()
                .any(|word| line.contains(word)))
            .count(),
        4,
        "{stdout}"
    );
    let report = report(&json);
    assert_eq!(pairs(&report["runs"]).len(), 4);
    assert_eq!(report["interrupted"], true);
    std::fs::remove_dir_all(dir).expect("cleaned up");
}

#[test]
fn run_reports_a_failed_backend_and_goes_on_to_the_next() {
    let output = concur("panic:gather:smol", &["run", "gather", "--unit", "5ms"])
        .output()
        .expect("concur starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stdout.contains("-> FAILED: panicked: injected fault"),
        "{stdout}"
    );
    // minirt before it and tokio after it both ran and were summed up.
    assert_eq!(
        ["matches the article", "does NOT match", "cannot be judged"]
            .map(|verdict| stdout.matches(verdict).count())
            .iter()
            .sum::<usize>(),
        2,
        "{stdout}"
    );
    assert!(
        stderr.contains("1 of 3 runs failed: gather on smol (panicked"),
        "{stderr}"
    );
}

#[test]
fn a_timeout_is_kept_to_the_millisecond_not_to_a_polling_tick() {
    // Fifteen pairs, every one hung: each costs its timeout, and nothing else
    // to speak of, so the whole run scales with the timeout asked.
    let scenarios = [
        "tasks",
        "gather",
        "blocking",
        "blocking-fixed",
        "race-async",
    ];
    let backends = ["minirt", "smol", "tokio"];
    let faults: Vec<String> = scenarios
        .iter()
        .flat_map(|scenario| backends.map(|backend| format!("hang:{scenario}:{backend}")))
        .collect();
    let faults = faults.join(",");
    let fastest = |timeout: &str| {
        let mut args = vec!["compare", "--unit", "1ms", "--timeout", timeout];
        args.extend(scenarios);
        let times = (0..3).map(|_| {
            let start = Instant::now();
            let output = concur(&faults, &args).output().expect("concur starts");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_eq!(output.status.code(), Some(1));
            assert_eq!(
                stdout.matches("hung: no result after").count(),
                15,
                "{stdout}"
            );
            start.elapsed()
        });
        times.min().expect("three runs")
    };
    let (short, long) = (fastest("1ms"), fastest("40ms"));
    // At 1 ms against 40 ms the ratio is about 1/40 plus the start-up; a
    // timeout rounded up to a 20 ms tick would make it about 1/2.
    assert!(
        short.as_secs_f64() < 0.25 * long.as_secs_f64(),
        "1ms: {short:?}, 40ms: {long:?}"
    );
}
