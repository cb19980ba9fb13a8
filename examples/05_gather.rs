//! Section 5, "A better way to create AsyncIO tasks": five messages, delays
//! 1 to 5, gathered: all received at once, message k printed at k, 5
//! seconds in all.
//!
//! ```text
//! cargo run --example 05_gather                    # minirt
//! cargo run --example 05_gather --features smol    # or smol, or tokio
//! ```

use concur::executor::{self, gather, sleep};
use concur::log::{info, unit};

/// Receives a message, sleeps `delay` units without blocking, prints it.
async fn delay_message(delay: u32, message: &str) {
    info(format!("{message} received"));
    sleep(unit() * delay).await;
    info(format!("Printing {message}"));
}

/// The article's `main` coroutine: `asyncio.gather` of the five.
async fn main_task() {
    info("Main started");
    let messages = [
        (1, "ONE"),
        (2, "TWO"),
        (3, "THREE"),
        (4, "FOUR"),
        (5, "FIVE"),
    ];
    gather(messages.map(|(delay, message)| delay_message(delay, message))).await;
    info("Main Ended");
}

fn main() {
    eprintln!("(on {})", executor::NAME);
    executor::run(main_task());
}
