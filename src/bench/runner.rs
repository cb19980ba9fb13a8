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
use crate::children;
use anyhow::{anyhow, bail, Context, Result};
use indicatif::ProgressBar;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

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

/// What a suite's children gave.
#[derive(Debug, Default)]
pub(crate) struct Ran {
    /// The rows of the measurements that finished.
    pub(crate) rows: Vec<Row>,
    /// The notes: repeats cut, children that failed, an interruption.
    pub(crate) notes: Vec<String>,
    /// One line per failed child (each also among the notes).
    pub(crate) failures: Vec<String>,
    /// How many children ran, failed or not.
    pub(crate) children: usize,
    /// Whether `stop` cut the suite short.
    pub(crate) interrupted: bool,
}

/// Runs every job `repeat` times (fewer where [`Suite::repeats`] says so,
/// with a note), ticking `bar` once per child, until `stop` is set: then
/// what finished is kept and nothing more starts.
pub(crate) fn run(
    suite: Suite,
    jobs: &[Job],
    repeat: usize,
    bar: &ProgressBar,
    stop: &AtomicBool,
) -> Ran {
    let mut ran = Ran::default();
    for &(backend, n) in jobs {
        let repeats = suite.repeats(n, repeat);
        if repeats < repeat {
            ran.notes
                .push(format!("{backend} n={n}: {repeats} run, not {repeat}"));
        }
    }
    let rounds = (0..repeat).flat_map(|round| jobs.iter().map(move |&job| (round, job)));
    let schedule: Vec<(usize, Job)> = rounds
        .filter(|&(round, (_, n))| round < suite.repeats(n, repeat))
        .collect();
    let mut samples: BTreeMap<Job, Vec<Metrics>> = BTreeMap::new();
    for &(round, (backend, n)) in &schedule {
        if stop.load(Ordering::SeqCst) {
            ran.interrupted = true;
            break;
        }
        bar.set_message(format!("{suite} {backend} n={n} ({}/{repeat})", round + 1));
        ran.children += 1;
        match run_child(suite, backend, n) {
            Ok((metrics, notes)) => {
                samples.entry((backend, n)).or_default().push(metrics);
                // Once each: the repeats of a job tend to say the same.
                for note in notes {
                    if !ran.notes.contains(&note) {
                        ran.notes.push(note);
                    }
                }
            }
            // Killed by the interruption: not a failure of its own.
            Err(_) if stop.load(Ordering::SeqCst) => {
                ran.children -= 1;
                ran.interrupted = true;
                break;
            }
            Err(error) => {
                let failure = format!("{backend} n={n}: {error:#}");
                ran.notes.push(failure.clone());
                ran.failures.push(failure);
            }
        }
        bar.inc(1);
    }
    if ran.interrupted {
        let (done, planned) = (ran.children, schedule.len());
        ran.notes.push(format!(
            "interrupted after {done} of {planned} runs; the others did not run"
        ));
    }
    for &job in jobs {
        if let Some(runs) = samples.get(&job) {
            ran.rows.extend(fold(job, runs));
        }
    }
    ran
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
    if metric.starts_with("mib_per") {
        "MiB/s"
    } else if metric.ends_with("_per_s") {
        "/s"
    } else if metric.starts_with("syscalls_") {
        "calls"
    } else if metric.ends_with("errors") || metric.ends_with("failures") || metric == "unanswered" {
        "count"
    } else if metric.starts_with("ns_") || metric.ends_with("_ns") || metric.contains("_ns_") {
        "ns"
    } else if metric.starts_with("bytes_") {
        "B"
    } else if metric.contains("_us") || metric.starts_with("us_") {
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
/// and parses its JSON line; with the notes it wrote on stderr (lines
/// that start `note: `: a server that could not start its threads, a
/// count it could not take).
fn run_child(suite: Suite, backend: &str, n: usize) -> Result<(Metrics, Vec<String>)> {
    let mut command = if backend.starts_with("py-") {
        python::command(suite, backend, n)?
    } else {
        let exe = std::env::current_exe().context("finding this executable")?;
        let mut command = Command::new(exe);
        command.args([CHILD_SUBCOMMAND, suite.name(), backend, &n.to_string()]);
        command
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = children::spawn(&mut command).context("starting a bench child")?;
    // Read as it comes, not after the exit: a child that wrote more than a
    // pipe holds (64 KiB, a long panic) would wait for ever for a reader.
    let stdout = drain(child.stdout.take(), "stdout");
    let stderr = drain(child.stderr.take(), "stderr");
    let waited = child.wait_timeout(CHILD_TIMEOUT);
    if !matches!(waited, Ok(Some(_))) {
        child.kill();
    }
    let status = child.wait().context("waiting for a bench child")?;
    if suite == Suite::Files {
        super::files::remove_left_by(child.id());
    }
    let (stdout, stderr) = (joined(stdout)?, joined(stderr)?);
    match waited.context("waiting for a bench child")? {
        Some(_) => {}
        None => bail!("took longer than {}s, killed", CHILD_TIMEOUT.as_secs()),
    }
    if !status.success() {
        let why = stderr.lines().last().unwrap_or("no message");
        bail!("child failed ({status}): {why}");
    }
    let line = stdout
        .lines()
        .last()
        .ok_or_else(|| anyhow!("child printed nothing"))?;
    let metrics = serde_json::from_str(line).with_context(|| format!("child printed `{line}`"))?;
    let notes = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("note: "));
    Ok((metrics, notes.map(String::from).collect()))
}

/// Reads all of `pipe` (the child's `name`) on a thread of its own.
fn drain(
    pipe: Option<impl Read + Send + 'static>,
    name: &'static str,
) -> JoinHandle<Result<String>> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let read = pipe.read_to_string(&mut text);
            read.with_context(|| format!("reading a child's {name}"))?;
        }
        Ok(text)
    })
}

/// What a [`drain`] thread read.
fn joined(reader: JoinHandle<Result<String>>) -> Result<String> {
    reader
        .join()
        .map_err(|_| anyhow!("a reader thread panicked"))?
}
