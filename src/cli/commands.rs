//! The commands: `list`, `run`, `compare`, and the main job.
//!
//! Each checks all of its input first (a [`UsageError`] then, before any
//! run), runs, and prints to stdout. Progress goes to stderr, so that
//! `concur compare > table.txt` holds only the table.

use super::args::{self, UsageError};
use super::interrupt::{Interrupt, OnSignal};
use super::summary;
use super::{compare, guard};
use super::{CommonArgs, CompareArgs, RunArgs};
use crate::backend::{self, Backend};
use crate::output::console::{progress, say};
use crate::report;
use crate::scenario::{self, IoSizes, Scenario, SortOptions};
use crate::sort;
use std::path::Path;
use std::time::Duration;

/// The main job's unit: half the article's second, so that every scenario
/// on every backend (about 150 units in all, 50 of them on the Python
/// backends) plus the sort at the article's size (about 11 s in a release
/// build on 2 cores, and about as long again for Python's share of it)
/// takes about a minute and a half (a minute without python3).
pub(super) const MAIN_UNIT: Duration = Duration::from_millis(500);

/// `concur list`.
pub(super) fn list() -> anyhow::Result<()> {
    let mut text = String::from(
        "Scenarios (section of the article, our addition A1..A5, or part 2, P1..P3):\n",
    );
    for scenario in scenario::all() {
        let (name, section) = (scenario.meta().name, scenario.meta().section);
        text += &format!("  {name:<24} {section:<7} {}\n", scenario.meta().about);
        let backends = applicable(scenario, backend::Options::default()).join(", ");
        text += &format!("  {:<32} runs on: {backends}\n", "");
    }
    text += "\nBackends:\n";
    for backend in backend::all(backend::Options::default()) {
        let here = match backend.available() {
            Ok(()) => String::new(),
            Err(reason) => format!(" (skipped here: {reason})"),
        };
        text += &format!("  {:<12} {}{here}\n", backend.name(), backend.about());
    }
    say(text.trim_end())
}

/// `concur run`: the live log of one scenario on each chosen backend.
pub(super) fn run(args: &RunArgs) -> anyhow::Result<()> {
    let scenario = args.scenario;
    let backends = chosen_backends(scenario, &args.backends, &args.common)?;
    let names: Vec<&str> = backends.iter().map(Backend::name).collect();
    args::check_flags(&[scenario.meta().name], &names, &args.common)?;
    let sort = sort_options(&args.common, sort::DEFAULT_LISTS, sort::DEFAULT_LEN)?;
    check_python_sort(scenario, &backends, &sort)?;
    let options = scenario::Options {
        unit: args.unit,
        echo: true,
        sort,
        io: io_sizes(&args.common),
    };
    if let Some(path) = &args.trace {
        check_output_path("--trace", path)?;
    }
    // Every check is done: from here on, lines are output, not refusals.
    let backends = available(backends);
    let (mut runs, mut failed) = (Vec::new(), Vec::new());
    let interrupt = Interrupt::watch(OnSignal::Stop);
    for backend in &backends {
        if interrupt.is_set() {
            break;
        }
        let unit = humantime::format_duration(args.unit);
        let header = format!(
            "{} on {} (unit {unit})",
            scenario.meta().name,
            backend.name()
        );
        say(format!("== {header} =="))?;
        let (name, choices) = (backend.name(), backend_options(&args.common));
        let timeout = guard::DEFAULT_TIMEOUT;
        let stopped = interrupt.stopped();
        let run = match guard::run(scenario, name, choices, &options, timeout, stopped) {
            Ok(run) => run,
            Err(guard::Stopped::Failed(failure)) => {
                say(format!("-> FAILED: {}\n", failure.reason))?;
                failed.push(failure);
                continue;
            }
            Err(guard::Stopped::Interrupted) => break,
        };
        for line in crate::stall::report(&run, args.stall_threshold) {
            say(line)?;
        }
        runs.push(run);
        let summary = summary::one_run(runs.last().expect("just pushed"), &runs);
        say(format!("-> {summary}\n"))?;
    }
    if let Some(path) = &args.trace {
        report::trace::write(path, &runs)?;
        progress(format_args!("wrote {}\n", path.display()));
    }
    let interrupted = interrupt.error("the runs that finished are above");
    compare::Results {
        runs,
        failed,
        interrupted,
    }
    .status()
}

/// `concur compare`: the table, and the JSON file if asked.
pub(super) fn compare(args: &CompareArgs) -> anyhow::Result<()> {
    let mut scenarios: Vec<&'static dyn Scenario> = Vec::new();
    for &scenario in &args.scenarios {
        // Naming a scenario twice runs it once.
        if !scenarios
            .iter()
            .any(|known| known.meta().name == scenario.meta().name)
        {
            scenarios.push(scenario);
        }
    }
    if scenarios.is_empty() {
        scenarios = scenario::all().to_vec();
    }
    let sort = sort_options(&args.common, sort::DEFAULT_LISTS, sort::DEFAULT_LEN)?;
    if let Some(path) = &args.json {
        check_output_path("--json", path)?;
    }
    let options = scenario::Options {
        unit: args.unit,
        echo: false,
        sort,
        io: io_sizes(&args.common),
    };
    let backends = backend_options(&args.common);
    let pairs = compare::pairs(&scenarios, &args.backends, backends)?;
    let scenario_names: Vec<&str> = pairs.iter().map(|pair| pair.0.meta().name).collect();
    let backend_names: Vec<&str> = pairs.iter().map(|pair| pair.1).collect();
    args::check_flags(&scenario_names, &backend_names, &args.common)?;
    let named: Vec<(&str, &str)> = scenario_names.into_iter().zip(backend_names).collect();
    args::check_python_sort(&named, options.sort.size())?;
    let pairs = compare::runnable(pairs, backends);
    let interrupt = Interrupt::watch(OnSignal::Stop);
    let results = compare::run_all(&pairs, backends, &options, args.timeout, &interrupt);
    say(report::table::with_failures(&results.runs, &results.failed))?;
    if let Some(path) = &args.json {
        report::json::write_results(
            path,
            &results.runs,
            &results.failed,
            results.interrupted.is_some(),
            args.unit,
        )?;
        progress(format_args!("wrote {}\n", path.display()));
    }
    results.status()
}

/// The main job: compare everything at [`MAIN_UNIT`], then explain.
pub(super) fn main_job() -> anyhow::Result<()> {
    let unit = humantime::format_duration(MAIN_UNIT);
    let (lists, len) = (sort::DEFAULT_LISTS, sort::DEFAULT_LEN);
    let sort = SortOptions {
        lists,
        len,
        seed: 1,
        worker_exe: None,
        python_lists: None,
    };
    let python_lists = backend::python::sort_lists(sort.size());
    let intro = format!(
        "concur: the article's experiments, every scenario on every backend it applies to.\n\
         One unit (the article's second) is {unit} here; the sort is the article's, {lists} \
         lists of {len} ({python_lists} of them in Python).\nAbout a minute and a half in a \
         release build. `concur --help` shows the rest.\n"
    );
    say(intro)?;
    let options = scenario::Options {
        unit: MAIN_UNIT,
        echo: false,
        sort,
        io: MAIN_IO,
    };
    let (all, backends) = (scenario::all(), backend::Options::default());
    let pairs = compare::runnable(compare::pairs(&all, &[], backends)?, backends);
    let interrupt = Interrupt::watch(OnSignal::Stop);
    let timeout = guard::DEFAULT_TIMEOUT;
    let results = compare::run_all(&pairs, backends, &options, timeout, &interrupt);
    let table = report::table::with_failures(&results.runs, &results.failed);
    say(format!("{table}\n"))?;
    if results.interrupted.is_none() {
        for paragraph in summary::main_job(&results.runs) {
            say(format!("{paragraph}\n"))?;
        }
    }
    results.status()
}

/// The backends `scenario` runs on here: those named, or all it applies to.
pub(super) fn chosen_backends(
    scenario: &dyn Scenario,
    named: &[&'static str],
    common: &CommonArgs,
) -> anyhow::Result<Vec<Backend>> {
    let runs_on = applicable(scenario, backend_options(common));
    if let Some(refused) = named.iter().find(|name| !runs_on.contains(name)) {
        let (name, model) = (scenario.meta().name, scenario.meta().model.describe());
        let message = format!(
            "{name} needs {model}, which {refused} does not offer; {name} runs on: {}",
            runs_on.join(", ")
        );
        return Err(UsageError(message).into());
    }
    let all = backend::all(backend_options(common)).into_iter();
    let keep = |backend: &Backend| runs_on.contains(&backend.name());
    let wanted = |backend: &Backend| named.is_empty() || named.contains(&backend.name());
    Ok(all
        .filter(|backend| keep(backend) && wanted(backend))
        .collect())
}

/// The names of the backends `scenario` applies to.
fn applicable(scenario: &dyn Scenario, options: backend::Options) -> Vec<&'static str> {
    let all = backend::all(options);
    let runs_it = all
        .iter()
        .filter(|backend| backend.supports(scenario.meta().model));
    runs_it.map(Backend::name).collect()
}

/// The main job's part-2 sizes: the issue's, but 50 files rather than
/// 200, to stay near a minute and a half.
const MAIN_IO: IoSizes = IoSizes {
    requests: 10,
    files: 50,
    file_size: 1 << 20,
    connections: 1000,
};

/// Part 2's sizes from the command line, the defaults where none is given.
pub(super) fn io_sizes(common: &CommonArgs) -> IoSizes {
    let default = IoSizes::default();
    IoSizes {
        requests: common.requests.unwrap_or(default.requests),
        files: common.files.unwrap_or(default.files),
        file_size: default.file_size,
        connections: common.connections.unwrap_or(default.connections),
    }
}

/// Backend choices from the command line.
fn backend_options(common: &CommonArgs) -> backend::Options {
    backend::Options {
        virtual_clock: common.virtual_clock,
    }
}

/// The sort's size from the command line, checked.
pub(super) fn sort_options(
    common: &CommonArgs,
    lists: usize,
    len: usize,
) -> anyhow::Result<SortOptions> {
    let (lists, len) = (common.lists.unwrap_or(lists), common.len.unwrap_or(len));
    sort::validate_size(lists, len).map_err(|error| UsageError(error.to_string()))?;
    Ok(SortOptions {
        lists,
        len,
        seed: 1,
        worker_exe: None,
        python_lists: common.python_lists,
    })
}

/// [`args::check_python_sort`] for `scenario` on each of `backends`.
pub(super) fn check_python_sort(
    scenario: &dyn Scenario,
    backends: &[Backend],
    sort: &SortOptions,
) -> Result<(), UsageError> {
    let pairs: Vec<(&str, &str)> = (backends.iter())
        .map(|backend| (scenario.meta().name, backend.name()))
        .collect();
    args::check_python_sort(&pairs, sort.size())
}

/// The backends that can run here; the others are skipped, with a line.
pub(super) fn available(backends: Vec<Backend>) -> Vec<Backend> {
    let mut skipped = Vec::new();
    let available = backends
        .into_iter()
        .filter(|backend| match backend.available() {
            Ok(()) => true,
            Err(reason) => {
                skipped.push((backend.name(), reason));
                false
            }
        });
    let available = available.collect();
    compare::report_skipped(&skipped);
    available
}

/// Refuses an output path (of `flag`) that cannot be written, before
/// anything runs (see [`crate::output::check`]).
pub(super) fn check_output_path(flag: &str, path: &Path) -> anyhow::Result<()> {
    crate::output::check(flag, path).map_err(|problem| UsageError(problem).into())
}
