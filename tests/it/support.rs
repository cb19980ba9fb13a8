//! Running a (scenario, backend) pair from a test, and reading its record.

use concur::backend;
use concur::run::Run;
use concur::scenario::{self, SortOptions};
use std::time::Duration;

/// Runs `scenario` on `backend` at `unit`, on minirt's virtual clock if
/// asked. The sort is tiny, and its workers are the built `concur` binary.
pub(crate) fn run(scenario: &str, backend: &str, unit: Duration, virtual_clock: bool) -> Run {
    let scenario = scenario::find(scenario).expect("a known scenario");
    let options = backend::Options { virtual_clock };
    let backend = backend::find(backend, options).expect("a known backend");
    let options = scenario::Options {
        unit,
        echo: false,
        sort: SortOptions {
            lists: 8,
            len: 500,
            seed: 7,
            worker_exe: Some(env!("CARGO_BIN_EXE_concur").into()),
            python_lists: None,
        },
        io: IO,
    };
    scenario::run(scenario, &backend, &options).expect("the run succeeds")
}

/// The backends `scenario` applies to that can run here: the Python ones
/// only with `python3` (each skipped one says so on stdout).
pub(crate) fn backends_of(scenario: &str) -> Vec<&'static str> {
    let scenario = scenario::find(scenario).expect("a known scenario");
    let all = backend::all(backend::Options::default());
    let runs_it = all
        .iter()
        .filter(|backend| backend.supports(scenario.meta().model))
        .filter(|backend| runnable(backend));
    runs_it.map(|backend| backend.name()).collect()
}

/// Whether `backend` can run here; if not, says why.
fn runnable(backend: &backend::Backend) -> bool {
    match backend.available() {
        Ok(()) => true,
        Err(reason) => {
            println!("skipped {}: {reason}", backend.name());
            false
        }
    }
}

/// Whether the Python backends can run here; if not, says why, for the
/// test that called it to return early.
pub(crate) fn python() -> bool {
    let py_sync = backend::find("py-sync", backend::Options::default());
    runnable(&py_sync.expect("the py-sync backend"))
}

/// The run's log as (time in units, message), in the order logged.
pub(crate) fn timeline(run: &Run) -> Vec<(f64, String)> {
    let unit = run.unit.as_secs_f64();
    let lines = run.record.lines.iter();
    lines
        .map(|line| (line.at.as_secs_f64() / unit, line.message.clone()))
        .collect()
}

/// Part 2's sizes in the tests: small, so that each run is quick.
pub(crate) const IO: scenario::IoSizes = scenario::IoSizes {
    requests: 10,
    files: 8,
    file_size: 64 << 10,
    connections: 50,
};

/// Runs `concur` with `args` in `directory`; returns exit code, stdout, stderr.
pub(crate) fn concur_in(
    directory: &std::path::Path,
    args: &[&str],
) -> (Option<i32>, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_concur"))
        .args(args)
        .current_dir(directory)
        .output()
        .expect("concur starts");
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    (
        output.status.code(),
        text(output.stdout),
        text(output.stderr),
    )
}

/// A fresh, empty directory for one test.
pub(crate) fn bench_directory(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("concur-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).expect("a temporary directory");
    path
}

/// The median of `metric` for `backend` in a suite's JSON.
pub(crate) fn median(json: &serde_json::Value, backend: &str, metric: &str) -> f64 {
    let rows = json["results"].as_array().expect("results");
    let row = rows
        .iter()
        .find(|row| row["backend"] == backend && row["metric"] == metric);
    let row = row.unwrap_or_else(|| panic!("no {metric} for {backend}: {json}"));
    row["median"].as_f64().expect("a number")
}

/// The median of `metric` for `backend` in a recorded bench JSON of docs/.
pub(crate) fn recorded(file: &str, backend: &str, metric: &str) -> f64 {
    let path = format!("{}/docs/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("a recorded run");
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    median(&json, backend, metric)
}

/// The first two cells of a table row, trimmed: its scenario and backend.
pub(crate) fn cells(line: &str) -> Vec<&str> {
    let cells = line.split(['│', '┆']).map(str::trim);
    cells.filter(|cell| !cell.is_empty()).take(2).collect()
}
