//! Section 2, "Concurrency with Threading": each message on its own OS
//! thread. The OS runs one while the other sleeps: 3 seconds instead of 5.
//!
//! ```text
//! cargo run --example 02_threads
//! ```

use concur::log::{info, unit};
use std::thread;

/// Receives a message, waits `delay` units, prints it.
fn delay_message(delay: u32, message: &str) {
    info(format!("{message} received"));
    thread::sleep(unit() * delay);
    info(format!("Printing {message}"));
}

fn main() -> std::io::Result<()> {
    info("Main started");
    // Named like Python's threads, so the log reads like the article's.
    let two = thread::Builder::new()
        .name("Thread-1".into())
        .spawn(|| delay_message(2, "TWO"))?;
    let three = thread::Builder::new()
        .name("Thread-2".into())
        .spawn(|| delay_message(3, "THREE"))?;
    // Python waits for non-daemon threads at exit; Rust asks us to say so.
    for thread in [two, three] {
        thread.join().expect("a delay_message thread panicked");
    }
    info("Main Ended");
    Ok(())
}
