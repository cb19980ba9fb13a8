//! Scenario 4, `tasks`: the two messages as tasks on one event loop.
//!
//! `asyncio.create_task` twice, counting the live tasks before (1: main
//! itself) and after (3). A task only starts when main awaits, so both
//! messages are received after the second count, and the whole takes 3
//! units on one thread, as the threads did.

use super::gather::delay_message;
use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::event_loop::Handle;
use crate::model::Model;
use std::time::Duration;

/// Scenario 4.
pub struct Tasks;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "tasks",
    section: "4",
    about: "async: count the tasks (1), create two, count again (3), await both",
    model: Model::EventLoop,
};

impl Scenario for Tasks {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        Expected {
            events: check::events(&[
                (0.0, "Main started"),
                (0.0, "Current registered tasks: 1"),
                (0.0, "Creating tasks"),
                (0.0, "Current registered tasks: 3"),
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
        ctx.run_main(backend, main)
    }
}

/// The article's `main`: two `create_task`s between two counts.
async fn main(event_loop: Handle, ctx: Ctx) {
    ctx.log("Main started");
    ctx.log(format!(
        "Current registered tasks: {}",
        event_loop.task_count()
    ));
    ctx.log("Creating tasks");
    let two = event_loop.spawn(Box::pin(delay_message(
        event_loop.clone(),
        ctx.clone(),
        2,
        "TWO",
    )));
    let three = event_loop.spawn(Box::pin(delay_message(
        event_loop.clone(),
        ctx.clone(),
        3,
        "THREE",
    )));
    ctx.log(format!(
        "Current registered tasks: {}",
        event_loop.task_count()
    ));
    two.await;
    three.await;
    ctx.log("Main Ended");
}
