//! Addition A3, `deadlock`: two tasks take two async mutexes in opposite
//! order, with an await in between, and wait for each other for ever.
//!
//! The article's closing warning. A locks m1, B locks m2; one unit later A
//! waits for m2 and B for m1. minirt sees every lock and every task, so its
//! `block_on` stops with a report naming the cycle; the harness catches it
//! and makes it the result. smol and tokio cannot tell a deadlock from a long
//! wait, so they run in a child process under a watchdog
//! (`deadlock/watchdog.rs`) that kills it after a few units without a log line.

mod watchdog;

pub use watchdog::{child_backends, child_main};

use super::{Ctx, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::event_loop::{Handle, LoopMutex};
use crate::model::Model;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Once;
use std::time::Duration;

/// Addition A3.
pub struct Deadlock;

impl Scenario for Deadlock {
    fn name(&self) -> &'static str {
        "deadlock"
    }

    fn section(&self) -> &'static str {
        "A3"
    }

    fn about(&self) -> &'static str {
        "two tasks take two async locks in opposite order: minirt names the cycle"
    }

    fn model(&self) -> Model {
        Model::EventLoop
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

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        // Only minirt can prove a deadlock; the others would hang here.
        if backend.name() != "minirt" {
            return watchdog::run_in_child(backend.name(), ctx);
        }
        let main_ctx = ctx.clone();
        let event_loop = ctx.event_loop(backend)?;
        silence_deadlock_panics();
        let finished = panic::catch_unwind(AssertUnwindSafe(|| {
            event_loop.run(Box::new(|event_loop| Box::pin(main(event_loop, main_ctx))))
        }));
        let report = match finished {
            Ok(result) => {
                result?;
                anyhow::bail!("both tasks finished: no deadlock");
            }
            Err(payload) => panic_message(payload.as_ref()),
        };
        anyhow::ensure!(report.starts_with("deadlock"), "{report}");
        // The loop is gone, and with it the virtual clock: the report is
        // logged at the last event's time, when minirt found the deadlock.
        let events = ctx.rec.record().trace.events;
        let found = events.last().map_or(Duration::ZERO, |event| event.at);
        ctx.rec.log_at(found, format!("minirt: {report}"));
        let cycle = report.find("wait cycle").map(|at| &report[at..]); // For the table.
        let note = cycle.map_or(report.clone(), |cycle| format!("deadlock, {cycle}"));
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

/// The text of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload.downcast_ref::<String>().map(String::as_str);
    let text = text.or_else(|| payload.downcast_ref::<&str>().copied());
    text.unwrap_or("a panic without a message").to_string()
}

/// Keeps minirt's deadlock panic off stderr (the scenario reports it);
/// every other panic still goes to the hook that was there before. Installed
/// once, for the whole process, so concurrent runs cannot race on the hook.
fn silence_deadlock_panics() {
    /// The hook is wrapped once.
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !panic_message(info.payload()).starts_with("deadlock") {
                previous(info);
            }
        }));
    });
}
