//! Section 8, the race fixed with a lock: held from the read to the write,
//! it makes the second thread wait for the first's write. Both threads
//! still sleep together; the final value is 2.
//!
//! Run: `cargo run --example 08_race_locked`.

use concur::backend::pool::ThreadPool;
use concur::log::{info, unit};
use concur::model::workers::JobSet;
use concur::scenario::race::think_time;
use std::sync::atomic::{AtomicI64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread;

/// The article's `FakeDatabase`, with its lock.
#[derive(Default)]
struct FakeDatabase {
    /// The stored value, read and written in two steps.
    value: AtomicI64,
    /// Guards the steps from read to write.
    lock: Mutex<()>,
}

impl FakeDatabase {
    /// Sleep, then read, compute and write back under the lock.
    fn locked_update(&self) {
        info("Update Started");
        info("Sleeping");
        thread::sleep(unit() * 2);
        let _guard = self
            .lock
            .lock()
            .expect("no update panics while holding the lock");
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
        futures.submit(move || db.locked_update());
    }
    futures.join_all();
    executor.shutdown();
    info(format!("Final value is {}", db.value.load(SeqCst)));
}
