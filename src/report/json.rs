//! The JSON report: `{"unit_ms", "runs": [...], "failed": [...],
//! "interrupted"}`, one object per run and per failed run.
//!
//! The file is written by [`crate::output::write`]: to a temporary name
//! beside the target, then renamed into place, so a failed write never
//! leaves a partial file behind.

use super::Failed;
use crate::check::Judgement;
use crate::run::Run;
use crate::stall;
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The unit every run used, in milliseconds.
    pub unit_ms: u64,
    /// One entry per (scenario, backend) run.
    pub runs: Vec<RunEntry>,
    /// The runs that panicked, failed or hung, with the reason.
    pub failed: Vec<Failed>,
    /// Whether Ctrl-C stopped the comparison before every pair ran.
    pub interrupted: bool,
}

/// One run, as the JSON shows it.
#[derive(Debug, Serialize)]
pub struct RunEntry {
    /// The scenario's name.
    pub scenario: &'static str,
    /// The backend's name.
    pub backend: &'static str,
    /// The article's total in units, or null (the sort).
    pub expected_units: Option<f64>,
    /// The measured total in units.
    pub measured_units: f64,
    /// Real time, in milliseconds.
    pub wall_ms: f64,
    /// CPU time, in milliseconds.
    pub cpu_ms: f64,
    /// Threads (or processes) that did the work.
    pub threads: usize,
    /// The race's final value, else null.
    pub value: Option<i64>,
    /// Whether the run matches the article.
    pub matches: bool,
    /// The verdict in a word: `matches`, `does not match` or `too noisy`
    /// (a late run on a machine too noisy to judge it at this unit).
    pub verdict: &'static str,
    /// Why not, or the noise a match was allowed; null when on time.
    pub reason: Option<String>,
    /// The latest wake the machine's noise caused during the run (the noise
    /// probe's 1 ms sleeps, or the run's own waits), in milliseconds; null
    /// on a virtual clock or for the sort.
    pub noise_max_ms: Option<f64>,
    /// How late the run's sleeps woke, median, in milliseconds; null when
    /// it slept on no event loop.
    pub lateness_p50_ms: Option<f64>,
    /// The 99th percentile of the same.
    pub lateness_p99_ms: Option<f64>,
    /// The latest of the same.
    pub lateness_max_ms: Option<f64>,
}

/// The report of `runs` at `unit`.
pub fn report(runs: &[Run], unit: Duration) -> Report {
    let entries = runs.iter().map(|run| RunEntry {
        scenario: run.scenario,
        backend: run.backend,
        expected_units: run.expected_units.map(round),
        measured_units: round(run.measured_units),
        wall_ms: round(run.wall.as_secs_f64() * 1000.0),
        cpu_ms: round(run.cpu.as_secs_f64() * 1000.0),
        threads: run.threads,
        value: run.value,
        matches: run.verdict.matches(),
        verdict: verdict_word(run.verdict.judgement),
        reason: run.verdict.reason.clone(),
        noise_max_ms: (run.noise.wakes > 0)
            .then(|| round(run.noise.late_max.as_secs_f64() * 1000.0)),
        lateness_p50_ms: lateness_ms(run, |late| late.p50),
        lateness_p99_ms: lateness_ms(run, |late| late.p99),
        lateness_max_ms: lateness_ms(run, |late| late.max),
    });
    Report {
        unit_ms: u64::try_from(unit.as_millis()).unwrap_or(u64::MAX),
        runs: entries.collect(),
        failed: Vec::new(),
        interrupted: false,
    }
}

/// The JSON's word for a judgement.
fn verdict_word(judgement: Judgement) -> &'static str {
    match judgement {
        Judgement::Matches => "matches",
        Judgement::DoesNotMatch => "does not match",
        Judgement::TooNoisy => "too noisy",
    }
}

/// One figure of the run's sleep lateness (see [`stall::lateness`]), in
/// milliseconds; `None` without sleeps on a loop.
fn lateness_ms(run: &Run, pick: fn(&stall::Lateness) -> Duration) -> Option<f64> {
    let late = stall::lateness(&run.record.trace)?;
    Some(round(pick(&late).as_secs_f64() * 1000.0))
}

/// Rounds to three decimals: microseconds for milliseconds, and no
/// fourteen-digit noise in the file.
fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// Writes the report of `runs` to `path`, atomically (see [`crate::output`]).
///
/// # Errors
///
/// If the file cannot be written.
pub fn write(path: &Path, runs: &[Run], unit: Duration) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(&report(runs, unit))?;
    text.push('\n');
    crate::output::write(path, text.as_bytes())
}

/// Writes the report of a comparison to `path`, atomically: the runs that
/// finished, those that `failed`, and whether it was `interrupted`.
///
/// # Errors
///
/// If the file cannot be written.
pub fn write_results(
    path: &Path,
    runs: &[Run],
    failed: &[Failed],
    interrupted: bool,
    unit: Duration,
) -> anyhow::Result<()> {
    let mut report = report(runs, unit);
    report.failed = failed.to_vec();
    report.interrupted = interrupted;
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    crate::output::write(path, text.as_bytes())
}
