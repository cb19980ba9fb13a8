//! Section 9, "Race Conditions are Rare with AsyncIO": the same update as
//! two tasks on one event loop. Its only `await` is the sleep; from the read
//! to the write a task keeps the thread, so the updates take turns and the
//! final value is 2, with no lock. Even the think time, a blocking call,
//! cannot let the other task in.
//!
//! ```text
//! cargo run --example 09_race_async                 # minirt
//! cargo run --example 09_race_async --features smol # smol or tokio: same
//! ```

use concur::executor::{self, gather, sleep};
use concur::log::{info, unit};
use concur::scenario::race::think_time;
use std::cell::Cell;
use std::rc::Rc;
use std::thread;

/// The article's `FakeDatabase`. One thread only, so a plain `Cell` will do,
/// and the compiler would refuse it if tasks could run in parallel.
#[derive(Default)]
struct FakeDatabase {
    /// The stored value.
    value: Cell<i64>,
}

/// Sleep (the only `await`), then read, compute, write back.
async fn update(db: Rc<FakeDatabase>) {
    info("Update Started");
    info("Sleeping");
    sleep(unit()).await;
    info("Reading Value From Db");
    let local_copy = db.value.get();
    thread::sleep(think_time(unit()));
    info("Updating Value");
    db.value.set(local_copy.pow(2) + 1);
    info("Update Finished");
}

fn main() {
    eprintln!("(on {})", executor::NAME);
    let db = Rc::new(FakeDatabase::default());
    executor::run(gather([update(Rc::clone(&db)), update(Rc::clone(&db))]));
    info(format!("Final value is {}", db.value.get()));
}
