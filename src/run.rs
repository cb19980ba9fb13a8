//! The run record: what one (scenario, backend) run measured, everything
//! its recorder kept, and the check's verdict. It is the one value the
//! reports (table, JSON, trace, stall, timeline) and the command line read.
//!
//! It lives low, beside the recorder and the check it is made of, rather
//! than with the scenarios that produce it: a report then depends on the
//! record alone, never on how a run came about. `scenario::run` makes one.

use crate::check::noise::Noise;
use crate::check::Verdict;
use crate::recorder::Record;
use std::time::Duration;

/// One (scenario, backend) run: what was measured and whether it matches.
#[derive(Debug, Clone)]
pub struct Run {
    /// The scenario's name.
    pub scenario: &'static str,
    /// The backend's name.
    pub backend: &'static str,
    /// The unit it ran at.
    pub unit: Duration,
    /// The article's total in units, if there is one.
    pub expected_units: Option<f64>,
    /// The measured total in units, on the run's clock.
    pub measured_units: f64,
    /// Real time the run took (on a virtual clock, close to nothing).
    pub wall: Duration,
    /// CPU time the run used.
    pub cpu: Duration,
    /// Threads (or processes) that did the work.
    pub threads: usize,
    /// The result value (the race's final value).
    pub value: Option<i64>,
    /// Whether it matches the article, and why not.
    pub verdict: Verdict,
    /// How noisy the machine was while it ran (none on a virtual clock).
    pub noise: Noise,
    /// A few words more: the scenario's own note (bytes moved, ...).
    pub note: Option<String>,
    /// Everything recorded.
    pub record: Record,
}
