//! Addition A1, `blocking-fixed`: scenario 6 with the blocking call moved
//! off the loop.
//!
//! The same blocking call, handed to a helper thread (`spawn_blocking`,
//! smol's `unblock`, asyncio's `run_in_executor`) and awaited: the loop keeps
//! running the others, and the timeline is gather's again, 5 units. The
//! article warns; this is the cure.

use super::gather::{expected_gather, MESSAGES};
use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::Expected;
use crate::model::event_loop::{gather, Handle};
use crate::model::Model;
use std::time::Duration;

/// Addition A1.
pub struct BlockingFixed;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "blocking-fixed",
    section: "A1",
    about: "as blocking, with the blocking call on a helper thread: no stall",
    model: Model::EventLoop,
};

impl Scenario for BlockingFixed {
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

/// `delay_message` with the cure: THREE's blocking call runs on a helper
/// thread, and the task awaits it like any other future.
async fn delay_message(event_loop: Handle, ctx: Ctx, delay: u32, message: &'static str) {
    ctx.rec.name_task(message);
    ctx.log(format!("{message} received"));
    if message == "THREE" {
        let (rec, duration) = (ctx.rec.clone(), ctx.units(delay));
        event_loop
            .spawn_blocking(Box::new(move || rec.block_for(duration)))
            .await;
    } else {
        event_loop.sleep(ctx.units(delay)).await;
    }
    ctx.log(format!("Printing {message}"));
}
