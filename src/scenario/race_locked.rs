//! Scenario 8, `race-locked`: scenario 7 with a lock from read to write.
//!
//! Both threads still sleep together; the lock makes the second wait for
//! the first's write before it reads, so both updates count: 2.

use super::race::{expected_race, run_on_threads, Updates};
use super::{Ctx, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::Expected;
use crate::model::Model;
use std::time::Duration;

/// Scenario 8.
pub struct RaceLocked;

impl Scenario for RaceLocked {
    fn name(&self) -> &'static str {
        "race-locked"
    }

    fn section(&self) -> &'static str {
        "8"
    }

    fn about(&self) -> &'static str {
        "as race, with a lock held from read to write: both updates count"
    }

    fn model(&self) -> Model {
        Model::Threads
    }

    fn expected(&self, unit: Duration) -> Expected {
        expected_race(2.0, unit, Updates::Serialized, 2)
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        run_on_threads(backend, ctx, true)
    }
}
