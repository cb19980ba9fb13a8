//! Section 4, "Concurrency with AsyncIO": two tasks on one event loop, on
//! one thread, as fast as the two threads were: 3 seconds. The task count
//! includes the main task: 1, then 3.
//!
//! ```text
//! cargo run --example 04_tasks                     # on minirt
//! cargo run --example 04_tasks --features smol     # the same, on smol
//! cargo run --example 04_tasks --features tokio    # the same, on tokio
//! ```

use concur::executor::{self, sleep, spawn, task_count};
use concur::log::{info, unit};

/// Receives a message, sleeps `delay` units without blocking, prints it.
async fn delay_message(delay: u32, message: &str) {
    info(format!("{message} received"));
    sleep(unit() * delay).await;
    info(format!("Printing {message}"));
}

/// The article's `main` coroutine.
async fn main_task() {
    info("Main started");
    info(format!("Current registered tasks: {}", task_count()));
    info("Creating tasks");
    let two = spawn(delay_message(2, "TWO"));
    let three = spawn(delay_message(3, "THREE"));
    info(format!("Current registered tasks: {}", task_count()));
    two.await;
    three.await;
    info("Main Ended");
}

fn main() {
    eprintln!("(on {})", executor::NAME);
    executor::run(main_task());
}
