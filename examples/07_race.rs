//! Section 7, "Race Conditions": two pool threads each read a value, compute
//! `value**2 + 1` and write it back, with no lock. Both read 0, both write 1:
//! an update is lost, and the final value is 1, not 2.
//!
//! In Python that happens by luck. Here a small "think time" (a simulated
//! round trip to the database) between read and write makes it happen every
//! time. Run: `cargo run --example 07_race`.

use concur::backend::pool::ThreadPool;
use concur::log::{info, unit};
use concur::model::workers::JobSet;
use concur::scenario::race::think_time;
use std::sync::atomic::{AtomicI64, Ordering::SeqCst};
use std::sync::Arc;
use std::thread;

/// The article's `FakeDatabase`: its value is read and written in two steps.
#[derive(Default)]
struct FakeDatabase {
    /// An atomic, so there is no data race: the race is in the logic.
    value: AtomicI64,
}

impl FakeDatabase {
    /// Sleep, read, compute, write back.
    fn update(&self) {
        info("Update Started");
        info("Sleeping");
        thread::sleep(unit() * 2);
        info("Reading Value From Db");
        let local_copy = self.value.load(SeqCst);
        thread::sleep(think_time(unit()));
        info("Updating Value");
        self.value.store(local_copy.pow(2) + 1, SeqCst);
        info("Update Finished");
    }
}

fn main() {
    let db = Arc::new(FakeDatabase::default());
    let executor = ThreadPool::new(5);
    let mut futures = JobSet::new(&executor);
    for _ in 0..2 {
        let db = Arc::clone(&db);
        futures.submit(move || db.update());
    }
    futures.join_all();
    executor.shutdown();
    info(format!("Final value is {}", db.value.load(SeqCst)));
}
