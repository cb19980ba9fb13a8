//! The Python backends: the article's own programs, run by `python3`.
//!
//! `py-sync`, `py-threads`, `py-pool`, `py-asyncio` and `py-processes` run
//! the programs of `python/article/` (standard library only), one per
//! scenario, written for the same models as ours: what the article's code
//! does, with its seconds counted in units. They are [`Foreign`] backends:
//! the scenario's Rust code does not run; its Python program does, in a
//! child process, and what it prints (the article's log, its blocking calls,
//! asyncio's polls and sleeps, the final value) lands in the same record as
//! a Rust run's. They are why the sort's row can show the GIL: Python
//! threads no faster than one, Python processes faster.
//!
//! In reading order:
//!
//! - `python/interpreter.rs`: which `python3` (`CONCUR_PYTHON`), and
//!   whether it is there and new enough, else the rows are skipped;
//! - `python/programs.rs`: the programs, compiled in, and the command line;
//! - `python/session.rs`: one run, from start to reaping, with the watchdog;
//! - `python/protocol.rs` and `python/relay.rs`: the lines a program
//!   prints, and what each becomes in the record;
//! - `python/child.rs`: the child process, killed and reaped on every path.

mod child;
mod interpreter;
mod programs;
mod protocol;
mod relay;
mod session;

use super::Backend;
use crate::model::foreign::{Foreign, Program, SortSize};
use crate::model::Model;
use crate::recorder::Outcome;
use interpreter::Interpreter;
use std::sync::Arc;

/// The environment variable naming the interpreter, instead of `python3`
/// on the path.
pub const INTERPRETER_VAR: &str = interpreter::VAR;

/// The backend the Python sorts' speed-ups are measured against.
pub const SORT_BASELINE: &str = "py-sync";

/// The Python sorts sort this share of the lists (1 in 25: 40 of the
/// article's 1000), unless `--python-lists` says otherwise. CPython runs this
/// merge sort about 25 times slower than Rust does here, so its rows then
/// take about as long as ours, and the main job stays short.
pub const SORT_SHARE: usize = 25;

/// The most integers a Python sort may hold: twice the article's 3 × 10⁷,
/// about 4 GB as Python integers.
pub const MAX_SORT_ELEMENTS: usize = 60_000_000;

/// The five backends, sharing one interpreter (looked for once).
pub fn backends() -> Vec<Backend> {
    let interpreter = Arc::new(Interpreter::from_env());
    BACKENDS
        .iter()
        .map(|&(name, about, models)| {
            let python = Python {
                name,
                models,
                interpreter: Arc::clone(&interpreter),
            };
            Backend::new(name, about).with_foreign(python)
        })
        .collect()
}

/// Each backend's name, a few words, and the models its programs are
/// written for: the same as `python/article/backends.py` says (a test
/// checks that they agree).
const BACKENDS: [(&str, &str, &[Model]); 5] = [
    (
        "py-sync",
        "the article's Python: plain code on the main thread",
        &[Model::Sequential, Model::Cpu],
    ),
    (
        "py-threads",
        "the article's Python: a threading.Thread per job, one GIL",
        &[Model::Threads, Model::Cpu],
    ),
    (
        "py-pool",
        "the article's Python: a concurrent.futures ThreadPoolExecutor",
        &[Model::Threads],
    ),
    (
        "py-asyncio",
        "the article's Python: asyncio's event loop",
        &[Model::EventLoop],
    ),
    (
        "py-processes",
        "the article's Python: a ProcessPoolExecutor (CPU-bound work)",
        &[Model::Cpu],
    ),
];

/// Whether `backend` is one of the Python ones.
///
/// # Examples
///
/// ```
/// assert!(concur::backend::python::is_python("py-asyncio"));
/// assert!(!concur::backend::python::is_python("tokio"));
/// ```
pub fn is_python(backend: &str) -> bool {
    BACKENDS.iter().any(|(name, _, _)| *name == backend)
}

/// How many lists the Python sorts sort for `size`: `--python-lists`, or
/// [`SORT_SHARE`] of the Rust sorts' lists, at least one.
///
/// # Examples
///
/// ```
/// use concur::backend::python::sort_lists;
/// use concur::model::foreign::SortSize;
/// let size = SortSize { lists: 1000, len: 30_000, seed: 1, python_lists: None };
/// assert_eq!(sort_lists(size), 40);
/// assert_eq!(sort_lists(SortSize { python_lists: Some(1000), ..size }), 1000);
/// assert_eq!(sort_lists(SortSize { lists: 8, ..size }), 1);
/// ```
pub fn sort_lists(size: SortSize) -> usize {
    size.python_lists
        .unwrap_or((size.lists / SORT_SHARE).max(1))
}

/// Checks the Python sorts' size for `size`.
///
/// # Errors
///
/// One line saying what is accepted, if lists × len is over
/// [`MAX_SORT_ELEMENTS`].
pub fn check_sort_size(size: SortSize) -> Result<(), String> {
    let lists = sort_lists(size);
    let within = lists
        .checked_mul(size.len)
        .is_some_and(|total| total <= MAX_SORT_ELEMENTS);
    if within {
        return Ok(());
    }
    Err(format!(
        "bad Python sort size {lists} × {}: the Python rows sort --python-lists lists (default \
         --lists / {SORT_SHARE}) of --len integers, at most {MAX_SORT_ELEMENTS} integers in all",
        size.len
    ))
}

/// One Python backend.
struct Python {
    /// Its name, which its program is told.
    name: &'static str,
    /// The models its programs are written for.
    models: &'static [Model],
    /// The interpreter, shared by the five.
    interpreter: Arc<Interpreter>,
}

impl Foreign for Python {
    fn offers(&self, model: Model) -> bool {
        self.models.contains(&model)
    }

    fn available(&self) -> Result<(), String> {
        self.interpreter.check()
    }

    fn run(&self, program: &Program<'_>) -> anyhow::Result<Outcome> {
        session::run(&self.interpreter, self.name, program)
    }
}
