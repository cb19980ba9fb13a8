//! Reports of finished runs: the comparison table ([`table`]), the JSON
//! file ([`json`]) and the trace as JSON lines ([`trace`]).
//!
//! They read a slice of [`Run`]s (and of [`Failed`] runs, which gave none)
//! and nothing else. The sort's speed-up is computed here, across runs,
//! since one run cannot know the others.

pub mod json;
pub mod table;
pub mod trace;

use crate::backend;
use crate::run::Run;
use serde::Serialize;

/// A (scenario, backend) pair that gave no [`Run`]: it panicked, returned
/// an error, or hung. The table and the JSON show it with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failed {
    /// The scenario's name.
    pub scenario: &'static str,
    /// The backend's name.
    pub backend: &'static str,
    /// What went wrong, in one line: `panicked: ...`, `hung: ...`.
    pub reason: String,
}

/// How many times faster than the one-thread sort of its own language
/// (`sync`, or `py-sync` for a Python row; see [`backend::sort_baseline`])
/// this sort run was, by wall time; `None` for other scenarios, for the
/// baseline itself, or without a baseline run.
pub fn speedup(run: &Run, runs: &[Run]) -> Option<f64> {
    let baseline = backend::sort_baseline(run.backend);
    if run.scenario != "sort" || run.backend == baseline {
        return None;
    }
    let baseline = runs
        .iter()
        .find(|other| other.scenario == run.scenario && other.backend == baseline)?;
    Some(baseline.wall.as_secs_f64() / run.wall.as_secs_f64().max(f64::MIN_POSITIVE))
}

/// The words after a run in the table: why it does not match (or could
/// not be judged, or needed the noise allowance), or its note and speed-up.
pub fn note(run: &Run, runs: &[Run]) -> String {
    if let Some(reason) = &run.verdict.reason {
        return reason.clone();
    }
    let baseline = backend::sort_baseline(run.backend);
    let speedup = speedup(run, runs).map(|times| format!("{times:.2}× vs {baseline}"));
    let parts: Vec<String> = speedup.into_iter().chain(run.note.clone()).collect();
    parts.join(", ")
}
