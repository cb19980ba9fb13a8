//! Scenario 1, `delay`: two delayed messages, one after the other.
//!
//! The article's first program: the main thread receives TWO, sleeps 2,
//! prints it, then does the same for THREE with 3. Five seconds, most of them
//! spent with the CPU idle. The `threads` and `pool` scenarios reuse
//! [`delay_message`] on worker threads.

use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::Model;
use std::time::Duration;

/// Scenario 1.
pub struct Delay;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "delay",
    section: "1",
    about: "two delayed messages, one after the other",
    model: Model::Sequential,
};

impl Scenario for Delay {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        Expected {
            events: check::events(&[
                (0.0, "Main started"),
                (0.0, "TWO received"),
                (2.0, "Printing TWO"),
                (2.0, "THREE received"),
                (5.0, "Printing THREE"),
                (5.0, "Main Ended"),
            ]),
            total: Some(5.0),
            value: None,
        }
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        backend.sequential()?;
        ctx.log("Main started");
        delay_message(ctx, 2, "TWO");
        delay_message(ctx, 3, "THREE");
        ctx.log("Main Ended");
        Ok(Outcome::default())
    }
}

/// The article's `delay_message`: log receipt, block for `delay` units
/// (`time.sleep`), log the message.
pub fn delay_message(ctx: &Ctx, delay: u32, message: &str) {
    ctx.log(format!("{message} received"));
    ctx.rec.block_for(ctx.units(delay));
    ctx.log(format!("Printing {message}"));
}
