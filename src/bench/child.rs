//! The child side: `concur bench-child <suite> <backend> <n>` runs one
//! measurement in a fresh process and prints its metrics as one JSON line.
//!
//! A fresh process per measurement is what makes peak RSS (`VmHWM`) the
//! measurement's own, and keeps one backend's leftovers (a reactor thread,
//! a grown heap) from weighing on the next. `runner.rs` starts the child.

use super::measure::{metrics, ms, peak_rss_mib, Metrics};
use super::plan::Suite;
use super::python;
use super::queues;
use super::rt::drive;
use super::tasks::{Memory, PingPong, Precision, Spawn, Timers, SEED};
use super::threads;
use super::{files, loadgen};
use crate::sort::{self, Strategy};
use anyhow::{anyhow, bail, Context, Result};

/// The hidden subcommand that makes `concur` a bench child.
pub const CHILD_SUBCOMMAND: &str = "bench-child";

/// Checks what a bench child is asked to measure: a backend that `bench`
/// starts as a bench child for `suite` (not a Python one: those run in
/// `python3`), and a size it takes (see [`Suite::cap`]).
///
/// # Errors
/// What is wrong and what is accepted, in one line.
pub fn check_child(suite: Suite, backend: &str, n: usize) -> Result<(), String> {
    let plan = suite.plan();
    let ours = plan.iter().map(|entry| entry.backend);
    let backends: Vec<&str> = ours.filter(|backend| !python::is_python(backend)).collect();
    if !backends.contains(&backend) {
        let accepted = backends.join(", ");
        return Err(format!(
            "suite {suite} has no backend '{backend}'; accepted: {accepted}"
        ));
    }
    let cap = suite.cap(backend);
    if n > cap {
        return Err(format!(
            "n {n} is too large for {suite} on {backend} (at most {cap})"
        ));
    }
    if suite == Suite::Sort {
        sort::validate_size(n, sort::DEFAULT_LEN).map_err(|error| error.to_string())?;
    }
    Ok(())
}

/// Runs one measurement and prints it as one JSON line on stdout.
///
/// # Errors
/// A backend the suite does not run on, or a failed measurement.
pub fn child_main(suite: Suite, backend: &str, n: usize) -> Result<()> {
    let metrics = measure(suite, backend, n)?;
    let line = serde_json::to_string(&metrics).context("encoding the metrics")?;
    crate::output::console::say(line)
}

/// One measurement of `suite` on `backend` at size `n`, in this process.
///
/// # Errors
/// A backend the suite does not run on, or a failed sort.
pub(crate) fn measure(suite: Suite, backend: &str, n: usize) -> Result<Metrics> {
    match suite {
        Suite::Sort => return sort_once(backend, n),
        Suite::Queues => {
            return queues::measure(backend, n)
                .ok_or_else(|| anyhow!("suite {suite} has no backend `{backend}`"));
        }
        Suite::Net => return loadgen::measure(backend, n),
        Suite::Files => return files::measure(backend, n),
        _ => {}
    }
    if backend == "threads" {
        return Ok(match suite {
            Suite::Timers => threads::timers(n),
            Suite::Spawn => threads::spawn(n),
            Suite::Pingpong => threads::pingpong(n),
            Suite::Precision => threads::precision(n),
            Suite::Memory => threads::memory(n),
            Suite::Sort | Suite::Queues | Suite::Net | Suite::Files => {
                unreachable!("handled above")
            }
        });
    }
    let measured = match suite {
        Suite::Timers => drive(backend, Timers(n)),
        Suite::Spawn => drive(backend, Spawn(n)),
        Suite::Pingpong => drive(backend, PingPong(n)),
        Suite::Precision => drive(backend, Precision(n)),
        Suite::Memory => drive(backend, Memory(n)),
        Suite::Sort | Suite::Queues | Suite::Net | Suite::Files => {
            unreachable!("handled above")
        }
    };
    measured.ok_or_else(|| anyhow!("suite {suite} has no backend `{backend}`"))
}

/// Suite 6: `lists` lists of the article's length, sorted by `strategy`.
fn sort_once(strategy: &str, lists: usize) -> Result<Metrics> {
    let strategy: Strategy = strategy
        .parse()
        .map_err(|message: String| anyhow!(message))?;
    let outcome = sort::run(strategy, lists, sort::DEFAULT_LEN, SEED)?;
    if !outcome.verified {
        bail!("the {strategy} sort came out wrong");
    }
    Ok(metrics([
        ("wall_ms", ms(outcome.wall)),
        ("cpu_ms", ms(outcome.cpu)),
        ("rss_mib", peak_rss_mib()),
    ]))
}

#[cfg(test)]
mod tests {
    use super::{check_child, measure};
    use crate::bench::plan::Suite;
    use crate::bench::rt::{ASYNC_BACKENDS, MINIRT_QUEUE_BACKENDS};

    /// The child takes every size the plan gives it (threads ping-pong's
    /// 200k was once refused by the cap meant for `--n`).
    #[test]
    fn every_planned_size_is_accepted_by_the_child() {
        for suite in Suite::ALL {
            for entry in suite.plan() {
                if crate::bench::python::is_python(entry.backend) {
                    continue;
                }
                for n in entry.sizes {
                    let checked = check_child(suite, entry.backend, n);
                    assert_eq!(checked, Ok(()), "{suite} on {} at {n}", entry.backend);
                }
            }
        }
    }

    /// Every suite measures something on every backend at a tiny size.
    #[test]
    fn every_suite_measures_at_tiny_sizes() {
        let backends = ASYNC_BACKENDS.iter().chain(&["threads"]);
        for backend in backends {
            for (suite, n) in [
                (Suite::Timers, 50),
                (Suite::Spawn, 100),
                (Suite::Pingpong, 100),
                (Suite::Precision, 5),
            ] {
                let metrics = measure(suite, backend, n).unwrap();
                let headline = metrics[suite.headline()];
                assert!(headline > 0.0, "{suite} on {backend}: {metrics:?}");
                assert!(metrics["cpu_ms"] >= 0.0);
            }
        }
        // Memory on the async backends only: the threads version parks its
        // threads for good, which a test process should not collect.
        for backend in ASYNC_BACKENDS {
            let memory = measure(Suite::Memory, backend, 200).unwrap();
            assert!(memory["rss_mib"] > 0.0, "{backend}: {memory:?}");
        }
        let sorted = measure(Suite::Sort, "sync", 2).unwrap();
        assert!(sorted["wall_ms"] > 0.0);
        for backend in MINIRT_QUEUE_BACKENDS {
            let timers = measure(Suite::Timers, backend, 50).unwrap();
            assert!(timers["cpu_ms"] >= 0.0, "{backend}: {timers:?}");
        }
        let queue = measure(Suite::Queues, "heap", 1_000).unwrap();
        assert!(queue[Suite::Queues.headline()] > 0.0, "{queue:?}");
        assert!(measure(Suite::Queues, "minirt", 10).is_err());
        assert!(measure(Suite::Spawn, "nope", 1).is_err());
    }
}
