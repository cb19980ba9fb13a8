//! Scenario 5, `gather`: five messages, delays 1 to 5, started together.
//!
//! `asyncio.gather` makes a task of each and waits for all: on one thread,
//! each sleep lets the others run, so everything is received at once and
//! message k is printed at k. The async scenarios reuse [`delay_message`].

use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::event_loop::{gather, Handle};
use crate::model::Model;
use std::time::Duration;

/// Scenario 5.
pub struct Gather;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "gather",
    section: "5",
    about: "async: ONE..FIVE with delays 1..5, started together",
    model: Model::EventLoop,
};

/// The five messages and their delays in units.
pub const MESSAGES: [(u32, &str); 5] = [
    (1, "ONE"),
    (2, "TWO"),
    (3, "THREE"),
    (4, "FOUR"),
    (5, "FIVE"),
];

impl Scenario for Gather {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        expected_gather()
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        ctx.run_main(backend, main)
    }
}

/// The article's `main`: gather the five.
async fn main(event_loop: Handle, ctx: Ctx) {
    ctx.log("Main started");
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

/// The gather timeline, which `blocking-fixed` shares: all received at 0,
/// message k printed at k.
pub fn expected_gather() -> Expected {
    let mut events = check::events(&[(0.0, "Main started")]);
    events.extend(MESSAGES.map(|(_, message)| (0.0, format!("{message} received"))));
    events
        .extend(MESSAGES.map(|(delay, message)| (f64::from(delay), format!("Printing {message}"))));
    events.push((5.0, "Main Ended".to_string()));
    Expected {
        events,
        total: Some(5.0),
        value: None,
    }
}

/// The article's async `delay_message`: log receipt, `await asyncio.sleep`,
/// log the message.
pub async fn delay_message(event_loop: Handle, ctx: Ctx, delay: u32, message: &'static str) {
    ctx.rec.name_task(message);
    ctx.log(format!("{message} received"));
    event_loop.sleep(ctx.units(delay)).await;
    ctx.log(format!("Printing {message}"));
}
