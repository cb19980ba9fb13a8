//! The CPU-bound sort of scenario 10 and addition A4: the article's merge
//! sort of many random lists, on every way of running it.
//!
//! The harness calls [`run`] with a [`Strategy`] and gets a [`SortOutcome`]:
//! wall time, CPU time of the process tree, threads or processes used, and
//! bytes moved between processes. Inside, in reading order:
//!
//! - `sort/strategy.rs` and `sort/size.rs`: the names and the sizes;
//! - `sort/merge.rs`: the merge sort itself, textbook top-down;
//! - `sort/input.rs`: the seeded lists, and the check of the result;
//! - `sort/in_process.rs`: one thread, rayon, scoped threads, minirt;
//! - `sort/pool.rs` and `sort/framing.rs`: the pool of child processes and
//!   the bytes on its pipes;
//! - `sort/cpu.rs`: CPU time from `/proc`.
//!
//! The story the numbers tell: threads (rayon or scoped) use every core;
//! minirt, one thread however many tasks, matches the sequential time, since
//! a task that never awaits never lets another run; processes use every
//! core too, but pay to copy every list out and back.
//!
//! Only the sorting is timed. Generating the input before and checking the
//! output after are the same for every strategy, so they are left out.

mod cpu;
mod framing;
mod in_process;
mod input;
mod merge;
mod pool;
mod size;
mod strategy;

pub use size::{validate_size, SizeError, DEFAULT_LEN, DEFAULT_LISTS, MAX_ELEMENTS};
pub use strategy::Strategy;

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The environment variable that names the executable the process pool
/// starts, overriding the running one: for callers of [`run`] that are not
/// the `concur` binary and cannot pass a path. Code that can should call
/// [`run_with_worker_exe`] instead (an integration test, for one, with
/// `env!("CARGO_BIN_EXE_concur")`): environment variables are global.
pub const WORKER_EXE_VAR: &str = "CONCUR_EXE";

/// The hidden CLI subcommand that turns `concur` into a pool worker.
pub const WORKER_SUBCOMMAND: &str = pool::WORKER_ARG;

/// What one run of the sort measured.
#[derive(Debug, Clone, PartialEq)]
pub struct SortOutcome {
    /// How the lists were sorted.
    pub strategy: Strategy,
    /// How many lists were sorted.
    pub lists: usize,
    /// The length of each list.
    pub len: usize,
    /// Wall-clock time of the sorting alone (for processes, including
    /// starting the pool and waiting for it to exit).
    pub wall: Duration,
    /// User plus system CPU time of this process and its children during
    /// the sorting, in 10 ms ticks (see `sort/cpu.rs`).
    pub cpu: Duration,
    /// Threads or processes that sorted: 1 for `sync` and `minirt`.
    pub workers: usize,
    /// Bytes sent to and received from child processes; 0 for the
    /// strategies that stay in this process.
    pub bytes_moved: u64,
    /// Every list came out sorted and a permutation of its input. Always
    /// true in an `Ok` outcome, since a failed check makes [`run`] fail; kept
    /// so that reports can show the check was made.
    pub verified: bool,
}

impl SortOutcome {
    /// How many times faster than `baseline` this run was, by wall time.
    ///
    /// # Examples
    /// ```
    /// use concur::sort::{run, Strategy};
    /// let one_thread = run(Strategy::Sequential, 8, 1000, 1).unwrap();
    /// let rayon = run(Strategy::Rayon, 8, 1000, 1).unwrap();
    /// assert!(rayon.speedup_over(&one_thread) > 0.0);
    /// ```
    pub fn speedup_over(&self, baseline: &SortOutcome) -> f64 {
        baseline.wall.as_secs_f64() / self.wall.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Sorts `lists` seeded random lists of `len` integers with `strategy`,
/// checks every list, and reports the times.
///
/// The process pool starts the executable named by [`WORKER_EXE_VAR`] if
/// set, else the running one, with [`WORKER_SUBCOMMAND`].
///
/// # Errors
/// A [`SizeError`] for a refused size; otherwise if the strategy fails (a
/// worker process dies, a task fails), CPU time cannot be read, or a list
/// comes out unsorted or changed.
///
/// # Examples
/// ```
/// use concur::sort::{run, Strategy};
/// let outcome = run(Strategy::Rayon, 4, 1000, 7).unwrap();
/// assert!(outcome.verified);
/// ```
pub fn run(strategy: Strategy, lists: usize, len: usize, seed: u64) -> Result<SortOutcome> {
    run_with(strategy, lists, len, seed, None)
}

/// [`run`], with the process pool starting `worker_exe` (which must answer
/// [`WORKER_SUBCOMMAND`]) instead of the running executable.
///
/// # Errors
/// As [`run`].
///
/// # Examples
/// ```no_run
/// use concur::sort::{run_with_worker_exe, Strategy};
/// use std::path::Path;
/// // In an integration test, Cargo names the built binary.
/// let exe = Path::new("target/release/concur");
/// let outcome = run_with_worker_exe(Strategy::Processes, 20, 2000, 1, exe).unwrap();
/// assert!(outcome.bytes_moved > 0);
/// ```
pub fn run_with_worker_exe(
    strategy: Strategy,
    lists: usize,
    len: usize,
    seed: u64,
    worker_exe: &Path,
) -> Result<SortOutcome> {
    run_with(strategy, lists, len, seed, Some(worker_exe))
}

/// The body of `concur sort-worker`, a process pool worker: reads lists
/// from stdin until it closes, and writes each back sorted to stdout.
///
/// A closed stdout ends it quietly: the parent went away (Ctrl-C, a failed
/// run), and an error printed then would only reach the user's terminal as
/// noise, once per worker.
///
/// # Errors
/// Fails if stdin breaks off inside a list.
///
/// # Examples
/// The CLI's dispatch, in outline:
/// ```no_run
/// if std::env::args().nth(1).as_deref() == Some(concur::sort::WORKER_SUBCOMMAND) {
///     return concur::sort::worker_main();
/// }
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn worker_main() -> Result<()> {
    // Stdout is line-buffered; binary frames want a plain buffer.
    let output = std::io::BufWriter::new(std::io::stdout().lock());
    match pool::worker_loop(std::io::stdin().lock(), output, MAX_ELEMENTS) {
        Err(error) if broken_pipe(&error) => Ok(()),
        other => other.map(drop),
    }
}

/// Whether `error` is, or was caused by, a write to a closed pipe.
fn broken_pipe(error: &anyhow::Error) -> bool {
    let mut io_errors = error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>());
    io_errors.any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// [`run`] and [`run_with_worker_exe`], with the worker executable optional.
fn run_with(
    strategy: Strategy,
    lists: usize,
    len: usize,
    seed: u64,
    worker_exe: Option<&Path>,
) -> Result<SortOutcome> {
    validate_size(lists, len)?;
    let mut data = input::generate(lists, len, seed);
    let fingerprints: Vec<input::Fingerprint> = data
        .iter()
        .map(|list| input::Fingerprint::of(list))
        .collect();
    // Never more workers than lists: an idle thread or process only costs.
    let cores = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(lists);

    let cpu_before = cpu::process_tree_cpu()?;
    let start = Instant::now();
    let (workers, bytes_moved) = match strategy {
        Strategy::Sequential => (in_process::sequential(&mut data), 0),
        Strategy::Rayon => (in_process::rayon(&mut data), 0),
        Strategy::ScopedThreads => (in_process::scoped_threads(&mut data, cores), 0),
        Strategy::Minirt => (in_process::minirt(&mut data)?, 0),
        Strategy::Processes => {
            let exe = match worker_exe {
                Some(exe) => exe.to_path_buf(),
                None => default_worker_exe()?,
            };
            (cores, pool::sort_on_processes(&mut data, cores, &exe)?)
        }
    };
    let wall = start.elapsed();
    let cpu = cpu::process_tree_cpu()?.saturating_sub(cpu_before);

    for (index, (list, before)) in data.iter().zip(fingerprints).enumerate() {
        input::check(index, list, before)
            .with_context(|| format!("the {strategy} sort is wrong"))?;
    }
    Ok(SortOutcome {
        strategy,
        lists,
        len,
        wall,
        cpu,
        workers,
        bytes_moved,
        verified: true,
    })
}

/// The executable the pool starts: [`WORKER_EXE_VAR`] if set, else this one.
fn default_worker_exe() -> Result<PathBuf> {
    match std::env::var_os(WORKER_EXE_VAR) {
        Some(exe) => Ok(PathBuf::from(exe)),
        None => {
            std::env::current_exe().context("finding the running executable to start sort workers")
        }
    }
}

#[cfg(test)]
mod tests;
