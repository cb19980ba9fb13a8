//! Every schedule, not one: seeded and exhaustive exploration of the order
//! in which ready tasks run, on the virtual clock. A layer, at the core's
//! [`Scheduler`] seam.
//!
//! Beside the core, not in it. A FIFO loop runs one order; a different
//! loop, or a little load, runs another, and a bug that needs an `await`
//! between a read and its write hides in the orders nobody ran. The virtual
//! clock makes time deterministic, and the loop has one place where the next
//! task is chosen: so every run is a list of choices, and any list can be
//! replayed exactly.
//!
//! - A **choice point** is a moment when more than one task is ready (tasks
//!   woken by timers with equal deadlines are ready together, so they count).
//!   A choice is the chosen task's place in the ready queue, oldest first:
//!   `0` is what FIFO runs. A run's choices, replayed, give the same run.
//! - [`random`] runs a program once per seed; [`exhaustive`] walks the tree
//!   of choices depth first, each run a new branch, until every schedule has
//!   been seen or a bound cuts it off, and says which.
//! - A run fails when its future panics, returns `false` or `Err`, or the
//!   loop proves a deadlock. A panicking check prints its message on every
//!   failing run (the panic hook is the process's); return `false` to stay
//!   quiet.
//!
//! # Examples
//!
//! ```
//! use std::cell::Cell;
//! use std::rc::Rc;
//! // Two tasks read a counter, yield, and write it back plus one.
//! let lost_update = || async {
//!     let counter = Rc::new(Cell::new(0));
//!     let bump = |counter: Rc<Cell<u32>>| async move {
//!         let read = counter.get();
//!         minirt::yield_now().await; // an `await` between the read and the write
//!         counter.set(read + 1);
//!     };
//!     let (a, b) = (minirt::spawn(bump(counter.clone())), minirt::spawn(bump(counter.clone())));
//!     let _ = (a.await, b.await);
//!     counter.get() == 2
//! };
//! let report = minirt::explore::exhaustive(100, lost_update);
//! assert!(report.exhausted && report.failing > 0);
//! let lost = report.failure.expect("some schedule loses an update");
//! // Replaying its choices loses the update again.
//! assert!(!minirt::explore::replay(&lost.choices, lost_update).passed);
//! ```

use crate::hooks::Scheduler;
use crate::Runtime;
use alloc::collections::BTreeSet;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::Future;

/// A schedule policy: how the loop picks among ready tasks, recording each
/// pick. Attach it with [`Builder::scheduler`](crate::Builder::scheduler).
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// let policy = Rc::new(minirt::explore::Policy::random(7));
/// let rt = minirt::Runtime::builder().virtual_clock().scheduler(policy.clone()).build();
/// rt.block_on(async {
///     let tasks: Vec<_> = (0..3).map(|_| minirt::spawn(minirt::yield_now())).collect();
///     for task in tasks {
///         task.await.unwrap();
///     }
/// });
/// assert!(!policy.choices().is_empty()); // three tasks ready at once: choices made
/// ```
#[derive(Debug)]
pub struct Policy {
    how: How,
    /// Each choice point so far: (the choice, how many tasks were ready).
    made: RefCell<Vec<(usize, usize)>>,
}

#[derive(Debug)]
enum How {
    Fifo,
    /// A splitmix64 state: the same seed gives the same picks everywhere.
    Random(Cell<u64>),
    /// These choices, then FIFO.
    Replay(Vec<usize>),
}

impl Policy {
    /// First in, first out: what the loop does with no policy.
    pub fn fifo() -> Self {
        Self::with(How::Fifo)
    }

    /// A pseudo-random pick at each choice point, from `seed`.
    pub fn random(seed: u64) -> Self {
        Self::with(How::Random(Cell::new(seed)))
    }

    /// `choices`, in order, at the first choice points; FIFO after them. A
    /// choice past the ready tasks takes the last one.
    pub fn replay(choices: &[usize]) -> Self {
        Self::with(How::Replay(choices.to_vec()))
    }

    fn with(how: How) -> Self {
        Policy {
            how,
            made: RefCell::new(Vec::new()),
        }
    }

    /// The choices made so far: replayed, they give the same run.
    pub fn choices(&self) -> Vec<usize> {
        self.made
            .borrow()
            .iter()
            .map(|&(choice, _)| choice)
            .collect()
    }

    /// Each choice point so far: the choice, and how many tasks were ready.
    pub fn choice_points(&self) -> Vec<(usize, usize)> {
        self.made.borrow().clone()
    }
}

impl Scheduler for Policy {
    fn choose(&self, ready: usize) -> usize {
        let at = self.made.borrow().len();
        let choice = match &self.how {
            How::Fifo => 0,
            How::Random(state) => (next_random(state) % ready as u64) as usize,
            How::Replay(choices) => choices.get(at).map_or(0, |&choice| choice.min(ready - 1)),
        };
        self.made.borrow_mut().push((choice, ready));
        choice
    }
}

/// splitmix64: tiny, fast, and the same on every machine.
fn next_random(state: &Cell<u64>) -> u64 {
    let mut z = state.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
    state.set(z);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What a program's future returns when it checks its own result: `()` for
/// "no check" (only a panic fails), `bool`, or a `Result`.
pub trait Verdict {
    /// `Err` with why, if the run failed its check.
    fn verdict(self) -> Result<(), String>;
}

impl Verdict for () {
    fn verdict(self) -> Result<(), String> {
        Ok(())
    }
}

impl Verdict for bool {
    fn verdict(self) -> Result<(), String> {
        self.then_some(())
            .ok_or_else(|| String::from("returned false"))
    }
}

impl<E: core::fmt::Display> Verdict for Result<(), E> {
    fn verdict(self) -> Result<(), String> {
        self.map_err(|error| error.to_string())
    }
}

/// One run under one policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// The choices it made: [`replay`] them to run it again.
    pub choices: Vec<usize>,
    /// Each choice point: the choice, and how many tasks were ready.
    pub choice_points: Vec<(usize, usize)>,
    /// Whether it passed: no panic, no `false` or `Err`, no deadlock.
    pub passed: bool,
    /// Why it failed, if it did.
    pub failure: Option<String>,
}

/// Runs `make()`'s future once, on a fresh virtual-clock runtime, under
/// `policy`.
pub fn run<Fut: Future<Output: Verdict>>(policy: Policy, make: impl FnOnce() -> Fut) -> Run {
    let policy = Rc::new(policy);
    let runtime = Runtime::builder()
        .virtual_clock()
        .scheduler(policy.clone())
        .build();
    let outcome = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| {
        runtime
            .try_block_on(make())
            .map_err(|deadlock| deadlock.report().to_string())
    }));
    // Tasks left pending go with the runtime, before the choices are read.
    drop(runtime);
    let failure = match outcome {
        Ok(Ok(output)) => output.verdict().err(),
        Ok(Err(deadlock)) => Some(deadlock),
        Err(panic) => Some(crate::JoinError::panicked(panic).to_string()),
    };
    Run {
        choices: policy.choices(),
        choice_points: policy.choice_points(),
        passed: failure.is_none(),
        failure,
    }
}

/// Runs `make()`'s future again with the choices of an earlier run.
pub fn replay<Fut: Future<Output: Verdict>>(choices: &[usize], make: impl FnOnce() -> Fut) -> Run {
    run(Policy::replay(choices), make)
}

/// What an exploration found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// How many runs were made.
    pub schedules: usize,
    /// How many of them differed in their choices.
    pub distinct: usize,
    /// How many failed.
    pub failing: usize,
    /// Whether every schedule was seen (only [`exhaustive`] can tell).
    pub exhausted: bool,
    /// The first failing run, with the seed that made it (for [`random`]).
    pub failure: Option<Found>,
    /// The first passing run, to set beside the failing one.
    pub passing: Option<Found>,
}

/// A run an exploration kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Its choices, for [`replay`].
    pub choices: Vec<usize>,
    /// The seed of [`random`] that made it, if random made it.
    pub seed: Option<u64>,
    /// Why it failed, if it did.
    pub failure: Option<String>,
}

impl Report {
    fn new() -> Self {
        Report {
            schedules: 0,
            distinct: 0,
            failing: 0,
            exhausted: false,
            failure: None,
            passing: None,
        }
    }

    fn count(&mut self, run: &Run, seed: Option<u64>, new: bool) {
        self.schedules += 1;
        self.distinct += usize::from(new);
        self.failing += usize::from(!run.passed);
        let found = || Found {
            choices: run.choices.clone(),
            seed,
            failure: run.failure.clone(),
        };
        let kept = if run.passed {
            &mut self.passing
        } else {
            &mut self.failure
        };
        if kept.is_none() {
            *kept = Some(found());
        }
    }
}

/// Runs `make()`'s future once per seed in `0..seeds`, each with a random
/// policy from its seed.
pub fn random<Fut: Future<Output: Verdict>>(seeds: u64, mut make: impl FnMut() -> Fut) -> Report {
    let mut report = Report::new();
    let mut seen = BTreeSet::new();
    for seed in 0..seeds {
        let run = run(Policy::random(seed), &mut make);
        let new = seen.insert(run.choices.clone());
        report.count(&run, Some(seed), new);
    }
    report
}

/// Runs `make()`'s future under every schedule, depth first over the choice
/// points, at most `max_schedules` times; `exhausted` says whether every
/// schedule was seen.
///
/// Each run replays the choices of the one before up to its last choice
/// point with an untried option left, takes the next option there, and
/// goes FIFO after: every run is a new branch of the tree, so `distinct`
/// equals `schedules` for a deterministic program.
pub fn exhaustive<Fut: Future<Output: Verdict>>(
    max_schedules: usize,
    mut make: impl FnMut() -> Fut,
) -> Report {
    let mut report = Report::new();
    let mut next = Some(Vec::new());
    while let Some(prefix) = next.take() {
        if report.schedules == max_schedules {
            return report;
        }
        let run = replay(&prefix, &mut make);
        report.count(&run, None, true);
        next = next_branch(&run.choice_points);
    }
    report.exhausted = true;
    report
}

/// The choices of the next branch after a run's: the deepest choice point
/// with an option not yet tried, taken one further.
fn next_branch(points: &[(usize, usize)]) -> Option<Vec<usize>> {
    let deepest = points
        .iter()
        .rposition(|&(choice, ready)| choice + 1 < ready)?;
    let mut choices: Vec<usize> = points[..deepest]
        .iter()
        .map(|&(choice, _)| choice)
        .collect();
    choices.push(points[deepest].0 + 1);
    Some(choices)
}
