//! Addition A3, `deadlock`: two tasks take two async mutexes in opposite
//! order, with an await in between, and wait for each other for ever.
//!
//! The article's closing warning. A locks m1, B locks m2; one unit later A
//! waits for m2 and B for m1. A loop that proves deadlocks (minirt sees
//! every lock and every task) stops with a typed report naming the cycle,
//! which becomes the result. smol and tokio cannot tell a deadlock from a long
//! wait, so they run in a child process under a watchdog
//! (`deadlock/watchdog.rs`) that kills it after a few units without a log line.

mod watchdog;

pub use watchdog::{child_backends, child_main};

use super::{Ctx, Explored, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::event_loop::{DeadlockFound, Handle, LoopMutex};
use crate::model::Model;
use std::rc::Rc;
use std::time::Duration;

/// Addition A3.
pub struct Deadlock;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "deadlock",
    section: "A3",
    about: "two tasks take two async locks in opposite order: minirt names the cycle",
    model: Model::EventLoop,
};

impl Scenario for Deadlock {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        Expected {
            events: check::events(&[
                (0.0, "A locked m1"),
                (0.0, "B locked m2"),
                (1.0, "A waits for m2"),
                (1.0, "B waits for m1"),
            ]),
            // When the report comes depends on who notices: minirt at once,
            // the watchdog after its wait.
            total: None,
            value: None,
        }
    }

    fn patience(&self) -> Option<u32> {
        Some(watchdog::PATIENCE_UNITS)
    }

    /// Every schedule of the two tasks; minirt's proof fails the runs
    /// that deadlock.
    fn explored(&self) -> Option<Explored> {
        Some(|event_loop, ctx| {
            Box::pin(async move {
                main(event_loop, ctx).await;
                Ok(())
            })
        })
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        // A loop that cannot prove a deadlock would hang here.
        if !backend.proves_deadlocks() {
            return watchdog::run_in_child(backend.name(), ctx);
        }
        let main_ctx = ctx.clone();
        let event_loop = ctx.event_loop(backend)?;
        let error =
            match event_loop.run(Box::new(|event_loop| Box::pin(main(event_loop, main_ctx)))) {
                Ok(()) => anyhow::bail!("both tasks finished: no deadlock"),
                Err(error) => error,
            };
        let Some(found) = error.downcast_ref::<DeadlockFound>() else {
            return Err(error);
        };
        // The loop is gone, and with it the virtual clock: the report is
        // logged at the last event's time, when the loop found the deadlock.
        let events = ctx.rec.record().trace.events;
        let at = events.last().map_or(Duration::ZERO, |event| event.at);
        ctx.rec
            .log_at(at, format!("{}: {}", backend.name(), found.report));
        let note = match &found.cycle {
            Some(cycle) => format!("deadlock, wait cycle: {cycle}"),
            None => found.report.clone(),
        };
        Ok(Outcome {
            note: Some(note),
            ..Outcome::default()
        })
    }
}

/// The tasks: A takes m1 then m2, B takes m2 then m1.
pub(crate) async fn main(event_loop: Handle, ctx: Ctx) {
    let (m1, m2) = (event_loop.mutex("m1"), event_loop.mutex("m2"));
    let a = take_both(
        event_loop.clone(),
        ctx.clone(),
        "A",
        [m1.clone(), m2.clone()],
    );
    let a = event_loop.spawn_named("A", Box::pin(a));
    let b = take_both(event_loop.clone(), ctx.clone(), "B", [m2, m1]);
    let b = event_loop.spawn_named("B", Box::pin(b));
    a.await;
    b.await;
    ctx.log("Both finished");
}

/// Takes `first`, sleeps a unit (the await in between), then takes `second`.
async fn take_both(
    event_loop: Handle,
    ctx: Ctx,
    name: &'static str,
    locks: [Rc<dyn LoopMutex>; 2],
) {
    let [first, second] = locks;
    let first_name = first.name();
    let holding = async move {
        ctx.log(format!("{name} locked {first_name}"));
        event_loop.sleep(ctx.units(1)).await;
        ctx.log(format!("{name} waits for {}", second.name()));
        let both = async move { ctx.log(format!("{name} locked both")) };
        second.locked(Box::pin(both)).await;
    };
    first.locked(Box::pin(holding)).await;
}
