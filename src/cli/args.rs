//! Checking what the user typed: scenario and backend names, the unit, the
//! sort's sizes. Every refusal is one line that says what is accepted.
//!
//! The parsers plug into clap (`value_parser = ...`), so a bad value is a
//! usage error like any other, which [`UsageError`] carries to `main` and
//! exit code 2.

use crate::backend;
use crate::model::foreign::SortSize;
use crate::scenario::{self, Scenario};
use std::fmt;

/// A mistake on the command line: printed as one line, exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Parses a scenario name.
///
/// # Errors
///
/// An unknown name; the message lists the accepted ones.
pub fn parse_scenario(name: &str) -> Result<&'static dyn Scenario, String> {
    scenario::find(name).ok_or_else(|| {
        format!(
            "unknown scenario '{name}'; accepted: {}",
            scenario::names().join(", ")
        )
    })
}

/// Parses a backend name.
///
/// # Errors
///
/// An unknown name; the message lists the accepted ones.
pub fn parse_backend(name: &str) -> Result<&'static str, String> {
    let names = backend::names();
    let found = names.iter().find(|known| **known == name);
    found
        .copied()
        .ok_or_else(|| format!("unknown backend '{name}'; accepted: {}", names.join(", ")))
}

/// Parses the backend of the hidden `deadlock-child`: one that cannot see
/// a deadlock, which is why A3 runs it in a child under a watchdog.
///
/// # Errors
///
/// Any other name, minirt included (it proves the deadlock in-process);
/// the message lists the accepted ones.
pub fn parse_deadlock_backend(name: &str) -> Result<&'static str, String> {
    let accepted = crate::scenario::deadlock::child_backends();
    let found = accepted.iter().find(|known| **known == name).copied();
    found.ok_or_else(|| {
        format!(
            "deadlock-child runs A3 on a backend that cannot see a deadlock; accepted: {}",
            accepted.join(", ")
        )
    })
}

/// Refuses flags that would be silently ignored: `--lists`/`--len`
/// (`sized`) without the sort among `scenarios`, `--virtual` without minirt
/// among `backends`.
///
/// # Errors
///
/// The first such flag, saying what it needs.
///
/// # Examples
///
/// ```
/// use concur::cli::args::check_conflicts;
/// assert!(check_conflicts(&["sort"], &["sync"], true, false).is_ok());
/// assert!(check_conflicts(&["gather"], &["minirt"], true, false).is_err());
/// assert!(check_conflicts(&["gather"], &["smol"], false, true).is_err());
/// ```
pub fn check_conflicts(
    scenarios: &[&str],
    backends: &[&str],
    sized: bool,
    virtual_clock: bool,
) -> Result<(), UsageError> {
    if sized && !scenarios.contains(&"sort") {
        let message = "--lists and --len size the sort, which is not among the scenarios to run";
        return Err(UsageError(message.to_string()));
    }
    if virtual_clock && !backends.contains(&"minirt") {
        let mut backends = backends.to_vec();
        backends.sort_unstable();
        backends.dedup();
        let message = format!(
            "--virtual puts minirt on its virtual clock, but minirt is not among the backends \
             to run ({})",
            backends.join(", ")
        );
        return Err(UsageError(message));
    }
    Ok(())
}

/// [`check_conflicts`] on the options that `run` and `compare` share.
///
/// # Errors
///
/// As [`check_conflicts`].
pub(super) fn check_flags(
    scenarios: &[&str],
    backends: &[&str],
    common: &super::CommonArgs,
) -> Result<(), UsageError> {
    let sized = common.lists.is_some() || common.len.is_some();
    check_conflicts(scenarios, backends, sized, common.virtual_clock)?;
    let io_flags = [
        ("--requests", common.requests, "requests"),
        ("--files", common.files, "file-reads"),
        ("--connections", common.connections, "connections"),
    ];
    for (flag, given, scenario) in io_flags {
        if given.is_some() && !scenarios.contains(&scenario) {
            let message =
                format!("{flag} sizes {scenario}, which is not among the scenarios to run");
            return Err(UsageError(message));
        }
    }
    Ok(())
}

/// Refuses `--python-lists` (`python_lists`) where no Python backend sorts
/// among `pairs` of (scenario, backend), and a Python sort of `size` too
/// large to run.
///
/// # Errors
///
/// The first problem, in one line.
///
/// # Examples
///
/// ```
/// use concur::cli::args::check_python_sort;
/// use concur::model::foreign::SortSize;
/// let size = SortSize { lists: 1000, len: 30_000, seed: 1, python_lists: Some(5) };
/// assert!(check_python_sort(&[("sort", "py-sync")], size).is_ok());
/// assert!(check_python_sort(&[("sort", "sync")], size).is_err());
/// assert!(check_python_sort(&[("gather", "py-asyncio")], size).is_err());
/// let huge = SortSize { python_lists: Some(100_000), ..size };
/// assert!(check_python_sort(&[("sort", "py-sync")], huge).is_err());
/// ```
pub fn check_python_sort(pairs: &[(&str, &str)], size: SortSize) -> Result<(), UsageError> {
    let python = |backend: &str| backend::python::is_python(backend);
    let python_sorts = pairs
        .iter()
        .any(|&(scenario, backend)| scenario == "sort" && python(backend));
    if python_sorts {
        return backend::python::check_sort_size(size).map_err(UsageError);
    }
    if size.python_lists.is_none() {
        return Ok(());
    }
    let mut sorting: Vec<&str> = pairs
        .iter()
        .filter(|&&(scenario, _)| scenario == "sort")
        .map(|&(_, backend)| backend)
        .collect();
    let message = if sorting.is_empty() {
        "--python-lists sizes the Python sort, which is not among the scenarios to run".to_string()
    } else {
        sorting.dedup();
        format!(
            "--python-lists sizes the Python sort, but no Python backend is among the sort's \
             backends to run ({})",
            sorting.join(", ")
        )
    };
    Err(UsageError(message))
}

/// Parses a count for `--lists` or `--len`: at least 1. The product of
/// the two is checked by the sort (`sort::validate_size`).
///
/// # Errors
///
/// Not a number, or zero.
pub fn parse_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(count) => Ok(count),
        Err(_) => Err(format!("'{text}' is not a whole number (at least 1)")),
    }
}

/// Parses `--requests`: 1 to [`MAX_REQUESTS`].
///
/// # Errors
///
/// Not a number, zero, or too many.
pub fn parse_requests(text: &str) -> Result<usize, String> {
    parse_at_most(text, MAX_REQUESTS, "requests")
}

/// Parses `--files`: 1 to [`MAX_FILES`].
///
/// # Errors
///
/// Not a number, zero, or too many.
pub fn parse_files(text: &str) -> Result<usize, String> {
    parse_at_most(text, MAX_FILES, "files of 1 MiB")
}

/// Parses `--connections`: 1 to [`MAX_CONNECTIONS`].
///
/// # Errors
///
/// Not a number, zero, or too many.
pub fn parse_connections(text: &str) -> Result<usize, String> {
    parse_at_most(text, MAX_CONNECTIONS, "connections")
}

/// The most requests `--requests` asks for: a load test stays bounded.
pub const MAX_REQUESTS: usize = 1000;

/// The most files `--files` asks for: 1 GiB written to the temporary
/// directory, and removed.
pub const MAX_FILES: usize = 1000;

/// The most connections `--connections` asks for: two file descriptors
/// each (client and server, both here) and, on threads, a thread each.
pub const MAX_CONNECTIONS: usize = 5000;

/// A count from 1 to `max` of `what`.
fn parse_at_most(text: &str, max: usize, what: &str) -> Result<usize, String> {
    let count = parse_count(text)?;
    if count > max {
        return Err(format!("{count} is too many; at most {max} {what}"));
    }
    Ok(count)
}

/// Squeezes one of clap's messages onto one line: the text before its first
/// blank line (which starts the usage and tips), without the `error: ` that
/// `main` adds back.
///
/// # Examples
///
/// ```
/// use concur::cli::args::one_line;
/// let clap = "error: the following required arguments were not provided:\n  <SCENARIO>\n\nUsage: concur run <SCENARIO>\n";
/// assert_eq!(one_line(clap), "the following required arguments were not provided: <SCENARIO>");
/// ```
pub fn one_line(message: &str) -> String {
    let head = message.split("\n\n").next().unwrap_or(message);
    let words: Vec<&str> = head.split_whitespace().collect();
    let line = words.join(" ");
    line.strip_prefix("error: ").unwrap_or(&line).to_string()
}
