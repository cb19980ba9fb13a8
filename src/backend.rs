//! The backends: each way of running things, and which models it can run.
//!
//! One file per backend under `backend/`, each ending in a `backend()`
//! function that says what it offers. A scenario applies to a backend when the
//! backend offers the scenario's [`Model`]; adding a backend means adding one
//! file and one line in [`all`]. The Python backends (`backend/python.rs`)
//! are [`Foreign`]: they run the article's own programs, in `python3`.
//! [`adapter`] is the shape minirt's, smol's and tokio's single-threaded
//! loops share: one adapter each, which the examples' executor and the
//! bench drive too.

pub mod adapter;
pub mod minirt;
pub mod net;
pub mod pool;
pub mod processes;
pub mod python;
pub mod rayon;
pub mod smol;
pub mod sync;
pub mod threads;
pub mod tokio;

use crate::clock::{Clock, SystemClock};
use crate::model::event_loop::AsyncBackend;
use crate::model::foreign::Foreign;
use crate::model::io::IoStyle;
use crate::model::parallel::ParallelBackend;
use crate::model::workers::MakeWorkers;
use crate::model::Model;
use crate::sort::Strategy;
use anyhow::Context as _;
use std::sync::Arc;

/// Choices that change how backends behave, from the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Run minirt on its virtual clock: time jumps to the next deadline, so
    /// timelines are exact and runs take no real time.
    pub virtual_clock: bool,
}

/// Every backend, in the order `concur list` shows them: ours, then the
/// Python ones.
pub fn all(options: Options) -> Vec<Backend> {
    let mut all = vec![
        sync::backend(),
        threads::backend(),
        pool::backend(),
        minirt::backend(options),
        smol::backend(),
        tokio::backend(),
        rayon::backend(),
        processes::backend(),
    ];
    all.extend(python::backends());
    all
}

/// The backend a sort run's speed-up is measured against: the one-thread
/// sort in the run's own language (`py-sync` for the Python rows, which sort
/// fewer lists, `sync` for ours).
pub fn sort_baseline(backend: &str) -> &'static str {
    if python::is_python(backend) {
        python::SORT_BASELINE
    } else {
        "sync"
    }
}

/// The names of every backend, as the command line accepts them.
pub fn names() -> Vec<&'static str> {
    all(Options::default()).iter().map(|b| b.name).collect()
}

/// The backend called `name`, if there is one.
pub fn find(name: &str, options: Options) -> Option<Backend> {
    all(options)
        .into_iter()
        .find(|backend| backend.name == name)
}

/// One way of running things: what it is called and which models it offers.
pub struct Backend {
    /// The name used on the command line and in JSON.
    name: &'static str,
    /// A few words for `concur list`.
    about: &'static str,
    /// Runs plain code on the main thread.
    sequential: bool,
    /// Runs jobs on OS threads.
    workers: Option<MakeWorkers>,
    /// Whether those are a bounded pool (at most the threads asked for)
    /// rather than a thread per job.
    bounded_workers: bool,
    /// Runs single-threaded event loops.
    event_loop: Option<Box<dyn AsyncBackend>>,
    /// Runs multi-threaded async executors.
    parallel: Option<Box<dyn ParallelBackend>>,
    /// Runs the CPU-bound sort this way.
    sort: Option<Strategy>,
    /// Runs each scenario's own program instead (the Python backends).
    foreign: Option<Box<dyn Foreign>>,
    /// Does network and file I/O (part 2), in the style of its model.
    io: bool,
}

impl Backend {
    /// A backend that offers nothing yet; the `with_*` methods add models.
    pub fn new(name: &'static str, about: &'static str) -> Self {
        Self {
            name,
            about,
            sequential: false,
            workers: None,
            bounded_workers: false,
            event_loop: None,
            parallel: None,
            sort: None,
            foreign: None,
            io: false,
        }
    }

    /// Offers plain sequential code.
    pub fn with_sequential(self) -> Self {
        Self {
            sequential: true,
            ..self
        }
    }

    /// Offers OS-thread workers.
    pub fn with_workers(self, make: MakeWorkers) -> Self {
        Self {
            workers: Some(make),
            ..self
        }
    }

    /// Offers a bounded pool of OS-thread workers: at most as many threads
    /// as a scenario asks for, reused.
    pub fn with_pool(self, make: MakeWorkers) -> Self {
        Self {
            workers: Some(make),
            bounded_workers: true,
            ..self
        }
    }

    /// Offers network and file I/O (part 2), in the style of the model it
    /// offers: sequential calls, calls on its workers, or on its event loop.
    pub fn with_io(self) -> Self {
        Self { io: true, ..self }
    }

    /// Offers a single-threaded event loop.
    pub fn with_event_loop(self, event_loop: impl AsyncBackend + 'static) -> Self {
        Self {
            event_loop: Some(Box::new(event_loop)),
            ..self
        }
    }

    /// Offers a multi-threaded async executor.
    pub fn with_parallel(self, parallel: impl ParallelBackend + 'static) -> Self {
        Self {
            parallel: Some(Box::new(parallel)),
            ..self
        }
    }

    /// Offers the sort, run with `strategy`.
    pub fn with_sort(self, strategy: Strategy) -> Self {
        Self {
            sort: Some(strategy),
            ..self
        }
    }

    /// Runs scenarios as programs of their own, through `foreign`.
    pub fn with_foreign(self, foreign: impl Foreign + 'static) -> Self {
        Self {
            foreign: Some(Box::new(foreign)),
            ..self
        }
    }

    /// The backend's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// A few words about the backend.
    pub fn about(&self) -> &'static str {
        self.about
    }

    /// Whether scenarios of `model` run here.
    pub fn supports(&self, model: Model) -> bool {
        if let Some(foreign) = &self.foreign {
            return foreign.offers(model);
        }
        match model {
            Model::Sequential => self.sequential,
            Model::Threads => self.workers.is_some(),
            Model::EventLoop => self.event_loop.is_some(),
            Model::ParallelEventLoop => self.parallel.is_some(),
            Model::Cpu => self.sort.is_some(),
            Model::Io => self.io,
        }
    }

    /// Whether its event loop proves deadlocks instead of hanging in them.
    pub fn proves_deadlocks(&self) -> bool {
        self.event_loop
            .as_ref()
            .is_some_and(|event_loop| event_loop.proves_deadlocks())
    }

    /// The clock a run of `model` is measured on: the event loop's own clock
    /// for event loops (virtual on minirt with `--virtual`), the executor's
    /// for multi-threaded ones, else the system's.
    pub fn clock(&self, model: Model) -> Arc<dyn Clock> {
        match (&self.event_loop, &self.parallel, model) {
            (Some(event_loop), _, Model::EventLoop | Model::Io) => event_loop.clock(),
            (_, Some(parallel), Model::ParallelEventLoop) => parallel.clock(),
            _ => Arc::new(SystemClock::new()),
        }
    }

    /// `Ok` if the backend can run on this machine; otherwise why not (no
    /// `python3` for the Python backends), and its runs are skipped.
    ///
    /// # Errors
    ///
    /// Why it cannot run here, in a few words.
    pub fn available(&self) -> Result<(), String> {
        self.foreign
            .as_ref()
            .map_or(Ok(()), |foreign| foreign.available())
    }

    /// The foreign program runner, for a backend that runs each scenario's
    /// own program; `None` for the backends that run our Rust code.
    pub fn foreign(&self) -> Option<&dyn Foreign> {
        self.foreign.as_deref()
    }

    /// Checks that the backend runs sequential code.
    ///
    /// # Errors
    ///
    /// If it does not.
    pub fn sequential(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.sequential,
            "{} does not run sequential code",
            self.name
        );
        Ok(())
    }

    /// Its OS-thread workers.
    ///
    /// # Errors
    ///
    /// If it has none.
    pub fn workers(&self) -> anyhow::Result<MakeWorkers> {
        self.workers
            .with_context(|| format!("{} has no thread workers", self.name))
    }

    /// Its single-threaded event loop.
    ///
    /// # Errors
    ///
    /// If it has none.
    pub fn event_loop(&self) -> anyhow::Result<&dyn AsyncBackend> {
        let event_loop = self.event_loop.as_deref();
        event_loop.with_context(|| format!("{} has no event loop", self.name))
    }

    /// Its multi-threaded async executor.
    ///
    /// # Errors
    ///
    /// If it has none.
    pub fn parallel(&self) -> anyhow::Result<&dyn ParallelBackend> {
        let parallel = self.parallel.as_deref();
        parallel.with_context(|| format!("{} has no multi-threaded executor", self.name))
    }

    /// How it does network and file I/O: on its event loop if it has one,
    /// else on its workers, else one call after another.
    ///
    /// # Errors
    ///
    /// If it does no I/O.
    pub fn io(&self) -> anyhow::Result<IoStyle> {
        anyhow::ensure!(self.io, "{} does no network or file I/O", self.name);
        Ok(match (&self.event_loop, self.workers) {
            (Some(_), _) => IoStyle::EventLoop,
            (None, Some(make)) => IoStyle::Workers {
                make,
                bounded: self.bounded_workers,
            },
            (None, None) => IoStyle::Sequential,
        })
    }

    /// How it runs the sort.
    ///
    /// # Errors
    ///
    /// If it does not run the sort.
    pub fn sort(&self) -> anyhow::Result<Strategy> {
        self.sort
            .with_context(|| format!("{} does not run the sort", self.name))
    }
}
