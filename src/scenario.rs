//! The scenarios: one file per article section (and our additions), each
//! written once against a [`Model`], never against a runtime.
//!
//! A [`Scenario`] names itself and its article section, and says which model
//! it needs (so which backends it applies to), all as data (its [`Meta`]);
//! it states its [`Expected`] timeline in units, and runs on a backend given
//! a [`Ctx`]. [`run`] does one
//! (scenario, backend) pair: it makes the recorder on the backend's clock,
//! times the run, and checks the record, giving a [`Run`]. On a foreign
//! backend (the Python ones) it runs the scenario's own program instead of
//! [`Scenario::run`], into the same recorder, and checks it the same way.

pub mod blocking;
pub mod blocking_fixed;
pub mod connections;
pub mod deadlock;
pub mod delay;
pub mod file_reads;
pub mod gather;
pub mod pool;
pub mod race;
pub mod race_async;
pub mod race_async_await;
pub mod race_async_multithread;
pub mod race_locked;
pub mod requests;
pub mod sort;
pub mod tasks;
pub mod threads;

use crate::backend::Backend;
use crate::check::noise::{Noise, NoiseProbe};
use crate::check::{self, Expected};
use crate::clock::process_cpu_time;
use crate::model::event_loop::{Handle, LocalFuture};
use crate::model::foreign::{Program, SortSize};
pub use crate::model::io::IoSizes;
use crate::model::Model;
use crate::recorder::{Record, Recorder};
use crate::run::Run;

// Defined beside the recorder, so that the foreign backends can give one
// without depending on the scenarios; every scenario file names it from here.
use crate::model::traced::TracedBackend;
pub use crate::recorder::Outcome;
use anyhow::Context as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What a scenario is, as opposed to what it does: one `META` constant in
/// each scenario's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// The name the command line and the JSON use, e.g. `gather`.
    pub name: &'static str,
    /// The article's section number (`1`..`10`) or our addition (`A1`..).
    pub section: &'static str,
    /// What happens, in a few words.
    pub about: &'static str,
    /// The model it is written against; it applies to the backends offering it.
    pub model: Model,
}

/// One experiment of the article (or one of our additions).
pub trait Scenario: Sync {
    /// Its name, section, summary and model.
    fn meta(&self) -> &'static Meta;
    /// The article's timeline at this unit (a method, not data: the races'
    /// timelines depend on the unit).
    fn expected(&self, unit: Duration) -> Expected;
    /// Runs once on `backend`, logging through `ctx`. (A foreign backend
    /// runs the scenario's own program instead: see [`run`].)
    ///
    /// # Errors
    ///
    /// If the backend cannot run it, or the work itself fails (the sort).
    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome>;

    /// The timeline expected of a run on `backend` at these sizes: part
    /// 2's depend on both (how many requests a backend has in flight at
    /// once); by default, [`Scenario::expected`].
    fn expected_on(&self, unit: Duration, backend: &Backend, sizes: &IoSizes) -> Expected {
        let _ = (backend, sizes);
        self.expected(unit)
    }

    /// For a scenario that may never end (A3's deadlock, on a runtime that
    /// cannot see it): how many units without a log line count as no
    /// progress, for a backend that runs it as a program it can watch.
    /// `None`, the default: the scenario ends by itself.
    fn patience(&self) -> Option<u32> {
        None
    }

    /// For `concur explore`: the scenario as one program on an event loop
    /// whose result says whether the run went right (`Err`: an update was
    /// lost); a program that deadlocks fails by itself. `None`, the
    /// default: the scenario cannot be explored.
    fn explored(&self) -> Option<Explored> {
        None
    }
}

/// A scenario as `concur explore` runs it, once per schedule: given the
/// loop and where to log, the run, ending `Ok` if it went right.
pub type Explored = fn(Handle, Ctx) -> LocalFuture<Result<(), String>>;

impl std::fmt::Debug for dyn Scenario {
    /// Its name: enough to tell scenarios apart in a parsed command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.meta().name)
    }
}

/// Every scenario, in article order, additions after the section they extend.
pub fn all() -> [&'static dyn Scenario; 17] {
    [
        &delay::Delay,
        &threads::Threads,
        &pool::Pool,
        &tasks::Tasks,
        &gather::Gather,
        &blocking::Blocking,
        &blocking_fixed::BlockingFixed,
        &race::Race,
        &race_locked::RaceLocked,
        &race_async::RaceAsync,
        &race_async_multithread::RaceAsyncMultithread,
        &race_async_await::RaceAsyncAwait,
        &deadlock::Deadlock,
        &sort::Sort,
        &requests::Requests,
        &file_reads::FileReads,
        &connections::Connections,
    ]
}

/// The scenario called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static dyn Scenario> {
    all()
        .into_iter()
        .find(|scenario| scenario.meta().name == name)
}

/// The names of every scenario, as the command line accepts them.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|scenario| scenario.meta().name).collect()
}

/// What a scenario's code gets: where to log, and the sizes to use.
#[derive(Clone)]
pub struct Ctx {
    /// The run's recorder, on the backend's clock.
    pub rec: Recorder,
    /// How long the article's one second is in this run.
    pub unit: Duration,
    /// The sort's size.
    pub sort: SortOptions,
    /// Part 2's sizes.
    pub io: IoSizes,
}

impl Ctx {
    /// `count` units, e.g. the 2 of `asyncio.sleep(2)`.
    pub fn units(&self, count: u32) -> Duration {
        self.unit * count
    }

    /// The backend's event loop, traced into this run's recorder: every
    /// async scenario runs through this, so every async backend is traced.
    ///
    /// # Errors
    ///
    /// If the backend has no event loop.
    pub fn event_loop<'b>(&self, backend: &'b Backend) -> anyhow::Result<TracedBackend<'b>> {
        Ok(TracedBackend::new(backend.event_loop()?, self.rec.clone()))
    }

    /// Runs an event-loop scenario's async `main` on `backend`'s loop, traced;
    /// the scenarios whose result is their timeline alone end here.
    pub fn run_main<F>(
        &self,
        backend: &Backend,
        main: fn(Handle, Ctx) -> F,
    ) -> anyhow::Result<Outcome>
    where
        F: std::future::Future<Output = ()> + 'static,
    {
        let ctx = self.clone();
        self.event_loop(backend)?
            .run(Box::new(move |event_loop| Box::pin(main(event_loop, ctx))))?;
        Ok(Outcome::default())
    }

    /// Logs a line, like the article's `logging.info`.
    pub fn log(&self, message: impl Into<String>) {
        self.rec.log(message);
    }
}

/// The sort's size and how to start its worker processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortOptions {
    /// How many lists.
    pub lists: usize,
    /// How long each list is.
    pub len: usize,
    /// The seed of the random lists, the same for every backend.
    pub seed: u64,
    /// The executable to start as a sort worker; `None` for this one.
    pub worker_exe: Option<PathBuf>,
    /// How many lists the Python sorts sort (`--python-lists`); `None`:
    /// their share of `lists` (see `backend/python.rs`).
    pub python_lists: Option<usize>,
}

impl SortOptions {
    /// The size alone, as the foreign backends are given it.
    pub fn size(&self) -> SortSize {
        SortSize {
            lists: self.lists,
            len: self.len,
            seed: self.seed,
            python_lists: self.python_lists,
        }
    }
}

/// How to run scenarios.
#[derive(Debug, Clone)]
pub struct Options {
    /// The length of one unit (the article's second).
    pub unit: Duration,
    /// Print each log line as it is logged.
    pub echo: bool,
    /// The sort's size.
    pub sort: SortOptions,
    /// Part 2's sizes.
    pub io: IoSizes,
}

/// The noise a run met: the probe's, or worse, the lateness of the run's
/// own waits that nothing but the machine delayed (its blocking sleeps, and
/// its loop's sleeps that came due while no poll ran).
fn noise(probed: Noise, record: &Record) -> Noise {
    let idle_sleeps = check::noise::idle_lateness(&record.trace).unwrap_or_default();
    probed.or_later(record.blocking_late).or_later(idle_sleeps)
}

/// Runs `scenario` on `backend` once, and checks it.
///
/// # Errors
///
/// If the backend does not offer the scenario's model, or the run fails.
pub fn run(scenario: &dyn Scenario, backend: &Backend, options: &Options) -> anyhow::Result<Run> {
    let (name, backend_name) = (scenario.meta().name, backend.name());
    anyhow::ensure!(
        backend.supports(scenario.meta().model),
        "{name} needs {}, which {backend_name} does not offer",
        scenario.meta().model.describe()
    );
    let clock = backend.clock(scenario.meta().model);
    let expected = scenario.expected_on(options.unit, backend, &options.io);
    // Only a real clock's timeline is late when the machine is busy; a
    // timeline that ends at 0 (the sort) cannot be late at all.
    let probe = (!clock.is_virtual() && expected.is_timed()).then(NoiseProbe::start);
    let rec = Recorder::new(clock, options.echo.then_some(options.unit));
    let ctx = Ctx {
        rec: rec.clone(),
        unit: options.unit,
        sort: options.sort.clone(),
        io: options.io,
    };
    let (wall_start, cpu_start) = (Instant::now(), process_cpu_time());
    let outcome = match backend.foreign() {
        Some(foreign) => foreign.run(&program(scenario, &ctx)),
        None => scenario.run(backend, &ctx),
    };
    let outcome = outcome.with_context(|| format!("running {name} on {backend_name}"))?;
    let wall = wall_start.elapsed();
    let probed = probe.map(NoiseProbe::stop);
    // The probe's few microseconds a wake are not the run's.
    let probe_cpu = probed.map_or(Duration::ZERO, |noise| noise.cpu);
    let cpu = process_cpu_time()
        .saturating_sub(cpu_start)
        .saturating_sub(probe_cpu);
    let record = rec.record();
    let noise = probed.map_or_else(Noise::none, |probed| noise(probed, &record));
    let verdict = check::check(&expected, &record, outcome.value, options.unit, &noise);
    let measured = outcome.wall.unwrap_or(record.total);
    Ok(Run {
        scenario: name,
        backend: backend_name,
        unit: options.unit,
        expected_units: expected.total,
        measured_units: check::in_units(measured, options.unit),
        wall: outcome.wall.unwrap_or(wall),
        cpu: outcome.cpu.unwrap_or(cpu),
        threads: outcome.threads.unwrap_or(record.threads),
        value: outcome.value,
        verdict,
        noise,
        note: outcome.note,
        record,
    })
}

/// What a foreign backend is asked to run for `scenario` in `ctx`: the
/// scenario's own program, of the same name.
fn program<'a>(scenario: &'a dyn Scenario, ctx: &'a Ctx) -> Program<'a> {
    let sort = &ctx.sort;
    Program {
        scenario: scenario.meta().name,
        model: scenario.meta().model,
        unit: ctx.unit,
        rec: &ctx.rec,
        patience: scenario.patience(),
        sort: sort.size(),
    }
}
