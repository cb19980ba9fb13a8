//! Section 6, "Caution about Blocking Calls in AsyncIO Tasks": as 05, but
//! THREE sleeps with a blocking call. For 3 seconds nothing else runs: ONE
//! and TWO print late, FOUR and FIVE are received late. 8 seconds, not 5.
//!
//! ```text
//! cargo run --example 06_blocking                  # minirt, smol or tokio:
//! cargo run --example 06_blocking --features tokio # every loop stalls alike
//! ```

use concur::executor::{self, gather, sleep};
use concur::log::{info, unit};
use std::thread;

/// As in 05, except that THREE sleeps with `time.sleep`.
async fn delay_message(delay: u32, message: &str) {
    info(format!("{message} received"));
    if message == "THREE" {
        // The mistake: a blocking call inside a task never gives the loop back.
        thread::sleep(unit() * delay);
    } else {
        sleep(unit() * delay).await;
    }
    info(format!("Printing {message}"));
}

/// The article's `main` coroutine.
async fn main_task() {
    info("Main started");
    info("Creating multiple tasks with asyncio.gather");
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
