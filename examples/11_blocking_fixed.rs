//! Addition A1, the cure for section 6: the same blocking call, handed to a
//! helper thread and awaited. The loop keeps running the other tasks; every
//! message prints on time and the whole takes 5 seconds again.
//!
//! ```text
//! cargo run --example 11_blocking_fixed                 # minirt's spawn_blocking
//! cargo run --example 11_blocking_fixed --features smol # smol's unblock
//! ```

use concur::executor::{self, gather, sleep, spawn_blocking};
use concur::log::{info, unit};
use std::thread;

/// As in 06, except that THREE's blocking call runs off the loop.
async fn delay_message(delay: u32, message: &str) {
    info(format!("{message} received"));
    if message == "THREE" {
        let duration = unit() * delay;
        spawn_blocking(move || thread::sleep(duration)).await;
    } else {
        sleep(unit() * delay).await;
    }
    info(format!("Printing {message}"));
}

/// The article's `main` coroutine.
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
