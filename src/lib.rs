//! concur: the article "AsyncIO, Threading, and Multiprocessing in Python",
//! made concrete in Rust, as a library, so that the CLI, the examples and the
//! tests share one implementation.
//!
//! # A tour, in reading order
//!
//! 1. [`model`]: the small interfaces scenarios are written against (threads,
//!    a single-threaded event loop, a multi-threaded executor), and
//!    [`model::traced`], which traces any event loop.
//! 2. [`scenario`]: one file per article section, each with its expected
//!    timeline; [`check`] compares a run with it, giving a [`run::Run`],
//!    the run record every report reads.
//! 3. [`backend`]: one file per way of running things (sync, threads, pool,
//!    minirt, smol, tokio, rayon, processes), and the Python backends, which
//!    run the article's own programs (`python/article/`).
//! 4. [`clock`] and [`recorder`]: every log line and span, on the backend's
//!    clock; [`log`] formats lines like the article; [`units`] parses the
//!    durations people type.
//! 5. [`trace`]: every poll, sleep and line of a run, the same on every
//!    backend; [`stall`]: the polls that held the loop, and the damage;
//!    [`timeline`]: who ran when, as a picture or in the terminal.
//! 6. [`report`]: the comparison table, JSON and the trace's JSON lines;
//!    [`output`]: how every file the user names is checked up front and
//!    written atomically, and what is printed; [`cli`]: the command line.
//! 7. [`sort`]: the CPU-bound merge sort of section 10, on every strategy.
//! 8. [`executor`]: the executor the async examples run on, chosen by cargo
//!    feature (minirt, `smol` or `tokio`).
//! 9. [`explore`]: a scenario under every schedule of minirt's loop (or
//!    many random ones), each run's log kept: `concur explore`.
//! 10. [`children`]: every child process (A3's watchdog, the sort's pool,
//!     the bench), registered, so that none outlives its run or concur.
//! 11. [`procfs`]: what `/proc/self` says (memory, which threads ran), for
//!     part 2's scenarios (requests, file reads, connections).
//!
//! Data flows one way: `cli` picks a scenario, it runs on a backend, every
//! event goes to the recorder, `report` renders the record. Imports follow
//! the same direction, layer by layer (`tests/it/layers.rs` lists them):
//! the command line and the examples' executor; the bench and explore;
//! the reports;
//! the scenarios; the backends; the models and the sort; the run record
//! and the check; the recorder, the trace and the log; the clock, output,
//! units, children and procfs.

pub mod backend;
pub mod bench;
pub mod check;
pub mod children;
pub mod cli;
pub mod clock;
pub mod executor;
pub mod explore;
pub mod log;
pub mod model;
pub mod output;
pub mod procfs;
pub mod recorder;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sort;
pub mod stall;
pub mod timeline;
pub mod trace;
pub mod units;
