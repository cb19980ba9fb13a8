//! Section 1 of the article, "Delay Messages": one thread, one thing after
//! another. While the main thread sleeps, the CPU is idle. Takes 5 seconds.
//!
//! ```text
//! cargo run --example 01_delay
//! CONCUR_UNIT=100ms cargo run --example 01_delay   # ten times faster
//! ```

use concur::log::{info, unit};
use std::thread;

/// Receives a message, waits `delay` units, prints it.
fn delay_message(delay: u32, message: &str) {
    info(format!("{message} received"));
    thread::sleep(unit() * delay);
    info(format!("Printing {message}"));
}

fn main() {
    info("Main started");
    delay_message(2, "TWO");
    delay_message(3, "THREE");
    info("Main Ended");
}
