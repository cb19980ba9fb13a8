//! Addition A5, `race-async-await`: scenario 9 with an `await` between the
//! read and the write, and the update is lost on one thread too.
//!
//! Each task sleeps 1 unit, reads, awaits an async database call (a
//! zero-length sleep, like `await asyncio.sleep(0)`: a real switch point),
//! then thinks and writes. The loop runs the other task during that
//! await, it reads the same 0, and both write 1. Whether that happens
//! depends on which ready task the loop picks: FIFO loses the update, other
//! orders do not, and `concur explore race-async-await` runs every order and
//! counts those that lose it (see `explore.rs`).
//!
//! On a real clock the two wake-ups may come from two timer batches, and
//! then FIFO could finish one update before the other has read: luck again.
//! So, as on threads (see [`FakeDb`]), the database is told that two updates
//! are in flight at once, and the call does not return before the other has
//! read (polling every millisecond). Explored, it is told one: no
//! rendezvous, only the schedule decides.

use super::race::{both_counted, think_time, FakeDb, PATIENCE};
use super::{Ctx, Explored, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::event_loop::{Handle, LoopMutex};
use crate::model::Model;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// Addition A5.
pub struct RaceAsyncAwait;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "race-async-await",
    section: "A5",
    about: "race-async with an await between read and write: the update is lost again",
    model: Model::EventLoop,
};

impl Scenario for RaceAsyncAwait {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, unit: Duration) -> Expected {
        // A reads at 1; during its await B reads the same 0; then each
        // thinks and writes 1, one after the other.
        let think = check::in_units(think_time(unit), unit);
        let mut events = check::events(&[(0.0, "Update Started"), (0.0, "Sleeping")].repeat(2));
        events.extend(check::events(&[(1.0, "Reading Value From Db")].repeat(2)));
        for written in [1.0 + think, 1.0 + 2.0 * think] {
            events.push((written, "Updating Value".to_string()));
            events.push((written, "Update Finished".to_string()));
        }
        events.push((1.0 + 2.0 * think, "Final value is 1".to_string()));
        Expected {
            events,
            total: Some(1.0 + 2.0 * think),
            value: Some(1),
        }
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        // Two updates in flight at once: each call waits for the other's read.
        let db = Arc::new(FakeDb::new(2));
        let (ctx, for_main) = (ctx.clone(), Arc::clone(&db));
        ctx.event_loop(backend)?.run(Box::new(|event_loop| {
            Box::pin(main(event_loop, ctx, for_main, false))
        }))?;
        Ok(Outcome {
            value: Some(db.value()),
            ..Outcome::default()
        })
    }

    fn explored(&self) -> Option<Explored> {
        Some(|event_loop, ctx| Box::pin(explored(event_loop, ctx, false)))
    }
}

/// One explored run: no rendezvous (one update at a time as far as the
/// database knows), `locked` or not; it fails if an update was lost.
/// `race-locked` explores this with the lock.
pub async fn explored(event_loop: Handle, ctx: Ctx, locked: bool) -> Result<(), String> {
    let db = Arc::new(FakeDb::new(1));
    main(event_loop, ctx, Arc::clone(&db), locked).await;
    both_counted(&db)
}

/// Two updates, tasks A and B, awaited; then the final value.
async fn main(event_loop: Handle, ctx: Ctx, db: Arc<FakeDb>, locked: bool) {
    let lock = locked.then(|| event_loop.mutex("db"));
    let tasks = ["A", "B"].map(|name| {
        let update = update(
            event_loop.clone(),
            ctx.clone(),
            Arc::clone(&db),
            lock.clone(),
        );
        event_loop.spawn_named(name, Box::pin(update))
    });
    for task in tasks {
        task.await;
    }
    ctx.log(format!("Final value is {}", db.value()));
}

/// One update: sleep 1 unit, then read, await the database, think, write,
/// under `lock` if there is one (it covers read to write only, as in
/// scenario 8, so both still sleep together).
async fn update(event_loop: Handle, ctx: Ctx, db: Arc<FakeDb>, lock: Option<Rc<dyn LoopMutex>>) {
    ctx.log("Update Started");
    ctx.log("Sleeping");
    event_loop.sleep(ctx.units(1)).await;
    let read_modify_write = Box::pin(async move {
        ctx.log("Reading Value From Db");
        let value = db.read();
        database_call(&event_loop, &db).await;
        ctx.rec.block_for(think_time(ctx.unit));
        ctx.log("Updating Value");
        db.write(value * value + 1);
        ctx.log("Update Finished");
    });
    match lock {
        Some(lock) => lock.locked(read_modify_write).await,
        None => read_modify_write.await,
    }
}

/// The async database call: an `await` on a zero-length sleep, then, while
/// the other update in flight has not read yet, a millisecond's sleep at a
/// time ([`PATIENCE`] at most). With one update at a time, only the first.
async fn database_call(event_loop: &Handle, db: &FakeDb) {
    event_loop.sleep(Duration::ZERO).await;
    let step = Duration::from_millis(1);
    let mut waited = Duration::ZERO;
    while !db.all_read() && waited < PATIENCE {
        event_loop.sleep(step).await;
        waited += step;
    }
}
