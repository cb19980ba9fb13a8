//! Scenarios as whole programs in another language: the model of the
//! Python backends.
//!
//! A Rust backend offers an interface (threads, an event loop) that a
//! scenario's Rust code runs on. A foreign backend cannot: its threads and
//! its loop live in another interpreter. It runs the scenario's own program
//! there instead, one written for the same model (`python/article/` holds
//! the article's, in Python), and relays what the program reports into the
//! run's recorder, so that the check, the table and the trace read it as
//! they read a Rust run. It says which models its programs are written for,
//! which is how it pairs with the same scenarios as the Rust backends.

use super::Model;
use crate::recorder::{Outcome, Recorder};
use std::time::Duration;

/// A backend that runs each scenario as a program of its own.
pub trait Foreign {
    /// Whether its programs are written for `model`.
    fn offers(&self, model: Model) -> bool;

    /// `Ok` if it can run here; otherwise why not, in a few words
    /// (`python3 is not on the path`): its rows are skipped, not failed.
    ///
    /// # Errors
    ///
    /// Why it cannot run here.
    fn available(&self) -> Result<(), String>;

    /// Runs `program` to its end (or until the watchdog gives up on it),
    /// relaying its log, spans and trace into `program.rec`.
    ///
    /// # Errors
    ///
    /// If the program cannot be started, fails, or ends without reporting.
    fn run(&self, program: &Program<'_>) -> anyhow::Result<Outcome>;
}

/// What to run: a scenario, by name, at a unit and a sort size.
#[derive(Clone, Copy)]
pub struct Program<'a> {
    /// The scenario's name, which is also its program's.
    pub scenario: &'a str,
    /// The model the scenario is written for.
    pub model: Model,
    /// How long the article's one second is.
    pub unit: Duration,
    /// Where everything the program reports goes.
    pub rec: &'a Recorder,
    /// For a program that never ends on its own (A3's deadlock): how many
    /// units without a line count as no progress. `None`: it ends.
    pub patience: Option<u32>,
    /// The sort's size.
    pub sort: SortSize,
}

/// The sort's size, as the command line gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSize {
    /// How many lists the Rust sorts sort.
    pub lists: usize,
    /// How long each list is.
    pub len: usize,
    /// The seed of the random lists.
    pub seed: u64,
    /// How many lists the Python sorts sort, if `--python-lists` said.
    pub python_lists: Option<usize>,
}
