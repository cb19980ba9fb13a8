//! `concur explore`'s engine: a scenario run under every schedule (or many
//! random ones) on minirt's virtual clock, each run's log kept, each run
//! judged by the scenario's own check.
//!
//! One loop runs one order; the bug of A5 (an `await` between a read and
//! its write) hides in the orders nobody ran. minirt's explore layer
//! (`runtime/src/explore.rs`) builds a fresh virtual-clock runtime per run
//! with a schedule policy and walks the tree of choices; this module hands
//! it the scenario's [`Explored`] program, on the minirt backend's loop
//! handle ([`current_virtual_loop`]), traced into a recorder of its own, so
//! that every schedule has an article-style log, with the task that logged
//! each line. A schedule is its list of choices (the ready task picked at
//! each point, `0` the oldest: FIFO); [`replay`] runs one again, exactly.
//! The command line and the JSON are in `cli/explore.rs`.

use crate::backend::minirt::{current_virtual_loop, virtual_clock};
use crate::model::event_loop::Main;
use crate::model::traced::traced_main;
use crate::recorder::Recorder;
use crate::scenario::{self, Ctx, Explored, Scenario, SortOptions};
use crate::trace::Kind;
use minirt::explore::{self as search, Policy, Report};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

/// The unit of an explored run: the article's second. Time is virtual, so
/// it costs nothing, and log times read like the article's.
pub const UNIT: Duration = Duration::from_secs(1);

/// How many schedules an exhaustive search runs at most, by default.
pub const DEFAULT_MAX: usize = 10_000;

/// How the schedules are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Every schedule, depth first, at most `max` of them.
    Exhaustive {
        /// The bound.
        max: usize,
    },
    /// One random schedule per seed in `0..seeds`.
    Random {
        /// How many seeds.
        seeds: u64,
    },
}

/// One logged line of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Virtual time since the start.
    pub at: Duration,
    /// The task that logged it (`A`, `task-1`, `main`).
    pub task: String,
    /// What it said.
    pub message: String,
}

/// One schedule, run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Its choices: `--replay` them to run it again.
    pub choices: Vec<usize>,
    /// How many tasks were ready at each choice point.
    pub ready: Vec<usize>,
    /// The seed that made it, in a random search.
    pub seed: Option<u64>,
    /// Its log, in order.
    pub lines: Vec<Line>,
    /// Why it failed (the lost update, the deadlock report); `None` if it passed.
    pub failure: Option<String>,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exploration {
    /// The scenario's name.
    pub scenario: &'static str,
    /// How the schedules were chosen.
    pub search: Search,
    /// How many runs were made.
    pub schedules: usize,
    /// How many of them differed in their choices.
    pub distinct: usize,
    /// How many failed their check, or deadlocked.
    pub failing: usize,
    /// Whether every schedule was seen (an exhaustive search within its bound).
    pub exhausted: bool,
    /// The first failing schedule, run again for its log.
    pub first_failing: Option<Schedule>,
    /// The first passing one, to set beside it.
    pub first_passing: Option<Schedule>,
}

/// The scenarios that can be explored, in `concur list`'s order.
pub fn names() -> Vec<&'static str> {
    let all = scenario::all().into_iter();
    let explorable = all.filter(|scenario| scenario.explored().is_some());
    explorable.map(|scenario| scenario.meta().name).collect()
}

/// What a failing run of `scenario` did, in words: "deadlock" or "lose the
/// update".
pub fn failing_means(scenario: &str) -> &'static str {
    if scenario == "deadlock" {
        "deadlock"
    } else {
        "lose the update"
    }
}

/// The command that runs `choices` of `scenario` again.
pub fn replay_command(scenario: &str, choices: &[usize]) -> String {
    let list: Vec<String> = choices.iter().map(usize::to_string).collect();
    // An empty list (a run with no choice to make) must still be an argument.
    let list = if list.is_empty() {
        "''".to_string()
    } else {
        list.join(",")
    };
    format!("concur explore {scenario} --replay {list}")
}

/// Searches the schedules of `scenario` as `how` says.
///
/// # Errors
///
/// If the scenario cannot be explored.
pub fn explore(scenario: &dyn Scenario, how: Search) -> anyhow::Result<Exploration> {
    let program = explored(scenario)?;
    let make = || run_of(program, &Recorder::new(virtual_clock(), None));
    let report: Report = match how {
        Search::Exhaustive { max } => search::exhaustive(max, make),
        Search::Random { seeds } => search::random(seeds, make),
    };
    // Logs are kept for the two runs shown only: each is replayed.
    let again = |found: Option<search::Found>| {
        found.map(|found| {
            let mut schedule = run_schedule(program, Policy::replay(&found.choices));
            schedule.seed = found.seed;
            schedule
        })
    };
    Ok(Exploration {
        scenario: scenario.meta().name,
        search: how,
        schedules: report.schedules,
        distinct: report.distinct,
        failing: report.failing,
        exhausted: report.exhausted,
        first_failing: again(report.failure),
        first_passing: again(report.passing),
    })
}

/// Runs the schedule `choices` of `scenario` once, with its log.
///
/// # Errors
///
/// If the scenario cannot be explored, or `choices` is no schedule of it:
/// a choice past the tasks ready at its point, or more choices than the
/// run has points (the message says which, in one line).
pub fn replay(scenario: &dyn Scenario, choices: &[usize]) -> anyhow::Result<Schedule> {
    let program = explored(scenario)?;
    let schedule = run_schedule(program, Policy::replay(choices));
    let name = scenario.meta().name;
    if let Some((point, (&choice, &ready))) = (choices.iter().zip(&schedule.ready))
        .enumerate()
        .find(|(_, (&choice, &ready))| choice >= ready)
    {
        anyhow::bail!(
            "--replay: choice {choice} at point {} is no schedule of {name}: {ready} tasks \
             were ready there (choices 0 to {})",
            point + 1,
            ready - 1
        );
    }
    anyhow::ensure!(
        choices.len() <= schedule.ready.len(),
        "--replay: {} choices, but a run of {name} with them has only {} choice points",
        choices.len(),
        schedule.ready.len()
    );
    Ok(schedule)
}

/// The explored program of `scenario`.
fn explored(scenario: &dyn Scenario) -> anyhow::Result<Explored> {
    scenario.explored().ok_or_else(|| {
        anyhow::anyhow!(
            "{} cannot be explored; explore accepts: {}",
            scenario.meta().name,
            names().join(", ")
        )
    })
}

/// One run under `policy`, with its log.
fn run_schedule(program: Explored, policy: Policy) -> Schedule {
    let rec = Recorder::new(virtual_clock(), None);
    let run = search::run(policy, || run_of(program, &rec));
    let record = rec.record();
    let trace = &record.trace;
    let lines = (trace.events.iter())
        .filter_map(|event| match &event.kind {
            Kind::Log { message } => Some(Line {
                at: event.at,
                task: trace.name(event.task, &event.lane).to_string(),
                message: message.clone(),
            }),
            _ => None,
        })
        .collect();
    Schedule {
        choices: run.choices,
        ready: run.choice_points.iter().map(|&(_, ready)| ready).collect(),
        seed: None,
        lines,
        failure: run.failure,
    }
}

/// The future minirt's explore layer runs once per schedule: `program` on
/// the current runtime's loop, traced into `rec`, ending with its verdict.
fn run_of(program: Explored, rec: &Recorder) -> impl Future<Output = Result<(), String>> {
    let ctx = Ctx {
        rec: rec.clone(),
        unit: UNIT,
        // No explored scenario sorts.
        sort: SortOptions {
            lists: 1,
            len: 1,
            seed: 1,
            worker_exe: None,
            python_lists: None,
        },
        // Nor does any do I/O.
        io: crate::scenario::IoSizes::default(),
    };
    let verdict = Rc::new(RefCell::new(None));
    let slot = Rc::clone(&verdict);
    let main: Main = Box::new(move |event_loop| {
        Box::pin(async move {
            let outcome = program(event_loop, ctx).await;
            *slot.borrow_mut() = Some(outcome);
        })
    });
    let traced = traced_main(current_virtual_loop(), rec.clone(), main);
    async move {
        traced.await;
        let outcome = verdict.borrow_mut().take();
        outcome.unwrap_or_else(|| Err("the program did not finish".to_string()))
    }
}
