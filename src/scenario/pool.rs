//! Scenario 3, `pool`: the same on a reused pool of two worker threads.
//!
//! `concurrent.futures`: submit both, then log "X Done" on the main thread as
//! each result arrives (`as_completed`). The article shows no "Main" lines
//! here, so neither do we.

use super::delay::delay_message;
use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::workers::JobSet;
use crate::model::Model;
use std::time::Duration;

/// Scenario 3.
pub struct Pool;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "pool",
    section: "3",
    about: "the same on a pool of 2 workers; main logs each result as it arrives",
    model: Model::Threads,
};

impl Scenario for Pool {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        Expected {
            events: check::events(&[
                (0.0, "TWO received"),
                (0.0, "THREE received"),
                (2.0, "Printing TWO"),
                (2.0, "TWO Done"),
                (3.0, "Printing THREE"),
                (3.0, "THREE Done"),
            ]),
            total: Some(3.0),
            value: None,
        }
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        let workers = backend.workers()?(2);
        let mut jobs = JobSet::new(workers.as_ref());
        for (delay, message) in [(2, "TWO"), (3, "THREE")] {
            let ctx = ctx.clone();
            jobs.submit(move || {
                delay_message(&ctx, delay, message);
                message
            });
        }
        while let Some(message) = jobs.join_next() {
            ctx.log(format!("{message} Done"));
        }
        workers.join();
        Ok(Outcome::default())
    }
}
