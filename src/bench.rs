//! The scale benchmarks of issue 4: minirt against smol, tokio,
//! async-executor, threads and Python, side by side, in one run.
//!
//! `concur bench <suite>` runs every (backend, size) of the suite in a fresh
//! child process (`concur bench-child`), repeats it, and reports median and
//! min–max, with the ratio of each backend to minirt (in suite 7, to
//! minirt's timer wheel). In reading order:
//!
//! - `bench/plan.rs`: the suites, their backends and sizes;
//! - `bench/rt.rs`: one interface over the four async executors;
//! - `bench/tasks.rs` and `bench/threads.rs`: the suites themselves;
//!   `bench/queues.rs`: suite 7, minirt's three timer queues on their own;
//! - `bench/measure.rs`: CPU time, RSS, percentiles;
//! - `bench/child.rs`: one measurement, in a child; `bench/python.rs`: the
//!   Python scripts of `bench/python/`;
//! - `bench/runner.rs`: the parent, its children and the repeats;
//! - `bench/report.rs`: table and JSON; `bench/chart.rs`: an SVG per
//!   suite; `bench/goals.rs`: minirt's goals.

pub mod chart;
mod child;
mod files;
pub mod goals;
mod loadgen;
mod measure;
mod net;
mod pin;
pub mod plan;
mod python;
mod queues;
mod report;
mod rt;
mod runner;
mod tasks;
mod threads;

pub use child::{check_child, child_main, CHILD_SUBCOMMAND};
pub use net::{server_main, NET_BACKENDS};

/// The hidden subcommand that makes `concur` one of suite 8's servers.
pub const SERVER_SUBCOMMAND: &str = "bench-server";
pub use plan::Suite;
pub use report::SuiteReport;
pub use runner::Row;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// The repeats of each measurement when `--repeat` is not given.
pub const DEFAULT_REPEAT: usize = 5;

/// The most repeats accepted.
pub const MAX_REPEAT: usize = 100;

/// What `concur bench` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The suites to run, in order.
    pub suites: Vec<Suite>,
    /// One size for every backend instead of the plan's sizes.
    pub n: Option<usize>,
    /// How many times each measurement runs.
    pub repeat: usize,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Set from outside (Ctrl-C) to stop: what finished is kept, and no
    /// more children start.
    pub stop: Arc<AtomicBool>,
}

/// What [`run`] gave.
#[derive(Debug)]
pub struct Finished {
    /// One report per suite that ran, the interrupted one included.
    pub reports: Vec<SuiteReport>,
    /// One line per child that failed (also among its suite's notes).
    pub failures: Vec<String>,
    /// How many children ran, failed or not.
    pub children: usize,
    /// Whether [`Options::stop`] cut the run short.
    pub interrupted: bool,
}

/// Runs the suites of `options`, printing each table to stdout as it
/// finishes (or is stopped), and returns the reports.
///
/// # Errors
/// Only if stdout closes; a failed child becomes a note in its report,
/// and a line in [`Finished::failures`].
pub fn run(options: &Options) -> Result<Finished> {
    let python = python::available();
    let mut planned = Vec::new();
    let mut total = 0;
    for &suite in &options.suites {
        let mut plan = suite.plan();
        let mut skipped = Vec::new();
        if !python {
            plan.retain(|entry| !python::is_python(entry.backend));
            skipped.push("Python backends skipped: python3 is not on the path".to_string());
        }
        let (jobs, notes) = runner::jobs(suite, &plan, options.n);
        skipped.extend(notes);
        if suite == Suite::Net {
            skipped.extend(net::suite_notes());
        }
        let repeats = jobs.iter().map(|&(_, n)| suite.repeats(n, options.repeat));
        total += repeats.sum::<usize>();
        planned.push((suite, jobs, skipped));
    }
    let bar = progress_bar(total as u64, options.progress);
    let mut finished = Finished {
        reports: Vec::new(),
        failures: Vec::new(),
        children: 0,
        interrupted: false,
    };
    for (suite, jobs, mut notes) in planned {
        let ran = runner::run(suite, &jobs, options.repeat, &bar, &options.stop);
        notes.extend(ran.notes);
        let report = SuiteReport {
            suite: suite.name(),
            results: ran.rows,
            notes,
        };
        bar.suspend(|| {
            crate::output::console::say(format!("{}\n", report::table(suite, &report)))
        })?;
        finished.reports.push(report);
        finished.failures.extend(ran.failures);
        finished.children += ran.children;
        if ran.interrupted {
            finished.interrupted = true;
            break;
        }
    }
    bar.finish_and_clear();
    Ok(finished)
}

/// The progress bar: children done of children planned, with the one
/// running now; hidden when not asked for (tests, pipes).
fn progress_bar(total: u64, shown: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if !shown {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style =
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} eta {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// The JSON text of `reports`: one suite's object, or an array of them.
///
/// # Errors
/// Only if serde fails to encode, which plain numbers and strings never do.
pub fn to_json(reports: &[SuiteReport]) -> Result<String> {
    let mut text = match reports {
        [one] => serde_json::to_string_pretty(one)?,
        many => serde_json::to_string_pretty(many)?,
    };
    text.push('\n');
    Ok(text)
}

/// An SVG chart per suite of a run's JSON (as [`to_json`] writes it): the
/// suite's name and the text of its chart, its headline metric against n.
///
/// # Errors
/// JSON not in that shape.
pub fn charts(json: &str) -> Result<Vec<(&'static str, String)>> {
    let value: serde_json::Value = serde_json::from_str(json).context("reading the bench JSON")?;
    let suites = match value {
        serde_json::Value::Array(suites) => suites,
        one => vec![one],
    };
    let mut charts = Vec::new();
    for suite in &suites {
        let name = suite["suite"].as_str().context("a suite without a name")?;
        let known = Suite::find(name).context("an unknown suite")?;
        let metric = known.headline();
        let rows = suite["results"]
            .as_array()
            .context("a suite without results")?;
        let points: Vec<chart::Point> = rows
            .iter()
            .filter(|row| row["metric"] == metric)
            .filter_map(|row| {
                Some(chart::Point {
                    backend: row["backend"].as_str()?.to_string(),
                    n: usize::try_from(row["n"].as_u64()?).ok()?,
                    value: row["median"].as_f64()?,
                })
            })
            .collect();
        let text = chart::svg(name, metric, runner::unit_of(metric), &points)?;
        charts.push((known.name(), text));
    }
    Ok(charts)
}
