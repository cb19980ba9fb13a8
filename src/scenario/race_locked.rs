//! Scenario 8, `race-locked`: scenario 7 with a lock from read to write.
//!
//! Both threads still sleep together; the lock makes the second wait for
//! the first's write before it reads, so both updates count: 2.
//! `concur explore race-locked` explores the same lock on one event loop,
//! around A5's await.

use super::race::{expected_race, run_on_threads, Updates};
use super::race_async_await;
use super::{Ctx, Explored, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::Expected;
use crate::model::Model;
use std::time::Duration;

/// Scenario 8.
pub struct RaceLocked;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "race-locked",
    section: "8",
    about: "as race, with a lock held from read to write: both updates count",
    model: Model::Threads,
};

impl Scenario for RaceLocked {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, unit: Duration) -> Expected {
        expected_race(2.0, unit, Updates::Serialized, 2)
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        run_on_threads(backend, ctx, true)
    }

    /// Threads cannot be explored (the OS picks, not a policy), so this is
    /// the lock's lesson on one event loop: A5's updates, with an `await`
    /// between read and write, under the loop's async mutex from read to
    /// write. No schedule loses an update.
    fn explored(&self) -> Option<Explored> {
        Some(|event_loop, ctx| Box::pin(race_async_await::explored(event_loop, ctx, true)))
    }
}
