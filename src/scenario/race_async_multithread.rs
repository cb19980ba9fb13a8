//! Addition A2, `race-async-multithread`: scenario 9's code, unchanged, on
//! a multi-threaded async executor.
//!
//! The same [`update`], spawned on smol's `Executor` or tokio's
//! multi-thread runtime with two worker threads: both tasks wake together,
//! run their read-modify-write at once on two threads, and the update is
//! lost again (1). Only the database differs from scenario 9's: it is told
//! that two updates run at once, so each waits for the other's read before
//! it writes (see [`FakeDb`]); on one thread that wait would never end,
//! which is the point of scenario 9. "Race conditions are rare with asyncio" is a property of
//! one thread, not of `async`.

use super::race::{expected_race, FakeDb, Updates};
use super::race_async::update;
use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::Expected;
use crate::model::parallel::ParallelHandle;
use crate::model::Model;
use std::sync::Arc;
use std::time::Duration;

/// Addition A2.
pub struct RaceAsyncMultithread;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "race-async-multithread",
    section: "A2",
    about: "race-async's code on a multi-threaded executor: the update is lost again",
    model: Model::ParallelEventLoop,
};

impl Scenario for RaceAsyncMultithread {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, unit: Duration) -> Expected {
        expected_race(1.0, unit, Updates::Overlap, 1)
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        // Two worker threads run the two updates at once.
        let db = Arc::new(FakeDb::new(2));
        let (ctx, for_main) = (ctx.clone(), Arc::clone(&db));
        backend
            .parallel()?
            .run(Box::new(|executor| Box::pin(main(executor, ctx, for_main))))?;
        Ok(Outcome {
            value: Some(db.value()),
            ..Outcome::default()
        })
    }
}

/// Spawns the two updates on the executor's threads and waits for both.
async fn main(executor: ParallelHandle, ctx: Ctx, db: Arc<FakeDb>) {
    let updates: Vec<_> = (0..2)
        .map(|_| {
            executor.spawn(Box::pin(update(
                Arc::clone(&executor),
                ctx.clone(),
                Arc::clone(&db),
            )))
        })
        .collect();
    for finished in updates {
        finished.await;
    }
    ctx.log(format!("Final value is {}", db.value()));
}
