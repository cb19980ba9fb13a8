//! Scenario 7, `race`: two threads update a fake database, without a lock.
//!
//! Each thread sleeps 2 units, reads the value, computes `value**2 + 1` and
//! writes it back: read and write are separate steps. Both read 0 at the
//! same moment, so both write 1: an update is lost. In Python that is luck
//! (0 to 25 % of runs); here the compute step has a small synchronous "think
//! time", a simulated round trip to the database, and the database makes
//! each update wait, before it writes, for the other's read (see
//! [`FakeDb`]), so it happens every time, however busy the machine. Run on
//! a pool of 5 workers with 2 jobs, as the article does.

use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::workers::JobSet;
use crate::model::Model;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

mod fake_db;

pub use fake_db::{FakeDb, PATIENCE};

/// Scenario 7.
pub struct Race;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "race",
    section: "7",
    about: "two threads read, compute, write a shared value, no lock: an update is lost",
    model: Model::Threads,
};

impl Scenario for Race {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, unit: Duration) -> Expected {
        expected_race(2.0, unit, Updates::Overlap, 1)
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        run_on_threads(backend, ctx, false)
    }
}

/// How long the compute step takes: a twentieth of a unit, at least 5 ms
/// (so two threads waking together reliably overlap on a busy machine), at
/// most a quarter of a unit.
pub fn think_time(unit: Duration) -> Duration {
    (unit / 20).max(Duration::from_millis(5)).min(unit / 4)
}

/// Read, compute with think time, write: no await and no lock in between.
/// Whether two of these overlap depends only on whether two threads run them.
pub fn read_modify_write(ctx: &Ctx, db: &FakeDb) {
    ctx.log("Reading Value From Db");
    let value = db.read();
    // The simulated database round trip: a blocking call, inside one poll
    // when this runs on an event loop.
    ctx.rec.block_for(think_time(ctx.unit));
    // On threads the round trip lasts until the other update has read too,
    // so a busy scheduler cannot save the update; where updates run one at
    // a time this returns at once.
    ctx.rec
        .block_on_call("waiting for the other read", || db.wait_for_readers());
    ctx.log("Updating Value");
    db.write(value * value + 1);
    ctx.log("Update Finished");
}

/// The check of an explored race (`concur explore`): `Err` when an update
/// was lost, that is when the final value is not 2.
///
/// # Errors
///
/// The lost update, with the final value.
pub fn both_counted(db: &FakeDb) -> Result<(), String> {
    match db.value() {
        2 => Ok(()),
        value => Err(format!("an update was lost: final value {value}, not 2")),
    }
}

/// Runs two updates on `max_workers = 5` workers, optionally locked, then
/// logs the final value.
pub fn run_on_threads(backend: &Backend, ctx: &Ctx, locked: bool) -> anyhow::Result<Outcome> {
    let workers = backend.workers()?(5);
    // Two threads run the updates at once; under the lock, one at a time.
    let db = Arc::new(FakeDb::new(if locked { 1 } else { 2 }));
    let mut jobs = JobSet::new(workers.as_ref());
    for _ in 0..2 {
        let (ctx, db) = (ctx.clone(), Arc::clone(&db));
        jobs.submit(move || {
            ctx.log("Update Started");
            ctx.log("Sleeping");
            ctx.rec.block_for(ctx.units(2));
            // The lock covers read, compute and write only, so both still
            // sleep together.
            let _guard = locked.then(|| db.lock.lock().unwrap_or_else(PoisonError::into_inner));
            read_modify_write(&ctx, &db);
        });
    }
    jobs.join_all();
    workers.join();
    let value = db.value();
    ctx.log(format!("Final value is {value}"));
    Ok(Outcome {
        value: Some(value),
        ..Outcome::default()
    })
}

/// Whether the two read-modify-writes overlap (the lost update) or run one
/// after the other (both count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Updates {
    /// Both read together.
    Overlap,
    /// One after the other.
    Serialized,
}

/// The race timeline: both start and sleep at 0; the updates begin at
/// `wake` units, each taking one think time; then the final value.
pub fn expected_race(wake: f64, unit: Duration, updates: Updates, value: i64) -> Expected {
    let think = check::in_units(think_time(unit), unit);
    let second = if updates == Updates::Overlap {
        wake
    } else {
        wake + think
    };
    let mut events = check::events(&[(0.0, "Update Started"), (0.0, "Sleeping")].repeat(2));
    for start in [wake, second] {
        events.push((start, "Reading Value From Db".to_string()));
        events.push((start + think, "Updating Value".to_string()));
        events.push((start + think, "Update Finished".to_string()));
    }
    events.push((second + think, format!("Final value is {value}")));
    Expected {
        events,
        total: Some(second + think),
        value: Some(value),
    }
}
