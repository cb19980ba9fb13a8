//! The parent side: starts one child process per (backend, size, repeat),
//! collects each child's JSON line, and folds the repeats into median and
//! min–max rows.
//!
//! Repeats are interleaved (every backend once, then every backend again)
//! rather than back to back, so that a burst of load from a neighbour on a
//! shared machine spreads over all backends instead of one.

use super::child::CHILD_SUBCOMMAND;
use super::measure::Metrics;
use super::plan::{Entry, Suite};
use super::python;
use anyhow::{anyhow, bail, Context, Result};
use indicatif::ProgressBar;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A child that runs longer than this is killed and its run counted failed.
const CHILD_TIMEOUT: Duration = Duration::from_secs(300);

/// One line of the results: one metric of one backend at one size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The backend.
    pub backend: String,
    /// The size.
    pub n: usize,
    /// The metric's name, such as `overhead_ms`.
    pub metric: String,
    /// The median over the repeats.
    pub median: f64,
    /// The smallest of the repeats.
    pub min: f64,
    /// The largest of the repeats.
    pub max: f64,
    /// The unit, from the metric's name.
    pub unit: &'static str,
}

/// One (backend, size) pair to measure.
pub(crate) type Job = (&'static str, usize);

/// The jobs of `plan`, with `n` (if given) in place of every size; a
/// backend whose cap is below `n` is left out, with a note.
pub(crate) fn jobs(suite: Suite, plan: &[Entry], n: Option<usize>) -> (Vec<Job>, Vec<String>) {
    let (mut jobs, mut notes) = (Vec::new(), Vec::new());
    for entry in plan {
        match n {
            Some(n) if n > suite.cap(entry.backend) => notes.push(format!(
                "{}: skipped at n = {n} (it stops at {})",
                entry.backend,
                suite.cap(entry.backend)
            )),
            Some(n) => jobs.push((entry.backend, n)),
            None => jobs.extend(entry.sizes.iter().map(|&size| (entry.backend, size))),
        }
    }
    (jobs, notes)
}

/// Runs every job `repeat` times (fewer where [`Suite::repeats`] says so,
/// with a note), ticking `bar` once per child, and returns the rows plus a
/// note for each failed child.
pub(crate) fn run(
    suite: Suite,
    jobs: &[Job],
    repeat: usize,
    bar: &ProgressBar,
) -> (Vec<Row>, Vec<String>) {
    let mut samples: BTreeMap<Job, Vec<Metrics>> = BTreeMap::new();
    let mut notes = Vec::new();
    for &(backend, n) in jobs {
        let repeats = suite.repeats(n, repeat);
        if repeats < repeat {
            notes.push(format!("{backend} n={n}: {repeats} run, not {repeat}"));
        }
    }
    for round in 0..repeat {
        for &(backend, n) in jobs {
            if round >= suite.repeats(n, repeat) {
                continue;
            }
            bar.set_message(format!("{suite} {backend} n={n} ({}/{repeat})", round + 1));
            match run_child(suite, backend, n) {
                Ok(metrics) => samples.entry((backend, n)).or_default().push(metrics),
                Err(error) => notes.push(format!("{backend} n={n}: {error:#}")),
            }
            bar.inc(1);
        }
    }
    let mut rows = Vec::new();
    for &job in jobs {
        if let Some(runs) = samples.get(&job) {
            rows.extend(fold(job, runs));
        }
    }
    (rows, notes)
}

/// The median and range of each metric over `runs`.
fn fold((backend, n): Job, runs: &[Metrics]) -> Vec<Row> {
    let names = runs.first().map(|m| m.keys().cloned().collect::<Vec<_>>());
    names
        .unwrap_or_default()
        .into_iter()
        .map(|metric| {
            let mut values: Vec<f64> = runs
                .iter()
                .filter_map(|m| m.get(&metric).copied())
                .collect();
            values.sort_by(f64::total_cmp);
            let middle = values.len() / 2;
            let median = if values.len() % 2 == 1 {
                values[middle]
            } else {
                (values[middle - 1] + values[middle]) / 2.0
            };
            Row {
                backend: backend.to_string(),
                n,
                unit: unit_of(&metric),
                median,
                min: values[0],
                max: values[values.len() - 1],
                metric,
            }
        })
        .collect()
}

/// The unit a metric's name implies.
pub(crate) fn unit_of(metric: &str) -> &'static str {
    if metric.starts_with("ns_") || metric.ends_with("_ns") {
        "ns"
    } else if metric.starts_with("bytes_") {
        "B"
    } else if metric.contains("_us") {
        "µs"
    } else if metric.ends_with("_mib") {
        "MiB"
    } else if metric.ends_with("_ms") {
        "ms"
    } else {
        "×"
    }
}

/// Runs one child (this executable, or `python3` for the Python backends)
/// and parses its JSON line.
fn run_child(suite: Suite, backend: &str, n: usize) -> Result<Metrics> {
    let mut command = if backend.starts_with("py-") {
        python::command(suite, backend, n)?
    } else {
        let exe = std::env::current_exe().context("finding this executable")?;
        let mut command = Command::new(exe);
        command.args([CHILD_SUBCOMMAND, suite.name(), backend, &n.to_string()]);
        command
    };
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting a bench child")?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for a bench child")? {
            break status;
        }
        if start.elapsed() > CHILD_TIMEOUT {
            // The child is ours; a kill that fails means it just exited.
            let _ = child.kill();
            let _ = child.wait();
            bail!("took longer than {}s, killed", CHILD_TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_string(&mut stdout)
            .context("reading a child's stdout")?;
    }
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr)
            .context("reading a child's stderr")?;
    }
    if !status.success() {
        let why = stderr.lines().last().unwrap_or("no message");
        bail!("child failed ({status}): {why}");
    }
    let line = stdout
        .lines()
        .last()
        .ok_or_else(|| anyhow!("child printed nothing"))?;
    serde_json::from_str(line).with_context(|| format!("child printed `{line}`"))
}
