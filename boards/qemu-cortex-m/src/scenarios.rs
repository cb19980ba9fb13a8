//! The article's gather (section 5) and blocking call (section 6), as the
//! host runs them (`examples/05_gather.rs`, `examples/06_blocking.rs`), on
//! the board's clock; then a task woken by an interrupt.
//!
//! Without `std` there is no current runtime for a free `spawn` or `sleep`
//! to find, so each task holds the runtime itself (an `Rc`: one thread) and
//! calls [`Runtime::spawn_named`] and [`Runtime::sleep`] on it.

use crate::clock::{self, SysTickClock};
use crate::{log, peripheral};
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;
use minirt::{Clock, Instant, JoinHandle, Runtime, Sleep};

/// The article's second in milliseconds, shortened so the whole run takes
/// about two seconds of SysTick time.
pub(crate) const UNIT_MILLIS: u64 = 100;

/// The article's second, as the scenarios sleep it.
const UNIT: Duration = Duration::from_millis(UNIT_MILLIS);

/// The article's messages and their delays, in units.
const MESSAGES: [(&str, u32); 5] = [
    ("ONE", 1),
    ("TWO", 2),
    ("THREE", 3),
    ("FOUR", 4),
    ("FIVE", 5),
];

/// One scenario's runtime, and the moment its timeline starts.
#[derive(Clone)]
struct Scene {
    /// A runtime on the board's clock.
    rt: Rc<Runtime>,
    /// Time zero of the log.
    start: Instant,
}

impl Scene {
    /// A fresh runtime on SysTick; its timeline starts now.
    fn new() -> Self {
        let rt = Rc::new(Runtime::with_clock(SysTickClock));
        let start = rt.now();
        Scene { rt, start }
    }

    /// Logs `message` at the board's time since the start.
    fn log(&self, message: fmt::Arguments<'_>) {
        log::line(self.rt.now() - self.start, message);
    }

    /// Sleeps `units` without blocking: the loop runs other tasks meanwhile.
    fn sleep(&self, units: u32) -> Sleep {
        self.rt.sleep(UNIT * units)
    }

    /// Runs `main` to its end on this scene's runtime.
    fn run(&self, main: impl core::future::Future<Output = ()>) {
        self.rt.block_on(main);
    }
}

/// Section 5: five messages, delays 1 to 5, gathered; all received at 0,
/// message k printed at k. With the task count, as section 4 logs it.
pub(crate) fn gather() {
    log::heading(format_args!("== gather (article section 5)"));
    let scene = Scene::new();
    scene.run(async {
        scene.log(format_args!("Main started"));
        log_task_count(&scene);
        let tasks = spawn_messages(&scene, None);
        log_task_count(&scene); // main and the five
        join(tasks).await;
        scene.log(format_args!("Main Ended"));
    });
}

/// Section 6: as [`gather`], but THREE blocks the loop for its 3 units.
/// Nothing else runs meanwhile: ONE and TWO print late, at 3, and FOUR and
/// FIVE start late, ending at 7 and 8.
pub(crate) fn blocking() {
    log::heading(format_args!("== blocking (article section 6)"));
    let scene = Scene::new();
    scene.run(async {
        scene.log(format_args!("Main started"));
        scene.log(format_args!("Creating multiple tasks with asyncio.gather"));
        join(spawn_messages(&scene, Some("THREE"))).await;
        scene.log(format_args!("Main Ended"));
    });
}

/// A task that waits for a peripheral's interrupt, three times. No timer is
/// armed meanwhile: the loop parks with no deadline, and only the wake from
/// the interrupt handler brings it back.
pub(crate) fn interrupt() {
    log::heading(format_args!(
        "== interrupt (a task woken from the timer's interrupt handler, no timer armed)"
    ));
    let scene = Scene::new();
    scene.run(async {
        scene.log(format_args!("Waiting for the timer interrupt"));
        let waiter = scene
            .rt
            .spawn_named("irq", woken_by_interrupt(scene.clone()));
        waiter.await.expect("the interrupt task ends");
        scene.log(format_args!("Main Ended"));
    });
}

/// Logs `len(asyncio.all_tasks())`: the live tasks, main included.
fn log_task_count(scene: &Scene) {
    let count = scene.rt.task_count();
    scene.log(format_args!("Current registered tasks: {count}"));
}

/// Spawns one task per message, in order, as `asyncio.gather` does; the
/// message named `blocker` blocks the loop instead of sleeping.
fn spawn_messages(scene: &Scene, blocker: Option<&str>) -> Vec<JoinHandle<()>> {
    MESSAGES
        .iter()
        .map(|&(message, delay)| {
            let blocks = blocker == Some(message);
            let task = delay_message(scene.clone(), delay, message, blocks);
            scene.rt.spawn_named(message, task)
        })
        .collect()
}

/// Waits for every task, in order; gather's result.
async fn join(tasks: Vec<JoinHandle<()>>) {
    for task in tasks {
        task.await.expect("a message task ends");
    }
}

/// The article's `delay_message`: receive, sleep (or block), print.
async fn delay_message(scene: Scene, delay: u32, message: &'static str, blocks: bool) {
    scene.log(format_args!("{message} received"));
    if blocks {
        // The mistake the article warns of: a call that never yields.
        SysTickClock.block_for(UNIT * delay);
    } else {
        scene.sleep(delay).await;
    }
    scene.log(format_args!("Printing {message}"));
}

/// Three events of the peripheral, one unit apart; each wakes this task
/// from the SysTick handler.
async fn woken_by_interrupt(scene: Scene) {
    peripheral::start(clock::ticks_in(UNIT));
    for _ in 0..3 {
        let event = peripheral::next_event().await;
        scene.log(format_args!("Interrupt {event} woke the task"));
    }
    peripheral::stop();
}
