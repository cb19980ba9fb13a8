//! `concur bench <suite> [--n N] [--repeat R] [--json PATH]`, and the hidden
//! `concur bench-child <suite> <backend> <n>` each measurement runs in.
//!
//! All input is checked before the first child starts: a bad suite, size,
//! repeat count or JSON path is one line and exit code 2, with no file
//! written. The suites themselves are in `src/bench.rs`.

use super::args::UsageError;
use super::commands::check_output_path;
use super::interrupt::{Interrupt, OnSignal};
use crate::bench::{self, goals, plan, Suite};
use crate::output::console::say;
use crate::sort;
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// `concur bench`.
#[derive(Debug, Args)]
pub(super) struct BenchArgs {
    /// The suite: timers, spawn, pingpong, precision, memory, sort, queues, net, files, or all.
    #[arg(value_name = "SUITE", value_parser = parse_suites)]
    suites: SuiteList,
    /// One size for every backend instead of the suite's sizes.
    #[arg(long, value_name = "N", value_parser = super::args::parse_count)]
    n: Option<usize>,
    /// How many times each measurement runs (1..=100) [default: 5].
    #[arg(long, value_name = "R", value_parser = parse_repeat)]
    repeat: Option<usize>,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Also draw an SVG chart per suite (`<suite>.svg`) into this directory.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    /// With --svg: draw the charts of an earlier --json file; run nothing.
    #[arg(long, value_name = "PATH", requires = "svg")]
    from: Option<PathBuf>,
}

/// `concur bench-child`: one measurement, printed as a JSON line.
#[derive(Debug, Args)]
pub(super) struct BenchChildArgs {
    /// The suite (not `all`).
    #[arg(value_parser = parse_suite)]
    suite: Suite,
    /// The backend: one of the suite's, but not a Python one.
    backend: String,
    /// The size: at least 1, at most what the suite takes on the backend.
    #[arg(value_parser = super::args::parse_count)]
    n: usize,
}

/// `concur bench-server`: one of suite 8's servers, driven over its stdin
/// and stdout by the load generator (see `bench/net.rs`).
#[derive(Debug, Args)]
pub(super) struct BenchServerArgs {
    /// The server: minirt, smol, tokio, threads or pool.
    #[arg(value_parser = parse_server)]
    backend: &'static str,
    /// Also sleep 1 ms at a time on the server and record how late each
    /// sleep wakes (timers under load).
    #[arg(long)]
    timers: bool,
    /// Pin the server to this CPU (the load generator's choice).
    #[arg(long, value_name = "CPU")]
    cpu: Option<usize>,
}

/// Parses the server of `bench-server`.
fn parse_server(name: &str) -> Result<&'static str, String> {
    let servers = bench::NET_BACKENDS;
    servers
        .into_iter()
        .find(|server| *server == name)
        .ok_or_else(|| format!("unknown server '{name}'; accepted: {}", servers.join(", ")))
}

/// The suites named on the command line (`all` names every one).
#[derive(Debug, Clone)]
pub(super) struct SuiteList(Vec<Suite>);

/// Parses a suite name, or `all`.
fn parse_suites(name: &str) -> Result<SuiteList, String> {
    if name == "all" {
        return Ok(SuiteList(Suite::ALL.to_vec()));
    }
    Suite::find(name)
        .map(|suite| SuiteList(vec![suite]))
        .ok_or_else(|| format!("unknown suite '{name}'; accepted: {}", plan::names()))
}

/// Parses the one suite of `bench-child`.
fn parse_suite(name: &str) -> Result<Suite, String> {
    Suite::find(name).ok_or_else(|| {
        let names: Vec<&str> = Suite::ALL.iter().map(|suite| suite.name()).collect();
        format!("unknown suite '{name}'; accepted: {}", names.join(", "))
    })
}

/// Parses `--repeat`: 1 to [`bench::MAX_REPEAT`].
fn parse_repeat(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(repeat) if (1..=bench::MAX_REPEAT).contains(&repeat) => Ok(repeat),
        _ => Err(format!(
            "'{text}' is not a whole number from 1 to {}",
            bench::MAX_REPEAT
        )),
    }
}

/// `concur bench`: checks, runs, prints the tables and goals, writes JSON.
pub(super) fn bench(args: &BenchArgs) -> anyhow::Result<()> {
    let suites = &args.suites.0;
    if let Some(n) = args.n {
        for suite in suites {
            if n > suite.max_n() {
                let max = suite.max_n();
                return Err(UsageError(format!(
                    "--n {n} is too large for {suite} (at most {max})"
                ))
                .into());
            }
            if *suite == Suite::Sort {
                sort::validate_size(n, sort::DEFAULT_LEN)
                    .map_err(|error| UsageError(format!("--n {n}: {error}")))?;
            }
        }
    }
    if let Some(path) = &args.json {
        check_output_path("--json", path)?;
    }
    if let Some(dir) = &args.svg {
        if !dir.is_dir() {
            return Err(UsageError(format!("--svg {} is not a directory", dir.display())).into());
        }
    }
    if let (Some(from), Some(dir)) = (&args.from, &args.svg) {
        let json = std::fs::read_to_string(from)
            .map_err(|error| UsageError(format!("--from {}: {error}", from.display())))?;
        let charts = bench::charts(&json)?;
        check_charts(dir, charts.iter().map(|chart| chart.0))?;
        return write_charts(dir, &charts);
    }
    if let Some(dir) = &args.svg {
        check_charts(dir, suites.iter().map(|suite| suite.name()))?;
    }
    let interrupt = Interrupt::watch(OnSignal::Stop);
    let options = bench::Options {
        suites: suites.clone(),
        n: args.n,
        repeat: args.repeat.unwrap_or(bench::DEFAULT_REPEAT),
        progress: std::io::stderr().is_terminal(),
        stop: interrupt.stopped().clone(),
    };
    let finished = bench::run(&options)?;
    let reports = &finished.reports;
    let goals = goals::check(reports);
    if !goals.is_empty() {
        say(goals::render(&goals))?;
    }
    if let Some(path) = &args.json {
        crate::output::write(path, bench::to_json(reports)?.as_bytes())?;
        let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
    }
    if let Some(dir) = &args.svg {
        write_charts(dir, &bench::charts(&bench::to_json(reports)?)?)?;
    }
    status(&finished, &interrupt)
}

/// `Ok` if every child ran and succeeded; otherwise the error `main`
/// reports, after the tables and files: 128 + the signal for an
/// interruption, 1 for failed children (a child killed by SIGKILL is one).
fn status(finished: &bench::Finished, interrupt: &Interrupt) -> anyhow::Result<()> {
    if let Some(interrupted) = interrupt.error("the tables show the runs that finished") {
        return Err(interrupted.into());
    }
    if finished.failures.is_empty() {
        return Ok(());
    }
    let (failed, total) = (finished.failures.len(), finished.children);
    let which = finished.failures.join("; ");
    anyhow::bail!("{failed} of {total} bench children failed: {which}")
}

/// Where the chart of the suite `name` goes in `dir`.
fn chart_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.svg"))
}

/// Refuses, before anything runs, a chart of the suites `names` that could
/// not be written into `dir`.
fn check_charts<'a>(dir: &Path, names: impl Iterator<Item = &'a str>) -> anyhow::Result<()> {
    for name in names {
        check_output_path("--svg", &chart_path(dir, name))?;
    }
    Ok(())
}

/// Writes each (suite, SVG) chart into `dir` and says where it went.
fn write_charts(dir: &Path, charts: &[(&str, String)]) -> anyhow::Result<()> {
    for (name, svg) in charts {
        let path = chart_path(dir, name);
        crate::output::write(&path, svg.as_bytes())?;
        let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
    }
    Ok(())
}

/// `concur bench-server`: serves until its input ends.
pub(super) fn server(args: &BenchServerArgs) -> anyhow::Result<()> {
    bench::server_main(args.backend, args.timers, args.cpu)
}

/// `concur bench-child`: refuses what `bench` never passes (a backend
/// outside the suite, a size past its cap: 2^32 timers would allocate 64
/// GiB) as a usage error, then measures.
pub(super) fn child(args: &BenchChildArgs) -> anyhow::Result<()> {
    let (suite, backend, n) = (args.suite, args.backend.as_str(), args.n);
    bench::check_child(suite, backend, n)
        .map_err(|problem| UsageError(format!("bench-child: {problem}")))?;
    bench::child_main(suite, backend, n)
}

#[cfg(test)]
mod tests {
    use super::{parse_repeat, parse_suites, Suite};

    /// Suite names, `all`, and the limits of `--repeat`.
    #[test]
    fn parses_suites_and_repeats() {
        assert_eq!(parse_suites("all").unwrap().0.len(), 9);
        assert_eq!(parse_suites("net").unwrap().0, [Suite::Net]);
        assert!(super::parse_server("nope")
            .unwrap_err()
            .contains("accepted: minirt, smol, tokio, threads, pool"));
        assert_eq!(parse_suites("queues").unwrap().0, [Suite::Queues]);
        assert_eq!(parse_suites("spawn").unwrap().0.len(), 1);
        assert!(parse_suites("nope")
            .unwrap_err()
            .contains("accepted: timers"));
        assert_eq!(parse_repeat("3"), Ok(3));
        assert!(
            parse_repeat("0").is_err()
                && parse_repeat("101").is_err()
                && parse_repeat("x").is_err()
        );
    }
}
