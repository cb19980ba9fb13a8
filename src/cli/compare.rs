//! Running many (scenario, backend) pairs for `compare` and the main job,
//! each guarded, and turning what happened into an exit status.
//!
//! Part of `cli.rs`, used by `commands.rs`; each pair runs through
//! `guard.rs`. A failed pair is a row of its own and the others still run;
//! Ctrl-C stops after abandoning the run in progress, and what finished is
//! still printed (and written as JSON).

use super::args::UsageError;
use super::guard::{self, Stopped};
use super::interrupt::{Interrupt, Interrupted};
use crate::backend::{self, Backend};
use crate::check::Judgement;
use crate::output::console::progress;
use crate::report::table::duration;
use crate::report::Failed;
use crate::run::Run;
use crate::scenario::{self, Scenario};
use std::time::Duration;

/// What a comparison produced.
#[derive(Debug, Default)]
pub(super) struct Results {
    /// The runs that finished, in the order they ran.
    pub(super) runs: Vec<Run>,
    /// The runs that panicked, failed or hung.
    pub(super) failed: Vec<Failed>,
    /// Set if a signal (Ctrl-C) cut the comparison short.
    pub(super) interrupted: Option<Interrupted>,
}

impl Results {
    /// `Ok` if every pair ran and none is a mismatch; otherwise the error
    /// `main` reports: exit code 1 for failed or mismatched runs, 130 for
    /// Ctrl-C. A run too noisy to judge is neither: it does not fail.
    pub(super) fn status(&self) -> anyhow::Result<()> {
        if let Some(interrupted) = self.interrupted {
            return Err(interrupted.into());
        }
        let total = self.runs.len() + self.failed.len();
        let mut problems = Vec::new();
        if !self.failed.is_empty() {
            let which = self.failed.iter().map(|failed| {
                let (scenario, backend, reason) = (failed.scenario, failed.backend, &failed.reason);
                format!("{scenario} on {backend} ({reason})")
            });
            let count = self.failed.len();
            let which: Vec<String> = which.collect();
            problems.push(format!(
                "{count} of {total} runs failed: {}",
                which.join("; ")
            ));
        }
        let mismatched: Vec<&Run> = self
            .runs
            .iter()
            .filter(|run| run.verdict.is_mismatch())
            .collect();
        if !mismatched.is_empty() {
            let which: Vec<String> = mismatched.iter().map(|run| describe(run)).collect();
            let count = mismatched.len();
            let verb = if count == 1 { "does" } else { "do" };
            problems.push(format!(
                "{count} of {total} runs {verb} not match the article: {}",
                which.join("; ")
            ));
        }
        if problems.is_empty() {
            return Ok(());
        }
        anyhow::bail!("{}", problems.join(". "))
    }

    /// Runs too noisy to judge: how many, in a line for stderr, if any.
    pub(super) fn too_noisy(&self) -> Option<String> {
        let noisy = self
            .runs
            .iter()
            .filter(|run| run.verdict.judgement == Judgement::TooNoisy);
        let count = noisy.count();
        (count > 0).then(|| {
            format!(
                "{count} of {} runs came late on a machine too noisy to judge them at this \
                 unit (neither a match nor a mismatch); a longer --unit can judge them",
                self.runs.len() + self.failed.len()
            )
        })
    }
}

/// `race on threads (final value 2, expected 1)`.
fn describe(run: &Run) -> String {
    let reason = run.verdict.reason.as_deref().unwrap_or("?");
    format!("{} on {} ({reason})", run.scenario, run.backend)
}

/// What an interrupted comparison shows of its work.
pub(super) const SHOWN: &str = "the table shows the runs that finished";

/// A (scenario, backend name) pair to run.
pub(super) type Pair = (&'static dyn Scenario, &'static str);

/// Every (scenario, backend) pair that applies, among the backends named in
/// `only` (all when empty).
///
/// # Errors
///
/// A [`UsageError`] if no pair applies.
pub(super) fn pairs(
    scenarios: &[&'static dyn Scenario],
    only: &[&'static str],
    backend_options: backend::Options,
) -> anyhow::Result<Vec<Pair>> {
    let mut pairs = Vec::new();
    for &scenario in scenarios {
        for backend in backend::all(backend_options) {
            let wanted = only.is_empty() || only.contains(&backend.name());
            if wanted && backend.supports(scenario.meta().model) {
                pairs.push((scenario, backend.name()));
            }
        }
    }
    if pairs.is_empty() {
        let message = "none of these scenarios runs on the backends given (see `concur list`)";
        return Err(UsageError(message.to_string()).into());
    }
    Ok(pairs)
}

/// The pairs whose backend can run on this machine; the others (the Python
/// ones, without `python3`) are skipped, with one line on stderr saying so.
pub(super) fn runnable(pairs: Vec<Pair>, backend_options: backend::Options) -> Vec<Pair> {
    let all = backend::all(backend_options);
    let mut skipped = Vec::new();
    let runnable = pairs.into_iter().filter(|&(_, name)| {
        let backend = all.iter().find(|backend| backend.name() == name);
        match backend.map(Backend::available) {
            Some(Err(reason)) => {
                skipped.push((name, reason));
                false
            }
            _ => true,
        }
    });
    let runnable = runnable.collect();
    report_skipped(&skipped);
    runnable
}

/// Says which backends were skipped and why, one line per reason.
pub(super) fn report_skipped(skipped: &[(&'static str, String)]) {
    let mut reasons: Vec<&String> = skipped.iter().map(|(_, reason)| reason).collect();
    reasons.dedup();
    for reason in reasons {
        let mut names: Vec<&str> = skipped
            .iter()
            .filter(|(_, why)| why == reason)
            .map(|(name, _)| *name)
            .collect();
        names.sort_unstable();
        names.dedup();
        progress(format_args!("skipped {}: {reason}\n", names.join(", ")));
    }
}

/// Runs `pairs`, each guarded by `timeout`, reporting progress on stderr,
/// until `interrupt` is set: no pair starts after it.
/// Failed runs are not errors here: they are in the [`Results`].
pub(super) fn run_all(
    pairs: &[Pair],
    backend_options: backend::Options,
    options: &scenario::Options,
    timeout: Duration,
    interrupt: &Interrupt,
) -> Results {
    let mut results = Results::default();
    for (number, &(scenario, backend)) in pairs.iter().enumerate() {
        if interrupt.is_set() {
            results.interrupted = interrupt.error(SHOWN);
            break;
        }
        let label = format!("{} on {backend}", scenario.meta().name);
        progress(format_args!(
            "[{:>2}/{}] {label:<36} ",
            number + 1,
            pairs.len()
        ));
        match guard::run(
            scenario,
            backend,
            backend_options,
            options,
            timeout,
            interrupt.stopped(),
        ) {
            Ok(run) => {
                let verdict = match run.verdict.judgement {
                    Judgement::Matches => "ok",
                    Judgement::DoesNotMatch => "does not match",
                    Judgement::TooNoisy => "too noisy to judge",
                };
                progress(format_args!("{} {verdict}\n", duration(run.wall)));
                results.runs.push(run);
            }
            Err(Stopped::Failed(failed)) => {
                progress(format_args!("FAILED: {}\n", failed.reason));
                results.failed.push(failed);
            }
            Err(Stopped::Interrupted) => {
                progress(format_args!("interrupted\n"));
                results.interrupted = interrupt.error(SHOWN);
                break;
            }
        }
    }
    if let Some(line) = results.too_noisy() {
        progress(format_args!("{line}\n"));
    }
    results
}

#[cfg(test)]
mod tests;
