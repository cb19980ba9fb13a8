//! The command line: `concur list`, `concur run`, `concur compare`,
//! `concur explore`, `concur timeline`, `concur bench`, and the main job
//! when no command is given.
//!
//! Parsing and checking input is in `cli/args.rs`, the commands here, and the
//! plain-words summary of the main job in `cli/summary.rs`. Every mistake in
//! the input is caught before anything runs or is written.

pub mod args;
mod bench;
mod commands;
mod compare;
mod explore;
mod guard;
mod interrupt;
pub mod summary;
mod timeline;

pub use self::interrupt::Interrupted;

use self::args::{parse_backend, parse_count, parse_deadlock_backend, parse_scenario, UsageError};
use crate::output::console;
use crate::scenario::Scenario;
use crate::sort;
use crate::units::{parse_stall_threshold, parse_timeout, parse_unit, parse_unit_ms};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// Runs the command line: parses the arguments and does what they ask.
///
/// # Errors
///
/// A [`UsageError`] for bad input (exit code 2), anything else for a failed
/// run or one that does not match the article (exit code 1).
pub fn run() -> anyhow::Result<()> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => match error.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                return error.print().map_err(console::stdout_error);
            }
            _ => return Err(UsageError(args::one_line(&error.to_string())).into()),
        },
    };
    check_open_file_limit()?;
    match cli.command {
        None => commands::main_job(),
        Some(Command::List) => commands::list(),
        Some(Command::Run(run)) => commands::run(&run),
        Some(Command::Compare(compare)) => commands::compare(&compare),
        Some(Command::SortWorker) => sort::worker_main(),
        Some(Command::DeadlockChild { backend, unit_ms }) => {
            crate::scenario::deadlock::child_main(backend, Duration::from_millis(unit_ms))
        }
        Some(Command::Timeline(timeline)) => timeline::timeline(&timeline),
        Some(Command::Explore(explore)) => explore::explore(&explore),
        Some(Command::Bench(bench)) => bench::bench(&bench),
        Some(Command::BenchChild(child)) => bench::child(&child),
        Some(Command::BenchServer(server)) => bench::server(&server),
    }
}

/// The fewest open files concur starts with: its standard streams, the
/// signal listener's reactor and a loop's own (epoll, eventfd, timerfd).
/// Below it, smol's reactor panics as it starts; with it, a run that needs
/// more (part 2's sockets) fails alone, with the OS's reason.
const MIN_OPEN_FILES: u64 = 12;

/// Refuses, in one line, an open-file limit too low to start with.
fn check_open_file_limit() -> anyhow::Result<()> {
    match crate::procfs::open_file_limit() {
        Some(limit) if limit < MIN_OPEN_FILES => Err(UsageError(format!(
            "the open-file limit is {limit}; concur needs at least {MIN_OPEN_FILES} \
             (raise it with `ulimit -n {MIN_OPEN_FILES}` or more)"
        ))
        .into()),
        _ => Ok(()),
    }
}

/// The article's experiments in Rust: the same story told by threads, a
/// pool, event loops (minirt, smol, tokio), rayon and processes.
///
/// With no command: compare every scenario on every backend (about a
/// minute), then say in plain words what the table shows.
#[derive(Debug, Parser)]
#[command(name = "concur", version)]
struct Cli {
    /// What to do; the main job when absent.
    #[command(subcommand)]
    command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// List the scenarios (with their article section) and the backends.
    List,
    /// Run one scenario and print its article-style log, on one backend or
    /// on each it applies to in turn.
    Run(RunArgs),
    /// Run scenarios on every backend they apply to and compare them in a table.
    Compare(CompareArgs),
    /// Be a worker of the `processes` sort: sort lists from stdin to stdout.
    #[command(name = "sort-worker", hide = true)]
    SortWorker,
    /// Run A3's tasks on a backend, printing each line, until killed (or
    /// until stdin ends: the parent is gone).
    #[command(name = "deadlock-child", hide = true)]
    DeadlockChild {
        /// The backend: one that cannot see a deadlock (smol, tokio).
        #[arg(value_parser = parse_deadlock_backend)]
        backend: &'static str,
        /// The unit, in whole milliseconds (1..=10000).
        #[arg(value_parser = parse_unit_ms)]
        unit_ms: u64,
    },
    /// Draw who ran when: a lane per thread, tasks as bars (solid while
    /// polled), log lines as marks, stalls in red; SVG or terminal.
    Timeline(timeline::TimelineArgs),
    /// Run a scenario under every schedule of minirt's loop (or random
    /// ones): how many lose the update or deadlock, the first that does
    /// beside one that does not, and the command that replays it.
    Explore(explore::ExploreArgs),
    /// Benchmark minirt against smol, tokio, threads and Python at scale.
    Bench(bench::BenchArgs),
    /// Be one measurement of `concur bench`, in a fresh process.
    #[command(name = "bench-child", hide = true)]
    BenchChild(bench::BenchChildArgs),
    /// Be one of `concur bench net`'s servers, until stdin ends.
    #[command(name = "bench-server", hide = true)]
    BenchServer(bench::BenchServerArgs),
}

/// `concur run`.
#[derive(Debug, Args)]
struct RunArgs {
    /// The scenario (see `concur list`).
    #[arg(value_parser = parse_scenario)]
    scenario: &'static dyn Scenario,
    /// Run on this backend only (repeatable); default: every one it applies to.
    #[arg(long = "backend", short, value_name = "BACKEND", value_parser = parse_backend)]
    backends: Vec<&'static str>,
    /// How long the article's one second lasts (1ms..10s).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_unit, allow_hyphen_values = true)]
    unit: Duration,
    /// Also write every event (polls, sleeps, lines) as JSON lines to this file.
    #[arg(long, value_name = "PATH")]
    trace: Option<PathBuf>,
    /// Warn about polls this long or longer [default: 100ms, at most half a unit].
    #[arg(long, value_name = "DURATION", value_parser = parse_stall_threshold)]
    stall_threshold: Option<Duration>,
    /// Common options.
    #[command(flatten)]
    common: CommonArgs,
}

/// `concur compare`.
#[derive(Debug, Args)]
struct CompareArgs {
    /// The scenarios to compare; default: all.
    #[arg(value_parser = parse_scenario)]
    scenarios: Vec<&'static dyn Scenario>,
    /// Compare these backends only (repeatable); default: all.
    #[arg(long = "backend", short, value_name = "BACKEND", value_parser = parse_backend)]
    backends: Vec<&'static str>,
    /// How long the article's one second lasts (1ms..10s).
    #[arg(long, value_name = "DURATION", default_value = "100ms", value_parser = parse_unit, allow_hyphen_values = true)]
    unit: Duration,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Give up on a run after this long and report it as hung (1ms..1h).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_timeout, allow_hyphen_values = true)]
    timeout: Duration,
    /// Common options.
    #[command(flatten)]
    common: CommonArgs,
}

/// Options of both `run` and `compare`.
#[derive(Debug, Args)]
struct CommonArgs {
    /// How many lists the sort sorts [default: 1000].
    #[arg(long, value_name = "N", value_parser = parse_count, allow_hyphen_values = true)]
    lists: Option<usize>,
    /// How many integers each list holds [default: 30000].
    #[arg(long, value_name = "N", value_parser = parse_count, allow_hyphen_values = true)]
    len: Option<usize>,
    /// How many lists the Python sorts sort [default: --lists / 25; the
    /// article's full size is --python-lists 1000].
    #[arg(long, value_name = "N", value_parser = parse_count, allow_hyphen_values = true)]
    python_lists: Option<usize>,
    /// How many HTTP GETs `requests` makes [default: 10; at most 1000].
    #[arg(long, value_name = "N", value_parser = args::parse_requests, allow_hyphen_values = true)]
    requests: Option<usize>,
    /// How many 1 MiB files `file-reads` reads [default: 200; at most 1000].
    #[arg(long, value_name = "N", value_parser = args::parse_files, allow_hyphen_values = true)]
    files: Option<usize>,
    /// How many connections `connections` holds open [default: 1000; at
    /// most 5000].
    #[arg(long, value_name = "N", value_parser = args::parse_connections, allow_hyphen_values = true)]
    connections: Option<usize>,
    /// Run minirt on its virtual clock: exact timelines, no waiting.
    #[arg(long = "virtual")]
    virtual_clock: bool,
}
