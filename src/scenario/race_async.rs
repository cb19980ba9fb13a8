//! Scenario 9, `race-async`: the race as two tasks on one event loop.
//!
//! Each task sleeps 1 unit with an `await`, then reads, thinks and writes
//! with no `await` in between. On one thread the first task's
//! read-modify-write runs inside one poll, to the end, before the second
//! can start: the updates serialize and both count (2). No lock needed;
//! addition A2 runs this same [`update`] on several threads.

use super::race::{both_counted, expected_race, read_modify_write, FakeDb, Updates};
use super::{Ctx, Explored, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::Expected;
use crate::model::event_loop::{gather, Handle};
use crate::model::{Model, Sleeper};
use std::sync::Arc;
use std::time::Duration;

/// Scenario 9.
pub struct RaceAsync;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "race-async",
    section: "9",
    about: "the race as two tasks on one event loop: updates serialize, both count",
    model: Model::EventLoop,
};

impl Scenario for RaceAsync {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, unit: Duration) -> Expected {
        expected_race(1.0, unit, Updates::Serialized, 2)
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        // One thread runs one update at a time: nobody waits for a read.
        let db = Arc::new(FakeDb::new(1));
        let (ctx, for_main) = (ctx.clone(), Arc::clone(&db));
        ctx.event_loop(backend)?.run(Box::new(|event_loop| {
            Box::pin(main(event_loop, ctx, for_main))
        }))?;
        Ok(Outcome {
            value: Some(db.value()),
            ..Outcome::default()
        })
    }

    fn explored(&self) -> Option<Explored> {
        Some(|event_loop, ctx| Box::pin(explored(event_loop, ctx)))
    }
}

/// One explored run: whatever the schedule, no update may be lost.
async fn explored(event_loop: Handle, ctx: Ctx) -> Result<(), String> {
    let db = Arc::new(FakeDb::new(1));
    main(event_loop, ctx, Arc::clone(&db)).await;
    both_counted(&db)
}

/// The article's `main`: gather two updates, log the final value.
async fn main(event_loop: Handle, ctx: Ctx, db: Arc<FakeDb>) {
    let updates =
        [(); 2].map(|()| Box::pin(update(event_loop.clone(), ctx.clone(), Arc::clone(&db))) as _);
    gather(&*event_loop, updates).await;
    ctx.log(format!("Final value is {}", db.value()));
}

/// One update: sleep 1 unit (the only `await`), then read, think, write.
/// Generic over the loop, so A2 runs exactly this on a multi-threaded one.
pub async fn update<L: Sleeper>(event_loop: L, ctx: Ctx, db: Arc<FakeDb>) {
    ctx.log("Update Started");
    ctx.log("Sleeping");
    event_loop.sleep(ctx.units(1)).await;
    read_modify_write(&ctx, &db);
}
