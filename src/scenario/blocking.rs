//! Scenario 6, `blocking`: gather, but THREE sleeps with a blocking call.
//!
//! A blocking call never gives the loop back: for 3 units nothing else runs.
//! ONE and TWO, due at 1 and 2, are printed late at 3; FOUR and FIVE are not
//! even received until 3, so they print at 7 and 8. The article's warning.

use super::gather::MESSAGES;
use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::event_loop::{gather, Handle};
use crate::model::Model;
use std::time::Duration;

/// Scenario 6.
pub struct Blocking;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "blocking",
    section: "6",
    about: "as gather, but THREE sleeps with a blocking call: the loop stalls",
    model: Model::EventLoop,
};

impl Scenario for Blocking {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        Expected {
            events: check::events(&[
                (0.0, "Main started"),
                (0.0, "Creating multiple tasks with asyncio.gather"),
                (0.0, "ONE received"),
                (0.0, "TWO received"),
                (0.0, "THREE received"),
                (3.0, "Printing THREE"),
                (3.0, "FOUR received"),
                (3.0, "FIVE received"),
                (3.0, "Printing ONE"),
                (3.0, "Printing TWO"),
                (7.0, "Printing FOUR"),
                (8.0, "Printing FIVE"),
                (8.0, "Main Ended"),
            ]),
            total: Some(8.0),
            value: None,
        }
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        ctx.run_main(backend, main)
    }
}

/// The article's `main`: gather the five.
async fn main(event_loop: Handle, ctx: Ctx) {
    ctx.log("Main started");
    ctx.log("Creating multiple tasks with asyncio.gather");
    let messages = MESSAGES.map(|(delay, message)| {
        Box::pin(delay_message(
            event_loop.clone(),
            ctx.clone(),
            delay,
            message,
        )) as _
    });
    gather(&*event_loop, messages).await;
    ctx.log("Main Ended");
}

/// The article's `delay_message` with the mistake: THREE calls `time.sleep`.
async fn delay_message(event_loop: Handle, ctx: Ctx, delay: u32, message: &'static str) {
    ctx.rec.name_task(message);
    ctx.log(format!("{message} received"));
    if message == "THREE" {
        // The blocking call: the loop's thread is stuck here, no task runs.
        ctx.rec.block_for(ctx.units(delay));
    } else {
        event_loop.sleep(ctx.units(delay)).await;
    }
    ctx.log(format!("Printing {message}"));
}
