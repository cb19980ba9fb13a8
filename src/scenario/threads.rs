//! Scenario 2, `threads`: the same two messages, each on its own thread.
//!
//! While one thread sleeps the OS runs the other, so both messages are
//! received at once and the whole takes 3 units, not 5. The main thread
//! waits for both, as Python waits for its non-daemon threads.

use super::delay::delay_message;
use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::workers::JobSet;
use crate::model::Model;
use std::time::Duration;

/// Scenario 2.
pub struct Threads;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "threads",
    section: "2",
    about: "the same two messages, each on its own thread",
    model: Model::Threads,
};

impl Scenario for Threads {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        Expected {
            events: check::events(&[
                (0.0, "Main started"),
                (0.0, "TWO received"),
                (0.0, "THREE received"),
                (2.0, "Printing TWO"),
                (3.0, "Printing THREE"),
                (3.0, "Main Ended"),
            ]),
            total: Some(3.0),
            value: None,
        }
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        let workers = backend.workers()?(2);
        ctx.log("Main started");
        let mut jobs = JobSet::new(workers.as_ref());
        for (delay, message) in [(2, "TWO"), (3, "THREE")] {
            let ctx = ctx.clone();
            jobs.submit(move || delay_message(&ctx, delay, message));
        }
        jobs.join_all();
        workers.join();
        ctx.log("Main Ended");
        Ok(Outcome::default())
    }
}
