//! Section 3, "Thread pool": the same two messages on a pool of two reused
//! worker threads, with futures-like results: the main thread logs "Done"
//! as each one completes, like `concurrent.futures.as_completed`.
//!
//! ```text
//! cargo run --example 03_pool
//! ```

use concur::backend::pool::ThreadPool;
use concur::log::{info, unit};
use concur::model::workers::JobSet;
use std::thread;

/// Receives a message, waits `delay` units, prints it, and returns it.
fn delay_message(delay: u32, message: &'static str) -> &'static str {
    info(format!("{message} received"));
    thread::sleep(unit() * delay);
    info(format!("Printing {message}"));
    message
}

fn main() {
    // `with ThreadPoolExecutor(max_workers=2) as executor:`
    let executor = ThreadPool::new(2);
    let mut futures = JobSet::new(&executor);
    futures.submit(|| delay_message(2, "TWO"));
    futures.submit(|| delay_message(3, "THREE"));
    // `for future in as_completed(futures):`
    while let Some(message) = futures.join_next() {
        info(format!("{message} Done"));
    }
    executor.shutdown();
}
